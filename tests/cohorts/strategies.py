"""Hypothesis strategies for rosters: unique IDs, single-sex cages of 1-5 mice, plausible weights."""

from datetime import date

from hypothesis import strategies as st

from cohorts.roster import RosterEntry


@st.composite
def rosters(draw: st.DrawFn, min_cages: int = 1, max_cages: int = 12) -> list[RosterEntry]:
    """A roster of single-sex cages; IDs are unique and deliberately not in sorted order."""
    n_cages = draw(st.integers(min_cages, max_cages))
    entries = []
    for cage in range(n_cages):
        sex = draw(st.sampled_from("MF"))
        for _ in range(draw(st.integers(1, 5))):
            weight = draw(st.floats(15, 40, allow_nan=False).map(lambda w: round(w, 1)))
            animal_id = f"A{draw(st.integers(0, 10**6)):07d}-{len(entries)}"
            entries.append(
                RosterEntry(animal_id, sex, "C57BL/6J", date(2025, 1, 1), f"cage-{cage}", None, weight)
            )
    return entries
