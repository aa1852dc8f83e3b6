"""`behavlab serve` in a real browser: headless Chromium loads the page, reads the terminal, opens a study.

The app is drawn on a canvas, so the test reads xterm.js's own buffer. textual-serve keeps its terminal
private; a script the test installs before the page loads keeps a reference to it as it is assigned.
Chromium resolves no name but loopback, and every request the page makes is checked to go to the server.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import aiohttp
import pytest

from tests.behavlab.cli.devtools import (
    Page,
    chromium,
    devtools_port,
    first_page,
    log_tail,
    start_chromium,
    stop_group,
)
from tests.behavlab.cli.invoke import cli_on

STUDY = "Ketamine FST pilot"
#: Keeps the terminal textual-serve assigns to `this.terminal`, which the page never exposes.
KEEP_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    window.servedTerminal = value;
  },
});
"""
SCREEN_TEXT = """(() => {
  const terminal = window.servedTerminal;
  if (!terminal) return "";
  const buffer = terminal.buffer.active, lines = [];
  for (let row = 0; row < buffer.length; row++) lines.push(buffer.getLine(row).translateToString(true));
  return lines.join("\\n");
})()"""
SECONDS = 30
#: How many free ports the server is started on before the test gives up: another process may take the
#: port between the probe that found it free and the server binding it.
SERVER_TRIES = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def page_answers(url: str, server: subprocess.Popen[bytes], log: Path) -> bool:
    """True once the page answers 200, False if the server exited first (its port taken, maybe)."""
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {SECONDS} s\n{log_tail(log)}")


def start_server(database: str, folder: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    """`behavlab serve` on a free loopback port, answering; its process, port and log.

    The server leads a process group of its own: the app it starts for the page is stopped with it.
    """
    for attempt in range(1, SERVER_TRIES + 1):
        port, log = free_port(), folder / f"serve-{attempt}.log"
        command = [sys.executable, "-m", "behavlab", "--db", database, "--user", "tester", "serve"]
        with log.open("wb") as output:
            server = subprocess.Popen(
                [*command, "--port", str(port)],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            if page_answers(f"http://127.0.0.1:{port}", server, log):
                return server, port, log
        except BaseException:
            stop_group(server)
            raise
        stop_group(server)
    raise AssertionError(f"behavlab serve exited on each of {SERVER_TRIES} ports\n{log_tail(log)}")


async def screen_showing(page: Page, text: str) -> str:
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        screen: str = await page.evaluate(SCREEN_TEXT) or ""
        if text in screen:
            return screen
        await asyncio.sleep(0.2)
    raise TimeoutError(f"the terminal did not show {text!r} within {SECONDS} s; it showed:\n{screen}")


def requested_urls(page: Page) -> list[str]:
    urls = []
    for event in page.events:
        if event["method"] == "Network.requestWillBeSent":
            urls.append(event["params"]["request"]["url"])
        elif event["method"] == "Network.webSocketCreated":
            urls.append(event["params"]["url"])
    return urls


async def open_study_in_browser(browser_port: int, url: str, screenshot: Path) -> tuple[str, str, list[str]]:
    async with aiohttp.ClientSession() as session, await first_page(session, browser_port) as socket_:
        page = Page(socket_)
        try:
            await page.send("Network.enable")
            await page.send("Page.enable")
            await page.send("Page.addScriptToEvaluateOnNewDocument", source=KEEP_TERMINAL)
            await page.send("Page.navigate", url=url)
            studies = await screen_showing(page, STUDY)
            await page.evaluate("window.servedTerminal.focus()")
            await page.press("Enter", 13, "\r")
            dashboard = await screen_showing(page, "next:")
            await page.screenshot(screenshot)
            return studies, dashboard, requested_urls(page)
        finally:
            page.close()


def test_the_served_app_lists_and_opens_a_study_in_chromium(tmp_path: Path) -> None:
    executable = chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Chromium (.ci/run installs it) for the browser test")
        pytest.skip("Chromium is not installed (CI installs it from the system packages)")
    database = f"sqlite:///{tmp_path / 'served.sqlite'}"
    created = cli_on(database)("--user", "tester", "study", "create", STUDY)
    assert created.exit_code == 0, created.output
    server, port, server_log = start_server(database, tmp_path)
    url = f"http://127.0.0.1:{port}"
    browser_log = tmp_path / "chromium.log"
    try:
        browser = start_chromium(executable, tmp_path / "profile", 1280, 800, browser_log)
        try:
            shot = tmp_path / "serve.png"
            browsing = open_study_in_browser(devtools_port(tmp_path / "profile", SECONDS), url, shot)
            studies, dashboard, urls = asyncio.run(asyncio.wait_for(browsing, 90))
        except Exception as error:
            raise AssertionError(f"{error}\n{log_tail(server_log)}\n{log_tail(browser_log)}") from error
        finally:
            stop_group(browser)
    finally:
        stop_group(server)
    assert "behavlab" in studies and STUDY in studies
    assert STUDY in dashboard and "next:" in dashboard
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert urls and {urlsplit(each).netloc for each in urls} == {f"127.0.0.1:{port}"}, urls
