"""One forced-swim session as an NWB file, written atomically; pynwb and ndx-pose are imported here only.

The subject is the animal under its blind code. Its arm, once the study is unmasked, is in
``Subject.description`` (NWB has no treatment field, and the subject's description is where NWB puts what
is known of the animal) and in the file's ``pharmacology`` text; a blind file has neither. The video is an
external ``ImageSeries`` whose path is relative to the NWB file, as DANDI expects, with its SHA-256 in the
description: nothing is copied.

The session starts at the video's first frame, so every time in the file (bouts, signal, video, pose) is
video time; the test itself, from its start ``test_start_s`` into the video to the video's end, is the one
row of the ``epochs`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from writing.atomic import atomic_write
from writing.nwb.behavior import add_doses, add_pose, add_scoring
from writing.nwb.records import NwbDose, NwbSession, NwbSubject

if TYPE_CHECKING:
    from pynwb import NWBFile
    from pynwb.file import Subject

#: Keywords every file carries.
KEYWORDS = ("forced swim test", "immobility", "behavior")


class NwbUnavailableError(ImportError):
    """pynwb or ndx-pose is not installed."""


def require_nwb_libraries() -> None:
    """Import pynwb and ndx-pose, or raise NwbUnavailableError naming the one missing."""
    try:
        import ndx_pose  # noqa: F401
        import pynwb  # noqa: F401
    except ImportError as error:
        raise NwbUnavailableError(f"NWB export needs pynwb and ndx-pose ({error.name} is missing)") from error


def write_nwb(session: NwbSession, path: str | Path) -> Path:
    """Write ``session`` to ``path`` (atomically); ValueError when a blind session holds an arm."""
    from pynwb import NWBHDF5IO

    refuse_arm_in_blind(session)
    nwbfile = build_nwbfile(session)

    def write(temporary: Path) -> None:
        with NWBHDF5IO(str(temporary), "w") as io:
            io.write(nwbfile)

    return atomic_write(path, write)


def refuse_arm_in_blind(session: NwbSession) -> None:
    """Raise ValueError when a blind session carries a treatment, a substance or a dose in mg/kg."""
    if not session.blind:
        return
    if session.subject.treatment is not None or any(
        dose.substance is not None or dose.dose_mg_per_kg is not None for dose in session.doses
    ):
        raise ValueError("a blind NWB session must not carry a treatment, substance or mg/kg")


def build_nwbfile(session: NwbSession) -> NWBFile:
    """The in-memory NWB file of one session."""
    from pynwb import NWBFile
    from pynwb.image import ImageSeries

    nwbfile = NWBFile(
        session_description=session.description,
        identifier=session.identifier,
        session_start_time=session.start_time,
        session_id=session.session_id,
        experimenter=[session.experimenter] if session.experimenter else None,
        keywords=list(KEYWORDS),
        pharmacology=pharmacology_text(session.doses, session.tested_at) or None,
        notes="; ".join(f"{name}: {value}" for name, value in session.notes.items()) or None,
        source_script=session.software,
        source_script_file_name=session.software.split()[0],
        subject=_subject(session.subject, session.start_time),
    )
    camera = nwbfile.create_device(name="camera", description="The camera filming the forced-swim tank.")
    video = ImageSeries(
        name="video",
        description=f"The session's video, not copied; SHA-256 {session.video.sha256}.",
        external_file=[session.video.relative_path],
        format="external",
        starting_frame=[0],
        starting_time=0.0,
        rate=float(session.video.rate),
        num_samples=session.video.n_frames,
        device=camera,
    )
    nwbfile.add_acquisition(video)
    video_end_s = session.video.n_frames / session.video.rate
    nwbfile.add_epoch(
        start_time=session.test_start_s,
        stop_time=max(video_end_s, session.test_start_s),
        tags=["forced swim test"],
    )
    behavior = nwbfile.create_processing_module(
        name="behavior",
        description=f"Immobility scoring and pose tracks, exported by {session.software}.",
    )
    if session.scoring is not None:
        add_scoring(nwbfile, behavior, session.scoring)
    if session.doses:
        add_doses(behavior, session.doses, session)
    if session.pose is not None:
        add_pose(behavior, session.pose, session, camera, video)
    return nwbfile


def pharmacology_text(doses: Sequence[NwbDose], tested_at: datetime) -> str:
    """The doses in words, e.g. ``ip 10 mL/kg (0.25 mL) at 2026-01-01T09:05+01:00, 24.0 h before the test``.

    The substance and mg/kg lead each dose when they are known (never in a blind session).
    """
    lines = []
    for dose in doses:
        what = "" if dose.substance is None else f"{dose.substance}, "
        if dose.dose_mg_per_kg is not None:
            what += f"{dose.dose_mg_per_kg:g} mg/kg, "
        hours = (tested_at - dose.given_at).total_seconds() / 3600
        lines.append(
            f"{what}{dose.route} {dose.given_ml_per_kg:g} mL/kg ({dose.volume_ml:g} mL) "
            f"at {dose.given_at.isoformat()}, {hours:.1f} h before the test"
        )
    return "; ".join(lines)


def _subject(subject: NwbSubject, start: datetime) -> Subject:
    from pynwb.file import Subject

    description = (
        "Identified by its blind code; its treatment is withheld until the study is unmasked."
        if subject.treatment is None
        else f"Treatment: {subject.treatment}."
    )
    return Subject(
        subject_id=subject.subject_id,
        species=subject.species,
        strain=subject.strain,
        sex=subject.sex,
        date_of_birth=datetime.combine(subject.date_of_birth, time(), start.tzinfo),
        weight=None if subject.weight_g is None else f"{subject.weight_g / 1000:.6g} kg",
        description=description,
    )
