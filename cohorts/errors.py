"""The one base of every refusal `cohorts` raises, so a caller can translate its errors in one place.

`CohortsError` is a `ValueError`, as every refusal of the library always was. Its families:

- `cohorts.problems.InputError`: a user's file was refused; it carries every problem found (roster,
  weight, bottle, time-sampling and FST sheets each have their own subclass);
- `cohorts.sealing_errors.SealedKeyError`: sealing or opening the allocation key was refused;
- `cohorts.allocation_methods.AllocationError`, `cohorts.dosing.DosingError`,
  `cohorts.blind_codes.BlindCodeError` and `cohorts.text_safety.UnsafeTextError`: one refusal each, named in
  its message.

A value a user chose that is outside what the library accepts (a seed, a volume per kg, a bottle weight)
is refused with a plain `CohortsError`. A `ValueError` that is not a `CohortsError` is a programming error
(a call the library's own callers should never make), not a user's fault.
"""


class CohortsError(ValueError):
    """A refusal from `cohorts`: the message says what was refused and what would be accepted."""
