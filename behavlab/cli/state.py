"""What the root command line sets for every subcommand: database, user, debug, and the opened workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Typer vendors click; group methods receive its Context, the base class of `typer.Context`.
    from typer import _click

    from behavlab.services import Workspace


@dataclass
class CliState:
    """Global options of one invocation; the workspace opens on first use, so `--help` never opens a DB."""

    database_url: str | None = None
    user: str | None = None
    debug: bool = False
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        """The opened (and schema-upgraded) workspace for this invocation."""
        if self._workspace is None:
            from behavlab.services import open_workspace

            self._workspace = open_workspace(self.database_url, self.user)
        return self._workspace


def state_of(ctx: _click.Context) -> CliState:
    """The invocation's state, set by the root callback."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj
