"""The motion method: the changed-pixel signal per ROI, the empty-tank noise calibration, scoring a video."""
