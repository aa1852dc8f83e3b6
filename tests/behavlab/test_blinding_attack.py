"""Blinding under attack: before unmasking, nothing anyone can run, open or query lets an arm be derived.

A 24-mouse study is weighed, randomized, dosed, tested (FST videos, machine and manual scores, SPT bottles).
Then every command of the `behavlab` CLI is run, found by walking the typer app (a new command or option fails
`test_every_command_and_option_is_in_the_attack_plan` until the plan below runs it): `--help` of each, and
real invocations using every option, the failing ones (wrong passphrase, mistyped code, bad sheets) included.
Every line printed, every file written (CSV, JSON, Markdown, HTML, SVG, XLSX, the text of PDFs, every name and
string of NWB files, and the file names), the audit log, the TUI screens and every database column except the
sealed ciphertext are searched:

- no line that names an animal (code or roster ID) names an arm, a substance or a stock concentration;
- in every table keyed by animal (database tables, CSV and XLSX exports), no column separates the arms by its
  values or its order;
- the seed (which regenerates the allocation) appears nowhere.

The sealed key itself resists a wrong passphrase, a truncated ciphertext and a swapped commitment
(`test_the_sealed_key_resists_tampering_at_the_service_level`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pypdfium2
import pytest
import typer
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from behavlab.cli.main import DeferredCommand, app
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    UnsealError,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_spt_period,
    create_study,
    draft_randomization,
    import_roster,
    open_workspace,
    record_dose,
    record_weights,
    reprint_preparer_sheet,
    unblind_animal,
    unmask_study,
    verify_chain,
)
from tests.behavlab.factories import (
    baseline_weights,
    later_today,
    roster_rows,
    write_csv,
    write_roster,
    write_weights,
)
from tests.behavlab.leaks import arm_separating_columns, lines_naming_an_animal
from tests.behavlab.nwb_text import nwb_text
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE
from tests.behavlab.tui.helpers import every_step_screen_text
from tests.behavlab.tui.test_blinding import STEP_KEYS
from tests.tracking.evaluation.test_boris import aggregated, fst_length_video
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, write_synth_pose
from tracking.synth.videos import write_fst_video

STUDY = "attack"
SEED = 982451653
N_ANIMALS = 24
WRONG = "not the passphrase at all"
ARM_WORDS = re.compile(r"vehicle|ketamine|saline|\barm\s*[12]\b|mg/mL|concentration", re.IGNORECASE)
WINDOW = ["--set", "window_start_s=5", "--set", "window_end_s=20", "--set", "test_duration_s=20"]
VIDEO = {"duration_s": 20.0, "fps": 15.0, "size": (160, 120), "latency_s": (2.0, 4.0)}
#: Commands not run for real here, and why; their --help is still read.
NOT_RUN = {
    (
        "demo",
    ): "builds its own database with its own study and passphrase (tests/behavlab/cli/test_commands.py); "
    "the plan runs only its refusal of an unknown --design, which writes nothing",
}


@dataclass
class Attack:
    """The attacked study: where it is, the secret to protect, and the files an attacker may use."""

    url: str
    folder: Path
    codes: dict[str, str]  # roster ID -> blind code
    arm_of: dict[str, int]  # roster ID and blind code -> arm index
    day_before: datetime
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def animals(self) -> set[str]:
        """Every name an animal goes by."""
        return set(self.arm_of)

    def code(self, index: int) -> str:
        """The index-th blind code in sorted order."""
        return sorted(self.codes.values())[index]


def _build(folder: Path) -> Attack:
    """A randomized, dosed and tested study, two days old, and the input files the attack plan uses."""
    url = f"sqlite:///{folder / 'attack.sqlite'}"
    workspace = open_workspace(url, actor="setup")
    create_study(workspace, StudySettings(name=STUDY))
    import_roster(workspace, STUDY, write_roster(folder / "roster.csv", N_ANIMALS, with_weights=False))
    today = datetime.now().astimezone()
    two_days_ago = datetime.combine((today - timedelta(days=2)).date(), time(7, 0), today.tzinfo)
    record_weights(
        workspace, STUDY, write_weights(folder / "weights0.csv", baseline_weights(N_ANIMALS), two_days_ago)
    )
    draft = draft_randomization(workspace, STUDY, RandomizationOptions(seed=SEED, no_protocol=True))
    codes = dict(commit_randomization(workspace, draft, PASSPHRASE, kdf=FAST_KDF).codes)
    arms = dict(draft.allocation.assignment)
    arm_of = {**arms, **{codes[label]: arm for label, arm in arms.items()}}
    for minute, code in enumerate(sorted(codes.values())):
        record_dose(workspace, STUDY, code, at=two_days_ago + timedelta(minutes=30 + minute))
    attack = Attack(url, folder, codes, arm_of, two_days_ago + timedelta(days=1))
    files = attack.files
    for index in range(5):
        truth = write_fst_video(folder / f"run{index}.mp4", seed=80 + index, **VIDEO)  # type: ignore[arg-type]
        files[f"video{index}"] = truth.video
    for index in range(3):
        add_fst_session(
            workspace, STUDY, attack.code(index), files[f"video{index}"], tested_at=attack.day_before
        )
    start = two_days_ago + timedelta(hours=2)
    create_spt_period(workspace, STUDY, "day1", start, start + timedelta(hours=12))
    workspace.engine.dispose()

    files["roster2"] = write_csv(folder / "roster2.csv", roster_rows(4))
    today_weights = {label: grams + 0.5 for label, grams in baseline_weights(N_ANIMALS).items()}
    files["weights"] = write_weights(folder / "weights-today.csv", today_weights)
    files["bad_weights"] = write_csv(
        folder / "weights-bad.csv", [{"animal_id": label, "weight_g": "=1+1"} for label in sorted(codes)[:3]]
    )
    files["fst_sheet"] = write_csv(
        folder / "fst-day.csv",
        [
            {
                "code": attack.code(4),
                "video": "run4.mp4",
                "tested_at": attack.day_before.isoformat(),
                "roi": "tank1",
            }
        ],
    )
    files["sampling"] = write_csv(
        folder / "sampling.csv",
        [{"bin": str(b), "behavior": "ISC"[b % 3]} for b in range(1, 49)],
    )
    bottle_rows = [
        {
            "code": code,
            "sucrose_side": "LR"[i % 2],
            "sucrose_start_g": "200",
            "sucrose_end_g": f"{195 - i * 0.1:.1f}",
            "water_start_g": "200",
            "water_end_g": f"{198 - i * 0.05:.2f}",
        }
        for i, code in enumerate(sorted(codes.values()))
    ]
    bottle_rows.append(
        {**bottle_rows[0], "code": "control", "sucrose_end_g": "199.8", "water_end_g": "199.9"}
    )
    files["bottles"] = write_csv(folder / "bottles-day2.csv", bottle_rows)
    files["bad_bottles"] = write_csv(folder / "bottles-bad.csv", [{**bottle_rows[1], "sucrose_end_g": "230"}])
    files["labels"] = write_csv(
        folder / "labels.csv",
        [{"video": "run0.mp4", "immobility_s": "6"}, {"video": "run1.mp4", "immobility_s": "7"}],
    )
    files["arms"] = write_csv(
        folder / "arms.csv",
        [
            {"name": "placebo", "substance": "midazolam", "dose_mg_per_kg": "1", "reference": "yes"},
            {"name": "low", "substance": "esketamine", "dose_mg_per_kg": "5", "reference": ""},
            {"name": "high", "substance": "esketamine", "dose_mg_per_kg": "15", "reference": ""},
        ],
    )
    files["wrong_passphrase"] = folder / "wrong-passphrase.txt"
    files["wrong_passphrase"].write_text(WRONG + "\n")
    pose = synth_pose_tracks(seed=5, config=PoseSynthConfig(duration_s=20.0))
    files["pose"] = write_synth_pose(pose, folder, "pose0", suffix=".csv")
    files["dlc_config"] = folder / "dlc-config.yaml"
    files["long_video"] = fst_length_video(folder / "run-long.mp4")
    boris_bouts = [(130.0, 150.0), (200.0, 230.5)]
    files["boris"] = aggregated(
        folder / "boris-aggregated.tsv",
        [(attack.code(8).lower(), "", "immobility", "STATE", start, stop) for start, stop in boris_bouts],
    )
    return attack


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> Attack:
    """The attacked study (SQLite: what is stored does not depend on the backend)."""
    return _build(tmp_path_factory.mktemp("attack"))


def attack_plan(attack: Attack) -> list[tuple[list[str], bool | None]]:
    """Every command with every option: (arguments, whether it must succeed; None when either is fine)."""
    f, out = attack.files, attack.folder / "out"
    study, code = STUDY, attack.code
    rois, score_dir = out / "rois.json", out / "scores"
    now = datetime.now().astimezone()
    soon = later_today(minutes=3)  # after the weighing run a moment earlier in the plan, on its day
    wrong = str(f["wrong_passphrase"])
    return [
        (["--version"], True),
        (["study", "list"], True),
        (["study", "show", study], True),
        (
            [
                "study", "create", "other", "--compound", "fluoxetine", "--dose-mg-per-kg", "18", "--route",
                "ip", "--vehicle", "water", "--volume-ml-per-kg", "10", "--species", "mouse", "--strain",
                "BALB/c", "--test-hours-post-dose", "1", "--syringe-graduation-ml", "0.005",
                "--volume-tolerance-pct", "4", "--weight-precision-g", "0.01",
            ],
            True,
        ),
        (
            [
                "study", "create", "dose-response", "--arm", "vehicle:saline:0", "--arm", "low:esketamine:3",
                "--arm", "mid:esketamine:10", "--arm", "top:esketamine:30:3", "--reference", "vehicle",
            ],
            True,
        ),
        (
            ["study", "create", "active-placebo", "--arms-file", str(f["arms"]), "--reference", "placebo"],
            True,
        ),
        (["study", "create", "one-arm", "--arm", "only:esketamine:3"], False),
        (["study", "create", "stressed", "--factor", "stress"], True),
        (["cohort", "add", "stressed", "wave 1", "--starts-on", "2026-01-05"], True),
        (["cohort", "add", study, "late wave"], False),
        (["cohort", "list", "stressed"], True),
        (["cohort", "list", study], True),
        (["study", "primary", study, "--outcome", "fst_immobility_s", "--method", "manual"], True),
        (
            [
                "study", "primary", study, "--outcome", "fst_immobility_s", "--method", "motion", "--reason",
                "video scoring validated",
            ],
            True,
        ),
        (
            [
                "protocol", "declare", study, "--primary", "immobility", "--method", "motion",
                "--smallest-effect-d", "1.2", "--secondary", "spt_preference_pct", "--alpha", "0.05",
                "--power", "0.9", "--n-per-arm", "12", "--inclusion", "males", "--exclusion", "wounds",
                "--outliers", "none", "--test-hours", "24", "--test", "welch-t", "--comparison",
                "each-vs-reference", "--reason", "the whole plan",
            ],
            True,
        ),
        (["protocol", "show", study], True),
        (["db", "upgrade"], True),
        (["animals", "import", study, str(f["roster2"]), "--weighed-at", now.isoformat()], False),
        (["animals", "weigh", study, str(f["weights"])], True),
        (["animals", "weigh", study, str(f["weights"]), "--back-entry"], None),
        (["animals", "weigh", study, str(f["bad_weights"])], False),
        (["animals", "list", study], True),
        (["animals", "list", study, "--match", "f0", "--sort", "weight"], True),
        (["animals", "timeline", study, code(0)], True),
        (["animals", "exclude", study, code(23), "--reason", "fight wound", "--a-priori"], True),
        (
            [
                "randomize", study, "--arms", "vehicle,ketamine", "--method", "block", "--strata", "sex",
                "--seed", "7", "--preparer-sheet", str(out / "preparer2.csv"), "--passphrase-file", wrong,
                "--bare-seed", "--no-protocol", "--yes", "--block-multiples", "1,2",
            ],
            False,
        ),
        (
            ["randomize", study, "--cohort", "wave 1", "--no-protocol", "--yes", "--passphrase-file", wrong],
            False,
        ),
        (["preparer-sheet", study, "--out", str(out / "preparer.csv"), "--passphrase-file", wrong], False),
        (
            [
                "dosing-sheet", study, "--date", now.date().isoformat(), "--out", str(out / "dosing.csv"),
                "--limit-ml-per-kg", "10",
            ],
            True,
        ),
        (["dosing-sheet", study, "--out", str(out / "dosing.html")], True),
        (["dose", study, code(1), "--at", soon.isoformat(), "--volume-ml", "0.15"], False),
        (
            ["dose", study, code(1), "--at", soon.isoformat(), "--volume-ml", "0.15", "--again", "day 2"],
            False,
        ),
        (
            ["dose", study, code(1), "--at", soon.isoformat(), "--again", "day 2"],
            True,
        ),
        (["dose", study, code(1), "--again", "half the dose leaked"], True),
        (["dose", study, code(2)[::-1]], False),
        (["void", study, "weight", "1", "--reason", "typed 52.4 for 25.4"], None),
        (["void", study, "dose", "99999", "--reason", "wrong syringe", "--amend", "after unmasking"], False),
        (["dose", study, code(23)], False),
        (["unblind-animal", study, code(3), "--reason", "welfare", "--passphrase-file", wrong], False),
        (["rois", "detect", str(f["video0"]), "--tanks", "1", "--out", str(rois)], True),
        (["calibrate-noise", str(f["video0"]), "--rois", str(rois), "--roi", "tank1"], True),
        (
            [
                "fst", "add", study, code(3), "--video", str(f["video3"]), "--roi", "tank1", "--rois",
                str(rois), "--tank", "T2", "--water-temp-c", "22", "--water-depth-cm", "15", "--at",
                attack.day_before.isoformat(), "--start-s", "0",
            ],
            True,
        ),
        (["fst", "add", study, code(5), "--video", str(attack.folder / "missing.mp4")], False),
        (["fst", "import", study, str(f["fst_sheet"]), "--rois", str(rois)], True),
        (["fst", "list", study], True),
        (["fst", "mark", study, "--camera-started", "--at", attack.day_before.isoformat()], True),
        (["fst", "mark", study, "--in", code(6), "--tank", "1"], True),
        (["fst", "mark", study, "--out", code(6), "--tank", "1"], True),
        (["fst", "mark", study, "--in", "NOTACODE", "--tank", "2"], False),
        (
            ["fst", "manual", study, code(0), "--immobility-s", "150", "--scorer", "ra", "--latency-s", "30"],
            True,
        ),
        (["fst", "manual", study, code(1), "--sheet", str(f["sampling"]), "--scorer", "rater two"], True),
        (["fst", "manual", study, code(2), "--immobility-s", "999", "--scorer", "rater one"], False),
        (["fst", "manual", study, code(2), "--immobility-s", "90", "--scorer", "x", "--amend", "typo"], None),
        (
            [
                "score", str(f["video0"]), str(f["video1"]), "--method", "motion", "--rois", str(rois),
                "--preset", "fst", "--threshold", "auto", "--min-bout-s", "1", "--pixel-cutoff", "12",
                "--out", str(score_dir), "--jobs", "1", "--per-frame", "--overlay", *WINDOW,
            ],
            True,
        ),
        (["score", "--study", study, "--out", str(out / "study-scores"), "--jobs", "2", *WINDOW], True),
        (["export", "boris", study, "--out", str(out / "boris"), "--scores", str(out / "study-scores")],
         True),
        (["fst", "manual", study, "--boris", str(f["sampling"]), "--behavior", "immobility", "--scorer", "r"],
         False),
        (["fst", "add", study, code(8), "--video", str(f["long_video"]), "--start-s", "0", "--at",
          attack.day_before.isoformat()], True),
        (["fst", "manual", study, "--boris", str(f["boris"]), "--scorer", "boris rater"], True),
        (["score", str(f["video2"]), "--dask", "local", "--jobs", "1", "--out", str(out / "dask"), "--resume",
          *WINDOW], True),
        (
            [
                "score", str(f["video2"]), "--whole-frame", "--start-s", "0", "--out", str(out / "whole"),
                "--jobs", "1", *WINDOW,
            ],
            None,
        ),
        (
            [
                "score", str(f["video2"]), "--detect-start", "--out", str(out / "detect"), "--jobs", "1",
                *WINDOW,
            ],
            None,
        ),
        (["score", str(f["video2"]), "--manifest", str(out / "no-manifest.csv"), *WINDOW], False),
        (
            [
                "score", "--method", "pose", "--pose", str(f["pose"]), "--fps", "30", "--px-per-cm", "10",
                "--bodyparts", "nose,tail_base", "--min-likelihood", "0.5", "--out", str(out / "pose"),
                "--jobs", "1", *WINDOW,
            ],
            True,
        ),
        (
            [
                "score", "--method", "pose", "--pose", str(f["pose"]), "--fps", "30", "--tank-diameter-px",
                "200", "--tank-diameter-cm", "20", "--out", str(out / "pose2"), "--jobs", "1", *WINDOW,
            ],
            None,
        ),
        (
            ["rescore", str(score_dir), "--preset", "fst", "--threshold", "auto", "--min-bout-s", "1.5",
             "--set", "smooth_s=0.3"],
            True,
        ),
        (
            [
                "agreement", str(f["labels"]), str(score_dir), "--window-start-s", "5", "--window-end-s",
                "20", "--tolerance-s", "0.5", "--fps", "15", "--png", str(out / "agreement.png"),
                "--behavior", "immobil", "--label-column", "immobile",
            ],
            None,
        ),
        (
            [
                "agreement", str(f["labels"]), str(score_dir), str(f["labels"]), "--reference",
                f["labels"].name, "--rater-column", "rater", "--window-end-s", "none",
            ],
            None,
        ),
        (
            [
                "calibrate", str(score_dir), "--labels", str(f["labels"]), "--name", "attack_fst",
                "--preset", "fst", "--method", "motion", "--tolerance-s", "0.5", "--min-bouts", "0.5,1",
                "--keep-min-bout", "--objective", "seconds", "--set", "smooth_s=0.2", "--out",
                str(out / "calibration"), "--replace", "--behavior", "immobil", "--label-column", "immobile",
            ],
            None,
        ),
        (
            [
                "pose", "run", str(f["video0"]), "--dlc-config", str(f["dlc_config"]), "--dlc-python",
                str(attack.folder / "no-python"), "--out", str(out / "dlc"), "--shuffle", "1",
                "--trainingsetindex", "0", "--device", "cpu", "--score", "--preset", "fst", "--px-per-cm",
                "10", "--tank-diameter-px", "200", "--bodyparts", "nose", "--threshold", "auto",
                "--min-bout-s", "1", "--set", "smooth_s=0.2", "--rois", str(rois), "--jobs", "1",
                "--per-frame",
            ],
            False,
        ),
        (
            [
                "spt", "period", study, "--label", "day2", "--start", attack.day_before.isoformat(),
                "--end", (attack.day_before + timedelta(hours=12)).isoformat(), "--phase", "test",
                "--sucrose-pct", "1",
            ],
            True,
        ),
        (["spt", "bottles", study, "day2", str(f["bottles"])], True),
        (["spt", "bottles", study, "day1", str(f["bad_bottles"])], False),
        (["spt", "results", study], True),
        (["report", study, "--out", str(out / "report")], True),
        (["export", "nwb", study, "--out", str(out / "nwb-open")], False),
        (
            [
                "export", "nwb", study, "--out", str(out / "nwb"), "--blind", "--scores",
                str(out / "study-scores"),
            ],
            True,
        ),
        (
            [
                "labels", study, "--kind", "syringe", "--out", str(out / "syringes.pdf"), "--template",
                "a4-24", "--date", now.date().isoformat(), "--start", "5", "--copies", "2",
                "--limit-ml-per-kg", "12",
            ],
            True,
        ),
        (["labels", study, "--kind", "cage", "--out", str(out / "cages.svg")], True),
        (["serve", "--host", "0.0.0.0", "--port", "8123"], False),  # refused before it listens: no login
        (["serve", "--host", "0.0.0.0", "--allow-remote", "--public-url", "http://0.0.0.0:8123"], False),
        (
            [
                "labels", study, "--kind", "tube", "--out", str(out / "tubes.html"), "--sample", "PFC",
                "--sample", "hippocampus",
            ],
            True,
        ),
        (
            [
                "labels", study, "--kind", "tube", "--out", str(out / "tubes-small.svg"), "--template",
                "roll-25x13", "--sample", "PFC", "--code", code(2),
            ],
            True,
        ),
        (["labels", study, "--kind", "cage", "--out", str(out / "wave.pdf"), "--cohort", "late wave"], False),
        (
            [
                "labels", study, "--kind", "syringe", "--out", str(out / "preparer-labels.pdf"), "--preparer",
                "--passphrase-file", wrong,
            ],
            False,
        ),
        (["unmask", study, "--passphrase-file", wrong, "--force", "attack test", "--yes"], False),
        (["--user", "eve", "--debug", "audit", "verify"], True),
        (["audit", "verify", "--receipt", str(out / "dosing.csv")], True),
        (["audit", "verify", "--receipt", str(out / "report" / "manifest.json"), "--head", "0" * 64], True),
        (["audit", "verify", "--head", "f" * 64], False),
        (["audit", "log", "--study", study, "--last", "1000"], True),
        (["audit", "log"], True),
        (["demo", "--design", "attack", "--animals", "24", "--dir", str(out / "demo")], False),
    ]  # fmt: skip


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the CLI (leaves of the typer app) with its click command, and the root itself."""
    root = typer.main.get_command(app)

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        command = command.load() if isinstance(command, DeferredCommand) else command
        subcommands = getattr(command, "commands", None)
        yield path, command
        for name, sub in sorted((subcommands or {}).items()):
            yield from walk(sub, (*path, name))

    yield from walk(root, ())


