"""Every action the audit log records, by name; the stored value is the member's string.

A `StrEnum`, so an event stores and hashes exactly the string it always did, and a member compares equal to
the text read back from the log. The two actions written by migrations (`AUDIT_BASELINE`,
`BALANCE_REMOVED`) are listed so the log's vocabulary is complete; the migrations keep their own literals.
"""

from enum import StrEnum


class AuditAction(StrEnum):
    """What an audit event records."""

    STUDY_CREATE = "study.create"
    #: A cohort (batch) of a study, run and randomized on its own dates.
    COHORT_ADD = "cohort.add"
    ANIMALS_IMPORT = "animals.import"
    WEIGHTS_RECORD = "weights.record"
    WEIGHT_RECORD = "weight.record"
    ANIMAL_EXCLUDE = "animal.exclude"
    RANDOMIZE_PREVIEW = "randomize.preview"
    STUDY_RANDOMIZE = "study.randomize"
    PREPARER_SHEET_WRITE = "preparer_sheet.write"
    #: Re-printing the preparer sheet: whoever did it knows the allocation.
    PREPARER_SHEET_REPRINT = "preparer_sheet.reprint"
    #: Syringe labels showing each code's arm, from the sealed key: whoever printed them knows the allocation.
    LABELS_PREPARER = "labels.preparer"
    UNBLIND_EMERGENCY = "unblind.emergency"
    UNSEAL_REFUSED = "unseal.refused"
    DOSE_RECORD = "dose.record"
    FST_ADD = "fst.add"
    FST_SCORE = "fst.score"
    FST_MANUAL_SCORE = "fst.manual_score"
    #: A mark made at the bench while a video records: camera started, mouse in or mouse out.
    FST_BENCH_MARK = "fst.bench_mark"
    SPT_PERIOD = "spt.period"
    SPT_BOTTLES = "spt.bottles"
    AMENDMENT_RECORD = "amendment.record"
    PROTOCOL_DECLARE = "protocol.declare"
    #: A change of the protocol after randomization, with its reason.
    PROTOCOL_AMEND = "protocol.amend"
    RECORD_VOID = "record.void"
    STUDY_UNMASK = "study.unmask"
    AUDIT_BASELINE = "audit.baseline"
    BALANCE_REMOVED = "randomization.balance_removed"
