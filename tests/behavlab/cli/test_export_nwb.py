"""`behavlab export nwb`: blind files only before unmasking, DANDI names by code, and a clear refusal."""

from pathlib import Path

from pynwb import NWBHDF5IO

from behavlab.services import Workspace
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.randomized_study import RandomizedStudy, two_animals_in_one_video


def test_export_nwb_writes_blind_files_and_refuses_an_open_export_before_unmasking(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    codes, _ = two_animals_in_one_video(workspace, randomized, tmp_path)
    out = tmp_path / "dandi"
    refused = cli("export", "nwb", randomized.name, "--out", str(out))
    assert refused.exit_code != 0 and "--blind" in refused.output and not out.exists()

    written = cli("export", "nwb", randomized.name, "--out", str(out), "--blind")
    assert written.exit_code == 0, written.output
    assert "wrote 2 blind NWB files (no arm)" in written.output
    for code in codes:
        path = out / f"sub-{code}" / f"sub-{code}_ses-fst1_desc-blind_behavior+image.nwb"
        assert f"sub-{code}/{path.name}" in written.output
        with NWBHDF5IO(str(path), "r") as io:
            nwb = io.read()
            assert nwb.subject.subject_id == code and "immobility_bouts" not in (nwb.intervals or {})
