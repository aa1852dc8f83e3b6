"""A rater's 5-s time-sampling sheet for a manual FST score: a sheet file, or the bins typed one by one.

Both are read by the rules of `cohorts.fst_sampling`; a typed sheet is kept as typed (each bin's code), so the
stored score shows what the rater entered, as a file's name and hash show which file was read.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from behavlab.errors import InvalidInputError
from behavlab.services.library_errors import refused_files, refused_input
from cohorts.fst_sampling import (
    ACCEPTED_BEHAVIOR,
    SAMPLE_BIN_S,
    TimeSampling,
    read_bin,
    read_time_sampling,
    time_sampling_from_codes,
)
from tracking.rules.presets import FST_SCORED_WINDOW_S
from tracking.video.hashing import content_hash

#: The name a sheet typed bin by bin is stored under.
TYPED_SHEET = "typed in behavlab"
#: How many 5-s bins the scored window holds (48 for the last 4 of 6 minutes).
SCORED_WINDOW_BINS = round((FST_SCORED_WINDOW_S[1] - FST_SCORED_WINDOW_S[0]) / SAMPLE_BIN_S)

__all__ = [
    "ACCEPTED_BEHAVIOR",
    "SAMPLE_BIN_S",
    "SCORED_WINDOW_BINS",
    "TYPED_SHEET",
    "SampledSheet",
    "check_sampling_code",
    "sampled_sheet",
]


@dataclass(frozen=True)
class SampledSheet:
    """A checked time-sampling sheet, where it came from, and the codes as typed when it was typed."""

    sampling: TimeSampling
    name: str
    sha256: str
    typed: tuple[str, ...] | None = None

    def parameters(self) -> dict[str, object]:
        """What the score stores about its sheet: bin length, name, hash, and the typed codes if typed."""
        stored: dict[str, object] = {"bin_s": SAMPLE_BIN_S, "sheet": self.name, "sheet_sha256": self.sha256}
        if self.typed is not None:
            stored["typed"] = list(self.typed)
        return stored

    def details(self) -> dict[str, object]:
        """What the audit event says about the sheet: its name, the bins as letters, the counts, as typed."""
        details: dict[str, object] = {
            "sheet": self.name,
            "bins": self.sampling.letters,
            "counts": self.sampling.counts,
        }
        if self.typed is not None:
            details["typed"] = list(self.typed)
        return details


def check_sampling_code(bin_number: int, typed: str) -> str:
    """The behavior a code typed for one bin names; refused naming the bin and the accepted codes."""
    with refused_input():
        return read_bin(bin_number, typed)


def sampled_sheet(sheet: Path | None, bins: Sequence[str] | None) -> SampledSheet | None:
    """The sheet from a file or from typed bins (not both), checked whole; None when neither is given."""
    if sheet is not None and bins is not None:
        raise InvalidInputError("give a time-sampling sheet file or the typed bins, not both")
    if sheet is not None:
        with refused_files(f"time-sampling sheet {sheet.name}"):
            sampling = read_time_sampling(sheet, n_bins=SCORED_WINDOW_BINS)
        return SampledSheet(sampling, sheet.name, content_hash(sheet, full=True))
    if bins is None:
        return None
    typed = tuple(bins)
    with refused_files(f"time-sampling sheet {TYPED_SHEET}"):
        sampling = time_sampling_from_codes(typed, SCORED_WINDOW_BINS)
    digest = hashlib.sha256(json.dumps(typed).encode()).hexdigest()
    return SampledSheet(sampling, TYPED_SHEET, digest, typed)
