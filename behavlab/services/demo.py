"""The demo: a study run end to end on a fresh embedded database with synthetic mice.

The study is one of `behavlab.services.demo_designs`: by default a ketamine dose-response (vehicle, 3, 10 and
30 mg/kg, both sexes), or a 2 x 2 stress x drug study. It plays every part of a real study, two days back so
that every time is in the past: the protocol declared, roster, weighing, sealed randomization under that
protocol, a baseline sucrose-preference night, coded dosing, the forced swim test 24 h later filmed four tanks
to a video, a test sucrose-preference night, and batch scoring of the videos. It stops where the key holder
takes over: the study is ready to unmask.

The videos are filmed as labs record them: the camera starts, then the mice are dropped into their tanks one
after another, seconds apart, and the camera runs until the last test's six minutes are over. Scoring detects
each animal's entry into the water, and the demo sets the detected starts beside the filmed ones.

The synthetic animals need a behaviour, so the demo (and only the demo, playing the mice) reads the drawn
allocation to give each mouse its arm's (and stress level's) behaviour; nothing about it is stored or shown.
"""

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from behavlab.services.animals import record_weights
from behavlab.services.demo_designs import (
    DESIGNS,
    DOSE_RESPONSE,
    Behaviour,
    demo_design,
    demo_protocol,
    with_factor_levels,
)
from behavlab.services.dosing import dosing_sheet, record_dose
from behavlab.services.dosing_sheet_files import write_dosing_sheet
from behavlab.services.fst import import_fst_sheet, list_fst_sessions
from behavlab.services.fst_starts import SessionStart
from behavlab.services.protocol import DeclaredProtocol
from behavlab.services.protocol_plan import declare_protocol
from behavlab.services.randomization import RandomizationOptions, commit_randomization, draft_randomization
from behavlab.services.roster_import import import_roster
from behavlab.services.spt import create_spt_period, record_spt_bottles
from behavlab.services.studies import StudyOverview, create_study, get_study
from behavlab.services.study_scoring import StudyScoring, score_study
from behavlab.services.study_settings import StudySettings
from behavlab.services.workspace import Workspace
from cohorts.balance import BalanceReport
from cohorts.synth import synthetic_roster, write_roster_csv
from tracking.rules.presets import FST_DURATION_S

DEMO_STUDY = DESIGNS[DOSE_RESPONSE].study
DEMO_SEED = 20261125
DEMO_PASSPHRASE = "demo passphrase, never for a real study"
#: Who seals the allocation in the demo: someone other than the technician who doses, tests and scores.
DEMO_KEY_HOLDER = "demo key holder"
#: Seconds from starting the camera to the first mouse's drop (drawn from this range, per video).
FIRST_DROP_S = (5.0, 12.0)
#: Seconds between one tank's drop and the next one's (drawn per tank): at most 12 + 3 x 9 = 39 s of lead-in.
DROP_GAP_S = (4.0, 9.0)
#: Seconds the camera keeps running after the last mouse's test ends.
CAMERA_TAIL_S = 3.0


@dataclass(frozen=True)
class DemoPlan:
    """The demo's design and size: animals, tanks filmed per video, the videos' size and frame rate."""

    design: str = DOSE_RESPONSE
    n_animals: int = 24
    tanks_per_video: int = 4
    video_size: tuple[int, int] = (640, 320)
    fps: float = 15.0
    jobs: int | None = None


@dataclass(frozen=True)
class DemoStart:
    """One animal's test start as scoring stored it (None: none), beside the moment the demo dropped it in."""

    code: str
    stored: SessionStart | None
    filmed_s: float

    def line(self) -> str:
        """E.g. 'K7Q2: start 23.4 s detected (filmed 23.3 s)'."""
        if self.stored is None:
            return f"{self.code}: no start stored (filmed {self.filmed_s:.1f} s)"
        start, source = self.stored.start_s, self.stored.source
        return f"{self.code}: start {start:.1f} s {source} (filmed {self.filmed_s:.1f} s)"


