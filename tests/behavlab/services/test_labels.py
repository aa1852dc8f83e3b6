"""Labels printed for a randomized study read back: every QR gives its animal's payload; no arm is printed."""

import json
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Study
from behavlab.services import (
    StudySettings,
    UnsealError,
    Workspace,
    create_study,
    exclude_animal,
    get_study,
    import_roster,
    list_events,
    parse_arms,
)
from behavlab.services.dosing import dosing_sheet
from behavlab.services.label_records import NO_VOLUME, CodedAnimal, cage_cards
from behavlab.services.labels import LabelRequest, write_labels
from cohorts.blind_codes import generate_codes
from tests.behavlab.factories import roster_rows, write_roster
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy, randomize_study
from tests.behavlab.services.label_sheets import arm_words, payloads_of, pdf_labels, svg_labels, words_of

ARMS = ["vehicle:saline:0", "low:esketamine:3", "high:esketamine:30:3"]
STUDY = "dr"
FIRST, SECOND = generate_codes(2)


@pytest.fixture
def three_arms(workspace: Workspace, tmp_path: Path) -> RandomizedStudy:
    """A randomized 24-mouse study of three arms: saline, and esketamine at 3 and 30 mg/kg."""
    return randomize_study(
        workspace, tmp_path, settings=StudySettings(name=STUDY, arms=parse_arms(ARMS, "vehicle"))
    )


def _forbidden(workspace: Workspace) -> list[str]:
    """Every arm's name and substance, and the units a dose or a stock is printed in."""
    arms = get_study(workspace, STUDY).arms
    return [*(arm.name for arm in arms), *(arm.substance for arm in arms), "mg/kg", "mg/mL"]


