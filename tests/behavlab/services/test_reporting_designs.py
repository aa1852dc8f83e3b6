"""The report by design and from the protocol: a 4-arm dose-response study and a stress x drug 2 x 2 in two
cohorts, each declared, randomized under its protocol, tested, scored and unmasked; the pre-declared primary
analysis checked against SciPy and statsmodels called here on the same per-animal values, the blind report
checked for arms and per-arm aggregates."""

from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.block_contrasts import BlockContrasts
from analysis.factorial import FactorialAnalysis
from analysis.multiarm import DUNNETT_SEED, ArmsAnalysis
from analysis.plan import DOSE_TREND, EACH_VS_REFERENCE, TREND_CONTRAST, WELCH_ANOVA_DUNNETT
from behavlab.report.group_results import analyse
from behavlab.report.measures import IMMOBILITY_OUTCOME
from behavlab.report.primary import primary_analysis
from behavlab.services import (
    ProtocolPlan,
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_study,
    declare_protocol,
    draft_randomization,
    exclude_animal,
    import_roster,
    parse_arms,
    record_dose,
    record_manual_score,
    record_weights,
    unmask_study,
    write_study_report,
)
from behavlab.services.reporting import build_report_data
from behavlab.services.scoring_methods import MANUAL_METHOD
from tests.behavlab.factories import baseline_weights, write_roster, write_weights
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE, randomize_study
from tests.behavlab.stress_study import create_stress_study
from tracking.synth.videos import write_fst_video

DOSE_RESPONSE = ("vehicle:saline:0", "ket3:ketamine:3", "ket10:ketamine:10", "ket30:ketamine:30")
ARM_MEANS = {"vehicle": 150.0, "ket3": 130.0, "ket10": 95.0, "ket30": 120.0}
LATE_INDEX = 5
PLAN = ProtocolPlan(
    primary_outcome=IMMOBILITY_OUTCOME,
    primary_method=MANUAL_METHOD,
    smallest_effect_d=1.5,
    test_hours_post_dose=1.0,
    planned_n_per_arm=6,
    exclusion_criteria="injury or failure to swim",
)
#: What would name an arm or give a per-arm aggregate in a blind report.
PER_ARM_WORDS = ("ket3", "ket10", "ket30", "ketamine", "per arm (animals", "sample size per arm", "dunnett p")


def _film_and_score(
    workspace: Workspace, name: str, folder: Path, seconds: dict[str, float], dosed_at: datetime | None
) -> None:
    """Dose (when given a time) and film every animal, one tested an hour late, and score it by hand."""
    base = folder / "base.avi"
    write_fst_video(base, duration_s=1.0, fps=10, size=(64, 48), seed=2)
    for index, (code, value) in enumerate(sorted(seconds.items())):
        video = folder / f"{code}.avi"
        video.write_bytes(base.read_bytes() + index.to_bytes(2, "little"))
        tested_at = None
        if dosed_at is not None:
            dosed = dosed_at + timedelta(minutes=index)
            record_dose(workspace, name, code, at=dosed)
            tested_at = dosed + timedelta(hours=2 if index == LATE_INDEX else 1)
        add_fst_session(workspace, name, code, video, tested_at=tested_at)
        record_manual_score(workspace, name, code, value, "ana")


@pytest.fixture
def dose_response(workspace: Workspace, tmp_path: Path) -> tuple[str, dict[str, str], dict[str, float]]:
    """The 4-arm study with its protocol, randomized under it, dosed, tested and scored; still sealed.

    Returns its name, each code's arm (known to the test only) and each code's seconds immobile.
    """
    create_study(workspace, StudySettings(name="dr", arms=parse_arms(DOSE_RESPONSE)))
    import_roster(workspace, "dr", write_roster(tmp_path / "roster.csv", 24, with_weights=False))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    weighed_at = datetime.combine(yesterday.date(), time(9, 0), yesterday.tzinfo)
    record_weights(workspace, "dr", write_weights(tmp_path / "w.csv", baseline_weights(24), weighed_at))
    declare_protocol(workspace, "dr", PLAN)
    options = RandomizationOptions(method="stratified-block", seed=2024, bare_seed=True)
    draft = draft_randomization(workspace, "dr", options)
    codes = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes
    arm_of = {codes[label]: draft.arms[arm] for label, arm in draft.allocation.assignment.items()}
    draws = np.random.default_rng(11)
    seconds = {code: round(float(draws.normal(ARM_MEANS[arm], 15)), 1) for code, arm in arm_of.items()}
    _film_and_score(workspace, "dr", tmp_path, seconds, weighed_at + timedelta(hours=1))
    return "dr", arm_of, seconds


