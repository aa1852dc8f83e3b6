"""The bench timer: mark the camera started, each mouse in and out of its tank, and count each test down.

a assigns animals (lab ID or blind code; the code is shown) to tanks 1-4, c marks the camera started, a
tank's number marks its mouse in, o then the number its mouse out. Each mark is saved at once with the time
of the key press; each tank counts its 6 minutes from its own mouse-in, with a bell and a notice when the
scored window begins (2 min) and when the test is over (6 min). Opening the screen again shows the marks of
the latest recording.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from behavlab.services import (
    BenchMarkView,
    Workspace,
    bench_code,
    list_bench_marks,
    record_camera_started,
    record_mouse_mark,
)
from behavlab.services.bench_marks import CAMERA_STARTED, MOUSE_IN, MouseMark, clock_text
from behavlab.services.dosing import local_now
from behavlab.tui.calls import call_service
from behavlab.tui.screens.base import StudyScreen
from behavlab.tui.widgets.bench_timer import Phase, TankPanel, TankState
from behavlab.tui.widgets.form import Field, FormScreen, FormValues

TANKS = ("1", "2", "3", "4")
#: The phases that ring the bell as a tank enters them, with the notice shown.
CUES = {Phase.SCORED: "scored window begins", Phase.OVER: "test over: take the mouse out"}


class BenchTimerScreen(StudyScreen):
    """Four tanks, their animals and countdowns; `clock` gives the time each key press is marked with."""

    TITLE_TEXT = "bench timer"
    DEFAULT_CSS = """
    BenchTimerScreen #tanks { height: auto; }
    BenchTimerScreen #camera, BenchTimerScreen #bench-status { padding: 1 1; }
    """
    BINDINGS = [
        Binding("a", "assign", "Assign"),
        Binding("c", "camera", "Camera started"),
        Binding("1", "mouse('1')", "Mouse in", key_display="1-4"),
        *(Binding(tank, f"mouse('{tank}')", show=False) for tank in TANKS[1:]),
        Binding("o", "out_next", "Out (o, tank)"),
    ]

    def __init__(self, workspace: Workspace, study: str, clock: Callable[[], datetime] = local_now) -> None:
        super().__init__(workspace, study)
        self.clock = clock
        self.tanks = {name: TankState(name) for name in TANKS}
        self._camera: BenchMarkView | None = None
        self._out_next = False
        self._cued: dict[str, Phase] = {}

    def compose_body(self) -> ComposeResult:
        """The camera line, the four tank panels, the status line."""
        yield Static("", id="camera")
        with Horizontal(id="tanks"):
            for name in TANKS:
                yield TankPanel(id=f"tank-{name}", classes="tank")
        yield Static("a assigns animals to tanks; c when the camera starts", id="bench-status")

    def on_mount(self) -> None:
        """Tick every second; Textual then calls `StudyScreen.on_mount`, which loads the latest marks."""
        self.set_interval(1.0, self.tick)

    def action_refresh(self) -> None:
        """Show the marks of the study's latest recording (after its latest camera mark)."""
        self.call(
            lambda: list_bench_marks(self.workspace, self.study), self._restore, "Cannot list bench marks"
        )

    def _restore(self, marks: Sequence[BenchMarkView]) -> None:
        cameras = [mark for mark in marks if mark.kind == CAMERA_STARTED]
        self._camera = cameras[-1] if cameras else None
        if self._camera is not None:
            for mark in marks:
                if mark.camera_mark_id == self._camera.id and mark.tank in self.tanks:
                    self._apply(mark)
        self._cued = {name: state.phase(self.clock()) for name, state in self.tanks.items()}
        self.tick()

    def tick(self) -> None:
        """Show every tank at the clock's time; ring the bell as a tank enters the scored window or ends."""
        now = self.clock()
        camera = (
            "camera not started: press c"
            if self._camera is None
            else f"camera started {clock_text(self._camera.at)}"
        )
        self.query_one("#camera", Static).update(camera)
        for name, state in self.tanks.items():
            phase = self.query_one(f"#tank-{name}", TankPanel).show(state, now)
            if phase != self._cued.get(name) and phase in CUES:
                self.app.bell()
                self.notify(f"tank {name} ({state.code}): {CUES[phase]}", timeout=10)
            self._cued[name] = phase

    def action_assign(self) -> None:
        """Type each tank's animal (lab ID or blind code; empty: none); all are checked before any is set."""
        fields = [
            Field(name, f"tank {name}: lab ID or blind code (empty: none)", value=self.tanks[name].code or "")
            for name in TANKS
        ]
        form = FormScreen("Animals in the tanks", fields, submit=lambda values: self._assign(form, values))
        self.app.push_screen(form)

    def _assign(self, form: FormScreen, values: FormValues) -> None:
        typed = {name: text.strip() for name, text in values.items() if text.strip()}

        def codes() -> dict[str, str]:
            return {name: bench_code(self.workspace, self.study, text) for name, text in typed.items()}

        def assigned(found: dict[str, str]) -> None:
            for name, state in self.tanks.items():
                if found.get(name) != state.code:
                    self.tanks[name] = TankState(name, found.get(name))
            if form.is_current:
                form.dismiss(None)
            self.tick()

        call_service(self, codes, assigned, title="Animals not assigned", failed=form.refuse)

    def action_camera(self) -> None:
        """Mark the camera started now."""
        at = self.clock()

        def marked(mark: BenchMarkView) -> None:
            self._camera = mark
            self._status(f"camera started {clock_text(mark.at)}")
            self.tick()

        self.call(
            lambda: record_camera_started(self.workspace, self.study, at), marked, "Camera mark not saved"
        )

    def action_out_next(self) -> None:
        """The next tank number marks its mouse out (o again cancels)."""
        self._out_next = not self._out_next
        self._status("mouse out: press the tank's number" if self._out_next else "mouse out cancelled")

    def action_mouse(self, tank: str) -> None:
        """Mark the tank's mouse in (or out, after o) now."""
        kind: MouseMark = "mouse out" if self._out_next else "mouse in"
        self._out_next = False
        state = self.tanks[tank]
        if state.code is None:
            self._status(f"tank {tank} has no animal: press a to assign one")
            return
        at = self.clock()
        code = state.code
        camera_id = None if self._camera is None else self._camera.id

        def mark() -> BenchMarkView:
            return record_mouse_mark(self.workspace, self.study, kind, code, tank, at, camera_id)

        def marked(view: BenchMarkView) -> None:
            self._apply(view)
            self._status(f"{view.code} {view.kind} tank {tank} at {clock_text(view.at)}")
            self.tick()

        self.call(mark, marked, "Mark not saved")

    def _apply(self, mark: BenchMarkView) -> None:
        """Put a stored mouse mark into its tank's state."""
        if mark.tank is None:
            return
        state = self.tanks[mark.tank]
        if mark.kind == MOUSE_IN:
            self.tanks[mark.tank] = TankState(mark.tank, mark.code, mouse_in=mark.at)
        elif state.code == mark.code:
            state.mouse_out = mark.at

    def _status(self, text: str) -> None:
        self.query_one("#bench-status", Static).update(text)