def test_every_syringe_label_decodes_to_its_animals_payload_and_gives_its_volume(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "syringes.pdf"
    day = three_arms.weighed_at.date()
    written = write_labels(workspace, STUDY, LabelRequest("syringe", "a4-24", day=day), out)
    assert written.files == [out] and written.count == 24
    expected = payloads_of(workspace, STUDY, list(three_arms.codes.values()))
    sheet = dosing_sheet(workspace, STUDY, day)
    read = pdf_labels(out, "a4-24")
    assert [label.lines[0] for label in read] == [line.code for line in sheet.lines]  # the sheet's order
    for label, line in zip(read, sheet.lines, strict=True):
        assert expected[label.lines[0]] == label.payload, label
        assert line.volume_ml is not None and line.weight_g is not None
        volume = f"{line.volume_ml:.{line.volume_decimals}f} mL ({line.weight_g:.1f} g)"
        assert label.lines[1:] == [STUDY, volume, "10 mL/kg", f"day {day}"]
        assert line.volume_ml == pytest.approx(line.weight_g / 100, abs=0.01)  # 10 mL/kg


def test_a_syringe_label_without_that_days_weight_sends_to_the_dosing_sheet(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "syringes.svg"
    write_labels(
        workspace, STUDY, LabelRequest("syringe", day=three_arms.weighed_at.date() + timedelta(1)), out
    )
    read = svg_labels([out])
    assert len(read) == 24
    assert all(lines[1:3] == [STUDY, NO_VOLUME] for _, lines in read)


def test_cage_cards_list_each_cage_and_carry_no_symbol(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "cages.pdf"
    write_labels(workspace, STUDY, LabelRequest("cage"), out)
    cards = pdf_labels(out, "a4-24")
    roster = {row["animal_id"]: row for row in roster_rows(24)}
    assert [card.lines[0] for card in cards] == [
        "cage F01",
        "cage F02",
        "cage F03",
        "cage M01",
        "cage M02",
        "cage M03",
    ]
    listed = {}
    for card in cards:
        assert card.lines[1] == STUDY
        animals = [line.split() for line in card.lines[3:]]
        first = roster[animals[0][0]]
        assert card.lines[2] == f"{first['sex']}, born {first['dob']}"
        assert card.payload == "<0 symbols>"  # a scan names one animal; a card names several
        listed.update(dict(animals))
    assert listed == three_arms.codes


def test_a_cage_of_mixed_birth_dates_gives_each_animal_its_sex_and_date() -> None:
    study = Study(name="mixed", uuid="3f2a9c1d-0000-4000-8000-000000000000")
    animals = [
        CodedAnimal("M002", FIRST, "C1", "M", date(2026, 1, 2)),
        CodedAnimal("M001", SECOND, "C1", "M", date(2026, 1, 9)),
    ]
    (card,) = cage_cards(study, animals)
    assert card.code == "cage C1" and card.qr_payload is None
    assert [line.text for line in card.lines] == [
        "mixed",
        "ID code sex born",
        f"M001 {SECOND} M 2026-01-09",
        f"M002 {FIRST} M 2026-01-02",
    ]


def test_tube_labels_are_one_per_animal_per_sample_kind(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "tubes.pdf"
    written = write_labels(
        workspace, STUDY, LabelRequest("tube", "a4-65", samples=("PFC", "hippocampus")), out
    )
    assert written.count == 48
    expected = payloads_of(workspace, STUDY, list(three_arms.codes.values()))
    read = pdf_labels(out, "a4-65")
    assert sorted((label.lines[0], label.lines[1]) for label in read) == sorted(
        (code, sample) for code in expected for sample in ("PFC", "hippocampus")
    )
    assert all(expected[label.lines[0]] == label.payload for label in read)


def test_excluded_animals_get_no_label(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    gone = three_arms.codes["M001"]
    exclude_animal(workspace, STUDY, "M001", "fight wound", criterion_set_a_priori=True)
    write_labels(workspace, STUDY, LabelRequest("syringe"), tmp_path / "s.svg")
    codes = [code for code, _ in svg_labels([tmp_path / "s.svg"])]
    assert len(codes) == 23 and gone not in codes


@pytest.mark.parametrize("kind", ["syringe", "cage"])
def test_no_label_before_unmasking_names_an_arm_substance_dose_or_stock(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path, kind: str
) -> None:
    forbidden = arm_words(_forbidden(workspace))
    texts = []
    for suffix in (".pdf", ".svg", ".html"):
        written = write_labels(
            workspace, STUDY, LabelRequest(kind, "roll-57x32"), tmp_path / f"labels{suffix}"
        )
        assert {path.name for path in written.files} <= {
            f"labels{suffix}",
            *(f"labels-{n}{suffix}" for n in range(2, 25)),
        }
        for path in written.files:
            texts += [path.name, path.read_bytes().decode("latin-1")]
    texts += [line for label in pdf_labels(tmp_path / "labels.pdf", "roll-57x32") for line in label.lines]
    svgs = sorted(tmp_path.glob("labels*.svg"))
    texts += [line for _, lines in svg_labels(svgs) for line in lines]
    assert any(three_arms.code_in_arm(0) in text for text in texts), "no label named an animal"
    assert forbidden.findall(words_of(texts)) == []


def test_svg_sheets_hold_one_group_per_label_and_continue_in_numbered_files(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    request = LabelRequest("tube", samples=("PFC", "hippocampus"))
    written = write_labels(workspace, STUDY, request, tmp_path / "tubes.svg")
    assert [path.name for path in written.files] == ["tubes.svg", "tubes-2.svg"]
    groups = svg_labels(written.files)
    assert len(groups) == 48
    assert all(lines[0] == code and lines[1] in ("PFC", "hippocampus") for code, lines in groups)


def test_the_html_page_embeds_the_sheets_at_the_templates_page_size(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "labels.html"
    write_labels(workspace, STUDY, LabelRequest("syringe", "roll-57x32"), out)
    page = out.read_text(encoding="utf-8")
    assert "@page{size:57.0mm 32.0mm;margin:0}" in page
    assert page.count("<svg ") == 24 and page.count('class="sheet"') == 24
    assert all(code in page for code in three_arms.codes.values())
    for external in ("src=", "href=", "url(", "@import", "<script", "<link"):
        assert external not in page


def test_the_preparer_copy_needs_the_passphrase_shows_the_arm_and_is_audited(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "preparer.pdf"
    with pytest.raises(UnsealError):
        write_labels(workspace, STUDY, LabelRequest("syringe"), out, preparer_passphrase="not it at all")
    assert not out.exists()
    refused = [event for event in list_events(workspace, STUDY) if event.action == "unseal.refused"]
    assert len(refused) == 1 and "labels.preparer" in refused[0].payload
    written = write_labels(workspace, STUDY, LabelRequest("syringe"), out, preparer_passphrase=PASSPHRASE)
    assert written.preparer and stat.S_IMODE(out.stat().st_mode) == 0o600
    arm_names = [arm.name for arm in get_study(workspace, STUDY).arms]
    arm_of_code = {code: arm_names[three_arms.arms[label]] for label, code in three_arms.codes.items()}
    read = pdf_labels(out, "a4-24")
    assert {label.lines[0]: label.lines[-1] for label in read} == {
        code: f"arm: {arm}" for code, arm in arm_of_code.items()
    }
    (event,) = [event for event in list_events(workspace, STUDY) if event.action == "labels.preparer"]
    assert event.actor == "tester"
    assert json.loads(event.payload) == {"file": "preparer.pdf", "kind": "syringe", "n_labels": 24}
    assert get_study(workspace, STUDY).study.name == STUDY
    assert not [event for event in list_events(workspace, STUDY) if event.action == "study.unmask"]


def test_labels_are_refused_before_randomization(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="fresh"))
    import_roster(workspace, "fresh", write_roster(tmp_path / "roster.csv", 4))
    with pytest.raises(
        ConflictError, match="not randomized yet; run `behavlab randomize fresh` before you print labels"
    ):
        write_labels(workspace, "fresh", LabelRequest("syringe"), tmp_path / "s.pdf")
    assert not (tmp_path / "s.pdf").exists()


@pytest.mark.parametrize(
    ("request_", "out", "preparer", "message"),
    [
        (LabelRequest("bottle"), "l.pdf", None, "no label kind 'bottle'; accepted: syringe, cage, tube"),
        (
            LabelRequest("syringe"),
            "l.png",
            None,
            "--out l.png: accepted: a file name ending in .pdf, .svg, .html",
        ),
        (LabelRequest("cage", "a4-99"), "l.pdf", None, "known templates: a4-24, a4-65, roll-57x32"),
        (LabelRequest("syringe", samples=("PFC",)), "l.pdf", None, "--sample is for tube labels only"),
        (LabelRequest("tube"), "l.pdf", None, "tube labels need each sample kind"),
        (LabelRequest("tube", samples=(" ",)), "l.pdf", None, "tube labels need each sample kind"),
        (LabelRequest("cage"), "l.pdf", PASSPHRASE, "only syringe labels have a preparer's copy"),
        (
            LabelRequest("tube", "a4-65", samples=("prefrontal cortex, " * 4,)),
            "l.pdf",
            None,
            "choose a larger template",
        ),
    ],
)
def test_bad_requests_are_refused_saying_what_is_accepted(
    workspace: Workspace,
    three_arms: RandomizedStudy,
    tmp_path: Path,
    request_: LabelRequest,
    out: str,
    preparer: str | None,
    message: str,
) -> None:
    with pytest.raises(InvalidInputError, match=message.replace(".", r"\.").replace("(", r"\(")):
        write_labels(workspace, STUDY, request_, tmp_path / out, preparer_passphrase=preparer)
    assert list(tmp_path.glob("l.*")) == []
    assert not [
        event for event in list_events(workspace, STUDY) if event.action.startswith(("labels", "unseal"))
    ]
