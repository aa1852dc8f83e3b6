"""The behavioral content of a session's NWB file: the scoring, its bouts, signal and the pose tracks.

Immobility bouts go in a ``TimeIntervals`` table (``intervals/immobility_bouts``): each bout has a start and
a stop, which is what ``TimeIntervals`` holds (ndx-events' ``EventsTable`` is meant for instants with an
optional duration, and is an extension, not core NWB). The per-frame signal is a ``TimeSeries`` inside a
``BehavioralTimeSeries`` of the ``behavior`` processing module, beside the one-row ``immobility_scoring``
table (method, every parameter as JSON, software version, stored results) and the ``doses`` table. Pose
tracks are an ndx-pose ``PoseEstimation`` with its ``Skeleton`` in the same module, as ndx-pose recommends.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from writing.nwb.records import NwbDose, NwbPose, NwbScoring, NwbSession

if TYPE_CHECKING:
    from hdmf.common import DynamicTable
    from pynwb import NWBFile, ProcessingModule
    from pynwb.device import Device
    from pynwb.epoch import TimeIntervals
    from pynwb.image import ImageSeries

#: Where pose coordinates are measured from.
PIXEL_FRAME = "pixels of the video frame; (0, 0) is its top-left corner, y grows downwards"


def add_scoring(nwbfile: NWBFile, behavior: ProcessingModule, scoring: NwbScoring) -> None:
    """Add the scoring's bouts, per-frame signal and its one-row parameter and result table.

    A scoring that found no bout has no bouts table.
    """
    from pynwb import TimeSeries
    from pynwb.behavior import BehavioralTimeSeries

    if scoring.bout_start_s.size:
        nwbfile.add_time_intervals(_bouts(scoring))
    signal = TimeSeries(
        name=f"{scoring.method}_signal",
        data=np.asarray(scoring.signal, dtype=np.float64),
        unit=scoring.signal_unit,
        description=scoring.signal_description,
        **sample_times(np.asarray(scoring.timestamps, dtype=np.float64)),
    )
    behavior.add(BehavioralTimeSeries(name="BehavioralTimeSeries", time_series=[signal]))
    described = (
        "The scoring's method, software version and results; its parameters are in scoring_parameters."
    )
    behavior.add(_one_row_table("immobility_scoring", described, _row(scoring)))
    behavior.add(_parameters_table(json.loads(scoring.parameters_json)))


def _bouts(scoring: NwbScoring) -> TimeIntervals:
    """The bouts table (at least one bout: NWB's inspector counts an empty table as a violation).

    Every bout found is a row, ``in_scored_window`` telling those that overlap the scored window.
    """
    from pynwb.epoch import TimeIntervals

    window_start, window_end = scoring.window_s
    bouts = TimeIntervals(
        name="immobility_bouts",
        description=f"Immobility bouts found by the {scoring.method} method, in s from the session start "
        f"(the video's first frame). The scored window is {window_start:g} to {window_end:g} s: the "
        "scoring's immobility is the bouts' parts inside it.",
    )
    bouts.add_column(name="method", description="The scoring method that found the bout.")
    bouts.add_column(
        name="in_scored_window",
        description=f"Whether the bout overlaps the scored window ({window_start:g} to {window_end:g} s).",
    )
    for start, stop in zip(scoring.bout_start_s.tolist(), scoring.bout_stop_s.tolist(), strict=True):
        inside = start < window_end and stop > window_start
        bouts.add_row(start_time=start, stop_time=stop, method=scoring.method, in_scored_window=inside)
    return bouts


def sample_times(timestamps: np.ndarray) -> dict[str, Any]:
    """A series' timing: its start and rate when its frames are evenly spaced, else every timestamp.

    Evenly means to the nanosecond, as NWB's inspector judges it.
    """
    steps = np.unique(np.diff(timestamps).round(decimals=9))
    if timestamps.size > 2 and steps.size == 1 and steps[0] > 0:
        return {"starting_time": float(timestamps[0]), "rate": float(1 / steps[0])}
    return {"timestamps": timestamps}


def _row(scoring: NwbScoring) -> dict[str, float | str]:
    values: dict[str, float | str] = {
        "method": scoring.method,
        "parameters_sha256": scoring.parameters_sha256,
        "software_version": scoring.software_version,
        "scored_at": scoring.scored_at.isoformat(),
    }
    for name, value in scoring.summary.items():
        values[name] = value if isinstance(value, str) else math.nan if value is None else float(value)
    return values


def add_doses(behavior: ProcessingModule, doses: Sequence[NwbDose], session: NwbSession) -> None:
    """The injections before the session (at least one), one row each (substance and mg/kg unless blind)."""
    from hdmf.common import DynamicTable

    table = DynamicTable(
        name="doses",
        description="Injections before the test: time, volume given (mL, mL/kg), planned mL/kg, route"
        + ("." if session.blind else ", substance and mg/kg."),
    )
    rows = [dose_row(dose, session) for dose in doses]
    for name in rows[0]:
        table.add_column(name=name, description=DOSE_COLUMNS[name])
    for row in rows:
        table.add_row(**row)
    behavior.add(table)


#: The doses table's columns, described.
DOSE_COLUMNS = {
    "given_at": "When the dose was given (ISO 8601, with its time zone).",
    "seconds_before_test": "Seconds from the dose to the test start.",
    "volume_ml": "Volume injected, mL.",
    "given_ml_per_kg": "Volume injected per kg of body weight, mL/kg.",
    "planned_ml_per_kg": "The study's planned volume per kg, mL/kg.",
    "route": "Route of administration.",
    "substance": "Substance given.",
    "dose_mg_per_kg": "Dose, mg/kg.",
}


def dose_row(dose: NwbDose, session: NwbSession) -> dict[str, float | str]:
    """One dose as a table row; the substance and mg/kg only when the session is not blind."""
    row: dict[str, float | str] = {
        "given_at": dose.given_at.isoformat(),
        "seconds_before_test": (session.tested_at - dose.given_at).total_seconds(),
        "volume_ml": dose.volume_ml,
        "given_ml_per_kg": dose.given_ml_per_kg,
        "planned_ml_per_kg": dose.planned_ml_per_kg,
        "route": dose.route,
    }
    if not session.blind:
        row["substance"] = dose.substance or ""
        row["dose_mg_per_kg"] = math.nan if dose.dose_mg_per_kg is None else dose.dose_mg_per_kg
    return row


def add_pose(
    behavior: ProcessingModule, pose: NwbPose, session: NwbSession, camera: Device, video: ImageSeries
) -> None:
    """The pose tracks as an ndx-pose ``PoseEstimation``, one series per body part, with its skeleton."""
    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons

    skeleton = Skeleton(name="skeleton", nodes=list(pose.bodyparts))
    series = [
        PoseEstimationSeries(
            name=part,
            description=f"Position of the {part} tracked by {pose.source_software}.",
            data=np.column_stack([pose.x[:, k], pose.y[:, k]]),
            unit="pixels",
            reference_frame=PIXEL_FRAME,
            confidence=np.asarray(pose.likelihood[:, k], dtype=np.float64),
            confidence_definition=f"{pose.source_software} likelihood.",
            starting_time=0.0,
            rate=float(pose.rate),
        )
        for k, part in enumerate(pose.bodyparts)
    ]
    behavior.add(Skeletons(skeletons=[skeleton]))
    behavior.add(
        PoseEstimation(
            name="PoseEstimation",
            pose_estimation_series=series,
            description=f"Pose of {session.subject.subject_id} tracked by {pose.source_software}.",
            source_video=video,
            scorer=pose.scorer,
            source_software=pose.source_software,
            skeleton=skeleton,
            device=camera,
        )
    )


def _parameters_table(parameters: Mapping[str, Any]) -> DynamicTable:
    """Every scoring parameter, one row each: its dotted name and its value as JSON text.

    One row per parameter rather than the whole set as JSON in one cell: NWB's inspector counts a dictionary
    in a table cell as a violation.
    """
    from hdmf.common import DynamicTable

    table = DynamicTable(name="scoring_parameters", description="Every parameter of the scoring, by name.")
    table.add_column(name="parameter", description="The parameter's dotted name (its group, then its own).")
    table.add_column(name="value", description="Its value as JSON text.")
    for name, value in flat_parameters(parameters):
        table.add_row(parameter=name, value=value)
    return table


def flat_parameters(parameters: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Nested parameters as (dotted name, JSON value) pairs, in order."""
    pairs: list[tuple[str, str]] = []
    for key, value in parameters.items():
        if isinstance(value, Mapping):
            pairs += flat_parameters(value, f"{prefix}{key}.")
        else:
            pairs.append((f"{prefix}{key}", json.dumps(value, sort_keys=True)))
    return pairs


def _one_row_table(name: str, description: str, row: Mapping[str, float | str]) -> DynamicTable:
    from hdmf.common import DynamicTable

    table = DynamicTable(name=name, description=description)
    for column in row:
        table.add_column(name=column, description=column.replace("_", " "))
    table.add_row(**row)
    return table
