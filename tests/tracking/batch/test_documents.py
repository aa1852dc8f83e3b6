"""tracking.batch.documents: result documents read and rescore, including those written before 0.2's names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tracking.result_folders import two_state_signal, window_params, write_result
from tracking.batch.documents import load_document, load_documents, rescore_document
from tracking.batch.rescore import rescore_folder
from tracking.rules.presets import PresetError
from tracking.rules.threshold import DEGREES_OF_FREEDOM, THRESHOLD_METHOD


def test_new_documents_name_the_t_mixture_and_its_degrees_of_freedom(tmp_path: Path) -> None:
    document = write_result(tmp_path, "K7Q1", {"tank1": two_state_signal(0)}, window_params())
    threshold = document["animals"][0]["params"]["threshold"]  # type: ignore[index]
    assert (threshold["method"], threshold["degrees_of_freedom"]) == ("t-mixture-log", 4.0)
    assert (THRESHOLD_METHOD, DEGREES_OF_FREEDOM) == ("t-mixture-log", 4.0)


def test_a_document_that_says_gmm_log_still_reads_and_rescores(tmp_path: Path) -> None:
    write_result(tmp_path, "K7Q1", {"tank1": two_state_signal(0)}, window_params())
    path = tmp_path / "K7Q1.json"
    old = json.loads(path.read_text(encoding="utf-8"))
    for animal in old["animals"]:
        animal["params"]["threshold"]["method"] = "gmm-log"
        del animal["params"]["threshold"]["degrees_of_freedom"]
    path.write_text(json.dumps(old), encoding="utf-8")

    document = load_document(path)
    assert document["animals"][0]["params"]["threshold"]["method"] == "gmm-log"
    score = rescore_document(tmp_path, document)
    assert score.animals[0].immobility_s == pytest.approx(old["results"][0]["immobility_s"])
    report = rescore_folder(tmp_path, min_bout_s=0.5, software_version="9.9.9")
    assert not report.failed
    threshold = load_document(path)["animals"][0]["params"]["threshold"]
    assert (threshold["method"], threshold["degrees_of_freedom"]) == ("t-mixture-log", 4.0)


def test_load_documents_skips_other_json_and_hidden_files(tmp_path: Path) -> None:
    write_result(tmp_path, "K7Q2", {"tank1": two_state_signal(0)}, window_params(threshold=0.01))
    write_result(tmp_path, "K7Q1", {"tank1": two_state_signal(1)}, window_params(threshold=0.01))
    (tmp_path / "notes.json").write_text("[]", encoding="utf-8")
    (tmp_path / ".K7Q3.json").write_text("{}", encoding="utf-8")
    assert [path.name for path, _ in load_documents(tmp_path)] == ["K7Q1.json", "K7Q2.json"]


def test_an_unknown_method_is_a_preset_error(tmp_path: Path) -> None:
    document = write_result(tmp_path, "K7Q1", {"tank1": two_state_signal(0)}, window_params(threshold=0.01))
    with pytest.raises(PresetError, match="unknown method 'sleap'; accepted: motion, pose"):
        rescore_document(tmp_path, {**document, "method": "sleap"})
