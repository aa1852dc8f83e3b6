"""The inference attacker: which animals share an arm, read from numbers a program printed about a group.

Before unmasking, a technician can read the database (but not the sealed ciphertext), everything the CLI
and the TUI show and every file the tool writes. If any of it holds a per-arm aggregate (an arm's mean body
weight, its SD, its cage count...), the attacker enumerates every allocation the design allows, computes the
same aggregates for each candidate group of animals, and keeps the candidates whose numbers turn up.

This module is that attacker, in four parts:

- `candidate_allocations`: every allocation (the animals of the first arm, as a bit mask over the animals in
  label order) a randomization method can produce for a roster, never leaving out one it could draw;
- `group_statistics`: a fixed list of statistics of one group (`STATISTICS`), each rendered the ways a program
  would print it (`renderings`: full precision, ``:g`` and rounded to 0-3 decimals);
- `Evidence`: the records a technician can read (database rows, output lines, file lines, JSON objects, screen
  lines), indexed by the number tokens each holds (`number_tokens`);
- `search`: where each candidate group meets the study's records, after dropping the renderings that many
  candidates share (a number every candidate has says nothing). A group is *found* (`Search.found`) when one
  record holds two of its statistics, by two different numbers; `Search.information` weighs the match by how
  few candidates share it, as an attacker ranking the candidates would.

`chance_of_at_least` then says how surprising the true allocations' finds are against the candidates' rates.
"""

from __future__ import annotations

import html
import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, product
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import create_engine, inspect, text

from cohorts.randomization import DEFAULT_BLOCK_MULTIPLES

#: The statistics computed for every candidate group (ages in days and in weeks), in this order.
STATISTICS = (
    "n",
    "weight sum",
    "weight mean",
    "weight SD",
    "weight median",
    "age sum",
    "age mean",
    "age SD",
    "age median",
    "females",
    "males",
    "cages",
)
DECIMALS = (0, 1, 2, 3)
DAYS_PER_WEEK = 7
#: A rendering shared by more than this fraction of the candidate groups carries no information: dropped.
SHARED_BY = 0.2
#: A number standing alone: not part of a word, an ID like M001, a blind code or a hex digest.
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.]*\w)")
#: Dates and times (ISO dates, clock times with seconds and fractions, UTC offsets): calendar numbers.
CALENDAR = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2})?")
#: Where a rendered HTML line ends (a table row, list item, paragraph, heading, caption, line break), and
#: any tag: an HTML file is read line by line as a browser shows it, not as one line of markup.
BLOCK_END = re.compile(
    r"<br\s*/?>|</(?:tr|li|p|h[1-6]|caption|div|table|thead|tbody|section|ul|ol|dt|dd)>", re.I
)
TAG = re.compile(r"<[^>]*>")
#: The one column a technician cannot read: the sealed key's ciphertext.
SEALED = ("sealedkey", "ciphertext")


@dataclass(frozen=True)
class Animal:
    """What the attacker knows of one animal from the clear roster: sex, cage, baseline weight and age, and
    its level of the study's non-randomized factor ("" when the study has none)."""

    label: str
    sex: str
    cage: str
    weight_g: float
    age_days: int
    level: str = ""


def renderings(value: float) -> set[str]:
    """The ways a program would print a number: repr/str, ``:g``, and rounded to 0, 1, 2 and 3 decimals."""
    if isinstance(value, int):
        return {str(value)}
    shown = {repr(value), f"{value:g}"}
    for decimals in DECIMALS:
        rounded = round(value, decimals)
        shown |= {f"{value:.{decimals}f}", repr(rounded), f"{rounded:g}"}
    if value.is_integer():
        shown.add(str(int(value)))
    return shown


def _described(values: Sequence[float]) -> dict[str, list[float]]:
    """Sum, mean, SD and median of some values (mean, sum and SD each computed the two usual ways)."""
    if not values:
        return {}
    mean = sum(values) / len(values)
    described: dict[str, list[float]] = {
        "sum": [math.fsum(values), sum(values)],
        "mean": [statistics.fmean(values), mean],
        "median": [statistics.median(values)],
    }
    if len(values) > 1:
        naive = math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))
        described["SD"] = [statistics.stdev(values), naive]
    return described


def group_statistics(members: Sequence[Animal]) -> dict[str, set[str]]:
    """Every statistic of `STATISTICS` the group has (no SD of one animal, nothing of none), each as the set
    of its renderings."""
    found: dict[str, set[str]] = {
        "n": {str(len(members))},
        "females": {str(sum(animal.sex == "F" for animal in members))},
        "males": {str(sum(animal.sex == "M" for animal in members))},
        "cages": {str(len({animal.cage for animal in members}))},
    }
    for name, values, units in (
        ("weight", [animal.weight_g for animal in members], (1,)),
        ("age", [animal.age_days for animal in members], (1, DAYS_PER_WEEK)),
    ):
        for statistic, computed in _described(values).items():
            found[f"{name} {statistic}"] = {
                shown
                for value in computed
                for unit in units
                for shown in renderings(value if unit == 1 else value / unit)
            }
    return {statistic: found[statistic] for statistic in STATISTICS if statistic in found}


