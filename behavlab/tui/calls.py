"""Every service call runs in a thread worker: its result returns on the UI thread, its error as a notice."""

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode
from textual.worker import Worker

from behavlab.errors import BehavlabError

T = TypeVar("T")


def call_service(
    node: DOMNode,
    call: Callable[[], T],
    done: Callable[[T], object],
    *,
    title: str,
    group: str = "service",
    exclusive: bool = False,
) -> Worker[None]:
    """Run `call` in a thread; pass its result to `done`, or show its BehavlabError as an error notice."""
    app = node.app

    def run() -> None:
        try:
            result = call()
        except BehavlabError as error:
            app.call_from_thread(app.notify, str(error), title=title, severity="error", timeout=10)
            return
        app.call_from_thread(done, result)

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive, name=title)
