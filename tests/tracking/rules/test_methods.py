"""tracking.rules.methods: the one registry of scoring methods, light to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tracking.rules.methods import METHOD_NAMES, METHODS, is_method_name
from tracking.rules.presets import PresetError, method_of


def test_the_registry_lists_every_method_once_with_its_inputs() -> None:
    assert METHOD_NAMES == ("motion", "pose") and tuple(METHODS) == METHOD_NAMES
    assert [m.pose_files for m in METHODS.values()] == [False, True]
    assert is_method_name("pose") and not is_method_name("sleap")
    assert method_of("pose") is METHODS["pose"]
    with pytest.raises(PresetError, match="unknown method 'sleap'; accepted: motion, pose"):
        method_of("sleap")


def test_a_calibrated_preset_keeps_no_camera_options() -> None:
    options = {"kind": "relative", "px_per_cm": 10.0, "fps": 30.0, "tank_diameter_px": 200}
    assert METHODS["pose"].preset_options(options) == {"kind": "relative"}
    assert METHODS["motion"].preset_options({"pixel_cutoff": 9.0}) == {"pixel_cutoff": 9.0}


def test_each_engine_knows_its_signal_options() -> None:
    assert METHODS["motion"].engine().signal_option_names == ("pixel_cutoff", "blur_sigma", "subsample")
    assert {"px_per_cm", "fps", "bodyparts"} <= set(METHODS["pose"].engine().signal_option_names)


def test_importing_the_registry_and_presets_loads_no_decoder() -> None:
    code = (
        "import sys, tracking.rules.presets, tracking.rules.methods; "
        "print(sorted(m for m in ('cv2', 'av', 'matplotlib', 'tracking.pose.io') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.strip() == "[]"
