"""The audit chain anchored on paper: every sheet, report and manifest carries the chain head, and the current
log is proved to extend it, so deleting the latest events or rewriting and re-chaining is caught."""

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from behavlab.audit_head import HEAD_LABEL, ChainHead, heads_in
from behavlab.errors import InvalidInputError
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_study,
    current_head,
    dosing_sheet,
    draft_randomization,
    import_roster,
    list_events,
    parse_head,
    read_receipt,
    reprint_preparer_sheet,
    unmask_study,
    verify_chain,
    verify_extends,
    write_dosing_sheet,
    write_study_report,
)
from behavlab.services.audit import GENESIS_HASH
from tests.behavlab.audit_tamper import (
    delete_last_events,
    drop_audit_triggers,
    refuse_three_unseals,
    rewrite_and_rechain,
)
from tests.behavlab.factories import write_roster
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE, RandomizedStudy


def sheet_head(workspace: Workspace, randomized: RandomizedStudy, path: Path) -> ChainHead:
    sheet = dosing_sheet(workspace, randomized.name, day=randomized.weighed_at.date())
    (head,) = read_receipt(write_dosing_sheet(sheet, path))
    return head


def test_the_dosing_sheet_carries_the_head_and_stays_a_readable_table(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    now = current_head(workspace)
    assert now.events == len(list_events(workspace)) and now.hash == list_events(workspace)[-1].hash
    sheet = dosing_sheet(workspace, randomized.name, day=randomized.weighed_at.date())
    assert sheet.audit_head == now
    written = write_dosing_sheet(sheet, tmp_path / "day.csv").read_text()
    assert written.splitlines()[-1] == now.line, "the head is the last line, after the protocol line"
    assert list(csv.reader(written.splitlines()[-3:])) == [[], [sheet.protocol], [now.line]]
    assert now.line == f"audit chain head: {now.hash} ({now.events} events)"
    with (tmp_path / "day.csv").open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["code"] for row in rows[:-2]] == [line.code for line in sheet.lines]
    assert rows[-2]["code"] == sheet.protocol
    assert rows[-1]["code"] == now.line and rows[-1]["code"].startswith(HEAD_LABEL)
    table = pd.read_csv(tmp_path / "day.csv")
    assert table.columns[0] == "code" and len(table) == len(sheet.lines) + 2
    page = write_dosing_sheet(sheet, tmp_path / "day.html").read_text()
    assert f'<p class="audit-head">{now.line}</p>' in page
    assert read_receipt(tmp_path / "day.html") == [now]


