"""Studies are created with the lab's defaults, validated field by field, unique by name, and audited."""

import pytest
from sqlmodel import SQLModel

from behavlab import models
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.services import StudySettings, Workspace, create_study, get_study, list_events, list_studies
from behavlab.services.study_list import _ANIMAL, _ARM, _STUDY


def test_defaults_are_ketamine_10_mg_per_kg_ip_against_saline_at_10_ml_per_kg(workspace: Workspace) -> None:
    overview = create_study(workspace, StudySettings(name="k1"))
    study = overview.study
    assert (study.compound, study.dose_mg_per_kg, study.route, study.vehicle) == (
        "ketamine",
        10,
        "ip",
        "saline",
    )
    assert (study.volume_ml_per_kg, study.species, study.strain) == (10, "mouse", "C57BL/6J")
    assert [overview.stock_mg_per_ml(arm) for arm in overview.arms] == pytest.approx([0.0, 1.0])
    assert [(a.position, a.name, a.substance, a.dose_mg_per_kg) for a in overview.arms] == [
        (1, "vehicle", "saline", 0.0),
        (2, "ketamine", "ketamine", 10.0),
    ]
    assert [(a.is_reference, a.stock_mg_per_ml) for a in overview.arms] == [(None, None), (None, None)]
    assert overview.reference.name == "vehicle"
    assert study.created_by == "tester"


def test_a_study_is_read_back_by_name_and_listed(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="first", compound="fluoxetine", dose_mg_per_kg=20))
    create_study(workspace, StudySettings(name="second"))
    shown = get_study(workspace, "first")
    assert (shown.study.compound, shown.n_animals, shown.stock_mg_per_ml(shown.arms[1])) == (
        "fluoxetine",
        0,
        2.0,
    )
    listed = list_studies(workspace)
    assert [(o.name, o.compound, o.dose_mg_per_kg, o.n_arms, o.n_animals) for o in listed] == [
        ("first", "fluoxetine", 20.0, 2, 0),
        ("second", "ketamine", 10.0, 2, 0),
    ]
    assert listed[0].created_at == shown.study.created_at and listed[0].created_at.tzinfo is not None


def test_the_study_list_reads_the_columns_the_tables_define() -> None:
    models.load_all()
    lists = {"study": _STUDY, "arm": _ARM, "animal": _ANIMAL}
    for name, listed in lists.items():
        stored = SQLModel.metadata.tables[name]
        for column in listed.c:
            kept = stored.c[column.name].type
            assert isinstance(kept, type(column.type)) or isinstance(kept.impl, type(column.type)), column


def test_duplicate_names_are_refused_and_nothing_is_added(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="dup"))
    with pytest.raises(ConflictError, match="'dup' already exists"):
        create_study(workspace, StudySettings(name="dup"))
    assert len(list_studies(workspace)) == 1
    assert len(list_events(workspace)) == 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (StudySettings(name="  "), "study name"),
        (StudySettings(name="v", volume_ml_per_kg=25), "hard limit of 20"),
        (StudySettings(name="v", volume_ml_per_kg=0), "above 0"),
        (StudySettings(name="d", dose_mg_per_kg=-1), "--dose-mg-per-kg"),
        (StudySettings(name="r", route="oral"), "accepted: ip, sc"),
        (StudySettings(name="c", compound="saline"), "must differ"),
        (StudySettings(name="s", strain=""), "--strain"),
    ],
)
def test_invalid_settings_name_the_field(workspace: Workspace, settings: StudySettings, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        create_study(workspace, settings)
    assert list_studies(workspace) == []


def test_unknown_study_lists_the_known_ones(workspace: Workspace) -> None:
    with pytest.raises(NotFoundError, match="none yet"):
        get_study(workspace, "ghost")
    create_study(workspace, StudySettings(name="real"))
    with pytest.raises(NotFoundError, match="studies: real"):
        get_study(workspace, "ghost")