def _balanced_choices(units: Sequence[int], max_difference: int) -> Iterator[int]:
    """Masks of the units (each a mask of animals) given to the first arm, arm sizes in units differing by at
    most `max_difference`."""
    for size in range(len(units) + 1):
        if abs(2 * size - len(units)) <= max_difference:
            for chosen in combinations(units, size):
                yield sum(chosen)


def _by_stratum(animals: Sequence[Animal], stratum: Callable[[Animal], object]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, animal in enumerate(animals):
        groups.setdefault(str(stratum(animal)), []).append(1 << index)
    return groups


def _within_strata(strata: Mapping[str, Sequence[int]], max_difference: int) -> list[int]:
    per_stratum = [list(_balanced_choices(units, max_difference)) for _, units in sorted(strata.items())]
    return sorted({sum(parts) for parts in product(*per_stratum)})


def candidate_allocations(
    animals: Sequence[Animal], method: str, strata: Sequence[str] = ("sex",)
) -> list[int]:
    """Every allocation of two arms the method can produce: the first arm's animals as a mask over `animals`.

    Permuted blocks (``block`` within each level of the study's factor, ``stratified-block`` within each
    stratum and factor level, ``cage-cluster`` with cages as units within each sex and factor level) leave the
    arms at most half the largest block apart, when the last block is cut short; ``complete`` makes them
    differ by at most one; ``minimization`` can produce any split.
    """
    widest = max(DEFAULT_BLOCK_MULTIPLES)
    if method == "complete":
        return sorted(_balanced_choices([1 << i for i in range(len(animals))], len(animals) % 2))
    if method == "block":
        return _within_strata(_by_stratum(animals, lambda animal: animal.level), widest)
    if method == "stratified-block":
        return _within_strata(
            _by_stratum(animals, lambda animal: (*(getattr(animal, f) for f in strata), animal.level)), widest
        )
    if method == "cage-cluster":
        cages: dict[str, int] = {}
        stratum_of: dict[str, str] = {}
        for index, animal in enumerate(animals):
            cages[animal.cage] = cages.get(animal.cage, 0) | 1 << index
            stratum_of[animal.cage] = f"{animal.sex} {animal.level}"
        units: dict[str, list[int]] = {}
        for cage, mask in sorted(cages.items()):
            units.setdefault(stratum_of[cage], []).append(mask)
        return _within_strata(units, widest)
    if method == "minimization":
        return list(range(1 << len(animals)))
    raise ValueError(f"no candidate enumeration for method {method!r}")


def mask_of(animals: Sequence[Animal], first_arm: Iterable[str]) -> int:
    """The mask of the animals named in `first_arm`."""
    position = {animal.label: index for index, animal in enumerate(animals)}
    return sum(1 << position[label] for label in first_arm)


def number_tokens(text_: str) -> set[str]:
    """The numbers standing alone in a text, exactly as written, dates and clock times left out."""
    return set(NUMBER.findall(CALENDAR.sub(" ", text_)))


def json_objects(document: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a parsed document, nested ones too."""
    if isinstance(document, dict):
        yield document
        for value in document.values():
            yield from json_objects(value)
    elif isinstance(document, list):
        for value in document:
            yield from json_objects(value)


def _json_records(text_: str) -> list[str]:
    """Each JSON object of a text that is a JSON document (nothing when it is not)."""
    stripped = text_.strip()
    if not stripped.startswith(("{", "[")):
        return []
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        return []
    return [json.dumps(obj) for obj in json_objects(document)]


def database_records(url: str) -> list[tuple[str | None, str]]:
    """Each row of every table and each JSON object stored in a cell, with the study the row belongs to
    (through its foreign keys; ``None`` for rows of no study). Left out are the sealed ciphertext and the keys
    (row numbers the database assigns, not data about the animals)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables: dict[str, tuple[list[str], list[Any], list[dict[str, Any]]]] = {}
            for table in inspector.get_table_names():
                primary = inspector.get_pk_constraint(table)["constrained_columns"]
                foreign = inspector.get_foreign_keys(table)
                rows = [dict(row) for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings()]
                tables[table] = (primary, foreign, rows)
    finally:
        engine.dispose()
    by_key = {
        (table, tuple(row[column] for column in primary)): row
        for table, (primary, _, rows) in tables.items()
        if primary
        for row in rows
    }

    def study_of(table: str, row: dict[str, Any]) -> str | None:
        if table == "study":
            return str(row["name"])
        for foreign in tables[table][1]:
            key = tuple(row[column] for column in foreign["constrained_columns"])
            referred = by_key.get((foreign["referred_table"], key))
            if referred is not None and (found := study_of(foreign["referred_table"], referred)) is not None:
                return found
        return None

    records: list[tuple[str | None, str]] = []
    for table, (primary, foreign, rows) in tables.items():
        keys = set(primary) | {column for key in foreign for column in key["constrained_columns"]}
        for row in rows:
            study = study_of(table, row)
            cells = [
                value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                for column, value in row.items()
                if (table, column) != SEALED and not (column in keys and isinstance(value, int))
            ]
            records.append((study, f"{table}: " + " | ".join(cells)))
            records += [(study, record) for cell in cells for record in _json_records(cell)]
    return records


def file_records(path: Path) -> list[str]:
    """Each line of a written file (XLSX: each row; HTML: each line as shown), and each JSON object of a JSON
    file."""
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            return [
                ",".join("" if cell is None else str(cell) for cell in row)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
            ]
        finally:
            workbook.close()
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    if path.suffix in (".html", ".htm", ".svg"):
        content = html.unescape(TAG.sub(" ", BLOCK_END.sub("\n", content)))
    records = [path.name, *content.splitlines()]
    if path.suffix == ".json":
        records += _json_records(content)
    return records


class Evidence:
    """The records a technician can read, each with the study it concerns (``None``: any or none), indexed by
    the number tokens in each. A study's candidates are looked for in its own records and in those of no
    study: another study's records hold other animals' numbers, which only add coincidences."""

    def __init__(self) -> None:
        self.records: list[str] = []
        self.studies: list[str | None] = []
        self.index: dict[str, set[int]] = {}

    def add(self, records: Iterable[str], study: str | None = None) -> None:
        """Add records (text; each is one unit in which statistics must occur together) of one study."""
        for record in records:
            number = len(self.records)
            self.records.append(record)
            self.studies.append(study)
            for token in number_tokens(record):
                self.index.setdefault(token, set()).add(number)

    def add_naming(self, records: Iterable[str], studies: Sequence[str]) -> None:
        """Add records of any study, each given to the one study it names (if it names exactly one)."""
        names = {name: re.compile(re.escape(name) + r"(?!\w)") for name in studies}
        for record in records:
            named = [name for name, pattern in names.items() if pattern.search(record)]
            self.add([record], named[0] if len(named) == 1 else None)

    def concerns(self, record: int, study: str | None) -> bool:
        """Whether a record may hold numbers about the study."""
        return self.studies[record] in (None, study)


Edge = tuple[str, str]  # a statistic and one of its renderings


@dataclass(frozen=True)
class Search:
    """Where each group of a study's candidate allocations (both arms) meets a record: for each group, the
    records holding more than one of its renderings, with the (statistic, number) pairs they hold."""

    allocations: list[int]
    full: int
    edges: dict[int, dict[int, list[Edge]]]  # group mask -> record -> (statistic, number) pairs
    shares: dict[Edge, float]  # the fraction of the groups having each rendering

    def found(self, group: int) -> frozenset[int]:
        """The records holding two of the group's statistics (two different numbers for two statistics)."""
        return _records_found(self.edges[group])

    def allocation_found(self, first_arm: int) -> bool:
        """Whether either arm of an allocation was found."""
        return bool(self.records_of(first_arm))

    def records_of(self, first_arm: int) -> frozenset[int]:
        """The records in which either arm of this allocation was found."""
        return self.found(first_arm) | self.found(self.full ^ first_arm)

    @property
    def rate(self) -> float:
        """The fraction of candidate allocations found: the chance of one drawn at random."""
        return sum(self.allocation_found(mask) for mask in self.allocations) / len(self.allocations)

    def information(self, first_arm: int) -> float:
        """How strongly one record points at one arm of this allocation, in bits (see `strongest`)."""
        return max((bits for _, bits in self._weighed(first_arm)), default=0.0)

    def strongest(self, first_arm: int) -> int | None:
        """The record pointing most strongly at one arm of this allocation: the one where the arm's statistics
        it holds, each statistic and each number used once (a greedy matching, rarest renderings first), sum
        the most -log2(share of the groups having the rendering)."""
        weighed = list(self._weighed(first_arm))
        return max(weighed, key=lambda pair: pair[1])[0] if weighed else None

    def _weighed(self, first_arm: int) -> Iterator[tuple[int, float]]:
        for group in (first_arm, self.full ^ first_arm):
            for record, edges in self.edges[group].items():
                used: set[str] = set()
                bits = 0.0
                for edge in sorted(edges, key=lambda edge: self.shares[edge]):
                    if edge[0] not in used and edge[1] not in used:
                        used.update(edge)
                        bits -= math.log2(self.shares[edge])
                yield record, bits


def search(
    animals: Sequence[Animal], allocations: Sequence[int], evidence: Evidence, study: str | None = None
) -> Search:
    """Match the statistics of both arms of every candidate allocation against the study's records.

    A rendering shared by more than `SHARED_BY` of the groups is dropped first: it says nothing about which
    group a record describes.
    """
    full = (1 << len(animals)) - 1
    groups = sorted(set(allocations) | {full ^ mask for mask in allocations})
    edges, shares = _group_edges(animals, groups, evidence, study)
    return Search(list(allocations), full, edges, shares)


@dataclass(frozen=True)
class ArmsSearch:
    """Where each arm of a study's candidate allocations of three or more arms meets a record.

    An allocation is one mask per arm; it is found when any of its arms is (`Search.found`'s rule). The
    candidates are allocations drawn by the study's own randomization with other seeds: the rate at which they
    are found is the chance the true allocation is found by coincidence.
    """

    allocations: list[tuple[int, ...]]
    edges: dict[int, dict[int, list[Edge]]]

    def found(self, group: int) -> frozenset[int]:
        """The records holding two of the group's statistics (two different numbers for two statistics)."""
        return _records_found(self.edges[group])

    def records_of(self, arms: tuple[int, ...]) -> frozenset[int]:
        """The records in which any arm of this allocation was found."""
        return frozenset().union(*(self.found(group) for group in arms))

    @property
    def rate(self) -> float:
        """The fraction of candidate allocations found: the chance of one drawn at random."""
        return sum(bool(self.records_of(arms)) for arms in self.allocations) / len(self.allocations)


def search_arms(
    animals: Sequence[Animal],
    allocations: Sequence[tuple[int, ...]],
    evidence: Evidence,
    study: str | None = None,
) -> ArmsSearch:
    """Match the statistics of every arm of every candidate allocation (one mask per arm) against the records,
    renderings shared by more than `SHARED_BY` of the groups dropped first (as `search`)."""
    groups = sorted({group for arms in allocations for group in arms})
    edges, _ = _group_edges(animals, groups, evidence, study)
    return ArmsSearch(list(allocations), edges)


def _group_edges(
    animals: Sequence[Animal], groups: Sequence[int], evidence: Evidence, study: str | None
) -> tuple[dict[int, dict[int, list[Edge]]], dict[Edge, float]]:
    """For each group, the records holding more than one of its informative renderings; and each rendering's
    share of the groups."""
    present: dict[int, list[Edge]] = {}
    shared: Counter[Edge] = Counter()
    for mask in groups:
        members = [animal for index, animal in enumerate(animals) if mask >> index & 1]
        hits = [
            (statistic, shown)
            for statistic, renderings_ in group_statistics(members).items()
            for shown in renderings_
            if shown in evidence.index
        ]
        shared.update(hits)
        present[mask] = hits
    limit = SHARED_BY * len(groups)
    edges: dict[int, dict[int, list[Edge]]] = {}
    for mask, hits in present.items():
        edges_by_record: dict[int, list[Edge]] = {}
        for edge in hits:
            if shared[edge] <= limit:
                for record in evidence.index[edge[1]]:
                    if evidence.concerns(record, study):
                        edges_by_record.setdefault(record, []).append(edge)
        edges[mask] = {record: pairs for record, pairs in edges_by_record.items() if len(pairs) > 1}
    return edges, {edge: count / len(groups) for edge, count in shared.items()}


def _records_found(edges_by_record: Mapping[int, Sequence[Edge]]) -> frozenset[int]:
    """The records holding two of a group's statistics by two different numbers."""
    return frozenset(record for record, edges in edges_by_record.items() if _two_statistics_apart(edges))


def _two_statistics_apart(edges: Sequence[Edge]) -> bool:
    """Whether two of these (statistic, number) pairs differ in both the statistic and the number.

    One number matching a group's mean and its median is one number, and two renderings of its mean are one
    statistic. The pairs differ in both unless every pair shares one statistic or every pair shares one
    number (a bipartite graph has two disjoint edges unless all its edges meet in one vertex, which must then
    be one of the first edge's two).
    """
    first_statistic, first_number = edges[0]
    return any(statistic != first_statistic for statistic, _ in edges) and any(
        number != first_number for _, number in edges
    )


def chance_of_at_least(rates: Sequence[float], observed: int) -> float:
    """P(at least `observed` successes) in independent trials with these success rates (Poisson binomial)."""
    distribution = [1.0]
    for rate in rates:
        following = [0.0] * (len(distribution) + 1)
        for successes, probability in enumerate(distribution):
            following[successes] += probability * (1 - rate)
            following[successes + 1] += probability * rate
        distribution = following
    return math.fsum(distribution[observed:])
