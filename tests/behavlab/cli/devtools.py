"""Driving headless Chromium through its DevTools protocol, over aiohttp's websocket client (no WebDriver)."""

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

#: Every host name resolves to nothing except loopback: the page can fetch nothing from outside.
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


def start_chromium(
    executable: str, profile: Path, width: int, height: int, log: Path
) -> subprocess.Popen[bytes]:
    """Headless Chromium with a fresh profile, its DevTools on a port it picks (see `devtools_port`).

    It leads a process group of its own, so that its helper processes can be stopped with it; its output
    goes to ``log``.
    """
    with log.open("wb") as output:
        return subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                LOOPBACK_ONLY,
                "about:blank",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_group(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop the process group ``process`` leads: SIGTERM, then SIGKILL if it has not ended within ``timeout``.

    A group already gone is not an error (the test's own failure, if any, is the one to see).
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a process's log, headed by its name, for an assertion message."""
    text = path.read_text(errors="replace") if path.exists() else ""
    return f"--- last lines of {path.name} ---\n" + "\n".join(text.splitlines()[-lines:])


def devtools_port(profile: Path, timeout: float) -> int:
    """The DevTools port Chromium wrote to its profile's DevToolsActivePort file."""
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if active.exists() and (lines := active.read_text().splitlines()):
            return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError(f"Chromium wrote no {active.name} within {timeout} s")


class Page:
    """One page target: commands are awaited by id; events are kept in order for `events`."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self._socket:
            received = message.json()
            if "id" in received:
                self._replies.pop(received["id"]).set_result(received)
            else:
                self.events.append(received)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one DevTools command and return its result (an error reply raises)."""
        command_id = next(self._ids)
        reply = self._replies[command_id] = asyncio.get_running_loop().create_future()
        await self._socket.send_json({"id": command_id, "method": method, "params": params})
        received = await asyncio.wait_for(reply, timeout=30)
        if "error" in received:
            raise RuntimeError(f"{method}: {received['error']}")
        result: dict[str, Any] = received["result"]
        return result

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result["result"].get("value")

    async def press(self, key: str, code: int, text: str = "") -> None:
        """Press and release one key, as the keyboard would."""
        typed = {"text": text} if text else {}
        await self.send(
            "Input.dispatchKeyEvent", type="keyDown", key=key, code=key, windowsVirtualKeyCode=code, **typed
        )
        await self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=key, windowsVirtualKeyCode=code)

    async def screenshot(self, path: Path) -> None:
        """Save the page as it is drawn, as a PNG."""
        shot = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        """Stop reading events."""
        self._reader.cancel()


async def first_page(session: aiohttp.ClientSession, port: int) -> aiohttp.ClientWebSocketResponse:
    """A websocket to the browser's first page target."""
    async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
        targets = await response.json()
    page = next(target for target in targets if target["type"] == "page")
    return await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)


def chromium() -> str | None:
    """The system's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")
