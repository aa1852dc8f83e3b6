"""The inference attack of issue 12: no number a technician can read tells which animals share an arm.

Twenty small studies (8-16 mice, two arms, every randomization method, seeds drawn by the system or typed by
the user) are built in one database up to the point where outcomes would start: roster with dates of birth and
single-sex cages, baseline weights, allocation drawn and sealed, dosing sheets written. Then everything a
technician can read is collected as records: every database row except the sealed ciphertext (and each JSON
object stored in a cell), each line printed by the CLI commands that run before outcomes, each line of every
file written (the inputs, the dosing sheets, the blind report; each JSON object of a JSON file) and each line
of the terminal app's screens for one study.

For each study the attacker of `tests.behavlab.inference` enumerates every allocation the design allows and,
for both arms of each, looks for two of the group's statistics (n; sum, mean, SD and median of baseline weight
and of age; females, males, cages; at full precision and rounded to 0-3 decimals) in one record. Random
coincidences find many candidates, so the true allocation must only not be found more often than a candidate
drawn at random: over the twenty studies, the number of true allocations found may not exceed what the
candidates' rates make plausible (one-sided p >= 0.001, Poisson binomial).

Numbers that cannot be a statistic printed about a group are not read as one, or the coincidences would drown
everything: the digits of dates and clock times, of IDs, codes and digests, and the database's keys. A study's
candidates are looked for in the records of that study and in records of none (another study's rows hold
other animals' numbers); one number matching two statistics (mean and median both 21.3) counts once.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from behavlab.cli.main import app
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    open_workspace,
    record_weights,
)
from tests.behavlab.factories import write_csv, write_weights
from tests.behavlab.inference import (
    Animal,
    Evidence,
    candidate_allocations,
    chance_of_at_least,
    database_records,
    file_records,
    mask_of,
    search,
)
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE
from tests.behavlab.tui.helpers import every_step_screen_text
from tests.behavlab.tui.test_blinding import STEP_KEYS

#: (method, number of mice, user seed or None for a seed drawn by the system), one study each.
PLAN = (
    ("complete", 8, None),
    ("complete", 11, 1234),
    ("complete", 14, None),
    ("complete", 16, 20261130),
    ("block", 9, 7),
    ("block", 10, None),
    ("block", 13, None),
    ("block", 15, 99),
    ("stratified-block", 10, None),
    ("stratified-block", 12, 4321),
    ("stratified-block", 14, None),
    ("stratified-block", 15, 1),
    ("cage-cluster", 12, None),
    ("cage-cluster", 14, 2024),
    ("cage-cluster", 16, None),
    ("cage-cluster", 16, 31337),
    ("minimization", 8, None),
    ("minimization", 9, 5),
    ("minimization", 10, None),
    ("minimization", 12, 271828),
)
#: The study a written file belongs to, by the number in its name (roster-03.csv, study-03/report.html).
OWNER = re.compile(r"(?:roster|weights|study)-(\d{2})")
#: The true allocations may be found no more often than this improbable under the candidates' rates.
SIGNIFICANCE = 1e-3


@dataclass(frozen=True)
class BuiltStudy:
    """One randomized study: its design, the animals as the attacker sees them, and the true first arm."""

    name: str
    method: str
    seed: int | None
    animals: list[Animal]
    first_arm: frozenset[str]
    code: str  # one animal's blind code


def _roster(draws: random.Random, n_animals: int, today: date) -> list[dict[str, str]]:
    """Mice of both sexes in single-sex cages of 2-4, born 8-13 weeks ago, labels and cages without digits
    standing alone."""
    rows: list[dict[str, str]] = []
    for sex, count in (("F", n_animals // 2), ("M", n_animals - n_animals // 2)):
        cage, left = 0, 0
        for number in range(1, count + 1):
            if left == 0:
                cage, left = cage + 1, draws.randint(2, 4)
            left -= 1
            born = today - timedelta(days=draws.randint(56, 90))
            rows.append(
                {
                    "animal_id": f"{sex}{number:03d}",
                    "sex": sex,
                    "strain": "C57BL/6J",
                    "dob": born.isoformat(),
                    "cage": f"{sex}c{cage:02d}",
                }
            )
    return rows


def _weights(draws: random.Random, rows: list[dict[str, str]]) -> dict[str, float]:
    """Baseline body weights to 0.1 g, as a lab balance prints them."""
    mean = {"F": 20.5, "M": 25.0}
    return {row["animal_id"]: round(draws.gauss(mean[row["sex"]], 1.6), 1) for row in rows}


def _build(url: str, folder: Path) -> tuple[list[BuiltStudy], date]:
    """The twenty studies of `PLAN`, randomized and sealed, weighed the morning before."""
    workspace = open_workspace(url, actor="key holder")
    now = datetime.now().astimezone()
    today = now.date()
    weighed_at = datetime.combine(today - timedelta(days=1), time(9, 0), now.tzinfo)
    built = []
    for index, (method, n_animals, seed) in enumerate(PLAN):
        name = f"inference {chr(ord('a') + index)}"
        draws = random.Random(index)
        rows = _roster(draws, n_animals, today)
        weights = _weights(draws, rows)
        create_study(workspace, StudySettings(name=name))
        import_roster(workspace, name, write_csv(folder / f"roster-{index:02d}.csv", rows))
        record_weights(
            workspace, name, write_weights(folder / f"weights-{index:02d}.csv", weights, weighed_at)
        )
        draft = draft_randomization(workspace, name, RandomizationOptions(method=method, seed=seed))
        codes = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes
        animals = [
            Animal(
                label=row["animal_id"],
                sex=row["sex"],
                cage=row["cage"],
                weight_g=weights[row["animal_id"]],
                age_days=(today - date.fromisoformat(row["dob"])).days,
            )
            for row in sorted(rows, key=lambda row: row["animal_id"])
        ]
        first = frozenset(label for label, arm in draft.allocation.assignment.items() if arm == 0)
        built.append(BuiltStudy(name, method, seed, animals, first, min(codes.values())))
    workspace.engine.dispose()
    return built, weighed_at.date()


def _slug(index: int) -> str:
    return f"study-{index:02d}"


def _run_cli(url: str, studies: list[BuiltStudy], out: Path, weigh_day: date, evidence: Evidence) -> None:
    """Each line printed by the commands a technician runs before outcomes (their files are read later)."""
    runner = CliRunner()

    def printed(arguments: list[str]) -> list[str]:
        result = runner.invoke(app, ["--db", url, *arguments], env={"COLUMNS": "2000"})
        assert result.exit_code == 0, (arguments, result.output)
        return result.stdout.splitlines() + result.stderr.splitlines()

    names = [study.name for study in studies]
    for arguments in (["study", "list"], ["audit", "log"], ["audit", "verify"]):
        evidence.add_naming(printed(arguments), names)
    day = weigh_day.isoformat()
    for index, study in enumerate(studies):
        for arguments in (
            ["study", "show", study.name],
            ["animals", "list", study.name],
            ["animals", "timeline", study.name, study.code],
            ["dosing-sheet", study.name, "--date", day, "--out", str(out / f"{_slug(index)}.csv")],
            ["dosing-sheet", study.name, "--date", day, "--out", str(out / f"{_slug(index)}.html")],
            ["fst", "list", study.name],
            ["spt", "results", study.name],
            ["report", study.name, "--out", str(out / _slug(index))],
            ["audit", "log", "--study", study.name],
        ):
            evidence.add(printed(arguments), study.name)


def _read_files(studies: list[BuiltStudy], folder: Path, evidence: Evidence) -> set[str]:
    """Each file written under the folder (inputs and outputs), given to the study its name numbers; the
    suffixes read."""
    suffixes = set()
    for path in sorted(path for path in folder.rglob("*") if path.is_file() and path.suffix != ".sqlite"):
        numbered = OWNER.search(path.relative_to(folder).as_posix())
        evidence.add(file_records(path), studies[int(numbered.group(1))].name if numbered else None)
        suffixes.add(path.suffix)
    return suffixes


async def _tui_records(url: str) -> list[str]:
    """Each line of every step screen of the first study in the terminal app."""
    return await every_step_screen_text(url, "technician", STEP_KEYS.values())


@pytest.mark.slow
async def test_no_readable_number_singles_out_the_true_allocation(database_url: str, tmp_path: Path) -> None:
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    studies, weigh_day = _build(database_url, inputs)
    evidence = Evidence()
    _run_cli(database_url, studies, out, weigh_day, evidence)
    screens = await _tui_records(database_url)
    assert any(studies[0].animals[0].cage in line for line in screens), "no screen showed the first study"
    evidence.add(screens, studies[0].name)
    for study, record in database_records(database_url):
        evidence.add([record], study)
    assert _read_files(studies, tmp_path, evidence) >= {".csv", ".html", ".md", ".json", ".xlsx"}
    for study in studies:
        assert all(f"{animal.weight_g:g}" in evidence.index for animal in study.animals), (
            f"{study.name}: the weights are not in the evidence, so nothing was searched"
        )

    rates: list[float] = []
    true_found: list[str] = []
    lines = []
    for study in studies:
        candidates = candidate_allocations(study.animals, study.method)
        truth = mask_of(study.animals, study.first_arm)
        assert truth in set(candidates), f"{study.name}: the enumeration of {study.method} misses the truth"
        found = search(study.animals, candidates, evidence, study.name)
        rates.append(found.rate)
        seed = "user seed" if study.seed is not None else "system seed"
        line = (
            f"{study.name} ({study.method}, {len(study.animals)} mice, {seed}): "
            f"{len(candidates)} candidates, {found.rate:.2%} found"
        )
        if found.allocation_found(truth):
            true_found.append(study.name)
            strongest = evidence.records[found.strongest(truth) or 0]
            line += (
                f"; TRUE allocation found in {len(found.records_of(truth))} records, "
                f"most strongly in {strongest[:300]!r}"
            )
        lines.append(line)
    expected = sum(rates)
    p_value = chance_of_at_least(rates, len(true_found))
    assert p_value >= SIGNIFICANCE, (
        f"the true allocation was found in {len(true_found)} of {len(studies)} studies, where candidates "
        f"drawn at random would be found in {expected:.2f} (p = {p_value:.2g}):\n" + "\n".join(lines)
    )
