"""ROIs: geometry and masks, validation messages, the JSON file, Hough tank detection and the PNG overlay."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from tracking.synth.truth import SynthTruth
from tracking.video.reader import open_video
from tracking.video.roi_drawing import draw_rois, write_roi_png
from tracking.video.rois import (
    CircleROI,
    PolygonROI,
    RectROI,
    ROIError,
    RoiFile,
    full_mask,
    load_rois,
    roi_from_dict,
    save_rois,
    validate_rois,
)
from tracking.video.tanks import detect_tanks


def test_rectangle_mask_and_bounds() -> None:
    roi = RectROI("m1", 10, 20, 30, 40)
    assert roi.bounds() == (10, 20, 40, 60)
    assert roi.mask().shape == (40, 30) and roi.mask().all()


def test_circle_mask_area_is_pi_r_squared() -> None:
    roi = CircleROI("tank1", 100.0, 80.0, 50.0)
    mask = roi.mask()
    x0, y0, x1, y1 = roi.bounds()
    assert mask.shape == (y1 - y0, x1 - x0)
    assert mask.sum() == pytest.approx(math.pi * 50**2, rel=0.01)
    assert mask[50, 50] and not mask[0, 0]


def test_polygon_mask_area_matches_shoelace() -> None:
    roi = PolygonROI("m2", ((10.0, 10.0), (110.0, 10.0), (10.0, 90.0)))
    assert roi.mask().sum() == pytest.approx(0.5 * 100 * 80, rel=0.05)


def test_full_mask_places_the_roi_in_the_frame() -> None:
    mask = full_mask(RectROI("a", 5, 6, 3, 2), (20, 10))
    assert mask.shape == (10, 20) and mask.sum() == 6 and mask[6, 5] and mask[7, 7] and not mask[8, 5]


def test_roi_outside_the_frame_names_roi_bounds_and_frame_size() -> None:
    rois = [CircleROI("tank1", 160, 240, 100), CircleROI("tank2", 600, 240, 100)]
    with pytest.raises(ROIError) as caught:
        validate_rois(rois, (640, 480))
    message = str(caught.value)
    assert "'tank2'" in message and "x 500..700" in message and "640x480" in message
    assert "'tank1'" not in message


def test_empty_and_duplicate_rois_are_refused_all_at_once() -> None:
    rois = [RectROI("a", 0, 0, 0, 10), RectROI("b", 0, 0, 5, 5), PolygonROI("b", ((1.0, 1.0), (3.0, 3.0)))]
    with pytest.raises(ROIError) as caught:
        validate_rois(rois, (100, 100))
    message = str(caught.value)
    assert "'a' (rectangle) is empty" in message
    assert "duplicate label 'b'" in message
    assert "'b' (polygon) is empty" in message


def test_valid_rois_pass() -> None:
    validate_rois([RectROI("a", 0, 0, 100, 100), CircleROI("b", 50, 50, 49.5)], (100, 100))


def test_roi_file_round_trip_per_video_and_default(tmp_path: Path) -> None:
    roi_file = RoiFile(
        default=(CircleROI("tank1", 160.0, 240.0, 120.0),),
        videos={
            "fst_001.mp4": (
                RectROI("m07", 10, 20, 200, 300),
                PolygonROI("m08", ((1.0, 2.0), (50.0, 2.0), (9.0, 40.0))),
            ),
        },
    )
    path = save_rois(tmp_path / "rois.json", roi_file)
    data = json.loads(path.read_text())
    assert data["format"] == "behavlab-rois" and data["version"] == 1
    loaded = load_rois(path)
    assert loaded == roi_file
    assert loaded.for_video("/data/run1/fst_001.mp4")[1].label == "m08"
    assert loaded.for_video("other.mp4") == roi_file.default
    assert loaded.for_video("fst_001")[0].label == "m07", "a pose file alone knows its video's stem only"
    assert loaded.for_video("fst_001.avi") == roi_file.default, "another file of that stem is another video"


def test_bare_list_is_the_batch_default(tmp_path: Path) -> None:
    path = tmp_path / "rois.json"
    path.write_text(json.dumps([{"label": "t1", "shape": "circle", "cx": 5, "cy": 5, "r": 3}]))
    assert load_rois(path).for_video("any.avi") == (CircleROI("t1", 5.0, 5.0, 3.0),)


def test_video_without_rois_names_the_known_videos(tmp_path: Path) -> None:
    path = save_rois(tmp_path / "r.json", RoiFile(videos={"a.mp4": (RectROI("x", 0, 0, 5, 5),)}))
    with pytest.raises(ROIError, match=r"no ROIs for video 'b.mp4'.*a\.mp4"):
        load_rois(path).for_video("b.mp4")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ('[{"label": "a", "shape": "hexagon"}]', "unknown shape 'hexagon'"),
        ('[{"label": "a", "shape": "circle", "cx": 1}]', "malformed ROI"),
        ('{"default": [], "extra": 1}', "unknown keys"),
        ('{"format": "something-else", "default": []}', "is not 'behavlab-rois'"),
        (
            '[{"label": "a", "shape": "circle", "cx": 1, "cy": 1, "r": 1}, '
            '{"label": "a", "shape": "circle", "cx": 5, "cy": 1, "r": 1}]',
            "duplicate ROI labels",
        ),
        ("{not json", "cannot read ROI file"),
        ("{}", "holds no ROIs"),
    ],
)
def test_bad_roi_files_are_refused_with_the_reason(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ROIError, match=match):
        load_rois(path)


def test_roi_from_dict_accepts_each_shape() -> None:
    assert isinstance(
        roi_from_dict({"label": "r", "shape": "rectangle", "x": 1, "y": 2, "width": 3, "height": 4}), RectROI
    )
    assert isinstance(
        roi_from_dict({"label": "p", "shape": "polygon", "points": [[0, 0], [4, 0], [0, 4]]}), PolygonROI
    )


def _first_frame(truth: SynthTruth) -> np.ndarray:
    with open_video(truth.video) as reader:
        return next(grey.copy() for _, grey in reader.frames())


@pytest.mark.parametrize(("n_tanks", "codec"), [(2, "mpeg4"), (4, "h264")])
def test_hough_finds_every_tank_left_to_right(
    synth_factory: Callable[..., SynthTruth], n_tanks: int, codec: str
) -> None:
    truth = synth_factory(duration_s=1.0, n_tanks=n_tanks, codec=codec, seed=n_tanks)
    found = detect_tanks(_first_frame(truth))
    assert [roi.label for roi in found] == [f"tank{i + 1}" for i in range(n_tanks)]
    for roi, tank in zip(found, truth.tanks, strict=True):
        assert math.hypot(roi.cx - tank.roi.cx, roi.cy - tank.roi.cy) < 4.0
        assert roi.r == pytest.approx(tank.roi.r, rel=0.06)
    validate_rois(found, (truth.width, truth.height))


def test_hough_orders_a_grid_in_rows_then_columns() -> None:
    frame = np.full((480, 640), 50, np.uint8)
    centres = [(480, 120), (160, 360), (160, 120), (480, 360)]
    for cx, cy in centres:
        cv2.circle(frame, (cx, cy), 90, 190, -1)
    found = detect_tanks(frame, n_tanks=4)
    order = [(round(r.cx / 160), round(r.cy / 120)) for r in found]
    assert order == [(1, 1), (3, 1), (1, 3), (3, 3)]


def test_no_tank_in_a_flat_frame() -> None:
    assert detect_tanks(np.full((240, 320), 128, np.uint8)) == []


def test_png_of_the_first_frame_with_rois(tmp_path: Path) -> None:
    frame = np.full((120, 160), 100, np.uint8)
    rois = [
        CircleROI("tank1", 40, 60, 30),
        RectROI("m2", 90, 20, 50, 60),
        PolygonROI("m3", ((5, 5), (30, 5), (5, 30))),
    ]
    image = draw_rois(frame, rois)
    assert image.shape == (120, 160, 3) and frame.max() == 100
    assert (image != 100).any(axis=2).sum() > 200
    path = write_roi_png(tmp_path / "rois.png", frame, rois)
    written = cv2.imread(str(path))
    np.testing.assert_array_equal(written, image)


def test_an_rois_note_wraps_to_its_width_and_leaves_the_next_tank_clear() -> None:
    frame = np.zeros((240, 640), dtype=np.uint8)
    rois = [CircleROI("tank1", 80.0, 120.0, 60.0), CircleROI("tank2", 240.0, 120.0, 60.0)]
    note = "start 23.4 s, detected (conf 0.97)"
    drawn = draw_rois(frame, rois, {"tank1": note})
    between = drawn[:, 142:178]
    assert not between.any()  # the note stays inside tank1's width, the gap to tank2 is untouched
    note_rows = np.flatnonzero((drawn != draw_rois(frame, rois)).any(axis=(1, 2)))
    assert note_rows.max() - note_rows.min() > 20  # the note wrapped onto a second 16-px line
