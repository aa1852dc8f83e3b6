"""Fixed sentences that several outputs (CLI, terminal app, report) must say in the same words."""

#: The release that stopped storing per-arm aggregates of an allocation in the clear.
SEALED_BALANCE_RELEASE = "0.2.0"

#: Said of a study randomized by an older release, whose per-arm balance was readable in the database.
BALANCE_WAS_READABLE = (
    f"Caution: this study was randomized by a behavlab release before {SEALED_BALANCE_RELEASE}, which stored "
    "each arm's size, sexes, body-weight mean and SD and cage count in the clear; anyone who read the "
    "database then could have inferred the allocation. The values were removed from the database on upgrade."
)
