"""Serving the terminal app to a web browser: the address bound, the URL the page connects back to, what runs.

textual-serve has no authentication: whoever reaches the port uses behavlab as the serving user. So only a
loopback address is bound unless remote serving is asked for explicitly, and the URL handed to the browser is
always an address a browser can reach (never a bound wildcard such as 0.0.0.0).
"""

import ipaddress
import shlex
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from behavlab.config import DATABASE_ENV, USER_ENV, resolve_database_url
from behavlab.errors import InvalidInputError

#: Host names that always mean this machine's loopback interface.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
#: What each browser visit runs: the terminal app, as `behavlab` with no command starts it.
APP_COMMAND = f"{shlex.quote(sys.executable)} -m behavlab"
NO_AUTHENTICATION = (
    "textual-serve has no authentication: anyone who reaches the port uses behavlab as you; "
    "keep the default loopback host and put an authenticating reverse proxy in front of it"
)


@dataclass(frozen=True)
class ServedAddress:
    """Where to listen, and the URL the page connects back to."""

    host: str
    port: int
    public_url: str


def is_loopback(host: str) -> bool:
    """Whether `host` (a name, an IPv4 or an IPv6 address, bracketed or not) is this machine's loopback."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def served_address(host: str, port: int, *, public_url: str | None, allow_remote: bool) -> ServedAddress:
    """Check the address and work out the page's URL; a non-loopback host needs `allow_remote` and a URL."""
    bound = host.strip("[]")
    if not is_loopback(bound):
        if not allow_remote:
            raise InvalidInputError(
                f"refusing to serve on {host}, not a loopback address (--allow-remote): {NO_AUTHENTICATION}"
            )
        if public_url is None:
            raise InvalidInputError(
                f"--public-url is required with the non-loopback host {host}: the address browsers reach, "
                "e.g. https://behavlab.example.org on the authenticating reverse proxy"
            )
    url = checked_public_url(public_url) if public_url is not None else default_public_url(bound, port)
    return ServedAddress(host=bound, port=port, public_url=url)


def app_environment(database_url: str | None, actor: str) -> dict[str, str]:
    """The variables that give each served app its database and actor.

    The environment, not the command line, so a database password never shows in the process list.
    """
    return {DATABASE_ENV: resolve_database_url(database_url), USER_ENV: actor}


def default_public_url(host: str, port: int) -> str:
    """The URL of a loopback host and port, an IPv6 address in brackets."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


def checked_public_url(url: str) -> str:
    """An http(s) URL naming a host a browser can reach, without a trailing slash (paths are appended)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"--public-url {url!r} is not an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise InvalidInputError(f"--public-url {url!r} must not have a query or a fragment")
    try:
        unspecified = ipaddress.ip_address(parts.hostname).is_unspecified
    except ValueError:
        unspecified = False
    if unspecified:
        raise InvalidInputError(
            f"--public-url {url!r} names a listening wildcard, not an address a browser can connect to"
        )
    return parts.geturl().rstrip("/")
