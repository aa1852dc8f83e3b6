"""Labels printed for a randomized study read back: every QR gives its animal's payload; no arm is printed."""

import json
import stat
import xml.etree.ElementTree as ElementTree
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
from behavlab.services.label_records import NO_VOLUME, BenchAnimal, cage_cards, tube_labels
from behavlab.services.labels import LabelRequest, check_label_request, write_checked_labels, write_labels
from cohorts.blind_codes import generate_codes
from tests.behavlab.factories import roster_rows, write_roster
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy, randomize_study
from tests.behavlab.services.label_sheets import SVG, arm_words, payloads_of, pdf_labels, svg_labels, words_of
from tests.behavlab.services.test_cohort_batches import randomize_cohort
from tests.behavlab.stress_study import create_stress_study

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
        BenchAnimal("M002", FIRST, "C1", "M", date(2026, 1, 2)),
        BenchAnimal("M001", SECOND, "C1", "M", date(2026, 1, 9)),
        BenchAnimal("M003", None, "C1", "F", date(2026, 1, 9)),
        BenchAnimal("M004", "K7QX2M", "C1", "F", date(2026, 1, 9), excluded=True),
    ]
    (card,) = cage_cards(study, animals)
    assert card.code == "cage C1" and card.qr_payload is None
    assert [line.text for line in card.lines] == [
        "mixed",
        "ID code sex born",
        f"M001 {SECOND} M 2026-01-09",
        f"M002 {FIRST} M 2026-01-02",
        "M003 no code yet F 2026-01-09",
        "M004 K7QX2M F 2026-01-09 excluded",
    ]


def test_an_animal_without_a_cage_is_named_not_given_an_empty_cage_card() -> None:
    study = Study(name="mixed", uuid="3f2a9c1d-0000-4000-8000-000000000000")
    animals = [
        BenchAnimal("M001", FIRST, "C1", "M", date(2026, 1, 2)),
        BenchAnimal("M002", SECOND, None, "M", date(2026, 1, 2)),
    ]
    with pytest.raises(InvalidInputError, match="animals M002 have no cage: give each a cage"):
        cage_cards(study, animals)


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
    write_labels(workspace, STUDY, LabelRequest("cage"), tmp_path / "c.svg")
    listed = [line for _, lines in svg_labels([tmp_path / "c.svg"]) for line in lines]
    assert f"M001 {gone} excluded" in listed  # still in its cage, marked


