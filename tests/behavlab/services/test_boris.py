"""BORIS in and out: a rater's export stored as manual scores (all or none), the machine's bouts exported."""

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from behavlab.errors import InvalidInputError
from behavlab.services import Workspace, add_fst_session, score_study
from behavlab.services.boris_export import BorisExport, export_boris_project
from behavlab.services.boris_import import import_boris_scores
from behavlab.services.voiding import void_record
from tests.behavlab.floating_pair import WINDOW, film_floating_pair
from tests.behavlab.randomized_study import RandomizedStudy
from tests.tracking.evaluation.test_boris import aggregated, fst_length_video
from tracking.evaluation.boris import read_boris_project
from tracking.evaluation.labels import bouts_to_mask
from tracking.evaluation.scorings import read_output_folder
from tracking.synth.videos import write_fst_video


def _manual(workspace: Workspace) -> list[float]:
    with workspace.engine.connect() as connection:
        rows = connection.execute(text("SELECT immobility_s FROM immobilityscore WHERE method = 'manual'"))
        return sorted(row[0] for row in rows)


def _manual_rows(workspace: Workspace) -> list[tuple[float, int, float, str]]:
    """Each manual score's seconds, bouts, test start and its source."""
    with workspace.engine.connect() as connection:
        query = "SELECT immobility_s, n_bouts, test_start_s, start_source FROM immobilityscore"
        return [tuple(row) for row in connection.execute(text(f"{query} WHERE method = 'manual'"))]


def _stored(workspace: Workspace) -> list[tuple[str, float]]:
    """Each manual score's session video (by name) and seconds, in test order."""
    with workspace.engine.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT s.video_path, i.immobility_s FROM immobilityscore i JOIN fstsession s "
                "ON s.id = i.session_id WHERE i.method = 'manual' ORDER BY s.tested_at"
            )
        ).all()
    return [(Path(video).name, seconds) for video, seconds in stored]


def _session(workspace: Workspace, randomized: RandomizedStudy, video: Path) -> str:
    """The arm-0 animal's FST session filmed in ``video``, its test start entered at 1.5 s; its code."""
    code = randomized.code_in_arm(0)
    add_fst_session(workspace, randomized.name, code, video, start_s=1.5)
    return code


