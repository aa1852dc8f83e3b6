"""The report's figures as PNG files: outcomes per animal, immobility per minute, preference over periods.

Drawn with Matplotlib's object API on an Agg canvas (no pyplot, no global state), as :mod:`tracking.batch.qc`
is.
Unmasked, every figure groups by arm (reference arm first, in grey) and shows every animal; an outcome
figure of a study with a factor puts the arms side by side within each of its levels, and gives each cohort's
animals their own marker. Blind, nothing is grouped: animals are shown by code and summaries pool all
animals. Jitter comes from a fixed seed, so a report drawn twice from the same data gives the same pictures.
Excluded animals are not drawn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from behavlab.report.data import POOLED, ReportData, outcome_groups, text_or_none
from behavlab.report.measures import SPT_OUTCOME
from tracking.rules.presets import FST_SCORED_WINDOW_S
from writing.atomic import atomic_write

DPI = 110
JITTER_SEED = 20240501
REFERENCE_COLOUR = "0.45"
ARM_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")
COHORT_MARKERS = ("o", "s", "^", "D", "v", "P")
#: An animal of a factor study whose roster gives no level of the factor.
NO_LEVEL = "no level"
#: An animal of a study in cohorts whose roster gives it none.
NO_COHORT = "no cohort"
#: Blank x space between two levels' groups of arms, in group widths.
LEVEL_GAP = 0.6
JITTER_HALF_WIDTH = 0.15


@dataclass(frozen=True)
class FigureFile:
    """A written figure: what it shows (``key``), its file, a title and a caption that doubles as alt text.

    ``key``: ``("outcome", outcome, method, period)``, ``("per_minute", method)`` or ``("periods", method)``.
    """

    key: tuple[str | None, ...]
    path: Path
    title: str
    caption: str


def slug(*parts: object) -> str:
    """A file-name-safe name from parts (None parts skipped)."""
    text = "_".join(str(part) for part in parts if part not in (None, ""))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "figure"


def arm_colours(arms: Sequence[str]) -> dict[str, str]:
    """Colour per arm: grey for the first (reference) arm, then the tab palette."""
    return {
        arm: REFERENCE_COLOUR if i == 0 else ARM_COLOURS[(i - 1) % len(ARM_COLOURS)]
        for i, arm in enumerate(arms)
    }


def _new_figure(width_in: float, height_in: float) -> Figure:
    figure = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path) -> Path:
    return atomic_write(
        path, lambda temporary: figure.savefig(temporary, format="png", dpi=DPI, metadata={"Software": None})
    )


@dataclass(frozen=True)
class StripGroup:
    """One box of an unmasked outcome figure: an arm (at a level of the factor) and every animal in it."""

    arm: str
    level: str | None
    position: float
    codes: tuple[str, ...]
    values: tuple[float, ...]
    cohorts: tuple[str, ...]

    @property
    def label(self) -> str:
        """The x tick: the arm, the level when there is one, the number of animals."""
        return "\n".join(
            part for part in (self.arm, self.level, f"n = {len(self.values)}") if part is not None
        )


def strip_groups(table: pd.DataFrame, arms: Sequence[str], levels: Sequence[str] = ()) -> list[StripGroup]:
    """The groups of an outcome table: the arms in order within each factor level in order (no levels: arms).

    ``table`` has ``code``, ``arm`` and ``value`` and, with levels, ``factor_level``; its ``cohort`` column,
    if any, names each animal's cohort. Animals with no value are left out.
    """
    measured = table.loc[table["value"].notna()]
    groups = []
    for block, level in enumerate(levels or [None]):
        in_level = measured if level is None else measured.loc[measured["factor_level"] == level]
        for offset, arm in enumerate(arms):
            rows = in_level.loc[in_level["arm"] == arm]
            cohorts = rows["cohort"] if "cohort" in rows.columns else pd.Series(None, index=rows.index)
            groups.append(
                StripGroup(
                    arm,
                    level,
                    block * (len(arms) + LEVEL_GAP) + offset,
                    tuple(rows["code"].astype(str)),
                    tuple(rows["value"].to_numpy(float)),
                    tuple(NO_COHORT if pd.isna(cohort) else str(cohort) for cohort in cohorts),
                )
            )
    return groups


def draw_strips(
    ax: Axes, table: pd.DataFrame, *, arms: Sequence[str], levels: Sequence[str] = ()
) -> list[StripGroup]:
    """Box and jittered points per :func:`strip_groups` group (every animal shown), a marker per cohort."""
    rng = np.random.default_rng(JITTER_SEED)
    colours = arm_colours(arms)
    groups = strip_groups(table, arms, levels)
    positions = [group.position for group in groups]
    ax.boxplot(
        [group.values for group in groups],
        positions=positions,
        widths=0.5,
        showfliers=False,
        medianprops={"color": "black"},
    )
    cohorts = sorted({cohort for group in groups for cohort in group.cohorts})
    markers = {cohort: COHORT_MARKERS[i % len(COHORT_MARKERS)] for i, cohort in enumerate(cohorts)}
    for group in groups:
        x = group.position + rng.uniform(-JITTER_HALF_WIDTH, JITTER_HALF_WIDTH, size=len(group.values))
        y = np.asarray(group.values, dtype=float)
        of_cohort = np.asarray(group.cohorts, dtype=object)
        for cohort, marker in markers.items():
            chosen = of_cohort == cohort
            _points(ax, x[chosen], y[chosen], marker, colours[group.arm])
    for boundary in range(1, len(levels)):
        ax.axvline(boundary * (len(arms) + LEVEL_GAP) - (1 + LEVEL_GAP) / 2, color="0.8", linewidth=0.8)
    if len(cohorts) > 1:
        for cohort, marker in markers.items():
            _points(ax, np.array([]), np.array([]), marker, "0.6", label=cohort)
        ax.legend(title="cohort", loc="best", fontsize=7, title_fontsize=7)
    ax.set_xticks(positions, [group.label for group in groups])
    return groups


def _points(
    ax: Axes, x: np.ndarray, y: np.ndarray, marker: str, colour: str, label: str | None = None
) -> None:
    """One animal's point each, outlined, above the boxes."""
    ax.scatter(
        x, y, s=22, marker=marker, color=colour, edgecolors="black", linewidths=0.4, zorder=3, label=label
    )


