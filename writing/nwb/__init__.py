"""Forced-swim sessions as NWB files (Neurodata Without Borders), for sharing on DANDI.

- :mod:`writing.nwb.records`: what a file holds, as plain values (no NWB library: cheap to import).
- :mod:`writing.nwb.file`: the file itself (subject, session, video reference, doses), written atomically;
  pynwb and ndx-pose are imported only when a file is written.
- :mod:`writing.nwb.behavior`: the scoring's bouts, signal and parameters, and the pose tracks.
"""