def test_the_blind_report_of_a_four_arm_study_shows_its_protocol_but_no_arm(
    workspace: Workspace, dose_response: tuple[str, dict[str, str], dict[str, float]], tmp_path: Path
) -> None:
    name, arm_of, _ = dose_response
    files = write_study_report(workspace, name, tmp_path / "blind").files
    markdown = files.markdown.read_text()
    assert "The protocol in force, sealed before randomization" in markdown
    assert "welch-anova+dunnett" in markdown and "Exclusion criteria (protocol): injury" in markdown
    assert "Reached: 24 animals randomized, 0 of them excluded, 24 analysed." in markdown
    assert "per arm is withheld" in markdown
    late = sorted(arm_of)[LATE_INDEX]
    assert f"Test time of {late}: 2 h after dosing, planned 1 h (+- 10%)." in markdown
    for path in (files.markdown, files.html, files.csv):
        text = path.read_text().lower()
        for word in PER_ARM_WORDS:
            assert word not in text, (path.name, word)
    csv = pd.read_csv(files.csv)
    assert "arm" not in csv.columns or csv["arm"].isna().all()


def test_the_unmasked_report_runs_the_declared_dunnett_and_lists_deviations(
    workspace: Workspace, dose_response: tuple[str, dict[str, str], dict[str, float]], tmp_path: Path
) -> None:
    name, arm_of, seconds = dose_response
    dropped = sorted(arm_of)[0]
    exclude_animal(workspace, name, dropped, "fell ill", criterion_set_a_priori=False)
    amended = replace(PLAN, outlier_rules="none removed")
    declare_protocol(workspace, name, amended, reason="outlier rule stated before unmasking")
    unmask_study(workspace, name, PASSPHRASE)
    markdown = write_study_report(workspace, name, tmp_path / "report").files.markdown.read_text()
    assert "Primary analysis, pre-declared in the protocol" in markdown
    assert "Primary test: Dunnett's comparisons with the reference" in markdown
    assert "Every result below other than the pre-declared primary analysis is exploratory." in markdown
    assert all(f"{arm} - vehicle" in markdown for arm in ("ket3", "ket10", "ket30"))
    assert "Sample size per arm: planned and reached" in markdown
    assert f"Sample size, arm {arm_of[dropped]}: 5 analysed, 6 planned." in markdown
    assert f"Exclusion of {dropped} (fell ill): its criterion was not set a priori." in markdown
    assert "Test time of" in markdown
    assert "Protocol amended after the randomization: version 2 by tester" in markdown
    assert "reason: outlier rule stated before unmasking." in markdown

    data = build_report_data(workspace, name)
    analysis = analyse(data)
    assert analysis is not None
    primary = primary_analysis(data, analysis)
    assert primary is not None and isinstance(primary.result, ArmsAnalysis)
    groups = {
        arm: [seconds[code] for code in sorted(arm_of) if arm_of[code] == arm and code != dropped]
        for arm in ARM_MEANS
    }
    others = ("ket3", "ket10", "ket30")
    expected = stats.dunnett(
        *(groups[arm] for arm in others),
        control=groups["vehicle"],
        random_state=np.random.default_rng(DUNNETT_SEED),
    )
    shown = {d.arm: d for d in primary.result.dunnett}
    assert [shown[arm].statistic for arm in others] == pytest.approx(list(expected.statistic))
    assert [shown[arm].p for arm in others] == pytest.approx(list(expected.pvalue), abs=2e-3)
    assert primary.result.trend is None, "the plan declared no dose trend"


def _randomize_cohorts(workspace: Workspace) -> tuple[dict[str, str], dict[str, str]]:
    """Randomize both cohorts; each label's code, and each code's arm (known to the test only)."""
    codes: dict[str, str] = {}
    arm_of: dict[str, str] = {}
    for cohort in ("wave 1", "wave 2"):
        options = RandomizationOptions(method="stratified-block", seed=7, bare_seed=True, cohort=cohort)
        draft = draft_randomization(workspace, "stress", options)
        committed = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF)
        codes.update(dict(committed.codes))
        arm_of.update(
            {committed.codes[label]: draft.arms[arm] for label, arm in draft.allocation.assignment.items()}
        )
    return codes, arm_of


