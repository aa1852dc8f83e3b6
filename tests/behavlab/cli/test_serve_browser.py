"""`behavlab serve` in a real browser: headless Chromium loads the page, reads the terminal, opens a study.

The app is drawn on a canvas, so the test reads xterm.js's own buffer. textual-serve keeps its terminal
private; a script the test installs before the page loads keeps a reference to it as it is assigned.
Chromium resolves no name but loopback, and every request the page makes is checked to go to the server.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import aiohttp
import pytest

from tests.behavlab.cli.devtools import Page, chromium, devtools_port, first_page, start_chromium
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_page(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, "behavlab serve exited"
        try:
            with urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {SECONDS} s")


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
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "behavlab",
            "--db",
            database,
            "--user",
            "tester",
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    browser = start_chromium(executable, tmp_path / "profile", 1280, 800)
    try:
        wait_for_page(url, server)
        shot = tmp_path / "serve.png"
        studies, dashboard, urls = asyncio.run(
            asyncio.wait_for(
                open_study_in_browser(devtools_port(tmp_path / "profile", SECONDS), url, shot), 90
            )
        )
    finally:
        browser.terminate()
        os.killpg(server.pid, signal.SIGTERM)  # the server and the app it started for the page
        for process in (browser, server):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    assert "behavlab" in studies and STUDY in studies
    assert STUDY in dashboard and "next:" in dashboard
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert urls and {urlsplit(each).netloc for each in urls} == {f"127.0.0.1:{port}"}, urls
