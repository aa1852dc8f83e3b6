"""Tests of the named presets and their validation (tracking.rules.presets)."""

from __future__ import annotations

import json

import pytest

from tracking.rules.presets import (
    PRESETS,
    PresetError,
    ScoringParams,
    available_presets,
    get_preset,
    load_preset,
    save_preset,
)


@pytest.mark.parametrize("name", ["fst", "tst", "freezing"])
@pytest.mark.parametrize("method", ["motion", "pose"])
def test_every_builtin_preset_exists_and_cites_its_source(name: str, method: str) -> None:
    params = get_preset(name, method)
    assert params.name == name and params.method == method and params.source


def test_documented_defaults() -> None:
    fst = get_preset("fst")
    assert (fst.threshold, fst.min_bout_s, fst.window_start_s, fst.window_end_s) == (
        "auto",
        1.0,
        120.0,
        360.0,
    )
    tst = get_preset("tst", "pose")
    assert (tst.window_start_s, tst.window_end_s) == (0.0, 360.0)
    freezing = get_preset("freezing", "pose")
    assert (freezing.threshold, freezing.min_bout_s, freezing.window_end_s) == ("auto", 0.5, None)
    assert get_preset("freezing").min_bout_s == 0.5 and get_preset("freezing").smooth_s > 0


def test_overrides_are_applied() -> None:
    params = get_preset("fst", threshold=0.02, min_bout_s=0.5, climb_threshold=0.2)
    assert (params.threshold, params.min_bout_s, params.climb_threshold) == (0.02, 0.5, 0.2)
    assert PRESETS[("fst", "motion")].threshold == "auto"  # the built-in is untouched


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"min_bout": 1.0}, "unknown parameter 'min_bout'; accepted parameters: name, method"),
        ({"min_bout_s": -1.0}, r"min_bout_s = -1.0 is not accepted; expected seconds between 0 and 60"),
        ({"threshold": "adaptive"}, r"threshold = 'adaptive' is not accepted; expected 'auto' or a finite"),
        ({"threshold": float("nan")}, "threshold = nan"),
        ({"threshold": 0.2, "climb_threshold": 0.1}, "climb_threshold = 0.1 must be greater than threshold"),
        ({"window_end_s": 100.0}, "window_end_s = 100.0 must be greater than window_start_s = 120.0"),
        ({"min_bout_s": True}, "min_bout_s = True"),
    ],
)
def test_bad_overrides_name_the_parameter(overrides: dict, message: str) -> None:
    with pytest.raises(PresetError, match=message):
        get_preset("fst", **overrides)


def test_unknown_preset_and_method() -> None:
    with pytest.raises(PresetError, match="unknown preset 'fts'; available: freezing, fst, tst"):
        get_preset("fts")
    with pytest.raises(PresetError, match="method 'video'"):
        get_preset("fst", "video")


def test_calibrated_preset_round_trip(tmp_path) -> None:
    calibrated = ScoringParams("lab2_fst", "motion", threshold=0.013, min_bout_s=0.8, source="calibrated")
    path = save_preset(calibrated, tmp_path)
    assert path == tmp_path / "lab2_fst.json"
    assert get_preset("lab2_fst", "motion", directory=tmp_path) == calibrated
    assert get_preset("lab2_fst", directory=tmp_path, min_bout_s=1.2).min_bout_s == 1.2
    assert "lab2_fst" in available_presets(tmp_path)
    with pytest.raises(PresetError, match="calibrated for method 'motion', not 'pose'"):
        get_preset("lab2_fst", "pose", directory=tmp_path)


def test_bad_preset_files_name_the_file(tmp_path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(PresetError, match=r"broken\.json"):
        load_preset(tmp_path / "broken.json")
    document = {
        "format": "behavlab-preset",
        "version": 1,
        "params": {"name": "x", "method": "pose", "foo": 1},
    }
    (tmp_path / "x.json").write_text(json.dumps(document))
    with pytest.raises(PresetError, match=r"x.json: unknown parameter 'foo'"):
        get_preset("x", "pose", directory=tmp_path)
    with pytest.raises(PresetError, match="plain name"):
        save_preset(ScoringParams("../escape", "motion"), tmp_path)
