"""BORIS files: an aggregated-events export checked whole, a project written and read back."""

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tracking.evaluation.boris import (
    BorisObservation,
    boris_project,
    read_aggregated_events,
    read_boris_project,
    write_boris_project,
)
from tracking.evaluation.labels import LabelFileError
from tracking.synth.videos import write_fst_video

#: The columns of BORIS 8.27's "aggregated events" export (``boris/export_events.py``), tab-separated.
HEADER = "\t".join(
    [
        "Observation id", "Observation date", "Description", "Observation type", "Source", "Time offset (s)",
        "Coding duration", "Media duration (s)", "FPS (frame/s)", "Subject",
        "Observation duration by subject by observation", "Behavior", "Behavioral category", "Behavior type",
        "Start (s)", "Stop (s)", "Duration (s)", "Media file name", "Image index start", "Image index stop",
        "Image file path start", "Image file path stop", "Comment start", "Comment stop",
    ]
)  # fmt: skip


def aggregated(
    path: Path,
    rows: list[tuple[str, str, str, str, float, float]],
    length: float = 400.0,
    offset: float = 0.0,
    source: str | None = None,
    media: Mapping[str, str] | None = None,
) -> Path:
    """An aggregated-events TSV as BORIS writes it: (observation id, subject, behavior, type, start, stop).

    Times are observation times (media time plus ``offset``); each observation's media file is
    ``/videos/<observation id>.mp4`` unless ``media`` gives its path; ``source`` replaces each row's Source.
    """
    files = {obs: (media or {}).get(obs, f"/videos/{obs}.mp4") for obs, *_ in rows}
    lines = [HEADER] + [
        "\t".join(
            [
                obs,
                "2026-12-02 05:14:08+00:00",
                "",
                "Media file",
                source or f"player #1:{files[obs]}",
                f"{offset:g}",
                f"{length:.3f}",
                f"{length:.3f}",
                "15.000",
                subject,
                f"{length:.3f}",
                behavior,
                "Not defined",
                kind,
                f"{start:.3f}",
                f"{stop:.3f}",
                f"{stop - start:.3f}",
                files[obs],
                "NA",
                "NA",
                "",
                "",
                "",
                "",
            ]
        )
        for obs, subject, behavior, kind, start, stop in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fst_length_video(path: Path, duration_s: float = 400.0) -> Path:
    """A tiny video (64x48 at 2 fps) long enough to hold a 6-minute test's window from a start near 0."""
    write_fst_video(path, duration_s=duration_s, fps=2, size=(64, 48), n_tanks=1, seed=3)
    return path


def test_bouts_are_read_by_subject_else_observation_id(tmp_path: Path) -> None:
    path = aggregated(
        tmp_path / "agg.tsv",
        [
            ("A01", "", "immobility", "STATE", 200.0, 210.5),
            ("A01", "", "immobility", "STATE", 130.0, 140.0),
            ("video1", "B02", "immobility", "STATE", 150.0, 151.0),
            ("A01", "", "swimming", "STATE", 0.0, 130.0),
        ],
    )
    events = read_aggregated_events(path, "immobility")
    assert events.problems == []
    assert events.bouts["A01"].tolist() == [[130.0, 140.0], [200.0, 210.5]]
    assert events.rows == {"A01": [3, 2], "B02": [4]}
    assert events.bouts["B02"].tolist() == [[150.0, 151.0]]


def test_each_keys_media_file_is_given_by_its_base_name(tmp_path: Path) -> None:
    rows = [
        ("day1", "A01", "immobility", "STATE", 110.0, 120.0),
        ("day2", "A01", "immobility", "STATE", 130.0, 140.0),
        ("B02", "", "immobility", "STATE", 150.0, 160.0),
    ]
    media = {"day1": "/scores/videos/A01-0badcafe.mp4", "day2": r"C:\scores\videos\A01-b3d2c1a0.avi"}
    events = read_aggregated_events(aggregated(tmp_path / "agg.tsv", rows, media=media), "immobility")
    assert events.problems == []
    assert events.media == {"day1/A01": "A01-0badcafe.mp4", "day2/A01": "A01-b3d2c1a0.avi", "B02": "B02.mp4"}
    older = tmp_path / "older.csv"  # no "Media file name": the path in Source, less its player
    older.write_text(
        "Observation id,Source,Behavior,Start (s),Stop (s)\n"
        "A01,player #1:/scores/videos/A01-0badcafe.mp4,immobility,1,2\n"
        "B02,,immobility,1,2\n",
        encoding="utf-8",
    )
    assert read_aggregated_events(older, "immobility").media == {"A01": "A01-0badcafe.mp4"}
    named = tmp_path / "named.csv"
    named.write_text(
        "Observation id,Media file,Behavior,Start (s),Stop (s)\nA01,/v/A01-0badcafe.mp4,immobility,1,2\n",
        encoding="utf-8",
    )
    assert read_aggregated_events(named, "immobility").media == {"A01": "A01-0badcafe.mp4"}


def test_every_problem_is_listed_with_its_row(tmp_path: Path) -> None:
    path = aggregated(
        tmp_path / "agg.tsv",
        [
            ("A01", "", "immobility", "POINT", 10.0, 10.0),
            ("A01", "", "immobility", "STATE", 100.0, 120.0),
            ("A01", "", "immobility", "STATE", 110.0, 130.0),
            ("A01", "", "immobility", "STATE", 390.0, 410.0),
            ("A02", "", "immobility", "STATE", 50.0, 40.0),
        ],
    )
    problems = [str(p) for p in read_aggregated_events(path, "immobility").problems]
    assert len(problems) == 4
    assert "row 2" in problems[0] and "accepted: STATE" in problems[0]
    assert any("row 6" in p and "the stop after it" in p for p in problems)
    assert any("row 4" in p and "overlaps the bout of row 3" in p for p in problems)
    assert any("row 5" in p and "after the video's end (400 s)" in p for p in problems)


def test_missing_columns_and_an_unknown_behavior_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    missing.write_text("Observation id,Behavior,Start (s)\nA01,immobility,1\n", encoding="utf-8")
    (problem,) = read_aggregated_events(missing, "immobility").problems
    assert "no bout stop (seconds) column" in str(problem) and "stop (s)" in str(problem)
    other = aggregated(tmp_path / "agg.tsv", [("A01", "", "floating", "STATE", 1.0, 2.0)])
    (problem,) = read_aggregated_events(other, "immobility").problems
    assert "behaviors in the file: floating" in str(problem)


def test_times_are_media_times_less_the_observation_time_offset(tmp_path: Path) -> None:
    rows = [
        ("A01", "", "immobility", "STATE", 110.0, 120.0),
        ("A01", "", "immobility", "STATE", 395.0, 405.0),
    ]
    events = read_aggregated_events(aggregated(tmp_path / "agg.tsv", rows, offset=10.0), "immobility")
    assert events.problems == []
    assert events.bouts["A01"].tolist() == [[100.0, 110.0], [385.0, 395.0]]


def test_an_observation_of_several_media_files_is_refused_by_row(tmp_path: Path) -> None:
    rows = [("A01", "", "immobility", "STATE", 110.0, 120.0)]
    path = aggregated(tmp_path / "agg.tsv", rows, source="player #1:/videos/a.mp4;/videos/b.mp4")
    events = read_aggregated_events(path, "immobility")
    (problem,) = events.problems
    assert problem.row == 2 and "'A01' has more than one media file" in str(problem)
    assert events.bouts == {}


def test_a_subject_in_two_observations_is_keyed_by_each_observation(tmp_path: Path) -> None:
    rows = [
        ("day1", "A01", "immobility", "STATE", 110.0, 120.0),
        ("day2", "A01", "immobility", "STATE", 130.0, 140.0),
        ("day2", "B02", "immobility", "STATE", 150.0, 160.0),
    ]
    events = read_aggregated_events(aggregated(tmp_path / "agg.tsv", rows), "immobility")
    assert events.problems == []
    assert {key: bouts.tolist() for key, bouts in events.bouts.items()} == {
        "day1/A01": [[110.0, 120.0]],
        "day2/A01": [[130.0, 140.0]],
        "B02": [[150.0, 160.0]],
    }
    assert events.animals == {"day1/A01": "A01", "day2/A01": "A01", "B02": "B02"}
    assert events.observations == {"day1/A01": "day1", "day2/A01": "day2", "B02": "day2"}


def test_a_project_gives_media_times_keeps_sessions_apart_and_refuses_multi_video_observations(
    tmp_path: Path,
) -> None:
    one = BorisObservation("A01", "a.mp4", np.array([[11.0, 12.0]]))
    project = boris_project([one], behavior="immobility", name="s")
    project["observations"]["A01"]["time offset"] = 10.0
    read = read_boris_project(write_boris_project(tmp_path / "o.boris", project), "immobility")["A01"].bouts
    assert read is not None and read.tolist() == [[1.0, 2.0]]
    project["observations"]["A01"]["file"]["1"].append("b.mp4")
    with pytest.raises(LabelFileError, match="'A01' has more than one media file"):
        read_boris_project(write_boris_project(tmp_path / "m.boris", project), "immobility")
    project = boris_project([one, replace(one, key="day2")], behavior="immobility", name="s")
    for event in project["observations"]["day2"]["events"]:
        event[1] = "A01"
    both = read_boris_project(write_boris_project(tmp_path / "k.boris", project), "immobility")
    assert sorted(both) == ["A01/A01", "day2/A01"]
    assert {labels.video for labels in both.values()} == {"A01", "day2"}
    assert {labels.animal for labels in both.values()} == {"A01"}


def test_a_project_written_reads_back_to_its_bouts(tmp_path: Path) -> None:
    bouts = {"A01": np.array([[12.5, 20.0], [30.04, 31.5]]), "B02": np.empty((0, 2))}
    observations = [
        BorisObservation(code, f"/scores/videos/{code}.mp4", b, fps=15.0, length_s=60.0)
        for code, b in bouts.items()
    ]
    path = write_boris_project(
        tmp_path / "s.boris", boris_project(observations, behavior="immobility", name="s")
    )
    back = read_boris_project(path, "immobility")
    assert set(back) == {"A01"} and back["A01"].animal == "A01"
    read = back["A01"].bouts
    assert read is not None and np.array_equal(read, bouts["A01"])


def test_an_open_state_is_refused(tmp_path: Path) -> None:
    project = boris_project(
        [BorisObservation("A01", "a.mp4", np.array([[1.0, 2.0]]))], behavior="immobility", name="s"
    )
    project["observations"]["A01"]["events"].pop()
    path = write_boris_project(tmp_path / "s.boris", project)
    with pytest.raises(LabelFileError, match="started and never stopped"):
        read_boris_project(path, "immobility")


#: Loads BORIS's project code without ``boris/__init__.py`` (it imports the Qt GUI and QtMultimedia, which
#: needs libpulse) and with its libmpv binding stubbed (``boris.utilities`` loads libmpv at import); then
#: opens the project with BORIS's own reader, checks its state events and exports its aggregated events.
_BORIS_SCRIPT = """
import json, sys, types, pathlib, importlib.util
root = pathlib.Path(importlib.util.find_spec("boris").submodule_search_locations[0])
package = types.ModuleType("boris"); package.__path__ = [str(root)]; sys.modules["boris"] = package
mpv = types.ModuleType("boris.mpv2"); mpv.dll = "libmpv.so"; mpv.MPV = object; sys.modules["boris.mpv2"] = mpv
from boris import config as cfg, export_observation, project_functions
_, _, project, _ = project_functions.open_project_json(sys.argv[1])
out = {"error": project.get("error"), "bouts": {}}
for obs_id, observation in project[cfg.OBSERVATIONS].items():
    ok, _ = project_functions.check_state_events_obs(obs_id, project[cfg.ETHOGRAM], observation, cfg.S)
    assert ok, obs_id
    parameters = {"time": cfg.TIME_FULL_OBS, cfg.SELECTED_SUBJECTS: [obs_id],
                  cfg.SELECTED_BEHAVIORS: ["immobility"], "exclude behaviors": False}
    rows, _ = export_observation.export_aggregated_events(project, parameters, obs_id)
    out["bouts"][obs_id] = [[float(row[14]), float(row[15])] for row in rows]
print(json.dumps(out))
"""


@pytest.mark.skipif(
    not os.environ.get("BEHAVLAB_BORIS_PYTHON"),
    reason="BEHAVLAB_BORIS_PYTHON: an interpreter with boris-behav-obs (PyQt5) installed",
)
def test_borises_own_code_reads_the_project_back(tmp_path: Path) -> None:
    bouts = np.array([[12.5, 20.0], [30.04, 31.5]])
    observation = BorisObservation("A01", "/videos/A01.mp4", bouts, fps=15.0, length_s=60.0)
    path = write_boris_project(
        tmp_path / "s.boris", boris_project([observation], behavior="immobility", name="s")
    )
    run = subprocess.run(
        [os.environ["BEHAVLAB_BORIS_PYTHON"], "-c", _BORIS_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    read = json.loads(run.stdout.strip().splitlines()[-1])
    assert read["error"] is None and read["bouts"] == {"A01": bouts.tolist()}
