"""Studies of any number of arms, each its substance, dose and stock at the study's one volume per kg, one
the reference. A refused design names every fault; a three-arm study is randomized, dosed and unmasked."""

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from behavlab.db.session import reading, writing
from behavlab.errors import InvalidInputError
from behavlab.models import Arm
from behavlab.services import (
    ArmsDesign,
    ArmSpec,
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    build_report_data,
    commit_randomization,
    create_study,
    dosing_sheet,
    draft_randomization,
    get_study,
    import_roster,
    list_events,
    list_studies,
    parse_arms,
    read_arms_file,
    record_dose,
    record_manual_score,
    record_weights,
    unmask_study,
    write_dosing_sheet,
    write_study_report,
)
from behavlab.services.arms import reference_arm
from behavlab.services.sealing import PREPARER_HEADER
from behavlab.services.study_progress import study_progress
from behavlab.tui.screens.dashboard import timeline_lines
from tests.behavlab.factories import baseline_weights, sheet_rows, write_csv, write_roster, write_weights
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE
from tracking.synth.videos import write_fst_video

DOSE_RESPONSE = ("vehicle:saline:0", "ket3:ketamine:3", "ket10:ketamine:10", "ket30:ketamine:30")
THREE_ARMS = ArmsDesign(
    (ArmSpec("vehicle", "saline", 0.0), ArmSpec("ket10", "ketamine", 10.0), ArmSpec("mid1", "midazolam", 1.0))
)


def test_a_dose_response_study_has_four_arms_each_with_its_stock(workspace: Workspace) -> None:
    overview = create_study(workspace, StudySettings(name="dr", arms=parse_arms(DOSE_RESPONSE)))
    arms = [(a.position, a.name, a.substance, a.dose_mg_per_kg, a.is_reference) for a in overview.arms]
    assert arms == [
        (1, "vehicle", "saline", 0.0, True),
        (2, "ket3", "ketamine", 3.0, False),
        (3, "ket10", "ketamine", 10.0, False),
        (4, "ket30", "ketamine", 30.0, False),
    ]
    shown = get_study(workspace, "dr")
    assert [shown.stock_mg_per_ml(arm) for arm in shown.arms] == pytest.approx([0.0, 0.3, 1.0, 3.0])
    assert shown.reference.name == "vehicle"
    study = shown.study
    assert (study.compound, study.dose_mg_per_kg, study.vehicle) == ("ketamine", 30.0, "saline")
    payload = json.loads(list_events(workspace)[0].payload)
    assert [arm["name"] for arm in payload["arms"]] == ["vehicle", "ket3", "ket10", "ket30"]
    assert payload["reference"] == "vehicle"


def test_an_arms_file_states_stocks_and_an_active_placebo_reference(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "arms.csv",
        [
            {
                "name": "vehicle",
                "substance": "saline",
                "dose_mg_per_kg": "0",
                "stock_mg_per_ml": "",
                "reference": "",
            },
            {
                "name": "mid",
                "substance": "midazolam",
                "dose_mg_per_kg": "1",
                "stock_mg_per_ml": "0.1",
                "reference": "yes",
            },
            {
                "name": "ket",
                "substance": "ketamine",
                "dose_mg_per_kg": "3.333",
                "stock_mg_per_ml": "0.333",
                "reference": "no",
            },
        ],
    )
    overview = create_study(workspace, StudySettings(name="ap", arms=read_arms_file(path)))
    assert [(a.name, a.stock_mg_per_ml, a.is_reference) for a in overview.arms] == [
        ("vehicle", None, False),
        ("mid", 0.1, True),
        ("ket", 0.333, False),
    ]
    assert overview.stock_mg_per_ml(overview.arms[2]) == 0.333, "the stated stock is the one prepared"
    assert (overview.reference.name, overview.study.vehicle) == ("mid", "midazolam")


def test_the_reference_is_the_marked_arm_else_the_first_as_on_old_studies(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="old"))
    with writing(workspace.engine) as session:
        arms = list(session.exec(select(Arm).order_by(col(Arm.position))))
        assert [arm.is_reference for arm in arms] == [None, None]
        assert reference_arm(arms).name == "vehicle"
        assert reference_arm(list(reversed(arms))).name == "vehicle", "position, not list order, decides"
        arms[1].is_reference = True
        assert reference_arm(arms).name == "ketamine"
        session.rollback()


