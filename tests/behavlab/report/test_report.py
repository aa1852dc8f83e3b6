"""write_report end to end on synthetic studies: the acceptance criteria of issue 8's report half."""

import json
import math
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import statsmodels.api as sm
from openpyxl import load_workbook
from scipy import stats

from behavlab.report import ExclusionInfo, ReportData, ReportFiles, write_report
from behavlab.report.blind import BlindSections
from behavlab.report.exports import file_sha256
from behavlab.report.group_results import analyse
from behavlab.report.markup import to_html, to_markdown
from behavlab.report.measures import IMMOBILITY_OUTCOME, LATENCY_OUTCOME
from behavlab.report.render import report_blocks, report_sections
from behavlab.report.unmasked import UnmaskedSections
from tests.behavlab.report import ARMS, T0, synthetic_report, with_third_arm
from tests.behavlab.report import blind as blind_data

SECRETS = ("vehicle", "ketamine", "saline")


@pytest.fixture(scope="module")
def unmasked(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report(synthetic_report(), tmp_path_factory.mktemp("unmasked"))


@pytest.fixture(scope="module")
def blind(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return write_report(synthetic_report(blinded=True), tmp_path_factory.mktemp("blind"))


def section(markdown: str, heading: str) -> str:
    """The Markdown from a level-3 heading to the next heading of level 2 or 3."""
    start = markdown.index(f"### {heading}")
    following = re.search(r"\n##+ ", markdown[start + 4 :])
    return markdown[start : start + 4 + following.start()] if following else markdown[start:]


def table_row(text: str, first_cell: str) -> list[str]:
    """The cells of the Markdown table row whose first cell is ``first_cell``."""
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{text}")


def hedges_g_by_hand(x: pd.Series, y: pd.Series) -> float:
    n1, n2 = len(x), len(y)
    pooled = math.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    m = n1 + n2 - 2
    j = math.exp(math.lgamma(m / 2) - math.lgamma((m - 1) / 2)) / math.sqrt(m / 2)
    return j * (x.mean() - y.mean()) / pooled


def same_3_significant(reported: str, value: float) -> None:
    assert float(reported) == pytest.approx(value, rel=5e-4), (reported, value)
    assert f"{float(reported):.3g}" == f"{value:.3g}"


def test_unmasked_report_shows_the_drug_lowering_immobility_with_a_ci(unmasked: ReportFiles) -> None:
    assert unmasked.analysis is not None
    motion = next(
        a for a in unmasked.analysis.outcomes if (a.outcome, a.scoring) == (IMMOBILITY_OUTCOME, "motion")
    )
    assert motion.two_arm is not None
    comparison = motion.two_arm
    assert (comparison.arm, comparison.reference) == ("ketamine", "vehicle")
    assert comparison.mean_difference < 0 and comparison.mean_difference_ci[1] < 0
    assert comparison.hedges_g < 0 and comparison.hedges_g_ci[1] < 0
    markdown = unmasked.markdown.read_text()
    assert "ketamine minus vehicle (n = 11 and 12) = -" in markdown
    row = table_row(section(markdown, "FST immobility (motion)"), "ketamine - vehicle")
    difference, ci = re.fullmatch(r"(\S+) \((\S+) to (\S+)\)", row[1]).group(1), row[1]
    assert float(difference) < 0 and "to" in ci


def test_csv_recomputation_matches_the_report_to_3_significant_figures(unmasked: ReportFiles) -> None:
    data = pd.read_csv(unmasked.csv, dtype={"excluded": str}, keep_default_na=False)
    kept = data.loc[
        (data["excluded"] == "false") & (data["outcome"] == IMMOBILITY_OUTCOME) & (data["method"] == "motion")
    ]
    drug = kept.loc[kept["arm"] == "ketamine", "value"].astype(float)
    vehicle = kept.loc[kept["arm"] == "vehicle", "value"].astype(float)
    assert (len(drug), len(vehicle)) == (11, 12)
    welch = stats.ttest_ind(drug, vehicle, equal_var=False)
    g = hedges_g_by_hand(drug, vehicle)
    row = table_row(section(unmasked.markdown.read_text(), "FST immobility (motion)"), "ketamine - vehicle")
    t_text, df_text = re.fullmatch(r"(\S+) \((\S+)\)", row[2]).groups()
    same_3_significant(t_text, welch.statistic)
    same_3_significant(df_text, welch.df)
    same_3_significant(row[6].split(" ")[0], g)
    same_3_significant(row[1].split(" ")[0], drug.mean() - vehicle.mean())
    sheet = pd.read_excel(unmasked.xlsx, sheet_name="statistics", keep_default_na=False)
    motion = sheet.loc[(sheet["outcome"] == IMMOBILITY_OUTCOME) & (sheet["method"] == "motion")]
    exported = dict(zip(motion["statistic"], motion["value"], strict=False))
    assert float(exported["welch_t"]) == pytest.approx(welch.statistic, rel=1e-9)
    assert float(exported["hedges_g"]) == pytest.approx(g, rel=1e-9)


def test_blind_report_names_no_arm_and_groups_nothing(blind: ReportFiles) -> None:
    assert blind.analysis is None
    texts = {path.name: path.read_text() for path in (blind.markdown, blind.html, blind.csv, blind.manifest)}
    workbook = load_workbook(blind.xlsx)
    texts["data.xlsx"] = " ".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text.lower(), f"{secret!r} in {name}"
    markdown = texts["report.md"]
    assert markdown.count("BLIND REPORT") == 1 and "allocation is still sealed" in markdown
    for grouped in ("Per arm", "minus", "Hedges", "Welch", "Two-way ANOVA", "mixed model", "lab ID"):
        assert grouped not in markdown
    assert "All animals pooled" in markdown and "Values by blind code" in markdown
    assert "arm" not in pd.read_csv(blind.csv).columns
    assert set(pd.read_excel(blind.xlsx, sheet_name="statistics")["group"]) == {"all animals"}
    assert json.loads(blind.manifest.read_text())["randomization"]["seed"] is None


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs)["src"] or "")