def test_a_stress_x_drug_report_gives_the_interaction_statsmodels_gives(
    workspace: Workspace, tmp_path: Path
) -> None:
    roster = pd.read_csv(create_stress_study(workspace, tmp_path))
    plan = ProtocolPlan(
        primary_outcome=IMMOBILITY_OUTCOME, primary_method=MANUAL_METHOD, smallest_effect_d=1.2
    )
    declare_protocol(workspace, "stress", plan)
    codes, _ = _randomize_cohorts(workspace)
    blind = write_study_report(workspace, "stress", tmp_path / "blind").files.markdown.read_text()
    assert "Randomization of each cohort" in blind and "wave 2" in blind
    draws = np.random.default_rng(5)
    seconds = {code: round(float(draws.normal(120, 20)), 1) for code in codes.values()}
    _film_and_score(workspace, "stress", tmp_path, seconds, None)
    revealed = unmask_study(workspace, "stress", PASSPHRASE, force_reason="not dosed in this test")
    markdown = write_study_report(workspace, "stress", tmp_path / "report").files.markdown.read_text()
    assert "Two-way ANOVA arm x stress" in markdown and "Simple effects of each arm" in markdown
    assert "cohorts pooled with the cohort as an additive fixed block" in markdown

    data = build_report_data(workspace, "stress")
    analysis = analyse(data)
    assert analysis is not None
    primary = primary_analysis(data, analysis)
    assert primary is not None and isinstance(primary.result, FactorialAnalysis)
    label_of = {code: label for label, code in codes.items()}
    by_label = roster.set_index("animal_id")
    frame = pd.DataFrame(
        [
            {
                "value": value,
                "arm": revealed.arms_by_code[code],
                "stress": by_label.loc[label_of[code], "stress"],
                "cohort": by_label.loc[label_of[code], "cohort"],
            }
            for code, value in seconds.items()
        ]
    )
    fit = smf.ols("value ~ C(arm) * C(stress) + C(cohort)", data=frame).fit()
    table = sm.stats.anova_lm(fit, typ=2)
    expected = table.loc["C(arm):C(stress)", "PR(>F)"]
    interaction = next(row for row in primary.result.rows if row.term == "arm x factor")
    assert interaction.p == pytest.approx(expected)
    terms = {
        "arm": "C(arm)",
        "factor": "C(stress)",
        "arm x factor": "C(arm):C(stress)",
        "cohort": "C(cohort)",
        "residual": "Residual",
    }
    assert primary.result.cohort == "block"
    assert {row.term: row.sum_sq for row in primary.result.rows} == pytest.approx(
        {term: float(table.loc[name, "sum_sq"]) for term, name in terms.items()}
    )


def test_a_study_randomized_without_a_protocol_reports_everything_as_exploratory(
    workspace: Workspace, tmp_path: Path
) -> None:
    study = randomize_study(workspace, tmp_path)
    blind = write_study_report(workspace, study.name, tmp_path / "blind").files.markdown.read_text()
    assert "The randomization was run without a protocol (waived, as recorded)." in blind
    assert "How the sample size was set: not stated." in blind
    assert "No protocol plan was declared, so no deviation can be judged." in blind
    unmask_study(workspace, study.name, PASSPHRASE, force_reason="no data in this test")
    report = write_study_report(workspace, study.name, tmp_path / "report").files.markdown.read_text()
    assert "every result below is exploratory" in report
    assert "Primary analysis, pre-declared" not in report


