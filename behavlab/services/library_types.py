"""The library types the command line and the terminal app name in annotations, from one services module.

The UI imports only `behavlab.services`; it imports this module under ``TYPE_CHECKING`` alone, so naming a
type never loads the scoring libraries when a command starts.
"""

from tracking.batch.run import BatchProgress, BatchReport
from tracking.evaluation.agreement import FrameAgreement, SecondsAgreement
from tracking.evaluation.comparison import Comparison
from tracking.evaluation.interrater import Estimate
from tracking.evaluation.multirater import PairAgreement, SourcesAgreement

__all__ = [
    "BatchProgress",
    "BatchReport",
    "Comparison",
    "Estimate",
    "FrameAgreement",
    "PairAgreement",
    "SecondsAgreement",
    "SourcesAgreement",
]