@pytest.mark.parametrize("which", ["unmasked", "blind"])
def test_html_references_every_figure_by_relative_path(which: str, request: pytest.FixtureRequest) -> None:
    files: ReportFiles = request.getfixturevalue(which)
    parser = _Images()
    parser.feed(files.html.read_text())
    assert sorted(parser.sources) == sorted(path.name for path in files.figures)
    for source in parser.sources:
        path = files.html.parent / source
        assert path.is_file() and path.read_bytes().startswith(b"\x89PNG")
    assert "<style>" in files.html.read_text() and "@media print" in files.html.read_text()


def test_xlsx_holds_the_sheets_and_the_manifest_the_hashes(unmasked: ReportFiles) -> None:
    workbook = load_workbook(unmasked.xlsx)
    assert workbook.sheetnames == [
        "data",
        "animals",
        "doses",
        "exclusions",
        "voided",
        "statistics",
        "immobility_per_minute",
    ]
    assert workbook["data"].max_row == 1 + 24 * 6
    assert workbook["exclusions"]["C2"].value == "weight loss above 15% before dosing"
    manifest = json.loads(unmasked.manifest.read_text())
    assert manifest["randomization"]["seed"] == 424242 and manifest["randomization"]["block_sizes"] == [
        4,
        2,
        4,
    ]
    assert manifest["randomization"]["allocation_commitment_sha256"] == "c" * 64
    assert manifest["videos_sha256"]["fst/QX00R.mp4"] == "d" * 64
    assert {"scipy", "statsmodels", "matplotlib", "behavlab"} <= set(manifest["software"])
    for name, digest in manifest["files_sha256"].items():
        assert file_sha256(unmasked.markdown.parent / name) == digest
    assert {unmasked.csv.name, unmasked.xlsx.name, unmasked.html.name} <= set(manifest["files_sha256"])


def test_report_sections_follow_arrive_and_list_unblindings_and_amendments(unmasked: ReportFiles) -> None:
    markdown = unmasked.markdown.read_text()
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings[:10] == [
        "1. Study design",
        "2. Sample size",
        "3. Inclusion and exclusion criteria",
        "4. Randomisation",
        "5. Blinding",
        "6. Outcome measures",
        "7. Statistical methods",
        "8. Experimental animals",
        "9. Experimental procedures",
        "10. Results",
    ]
    assert headings[10:13] == [
        "Deviations from the protocol",
        "Voided records",
        "Emergency unblindings and amendments after unmasking",
    ]
    closing = markdown.split("## Emergency unblindings")[1]
    assert table_row(closing, "QX05R")[1:3] == ["ketamine", "seizure after injection"]
    assert "manual score of QX03R corrected" in markdown
    assert table_row(markdown, "QX23R")[1:6] == [
        "M024",
        "ketamine",
        "weight loss above 15% before dosing",
        "yes",
        "yes",
    ]
    assert table_row(markdown, "seed")[1] == "424242"
    assert table_row(markdown, "outcome assessment")[1:3] == ["carol", "no"]
    assert "Welch 1947" in markdown and "Hedges & Olkin 1985" in markdown and "scipy 1." in markdown
    agreement = section(markdown, "Agreement between scoring methods")
    assert table_row(agreement, "FST immobility")[1:3] == ["motion vs manual", "24"]


def test_both_sexes_give_the_two_way_anova_and_one_sex_does_not(
    unmasked: ReportFiles, tmp_path: Path
) -> None:
    text = section(unmasked.markdown.read_text(), "FST immobility (motion)")
    assert "Two-way ANOVA arm x sex, Type II" in text
    assert table_row(text, "arm x sex")[2] == "1"
    males = write_report(synthetic_report(sexes="M", periods=1), tmp_path)
    markdown = males.markdown.read_text()
    assert "Two-way ANOVA" not in markdown.split("## 10. Results")[1]
    assert "mixed model" not in markdown


