"""Every service call runs in a thread worker: its result returns on the UI thread, its error as a notice.

A BehavlabError names the field or file and what is accepted; an OSError (a file that cannot be read or
written) names its path. Both are shown as notices, so a typo never closes the app.
"""

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode
from textual.worker import Worker

from behavlab.errors import BehavlabError
from behavlab.services.display import visible

T = TypeVar("T")
#: A refused file can list dozens of problems; a notice shows this many lines and counts the rest.
MAX_NOTICE_LINES = 8


def notice_text(error: Exception) -> str:
    """The error's message for a notice: its first lines, then how many more there are.

    Plain text, with invisible characters shown as escapes.
    """
    lines = visible(str(error), keep_newlines=True).split("\n") if str(error) else [type(error).__name__]
    if len(lines) <= MAX_NOTICE_LINES:
        return "\n".join(lines)
    hidden = len(lines) - (MAX_NOTICE_LINES - 1)
    more = f"... and {hidden} more; the command line lists them all"
    return "\n".join([*lines[: MAX_NOTICE_LINES - 1], more])


def notify_refusal(node: DOMNode, error: Exception, title: str) -> None:
    """Show why a value or a call was refused, as an error notice."""
    node.app.notify(notice_text(error), title=title, severity="error", timeout=10, markup=False)


def call_service(
    node: DOMNode,
    call: Callable[[], T],
    done: Callable[[T], object],
    *,
    title: str,
    group: str = "service",
    exclusive: bool = False,
    failed: Callable[[Exception], object] | None = None,
) -> Worker[None]:
    """Run `call` in a thread; pass its result to `done`, or show its error as a notice.

    After the notice the error goes to `failed`, for a screen that must undo a busy state.
    """
    app = node.app

    def run() -> None:
        try:
            result = call()
        except (BehavlabError, OSError) as error:
            app.call_from_thread(notify_refusal, node, error, title)
            if failed is not None:
                app.call_from_thread(failed, error)
            return
        app.call_from_thread(done, result)

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive, name=title)
