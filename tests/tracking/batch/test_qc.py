"""Tests of the QC plot (tracking.batch.qc)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from tracking.batch.qc import X_LABEL, plot_qc, qc_figure, qc_figure_size, start_label
from tracking.rules.presets import get_preset
from tracking.rules.starts import VIDEO_START, AnimalStart, StartSource
from tracking.rules.summary import score_signal


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_qc_png_is_written_with_one_panel_per_animal(tmp_path) -> None:
    rng = np.random.default_rng(0)
    t = np.arange(10_800) / 30.0
    immobile = (t > 150) & (t < 250)
    results = []
    for animal in ("A", "B", "C"):
        signal = np.where(
            immobile, rng.lognormal(np.log(0.002), 0.3, t.size), rng.lognormal(np.log(0.06), 0.3, t.size)
        )
        signal[0] = np.nan
        results.append(score_signal(signal, fps=30.0, animal=animal))
    path = plot_qc(results, tmp_path / "qc" / "video.qc.png", title="video.mp4")
    assert _png_size(path) == qc_figure_size(3) == (1200, 660)


def test_qc_handles_a_failed_threshold_and_a_short_video(tmp_path) -> None:
    zero = score_signal(np.zeros(600), fps=30.0, animal="empty")
    short = score_signal(
        np.r_[np.full(300, 0.001), np.full(300, 0.1)], fps=30.0, params=get_preset("tst", threshold=0.01)
    )
    assert _png_size(plot_qc([zero, short], tmp_path / "q.png")) == qc_figure_size(2)


def test_qc_needs_a_result(tmp_path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        plot_qc([], tmp_path / "q.png")


def test_qc_marks_each_animals_start_and_window_on_video_time() -> None:
    rng = np.random.default_rng(1)
    signal = rng.lognormal(np.log(0.05), 0.3, 3000)
    params = get_preset("fst", window_start_s=10.0, window_end_s=40.0)
    starts = (AnimalStart(23.4, StartSource.DETECTED, 0.97), AnimalStart.entered(5.0))
    results = [
        score_signal(signal, fps=30.0, params=params, animal=f"A{i}", start=start)
        for i, start in enumerate(starts)
    ]
    figure = qc_figure(results)
    axes = figure.axes
    assert axes[-1].get_xlabel() == X_LABEL and X_LABEL.startswith("video time (s)")
    for ax, start, label in zip(
        axes, starts, ("start 23.4 s, detected (conf 0.97)", "start 5.0 s, entered"), strict=True
    ):
        lines = {line.get_label(): line.get_xdata()[0] for line in ax.get_lines()}
        assert lines[label] == start.start_s
        assert [text.get_text() for text in ax.texts] == [label]
        spans = sorted(
            (round(patch.get_x(), 6), round(patch.get_x() + patch.get_width(), 6))
            for patch in ax.patches
            if patch.get_facecolor()[:3] == (0.5019607843137255,) * 3
        )
        assert spans == [
            (0.0, start.start_s),
            (start.start_s, start.start_s + 10.0),
            (start.start_s + 40.0, 100.0),
        ]
    assert start_label(VIDEO_START) == "start 0.0 s, video start"