def _options(command: Any) -> set[str]:
    return {param.opts[0] for param in command.params if param.opts[0].startswith("--")} - {"--help"}


def _command_of(arguments: list[str], commands: dict[tuple[str, ...], Any]) -> tuple[str, ...]:
    words = [word for word in arguments if not word.startswith("-")]
    path: tuple[str, ...] = ()
    for word in words:
        if (*path, word) in commands:
            path = (*path, word)
        elif path:
            break
    return path


def test_every_command_and_option_is_in_the_attack_plan(tmp_path: Path) -> None:
    commands = dict(_commands())
    codes = {f"L{index:02d}": f"C{index:02d}" for index in range(N_ANIMALS)}
    plan = attack_plan(Attack("sqlite://", tmp_path, codes, {}, datetime.now().astimezone(), _FakeFiles()))
    used: dict[tuple[str, ...], set[str]] = {}
    for arguments, _ in plan:
        path = _command_of(arguments, commands)
        used.setdefault(path, set()).update(word for word in arguments if word.startswith("--"))
    leaves = {path for path, command in commands.items() if not getattr(command, "commands", None)}
    missing = sorted(" ".join(path) for path in leaves - set(used) - set(NOT_RUN))
    assert missing == [], f"commands the attack plan does not run: {missing}"
    unused = {
        " ".join(path) or "behavlab": sorted(_options(commands[path]) - used.get(path, set()))
        for path in (*leaves, ())
        if path not in NOT_RUN
    }
    root_options = _options(commands[()])
    all_used = set().union(*used.values())
    unused["behavlab"] = sorted(root_options - all_used - {"--db"})
    assert {name: options for name, options in unused.items() if options} == {}