def test_a_boris_export_is_stored_as_the_seconds_its_bouts_hold_in_the_window(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _session(workspace, randomized, fst_length_video(tmp_path / "day1.mp4"))
    bouts = [(100.0, 125.0), (200.0, 250.5), (350.0, 370.0), (380.0, 390.0)]
    rows = [(code.lower(), "", "immobility", "STATE", start, stop) for start, stop in bouts]
    path = aggregated(tmp_path / "rater.tsv", rows, length=400.0)
    imported = import_boris_scores(workspace, randomized.name, path, "Rater One")
    window = (121.5, 361.5)
    expected = round(sum(max(0.0, min(stop, window[1]) - max(start, window[0])) for start, stop in bouts), 1)
    assert imported.scores == ((code, expected, 3),)
    assert _manual(workspace) == [expected]
    assert _manual_rows(workspace) == [(expected, 3, 1.5, "entered")]


def test_two_spellings_of_one_code_are_one_animal_and_refused(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _session(workspace, randomized, fst_length_video(tmp_path / "day1.mp4"))
    rows = [
        (code.lower(), "", "immobility", "STATE", 130.0, 140.0),
        (code, "", "immobility", "STATE", 150.0, 160.0),
    ]
    with pytest.raises(InvalidInputError) as refused:
        import_boris_scores(workspace, randomized.name, aggregated(tmp_path / "r.tsv", rows), "Rater One")
    assert f"'{code}' (rows 3); '{code.lower()}' (rows 2) are one animal, {code}" in str(refused.value)
    assert _manual(workspace) == []


def test_a_window_or_a_bout_past_the_sessions_video_is_refused(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _session(workspace, randomized, fst_length_video(tmp_path / "day1.mp4", duration_s=300.0))
    rows = [(code, "", "immobility", "STATE", 130.0, 140.0)]
    with pytest.raises(
        InvalidInputError, match=r"window ends at 361\.5 s of video day1\.mp4, which is 300\.0"
    ):
        import_boris_scores(workspace, randomized.name, aggregated(tmp_path / "r.tsv", rows), "Rater One")
    other = randomized.code_in_arm(1)
    add_fst_session(workspace, randomized.name, other, fst_length_video(tmp_path / "day2.mp4"), start_s=0.0)
    rows = [(other, "", "immobility", "STATE", 390.0, 410.0)]
    with pytest.raises(InvalidInputError, match=r"ends at 410 s, after the end of video day2\.mp4"):
        import_boris_scores(
            workspace, randomized.name, aggregated(tmp_path / "r2.tsv", rows, length=500.0), "Rater One"
        )
    assert _manual(workspace) == []


def test_nothing_is_stored_when_any_row_is_wrong_and_every_problem_is_listed(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _session(workspace, randomized, fst_length_video(tmp_path / "day1.mp4"))
    rows = [
        (code, "", "immobility", "STATE", 130.0, 140.0),
        ("ZZ99", "", "immobility", "STATE", 130.0, 140.0),
        (code, "", "immobility", "POINT", 150.0, 150.0),
    ]
    with pytest.raises(InvalidInputError) as refused:
        import_boris_scores(workspace, randomized.name, aggregated(tmp_path / "r.tsv", rows), "Rater One")
    message = str(refused.value)
    assert "nothing imported" in message and "2 problem(s)" in message
    assert "row 4" in message and "accepted: STATE" in message and "rows 3: 'ZZ99'" in message
    assert _manual(workspace) == []


def test_the_machine_bouts_export_reads_back_through_behavlab_and_carries_no_arm(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    codes, _ = film_floating_pair(workspace, randomized, tmp_path)
    score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=tmp_path / "scores")
    written = export_boris_project(workspace, randomized.name, tmp_path / "out", tmp_path / "scores")
    assert written.observations == tuple(sorted(f"{code}-fst1" for code in codes)) and written.missing == ()
    back = read_boris_project(written.path, "immobility")
    machine = {s.animal: s for s in read_output_folder(tmp_path / "scores")}
    assert all(machine[code].frames is not None and machine[code].frames.any() for code in codes)
    for code in codes:
        frames, times = machine[code].frames, machine[code].timestamps
        assert frames is not None and times is not None
        read = back[code].bouts if code in back else None
        bouts = read if read is not None else np.empty((0, 2))
        assert np.array_equal(bouts_to_mask(bouts, times), frames)
    content = written.path.read_text(encoding="utf-8")
    assert "M001" not in content and "day1" not in content
    assert not any(word in content.lower() for word in ("vehicle", "fluoxetine", "arm", "drug"))


def test_each_fst_session_of_an_animal_is_its_own_observation_of_one_subject(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    window = {"window_start_s": 0.0, "window_end_s": 4.0, "test_duration_s": 4.0}
    for day, window_end in ((1, 4.0), (2, 3.0)):
        video = tmp_path / f"day{day}.mp4"
        write_fst_video(video, duration_s=4.0, fps=15, size=(160, 120), n_tanks=1, seed=day)
        tested_at = randomized.weighed_at + timedelta(days=day)
        add_fst_session(workspace, randomized.name, code, video, start_s=0.0, tested_at=tested_at)
        score_study(workspace, randomized.name, jobs=1, overrides={**window, "window_end_s": window_end})
    written = export_boris_project(workspace, randomized.name, tmp_path / "out")
    assert written.observations == (f"{code}-fst1", f"{code}-fst2") and written.missing == ()
    project = json.loads(written.path.read_text(encoding="utf-8"))
    assert [subject["name"] for subject in project["subjects_conf"].values()] == [code]
    observations = project["observations"]
    assert {event[1] for obs in observations.values() for event in obs["events"]} <= {code}
    media = [obs["file"]["1"][0] for obs in observations.values()]
    assert len(set(media)) == 2 and all(Path(m).name.startswith(f"{code}-") for m in media)


def _two_sessions_scored(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> str:
    """The arm-0 animal tested on two days, each session its own 400-s video, scored in one run; its code."""
    code = randomized.code_in_arm(0)
    for day in (1, 2):
        video = tmp_path / f"day{day}.mp4"
        write_fst_video(video, duration_s=400.0, fps=2, size=(64, 48), n_tanks=1, seed=day)
        tested_at = randomized.weighed_at + timedelta(days=day)
        add_fst_session(workspace, randomized.name, code, video, start_s=0.0, tested_at=tested_at)
    assert score_study(workspace, randomized.name, jobs=1).scored == 2
    return code


def test_an_animals_two_sessions_go_out_to_boris_and_come_back_each_to_its_own_session(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _two_sessions_scored(workspace, randomized, tmp_path)
    written = export_boris_project(workspace, randomized.name, tmp_path / "out")
    assert written.observations == (f"{code}-fst1", f"{code}-fst2") and written.missing == ()
    project = json.loads(written.path.read_text(encoding="utf-8"))
    media = {key: Path(obs["file"]["1"][0]).resolve().name for key, obs in project["observations"].items()}
    assert media == {f"{code}-fst1": "day1.mp4", f"{code}-fst2": "day2.mp4"}
    rater = {f"{code}-fst1": (150.0, 200.0), f"{code}-fst2": (130.0, 140.0)}
    rows = [(key, code, "immobility", "STATE", start, stop) for key, (start, stop) in rater.items()]
    imported = import_boris_scores(
        workspace, randomized.name, aggregated(tmp_path / "rater.tsv", rows), "Rater One"
    )
    assert imported.scores == ((code, 50.0, 1), (code, 10.0, 1))
    assert _stored(workspace) == [("day1.mp4", 50.0), ("day2.mp4", 10.0)]


def test_observations_of_one_animal_that_do_not_name_its_sessions_are_refused(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _two_sessions_scored(workspace, randomized, tmp_path)
    rows = [
        ("pretest", code, "immobility", "STATE", 150.0, 200.0),
        ("test", code, "immobility", "STATE", 130.0, 140.0),
    ]
    with pytest.raises(InvalidInputError) as refused:
        import_boris_scores(workspace, randomized.name, aggregated(tmp_path / "r.tsv", rows), "Rater One")
    message = str(refused.value)
    assert (
        f"{code} is in observations 'pretest', 'test', which do not each name one of its FST sessions"
        in message
    )
    assert f"accepted: observations named {code}-fst1, {code}-fst2..." in message
    named = [
        (f"{code}-fst1", code, "immobility", "STATE", 150.0, 200.0),
        (f"{code}-fst3", code, "immobility", "STATE", 1.0, 2.0),
    ]
    with pytest.raises(InvalidInputError, match=f"'{code}-fst3' names FST session 3 of {code}, which has 2"):
        import_boris_scores(workspace, randomized.name, aggregated(tmp_path / "r2.tsv", named), "Rater One")
    assert _manual(workspace) == []


def _exported_media(written: BorisExport) -> dict[str, str]:
    """Each observation of the project written with its media: the scoring's code-named video link."""
    project = json.loads(written.path.read_text(encoding="utf-8"))
    return {key: observation["file"]["1"][0] for key, observation in project["observations"].items()}


def _void_session_of(workspace: Workspace, randomized: RandomizedStudy, video: str) -> None:
    """Void the FST session filmed in the video named ``video``."""
    with workspace.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, video_path FROM fstsession")).all()
    (session_id,) = [session_id for session_id, path in rows if Path(path).name == video]
    void_record(workspace, randomized.name, "session", session_id, "filmed the wrong tank")


def _rater(code: str, media: dict[str, str], path: Path, **bouts: tuple[float, float]) -> Path:
    """The rater's aggregated events: one bout per observation ``<code>-<key>`` with its exported media."""
    observations = {f"{code}-{key}": bout for key, bout in bouts.items()}
    rows = [(obs, code, "immobility", "STATE", start, stop) for obs, (start, stop) in observations.items()]
    return aggregated(path, rows, media={obs: media[obs] for obs in observations})


def test_a_session_voided_after_the_export_leaves_each_observation_on_its_own_videos_session(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _two_sessions_scored(workspace, randomized, tmp_path)
    media = _exported_media(export_boris_project(workspace, randomized.name, tmp_path / "out"))
    assert all(Path(link).name.startswith(f"{code}-") for link in media.values())
    _void_session_of(workspace, randomized, "day1.mp4")
    path = _rater(code, media, tmp_path / "rater.tsv", fst2=(130.0, 140.0))
    imported = import_boris_scores(workspace, randomized.name, path, "Rater One")
    assert imported.scores == ((code, 10.0, 1),)
    assert _stored(workspace) == [("day2.mp4", 10.0)]


def test_an_observation_of_a_session_voided_after_the_export_is_refused_and_nothing_stored(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _two_sessions_scored(workspace, randomized, tmp_path)
    media = _exported_media(export_boris_project(workspace, randomized.name, tmp_path / "out"))
    _void_session_of(workspace, randomized, "day1.mp4")
    path = _rater(code, media, tmp_path / "rater.tsv", fst1=(150.0, 200.0), fst2=(130.0, 140.0))
    with pytest.raises(InvalidInputError) as refused:
        import_boris_scores(workspace, randomized.name, path, "Rater One")
    message, exported = str(refused.value), Path(media[f"{code}-fst1"]).name
    assert "nothing imported from rater.tsv; 1 problem(s)" in message
    assert (
        f"{path}, rows 2, 3: {code!r}: observation '{code}-fst1': its media {exported} "
        f"is the video of no live FST session of {code}; the session may have been voided since the export; "
        "export again" in message
    )
    assert _stored(workspace) == []


def test_a_session_added_before_the_others_after_the_export_moves_no_observation(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _two_sessions_scored(workspace, randomized, tmp_path)
    media = _exported_media(export_boris_project(workspace, randomized.name, tmp_path / "out"))
    earlier = tmp_path / "day0.mp4"
    write_fst_video(earlier, duration_s=400.0, fps=2, size=(64, 48), n_tanks=1, seed=0)
    add_fst_session(workspace, randomized.name, code, earlier, start_s=0.0, tested_at=randomized.weighed_at)
    path = _rater(code, media, tmp_path / "rater.tsv", fst1=(150.0, 200.0), fst2=(130.0, 140.0))
    imported = import_boris_scores(workspace, randomized.name, path, "Rater One")
    assert imported.scores == ((code, 50.0, 1), (code, 10.0, 1))
    assert _stored(workspace) == [("day1.mp4", 50.0), ("day2.mp4", 10.0)]
    twice = _rater(code, media, tmp_path / "twice.tsv", fst1=(150.0, 200.0), fst2=(130.0, 140.0))
    twice.write_text(
        twice.read_text().replace(Path(media[f"{code}-fst1"]).name, Path(media[f"{code}-fst2"]).name)
    )
    with pytest.raises(
        InvalidInputError, match=f"'{code}-fst1' and '{code}-fst2' both name FST session 3 of"
    ):
        import_boris_scores(workspace, randomized.name, twice, "Rater One")


def test_a_link_named_by_the_first_hex_digits_of_the_videos_sha256_names_its_session(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _two_sessions_scored(workspace, randomized, tmp_path)
    with workspace.engine.connect() as connection:
        hashes = dict(connection.execute(text("SELECT video_path, video_sha256 FROM fstsession")).all())
    hexes = {Path(video).name: digest.rpartition(":")[2] for video, digest in hashes.items()}
    rows = [
        ("test", code, "immobility", "STATE", 130.0, 140.0),
        ("pretest", code, "immobility", "STATE", 150.0, 200.0),
    ]
    media = {
        "test": f"D:\\boris\\{code}-{hexes['day2.mp4'][:8]}.mp4",
        "pretest": f"{code}-{hexes['day1.mp4'][:8]}.mp4",
    }
    path = aggregated(tmp_path / "rater.tsv", rows, media=media)
    import_boris_scores(workspace, randomized.name, path, "Rater One")
    assert _stored(workspace) == [("day1.mp4", 50.0), ("day2.mp4", 10.0)]


def test_a_video_of_the_labs_own_naming_with_hex_like_digits_is_no_link(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = _session(workspace, randomized, fst_length_video(tmp_path / "day1.mp4"))
    rows = [(code, "", "immobility", "STATE", 150.0, 200.0)]
    path = aggregated(tmp_path / "rater.tsv", rows, length=400.0, media={code: f"{code}-20261201.mp4"})
    assert import_boris_scores(workspace, randomized.name, path, "Rater One").scores == ((code, 50.0, 1),)
