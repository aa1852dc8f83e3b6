"""Synthetic rosters: valid for the roster reader, deterministic, single-sex cages of the asked size."""

from collections import Counter
from pathlib import Path

from cohorts.roster import read_roster
from cohorts.synth import synthetic_roster, write_roster_csv


def test_a_synthetic_roster_round_trips_through_the_reader(tmp_path: Path) -> None:
    entries = synthetic_roster(30, per_cage=5, seed=4)
    assert read_roster(write_roster_csv(entries, tmp_path / "r.csv")) == tuple(entries)


def test_it_is_deterministic_balanced_and_caged_by_sex() -> None:
    entries = synthetic_roster(24, per_cage=4, seed=1)
    assert entries == synthetic_roster(24, per_cage=4, seed=1)
    assert entries != synthetic_roster(24, per_cage=4, seed=2)
    assert Counter(e.sex for e in entries) == {"M": 12, "F": 12}
    cages: dict[str, set[str]] = {}
    for entry in entries:
        cages.setdefault(entry.cage, set()).add(entry.sex)
    assert all(len(sexes) == 1 for sexes in cages.values())
    assert Counter(e.cage for e in entries).most_common(1)[0][1] == 4
    assert all(15 < (e.weight_g or 0) < 32 for e in entries)


def test_without_weights_the_column_is_left_out(tmp_path: Path) -> None:
    path = write_roster_csv(synthetic_roster(4, with_weights=False), tmp_path / "r.csv")
    assert path.read_text().splitlines()[0] == "animal_id,ear_tag,sex,strain,dob,cage"
