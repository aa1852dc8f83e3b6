"""The study report from the database: blind before unmasking; after it, the effect with its sign and CI,
matching an independent recomputation from the exported data.csv."""

import json
import math
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from behavlab.report.common import NO_PRIMARY
from behavlab.report.measures import IMMOBILITY_OUTCOME
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_study,
    draft_randomization,
    exclude_animal,
    import_roster,
    record_dose,
    record_manual_score,
    record_weights,
    reprint_preparer_sheet,
    score_study,
    unmask_study,
    write_study_report,
)
from behavlab.services.scoring_methods import MANUAL_METHOD
from tests.behavlab.factories import baseline_weights, write_roster, write_weights
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE, RandomizedStudy, two_animals_in_one_video
from tests.behavlab.report.test_report import table_row
from tracking.synth.videos import write_fst_video

ARM_WORDS = ("vehicle", "ketamine", "saline")


@pytest.fixture
def scored(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> RandomizedStudy:
    base = tmp_path / "base.avi"
    write_fst_video(base, duration_s=1.0, fps=10, size=(64, 48), seed=2)
    draws = np.random.default_rng(7)
    for index, (label, code) in enumerate(sorted(randomized.codes.items())):
        video = tmp_path / f"{code}.avi"
        video.write_bytes(base.read_bytes() + index.to_bytes(2, "little"))
        dosed = randomized.weighed_at + timedelta(minutes=30 + index)
        record_dose(workspace, randomized.name, code, at=dosed)
        add_fst_session(workspace, randomized.name, code, video, tested_at=dosed + timedelta(hours=1))
        mean = 150.0 if randomized.arms[label] == 0 else 100.0
        record_manual_score(workspace, randomized.name, code, round(float(draws.normal(mean, 20)), 1), "ana")
    return randomized


def test_the_report_is_blind_before_unmasking(
    workspace: Workspace, scored: RandomizedStudy, tmp_path: Path
) -> None:
    written = write_study_report(workspace, scored.name, tmp_path / "blind")
    assert written.blinded and written.files.analysis is None
    for path in (written.files.markdown, written.files.html, written.files.csv):
        text = path.read_text().lower()
        assert not any(word in text for word in ARM_WORDS if word != "saline"), path
        assert all(code.lower() in text for code in scored.codes.values()) or path.suffix == ".md"
    assert "blind" in written.files.markdown.read_text().lower()


def test_the_unmasked_report_shows_the_effect_and_matches_an_independent_recomputation(
    workspace: Workspace, scored: RandomizedStudy, tmp_path: Path
) -> None:
    unmask_study(workspace, scored.name, PASSPHRASE)
    written = write_study_report(workspace, scored.name, tmp_path / "final")
    assert not written.blinded and written.files.analysis is not None
    table = pd.read_csv(written.files.csv)
    immobility = table[(table["outcome"] == IMMOBILITY_OUTCOME) & (table["method"] == MANUAL_METHOD)]
    drug = immobility.loc[immobility["arm"] == "ketamine", "value"].to_numpy()
    vehicle = immobility.loc[immobility["arm"] == "vehicle", "value"].to_numpy()
    assert len(drug) == len(vehicle) == 12
    t, p = stats.ttest_ind(drug, vehicle, equal_var=False)
    pooled = math.sqrt(((len(drug) - 1) * drug.var(ddof=1) + (len(vehicle) - 1) * vehicle.var(ddof=1)) / 22)
    g = (drug.mean() - vehicle.mean()) / pooled * (1 - 3 / (4 * 22 - 1))
    (analysis,) = [
        a
        for a in written.files.analysis.outcomes
        if a.outcome == IMMOBILITY_OUTCOME and a.scoring == MANUAL_METHOD
    ]
    comparison = analysis.two_arm
    assert comparison is not None and (comparison.arm, comparison.reference) == ("ketamine", "vehicle")
    assert comparison.welch_t == pytest.approx(t, rel=5e-4)
    assert comparison.welch_p == pytest.approx(p, rel=5e-4)
    assert comparison.hedges_g == pytest.approx(g, rel=5e-4)
    low, high = comparison.hedges_g_ci
    assert g < 0 and high < 0 and low < g < high
    page = written.files.html.read_text()
    assert f"{comparison.hedges_g:.3g}".lstrip("-") in page or f"{comparison.hedges_g:.2f}" in page
    assert "<img" in page and all(path.exists() for path in written.files.figures)


def _stage_rows(markdown: str) -> dict[str, str]:
    """The 'who knew the allocation' table of a report, stage -> knew (yes/no)."""
    rows = [line.split("|") for line in markdown.splitlines() if line.startswith("| ")]
    stages = ("allocation", "conduct", "outcome assessment", "analysis")
    return {cells[1].strip(): cells[3].strip() for cells in rows if cells[1].strip() in stages}


def test_a_key_holder_who_doses_is_reported_as_knowing_the_allocation(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    technician = replace(workspace, actor="tech")
    first, second = sorted(randomized.codes.values())[:2]
    record_dose(technician, randomized.name, first, at=randomized.weighed_at + timedelta(minutes=30))
    blind = write_study_report(workspace, randomized.name, tmp_path / "blind").files.markdown.read_text()
    assert _stage_rows(blind)["conduct"] == "no" and "Blinding was incomplete" not in blind
    preparer = replace(workspace, actor="preparer")
    reprint_preparer_sheet(preparer, randomized.name, PASSPHRASE, tmp_path / "preparer.csv")
    record_dose(preparer, randomized.name, second, at=randomized.weighed_at + timedelta(minutes=31))
    leaky = write_study_report(workspace, randomized.name, tmp_path / "leaky").files.markdown.read_text()
    assert _stage_rows(leaky)["conduct"] == "yes"
    assert "Blinding was incomplete: conduct was done by someone who held the key" in leaky


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Chromium (.ci/run installs it) for the report render test")
        pytest.skip("Chromium is not installed (CI installs it from the system packages)")
    return found


def test_the_html_report_renders_with_its_figures_in_a_real_browser(
    workspace: Workspace, scored: RandomizedStudy, tmp_path: Path
) -> None:
    unmask_study(workspace, scored.name, PASSPHRASE)
    written = write_study_report(workspace, scored.name, tmp_path / "final")
    pdf = tmp_path / "report.pdf"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    subprocess.run(
        [_chromium(), *flags, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", written.files.html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert content.count(b"/Subtype /Image") >= len(written.files.figures) >= 1


def test_the_unmasked_report_and_manifest_publish_the_opening_and_the_balance(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    blind = write_study_report(workspace, randomized.name, tmp_path / "blind")
    blind_manifest = json.loads(blind.files.manifest.read_text())
    assert blind_manifest["randomization"]["commitment_opening"] is None
    assert "Commitment opening" not in blind.files.markdown.read_text()
    assert "weight SMD" not in blind.files.markdown.read_text()
    unmasked = unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="report test")
    written = write_study_report(workspace, randomized.name, tmp_path / "final")
    manifest = json.loads(written.files.manifest.read_text())
    assert manifest["randomization"]["commitment_opening"] == dict(unmasked.opening)
    markdown = written.files.markdown.read_text()
    assert unmasked.opening["salt"] in markdown and "weight SMD arm 1 vs arm 2" in markdown
    assert "Commitment opening: anyone can check it" in markdown
    assert "arm 1 = vehicle, arm 2 = ketamine" in markdown


def test_an_animal_excluded_a_priori_before_randomization_is_on_the_roster_and_in_item_3(
    workspace: Workspace, tmp_path: Path
) -> None:
    name = "early exclusion"
    create_study(workspace, StudySettings(name=name))
    import_roster(workspace, name, write_roster(tmp_path / "roster.csv", 16, with_weights=False))
    weights = baseline_weights(16)
    weighed_at = datetime.now().astimezone() - timedelta(days=1)
    record_weights(workspace, name, write_weights(tmp_path / "weights.csv", weights, weighed_at))
    excluded = sorted(weights)[5]
    exclude_animal(workspace, name, excluded, "malocclusion", criterion_set_a_priori=True)
    draft = draft_randomization(
        workspace, name, RandomizationOptions(seed=2024, bare_seed=True, no_protocol=True)
    )
    codes = commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes
    assert excluded not in codes and len(codes) == 15
    blind = write_study_report(workspace, name, tmp_path / "blind").files.markdown.read_text()
    unmask_study(workspace, name, PASSPHRASE, force_reason="report test")
    final = write_study_report(workspace, name, tmp_path / "final").files.markdown.read_text()
    for markdown in (blind, final):
        assert "16 animals on the roster, 15 of them randomized" in markdown
        assert "No animal was excluded" not in markdown
        assert "1 of the 16 animals on the roster was excluded: 1 before randomization, 0 after" in markdown
    early = table_row(blind, f"{excluded} (not randomized)")
    assert early[1:3] == ["malocclusion", "yes"] and early[-1].endswith(" before randomization")
    assert "BLIND REPORT" in blind and not any(label in blind for label in codes)
    unmasked_row = table_row(final, "not randomized")
    assert unmasked_row[1:5] == [excluded, "not allocated", "malocclusion", "yes"]


def test_the_blinding_table_names_people_and_the_analysis_who_unmasked_and_who_wrote_the_report(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    codes, _ = two_animals_in_one_video(workspace, randomized, tmp_path)
    window = {"window_start_s": 0.0, "window_end_s": 60.0, "test_duration_s": 60.0}
    score_study(workspace, randomized.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    record_manual_score(workspace, randomized.name, codes[0], 30.0, "ana")
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="report test")
    analyst = replace(workspace, actor="analyst1")
    written = write_study_report(analyst, randomized.name, tmp_path / "final")
    markdown = written.files.markdown.read_text()
    assert table_row(markdown, "outcome assessment")[1] == "ana, tester"
    assert table_row(markdown, "analysis")[1:3] == ["tester, analyst1", "yes"]
    assert NO_PRIMARY in markdown and "Primary outcome" not in markdown
    assert "{" not in markdown.split("## 6. Outcome measures")[1].split("## 7.")[0]
    table = pd.read_csv(written.files.csv)
    label_of = {code: label for label, code in randomized.codes.items()}
    scored = table.loc[table["code"].isin(codes)]
    assert {(row.code, row.label) for row in scored.itertuples()} == {(c, label_of[c]) for c in codes}
    assert scored["dosing_weight_g"].notna().all() and scored["baseline_weight_g"].notna().all()
