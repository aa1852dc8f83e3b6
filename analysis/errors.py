"""The one error base of the analysis library, so a caller translates its refusals in one place.

Every refusal of the data a caller passes is an `AnalysisError`: a table lacking columns, rows without an arm,
two values for one experimental unit, a cage holding more than one arm, an infinite value, a reference arm
that is not among the arms. It is a `ValueError`, as these refusals always were. A `ValueError` that is not
an `AnalysisError` is a programming error (a call the library's callers should never make, such as
`analysis.comparisons.compare_arms` with two arms), not a fault of the data.
"""


class AnalysisError(ValueError):
    """Data the analysis library refuses: the message says what was refused and why."""
