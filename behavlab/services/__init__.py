"""The application's workflows: the only layer the CLI and TUI call; owns transactions and the audit log.

Each public name is imported from its home module on first use (PEP 562): ``from behavlab.services import X``
loads only what ``X`` needs, so a command that lists studies imports neither pandas, OpenCV nor Alembic. The
imports under TYPE_CHECKING give the names their types; `_HOMES` says where each one lives at run time.
"""

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from behavlab.lazy_names import homes_index, load_public_name

if TYPE_CHECKING:
    from behavlab.audit_head import ChainHead
    from behavlab.db.migrate import UpgradeResult
    from behavlab.services.agreement import AGREEMENT_MIN_VIDEOS, AgreementRun, agreement_of
    from behavlab.services.animal_view import AnimalOrder, AnimalView
    from behavlab.services.animals import (
        AnimalStatus,
        BackDatedWeightError,
        WeighingSummary,
        exclude_animal,
        list_animals,
        record_weights,
    )
    from behavlab.services.arms import ArmsDesign, ArmSpec, parse_arms, read_arms_file
    from behavlab.services.audit import ChainReport, list_events, verify_chain
    from behavlab.services.audit_anchor import (
        HeadCheck,
        current_head,
        parse_head,
        read_receipt,
        verify_extends,
    )
    from behavlab.services.bench_marks import (
        BenchMarkView,
        BenchStart,
        BenchStartError,
        bench_code,
        bench_start,
        list_bench_marks,
        record_camera_started,
        record_mouse_mark,
    )
    from behavlab.services.calibration import CalibrationRun, calibrate_to_labels
    from behavlab.services.cohort_batches import CohortView, add_cohort, list_cohorts
    from behavlab.services.demo import DEMO_PASSPHRASE, DEMO_STUDY, DemoPlan, DemoReport, run_demo
    from behavlab.services.dosing import DosingLine, DosingSheet, dosing_sheet, record_dose
    from behavlab.services.dosing_sheet_files import write_dosing_sheet
    from behavlab.services.fst import (
        FstSessionView,
        add_fst_session,
        import_fst_sheet,
        list_fst_sessions,
    )
    from behavlab.services.fst_manual import record_manual_score
    from behavlab.services.fst_outcomes import FstOutcomes, fst_outcomes, immobility_text
    from behavlab.services.protocol import DeclaredProtocol, declare_primary, study_protocol
    from behavlab.services.protocol_design import OUTCOME_ALIASES, PRIMARY_OUTCOMES
    from behavlab.services.protocol_plan import (
        PLAN_COMPARISONS,
        PLAN_TESTS,
        SHORT_HASH_CHARS,
        ProtocolPlan,
        declare_protocol,
        protocol_lines,
    )
    from behavlab.services.randomization import (
        CommittedRandomization,
        RandomizationDraft,
        RandomizationOptions,
        check_sealing_passphrase,
        commit_randomization,
        draft_randomization,
        parse_block_multiples,
    )
    from behavlab.services.reporting import StudyReport, build_report_data, write_study_report
    from behavlab.services.results import OutcomeResult, StudyResults, study_results
    from behavlab.services.roster_import import RosterImport, import_roster
    from behavlab.services.scoring_methods import PRIMARY_METHODS
    from behavlab.services.sealing import (
        EmergencyUnblinding,
        UnsealError,
        reprint_preparer_sheet,
        unblind_animal,
    )
    from behavlab.services.spt import (
        BottleGrid,
        SptLine,
        SptRecorded,
        bottle_grid,
        create_spt_period,
        record_spt_bottles,
        record_typed_spt_bottles,
        spt_results,
    )
    from behavlab.services.studies import StudyOverview, create_study, get_study
    from behavlab.services.study_list import StudySummary, list_studies
    from behavlab.services.study_scoring import StudyScoring, score_study
    from behavlab.services.study_settings import ROUTES, StudySettings
    from behavlab.services.study_state import StudyState, study_state
    from behavlab.services.timeline import AnimalTimeline, TimelineEntry, animal_timeline
    from behavlab.services.unmasking import (
        OpenItems,
        Unmasked,
        UnmaskReadiness,
        open_items,
        unmask_readiness,
        unmask_study,
    )
    from behavlab.services.video_scoring import (
        RoiProposal,
        detect_rois,
        presets_directory,
        rescore_videos,
        score_videos,
        suggest_pixel_cutoff,
    )
    from behavlab.services.voiding import VOID_ENTITIES, VoidedRecord, list_voided, void_record
    from behavlab.services.workspace import Workspace, open_workspace, upgrade_database
    from cohorts.randomization import DEFAULT_BLOCK_MULTIPLES, DEFAULT_STRATA
    from cohorts.randomization import DEFAULT_METHOD as DEFAULT_RANDOMIZATION_METHOD
    from cohorts.randomization import METHODS as RANDOMIZATION_METHODS
    from tracking.rules.presets import FST_SCORED_WINDOW_S

