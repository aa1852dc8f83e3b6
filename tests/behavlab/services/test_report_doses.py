"""The walkthrough's report: an a-priori exclusion, doses rounded to the syringe, a voided weight, a declared
primary outcome. ARRIVE items 3, 9 and 10 say what happened, blind and unmasked, and the blind report tells
no arm: no mg/kg, no arm name, no column of data.csv that splits the arms."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlmodel import select

from behavlab.db.session import reading
from behavlab.models import Weight
from behavlab.report.doses import VOIDED_NOTE
from behavlab.report.measures import IMMOBILITY_OUTCOME
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_study,
    declare_primary,
    draft_randomization,
    exclude_animal,
    import_roster,
    record_dose,
    record_manual_score,
    record_weights,
    unmask_study,
    void_record,
    write_study_report,
)
from behavlab.services.animals import record_weight
from behavlab.services.scoring_methods import MANUAL_METHOD
from tests.behavlab.factories import baseline_weights, write_roster, write_weights
from tests.behavlab.leaks import arm_separating_columns, lines_naming_an_animal
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE
from tracking.synth.videos import write_fst_video

NAME = "walk-ket"
ARM_NAMES = ("vehicle", "ketamine")
ARM_OR_MG_PER_KG = re.compile(r"vehicle|ketamine|mg/kg|mg_per_kg", re.IGNORECASE)


@dataclass(frozen=True)
class Walkthrough:
    """The study's codes by lab ID, each code's arm, the excluded lab ID and the two hand-dosed codes."""

    codes: dict[str, str]
    arm_of: dict[str, str]
    excluded: str
    rounded_up: str
    under_dosed: str


def _run_the_study(workspace: Workspace, folder: Path) -> Walkthrough:
    create_study(workspace, StudySettings(name=NAME))
    import_roster(workspace, NAME, write_roster(folder / "roster.csv", 16, with_weights=False))
    weights = baseline_weights(16)
    morning = (datetime.now().astimezone() - timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    record_weights(workspace, NAME, write_weights(folder / "weights.csv", weights, morning))
    excluded = sorted(weights)[5]
    exclude_animal(workspace, NAME, excluded, "malocclusion", criterion_set_a_priori=True)
    declare_primary(workspace, NAME, IMMOBILITY_OUTCOME, "motion")
    draft = draft_randomization(
        workspace, NAME, RandomizationOptions(seed=2024, bare_seed=True, no_protocol=True)
    )
    codes = dict(commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes)
    declare_primary(workspace, NAME, IMMOBILITY_OUTCOME, MANUAL_METHOD, reason="no camera: scored by hand")
    arm_of = {code: ARM_NAMES[draft.allocation.assignment[label]] for label, code in codes.items()}
    rounded_up, under_dosed = sorted(codes.values())[:2]
    record_weight(workspace, NAME, rounded_up, 29.4, measured_at=morning + timedelta(minutes=50))
    with reading(workspace.engine) as session:
        typo = session.exec(select(Weight).where(Weight.weight_g == 29.4)).one()
    void_record(workspace, NAME, "weight", typo.id or 0, "typed 29.4 for 24.9")
    for code in (rounded_up, under_dosed):
        record_weight(workspace, NAME, code, 24.9, measured_at=morning + timedelta(minutes=55))
    _dose_test_and_score(workspace, folder, sorted(codes.values()), morning, arm_of)
    return Walkthrough(codes, arm_of, excluded, rounded_up, under_dosed)


def _dose_test_and_score(
    workspace: Workspace, folder: Path, codes: list[str], morning: datetime, arm_of: dict[str, str]
) -> None:
    """Dose every animal (the first two by hand: 0.25 and 0.24 mL), test it an hour later and score it."""
    base = folder / "base.avi"
    write_fst_video(base, duration_s=1.0, fps=10, size=(64, 48), seed=2)
    draws = np.random.default_rng(7)
    for index, code in enumerate(codes):
        dosed = morning + timedelta(hours=1, minutes=index)
        record_dose(workspace, NAME, code, at=dosed, volume_ml={0: 0.25, 1: 0.24}.get(index))
        video = folder / f"{code}.avi"
        video.write_bytes(base.read_bytes() + index.to_bytes(2, "little"))
        add_fst_session(workspace, NAME, code, video, tested_at=dosed + timedelta(hours=1))
        mean = 150.0 if arm_of[code] == "vehicle" else 100.0
        record_manual_score(workspace, NAME, code, round(float(draws.normal(mean, 20)), 1), "ana")


def _section(markdown: str, start: str, end: str) -> str:
    return markdown.split(start, 1)[1].split(end, 1)[0]


def _rows(text: str, first_cell: str) -> list[list[str]]:
    """Every Markdown table row of the text whose first cell is ``first_cell``."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in text.splitlines()]
    return [cells for cells in rows if cells[0] == first_cell]


