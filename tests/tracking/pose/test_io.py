"""Tests of reading DeepLabCut files and pairing them with videos (tracking.pose.io)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.shared_data import SHARED_DATA
from tracking.pose import (
    PoseFileError,
    PoseTracks,
    find_pose_file,
    find_video_for_pose,
    parse_pose_name,
    read_dlc,
    score_pose_file,
    write_dlc,
)
from tracking.pose.io import dlc_frame

SAMPLE = SHARED_DATA / "dlc3_sample"
SAMPLE_STEM = "mouse1DLC_Resnet50_tinyNov25shuffle1_snapshot_best-10"
DLC2_SCORER = "DLC_resnet50_fstJan1shuffle1_500000"
DLC3_SCORER = "DLC_Resnet50_fstNov25shuffle1_snapshot_200"
needs_sample = pytest.mark.skipif(
    not (SAMPLE / f"{SAMPLE_STEM}.h5").is_file(), reason=f"the DeepLabCut 3 sample is not in {SAMPLE}"
)


def _tracks(individuals: tuple[str, ...] = ("animal",), n: int = 40, scorer: str = DLC3_SCORER) -> PoseTracks:
    rng = np.random.default_rng(1)
    shape = (n, len(individuals), 3)
    return PoseTracks(
        x=rng.uniform(0, 640, shape),
        y=rng.uniform(0, 480, shape),
        likelihood=rng.uniform(0, 1, shape),
        bodyparts=("snout", "mid back", "tail_base"),
        individuals=individuals,
        fps=30.0,
        scorer=scorer,
    )


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
@pytest.mark.parametrize("scorer", [DLC2_SCORER, DLC3_SCORER])
def test_single_animal_round_trip(tmp_path: Path, suffix: str, scorer: str) -> None:
    tracks = _tracks(scorer=scorer)
    path = write_dlc(tracks, tmp_path / f"m1{scorer}{suffix}")
    loaded = read_dlc(path, fps=25.0)
    assert loaded.bodyparts == ("snout", "mid back", "tail_base") and loaded.individuals == ("animal",)
    assert loaded.scorer == scorer and loaded.fps == 25.0 and loaded.source == str(path)
    np.testing.assert_allclose(loaded.x, tracks.x)
    np.testing.assert_allclose(loaded.likelihood, tracks.likelihood)
    np.testing.assert_allclose(loaded.timestamps()[:3], [0, 0.04, 0.08])


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_multi_animal_round_trip_and_header_rows(tmp_path: Path, suffix: str) -> None:
    tracks = _tracks(("mouse1", "mouse2"))
    path = write_dlc(tracks, tmp_path / f"cage{DLC3_SCORER}_el{suffix}")
    loaded = read_dlc(path)
    assert loaded.individuals == ("mouse1", "mouse2") and loaded.x.shape == (40, 2, 3)
    np.testing.assert_allclose(loaded.y, tracks.y)
    if suffix == ".csv":
        first_cells = [line.split(",")[0] for line in path.read_text().splitlines()[:5]]
        assert first_cells == ["scorer", "individuals", "bodyparts", "coords", "0"]


def test_multi_animal_unique_bodyparts_get_nan_for_other_individuals(tmp_path: Path) -> None:
    table = dlc_frame(_tracks(("mouse1",)), multi_animal=True)
    unique = pd.DataFrame(
        np.ones((40, 3)),
        columns=pd.MultiIndex.from_tuples(
            [(DLC3_SCORER, "single", "tank_top", c) for c in ("x", "y", "likelihood")],
            names=table.columns.names,
        ),
    )
    path = tmp_path / "ma.h5"
    pd.concat([table, unique], axis=1).to_hdf(path, key="df_with_missing", format="table", mode="w")
    loaded = read_dlc(path)
    assert loaded.individuals == ("mouse1", "single")
    assert loaded.bodyparts == ("snout", "mid back", "tail_base", "tank_top")
    assert np.isnan(loaded.x[:, 0, 3]).all() and np.isnan(loaded.x[:, 1, :3]).all()
    assert (loaded.x[:, 1, 3] == 1).all()


def test_rows_are_frame_numbers_missing_frames_become_nan(tmp_path: Path) -> None:
    table = dlc_frame(_tracks(n=5))
    table.index = [0, 1, 2, 5, 6]
    path = tmp_path / "gappy.csv"
    table.to_csv(path)
    loaded = read_dlc(path)
    assert loaded.n_frames == 7
    assert np.isnan(loaded.x[3:5]).all() and np.isfinite(loaded.x[5]).all()


@needs_sample
@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_real_deeplabcut3_sample_loads(suffix: str) -> None:
    tracks = read_dlc(SAMPLE / f"{SAMPLE_STEM}{suffix}", fps=30.0)
    assert tracks.x.shape == (300, 1, 2) and tracks.bodyparts == ("nose", "tail")
    assert tracks.scorer == "DLC_Resnet50_tinyNov25shuffle1_snapshot_best-10"
    assert 0.2 < np.nanmedian(tracks.likelihood) < 0.5  # a barely trained network: poor poses


@needs_sample
def test_real_sample_scores_without_error_with_the_fps_of_its_video() -> None:
    [result] = score_pose_file(SAMPLE / f"{SAMPLE_STEM}.h5")
    assert result.animal == "animal" and result.params["signal"]["scorer"].startswith("DLC_Resnet50")
    assert result.frames.n_frames == 300 and result.params["bout_rule"]["fps"] == pytest.approx(30.0)
    assert any("below the likelihood cutoff" in w for w in result.warnings)
    # With a cutoff the poor network passes, a signal exists and is scored.
    from tracking.pose import PoseSignalParams

    [lenient] = score_pose_file(
        SAMPLE / f"{SAMPLE_STEM}.csv",
        fps=30.0,
        signal=PoseSignalParams(min_likelihood=0.2),
        window_start_s=0.0,
    )
    assert np.isfinite(lenient.raw_signal).mean() > 0.9 and lenient.scored_s > 0


@pytest.mark.parametrize(
    ("name", "video", "scorer", "suffix"),
    [
        (f"{SAMPLE_STEM}.h5", "mouse1", "DLC_Resnet50_tinyNov25shuffle1_snapshot_best-10", ""),
        ("rat_2DLC_resnet50_fstJan1shuffle1_500000_filtered.csv", "rat_2", DLC2_SCORER, "_filtered"),
        (
            "cageDLC_dlcrnetms5_fstJan1shuffle2_200000_el.h5",
            "cage",
            "DLC_dlcrnetms5_fstJan1shuffle2_200000",
            "_el",
        ),
        (f"m.v1{DLC3_SCORER}_el_filtered.h5", "m.v1", DLC3_SCORER, "_el_filtered"),
    ],
)
def test_parse_pose_name(name: str, video: str, scorer: str, suffix: str) -> None:
    parsed = parse_pose_name(name)
    assert parsed is not None
    assert (parsed.video_stem, parsed.scorer, parsed.suffix) == (video, scorer, suffix)


def test_parse_pose_name_rejects_other_files() -> None:
    assert parse_pose_name("mouse1.h5") is None and parse_pose_name("notes_DLC.csv") is None


def test_pairing_prefers_filtered_then_h5_and_ignores_similar_stems(tmp_path: Path) -> None:
    for name in (
        "m1.mp4",
        "m10.mp4",
        f"m1{DLC3_SCORER}.csv",
        f"m1{DLC3_SCORER}.h5",
        f"m10{DLC3_SCORER}_filtered.h5",
    ):
        (tmp_path / name).write_bytes(b"x")
    assert find_pose_file(tmp_path / "m1.mp4") == tmp_path / f"m1{DLC3_SCORER}.h5"
    assert find_pose_file(tmp_path / "m10.mp4") == tmp_path / f"m10{DLC3_SCORER}_filtered.h5"
    assert find_video_for_pose(tmp_path / f"m10{DLC3_SCORER}_filtered.h5") == tmp_path / "m10.mp4"
    (tmp_path / f"m1{DLC3_SCORER}_filtered.csv").write_bytes(b"x")
    assert find_pose_file(tmp_path / "m1.mp4") == tmp_path / f"m1{DLC3_SCORER}_filtered.csv"


def test_pairing_errors_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "m1.mp4").write_bytes(b"x")
    with pytest.raises(PoseFileError, match="no DeepLabCut file named m1DLC_"):
        find_pose_file(tmp_path / "m1.mp4")
    (tmp_path / f"m1{DLC3_SCORER}.h5").write_bytes(b"x")
    (tmp_path / f"m1{DLC2_SCORER}.h5").write_bytes(b"x")
    with pytest.raises(PoseFileError, match="2 scorers"):
        find_pose_file(tmp_path / "m1.mp4")


def _write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,2,0.9\n", "header rows start with 'bodyparts'"),
        ("scorer,S,S,S\nbodyparts,a,a,a\n0,1,2,0.9\n", "header rows start with 'scorer', 'bodyparts', '0'"),
        ("scorer,S,S\nbodyparts,a,a\ncoords,x,y\n0,1,2\n", "missing coordinate columns: a/likelihood"),
        ("scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,,,\n1,,,\n", "all NaN"),
        ("scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,oops,0.9\n", "row 0, column a/y: 'oops'"),
        ("scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,y,likelihood\nimg001.png,1,2,0.9\n", "not a frame number"),
    ],
)
def test_malformed_csv_raises_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = _write_csv(tmp_path / f"v{DLC3_SCORER}.csv", text)
    with pytest.raises(PoseFileError, match=message) as caught:
        read_dlc(path)
    assert str(path) in str(caught.value)


def test_malformed_h5_and_other_files(tmp_path: Path) -> None:
    flat = pd.DataFrame({"x": [1.0], "y": [2.0], "likelihood": [0.9]})
    flat.to_hdf(tmp_path / "flat.h5", key="df_with_missing", format="table", mode="w")
    with pytest.raises(PoseFileError, match=r"column levels are \[None\]"):
        read_dlc(tmp_path / "flat.h5")
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(PoseFileError, match="not a readable DeepLabCut HDF5 file"):
        read_dlc(tmp_path / "text.h5")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(PoseFileError, match="empty"):
        read_dlc(tmp_path / "empty.csv")
    with pytest.raises(PoseFileError, match="no such file"):
        read_dlc(tmp_path / "missing.h5")
    (tmp_path / "a.slp").write_text("x")
    with pytest.raises(PoseFileError, match=r"unknown pose file type '\.slp'"):
        read_dlc(tmp_path / "a.slp")


def test_missing_requested_bodypart_or_individual_names_what_exists() -> None:
    tracks = _tracks(("mouse1", "mouse2"))
    with pytest.raises(PoseFileError, match="no body part 'paw'; the file has snout, mid back, tail_base"):
        tracks.select(bodyparts=["snout", "paw"])
    with pytest.raises(PoseFileError, match="no individual 'mouse3'"):
        tracks.select(individuals=["mouse3"])
    assert tracks.select(["mouse2"], ["tail_base"]).x.shape == (40, 1, 1)


def test_inconsistent_tracks_are_rejected() -> None:
    with pytest.raises(PoseFileError, match="likelihoods must lie in"):
        PoseTracks(np.zeros((2, 1, 1)), np.zeros((2, 1, 1)), np.full((2, 1, 1), 2.0), ("a",), ("i",))
    with pytest.raises(PoseFileError, match="body parts are not unique"):
        PoseTracks(np.zeros((2, 1, 2)), np.zeros((2, 1, 2)), np.ones((2, 1, 2)), ("a", "a"), ("i",))
    with pytest.raises(PoseFileError, match="frame rate is unknown"):
        PoseTracks(np.zeros((2, 1, 1)), np.zeros((2, 1, 1)), np.ones((2, 1, 1)), ("a",), ("i",)).timestamps()
