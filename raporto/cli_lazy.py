"""A click group that imports a subcommand's module only when that subcommand is used.

Importing every command's module up front pulled in SQLAlchemy, Flask, the console and the
providers for `raporto --help` and for each worker start; here the root help is drawn from a
table instead, and a command's module is imported when it runs (or its own --help is asked).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a subcommand lives ("module:attribute") and its one-line help for the root listing."""

    target: str
    help: str  # the first paragraph of the command's docstring (a test keeps them equal)

    def load(self) -> click.Command:
        """Import the module and return the command object."""
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command


class LazyGroup(click.Group):
    """A group whose subcommands are `LazyCommand`s, imported on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every subcommand's name, loaded or not, sorted as click sorts them."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the subcommand, importing its module the first time it is asked for."""
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the Commands section as click does, without importing any subcommand."""
        shown = {
            name: self.commands.get(name)
            for name in self.list_commands(ctx)
            if name not in self.commands or not self.commands[name].hidden
        }
        if not shown:
            return
        # The same width and shortening as click.Group.format_commands, so the text is identical.
        limit = formatter.width - 6 - max(len(name) for name in shown)
        rows = [
            (name, command.get_short_help_str(limit) if command else self._lazy_help(name, limit))
            for name, command in shown.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _lazy_help(self, name: str, limit: int) -> str:
        # A bare stand-in shortens the text with click's own rule, through its public API.
        return click.Command(name, help=self.lazy[name].help).get_short_help_str(limit)