@dataclass(frozen=True)
class DemoReport:
    """What the demo did: study, protocol, balance, commitment, doses, videos, scoring and files."""

    overview: StudyOverview
    protocol: DeclaredProtocol
    balance: BalanceReport
    commitment: str
    n_doses: int
    n_videos: int
    scoring: StudyScoring
    files: list[Path]
    starts: list[DemoStart]


def run_demo(workspace: Workspace, directory: Path, plan: DemoPlan | None = None) -> DemoReport:
    """Run the demo study up to unmasking, writing its sheets and videos into `directory`.

    The design and the number of animals are checked before anything is written (InvalidInputError).
    """
    plan = plan or DemoPlan()
    design = demo_design(plan.design, plan.n_animals)
    name = design.study
    day = datetime.now().astimezone().date() - timedelta(days=2)
    create_study(workspace, StudySettings(name=name, arms=design.arms, factor_name=design.factor_name))
    protocol = declare_protocol(workspace, name, demo_protocol(design, plan.n_animals))
    roster = with_factor_levels(design, synthetic_roster(plan.n_animals, design.per_cage, seed=DEMO_SEED))
    roster_file = write_roster_csv(roster, directory / "roster.csv", design.factor_name)
    import_roster(workspace, name, roster_file, weighed_at=_at(day - timedelta(days=1), 8))
    weights = directory / "weights-dosing-day.csv"
    weighed_at = _at(day, 8)
    weights.write_text(
        "animal_id,weight_g,measured_at\n"
        + "".join(f"{e.animal_id},{(e.weight_g or 0) + 0.3:.1f},{weighed_at.isoformat()}\n" for e in roster),
        encoding="utf-8",
    )
    record_weights(workspace, name, weights)
    key_holder = replace(workspace, actor=DEMO_KEY_HOLDER)
    # Blocks of one animal per arm: a demo's strata are small, and larger blocks cut short leave arms uneven.
    balanced = RandomizationOptions(seed=DEMO_SEED, block_multiples=(1,))
    draft = draft_randomization(key_holder, name, balanced)
    preparer = directory / "preparer-sheet.csv"
    committed = commit_randomization(key_holder, draft, DEMO_PASSPHRASE, preparer_sheet=preparer)
    level_of = {entry.animal_id: entry.factor_level for entry in roster}
    mice = {
        code: design.behaviour[draft.arms[draft.allocation.assignment[label]], level_of[label]]
        for label, code in committed.codes.items()
    }
    files = [roster_file, weights, preparer]
    nights = random.Random(DEMO_SEED)
    files.append(
        _spt_night(workspace, directory, name, ("baseline", _at(day, -14), _at(day, 8)), mice, nights)
    )
    sheet = dosing_sheet(workspace, name, day=day)
    files += [write_dosing_sheet(sheet, directory / f"dosing-sheet.{suffix}") for suffix in ("csv", "html")]
    for minute, line in enumerate(sheet.lines):
        record_dose(workspace, name, line.code, at=_at(day, 9) + timedelta(minutes=minute))
    fst_sheet, videos, filmed = _film_fst(directory, plan, day, [line.code for line in sheet.lines], mice)
    import_fst_sheet(workspace, name, fst_sheet, directory / "rois.json")
    files += [fst_sheet, directory / "rois.json", *videos]
    night = ("test", _at(day, 18), _at(day + timedelta(days=1), 8))
    files.append(_spt_night(workspace, directory, name, night, mice, nights))
    scoring = score_study(workspace, name, jobs=plan.jobs, out_dir=directory / "scores")
    return DemoReport(
        overview=get_study(workspace, name),
        protocol=protocol,
        balance=draft.balance,
        commitment=committed.commitment,
        n_doses=len(sheet.lines),
        n_videos=len(videos),
        scoring=scoring,
        files=files,
        starts=[
            DemoStart(view.code, view.start, filmed[view.code]) for view in list_fst_sessions(workspace, name)
        ],
    )


