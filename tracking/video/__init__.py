"""Video files: reading grey frames, content hashes, which files are videos, ROIs, tank detection, overlays.

- :mod:`tracking.video.reader`: the :class:`~tracking.video.reader.VideoReader` interface and ``open_video``;
  :mod:`tracking.video.backends` its PyAV and OpenCV readers; :mod:`tracking.video.info` the decode report
  and the open error.
- :mod:`tracking.video.hashing`: content hashes; :mod:`tracking.video.files`: which files are videos.
- :mod:`tracking.video.rois`: ROI shapes and files; :mod:`tracking.video.tanks`: round tanks found in a frame;
  :mod:`tracking.video.roi_drawing`: ROIs drawn for checking.
- :mod:`tracking.video.overlay`: annotated videos of a score, written with :mod:`tracking.video.encoding`.
"""