def test_several_spt_periods_give_the_mixed_model(unmasked: ReportFiles) -> None:
    text = section(unmasked.markdown.read_text(), "Sucrose preference over periods: mixed model")
    assert "Wald chi-square(2)" in text
    assert float(table_row(text, "arm\\[ketamine\\]:period\\[day 2\\]")[1]) > 5
    assert "fig-spt-preference-pct-periods.png" in text


def test_a_mixed_model_that_does_not_converge_is_reported_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    fit = sm.MixedLM.fit

    def not_converged(self: sm.MixedLM, *args: object, **kwargs: object) -> object:
        result = fit(self, *args, **kwargs)
        result.converged = False
        return result

    monkeypatch.setattr(sm.MixedLM, "fit", not_converged)
    data = synthetic_report(sexes="M")
    markdown = to_markdown(report_blocks(data, analyse(data), ()))
    text = section(markdown, "Sucrose preference over periods: mixed model")
    assert "Mixed model not reported: the mixed model did not converge" in text
    assert "per-period comparisons" in text


def test_cage_randomization_makes_the_cage_the_unit(tmp_path: Path) -> None:
    files = write_report(synthetic_report(method="cage-cluster", sexes="M", periods=1), tmp_path)
    markdown = files.markdown.read_text()
    assert "Experimental unit: the cage" in markdown
    text = section(markdown, "FST immobility (motion)")
    assert "Per arm (cage means)" in text
    assert table_row(text, "vehicle")[1] == "3" and table_row(text, "ketamine")[1] == "3"
    assert "Lazic et al. 2018" in markdown


def test_formula_injection_is_defused_in_csv_and_xlsx(tmp_path: Path) -> None:
    data = synthetic_report(sexes="M", periods=1)
    outcomes = data.outcomes.assign(cage=data.outcomes["cage"].replace("C1", "=1+2"))
    outcomes.loc[outcomes["outcome"] == LATENCY_OUTCOME, "value"] -= 100.0
    evil = ExclusionInfo(
        data.animals[22].code, '=HYPERLINK("http://x","y")', False, False, "@admin", T0, arm=ARMS[0]
    )
    data = replace(
        data,
        outcomes=outcomes,
        animals=tuple(replace(a, cage="=1+2") if a.cage == "C1" else a for a in data.animals),
        exclusions=(*data.exclusions, evil),
    )
    files = write_report(data, tmp_path)
    csv_cells = pd.read_csv(files.csv, dtype=str, keep_default_na=False)
    assert set(csv_cells.loc[csv_cells["code"] == "QX00R", "cage"]) == {"'=1+2"}
    latency = csv_cells.loc[csv_cells["outcome"] == LATENCY_OUTCOME, "value"]
    assert latency.str.startswith("-").all(), "negative numbers stay numbers"
    workbook = load_workbook(files.xlsx)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "@")), (
                        sheet.title,
                        cell.coordinate,
                        cell.value,
                    )
    reasons = [row[2] for row in workbook["exclusions"].iter_rows(min_row=2, values_only=True)]
    assert reasons[-1] == '\'=HYPERLINK("http://x","y")'
    assert workbook["exclusions"]["F3"].value == "'@admin"
    numbers = [c for c in workbook["statistics"]["I"] if isinstance(c.value, float) and c.value < 0]
    assert numbers, "negative statistics stay numbers"


def test_html_escapes_text_from_the_database() -> None:
    data = synthetic_report(sexes="M", periods=1)
    data = replace(data, amendments=(replace(data.amendments[0], reason="<script>alert(1)</script>"),))
    page = to_html(report_blocks(data, analyse(data), ()), "t")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_report_input_is_validated_before_anything_is_written(tmp_path: Path) -> None:
    data = synthetic_report(blinded=True)
    with pytest.raises(ValueError, match="blind report must hold no arm"):
        ReportData(**{**data.__dict__, "outcomes": data.outcomes.assign(arm="vehicle")})
    assert not any(tmp_path.iterdir())


def test_three_arms_give_omnibus_tests_and_holm_adjusted_comparisons() -> None:
    data = with_third_arm(synthetic_report(sexes="M", periods=1))
    markdown = to_markdown(report_blocks(data, analyse(data), ()))
    text = section(markdown, "FST immobility (motion)")
    assert "one-way ANOVA F(2, 20)" in text and "Welch's ANOVA" in text and "Kruskal-Wallis H(2)" in text
    header = table_row(text, "comparison")
    assert header[3:7] == ["Welch p", "Welch p (Holm)", "Mann-Whitney U", "M-W p"]
    assert header[7:] == ["M-W p (Holm)", "Hedges' g (95% CI)"]
    assert table_row(text, "esketamine - vehicle")[0] == "esketamine - vehicle"
    assert "Holm 1979" in markdown


def test_a_blind_study_gets_the_blind_sections_whatever_analysis_is_passed() -> None:
    data = synthetic_report()
    analysis = analyse(data)
    assert analysis is not None and analyse(blind_data(data)) is None
    assert isinstance(report_sections(blind_data(data), analysis, ()), BlindSections)
    assert isinstance(report_sections(data, analysis, ()), UnmaskedSections)
