"""The export tables, blind and unmasked."""

import math

from behavlab.report.exports import (
    animals_table,
    exclusions_table,
    statistics_table,
    tidy_table,
)
from behavlab.report.group_results import analyse
from behavlab.report.measures import IMMOBILITY_OUTCOME
from tests.behavlab.report import synthetic_report


def test_tables_drop_arm_and_label_when_blind() -> None:
    blind, unmasked = synthetic_report(blinded=True), synthetic_report()
    assert "arm" not in tidy_table(blind).columns and "arm" in tidy_table(unmasked).columns
    assert {"arm", "label"}.isdisjoint(animals_table(blind).columns)
    assert {"arm", "label"} <= set(animals_table(unmasked).columns)
    assert "arm" not in exclusions_table(blind).columns
    tidy = tidy_table(unmasked)
    assert len(tidy) == 24 * 6 and tidy.loc[tidy["code"] == "QX23R", "excluded"].all()
    assert not tidy.loc[tidy["code"] == "QX00R", "excluded"].any()


def test_statistics_table_holds_every_reported_number() -> None:
    data = synthetic_report()
    analysis = analyse(data)
    table = statistics_table(data, analysis)
    motion = table.loc[(table["outcome"] == IMMOBILITY_OUTCOME) & (table["method"] == "motion")]
    assert set(motion["part"]) >= {
        "summary",
        "comparison",
        "normality (Shapiro-Wilk)",
        "two-way ANOVA arm x sex",
    }
    [value] = motion.loc[(motion["statistic"] == "n") & (motion["group"] == "ketamine"), "value"]
    assert value == 11
    mixed = table.loc[table["part"] == "mixed model"]
    assert set(mixed["period"]) == {"all periods"} and "arm[ketamine]:period[day 1]" in set(mixed["group"])
    blind = statistics_table(synthetic_report(blinded=True), None)
    assert set(blind["group"]) == {"all animals"} and set(blind["part"]) == {"summary"}
    assert not any(isinstance(v, float) and math.isinf(v) for v in table["value"])