def outcome_figure(
    table: pd.DataFrame,
    path: Path,
    *,
    arms: Sequence[str],
    ylabel: str,
    title: str,
    levels: Sequence[str] = (),
) -> Path:
    """Box and jittered points per arm, or per arm x factor level (every animal); blind, animals by code."""
    if arms:
        figure = _new_figure(1.6 + 1.3 * len(arms) * max(1, len(levels)), 4.2)
        ax = figure.subplots()
        draw_strips(ax, table, arms=arms, levels=levels)
    else:
        figure = _new_figure(max(5.0, 0.28 * table["code"].nunique() + 1.5), 4.2)
        ax = figure.subplots()
        _strip_by_code(ax, table)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    return _save(figure, path)


def _strip_by_code(ax: Axes, table: pd.DataFrame) -> None:
    ordered = table.sort_values("code")
    codes = ordered["code"].astype(str).tolist()
    ax.scatter(range(len(codes)), ordered["value"].to_numpy(float), s=22, color="0.3", zorder=3)
    median = float(ordered["value"].median()) if len(ordered) else np.nan
    if np.isfinite(median):
        ax.axhline(median, color="0.6", linestyle="--", linewidth=0.8, label=f"median of {POOLED}")
        ax.legend(loc="best", fontsize=7)
    ax.set_xticks(range(len(codes)), codes, rotation=90, fontsize=7)
    ax.set_xlabel("blind code")


def per_minute_figure(
    table: pd.DataFrame, path: Path, *, arms: Sequence[str], window_s: tuple[float, float], title: str
) -> Path:
    """Immobile s per minute: mean +- SEM per arm (blind: pooled, animals faint), the scored window shaded.

    The time axis ends with the last minute that has a value: a 2-min test is drawn over 2 minutes.
    """
    figure = _new_figure(6.4, 4.0)
    ax = figure.subplots()
    ax.axvspan(window_s[0] / 60, window_s[1] / 60, color="0.9", linewidth=0, label="scored window")
    if not arms:
        for _, animal in table.groupby("code"):
            animal = animal.sort_values("minute")
            ax.plot(animal["minute"] - 0.5, animal["immobile_s"], color="0.75", linewidth=0.6)
    groups = [(arm, table.loc[table["arm"] == arm], colour) for arm, colour in arm_colours(arms).items()]
    for label, rows, colour in groups or [(POOLED, table, "black")]:
        stats = rows.groupby("minute")["immobile_s"].agg(["mean", "sem", "count"]).sort_index()
        ax.errorbar(
            stats.index - 0.5,
            stats["mean"],
            yerr=stats["sem"].fillna(0),
            color=colour,
            marker="o",
            markersize=4,
            capsize=3,
            linewidth=1.5,
            label=f"{label} (n = {rows['code'].nunique()})",
        )
    ax.set(xlabel="minute of the test", ylabel="immobile (s per minute)", ylim=(0, 62))
    covered = table.loc[table["immobile_s"].notna(), "minute"]
    ax.set_xlim(0, float(covered.max()) if len(covered) else window_s[1] / 60)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=7)
    return _save(figure, path)


