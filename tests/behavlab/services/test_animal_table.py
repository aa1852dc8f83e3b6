"""The animals listed in one query: baselines in time order, voided weights left out, the latest exclusion."""

from datetime import timedelta
from pathlib import Path

from behavlab.services import (
    StudySettings,
    Workspace,
    create_study,
    exclude_animal,
    list_animals,
    record_weights,
    void_record,
)
from behavlab.services.animal_table import AnimalLine, list_animal_lines
from behavlab.services.animals import record_weight
from behavlab.services.void_targets import latest_weight
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
