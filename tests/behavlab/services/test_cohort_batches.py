"""Cohorts and a non-randomized factor: roster columns, a sealed allocation per cohort, unmasked together."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from behavlab.db.session import reading
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import Animal, Randomization, SealedKey
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_cohort,
    commit_randomization,
    create_study,
    dosing_sheet,
    draft_randomization,
    import_roster,
    list_animals,
    list_cohorts,
    list_events,
    parse_arms,
    unmask_study,
    write_study_report,
)
from behavlab.services.reporting import build_report_data
from cohorts.commitment import verify_commitment
from tests.behavlab.factories import write_csv
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE
from tests.behavlab.stress_study import create_stress_study, stress_rows


def randomize_cohort(workspace: Workspace, cohort: str, method: str = "stratified-block") -> dict[str, str]:
    options = RandomizationOptions(method=method, no_protocol=True, cohort=cohort)
    draft = draft_randomization(workspace, "stress", options)
    return dict(commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes)


def test_the_roster_gives_each_animal_its_level_and_cohort(workspace: Workspace, tmp_path: Path) -> None:
    create_stress_study(workspace, tmp_path)
    with reading(workspace.engine) as session:
        animals = session.exec(select(Animal)).all()
        assert Counter(animal.factor_level for animal in animals) == {"CUS": 16, "control": 16}
    cohorts = list_cohorts(workspace, "stress")
    assert [(c.name, c.starts_on, c.n_animals, c.randomized) for c in cohorts] == [
        ("wave 1", date(2026, 1, 5), 16, False),
        ("wave 2", date(2026, 1, 26), 16, False),
    ]


def test_roster_faults_in_the_new_columns_are_all_listed(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="stress", factor_name="stress"))
    add_cohort(workspace, "stress", "wave 1")
    rows = stress_rows(n_cages=2, cohorts=("wave 1",))
    rows[0]["cohort"] = "wave 9"
    rows[1]["stress"] = ""
    with pytest.raises(InvalidInputError) as refused:
        import_roster(workspace, "stress", write_csv(tmp_path / "roster.csv", rows))
    assert str(refused.value).splitlines() == [
        "roster roster.csv refused, nothing was recorded (2 problems):",
        f"  {tmp_path / 'roster.csv'}, row 2, cohort: 'wave 9' is not a known value; accepted: one of the "
        "study's cohorts: wave 1, any case",
        f"  {tmp_path / 'roster.csv'}, row 3, stress: '' is empty; accepted: a value (this field is "
        "required)",
    ]


def test_two_cohorts_are_each_sealed_with_their_own_commitment_and_unmasked_together(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_stress_study(workspace, tmp_path)
    with pytest.raises(
        InvalidInputError, match=r"runs in cohorts; .* --cohort NAME \(cohorts: wave 1, wave 2\)"
    ):
        draft_randomization(workspace, "stress", RandomizationOptions(no_protocol=True))
    first = randomize_cohort(workspace, "wave 1")
    with pytest.raises(ConflictError, match="cohort 'wave 1' of study 'stress' is already randomized"):
        randomize_cohort(workspace, "wave 1")
    with pytest.raises(NotFoundError, match="no cohort 'wave 3'; cohorts: wave 1, wave 2"):
        randomize_cohort(workspace, "wave 3")
    second = randomize_cohort(workspace, "wave 2", method="minimization")
    assert len(first) == len(second) == 16 and not set(first.values()) & set(second.values())
    with reading(workspace.engine) as session:
        records = session.exec(select(Randomization).order_by(Randomization.sequence)).all()
        keys = session.exec(select(SealedKey)).all()
    assert [(r.sequence, r.cohort_id, r.n_animals) for r in records] == [(1, 1, 16), (2, 2, 16)]
    assert [r.strata for r in records] == ["sex,stress", "sex,weight tertile,stress"]
    assert len({key.commitment for key in keys}) == 2
    events = [e for e in list_events(workspace, "stress") if e.action == "study.randomize"]
    assert [json.loads(e.payload)["cohort"] for e in events] == ["wave 1", "wave 2"]
    unmasked = unmask_study(workspace, "stress", PASSPHRASE, force_reason="no FST in this test")
    assert len(unmasked.arms_by_code) == 32
    (event,) = [e for e in list_events(workspace, "stress") if e.action == "study.unmask"]
    openings = json.loads(event.payload)["commitment_openings"]
    published = [json.loads(e.payload)["commitment"] for e in events]
    assert [opening["commitment"] for opening in openings] == published
    for opening in openings:
        verify_commitment(
            json.loads(opening["allocation"]), bytes.fromhex(opening["salt"]), opening["commitment"]
        )
    assert [c.randomized for c in list_cohorts(workspace, "stress")] == [True, True]


def test_animals_outside_every_cohort_are_refused_naming_them(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="stress", factor_name="stress"))
    add_cohort(workspace, "stress", "wave 1")
    rows = stress_rows(n_cages=2, cohorts=("wave 1",))
    rows[-1]["cohort"] = ""
    import_roster(workspace, "stress", write_csv(tmp_path / "roster.csv", rows))
    with pytest.raises(ConflictError, match=r"animals S013 are in none; give each a cohort"):
        randomize_cohort(workspace, "wave 1")


def test_a_study_randomized_whole_takes_no_cohort_and_names_are_unique(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="stress", factor_name="stress"))
    import_roster(workspace, "stress", write_csv(tmp_path / "roster.csv", stress_rows(cohorts=())))
    draft = draft_randomization(
        workspace, "stress", RandomizationOptions(method="cage-cluster", no_protocol=True)
    )
    assert draft.allocation.strata == ("sex", "stress")
    commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    with pytest.raises(ConflictError, match="randomized as a whole, without cohorts"):
        add_cohort(workspace, "stress", "wave 1")
    create_study(workspace, StudySettings(name="other"))
    add_cohort(workspace, "other", "Wave 1")
    with pytest.raises(ConflictError, match="already has a cohort 'Wave 1'"):
        add_cohort(workspace, "other", "wave 1")


def test_a_factor_name_that_cannot_head_a_roster_column_is_refused(workspace: Workspace) -> None:
    with pytest.raises(InvalidInputError, match="--factor: factor name 'sex' not accepted"):
        create_study(workspace, StudySettings(name="stress", factor_name="sex"))


@pytest.mark.parametrize("method", ["complete", "block", "stratified-block", "cage-cluster", "minimization"])
def test_every_method_stratifies_a_four_arm_study_on_its_factor(
    workspace: Workspace, tmp_path: Path, method: str
) -> None:
    arms = parse_arms(["vehicle:saline:0", "low:ketamine:3", "mid:ketamine:10", "high:ketamine:30"])
    create_study(workspace, StudySettings(name="stress", factor_name="stress", arms=arms))
    import_roster(
        workspace, "stress", write_csv(tmp_path / "roster.csv", stress_rows(n_cages=16, cohorts=()))
    )
    draft = draft_randomization(workspace, "stress", RandomizationOptions(method=method, no_protocol=True))
    assert len(draft.arms) == 4
    commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
    (event,) = [e for e in list_events(workspace, "stress") if e.action == "study.randomize"]
    record = json.loads(event.payload)
    assert record["factor"] == "stress"
    assert ("stress" in record["strata"]) == (method != "complete")


def test_a_later_cohort_joins_after_the_first_is_randomized(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="stress", factor_name="stress"))
    add_cohort(workspace, "stress", "wave 1")
    rows = stress_rows()
    first, second = rows[:16], rows[16:]
    import_roster(workspace, "stress", write_csv(tmp_path / "wave1.csv", first))
    randomize_cohort(workspace, "wave 1")
    add_cohort(workspace, "stress", "wave 2")
    late = [{**first[0], "animal_id": "LATE1"}]
    with pytest.raises(ConflictError, match=r"animals LATE1 must join a cohort not yet randomized"):
        import_roster(workspace, "stress", write_csv(tmp_path / "late.csv", late))
    import_roster(workspace, "stress", write_csv(tmp_path / "wave2.csv", second))
    listed = list_animals(workspace, "stress")
    assert sum(animal.blind_code is None for animal in listed) == 16
    assert len(dosing_sheet(workspace, "stress").lines) == 16
    blind = build_report_data(workspace, "stress")
    assert [(d.cohort, d.n_animals, d.seed, d.block_sizes) for d in blind.cohort_draws] == [
        ("wave 1", 16, None, ())
    ]
    markdown = write_study_report(workspace, "stress", tmp_path / "blind-report").files.markdown
    assert "| wave 1 |" in markdown.read_text() and "Commitment opening" not in markdown.read_text()
    randomize_cohort(workspace, "wave 2")
    assert all(animal.blind_code for animal in list_animals(workspace, "stress"))
    blind = build_report_data(workspace, "stress")
    assert all(d.seed is None and d.commitment_opening is None for d in blind.cohort_draws)
    assert blind.randomization is not None and blind.randomization.seed is None
    unmasked = unmask_study(workspace, "stress", PASSPHRASE, force_reason="no FST in this test")
    assert len(unmasked.arms_by_code) == 32 and len(unmasked.openings) == 2
    data = build_report_data(workspace, "stress")
    draws = data.cohort_draws
    assert [d.cohort for d in draws] == ["wave 1", "wave 2"]
    assert all(isinstance(d.seed, int) and d.block_sizes and d.balance_lines for d in draws)
    assert [d.commitment_opening for d in draws] == list(unmasked.openings)
    assert data.randomization is not None and data.randomization.seed == draws[0].seed
    text = write_study_report(workspace, "stress", tmp_path / "report").files.markdown.read_text()
    assert all(f"Commitment opening of cohort {d.cohort}" in text for d in draws)
    assert f"| seed | {draws[0].seed} |" in text


def test_one_cohort_unmasked_alone_shows_its_seed_and_opening(workspace: Workspace, tmp_path: Path) -> None:
    create_stress_study(workspace, tmp_path)
    randomize_cohort(workspace, "wave 1")
    (sealed,) = build_report_data(workspace, "stress").cohort_draws
    assert sealed.seed is None and not sealed.balance_lines and sealed.commitment_opening is None
    unmasked = unmask_study(workspace, "stress", PASSPHRASE, force_reason="wave 2 abandoned")
    (opened,) = build_report_data(workspace, "stress").cohort_draws
    assert isinstance(opened.seed, int) and opened.block_sizes and opened.balance_lines
    assert opened.commitment_opening == unmasked.opening


def test_a_cohort_is_drawn_over_every_arm_and_nothing_is_drawn_or_added_once_unmasked(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_stress_study(workspace, tmp_path)
    narrowed = RandomizationOptions(arms=["vehicle", "ketamine"][::-1], no_protocol=True, cohort="wave 1")
    with pytest.raises(InvalidInputError, match="a cohort is drawn over every arm of the study"):
        draft_randomization(workspace, "stress", narrowed)
    randomize_cohort(workspace, "wave 1")
    unmask_study(workspace, "stress", PASSPHRASE, force_reason="wave 2 abandoned")
    with pytest.raises(ConflictError, match="is unmasked and locked; cannot randomize it"):
        randomize_cohort(workspace, "wave 2")
    late = [{**stress_rows()[0], "animal_id": "LATE1", "cohort": "wave 2"}]
    with pytest.raises(ConflictError, match="is unmasked and locked; cannot add animals to it"):
        import_roster(workspace, "stress", write_csv(tmp_path / "late.csv", late))
