"""The inference attack of issue 12: no number a technician can read tells which animals share an arm.

Thirty small studies (8-16 mice; two arms, and dose-response studies of three and four arms; every
randomization method; seeds drawn by the system or typed by the user; every other one with a non-randomized
stress factor in its cages) are built in one database up to the point where outcomes would start: roster
with dates of birth and single-sex cages, baseline weights, allocation drawn and sealed, dosing sheets
written. Then everything a technician can read is collected as records: every database row except the sealed
ciphertext (and each JSON object stored in a cell), each line printed by the CLI commands that run before
outcomes, each line of every file written (the inputs, the dosing sheets, the blind report; each JSON object
of a JSON file) and each line of the terminal app's screens for one study.

For each two-arm study the attacker of `tests.behavlab.inference` enumerates every allocation the design
allows (for three or four arms, too many to list, the study's own randomization drawn with `SAMPLED_SEEDS`
other seeds stands for them) and, for every arm of each, looks for two of the group's statistics (n; sum,
mean, SD and median of baseline weight and of age; females, males, cages; at full precision and rounded to
0-3 decimals) in one record. Random coincidences find many candidates, so the true allocation must only not be
found more often than a candidate drawn at random: over the thirty studies, the number of true allocations
found may not exceed what the candidates' rates make plausible (one-sided p >= 0.001, Poisson binomial).

Numbers that cannot be a statistic printed about a group are not read as one, or the coincidences would drown
everything: the digits of dates and clock times, of IDs, codes and digests, and the database's keys. A study's
candidates are looked for in the records of that study and in records of none (another study's rows hold
other animals' numbers); one number matching two statistics (mean and median both 21.3) counts once.
"""

from __future__ import annotations

import random
import re
import statistics
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
    parse_arms,
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
    search_arms,
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
#: (method, number of mice, user seed or None, number of arms): the dose-response studies, every method with
#: three and with four arms.
MULTI_ARM_PLAN = (
    ("complete", 12, None, 3),
    ("complete", 14, 77, 4),
    ("block", 12, 8, 3),
    ("block", 16, None, 4),
    ("stratified-block", 13, None, 3),
    ("stratified-block", 16, 6, 4),
    ("cage-cluster", 14, 2025, 3),
    ("cage-cluster", 16, None, 4),
    ("minimization", 12, None, 3),
    ("minimization", 15, 3, 4),
)
#: The arms of a dose-response study of three or four arms (vehicle, 3, 10 and 30 mg/kg).
DOSE_RESPONSE = ("vehicle:saline:0", "low:ketamine:3", "mid:ketamine:10", "top:ketamine:30")
#: How many other draws of a three- or four-arm study's randomization stand for the allocations it allows.
SAMPLED_SEEDS = 150
#: The study a written file belongs to, by the number in its name (roster-03.csv, study-03/report.html).
OWNER = re.compile(r"(?:roster|weights|study)-(\d{2})")
#: The non-randomized between-animal factor of every other study, a stratum of every method.
STRESS = "stress"
#: The true allocations may be found no more often than this improbable under the candidates' rates.
SIGNIFICANCE = 1e-3


@dataclass(frozen=True)
class BuiltStudy:
    """One randomized study: its design, the animals as the attacker sees them, the true arms (the animals of
    each), and for three or more arms the allocations drawn with other seeds."""

    name: str
    method: str
    seed: int | None
    animals: list[Animal]
    arms: tuple[frozenset[str], ...]
    code: str  # one animal's blind code
    sampled: tuple[tuple[frozenset[str], ...], ...] = ()

    @property
    def first_arm(self) -> frozenset[str]:
        """The animals of the first arm."""
        return self.arms[0]


def _roster(draws: random.Random, n_animals: int, today: date, stressed: bool) -> list[dict[str, str]]:
    """Mice of both sexes in single-sex cages of 2-4, born 8-13 weeks ago, labels and cages without digits
    standing alone; when `stressed`, each cage of one level of the non-randomized factor `STRESS`."""
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
                    **({STRESS: ("CUS", "control")[cage % 2]} if stressed else {}),
                }
            )
    return rows


def _weights(draws: random.Random, rows: list[dict[str, str]]) -> dict[str, float]:
    """Baseline body weights to 0.1 g, as a lab balance prints them."""
    mean = {"F": 20.5, "M": 25.0}
    return {row["animal_id"]: round(draws.gauss(mean[row["sex"]], 1.6), 1) for row in rows}


def _groups(assignment: dict[str, int], n_arms: int) -> tuple[frozenset[str], ...]:
    """The animals of each arm of an allocation."""
    return tuple(
        frozenset(label for label, arm in assignment.items() if arm == index) for index in range(n_arms)
    )


