"""`behavlab agreement`: two raters, a rater and the machine, or several raters and machines side by side."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from behavlab.cli.output import print_warning, stdout, table
from behavlab.errors import InvalidInputError
from behavlab.services import AGREEMENT_MIN_VIDEOS, FST_SCORED_WINDOW_S, agreement_of
from behavlab.services.display import optional_number

if TYPE_CHECKING:
    from behavlab.services.library_types import (
        Comparison,
        Estimate,
        FrameAgreement,
        PairAgreement,
        SecondsAgreement,
        SourcesAgreement,
    )

SOURCE_HELP = (
    "Scorings (two or more): human labels (per-frame, bouts, seconds; a table with a rater column such as "
    "Experimenter counts as one scoring per rater), an output folder of `behavlab score`, one of its "
    "<video>.json, its results.csv or a <video>.<animal>.frames.csv."
)
TOLERANCE_HELP = "Ignore frames within this many seconds of each human (reference) transition, e.g. 0.5."
BEHAVIOR_HELP = "In bout tables, the behaviour rows to take (matched as a substring; BORIS 'Behavior')."
LABEL_COLUMN_OPTION = typer.Option(
    None,
    "--label-column",
    help="The label column of per-frame label tables (default: the one 0/1 column, or immobile...).",
)


def number_text(value: float | None, digits: int = 3) -> str:
    """A figure as table cells write it (fixed decimals), or '-' when it is missing or not finite."""
    return optional_number(value, digits, "-")


def interval_text(pair: tuple[float, float] | None, digits: int = 3) -> str:
    """A 95% confidence interval as printed after its figure."""
    if pair is None or not all(math.isfinite(v) for v in pair):
        return "(95% CI not available)"
    return f"(95% CI {number_text(pair[0], digits)} to {number_text(pair[1], digits)})"


def agreement(
    sources: list[Path] = typer.Argument(..., help=SOURCE_HELP),
    reference: str | None = typer.Option(
        None,
        "--reference",
        help="The source listed first in each of its pairs (a file name or a rater); with two, the first.",
    ),
    rater_column: str | None = typer.Option(
        None, "--rater-column", help="The column naming the raters (default Experimenter, rater, ...)."
    ),
    window_start_s: float = typer.Option(
        FST_SCORED_WINDOW_S[0], "--window-start-s", help="Scored window start, seconds."
    ),
    window_end_s: str = typer.Option(
        f"{FST_SCORED_WINDOW_S[1]:g}",
        "--window-end-s",
        help="Scored window end, seconds, or 'none' (to the end).",
    ),
    tolerance_s: float = typer.Option(0.0, "--tolerance-s", help=TOLERANCE_HELP),
    fps: float = typer.Option(30.0, "--fps", help="Time grid for scorings without frame times (bouts)."),
    png: Path | None = typer.Option(None, "--png", help="Also write the scatter and Bland-Altman figure."),
    behavior: str = typer.Option("immobil", "--behavior", help=BEHAVIOR_HELP),
    label_column: str | None = LABEL_COLUMN_OPTION,
) -> None:
    """Agreement of scorings per frame and per video: each pair, and several raters overall.

    Two sources: the first is the reference. More (or one table of several raters): every pair, each
    source's mean kappa with the raters, Fleiss' kappa and ICC(2,1) of the raters.
    """
    end = _window_end(window_end_s)
    run = agreement_of(
        sources,
        reference=reference,
        rater_column=rater_column,
        window_start_s=window_start_s,
        window_end_s=end,
        tolerance_s=tolerance_s,
        grid_fps=fps,
        png=png,
        behavior=behavior,
        label_column=label_column,
    )
    until = f"{end:g} s" if end is not None else "the end"
    title = f"Immobility in {window_start_s:g} s to {until}"
    if run.alignment:
        stdout().print(f"alignment: {run.alignment}")
    for note in run.notes:
        print_warning(note)
    if run.pair is not None:
        _print_agreement(run.pair, run.names, title)
    if run.several is not None:
        _print_several(run.several, title)
    if png is not None:
        stdout().print(f"wrote {png}")


def _window_end(text: str) -> float | None:
    """The window's end in seconds, or None for 'none' or 'end' (to the end of each scoring)."""
    try:
        return None if text.lower() in ("none", "end") else float(text)
    except ValueError:
        raise InvalidInputError(
            f"--window-end-s {text!r} is not accepted; expected seconds or 'none'"
        ) from None


def print_statistics(frames: FrameAgreement | None, seconds: SecondsAgreement, what: str) -> None:
    """Per-frame agreement with its bootstrap CIs; per-video statistics with theirs, from enough videos."""
    console = stdout()
    if frames is not None:
        console.print(
            f"{what} per frame: accuracy {number_text(frames.accuracy)}, F1 {number_text(frames.f1)}, "
            f"Cohen's kappa {number_text(frames.kappa)} over {frames.n_frames} frames"
            + (f" ({frames.n_ignored} ignored)" if frames.n_ignored else "")
            + f"; accuracy {interval_text(frames.accuracy_ci)}, kappa {interval_text(frames.kappa_ci)}"
            + (f", {frames.ci_method}" if frames.ci_method else "")
        )
    if not seconds.enough_videos:
        console.print(
            f"{what} per video: Pearson r and Bland-Altman not computed: needs >= {AGREEMENT_MIN_VIDEOS} "
            f"videos, got {seconds.n}"
        )
        return
    console.print(
        f"{what} per video (n = {seconds.n}): Pearson r {number_text(seconds.pearson_r)}, Bland-Altman bias "
        f"{number_text(seconds.bias, 2)} s, 95% limits of agreement {number_text(seconds.lower_limit, 2)} to "
        f"{number_text(seconds.upper_limit, 2)} s; r {interval_text(seconds.pearson_ci)}, bias "
        f"{interval_text(seconds.bias_ci, 2)}, limits {interval_text(seconds.lower_limit_ci, 2)} and "
        f"{interval_text(seconds.upper_limit_ci, 2)}"
    )


