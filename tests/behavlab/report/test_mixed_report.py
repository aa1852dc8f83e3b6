"""The report's SPT mixed model with the study's non-randomized factor and cohorts."""

from dataclasses import replace

from behavlab.report.blocks import Table
from behavlab.report.group_results import analyse, mixed_result
from tests.behavlab.report import synthetic_report


def test_the_spt_mixed_model_gets_the_factor_interactions_and_the_cohort_block() -> None:
    data = synthetic_report()
    data = replace(
        data,
        factor_name="stress",
        animals=tuple(
            replace(animal, factor_level=("control", "CUS")[i // 2 % 2], cohort=f"wave {i // 12 + 1}")
            for i, animal in enumerate(data.animals)
        ),
    )
    analysis = analyse(data)
    assert analysis is not None and analysis.repeated
    model = analysis.repeated[0].model
    assert [test.term for test in model.design_tests] == ["arm x stress", "arm x period x stress", "cohort"]
    assert "arm x period x stress" in model.method and "cohort as an additive fixed block" in model.method
    tables = [block for block in mixed_result(data, analysis.repeated[0]) if isinstance(block, Table)]
    assert [row[0] for row in tables[-1].rows] == ["arm x stress", "arm x period x stress", "cohort"]
    assert "as an additive fixed block" in tables[-1].caption


def test_a_study_without_factor_or_cohorts_keeps_its_mixed_model() -> None:
    analysis = analyse(synthetic_report())
    assert analysis is not None
    model = analysis.repeated[0].model
    assert model.design_tests == () and (model.factor_levels, model.cohorts) == ((), ())
