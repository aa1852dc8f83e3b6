"""Every refusal of `cohorts` is a `CohortsError`: a caller translates the library's errors in one place."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from cohorts.blind_codes import BlindCodeError, normalize_code
from cohorts.dosing import (
    DosingError,
    check_volume_per_kg,
    check_weight_age,
    injection_volume_ml,
    stock_concentration_mg_per_ml,
)
from cohorts.draws import check_seed
from cohorts.errors import CohortsError
from cohorts.fst_sampling import TimeSamplingError
from cohorts.fst_sheet import FstSheetError
from cohorts.problems import InputError
from cohorts.randomization import AllocationError
from cohorts.roster import RosterError
from cohorts.sealing_errors import (
    CommitmentMismatchError,
    PassphraseTooShortError,
    SealedKeyContextError,
    SealedKeyError,
    SealedKeyFormatError,
    WeakPassphraseError,
    WrongPassphraseError,
)
from cohorts.spt import SptIntake, SptSheetError, bottle_intake_ml, preference_pct, spt_result
from cohorts.text_safety import UnsafeTextError, check_text
from cohorts.weights import WeightSheetError, weight_loss_exceeds

ERROR_CLASSES = (
    InputError,
    RosterError,
    TimeSamplingError,
    FstSheetError,
    SptSheetError,
    WeightSheetError,
    SealedKeyError,
    WeakPassphraseError,
    PassphraseTooShortError,
    WrongPassphraseError,
    SealedKeyContextError,
    CommitmentMismatchError,
    SealedKeyFormatError,
    DosingError,
    BlindCodeError,
    UnsafeTextError,
    AllocationError,
)


@pytest.mark.parametrize("error_class", ERROR_CLASSES, ids=lambda error_class: error_class.__name__)
def test_every_error_class_of_cohorts_derives_from_the_one_base(error_class: type[Exception]) -> None:
    assert issubclass(error_class, CohortsError)


def test_the_base_is_a_value_error_as_every_refusal_of_the_library_always_was() -> None:
    assert issubclass(CohortsError, ValueError)


REFUSALS: dict[str, Callable[[], object]] = {
    "seed out of range": lambda: check_seed(-1),
    "volume above the hard limit": lambda: check_volume_per_kg(21.0),
    "negative dose": lambda: stock_concentration_mg_per_ml(-1.0, 10.0),
    "body weight of zero": lambda: injection_volume_ml(0.0, 10.0),
    "weighing time without a timezone": lambda: check_weight_age(
        "K7M2QX", datetime(2025, 6, 2, 8, 30), datetime(2025, 6, 2, 10, 0, tzinfo=UTC), None
    ),
    "bottle that gained weight": lambda: bottle_intake_ml(100.0, 101.0),
    "no intake": lambda: preference_pct(0.0, 0.0),
    "SPT body weight of zero": lambda: spt_result(SptIntake("K7M2QX", "L", 5.0, 1.0, 2), 0.0),
    "baseline weight of zero": lambda: weight_loss_exceeds(0.0, 20.0),
    "mistyped blind code": lambda: normalize_code("K7M"),
    "control character in a name": lambda: check_text("a\x1bb", "study name"),
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_value_a_user_chose_outside_what_the_library_accepts_is_a_cohorts_error(
    refusal: Callable[[], object],
) -> None:
    with pytest.raises(CohortsError):
        refusal()