def periods_figure(
    table: pd.DataFrame,
    path: Path,
    *,
    arms: Sequence[str],
    periods: Sequence[str],
    threshold: float,
    title: str,
) -> Path:
    """Preference per period: animals faint, arm means (blind: the pooled mean) bold, the threshold dashed."""
    figure = _new_figure(6.4, 4.0)
    ax = figure.subplots()
    position = {period: i for i, period in enumerate(periods)}
    colours = arm_colours(arms)
    for _, animal in table.groupby("code"):
        animal = animal.assign(x=animal["period"].astype(str).map(position)).sort_values("x")
        colour = colours.get(str(animal["arm"].iloc[0]), "0.6") if arms else "0.6"
        ax.plot(animal["x"], animal["value"], color=colour, alpha=0.3, linewidth=0.8)
    groups = [(arm, table.loc[table["arm"] == arm], colour) for arm, colour in colours.items()]
    for label, rows, colour in groups or [(POOLED, table, "black")]:
        means = rows.groupby(rows["period"].astype(str))["value"].mean().reindex(list(periods))
        ax.plot(range(len(periods)), means.to_numpy(), color=colour, linewidth=2.5, marker="o", label=label)
    ax.axhline(threshold, color="tab:red", linestyle="--", linewidth=1, label=f"anhedonia < {threshold:g}%")
    ax.set_xticks(range(len(periods)), list(periods))
    ax.set(xlabel="period", ylabel="sucrose preference (%)")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left", fontsize=7)
    return _save(figure, path)


def draw_figures(data: ReportData, out_dir: Path) -> tuple[FigureFile, ...]:
    """Write every figure the report shows into ``out_dir`` and describe each."""
    return (
        *_outcome_figures(data, out_dir),
        *_per_minute_figures(data, out_dir),
        *_spt_figures(data, out_dir),
    )


def factor_levels(data: ReportData) -> tuple[str, ...]:
    """The levels of the study's factor its analysed animals have, in order (none: no factor, or blind)."""
    if data.blinded or data.factor_name is None:
        return ()
    analysed = set(data.analysed_outcomes["code"].astype(str))
    return tuple(
        sorted({animal.factor_level or NO_LEVEL for animal in data.animals if animal.code in analysed})
    )


def _outcome_grouping(data: ReportData, levels: Sequence[str]) -> str:
    """How the outcome figures group the animals, for their captions."""
    if not data.arm_names:
        return "by blind code, not grouped (blind report); dashed line at the median of all animals"
    within = f" within each level of {data.factor_name}" if levels else ""
    return f"by arm{within}, every animal shown; boxes show median and quartiles"


def _outcome_figures(data: ReportData, out_dir: Path) -> list[FigureFile]:
    levels = factor_levels(data)
    grouping = _outcome_grouping(data, levels)
    files = []
    table = data.with_roster_columns(data.analysed_outcomes)
    table["factor_level"] = table["factor_level"].fillna(NO_LEVEL)
    for outcome, method, period, rows in outcome_groups(table):
        definition = data.definition(outcome)
        title = data.title(outcome, method, period)
        ylabel = f"{definition.label} ({definition.unit})" if definition.unit else definition.label
        path = out_dir / f"fig-{slug(outcome, method, period)}.png"
        outcome_figure(rows, path, arms=data.arm_names, ylabel=ylabel, title=title, levels=levels)
        caption = f"{title}: {grouping}."
        files.append(FigureFile(("outcome", outcome, method, period), path, title, caption))
    return files


def _per_minute_figures(data: ReportData, out_dir: Path) -> list[FigureFile]:
    summary = "mean +- SEM per arm" if data.arm_names else "mean +- SEM of all animals, each animal faint"
    files = []
    for method, rows in data.analysed_per_minute.groupby("method", sort=False):
        scoring = data.scoring_for(str(method))
        window = scoring.window_s if scoring else FST_SCORED_WINDOW_S
        title = f"Immobility per minute ({method})"
        path = out_dir / f"fig-per-minute-{slug(method)}.png"
        per_minute_figure(rows, path, arms=data.arm_names, window_s=window, title=title)
        caption = f"{title}: {summary}; the scored window, {window[0]:g}-{window[1]:g} s, shaded."
        files.append(FigureFile(("per_minute", str(method)), path, title, caption))
    return files


def _spt_figures(data: ReportData, out_dir: Path) -> list[FigureFile]:
    summary = "arm means bold" if data.arm_names else "the mean of all animals bold"
    outcomes = data.analysed_outcomes
    spt = outcomes.loc[(outcomes["outcome"] == SPT_OUTCOME) & outcomes["period"].notna()]
    files = []
    methods = [text_or_none(value) for value in spt["method"]]
    for method in dict.fromkeys(methods):
        rows = spt.loc[[each == method for each in methods]]
        periods = list(dict.fromkeys(rows["period"].astype(str)))
        if len(periods) < 2:
            continue
        title = f"{data.title(SPT_OUTCOME, method)} over periods"
        path = out_dir / f"fig-{slug(SPT_OUTCOME, method, 'periods')}.png"
        periods_figure(
            rows,
            path,
            arms=data.arm_names,
            periods=periods,
            threshold=data.anhedonia_threshold_pct,
            title=title,
        )
        caption = f"{title}: each animal faint, {summary}, the anhedonia threshold dashed."
        files.append(FigureFile(("periods", method), path, title, caption))
    return files