@pytest.mark.parametrize(
    ("arms", "reference", "messages"),
    [
        (("vehicle:saline:0",), None, ["two or more arms"]),
        (
            ("a:saline:0", "A:ketamine:10", "b:ketamine:10:0.5"),
            "c",
            [
                "arm 2 (A), name: 'A' is also arm 1",
                "arm 3 (b), substance: 'ketamine' at this dose is also arm A",
                "arm 3 (b), stock_mg_per_ml: '0.5' does not give the dose; accepted: 1 mg/mL",
                "--reference: 'c' is not an arm; accepted: one of a, A, b",
            ],
        ),
        (("vehicle:saline:0", "ket:ketamine:3:0.302"), None, []),
        (("vehicle:saline:0", "ket:ketamine:3:0.31"), None, ["does not give the dose"]),
    ],
)
def test_a_design_is_refused_with_every_fault_named(
    workspace: Workspace, arms: tuple[str, ...], reference: str | None, messages: list[str]
) -> None:
    settings = StudySettings(name="bad", arms=parse_arms(arms, reference))
    if not messages:
        create_study(workspace, settings)
        return
    with pytest.raises(InvalidInputError) as refused:
        create_study(workspace, settings)
    assert f"({len(messages)} problem" in str(refused.value)
    for message in messages:
        assert message in str(refused.value)
    assert list_studies(workspace) == []


#: A substance name holding a zero-width space.
HIDDEN = "\u200bx"