def _check_items_3_and_9(markdown: str, study: Walkthrough) -> None:
    """Item 3 names the exclusion before randomization; item 9 the syringe, each dose and the -3.6 % one."""
    item_3 = _section(markdown, "## 3.", "## 4.")
    assert "1 of the 16 animals on the roster was excluded: 1 before randomization, 0 after" in item_3
    assert "criterion set a priori" in item_3 and "malocclusion" in item_3
    assert "16 animals on the roster, 15 of them randomized" in markdown
    item_9 = _section(markdown, "## 9.", "## 10.")
    assert _rows(item_9, "syringe graduation (mL): volumes drawn to the nearest mark")[0][1] == "0.01"
    assert _rows(item_9, "volume tolerance (+- % of the computed volume)")[0][1] == "5"
    assert "Doses given: 15 to 15 animals (voided doses left out)" in item_9
    rounded = _rows(item_9, study.rounded_up)
    assert [_dose_cells(row) for row in rounded] == [["24.9", "0.25", "0.249", "10.04", "+0.4"]]
    listed, dosed = _rows(item_9, study.under_dosed)
    assert listed == [study.under_dosed, "0.24", "0.249", "-3.6"], "the deviation list names the -3.6 % dose"
    assert _dose_cells(dosed) == ["24.9", "0.24", "0.249", "9.639", "-3.6"]


def _dose_cells(row: list[str]) -> list[str]:
    """A dose row's weight used, volume given, computed volume, mL/kg and deviation (blind or unmasked)."""
    return row[-5:] if len(row) == 7 else row[-6:-1]


def _check_voids(markdown: str, study: Walkthrough) -> None:
    voids = _section(markdown, "## Voided records", "## Emergency")
    assert VOIDED_NOTE in voids
    (row,) = _rows(voids, "weight")
    assert row[2:5] == [study.rounded_up, "typed 29.4 for 24.9", "tester"]


@pytest.fixture
def walkthrough(workspace: Workspace, tmp_path: Path) -> Walkthrough:
    return _run_the_study(workspace, tmp_path)


def test_the_blind_report_gives_items_3_9_10_and_the_voids_without_telling_an_arm(
    workspace: Workspace, walkthrough: Walkthrough, tmp_path: Path
) -> None:
    written = write_study_report(workspace, NAME, tmp_path / "blind")
    markdown = written.files.markdown.read_text()
    _check_items_3_and_9(markdown, walkthrough)
    _check_voids(markdown, walkthrough)
    assert "Declared in protocol version 2 by tester" in markdown
    assert "after the randomization, while the allocation was still sealed" in markdown
    assert _rows(markdown, "2")[0][-1] == "no camera: scored by hand"
    item_10 = _section(markdown, "## 10.", "## Voided records")
    assert _rows(item_10, "FST immobility (manual)")[0][1] == "15"
    names = set(walkthrough.codes) | set(walkthrough.codes.values())
    for text in (markdown, written.files.html.read_text(), written.files.csv.read_text()):
        telling = [line for line in lines_naming_an_animal(text, names) if ARM_OR_MG_PER_KG.search(line)]
        assert telling == [] and not ARM_OR_MG_PER_KG.search(text)
    table = pd.read_csv(written.files.csv)
    assert {"volume_given_ml", "given_ml_per_kg", "dose_deviation_pct"} <= set(table.columns)
    rows_by_animal = {
        code: rows.drop(columns=["value"]).to_dict("records") for code, rows in table.groupby("code")
    }
    assert arm_separating_columns(rows_by_animal, walkthrough.arm_of) == []


def test_the_unmasked_report_gives_each_animals_mg_per_kg_and_the_doses_per_arm(
    workspace: Workspace, walkthrough: Walkthrough, tmp_path: Path
) -> None:
    unmask_study(workspace, NAME, PASSPHRASE)
    written = write_study_report(workspace, NAME, tmp_path / "final")
    markdown = written.files.markdown.read_text()
    _check_items_3_and_9(markdown, walkthrough)
    _check_voids(markdown, walkthrough)
    item_9 = _section(markdown, "## 9.", "## 10.")
    dose_mg = {"vehicle": 0.0, "ketamine": 10.0}
    for code in (walkthrough.rounded_up, walkthrough.under_dosed):
        row = _rows(item_9, code)[-1]
        given = float(row[-3])
        assert row[1] == walkthrough.arm_of[code]
        assert float(row[-1]) == pytest.approx(dose_mg[row[1]] * given / 10.0, abs=1e-3)
    per_arm = {arm: _rows(item_9, arm)[-1] for arm in ARM_NAMES}
    assert sum(int(row[1]) for row in per_arm.values()) == 15
    assert per_arm["vehicle"][3:6] == ["0", "0", "0"]
    assert 9.5 < float(per_arm["ketamine"][3]) < 10.5
    item_10 = _section(markdown, "## 10.", "## Voided records")
    assert "manual" in item_10 and "primary" in item_10.lower()
    table = pd.read_csv(written.files.csv)
    received = table.loc[table["code"] == walkthrough.under_dosed, "mg_per_kg_received"].iloc[0]
    expected = dose_mg[walkthrough.arm_of[walkthrough.under_dosed]] * 0.24 / 24.9 * 1000 / 10
    assert received == pytest.approx(expected, abs=1e-3)