#: Each home module and the public names it defines, space-separated.
_HOMES: dict[str, str] = {
    "behavlab.audit_head": "ChainHead",
    "behavlab.db.migrate": "UpgradeResult",
    "behavlab.services.agreement": "AGREEMENT_MIN_VIDEOS AgreementRun agreement_of",
    "behavlab.services.animal_view": "AnimalOrder AnimalView",
    "behavlab.services.animals": (
        "AnimalStatus BackDatedWeightError WeighingSummary exclude_animal list_animals record_weights"
    ),
    "behavlab.services.arms": "ArmsDesign ArmSpec parse_arms read_arms_file",
    "behavlab.services.audit": "ChainReport list_events verify_chain",
    "behavlab.services.audit_anchor": "HeadCheck current_head parse_head read_receipt verify_extends",
    "behavlab.services.bench_marks": (
        "BenchMarkView BenchStart BenchStartError bench_code bench_start list_bench_marks "
        "record_camera_started record_mouse_mark"
    ),
    "behavlab.services.calibration": "CalibrationRun calibrate_to_labels",
    "behavlab.services.cohort_batches": "CohortView add_cohort list_cohorts",
    "behavlab.services.demo": "DEMO_PASSPHRASE DEMO_STUDY DemoPlan DemoReport run_demo",
    "behavlab.services.dosing": "DosingLine DosingSheet dosing_sheet record_dose",
    "behavlab.services.dosing_sheet_files": "write_dosing_sheet",
    "behavlab.services.fst": "FstSessionView add_fst_session import_fst_sheet list_fst_sessions",
    "behavlab.services.fst_manual": "record_manual_score",
    "behavlab.services.fst_outcomes": "FstOutcomes fst_outcomes immobility_text",
    "behavlab.services.protocol": "DeclaredProtocol declare_primary study_protocol",
    "behavlab.services.protocol_design": "OUTCOME_ALIASES PRIMARY_OUTCOMES",
    "behavlab.services.protocol_plan": (
        "PLAN_COMPARISONS PLAN_TESTS SHORT_HASH_CHARS ProtocolPlan declare_protocol protocol_lines"
    ),
    "behavlab.services.randomization": (
        "CommittedRandomization RandomizationDraft RandomizationOptions check_sealing_passphrase "
        "commit_randomization draft_randomization parse_block_multiples"
    ),
    "behavlab.services.reporting": "StudyReport build_report_data write_study_report",
    "behavlab.services.results": "OutcomeResult StudyResults study_results",
    "behavlab.services.roster_import": "RosterImport import_roster",
    "behavlab.services.scoring_methods": "PRIMARY_METHODS",
    "behavlab.services.sealing": "EmergencyUnblinding UnsealError reprint_preparer_sheet unblind_animal",
    "behavlab.services.spt": (
        "BottleGrid SptLine SptRecorded bottle_grid create_spt_period record_spt_bottles "
        "record_typed_spt_bottles spt_results"
    ),
    "behavlab.services.studies": "StudyOverview create_study get_study",
    "behavlab.services.study_settings": "ROUTES StudySettings",
    "behavlab.services.study_list": "StudySummary list_studies",
    "behavlab.services.study_scoring": "StudyScoring score_study",
    "behavlab.services.study_state": "StudyState study_state",
    "behavlab.services.timeline": "AnimalTimeline TimelineEntry animal_timeline",
    "behavlab.services.unmasking": (
        "OpenItems Unmasked UnmaskReadiness open_items unmask_readiness unmask_study"
    ),
    "behavlab.services.video_scoring": (
        "RoiProposal detect_rois presets_directory rescore_videos score_videos suggest_pixel_cutoff"
    ),
    "behavlab.services.voiding": "VOID_ENTITIES VoidedRecord list_voided void_record",
    "behavlab.services.workspace": "Workspace open_workspace upgrade_database",
    "cohorts.randomization": "DEFAULT_BLOCK_MULTIPLES DEFAULT_STRATA",
    "tracking.rules.presets": "FST_SCORED_WINDOW_S",
}
#: Public names that differ from their name at home: public name -> (module, name there).
_RENAMED: dict[str, tuple[str, str]] = {
    "DEFAULT_RANDOMIZATION_METHOD": ("cohorts.randomization", "DEFAULT_METHOD"),
    "RANDOMIZATION_METHODS": ("cohorts.randomization", "METHODS"),
}
_WHERE: dict[str, tuple[str, str]] = {**homes_index(_HOMES), **_RENAMED}