def test_a_dose_response_in_cohorts_runs_the_declared_dunnett_and_trend_on_the_block_model(
    workspace: Workspace, tmp_path: Path
) -> None:
    settings = StudySettings(name="stress", factor_name="stress", arms=parse_arms(DOSE_RESPONSE))
    create_stress_study(workspace, tmp_path, settings=settings)
    plan = ProtocolPlan(
        primary_outcome=IMMOBILITY_OUTCOME,
        primary_method=MANUAL_METHOD,
        smallest_effect_d=1.5,
        test=WELCH_ANOVA_DUNNETT,
        comparisons=(EACH_VS_REFERENCE, DOSE_TREND),
    )
    declare_protocol(workspace, "stress", plan)
    codes, _ = _randomize_cohorts(workspace)
    draws = np.random.default_rng(8)
    seconds = {code: round(float(draws.normal(120, 20)), 1) for code in codes.values()}
    _film_and_score(workspace, "stress", tmp_path, seconds, None)
    revealed = unmask_study(workspace, "stress", PASSPHRASE, force_reason="not dosed in this test")
    markdown = write_study_report(workspace, "stress", tmp_path / "report").files.markdown.read_text()
    assert "arm + cohort, cohorts pooled with the cohort as an additive fixed block, adjusted by" in markdown
    assert "adjusted by Holm's method (Dunnett's adjustment is not available on a model" in markdown
    assert "Linear trend over the doses, adjusted for cohort" in markdown

    data = build_report_data(workspace, "stress")
    analysis = analyse(data)
    assert analysis is not None
    primary = primary_analysis(data, analysis)
    assert primary is not None and isinstance(primary.result, BlockContrasts)
    cohort_of = {animal.code: animal.cohort for animal in data.animals}
    frame = pd.DataFrame(
        [
            {"value": value, "arm": revealed.arms_by_code[code], "cohort": cohort_of[code]}
            for code, value in seconds.items()
        ]
    ).assign(arm=lambda f: pd.Categorical(f["arm"], categories=list(ARM_MEANS)))
    fit = smf.ols("value ~ C(arm) + C(cohort)", data=frame).fit()
    others = ("ket3", "ket10", "ket30")
    raw = [float(fit.pvalues[f"C(arm)[T.{arm}]"]) for arm in others]
    shown = {c.name: c for c in primary.result.comparisons}
    assert [shown[f"{arm} - vehicle"].p for arm in others] == pytest.approx(raw)
    holm = multipletests(raw, method="holm")[1]
    assert [shown[f"{arm} - vehicle"].p_adjusted for arm in others] == pytest.approx(list(holm))
    doses = np.array([0.0, 3.0, 10.0, 30.0])
    centred = dict(zip(others, doses[1:] - doses.mean(), strict=True))
    trend = fit.t_test(" + ".join(f"{c} * C(arm)[T.{arm}]" for arm, c in centred.items()) + " = 0")
    assert primary.result.trend is not None
    assert primary.result.trend.estimate == pytest.approx(float(np.ravel(trend.effect)[0]))
    assert primary.result.trend.p == pytest.approx(float(np.ravel(trend.pvalue)[0]))


def test_an_arm_without_primary_values_is_left_out_of_the_declared_trend_and_named(
    workspace: Workspace, tmp_path: Path
) -> None:
    settings = StudySettings(name="stress", factor_name="stress", arms=parse_arms(DOSE_RESPONSE))
    create_stress_study(workspace, tmp_path, settings=settings)
    plan = ProtocolPlan(
        primary_outcome=IMMOBILITY_OUTCOME,
        primary_method=MANUAL_METHOD,
        smallest_effect_d=1.5,
        test=TREND_CONTRAST,
        comparisons=(DOSE_TREND,),
    )
    declare_protocol(workspace, "stress", plan)
    _, arm_of = _randomize_cohorts(workspace)
    draws = np.random.default_rng(3)
    scored = {code: arm for code, arm in arm_of.items() if arm != "ket30"}
    seconds = {code: round(float(draws.normal(ARM_MEANS[arm], 15)), 1) for code, arm in scored.items()}
    _film_and_score(workspace, "stress", tmp_path, seconds, None)
    unmask_study(workspace, "stress", PASSPHRASE, force_reason="not dosed in this test")
    markdown = write_study_report(workspace, "stress", tmp_path / "report").files.markdown.read_text()
    assert "Arms without a primary value, left out of the primary analysis: ket30." in markdown

    data = build_report_data(workspace, "stress")
    analysis = analyse(data)
    assert analysis is not None
    primary = primary_analysis(data, analysis)
    assert primary is not None and isinstance(primary.result, BlockContrasts), primary
    assert primary.absent_arms == ("ket30",) and set(primary.result.arms) == {"vehicle", "ket3", "ket10"}
    cohort_of = {animal.code: animal.cohort for animal in data.animals}
    frame = pd.DataFrame(
        [{"value": value, "arm": scored[code], "cohort": cohort_of[code]} for code, value in seconds.items()]
    ).assign(arm=lambda f: pd.Categorical(f["arm"], categories=["vehicle", "ket3", "ket10"]))
    fit = smf.ols("value ~ C(arm) + C(cohort)", data=frame).fit()
    centred = {"ket3": 3.0 - 13 / 3, "ket10": 10.0 - 13 / 3}
    trend = fit.t_test(" + ".join(f"{c} * C(arm)[T.{arm}]" for arm, c in centred.items()) + " = 0")
    assert primary.result.trend is not None
    assert primary.result.trend.estimate == pytest.approx(float(np.ravel(trend.effect)[0]))
    assert primary.result.trend.p == pytest.approx(float(np.ravel(trend.pvalue)[0]))
