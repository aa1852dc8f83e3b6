"""Telling a scanner's keys from typing, by their content, before any widget or key binding sees them.

A USB scanner is a keyboard: it types a label's payload (``BL:<study>:<code>``) or a bare blind code, then
Enter, as fast as a balance types a weight. So a scan is recognised by what it types, never by its speed. The
app hands every key to a `ScanReader` first while a `ScanTarget` screen is shown; the reader holds the keys
that could still be a scan: the payload's prefix, or up to a code's length of code characters. Enter after a
payload or a code-length text makes them a scan, handed to the screen whole. Any other Enter, and any key
that is no character, releases the held keys, in the order they were typed, followed by itself; a character
that cannot continue the held text releases them from the first on until the rest could still begin a scan
(a scan typed straight after a partly typed weight is still read whole). A scan's keys therefore never reach
a field, and no letter of a code fires a key binding. A key bound on the screen still acts at once when
nothing is held, so a screen's keys keep working; the payload's first letter is bound on none of the
scanning screens (the FST screen's V, void a session, acts before a bare code beginning with V is read; a
label's payload is read whole there too). The price: digits typed by hand into a field show once a key
that cannot be part of a code (the decimal point, Enter) follows them.
"""

from collections.abc import Collection
from typing import Protocol, runtime_checkable

from textual import events
from textual.message import Message

from behavlab.services.scanning import could_be_scan, is_scan

ENTER = "enter"


@runtime_checkable
class ScanTarget(Protocol):
    """A screen that takes scans: `scanned` gets the text of each, as Enter completes it."""

    def scanned(self, text: str) -> None:
        """Go to the animal the scanned text names, or say why it is refused."""


class Scanned(Message):
    """A scan, sent along the way its keys would have taken so that it acts after the keys typed before it."""

    def __init__(self, text: str, target: ScanTarget) -> None:
        super().__init__()
        self.text = text
        self.target = target


#: What reading a key gives: a key to handle as usual, or a scan to send.
Read = events.Key | Scanned


class ScanReader:
    """Holds the keys that may be a scan and hands on the others, in the order they were typed.

    After a scan the reader waits, keeping every later key, until the scan has acted (`resume`): the keys
    typed after a scan then reach the animal it named.
    """

    def __init__(self) -> None:
        self._held: list[events.Key] = []
        self._waiting: list[events.Key] = []
        self._scan: Scanned | None = None

    def read(self, key: events.Key, bound: Collection[str], target: ScanTarget | None) -> list[Read]:
        """What to do now with the keys typed so far, in order: keys to handle as usual, or a scan to send.

        Parameters
        ----------
        key
            The key just typed.
        bound
            The keys bound on the screen shown: with nothing held, such a key acts at once.
        target
            The screen taking scans, or None when the screen shown takes none (held keys are released).

        Returns
        -------
        list[Read]
            The held keys released and this one; a scan; or nothing while a scan may be under way or acting
            (a screen changed meanwhile lets the keys kept since the scan go on).
        """
        if self._scan is not None:
            if self._scan.target is target:
                self._waiting.append(key)
                return []
            return [*self.resume(bound, target), *self.read(key, bound, target)]
        text = "".join(str(held.character) for held in self._held)
        if target is None:
            return self._release(key)
        if key.key == ENTER and is_scan(text):
            self._held.clear()
            self._scan = Scanned(text, target)
            return [self._scan]
        char = key.character
        if char is None or len(char) != 1 or key.key == ENTER or (not self._held and key.key in bound):
            return self._release(key)
        self._held.append(key)
        return self._drop_until_scan()

    def resume(self, bound: Collection[str], target: ScanTarget | None) -> list[Read]:
        """Once the scan has acted: read the keys typed after it, as if they came now."""
        waiting, self._waiting, self._scan = self._waiting, [], None
        read: list[Read] = []
        for number, key in enumerate(waiting):
            read += self.read(key, bound, target)
            if self._scan is not None:
                self._waiting = waiting[number + 1 :]
                break
        return read

    def _drop_until_scan(self) -> list[Read]:
        """Release the held keys from the first on until the rest could still begin a scan."""
        released: list[Read] = []
        while self._held and not could_be_scan("".join(str(held.character) for held in self._held)):
            released.append(self._held.pop(0))
        return released

    def _release(self, key: events.Key) -> list[Read]:
        released: list[Read] = [*self._held, key]
        self._held.clear()
        return released
