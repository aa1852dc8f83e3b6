"""`behavlab serve`: loopback unless --allow-remote, and the browser always told a URL it can reach."""

import os
from pathlib import Path
from typing import Any

import pytest
import textual_serve.server

from behavlab.cli.serve import SERVE_PAGE
from behavlab.config import DATABASE_ENV, USER_ENV
from behavlab.errors import InvalidInputError
from behavlab.services.serving import APP_COMMAND, ServedAddress, served_address
from tests.behavlab.cli.invoke import Invoke, cli_on


class RecordedServer:
    """Stands in for textual-serve's server: records what it was given instead of listening."""

    served: list[dict[str, Any]] = []

    def __init__(self, command: str, **options: Any) -> None:
        self.options = {"command": command, **options}

    def serve(self) -> None:
        RecordedServer.served.append({**self.options, "environment": dict(os.environ)})


@pytest.fixture
def serve_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """The command line on a fresh SQLite database, with the server recorded instead of started."""
    RecordedServer.served = []
    monkeypatch.setattr(textual_serve.server, "Server", RecordedServer)
    monkeypatch.setenv(DATABASE_ENV, "unused")
    monkeypatch.setenv(USER_ENV, "unused")
    return cli_on(f"sqlite:///{tmp_path / 'served.sqlite'}")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "lab-bench.example.org"])
def test_a_non_loopback_host_is_refused_without_allow_remote(serve_cli: Invoke, host: str) -> None:
    result = serve_cli("serve", "--host", host)
    assert result.exit_code == 1
    assert f"refusing to serve on {host}, not a loopback address" in result.output
    assert "no authentication" in result.output and "authenticating reverse proxy" in result.output
    assert RecordedServer.served == []


def test_allow_remote_needs_the_public_url_and_hands_it_to_the_page(
    serve_cli: Invoke, tmp_path: Path
) -> None:
    missing = serve_cli("serve", "--host", "0.0.0.0", "--allow-remote")
    assert missing.exit_code == 1 and "--public-url is required" in missing.output
    assert RecordedServer.served == []
    served = serve_cli(
        "--user", "ana", "serve", "--host", "0.0.0.0", "--port", "8123", "--allow-remote",
        "--public-url", "https://behavlab.example.org/",
    )  # fmt: skip
    assert served.exit_code == 0, served.output
    assert "warning: textual-serve has no authentication" in served.output
    [server] = RecordedServer.served
    assert (server["host"], server["port"]) == ("0.0.0.0", 8123)
    assert server["public_url"] == "https://behavlab.example.org"
    assert server["command"] == APP_COMMAND and server["templates_path"] == SERVE_PAGE
    assert server["environment"][DATABASE_ENV] == f"sqlite:///{tmp_path / 'served.sqlite'}"
    assert server["environment"][USER_ENV] == "ana"


def test_loopback_is_served_at_its_own_url_by_default(serve_cli: Invoke) -> None:
    for host, url in [("127.0.0.1", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000")]:
        assert serve_cli("serve", "--host", host).exit_code == 0
        assert RecordedServer.served.pop()["public_url"] == url


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", ServedAddress("127.0.0.1", 8000, "http://127.0.0.1:8000")),
        ("127.5.0.9", ServedAddress("127.5.0.9", 8000, "http://127.5.0.9:8000")),
        ("::1", ServedAddress("::1", 8000, "http://[::1]:8000")),
        ("[::1]", ServedAddress("::1", 8000, "http://[::1]:8000")),
        ("localhost", ServedAddress("localhost", 8000, "http://localhost:8000")),
    ],
)
def test_loopback_hosts_are_accepted(host: str, expected: ServedAddress) -> None:
    assert served_address(host, 8000, public_url=None, allow_remote=False) == expected


@pytest.mark.parametrize(
    ("public_url", "complaint"),
    [
        ("http://0.0.0.0:8000", "listening wildcard"),
        ("http://[::]:8000", "listening wildcard"),
        ("ftp://lab.example.org", "not an http:// or https:// URL"),
        ("lab.example.org:8000", "not an http:// or https:// URL"),
        ("https://lab.example.org/?next=1", "query or a fragment"),
    ],
)
def test_a_public_url_a_browser_cannot_use_is_refused(public_url: str, complaint: str) -> None:
    with pytest.raises(InvalidInputError, match=complaint):
        served_address("0.0.0.0", 8000, public_url=public_url, allow_remote=True)
