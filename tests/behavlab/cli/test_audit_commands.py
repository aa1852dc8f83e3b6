"""`behavlab audit verify --head/--receipt`: the log is proved to extend the head a sheet or report holds."""

import json
from pathlib import Path

from behavlab.audit_head import ChainHead
from behavlab.services import Workspace, current_head, read_receipt
from tests.behavlab.audit_tamper import delete_last_events, refuse_three_unseals
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy


def _written_artifacts(cli: Invoke, randomized: RandomizedStudy, out: Path) -> list[Path]:
    day = randomized.weighed_at.date().isoformat()
    for name in ("dosing.csv", "dosing.html"):
        result = cli("dosing-sheet", randomized.name, "--date", day, "--out", str(out / name))
        assert result.exit_code == 0, result.output
    preparer = cli(
        "preparer-sheet",
        randomized.name,
        "--out",
        str(out / "preparer.csv"),
        env={"BEHAVLAB_PASSPHRASE": PASSPHRASE},
    )
    assert preparer.exit_code == 0, preparer.output
    report = cli("report", randomized.name, "--out", str(out / "report"))
    assert report.exit_code == 0, report.output
    return [
        out / "dosing.csv",
        out / "dosing.html",
        out / "preparer.csv",
        *(out / "report" / name for name in ("report.md", "report.html", "manifest.json")),
    ]


def test_every_artifact_is_a_receipt_the_log_extends(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    artifacts = _written_artifacts(cli, randomized, tmp_path)
    events_now = current_head(workspace).events
    for path in artifacts:
        (head,) = read_receipt(path)
        result = cli("audit", "verify", "--receipt", str(path))
        assert result.exit_code == 0, result.output
        assert (
            f"audit log extends head {head.hash} from {path} ({head.events} events then, {events_now} now)"
            in result.stdout
        )
    assert json.loads((tmp_path / "report" / "manifest.json").read_text())["audit_chain_head"]["events"] == (
        events_now
    )


def test_the_head_typed_from_paper_is_checked_with_or_without_its_count(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy
) -> None:
    head = current_head(workspace)
    for typed in (head.hash, head.hash.upper(), f"{head.hash} ({head.events} events)", head.line):
        result = cli("audit", "verify", "--head", typed)
        assert result.exit_code == 0, result.output
        assert f"({head.events} events then, {head.events} now)" in result.stdout
    miscounted = cli("audit", "verify", "--head", f"{head.hash} ({head.events + 2} events)")
    assert miscounted.exit_code == 1
    assert f"was printed with {head.events + 2} events" in miscounted.stderr
    malformed = cli("audit", "verify", "--head", "1234")
    assert malformed.exit_code == 1
    assert "--head '1234': accepted: the 64 hex digits of the audit chain head" in malformed.stderr


def test_three_deleted_refusals_fail_verify_against_the_dosing_sheet(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    refuse_three_unseals(workspace, randomized)
    sheet = tmp_path / "dosing.csv"
    day = randomized.weighed_at.date().isoformat()
    assert cli("dosing-sheet", randomized.name, "--date", day, "--out", str(sheet)).exit_code == 0
    (head,) = read_receipt(sheet)
    assert delete_last_events(workspace, 3) == ["unseal.refused"] * 3
    plain = cli("audit", "verify")
    assert plain.exit_code == 0, "the truncated chain verifies on its own"
    anchored = cli("audit", "verify", "--receipt", str(sheet))
    assert anchored.exit_code == 1
    assert f"the audit log does not extend head {head.hash} from {sheet}" in " ".join(anchored.stderr.split())
    assert f"fewer than the {head.events} it had when the head was printed" in " ".join(
        anchored.stderr.split()
    )
    by_hash = cli("audit", "verify", "--head", ChainHead(head.hash, head.events).line)
    assert by_hash.exit_code == 1 and "truncated" in by_hash.stderr


def test_a_file_without_a_head_is_refused_naming_it(
    cli: Invoke, workspace: Workspace, tmp_path: Path
) -> None:
    other = tmp_path / "roster.csv"
    other.write_text("animal_id,sex\nM1,F\n")
    result = cli("audit", "verify", "--receipt", str(other))
    assert result.exit_code == 1
    assert "roster.csv: no audit chain head found" in " ".join(result.stderr.split())