@pytest.mark.parametrize("kind", ["syringe", "cage"])
def test_no_label_before_unmasking_names_an_arm_substance_dose_or_stock(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path, kind: str
) -> None:
    forbidden = arm_words(_forbidden(workspace))
    texts = []
    for suffix in (".pdf", ".svg", ".html"):
        day = three_arms.weighed_at.date() if kind == "syringe" else None
        written = write_labels(
            workspace, STUDY, LabelRequest(kind, "roll-57x32", day=day), tmp_path / f"labels{suffix}"
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
    if kind == "syringe":
        assert any(" mL (" in text for text in texts), "no label gave a volume"
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
    day = three_arms.weighed_at.date()
    written = write_labels(
        workspace, STUDY, LabelRequest("syringe", day=day), out, preparer_passphrase=PASSPHRASE
    )
    assert written.preparer and stat.S_IMODE(out.stat().st_mode) == 0o600
    arm_names = [arm.name for arm in get_study(workspace, STUDY).arms]
    arm_of_code = {code: arm_names[three_arms.arms[label]] for label, code in three_arms.codes.items()}
    read = pdf_labels(out, "a4-24")
    assert {label.lines[0]: label.lines[-1] for label in read} == {
        code: f"arm: {arm}" for code, arm in arm_of_code.items()
    }
    assert all(label.lines[2].endswith(" g)") and " mL (" in label.lines[2] for label in read)
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
        (
            LabelRequest("cage", "a4-99"),
            "l.pdf",
            None,
            "known templates: a4-24, a4-65, roll-25x13, roll-57x32",
        ),
        (LabelRequest("cage", day=date(2026, 3, 4)), "l.pdf", None, "only syringe labels have a dosing day"),
        (LabelRequest("tube", samples=("PFC",), day=date(2026, 3, 4)), "l.pdf", None, "a dosing day"),
        (
            LabelRequest("syringe", start=25),
            "l.pdf",
            None,
            "start position 25: template a4-24 has positions 1 to 24",
        ),
        (LabelRequest("syringe", copies=0), "l.pdf", None, "--copies 0: accepted: 1 or more"),
        (
            LabelRequest("syringe", cohort="wave 9"),
            "l.pdf",
            None,
            "no cohort 'wave 9' in study 'dr'; cohorts: none",
        ),
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


def test_a_preparer_label_too_small_for_its_arm_is_refused_naming_no_arm_or_code_and_audited(
    workspace: Workspace, tmp_path: Path
) -> None:
    long_arm = "esketamine-high-dose-after-chronic-stress"
    arms = parse_arms(["vehicle:saline:0", f"{long_arm}:esketamine:30"], "vehicle")
    study = randomize_study(workspace, tmp_path, settings=StudySettings(name="long", arms=arms))
    out = tmp_path / "preparer.pdf"
    request = LabelRequest("syringe", "roll-57x32", day=study.weighed_at.date())
    with pytest.raises(InvalidInputError) as refused:
        write_labels(workspace, "long", request, out, preparer_passphrase=PASSPHRASE)
    message = str(refused.value)
    assert message == (
        "a label of the preparer's copy (its arm name, or other text) does not fit template roll-57x32; "
        "choose a larger template"
    )
    assert not any(code in message for code in study.codes.values()) and long_arm not in message
    assert not out.exists()
    (event,) = [event for event in list_events(workspace, "long") if event.action == "labels.preparer"]
    assert json.loads(event.payload)["file"] == "preparer.pdf"


def test_an_earlier_longer_svg_print_to_the_same_name_is_refused_naming_its_sheets(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "syringes.svg"
    three = write_labels(workspace, STUDY, LabelRequest("syringe", copies=2), out)
    assert [path.name for path in three.files] == ["syringes.svg", "syringes-2.svg"]
    with pytest.raises(ConflictError, match=r"syringes-2\.svg hold further sheets of an earlier print"):
        write_labels(workspace, STUDY, LabelRequest("syringe"), out)
    (tmp_path / "syringes-2.svg").unlink()
    again = write_labels(workspace, STUDY, LabelRequest("syringe"), out)
    assert [path.name for path in again.files] == ["syringes.svg"]


def test_earlier_sheets_refuse_a_preparer_copy_before_the_key_is_opened(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "preparer.svg"
    (tmp_path / "preparer-2.svg").write_text("<svg/>")
    request = LabelRequest("syringe", day=three_arms.weighed_at.date())
    with pytest.raises(ConflictError, match=r"preparer-2\.svg hold further sheets of an earlier print"):
        write_labels(workspace, STUDY, request, out, preparer_passphrase=PASSPHRASE)
    assert not out.exists()
    assert not [
        event for event in list_events(workspace, STUDY) if event.action.startswith(("labels", "unseal"))
    ]


def test_a_checked_request_is_written_with_a_passphrase_exactly_when_checked_for_a_preparer_copy(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "s.pdf"
    for preparer, passphrase in ((True, None), (False, PASSPHRASE)):
        checked = check_label_request(LabelRequest("syringe"), out, preparer=preparer)
        with pytest.raises(ValueError, match="a preparer's copy is written with the passphrase"):
            write_checked_labels(workspace, STUDY, checked, passphrase)
    assert not out.exists()


def test_tube_labels_go_cage_by_cage() -> None:
    study = Study(name="mixed", uuid="3f2a9c1d-0000-4000-8000-000000000000")
    animals = [
        BenchAnimal("M001", FIRST, "C2", "M", date(2026, 1, 2)),
        BenchAnimal("M002", SECOND, "C1", "M", date(2026, 1, 2)),
    ]
    labels = tube_labels(study, animals, ["PFC"])
    assert [label.code for label in labels] == [SECOND, FIRST]


def test_labels_start_part_way_repeat_and_reprint_only_the_codes_asked_for(
    workspace: Workspace, three_arms: RandomizedStudy, tmp_path: Path
) -> None:
    first, second = sorted(three_arms.codes.values())[:2]
    request = LabelRequest(
        "tube", "a4-65", samples=("PFC",), start=64, copies=2, codes=(second, first.lower())
    )
    written = write_labels(workspace, STUDY, request, tmp_path / "t.svg")
    assert written.count == 4 and len(written.files) == 2
    groups = [ElementTree.parse(path).getroot().findall(f"{SVG}g") for path in written.files]
    assert [[group.get("id") for group in page] for page in groups] == [
        ["label-64", "label-65"],
        ["label-1", "label-2"],
    ]
    order = [group.get("data-code") for page in groups for group in page]
    assert sorted(order) == sorted([first, first, second, second])
    assert order[0] == order[1] and order[2] == order[3]
    unknown = generate_codes(30)[-1]
    with pytest.raises(InvalidInputError, match=f"no animal with code {unknown} to label"):
        write_labels(
            workspace, STUDY, LabelRequest("tube", samples=("PFC",), codes=(unknown,)), tmp_path / "u.pdf"
        )


def test_a_cohort_gets_its_own_labels_and_cage_cards_show_uncoded_animals(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_stress_study(workspace, tmp_path)
    codes = randomize_cohort(workspace, "wave 1")
    out = tmp_path / "tubes.svg"
    write_labels(workspace, "stress", LabelRequest("tube", samples=("PFC",), cohort="wave 1"), out)
    assert sorted(code for code, _ in svg_labels([out])) == sorted(codes.values())
    cards = tmp_path / "cages.svg"
    write_labels(workspace, "stress", LabelRequest("cage", "a4-24", cohort="wave 2"), cards)
    lines = [line for _, card in svg_labels(sorted(tmp_path.glob("cages*.svg"))) for line in card]
    assert sum(line.endswith(" no code yet") for line in lines) == 16
    with pytest.raises(InvalidInputError, match="there is no label to print"):
        write_labels(workspace, "stress", LabelRequest("tube", samples=("PFC",), cohort="wave 2"), out)
