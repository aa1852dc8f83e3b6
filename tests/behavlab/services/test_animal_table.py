"""The animals listed in one query: baselines in time order, voided weights left out, the latest exclusion;
filtered and sorted by the database."""

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from behavlab.services import (
    StudySettings,
    Workspace,
    create_study,
    exclude_animal,
    import_roster,
    list_animals,
    record_weights,
    void_record,
)
from behavlab.services.animal_table import AnimalLine, list_animal_lines
from behavlab.services.animal_view import AnimalOrder, AnimalView
from behavlab.services.animals import record_weight
from behavlab.services.void_targets import latest_weight
from cohorts.synth import synthetic_roster, write_roster_csv
from tests.behavlab.factories import write_weights
from tests.behavlab.randomized_study import RandomizedStudy


def test_the_screen_lines_show_what_list_animals_lists_after_back_entries_voids_and_exclusions(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    name = randomized.name
    before = {animal.label: animal for animal in list_animals(workspace, name)}
    earlier = randomized.weighed_at - timedelta(days=2)
    back_entry = write_weights(tmp_path / "back.csv", {"M001": 30.0}, earlier)
    record_weights(workspace, name, back_entry, back_entry=True)
    record_weight(workspace, name, "M001", 20.0)
    record_weight(workspace, name, "F001", 12.0)
    void_record(workspace, name, "weight", latest_weight(workspace, name, "F001").record_id, "typo")
    exclude_animal(workspace, name, "F002", "fight wound", criterion_set_a_priori=True)
    exclude_animal(workspace, name, "F002", "lost its ear tag", criterion_set_a_priori=False)

    statuses = list_animals(workspace, name)
    by_label = {animal.label: animal for animal in statuses}
    m001, f001, f002 = by_label["M001"], by_label["F001"], by_label["F002"]
    assert (m001.baseline_weight_g, m001.last_weight_g, m001.weight_loss_flag) == (30.0, 20.0, True)
    assert (f001.last_weight_g, f001.weight_loss_flag) == (before["F001"].last_weight_g, False)
    assert f001.last_weighed_at == before["F001"].last_weighed_at
    assert f002.exclusion_reason == "lost its ear tag"
    assert m001.blind_code == randomized.codes["M001"] and m001.cage == before["M001"].cage
    assert [animal.label for animal in statuses] == sorted(randomized.codes)
    assert list_animal_lines(workspace, name) == [
        AnimalLine(
            animal.label,
            animal.blind_code,
            animal.cage,
            animal.sex,
            animal.last_weight_g,
            animal.weight_loss_flag,
            animal.exclusion_reason,
        )
        for animal in statuses
    ]


def test_each_animal_is_one_line_however_often_it_was_weighed(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    for grams in (24.0, 24.5, 25.0):
        record_weight(workspace, randomized.name, "M002", grams)
    lines = list_animal_lines(workspace, randomized.name)
    assert [line.label for line in lines] == sorted(randomized.codes)
    assert [line.last_weight_g for line in lines if line.label == "M002"] == [25.0]
    create_study(workspace, StudySettings(name="empty"))
    assert list_animal_lines(workspace, "empty") == []


def _sorted_oracle(lines: list[AnimalLine], value: Callable[[AnimalLine], Any]) -> list[str]:
    """Labels sorted by `value` ascending, animals without one last, ties by label."""
    return [
        line.label
        for line in sorted(lines, key=lambda line: (value(line) is None, value(line) or 0, line.label))
    ]


def test_the_database_sorts_by_each_column_with_animals_lacking_a_value_last(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    name = randomized.name
    record_weight(workspace, name, "M002", 19.5)
    void_record(workspace, name, "weight", latest_weight(workspace, name, "F001").record_id, "typo")
    lines = list_animal_lines(workspace, name)
    assert {line.label: line.last_weight_g for line in lines}["F001"] is None
    columns: dict[AnimalOrder, Callable[[AnimalLine], Any]] = {
        AnimalOrder.ANIMAL: lambda line: line.label,
        AnimalOrder.CODE: lambda line: line.blind_code,
        AnimalOrder.CAGE: lambda line: line.cage,
        AnimalOrder.SEX: lambda line: line.sex,
        AnimalOrder.WEIGHT: lambda line: line.last_weight_g,
    }
    for order, value in columns.items():
        shown = list_animal_lines(workspace, name, AnimalView(order=order))
        assert sorted(shown) == sorted(lines), order  # the same lines, only reordered
        assert [line.label for line in shown] == _sorted_oracle(lines, value), order
    by_weight = [
        line.label for line in list_animal_lines(workspace, name, AnimalView(order=AnimalOrder.WEIGHT))
    ]
    assert by_weight[-1] == "F001", "no live weight: last"


def test_the_database_keeps_the_animals_whose_id_code_or_cage_holds_the_text_in_any_case(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    name = randomized.name
    lines = list_animal_lines(workspace, name)
    code = randomized.codes["M003"]
    cage = next(line.cage for line in lines if line.label == "F002")
    assert cage is not None
    for text in ("m00", code[1:4].lower(), f"  {cage.lower()} ", "F004"):
        needle = text.strip().lower()
        expected = [
            line
            for line in lines
            if any(needle in (value or "").lower() for value in (line.label, line.blind_code, line.cage))
        ]
        view = AnimalView(matching=text)
        assert view.narrowed and expected
        assert list_animal_lines(workspace, name, view) == expected, text
    for wildcard in ("%", "_", "F%1"):
        assert list_animal_lines(workspace, name, AnimalView(matching=wildcard)) == [], "matched as typed"
    assert not AnimalView(matching="  ").narrowed
    assert list_animal_lines(workspace, name, AnimalView(matching="  ")) == lines
    assert list_animal_lines(workspace, name, AnimalView("m0", AnimalOrder.CODE)) == sorted(
        (line for line in lines if line.label.startswith("M0")), key=lambda line: line.blind_code or ""
    )


def test_text_outside_ascii_matches_as_typed_on_every_database(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="käfige"))
    roster = synthetic_roster(4)
    roster[2] = replace(roster[2], cage="Käfig-Ä1")
    import_roster(workspace, "käfige", write_roster_csv(roster, tmp_path / "roster.csv"))
    for typed in ("Käfig-Ä1", "-Ä1", "käfig"):  # ASCII letters in any case; others as stored
        shown = list_animal_lines(workspace, "käfige", AnimalView(matching=typed))
        assert [line.cage for line in shown] == ["Käfig-Ä1"], typed
