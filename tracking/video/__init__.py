"""Video files: reading grey frames (PyAV, OpenCV), content hashes, which files are videos, ROIs, overlays."""