__all__ = [
    "AGREEMENT_MIN_VIDEOS",
    "DEFAULT_BLOCK_MULTIPLES",
    "DEFAULT_RANDOMIZATION_METHOD",
    "DEFAULT_STRATA",
    "DEMO_PASSPHRASE",
    "DEMO_STUDY",
    "FST_SCORED_WINDOW_S",
    "OUTCOME_ALIASES",
    "PLAN_COMPARISONS",
    "PLAN_TESTS",
    "PRIMARY_METHODS",
    "PRIMARY_OUTCOMES",
    "RANDOMIZATION_METHODS",
    "ROUTES",
    "SHORT_HASH_CHARS",
    "VOID_ENTITIES",
    "AgreementRun",
    "AnimalOrder",
    "AnimalStatus",
    "AnimalTimeline",
    "AnimalView",
    "ArmSpec",
    "ArmsDesign",
    "BackDatedWeightError",
    "BenchMarkView",
    "BenchStart",
    "BenchStartError",
    "BottleGrid",
    "CalibrationRun",
    "ChainHead",
    "ChainReport",
    "CohortView",
    "CommittedRandomization",
    "DeclaredProtocol",
    "DemoPlan",
    "DemoReport",
    "DosingLine",
    "DosingSheet",
    "EmergencyUnblinding",
    "FstOutcomes",
    "FstSessionView",
    "HeadCheck",
    "OpenItems",
    "OutcomeResult",
    "ProtocolPlan",
    "RandomizationDraft",
    "RandomizationOptions",
    "RoiProposal",
    "RosterImport",
    "SptLine",
    "SptRecorded",
    "StudyOverview",
    "StudyReport",
    "StudyResults",
    "StudyScoring",
    "StudySettings",
    "StudyState",
    "StudySummary",
    "TimelineEntry",
    "UnmaskReadiness",
    "Unmasked",
    "UnsealError",
    "UpgradeResult",
    "VoidedRecord",
    "WeighingSummary",
    "Workspace",
    "add_cohort",
    "add_fst_session",
    "agreement_of",
    "animal_timeline",
    "bench_code",
    "bench_start",
    "bottle_grid",
    "build_report_data",
    "calibrate_to_labels",
    "check_sealing_passphrase",
    "commit_randomization",
    "create_spt_period",
    "create_study",
    "current_head",
    "declare_primary",
    "declare_protocol",
    "detect_rois",
    "dosing_sheet",
    "draft_randomization",
    "exclude_animal",
    "fst_outcomes",
    "get_study",
    "immobility_text",
    "import_fst_sheet",
    "import_roster",
    "list_animals",
    "list_bench_marks",
    "list_cohorts",
    "list_events",
    "list_fst_sessions",
    "list_studies",
    "list_voided",
    "open_items",
    "open_workspace",
    "parse_arms",
    "parse_block_multiples",
    "parse_head",
    "presets_directory",
    "protocol_lines",
    "read_arms_file",
    "read_receipt",
    "record_camera_started",
    "record_dose",
    "record_manual_score",
    "record_mouse_mark",
    "record_spt_bottles",
    "record_typed_spt_bottles",
    "record_weights",
    "reprint_preparer_sheet",
    "rescore_videos",
    "run_demo",
    "score_study",
    "score_videos",
    "spt_results",
    "study_protocol",
    "study_results",
    "study_state",
    "suggest_pixel_cutoff",
    "unblind_animal",
    "unmask_readiness",
    "unmask_study",
    "upgrade_database",
    "verify_chain",
    "verify_extends",
    "void_record",
    "write_dosing_sheet",
    "write_study_report",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its home module on first use and keep it as this package's attribute."""
    return load_public_name(globals(), _WHERE, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _ServicesPackage(ModuleType):
    """The services package, whose public names win over its submodules of the same name (`study_state`).

    Importing a submodule sets it as an attribute of its package; a public function of the same name must
    keep meaning the function, whichever of the two was imported first.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, ModuleType) and name in _WHERE and _WHERE[name][0] == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _ServicesPackage
