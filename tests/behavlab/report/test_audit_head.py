"""The report carries the audit chain head it was read at: under the title and in manifest.json."""

import json
from dataclasses import replace
from pathlib import Path

from behavlab.audit_head import ChainHead, heads_in
from behavlab.report import write_report
from tests.behavlab.report import synthetic_report


def test_the_head_is_under_the_title_and_in_the_manifest_blind_or_unmasked(tmp_path: Path) -> None:
    head = ChainHead("3f" * 32, 41)
    for blinded in (True, False):
        files = write_report(
            replace(synthetic_report(blinded=blinded), audit_head=head), tmp_path / str(blinded)
        )
        markdown = files.markdown.read_text()
        assert markdown.index(head.line) < markdown.index("\n## "), "the head is in the title block"
        assert heads_in(files.html.read_text()) == [head]
        assert f"<p>{head.line}</p>" in files.html.read_text()
        assert json.loads(files.manifest.read_text())["audit_chain_head"] == {"hash": "3f" * 32, "events": 41}


def test_a_report_built_without_a_head_says_so_in_its_manifest(tmp_path: Path) -> None:
    files = write_report(synthetic_report(blinded=True), tmp_path)
    assert heads_in(files.markdown.read_text()) == []
    assert json.loads(files.manifest.read_text())["audit_chain_head"] is None
