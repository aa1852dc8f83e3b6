"""`behavlab labels`: the kind, file and label stock asked for, refusals naming what is accepted."""

from pathlib import Path

import pytest

from behavlab.services.label_records import NO_VOLUME
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tests.behavlab.services.label_sheets import pdf_labels, svg_labels


def test_labels_writes_the_kind_asked_for_to_the_file_named(
    cli: Invoke, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "tubes.svg"
    result = cli(
        "labels", "blind", "--kind", "tube", "--out", str(out), "--template", "a4-65",
        "--sample", "PFC", "--sample", "hippocampus",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "48 tube labels written" in result.stdout and str(out) in result.stdout
    groups = svg_labels([out])
    assert sorted(code for code, _ in groups) == sorted(2 * list(randomized.codes.values()))


def test_syringe_labels_carry_the_dosing_day_given(
    cli: Invoke, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "syringes.pdf"
    result = cli("labels", "blind", "--kind", "syringe", "--out", str(out), "--date", "2026-03-04")
    assert result.exit_code == 0, result.output
    assert {label.lines[-1] for label in pdf_labels(out, "a4-24")} == {"day 2026-03-04"}


def test_syringe_labels_follow_the_dosing_sheets_volume_limit(
    cli: Invoke, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    out = tmp_path / "syringes.svg"
    day = randomized.weighed_at.date().isoformat()
    args = ("labels", "blind", "--kind", "syringe", "--out", str(out), "--date", day)
    assert cli(*args).exit_code == 0
    assert all(" mL (" in lines[2] for _, lines in svg_labels([out]))
    result = cli(*args, "--limit-ml-per-kg", "5")
    assert result.exit_code == 0, result.output
    assert {lines[2] for _, lines in svg_labels([out])} == {NO_VOLUME}


def test_the_preparer_copy_reads_the_passphrase_and_shows_the_arms(
    cli: Invoke, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n")
    out = tmp_path / "preparer.pdf"
    args = ("labels", "blind", "--kind", "syringe", "--out", str(out), "--preparer")
    wrong = cli(*args, env={"BEHAVLAB_PASSPHRASE": "not the passphrase"})
    assert wrong.exit_code == 1 and "cannot open the sealed key" in wrong.stderr
    assert not out.exists()
    result = cli(*args, "--passphrase-file", str(secret))
    assert result.exit_code == 0, result.output
    assert "preparer's copy: shows the arms" in result.stdout
    assert {label.lines[-1] for label in pdf_labels(out, "a4-24")} == {"arm: vehicle", "arm: ketamine"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--kind", "bottle", "--out", "l.pdf"), "no label kind 'bottle'; accepted: syringe, cage, tube"),
        (("--kind", "cage", "--out", "l.docx"), "accepted: a file name ending in .pdf, .svg, .html"),
        (
            ("--kind", "cage", "--out", "l.pdf", "--date", "2026-03-04"),
            "only syringe labels have a dosing day",
        ),
        (("--kind", "cage", "--out", "l.pdf", "--preparer"), "only syringe labels have a preparer's copy"),
        (
            ("--kind", "tube", "--out", "l.pdf", "--sample", "PFC", "--start", "66", "--template", "a4-65"),
            "start position 66: template a4-65 has positions 1 to 65",
        ),
        (
            ("--kind", "cage", "--out", "l.pdf", "--template", "avery"),
            "no label template named 'avery'; known templates: a4-24, a4-65, roll-25x13, roll-57x32",
        ),
    ],
)
def test_bad_kind_file_or_template_is_refused_naming_what_is_accepted(
    cli: Invoke, randomized: RandomizedStudy, tmp_path: Path, options: tuple[str, ...], message: str
) -> None:
    named = [str(tmp_path / word) if word.startswith("l.") else word for word in options]
    result = cli("labels", "blind", *named, env={"BEHAVLAB_PASSPHRASE": ""})
    assert result.exit_code == 1
    assert "passphrase" not in result.output.lower()  # refused before any passphrase is asked for
    assert message in " ".join(result.stderr.split())
    assert list(tmp_path.glob("l.*")) == []
