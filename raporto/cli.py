"""The `raporto` command: serve, worker, bot, db, keys, purge, sweep, spool, triage and the rest.

This module only names the subcommands. Each lives in its own module, imported when it runs:
importing them all cost about a second of CPU (SQLAlchemy, Flask, the console, the providers),
paid by `raporto --help` and by every worker start.
"""

from __future__ import annotations

import sys

import click

from raporto.cli_lazy import LazyCommand, LazyGroup

# name → where the command lives, and the first paragraph of its docstring for `raporto --help`.
COMMANDS = {
    "serve": LazyCommand(
        "raporto.cli_run:serve",
        "Run web, worker, sweeper and Telegram polling in one process (the embedded default).",
    ),
    "worker": LazyCommand(
        "raporto.cli_run:worker",
        "Run an RQ worker on the priority queues, with the sweeper beside it.",
    ),
    "bot": LazyCommand(
        "raporto.cli_run:bot",
        "Poll Telegram for updates (where no public HTTPS URL exists for the webhook).",
    ),
    "telegram-webhook": LazyCommand(
        "raporto.cli_run:telegram_webhook",
        "Register PUBLIC_BASE_URL/webhooks/telegram with Telegram, with the secret header.",
    ),
    "sweep": LazyCommand(
        "raporto.cli_run:sweep",
        "Run one sweep (re-drive stuck replies and fetches, submit idle drafts).",
    ),
    "watchdog": LazyCommand(
        "raporto.cli_run:watchdog",
        "Check the alert pipeline and text ONAC out of band when it is stuck.",
    ),
    "canary": LazyCommand(
        "raporto.cli_canary:canary",
        "Send a synthetic tip through every channel end to end; text ONAC if one fails.",
    ),
    "db": LazyCommand("raporto.cli_maintenance:db", "Database schema."),
    "keys": LazyCommand("raporto.cli_maintenance:keys", "Encryption and pseudonym keys."),
    "purge": LazyCommand(
        "raporto.cli_maintenance:purge",
        "Delete tip content and reply handles past their retention period; counts stay.",
    ),
    "backup": LazyCommand(
        "raporto.cli_backup:backup_command",
        "Write an encrypted, consistent snapshot of the database (never the keys or the spool).",
    ),
    "restore": LazyCommand(
        "raporto.cli_backup:restore_command",
        "Restore a backup into the configured database, which must be empty; then migrate it.",
    ),
    "officials": LazyCommand(
        "raporto.cli_officials:officials", "The officials who receive alerts."
    ),
    "services": LazyCommand(
        "raporto.cli_services:services", "Check, list and update the services directory."
    ),
    "spool": LazyCommand(
        "raporto.cli_spool:spool", "The inbound spool of events kept while the database was down."
    ),
    "stats": LazyCommand(
        "raporto.cli_stats:stats_command",
        "Count tips or contacts by fields; never decrypts, never prints a tip or a number.",
    ),
    "users": LazyCommand("raporto.cli_users:users", "Console accounts (admin, onac, official)."),
    "triage": LazyCommand(
        "raporto.triage_commands:triage_command",
        'Triage tips: JSON lines {"text", "lang"?, "channel"?} on stdin, one JSON line out each.',
    ),
    "triage-eval": LazyCommand(
        "raporto.triage_commands:triage_eval_command",
        "Evaluate the triage on a labelled set (default: the development set) against its targets.",
    ),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
def main() -> None:
    """Raporto: anonymous tip line and triage against human trafficking."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