def _print_agreement(result: Comparison, names: tuple[str, ...], title: str) -> None:
    """Per-video seconds (and per-frame agreement where both have frames), the statistics and the notes."""
    framewise = "kappa" in result.rows.columns
    columns = ["video", "animal", f"{names[0]} s", f"{names[1]} s", "difference s"]
    columns += ["frames", "accuracy", "kappa"] if framewise else []
    rows = [
        (
            row["video"],
            row["animal"],
            number_text(row["first_s"], 1),
            number_text(row["second_s"], 1),
            number_text(row["difference_s"], 1),
            *(
                (row["frames"], number_text(row["accuracy"]), number_text(row["kappa"]))
                if framewise and not math.isnan(row.get("frames", math.nan))
                else (("-", "-", "-") if framewise else ())
            ),
        )
        for row in result.rows.to_dict("records")
    ]
    stdout().print(table(title, columns, rows))
    print_statistics(result.frames, result.seconds, "agreement")
    for note in [*result.pairing.notes, *result.rows["note"]]:
        if note:
            print_warning(note)
    for side, left in (("first", result.pairing.only_first), ("second", result.pairing.only_second)):
        if left:
            print_warning(f"only in the {side} scoring: {', '.join(s.key for s in left)}")


def _estimate(value: Estimate, digits: int = 3) -> str:
    return f"{number_text(value.value, digits)} {interval_text(value.ci, digits)}"


def _cell(value: float, ci: tuple[float, float] | None, digits: int = 2) -> str:
    """A table cell: the figure and its 95% interval in brackets."""
    if ci is None or not all(math.isfinite(v) for v in ci):
        return number_text(value, digits)
    return f"{number_text(value, digits)} [{number_text(ci[0], digits)}, {number_text(ci[1], digits)}]"


def _pair_row(pair: PairAgreement) -> tuple[str, ...]:
    """One pair's cells: videos, per-frame accuracy and kappa, ICC, r, bias and limits (with CIs)."""
    frames, seconds = pair.comparison.frames, pair.comparison.seconds
    enough = seconds.enough_videos
    needs = f"needs >= {AGREEMENT_MIN_VIDEOS} videos"
    limits = (
        f"{_cell(seconds.lower_limit, seconds.lower_limit_ci, 0)} to "
        f"{_cell(seconds.upper_limit, seconds.upper_limit_ci, 0)}"
    )
    return (
        f"{pair.first} vs {pair.second}",
        str(len(pair.comparison.rows)),
        "-" if frames is None else _cell(frames.accuracy, frames.accuracy_ci),
        "-" if frames is None else _cell(frames.kappa, frames.kappa_ci),
        *(
            (
                _cell(pair.icc.value, pair.icc.ci),
                _cell(seconds.pearson_r, seconds.pearson_ci),
                _cell(seconds.bias, seconds.bias_ci, 1),
                limits,
            )
            if enough
            else (needs,) * 4
        ),
    )


def _print_several(result: SourcesAgreement, title: str) -> None:
    """Each pair (raters against each other, and each machine against each rater), means, overall."""
    console = stdout()
    columns = ["pair", "videos", "accuracy", "kappa", "ICC(2,1) s", "Pearson r s", "bias s", "limits s"]
    machines = set(result.machines)
    groups = (
        ("Raters against each other", [p for p in result.pairs if not {p.first, p.second} & machines]),
        ("Machine against each rater", [p for p in result.pairs if {p.first, p.second} & machines]),
    )
    for heading, pairs in groups:
        if pairs:
            console.print(table(f"{heading}: {title}", columns, [_pair_row(p) for p in pairs]))
    method = next((p.comparison.frames.ci_method for p in result.pairs if p.comparison.frames), "")
    console.print(
        f"[95% CI]; per frame: {method or 'no interval'}; seconds per video: ICC(2,1) (absolute agreement), "
        "Pearson r, Bland-Altman bias (second minus first) and 95% limits of agreement"
    )
    ranked = sorted(result.mean_kappa.items(), key=lambda item: (math.isnan(item[1]), item[1]))
    for name, kappa in ranked:
        kind = "machine" if name in machines else "rater"
        console.print(f"{name} ({kind}): mean Cohen's kappa with the (other) raters {number_text(kappa)}")
    humans = len(result.sources) - len(machines)
    if result.fleiss is not None:
        console.print(
            f"raters overall ({humans} raters, {result.n_videos} videos): Fleiss' kappa per frame "
            f"{_estimate(result.fleiss)}, {result.fleiss.method}"
        )
    icc = f"needs >= {AGREEMENT_MIN_VIDEOS} videos"
    if result.n_videos >= AGREEMENT_MIN_VIDEOS:
        icc = _estimate(result.icc)
    console.print(f"raters overall: ICC(2,1) of seconds per video (absolute agreement, single rater) {icc}")
    for note in result.notes:
        print_warning(note)
    for pair in result.pairs:
        for note in pair.comparison.pairing.notes:
            print_warning(f"{pair.first} vs {pair.second}: {note}")