def test_typed_arms_and_arms_files_name_each_bad_field(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as typed:
        parse_arms(["vehicle:saline", "ket,1:ketamine:ten", "ok:x:1:-2", "k:ketamine:1e1", f"k:{HIDDEN}:1"])
    text = str(typed.value)
    assert "--arm 1: 'vehicle:saline' is not NAME:SUBSTANCE:DOSE[:STOCK]" in text
    assert "--arm 2, name: 'ket,1' holds a colon or comma" in text
    assert "--arm 2, dose_mg_per_kg: 'ten' is not a number; accepted: a number from 0 to 10000 mg/kg" in text
    assert (
        "--arm 3, stock_mg_per_ml: '-2' is outside the plausible range; accepted: a number from 0 to" in text
    )
    # the roster's rule for numbers and text: no exponent notation, no hidden characters
    assert "--arm 4, dose_mg_per_kg: '1e1' is not a number" in text
    assert f"--arm 5, substance: {HIDDEN!r} is refused: " in text
    path = write_csv(
        tmp_path / "arms.csv",
        [
            {"name": "a", "substance": "saline", "dose_mg_per_kg": "x", "reference": "yes"},
            {"name": "b", "substance": "", "dose_mg_per_kg": "1", "reference": "maybe"},
            {"name": "c", "substance": "ketamine", "dose_mg_per_kg": "2", "reference": "yes"},
        ],
    )
    with pytest.raises(InvalidInputError) as filed:
        read_arms_file(path, reference="c")
    text = str(filed.value)
    assert "arms file arms.csv, row 2, dose_mg_per_kg: 'x' is not a number" in text
    assert "arms file arms.csv, row 3, substance: '' is empty" in text
    assert "arms file arms.csv, row 3, reference: 'maybe' is not a known value" in text
    assert "names more than one reference arm" in text


def test_a_three_arm_study_is_randomized_dosed_and_unmasked(workspace: Workspace, tmp_path: Path) -> None:
    preparer = tmp_path / "preparer.csv"
    create_study(workspace, StudySettings(name="three", arms=THREE_ARMS))
    import_roster(workspace, "three", write_roster(tmp_path / "roster.csv", 24, with_weights=False))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    weighed_at = datetime.combine(yesterday.date(), time(9, 0), yesterday.tzinfo)
    record_weights(workspace, "three", write_weights(tmp_path / "w.csv", baseline_weights(24), weighed_at))
    options = RandomizationOptions(method="stratified-block", seed=2024, bare_seed=True, no_protocol=True)
    draft = draft_randomization(workspace, "three", options)
    assert draft.arms == ("vehicle", "ket10", "mid1"), "every arm, in position order"
    codes = commit_randomization(workspace, draft, PASSPHRASE, preparer_sheet=preparer, kdf=FAST_KDF).codes
    assignment = draft.allocation.assignment
    assert sorted(list(assignment.values()).count(arm) for arm in range(3)) == [8, 8, 8]
    stocks = {(row["arm"], row["concentration_mg_per_ml"]) for row in sheet_rows(preparer)}
    assert stocks == {("vehicle", "0"), ("ket10", "1"), ("mid1", "0.1")}, (
        "one stock per arm for the key holder"
    )

    sheet = write_dosing_sheet(dosing_sheet(workspace, "three"), tmp_path / "dosing.csv")
    printed = sheet.read_text(encoding="utf-8")
    for secret in ("saline", "ketamine", "midazolam", "mg/mL", "concentration", *PREPARER_HEADER[1:]):
        assert secret not in printed, f"the technician's sheet shows {secret!r}"

    arm_of = {codes[label]: arm for label, arm in assignment.items()}
    _dose_test_and_score(workspace, tmp_path, codes, arm_of, weighed_at)
    revealed = unmask_study(workspace, "three", PASSPHRASE, force_reason="end-to-end test of three arms")
    expected = {codes[label]: draft.arms[arm] for label, arm in assignment.items()}
    assert dict(revealed.arms_by_code) == expected

    shown = timeline_lines(study_progress(workspace, "three"))[0]
    assert shown == "3 arms ip: vehicle 0 mg/kg, ket10 10 mg/kg, mid1 1 mg/kg", (
        "the unmasked dashboard names each"
    )

    data = build_report_data(workspace, "three")
    assert [(arm.name, arm.reference) for arm in data.arms] == [
        ("vehicle", True),
        ("ket10", False),
        ("mid1", False),
    ]
    received = {expected[dose.code]: data.mg_per_kg_received(dose) for dose in data.doses}
    assert received == pytest.approx({"vehicle": 0.0, "ket10": 10.0, "mid1": 1.0}, rel=0.06)
    report = write_study_report(workspace, "three", tmp_path / "report").files.markdown.read_text()
    assert (
        "3 arms, one ip injection each, all at 10 mL/kg, compared with vehicle: vehicle: saline 0 mg/kg "
        "(stock 0 mg/mL); ket10: ketamine 10 mg/kg (stock 1 mg/mL); mid1: midazolam 1 mg/kg "
        "(stock 0.1 mg/mL)."
    ) in report
    assert "ket10 minus vehicle" in report and "mid1 minus vehicle" in report, (
        "each arm against the reference"
    )


def _dose_test_and_score(
    workspace: Workspace, folder: Path, codes: dict[str, str], arm_of: dict[str, int], weighed_at: datetime
) -> None:
    """Dose every animal an hour after weighing, film it an hour later and score it by hand."""
    morning = weighed_at + timedelta(hours=1)
    base = folder / "base.avi"
    write_fst_video(base, duration_s=1.0, fps=10, size=(64, 48), seed=2)
    for index, code in enumerate(sorted(codes.values())):
        dosed = morning + timedelta(minutes=index)
        record_dose(workspace, "three", code, at=dosed)
        video = folder / f"{code}.avi"
        video.write_bytes(base.read_bytes() + index.to_bytes(2, "little"))
        add_fst_session(workspace, "three", code, video, tested_at=dosed + timedelta(hours=1))
        immobility = (150.0, 100.0, 140.0)[arm_of[code]] + 3 * (index % 5)
        record_manual_score(workspace, "three", code, immobility, "ana")


def test_the_arms_of_old_studies_are_read_as_before(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="two"))
    with reading(workspace.engine) as session:
        stored = [(a.name, a.stock_mg_per_ml, a.is_reference) for a in session.exec(select(Arm))]
    assert stored == [("vehicle", None, None), ("ketamine", None, None)], (
        "nothing new is written on old designs"
    )
    payload = json.loads(list_events(workspace)[0].payload)
    assert "arms" not in payload and "reference" not in payload