def test_a_clean_log_extends_the_head_printed_on_a_sheet(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    head = sheet_head(workspace, randomized, tmp_path / "day.csv")
    unchanged = verify_extends(workspace, head.hash, head.events)
    assert unchanged.ok and unchanged.position == unchanged.events_now == head.events
    refuse_three_unseals(workspace, randomized)
    later = verify_extends(workspace, head.hash, head.events)
    assert later.ok, later.problem
    assert (later.position, later.events_now) == (head.events, head.events + 3)
    assert verify_extends(workspace, head.hash.upper()).ok, "the hash alone, in any case, is enough"


def test_deleting_the_last_events_is_caught_against_the_dosing_sheet(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    refuse_three_unseals(workspace, randomized)
    head = sheet_head(workspace, randomized, tmp_path / "dosing.csv")
    assert delete_last_events(workspace, 3) == ["unseal.refused"] * 3
    assert verify_chain(workspace).ok, "what is left of a truncated chain still verifies on its own"
    check = verify_extends(workspace, head.hash, head.events)
    assert not check.ok and check.position is None and check.events_now == head.events - 3
    assert f"fewer than the {head.events}" in (check.problem or "")
    assert "truncated" in (check.problem or "")
    bare = verify_extends(workspace, head.hash)
    assert not bare.ok and "truncated" in (bare.problem or "")


def test_rewriting_an_event_and_recomputing_every_hash_is_caught(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    refuse_three_unseals(workspace, randomized)
    head = sheet_head(workspace, randomized, tmp_path / "dosing.csv")
    first_refusal = next(e for e in list_events(workspace) if e.action == "unseal.refused")
    assert first_refusal.id is not None
    rewrite_and_rechain(workspace, first_refusal.id, '{"purpose":"nothing","problem":"none"}')
    assert verify_chain(workspace).ok, "a re-chained log verifies on its own"
    assert current_head(workspace).events == head.events
    check = verify_extends(workspace, head.hash, head.events)
    assert not check.ok
    assert f"event {head.events} of the log" in (check.problem or "")
    assert "rewritten" in (check.problem or "") and "re-chained" in (check.problem or "")


def test_a_wrong_count_and_a_chain_broken_before_or_after_the_head_are_named(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    head = sheet_head(workspace, randomized, tmp_path / "dosing.csv")
    miscounted = verify_extends(workspace, head.hash, head.events + 1)
    assert not miscounted.ok
    assert f"event {head.events} of the log, but the head was printed with {head.events + 1}" in (
        miscounted.problem or ""
    )
    refuse_three_unseals(workspace, randomized)
    events = list_events(workspace)
    with workspace.engine.begin() as connection:
        drop_audit_triggers(connection)
        connection.execute(text("UPDATE auditevent SET actor = 'eve' WHERE id = :id"), {"id": events[-1].id})
    after = verify_extends(workspace, head.hash, head.events)
    assert not after.ok and f"broken after the head, at event {events[-1].id}" in (after.problem or "")
    with workspace.engine.begin() as connection:
        connection.execute(text("UPDATE auditevent SET actor = 'eve' WHERE id = :id"), {"id": events[0].id})
    before = verify_extends(workspace, head.hash, head.events)
    assert not before.ok and f"at or before the head, at event {events[0].id}" in (before.problem or "")


def test_a_head_check_is_about_the_chain_while_edited_rows_are_verify_chains_finding(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    head = sheet_head(workspace, randomized, tmp_path / "dosing.csv")
    with workspace.engine.begin() as connection:
        connection.execute(text("UPDATE weight SET weight_g = 99"))
    report = verify_chain(workspace)
    assert not report.ok and report.first_bad_event_id is None, "the edit is found in the data, not the chain"
    assert verify_extends(workspace, head.hash, head.events).ok


def test_the_empty_logs_head_is_extended_by_every_log(workspace: Workspace) -> None:
    assert current_head(workspace) == ChainHead(GENESIS_HASH, 0)
    create_study(workspace, StudySettings(name="alpha"))
    assert verify_extends(workspace, GENESIS_HASH, 0).ok
    assert verify_extends(workspace, GENESIS_HASH).ok
    zero = verify_extends(workspace, current_head(workspace).hash, 0)
    assert not zero.ok and "0 events" in (zero.problem or "")


def test_the_preparer_sheet_head_includes_its_own_write_event(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="anchored"))
    import_roster(workspace, "anchored", write_roster(tmp_path / "roster.csv", 8))
    draft = draft_randomization(workspace, "anchored", RandomizationOptions(seed=11, no_protocol=True))
    sheet = tmp_path / "preparer.csv"
    commit_randomization(workspace, draft, PASSPHRASE, preparer_sheet=sheet, kdf=FAST_KDF)
    (head,) = read_receipt(sheet)
    latest = list_events(workspace)[-1]
    assert latest.action == "preparer_sheet.write" and head == ChainHead(
        latest.hash, len(list_events(workspace))
    )
    with sheet.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 8 + 1 and rows[-1]["code"] == head.line
    again = reprint_preparer_sheet(workspace, "anchored", PASSPHRASE, tmp_path / "again.csv")
    (reprinted,) = read_receipt(again)
    latest = list_events(workspace)[-1]
    assert latest.action == "preparer_sheet.reprint" and reprinted == ChainHead(latest.hash, head.events + 1)
    assert verify_extends(workspace, head.hash, head.events).ok


def test_the_blind_and_the_unmasked_report_and_their_manifests_carry_the_head(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    blind = write_study_report(workspace, randomized.name, tmp_path / "blind").files
    head = current_head(workspace)
    for path in (blind.markdown, blind.html, blind.manifest):
        assert read_receipt(path) == [head], path
    assert json.loads(blind.manifest.read_text())["audit_chain_head"] == {
        "hash": head.hash,
        "events": head.events,
    }
    assert head.line in blind.markdown.read_text()
    unmask_study(workspace, randomized.name, PASSPHRASE, "anchoring test")
    final = write_study_report(workspace, randomized.name, tmp_path / "final").files
    after = current_head(workspace)
    assert after.events > head.events
    for path in (final.markdown, final.html, final.manifest):
        assert read_receipt(path) == [after], path
        check = verify_extends(workspace, after.hash, after.events)
        assert check.ok, check.problem
    assert verify_extends(workspace, head.hash, head.events).ok


def test_a_receipt_without_a_head_or_with_a_malformed_one_is_refused_naming_the_file(tmp_path: Path) -> None:
    plain = tmp_path / "notes.csv"
    plain.write_text("code,cage\nAB12,1\n")
    with pytest.raises(InvalidInputError, match=r"notes\.csv: no audit chain head found; accepted: a dosing"):
        read_receipt(plain)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"audit_chain_head": {"hash": "abc", "events": 3}}))
    with pytest.raises(InvalidInputError, match=r"manifest\.json: audit chain head 'abc': accepted: 64"):
        read_receipt(manifest)
    manifest.write_text(json.dumps({"audit_chain_head": "yes"}))
    with pytest.raises(InvalidInputError, match=r'"audit_chain_head" is "yes"; accepted'):
        read_receipt(manifest)
    with pytest.raises(InvalidInputError, match=r"missing\.csv: cannot be read"):
        read_receipt(tmp_path / "missing.csv")


def test_head_lines_are_found_as_printed_and_escaped() -> None:
    digest = "ab" * 32
    assert heads_in(f"x\naudit chain head: {digest} (12 events)\n") == [ChainHead(digest, 12)]
    assert heads_in(f"Audit Chain Head: {digest.upper()} \\(1 event\\)") == [ChainHead(digest, 1)]
    assert ChainHead(digest, 1).line.endswith("(1 event)")
    assert parse_head(digest.upper()) == (digest, None)
    assert parse_head(f"{digest} (7 events)") == (digest, 7)
    assert parse_head(f" audit chain head: {digest} (7 events) ") == (digest, 7)
    with pytest.raises(InvalidInputError, match="accepted: the 64 hex digits"):
        parse_head(digest[:-1])
    with pytest.raises(ValueError, match="64 lowercase hex digits"):
        ChainHead("z" * 64, 1)
