"""Scoring a study: results stored per session, files named by code, idempotent, never overwritten, kept
with the database they belong to."""

import re
from pathlib import Path

import platformdirs
import pytest
from sqlalchemy import create_engine, text

from behavlab.errors import ConflictError
from behavlab.services import (
    Workspace,
    build_report_data,
    list_fst_sessions,
    record_manual_score,
    score_study,
    unmask_study,
    write_study_report,
)
from behavlab.services.workspace import safe_folder_name
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tests.behavlab.randomized_study import two_animals_in_one_video as film_two_animals


@pytest.fixture
def two_animals_in_one_video(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> tuple[RandomizedStudy, list[str], Path]:
    codes, video = film_two_animals(workspace, randomized, tmp_path)
    return randomized, codes, video


def _scores(workspace: Workspace) -> list[tuple[int, str, float]]:
    with workspace.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT session_id, parameters_sha256, immobility_s FROM immobilityscore")
        )
        return [tuple(row) for row in rows]


def test_a_study_is_scored_once_per_parameter_set_and_files_carry_codes_only(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, codes, _ = two_animals_in_one_video
    window = {"window_start_s": 0.0, "window_end_s": 60.0, "test_duration_s": 60.0}
    first = score_study(workspace, study.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    assert (first.scored, first.already_scored, first.failures) == (2, 0, [])
    assert {v.code: v.scored_methods for v in list_fst_sessions(workspace, study.name)} == {
        code: ["motion"] for code in codes
    }
    stored = _scores(workspace)
    assert len(stored) == 2 and all(seconds is not None for _, _, seconds in stored)
    names = [path.name for path in (tmp_path / "scores").rglob("*") if path.is_file() or path.is_symlink()]
    assert names and all(name.startswith("-".join(sorted(codes))) or name.endswith(".csv") for name in names)
    assert not any("M001" in name or "day1" in name for name in names)
    (link,) = {name for name in names if name.endswith(".mp4")}
    assert re.fullmatch(f"{'-'.join(sorted(codes))}-[0-9a-f]{{8}}[.]mp4", link), link

    again = score_study(workspace, study.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    assert (again.scored, again.already_scored) == (0, 2)
    assert len(_scores(workspace)) == 2

    stricter = score_study(workspace, study.name, jobs=1, overrides={**window, "min_bout_s": 2.0})
    assert stricter.scored == 2 and stricter.parameters_sha256 != first.parameters_sha256
    assert len(_scores(workspace)) == 4 and set(stored) <= set(_scores(workspace))


def test_a_changed_video_fails_that_session_alone(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, codes, video = two_animals_in_one_video
    with video.open("ab") as handle:
        handle.write(b"edited")
    result = score_study(workspace, study.name, jobs=1, out_dir=tmp_path / "scores")
    assert result.scored == 0
    assert sorted(code for code, _ in result.failures) == sorted(codes)
    assert all("changed since the session was recorded" in reason for _, reason in result.failures)


def test_an_unmasked_study_is_refused_before_any_video_is_decoded(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, _, _ = two_animals_in_one_video
    unmask_study(workspace, study.name, PASSPHRASE, force_reason="no scores yet")
    with pytest.raises(ConflictError, match="unmasked and locked; cannot score sessions"):
        score_study(workspace, study.name, jobs=1, out_dir=tmp_path / "late")
    assert not (tmp_path / "late").exists() and _scores(workspace) == []


def test_a_study_scoring_goes_beside_its_database_and_names_the_earlier_shared_folder(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, _, _ = two_animals_in_one_video
    earlier = platformdirs.user_data_path("behavlab") / "scoring" / study.name
    (earlier / "motion-0123456789ab").mkdir(parents=True)
    window = {"window_start_s": 0.0, "window_end_s": 60.0, "test_duration_s": 60.0}
    result = score_study(workspace, study.name, jobs=1, overrides=window)
    url = workspace.engine.url
    if url.get_backend_name() == "sqlite":
        expected = tmp_path / "behavlab.scoring" / study.name
    else:
        server = f"{url.host}-{url.port}_{url.database}"
        expected = platformdirs.user_data_path("behavlab", appauthor=False) / "scoring" / server / study.name
    assert result.out_dir.parent == expected and (result.out_dir / "results.csv").is_file()
    assert result.earlier_folder == earlier and result.earlier_note is not None
    assert str(earlier) in result.earlier_note


def test_no_earlier_folder_is_named_when_it_holds_no_scoring(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, _, _ = two_animals_in_one_video
    (platformdirs.user_data_path("behavlab") / "scoring" / study.name / "notes").mkdir(parents=True)
    result = score_study(workspace, study.name, jobs=1, out_dir=tmp_path / "scores")
    assert result.earlier_folder is None and result.earlier_note is None


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("sqlite:///lab/mice.db", Path("lab/mice.scoring").absolute()),
        ("postgresql+psycopg://ana:secret@db.lab:5433/behav", Path("scoring/db.lab-5433_behav")),
        ("postgresql+psycopg://ana@db.lab/behav", Path("scoring/db.lab_behav")),
        ("sqlite://", Path("scoring/sqlite_memory")),
    ],
)
def test_each_database_has_its_own_scoring_folder(url: str, folder: Path) -> None:
    engine = create_engine(url)
    found = Workspace(engine=engine, actor="tester", location=url).files_folder("scoring")
    engine.dispose()
    assert found == platformdirs.user_data_path("behavlab", appauthor=False) / folder
    assert "secret" not in str(found)


def test_a_study_name_that_is_not_one_plain_folder_name_is_made_one() -> None:
    assert safe_folder_name("walk-ket_2.1") == "walk-ket_2.1"
    made = [safe_folder_name(name) for name in ("../up", "a/b", "a:b", "..", "")]
    assert all("/" not in name and ":" not in name and not name.startswith(".") for name in made)
    assert len(set(made)) == len(made)


def test_the_report_says_under_agreement_why_machine_manual_agreement_is_missing_below_three_animals(
    workspace: Workspace, two_animals_in_one_video: tuple[RandomizedStudy, list[str], Path], tmp_path: Path
) -> None:
    study, codes, _ = two_animals_in_one_video
    window = {"window_start_s": 0.0, "window_end_s": 60.0, "test_duration_s": 60.0}
    score_study(workspace, study.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    record_manual_score(workspace, study.name, codes[0], 30.0, "ana")
    note = (
        "Agreement of motion with manual immobility scoring is not shown: it needs at least 3 animals "
        "scored by both; animals scored by both: 1."
    )
    data = build_report_data(workspace, study.name)
    assert data.agreement == () and data.agreement_notes == (note,)
    record_manual_score(workspace, study.name, codes[1], 12.0, "ana")
    written = write_study_report(workspace, study.name, tmp_path / "report")
    assert written.notes == (note.replace("both: 1", "both: 2"),)
    markdown = written.files.markdown.read_text()
    procedures = markdown.split("## 9. Experimental procedures")[1].split("## 10.")[0]
    under_agreement = markdown.split("### Agreement between scoring methods")[1]
    assert written.notes[0] not in procedures and written.notes[0] in under_agreement


def test_two_sessions_of_one_animal_are_each_scored_from_their_own_video(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    from datetime import timedelta

    from behavlab.services import add_fst_session
    from tracking.synth.videos import write_fst_video

    code = randomized.code_in_arm(0)
    floating = {"pretest": [(1.0, 19.0)], "test": [(2.0, 4.0)]}
    for day, (name, bouts) in enumerate(floating.items(), start=1):
        video = tmp_path / f"{name}.mp4"
        write_fst_video(video, duration_s=20.0, fps=15, size=(160, 120), n_tanks=1, seed=day, bouts=[bouts])
        tested_at = randomized.weighed_at + timedelta(days=day)
        add_fst_session(workspace, randomized.name, code, video, start_s=0.0, tested_at=tested_at)
    window = {"window_start_s": 0.0, "window_end_s": 20.0, "test_duration_s": 20.0}
    scored = score_study(workspace, randomized.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    assert (scored.scored, scored.failures) == (2, [])
    with workspace.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT s.video_path, i.immobility_s FROM immobilityscore i "
                "JOIN fstsession s ON s.id = i.session_id ORDER BY s.tested_at"
            )
        ).all()
    assert [Path(video).stem for video, _ in rows] == ["pretest", "test"]
    (_, pretest), (_, test) = rows
    assert pretest > 12.0 and test < 6.0
    links = sorted((tmp_path / "scores" / "videos").iterdir())
    assert len(links) == 2 and all(link.name.startswith(f"{code}-") for link in links)
    assert {link.resolve().stem for link in links} == {"pretest", "test"}
