"""One tank on the bench timer: its animal's code, and the 6-minute test counted down from its mouse-in.

The panel's class follows the test: ``waiting``, ``pretest`` (the first 2 minutes), ``scored`` (the scored
window) and ``over`` (6 minutes reached, take the mouse out); ``out`` once the mouse is out.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from textual.widgets import Static

from behavlab.services import FST_SCORED_WINDOW_S
from behavlab.services.bench_marks import clock_text

SCORED_FROM_S, TEST_END_S = FST_SCORED_WINDOW_S


class Phase(StrEnum):
    """Where a tank's test stands; the panel's CSS class."""

    WAITING = "waiting"
    PRETEST = "pretest"
    SCORED = "scored"
    OVER = "over"
    OUT = "out"


def minutes_seconds(seconds: float, *, countdown: bool = False) -> str:
    """Seconds as ``MM:SS``: time gone rounded down, a countdown rounded up (together they make the whole)."""
    whole = max(0, math.ceil(seconds) if countdown else math.floor(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


@dataclass
class TankState:
    """A tank's animal (its blind code) and when it went in and came out (wall clock)."""

    name: str
    code: str | None = None
    mouse_in: datetime | None = None
    mouse_out: datetime | None = None

    def phase(self, now: datetime) -> Phase:
        """The test's phase at `now`."""
        if self.mouse_in is None:
            return Phase.WAITING
        if self.mouse_out is not None:
            return Phase.OUT
        elapsed = (now - self.mouse_in).total_seconds()
        if elapsed < SCORED_FROM_S:
            return Phase.PRETEST
        return Phase.SCORED if elapsed < TEST_END_S else Phase.OVER

    def text(self, now: datetime) -> str:
        """The panel's lines: tank, code, then the countdown or what to do next."""
        head = f"tank {self.name}\n{self.code or 'no animal: a assigns'}\n"
        phase = self.phase(now)
        if self.mouse_in is None:
            return head + (f"press {self.name} at mouse in" if self.code else "")
        if self.mouse_out is not None:
            in_water = (self.mouse_out - self.mouse_in).total_seconds()
            return head + f"out at {clock_text(self.mouse_out)}\n{minutes_seconds(in_water)} in water"
        elapsed = (now - self.mouse_in).total_seconds()
        left = minutes_seconds(TEST_END_S - elapsed, countdown=True)
        clock = f"in water {minutes_seconds(elapsed)}, {left} left"
        if phase is Phase.PRETEST:
            return (
                head + f"{clock}\nscored window in {minutes_seconds(SCORED_FROM_S - elapsed, countdown=True)}"
            )
        if phase is Phase.SCORED:
            return head + f"{clock}\nSCORED WINDOW {SCORED_FROM_S / 60:g}-{TEST_END_S / 60:g} min"
        return head + f"TEST OVER {minutes_seconds(elapsed)}\ntake the mouse out: o then {self.name}"


class TankPanel(Static):
    """A tank's panel: shows its state at the time it is given, its class the test's phase."""

    DEFAULT_CSS = """
    TankPanel { width: 1fr; height: 7; border: round $secondary; padding: 0 1; }
    TankPanel.pretest { border: round $accent; }
    TankPanel.scored { border: heavy $success; background: $success 20%; }
    TankPanel.over { border: heavy $error; background: $error 30%; text-style: bold; }
    TankPanel.out { color: $text-muted; }
    """

    def show(self, state: TankState, now: datetime) -> Phase:
        """Show the tank at `now`; return its phase."""
        phase = state.phase(now)
        self.update(state.text(now))
        for each in Phase:
            self.set_class(each is phase, each.value)
        return phase