def _name(index: int) -> str:
    """A study's name: two letters, no digit (a number in a name would read as a statistic)."""
    return "inference " + chr(ord("a") + index // 26) + chr(ord("a") + index % 26)


def _build(url: str, folder: Path) -> tuple[list[BuiltStudy], date]:
    """The studies of `PLAN` and `MULTI_ARM_PLAN`, randomized and sealed, weighed the morning before."""
    workspace = open_workspace(url, actor="key holder")
    now = datetime.now().astimezone()
    today = now.date()
    weighed_at = datetime.combine(today - timedelta(days=1), time(9, 0), now.tzinfo)
    built = []
    designs = [(method, n_animals, seed, 2) for method, n_animals, seed in PLAN] + list(MULTI_ARM_PLAN)
    for index, (method, n_animals, seed, n_arms) in enumerate(designs):
        name = _name(index)
        draws = random.Random(index)
        stressed = index % 2 == 1
        rows = _roster(draws, n_animals, today, stressed)
        weights = _weights(draws, rows)
        arms = parse_arms(DOSE_RESPONSE[:n_arms]) if n_arms > 2 else None
        create_study(workspace, StudySettings(name=name, factor_name=STRESS if stressed else None, arms=arms))
        import_roster(workspace, name, write_csv(folder / f"roster-{index:02d}.csv", rows))
        record_weights(
            workspace, name, write_weights(folder / f"weights-{index:02d}.csv", weights, weighed_at)
        )
        sampled = tuple(
            _groups(dict(draft_randomization(workspace, name, options).allocation.assignment), n_arms)
            for options in (
                RandomizationOptions(method=method, seed=other, bare_seed=True, no_protocol=True)
                for other in range(SAMPLED_SEEDS if n_arms > 2 else 0)
            )
        )
        draft = draft_randomization(
            workspace, name, RandomizationOptions(method=method, seed=seed, no_protocol=True)
        )
        codes = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes
        animals = [
            Animal(
                label=row["animal_id"],
                sex=row["sex"],
                cage=row["cage"],
                weight_g=weights[row["animal_id"]],
                age_days=(today - date.fromisoformat(row["dob"])).days,
                level=row.get(STRESS, ""),
            )
            for row in sorted(rows, key=lambda row: row["animal_id"])
        ]
        truth = _groups(dict(draft.allocation.assignment), n_arms)
        built.append(BuiltStudy(name, method, seed, animals, truth, min(codes.values()), sampled))
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
        attack = _attack_arms if len(study.arms) > 2 else _attack_two_arms
        rate, n_candidates, found_in, strongest = attack(study, evidence)
        rates.append(rate)
        seed = "user seed" if study.seed is not None else "system seed"
        line = (
            f"{study.name} ({study.method}, {len(study.arms)} arms, {len(study.animals)} mice, {seed}): "
            f"{n_candidates} candidates, {rate:.2%} found"
        )
        if found_in:
            true_found.append(study.name)
            line += (
                f"; TRUE allocation found in {len(found_in)} records, "
                f"most strongly in {evidence.records[strongest][:300]!r}"
            )
        lines.append(line)
    expected = sum(rates)
    p_value = chance_of_at_least(rates, len(true_found))
    assert p_value >= SIGNIFICANCE, (
        f"the true allocation was found in {len(true_found)} of {len(studies)} studies, where candidates "
        f"drawn at random would be found in {expected:.2f} (p = {p_value:.2g}):\n" + "\n".join(lines)
    )


def _attack_two_arms(study: BuiltStudy, evidence: Evidence) -> tuple[float, int, frozenset[int], int]:
    """The rate at which candidates are found, their number, the records finding the truth, the strongest."""
    candidates = candidate_allocations(study.animals, study.method)
    truth = mask_of(study.animals, study.first_arm)
    assert truth in set(candidates), f"{study.name}: the enumeration of {study.method} misses the truth"
    found = search(study.animals, candidates, evidence, study.name)
    return found.rate, len(candidates), found.records_of(truth), found.strongest(truth) or 0


def _attack_arms(study: BuiltStudy, evidence: Evidence) -> tuple[float, int, frozenset[int], int]:
    """As `_attack_two_arms` for three or more arms: the candidates are the truth and the sampled draws."""
    truth = tuple(mask_of(study.animals, group) for group in study.arms)
    candidates = [truth, *(tuple(mask_of(study.animals, group) for group in arms) for arms in study.sampled)]
    assert len(set(candidates)) > len(candidates) // 2, f"{study.name}: the draws hardly differ"
    found = search_arms(study.animals, candidates, evidence, study.name)
    records = found.records_of(truth)
    return found.rate, len(candidates), records, min(records, default=0)


def test_the_attacker_of_three_arms_finds_an_arm_whose_statistics_leak() -> None:
    draws = random.Random(3)
    animals = [
        Animal(f"A{index:03d}", "FM"[index % 2], f"c{index // 3}", round(draws.gauss(22, 2), 1), 60 + index)
        for index in range(12)
    ]

    def partition(order: list[int]) -> tuple[int, ...]:
        return tuple(sum(1 << index for index in order[arm::3]) for arm in range(3))

    truth = partition(list(range(12)))
    candidates = [truth]
    for _ in range(200):
        order = list(range(12))
        draws.shuffle(order)
        candidates.append(partition(order))
    leaked = [animal.weight_g for index, animal in enumerate(animals) if truth[2] >> index & 1]
    evidence = Evidence()
    evidence.add([f"arm 3: n 4, weight {sum(leaked) / 4:.2f} g +- {statistics.stdev(leaked):.2f}"], "s")
    found = search_arms(animals, candidates, evidence, "s")
    assert found.records_of(truth) == {0}, "the leaked arm is found"
    assert found.rate < 0.1, "few candidates share its numbers"
