"""Video reading: containers and codecs, both backends, timestamps, damaged files and their reports."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.tracking.videos import EZTRACK_CLIP, write_opencv, write_pyav
from tracking.video.backends import LIMITED_TO_FULL_LUT, OpenCVReader, PyAVReader
from tracking.video.hashing import content_hash
from tracking.video.info import VideoOpenError
from tracking.video.reader import open_video

CONTAINERS = [
    ("mp4v.mp4", "opencv", "mp4v"),
    ("h264.mp4", "pyav", "libx264"),
    ("mjpg.avi", "opencv", "MJPG"),
    ("xvid.avi", "opencv", "XVID"),
    ("mp4v.mov", "opencv", "mp4v"),
    ("wmv2.wmv", "opencv", "WMV2"),
]


def _write(path: Path, writer: str, codec: str, frames: list[np.ndarray]) -> Path:
    return write_opencv(path, codec, frames) if writer == "opencv" else write_pyav(path, codec, frames)


def _read_all(path: Path, backend: str) -> tuple[list[np.ndarray], object, np.ndarray]:
    with open_video(path, backend=backend) as reader:  # type: ignore[arg-type]
        frames = [grey.copy() for _, grey in reader.frames()]
        return frames, reader.info(), reader.timestamps()


@pytest.mark.parametrize("backend", ["pyav", "opencv"])
@pytest.mark.parametrize(("name", "writer", "codec"), CONTAINERS)
def test_each_container_decodes_every_frame_with_timestamps(
    tmp_path: Path, square_frames: list[np.ndarray], name: str, writer: str, codec: str, backend: str
) -> None:
    path = _write(tmp_path / name, writer, codec, square_frames)
    frames, info, stamps = _read_all(path, backend)
    assert len(frames) == 30
    assert info.decoded_frames == 30 and info.undecodable_frames == 0
    assert info.warnings == ()
    assert not info.variable_frame_rate
    assert info.fps == pytest.approx(30.0, rel=1e-3)
    assert (info.width, info.height) == (160, 120)
    assert frames[0].shape == (120, 160) and frames[0].dtype == np.uint8
    np.testing.assert_allclose(stamps, np.arange(30) / 30.0, atol=2e-3)
    error = np.abs(frames[7].astype(np.int16) - square_frames[7]).mean()
    assert error < 3.0, f"decoded grey differs from the written frame by {error:.2f} levels on average"


@pytest.mark.parametrize(
    ("name", "codec", "pix_fmt"),
    [
        ("h264.mp4", "libx264", "yuv420p"),
        ("mjpeg.avi", "mjpeg", "yuvj420p"),
        ("bgr.nut", "rawvideo", "bgr24"),
    ],
)
def test_pyav_luma_and_opencv_grey_are_the_same_frames(
    tmp_path: Path, square_frames: list[np.ndarray], name: str, codec: str, pix_fmt: str
) -> None:
    path = write_pyav(tmp_path / name, codec, square_frames, pix_fmt=pix_fmt)
    luma, _, _ = _read_all(path, "pyav")
    grey, _, _ = _read_all(path, "opencv")
    for a, b in zip(luma, grey, strict=True):
        assert np.abs(a.astype(np.int16) - b).mean() < 2.5


def test_limited_range_lut_maps_black_and_white_to_0_and_255() -> None:
    assert LIMITED_TO_FULL_LUT[16] == 0 and LIMITED_TO_FULL_LUT[235] == 255
    assert LIMITED_TO_FULL_LUT[0] == 0 and LIMITED_TO_FULL_LUT[255] == 255
    assert np.all(np.diff(LIMITED_TO_FULL_LUT.astype(int)) >= 0)


def test_auto_backend_prefers_pyav(tmp_path: Path, square_frames: list[np.ndarray]) -> None:
    path = write_opencv(tmp_path / "a.avi", "MJPG", square_frames)
    with open_video(path) as reader:
        assert isinstance(reader, PyAVReader)
    with open_video(path, backend="opencv") as reader:
        assert isinstance(reader, OpenCVReader)


def test_raw_luma_is_the_stored_range_and_luma_scale_converts_it(
    tmp_path: Path, square_frames: list[np.ndarray]
) -> None:
    path = write_pyav(tmp_path / "h264.mp4", "libx264", square_frames)
    with open_video(path, backend="pyav") as reader:
        assert reader.limited_range
        assert reader.luma_scale == pytest.approx(255 / 219)
        raw = next(grey.copy() for _, grey in reader.frames(raw_luma=True))
    assert raw.min() >= 14 and raw.max() <= 237
    expanded, _, _ = _read_all(path, "pyav")
    np.testing.assert_array_equal(LIMITED_TO_FULL_LUT[raw], expanded[0])


def test_crop_and_max_frames(tmp_path: Path, square_frames: list[np.ndarray]) -> None:
    path = write_opencv(tmp_path / "a.mp4", "mp4v", square_frames)
    for backend in ("pyav", "opencv"):
        with open_video(path, backend=backend) as reader:  # type: ignore[arg-type]
            crops = [grey.copy() for _, grey in reader.frames(crop=(10, 20, 50, 40), max_frames=5)]
            assert reader.info().decoded_frames == 5
        full, _, _ = _read_all(path, backend)
        assert len(crops) == 5 and crops[0].shape == (40, 50)
        np.testing.assert_array_equal(crops[3], full[3][20:60, 10:60])
        with open_video(path, backend=backend) as reader, pytest.raises(ValueError, match="outside"):  # type: ignore[arg-type]
            next(reader.frames(crop=(150, 0, 20, 20)))


@pytest.mark.parametrize("backend", ["auto", "pyav", "opencv"])
def test_zero_byte_file_is_refused_with_the_file_name(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(VideoOpenError, match=r"empty\.mp4.*0 bytes.*Accepted formats") as caught:
        open_video(path, backend=backend)  # type: ignore[arg-type]
    assert caught.value.path == path


def test_text_file_named_mp4_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video\n" * 50)
    with pytest.raises(VideoOpenError, match=r"notes\.mp4.*Accepted formats: mp4"):
        open_video(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(VideoOpenError, match="no such file"):
        open_video(tmp_path / "absent.mp4")


def test_mp4_cut_in_half_is_refused(tmp_path: Path, square_frames: list[np.ndarray]) -> None:
    """An mp4 keeps its index (moov atom) at the end: half a file has none and cannot be opened at all."""
    whole = write_pyav(tmp_path / "whole.mp4", "libx264", square_frames).read_bytes()
    half = tmp_path / "half.mp4"
    half.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(VideoOpenError, match=r"half\.mp4"):
        open_video(half)


def test_avi_cut_in_half_is_a_counted_partial_read(tmp_path: Path, square_frames: list[np.ndarray]) -> None:
    """An AVI streams its frames before its index: the decodable half is read and the shortfall reported."""
    whole = write_opencv(tmp_path / "whole.avi", "MJPG", square_frames).read_bytes()
    half = tmp_path / "half.avi"
    half.write_bytes(whole[: len(whole) // 2])
    frames, info, _ = _read_all(half, "pyav")
    assert 5 < len(frames) < 30 == info.metadata_frame_count
    assert any(f"{len(frames)} frames decoded but 30 announced" in w for w in info.warnings)


@pytest.mark.parametrize("backend", ["pyav", "opencv"])
def test_corrupt_frames_are_counted_and_skipped(
    tmp_path: Path, square_frames: list[np.ndarray], backend: str
) -> None:
    data = bytearray(write_opencv(tmp_path / "ok.avi", "MJPG", square_frames).read_bytes())
    starts = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xD8]
    for k in (10, 11):
        data[starts[k] : starts[k] + 400] = bytes(400)
    corrupt = tmp_path / "corrupt.avi"
    corrupt.write_bytes(bytes(data))
    frames, info, stamps = _read_all(corrupt, backend)
    assert info.undecodable_frames == 2 and len(frames) == 28
    assert any("could not be decoded" in w for w in info.warnings)
    assert info.fps == pytest.approx(30.0, rel=1e-3)
    assert np.max(np.diff(stamps)) == pytest.approx(3 / 30, abs=2e-3)


def test_variable_frame_rate_is_flagged(tmp_path: Path, square_frames: list[np.ndarray]) -> None:
    intervals = [33 if i % 3 else 83 for i in range(29)]
    pts = np.concatenate([[0], np.cumsum(intervals)]).tolist()
    path = write_pyav(tmp_path / "vfr.mp4", "libx264", square_frames, pts=pts, time_base=Fraction(1, 1000))
    frames, info, stamps = _read_all(path, "pyav")
    assert len(frames) == 30
    assert info.variable_frame_rate
    assert any(w.startswith("variable frame rate") for w in info.warnings)
    np.testing.assert_allclose(stamps, np.asarray(pts) / 1000.0, atol=1e-3)


def test_constant_rate_with_millisecond_timestamps_is_not_flagged() -> None:
    """wmv rounds timestamps to whole milliseconds (33, 33, 34 ms ...): that jitter is not a variable rate."""
    if not EZTRACK_CLIP.is_file():
        pytest.skip(f"ezTrack practice clip not found at {EZTRACK_CLIP}")
    frames, info, _ = _read_all(EZTRACK_CLIP, "pyav")
    assert info.codec == "wmv3" and info.decoded_frames == 298 == len(frames)
    assert not info.variable_frame_rate and info.warnings == ()


def test_video_info_is_json_ready(tmp_path: Path, square_frames: list[np.ndarray]) -> None:
    path = write_opencv(tmp_path / "a.mp4", "mp4v", square_frames)
    _, info, _ = _read_all(path, "pyav")
    data = info.to_dict()
    assert data["decoded_frames"] == 30 and data["backend"] == "pyav" and data["codec"] == "mpeg4"
    assert data["content_hash"] == content_hash(path)


def test_content_hash_samples_large_files_and_sees_changes(tmp_path: Path) -> None:
    small = tmp_path / "small.bin"
    small.write_bytes(b"abc")
    assert content_hash(small).startswith("sha256:")
    big = tmp_path / "big.bin"
    payload = bytearray(np.random.default_rng(0).integers(0, 256, 3_000_000, dtype=np.uint8).tobytes())
    big.write_bytes(bytes(payload))
    sampled = content_hash(big)
    assert sampled.startswith("sha256-sampled:") and sampled == content_hash(big)
    assert content_hash(big, full=True).startswith("sha256:")
    payload[0] ^= 0xFF
    big.write_bytes(bytes(payload))
    assert content_hash(big) != sampled