def _at(day: date, hour: int) -> datetime:
    """A local time on `day` (a negative hour is the evening before)."""
    return datetime.combine(day, time(0), datetime.now().astimezone().tzinfo) + timedelta(hours=hour)


def _drops(n_tanks: int, behaviour: random.Random) -> list[float]:
    """Each tank's drop (s of video time, to 0.1 s): the first after a lead-in, the next ones staggered."""
    drops = [round(behaviour.uniform(*FIRST_DROP_S), 1)]
    while len(drops) < n_tanks:
        drops.append(round(drops[-1] + behaviour.uniform(*DROP_GAP_S), 1))
    return drops


def _film_fst(
    directory: Path, plan: DemoPlan, day: date, codes: list[str], mice: dict[str, Behaviour]
) -> tuple[Path, list[Path], dict[str, float]]:
    """Synthetic FST videos 24 h after dosing, `tanks_per_video` animals each, the day's sheet, the drops.

    Each video has its own lead-in and staggered drops, and runs until its last test is over; the drops
    (s of video time) are returned by code.
    """
    from tracking.synth.videos import write_fst_video
    from tracking.video.rois import RoiFile, save_rois

    rows = ["code,video,roi,tested_at,water_temp_c,water_depth_cm"]
    rois = {}
    videos = []
    filmed: dict[str, float] = {}
    for run, start in enumerate(range(0, len(codes), plan.tanks_per_video), start=1):
        group = codes[start : start + plan.tanks_per_video]
        video = directory / f"fst-run{run:02d}.mp4"
        drops = _drops(len(group), random.Random(DEMO_SEED + run))
        filmed.update(zip(group, drops, strict=True))
        truth = write_fst_video(
            video,
            duration_s=max(drops) + FST_DURATION_S + CAMERA_TAIL_S,
            fps=plan.fps,
            size=plan.video_size,
            n_tanks=len(group),
            seed=DEMO_SEED + run,
            immobile_fraction=[mice[code].immobile_fraction for code in group],
            entry_s=drops,
        )
        rois[video.name] = tuple(tank.roi for tank in truth.tanks)
        tested_at = _at(day, 33) + timedelta(minutes=8 * run)
        rows += [
            f"{code},{video.name},{tank.label},{tested_at.isoformat()},24,15"
            for code, tank in zip(group, truth.tanks, strict=True)
        ]
        videos.append(video)
    save_rois(directory / "rois.json", RoiFile(videos=rois))
    sheet = directory / "fst-sheet.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return sheet, videos, filmed


def _spt_night(
    workspace: Workspace,
    directory: Path,
    study: str,
    night: tuple[str, datetime, datetime],
    mice: dict[str, Behaviour],
    behaviour: random.Random,
) -> Path:
    """One two-bottle night (label, start, end): intakes around each mouse's preference, a control cage.

    The sucrose bottle is on the left at baseline, on the right at test; the control cage holds no mouse.
    """
    label, start, end = night
    phase = "baseline" if label == "baseline" else "test"
    sucrose_side = "L" if phase == "baseline" else "R"
    create_spt_period(workspace, study, label, start, end, phase=phase)
    rows = [
        "code,sucrose_side,sucrose_start_g,sucrose_end_g,water_start_g,water_end_g",
        "control,L,250.0,249.8,250.0,249.8",
    ]
    for code, mouse in sorted(mice.items()):
        total = behaviour.uniform(4.0, 6.5)
        preference = min(max(behaviour.gauss(mouse.sucrose_preference, 0.08), 0.3), 0.97)
        sucrose, water = total * preference + 0.2, total * (1 - preference) + 0.2
        rows.append(f"{code},{sucrose_side},250.0,{250 - sucrose:.2f},250.0,{250 - water:.2f}")
    sheet = directory / f"spt-{label}.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    record_spt_bottles(workspace, study, label, sheet)
    return sheet