class _FakeFiles(dict):
    """File names for building the plan without a study (only the option names are looked at)."""

    def __missing__(self, key: str) -> Path:
        return Path(f"/nonexistent/{key}")


def _run_plan(attack: Attack) -> tuple[list[str], list[str]]:
    """Run --help of every command, then the plan; return everything printed and the failures' problems."""
    runner = CliRunner()
    env = {"COLUMNS": "200", "BEHAVLAB_PASSPHRASE": WRONG}
    printed: list[str] = []
    problems: list[str] = []
    for path, _ in _commands():
        result = runner.invoke(app, [*path, "--help"], env=env)
        assert result.exit_code == 0, (path, result.output)
        printed.append(result.output)
    for arguments, must_succeed in attack_plan(attack):
        result = runner.invoke(app, ["--db", attack.url, *arguments], env=env)
        printed += [result.stdout, result.stderr]
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            printed.append(str(result.exception))
        assert "Traceback" not in result.output, (arguments, result.output)
        if must_succeed is not None and (result.exit_code == 0) != must_succeed:
            problems.append(f"{' '.join(arguments[:3])}: exit {result.exit_code}: {result.output[-600:]}")
    return printed, problems


def _file_texts(folder: Path) -> Iterator[tuple[Path, str]]:
    """Every file written under the folder as text (XLSX cells as CSV lines); images by name only."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix in (".csv", ".json", ".md", ".html", ".svg", ".txt", ".log", ".boris"):
            yield path, path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".nwb":
            yield path, nwb_text(path)
        elif path.suffix == ".pdf":
            pages = pypdfium2.PdfDocument(path)
            yield path, "\n".join(page.get_textpage().get_text_range() for page in pages)
            pages.close()
        elif path.suffix == ".xlsx":
            workbook = openpyxl.load_workbook(path, read_only=True)
            for sheet in workbook.worksheets:
                rows = (
                    ",".join("" if cell is None else str(cell) for cell in row)
                    for row in sheet.iter_rows(values_only=True)
                )
                yield path, f"[{sheet.title}]\n" + "\n".join(rows)
            workbook.close()
        else:
            yield path, ""


def _tables_by_animal(
    name: str, content: str, animals: set[str]
) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """CSV-like tables in a text whose rows name an animal: rows grouped by the animal they name."""
    blocks = re.split(r"^\[[^\]]+\]\n", content, flags=re.MULTILINE) if name.endswith(".xlsx") else [content]
    for block in blocks:
        rows = list(csv.DictReader(io.StringIO(block)))
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            named = {value for value in row.values() if isinstance(value, str) and value in animals}
            if len(named) == 1:
                (animal,) = named
                grouped.setdefault(animal, []).append({k: _number_or_text(v) for k, v in row.items() if k})
        if grouped:
            yield grouped


def _number_or_text(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _leaking_lines(texts: list[str], attack: Attack) -> list[str]:
    return [
        line.strip()[:200]
        for written in texts
        for line in lines_naming_an_animal(written, attack.animals)
        if ARM_WORDS.search(line)
    ]


def _database_leaks(attack: Attack) -> list[str]:
    """Arm words beside an animal, or arm-separating columns, in any table; the seed anywhere."""
    leaks: list[str] = []
    engine = create_engine(attack.url)
    with engine.connect() as connection:
        animal_of_id = {row.id: row.label for row in connection.execute(text("SELECT id, label FROM animal"))}
        session_animal = {
            row.id: animal_of_id[row.animal_id]
            for row in connection.execute(text("SELECT id, animal_id FROM fstsession"))
        }
        for table in inspect(connection).get_table_names():
            columns = [column["name"] for column in inspect(connection).get_columns(table)]
            rows = [dict(row) for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings()]
            by_animal: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                if table == "sealedkey":
                    row.pop("ciphertext")
                shown = " ".join(
                    value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    for value in row.values()
                )
                if str(SEED) in shown:
                    leaks.append(f"{table}: the seed is stored in the clear")
                animal = _animal_of_row(table, row, columns, animal_of_id, session_animal)
                if animal is not None:
                    by_animal.setdefault(animal, []).append(row)
                    if ARM_WORDS.search(shown):
                        leaks.append(f"{table} row {row.get('id')}: {shown[:200]}")
                elif any(name in shown for name in attack.animals) and ARM_WORDS.search(shown):
                    leaks.append(f"{table} row {row.get('id')} names an animal: {shown[:200]}")
            if by_animal:
                arm_of = {animal: attack.arm_of[animal] for animal in by_animal}
                leaks += [f"{table}.{leak}" for leak in arm_separating_columns(by_animal, arm_of)]
    engine.dispose()
    return leaks


def _animal_of_row(
    table: str,
    row: dict[str, Any],
    columns: list[str],
    animal_of_id: dict[int, str],
    session_animal: dict[int, str],
) -> str | None:
    """The animal a row of a per-animal table belongs to (audit events are searched as text instead)."""
    if table == "animal":
        return row["label"]
    if "animal_id" in columns:
        return animal_of_id.get(row["animal_id"])
    if "session_id" in columns:
        return session_animal.get(row["session_id"])
    return None


@pytest.mark.slow
def test_no_command_option_export_error_log_or_column_reveals_an_arm(attack: Attack) -> None:
    printed, problems = _run_plan(attack)
    assert problems == [], "\n".join(problems)
    written = list(_file_texts(attack.folder / "out"))
    assert {path.name for path, _ in written} >= {
        "dosing.csv",
        "dosing.html",
        "data.csv",
        "data.xlsx",
        "report.html",
        "syringes.pdf",
        "cages.svg",
        "tubes.html",
    }
    assert any(path.parent.name == "study-scores" for path, _ in written), "score --study wrote nothing"
    assert any(path.suffix == ".boris" and attack.code(0) in content for path, content in written), (
        "the BORIS project export was not read"
    )
    assert any(f"manual score recorded for {attack.code(8)}:" in line for line in printed), "no BORIS import"
    texts = [*printed, *(content for _, content in written), *(str(path) for path, _ in written)]
    assert any(attack.code(0) in content for content in texts), (
        "no output named an animal: nothing was tested"
    )
    assert _leaking_lines(texts, attack) == []
    assert not any(str(SEED) in content for content in texts), "the seed was printed or written"
    separating = [
        f"{path.name}: {leak}"
        for path, content in written
        for grouped in _tables_by_animal(path.name, content, attack.animals)
        for leak in arm_separating_columns(grouped, {animal: attack.arm_of[animal] for animal in grouped})
    ]
    assert separating == []
    assert _database_leaks(attack) == []
    workspace = open_workspace(attack.url)
    assert verify_chain(workspace).ok
    workspace.engine.dispose()


@pytest.mark.slow
async def test_no_tui_screen_reveals_an_arm(attack: Attack) -> None:
    lines = await every_step_screen_text(attack.url, "tui", STEP_KEYS.values())
    assert any(attack.code(0) in line for line in lines), "no screen named an animal: nothing was tested"
    assert _leaking_lines(lines, attack) == []


def test_the_sealed_key_resists_tampering_at_the_service_level(attack: Attack, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(attack.url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    workspace: Workspace = open_workspace(f"sqlite:///{copy}", actor="eve")
    engine = workspace.engine
    refused_events = text("SELECT count(*) FROM auditevent WHERE action = 'unseal.refused'")
    with engine.connect() as connection:
        original = connection.execute(text("SELECT ciphertext, commitment FROM sealedkey")).one()
        refusals_before = connection.execute(refused_events).scalar_one()
    stored = json.loads(original.ciphertext)
    half = len(stored["ciphertext"]) // 8 * 4  # still valid base64, half the bytes

    def tamper(ciphertext: str, commitment: str) -> None:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE sealedkey SET ciphertext = :c, commitment = :m"),
                {"c": ciphertext, "m": commitment},
            )

    attempts = {
        "wrong passphrase": (original.ciphertext, original.commitment, WRONG),
        "truncated ciphertext": (
            json.dumps({**stored, "ciphertext": stored["ciphertext"][:half]}),
            original.commitment,
            PASSPHRASE,
        ),
        "swapped commitment": (original.ciphertext, "0" * 64, PASSPHRASE),
        "nonce as ciphertext": (
            json.dumps({**stored, "ciphertext": stored["nonce"]}),
            original.commitment,
            PASSPHRASE,
        ),
    }
    for kind, (ciphertext, commitment, passphrase) in attempts.items():
        tamper(ciphertext, commitment)
        for attempt in (
            lambda p=passphrase: unblind_animal(workspace, STUDY, attack.code(0), "welfare", p),
            lambda p=passphrase: reprint_preparer_sheet(workspace, STUDY, p, tmp_path / "preparer.csv"),
            lambda p=passphrase: unmask_study(workspace, STUDY, p, force_reason="attack"),
        ):
            with pytest.raises(UnsealError) as refused:
                attempt()
            assert not ARM_WORDS.search(str(refused.value)), (kind, str(refused.value))
            assert not (tmp_path / "preparer.csv").exists()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM revealedallocation")).scalar_one() == 0, kind
            assert connection.execute(text("SELECT count(*) FROM unmaskevent")).scalar_one() == 0, kind
    tamper(original.ciphertext, original.commitment)
    with engine.connect() as connection:
        refusals = connection.execute(refused_events).scalar_one()
    assert refusals - refusals_before == 3 * len(attempts), "every refusal is audited"
    engine.dispose()
