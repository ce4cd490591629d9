"""`raporto serve`: everything in one process on a laptop.

The web server and Telegram polling run in threads; jobs run on the in-process queue's thread
(RQ's worker needs the main thread and a real Redis, so it is not used here); the sweeper ticks
in its own thread. With no provider credentials, the sandbox fakes are started and the real
provider libraries are pointed at them.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import replace

import click
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from alerts.demo import OFFICIALS, seed_demo_roster
from alerts.queue import InProcessQueue
from bot.polling import poll
from bot.sweeper import sweeper_loop
from console.accounts import NewAccount, create_user, ensure_first_admin, find
from models.base import utcnow
from models.migrate import upgrade
from models.roster import Official
from raporto.app import create_app
from raporto.runtime import build_runtime
from raporto.settings import Settings

log = logging.getLogger(__name__)
DEMO_OFFICIAL_ACCOUNT = "official"
# Addresses that mean "every interface": a server listens on them but nobody can call them.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


def embedded_public_url(settings: Settings, host: str, port: int) -> str:
    """Return PUBLIC_BASE_URL when it is set, else the address this server listens on."""
    if settings.public_base_url_given:
        return settings.public_base_url
    # Settings can only default to port 8000; `serve --port` knows where the webhooks really are,
    # and the sandbox signs and posts to this URL, so a wrong port fails every SMS and call.
    reachable = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in reachable:
        reachable = f"[{reachable}]"  # an IPv6 literal
    return f"http://{reachable}:{port}"


def ensure_demo_official(session: Session) -> NewAccount | None:
    """Create the sandbox's official account, linked to the first demo official, once."""
    if find(session, DEMO_OFFICIAL_ACCOUNT) is not None:
        return None
    # Linked only to the invented demo official, never to a real person of the roster.
    official = session.scalar(select(Official).where(Official.name == OFFICIALS[0][0]))
    if official is None:
        return None
    return create_user(
        session,
        username=DEMO_OFFICIAL_ACCOUNT,
        role="official",
        official_id=official.id,
        actor="system",
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Stop cleanly on Ctrl-C and on a process manager's SIGTERM, whatever the parent ignored."""
    # A shell without job control starts background children with SIGINT ignored, and Python
    # then never raises KeyboardInterrupt: `raporto serve &` would ignore Ctrl-C's signal for
    # ever. SIGTERM (systemd, Docker, a Procfile runner) would otherwise kill it mid-write.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)


def run_embedded(
    settings: Settings,
    *,
    host: str,
    port: int,
    sandbox_port: int,
) -> None:
    """Run the whole service in this process until interrupted."""
    sandbox = None
    public = embedded_public_url(settings, host, port)
    # One URL for all: the sandbox posts to it, webhooks check signatures and links point at it.
    settings = replace(settings, public_base_url=public)
    if settings.sandbox and not settings.telegram_api_url:
        from sandbox import SandboxServer

        sandbox = SandboxServer(
            port=sandbox_port,
            telegram_token=settings.telegram_bot_token,
            twilio_account_sid=settings.twilio_account_sid,
            twilio_auth_token=settings.twilio_auth_token,
            public_base_url=public,
            telegram_webhook_secret=settings.telegram_webhook_secret,
        )
        sandbox.start()
        settings = replace(settings, telegram_api_url=sandbox.url, twilio_api_url=sandbox.url)
    upgrade(settings.database_url)
    queue = InProcessQueue() if not settings.redis_url else None
    runtime = build_runtime(settings, queue=queue)
    app = create_app(runtime=runtime)
    with runtime.db.transaction() as session:
        first_admin = ensure_first_admin(session)
    if first_admin is not None:
        # No default password ships: the first start prints a one-time one (changed at sign-in).
        name, password = first_admin.username, first_admin.password
        click.echo(f"  console admin:     {name} / {password} (one-time password)")
    if settings.sandbox:
        with runtime.db.transaction() as session:
            seeded = seed_demo_roster(session, runtime.vault, runtime.pseudonym, utcnow())
            demo_official = ensure_demo_official(session)
        if seeded:
            click.echo(f"  demo roster:       {seeded} invented officials on sandbox chats 900001-")
        if demo_official is not None:
            name, password = demo_official.username, demo_official.password
            click.echo(f"  console official:  {name} / {password} (one-time password, demo only)")
    if sandbox is not None:
        app.extensions["raporto.sandbox"] = sandbox
    stop = threading.Event()
    if isinstance(runtime.queue, InProcessQueue):
        runtime.queue.start()
    threading.Thread(
        target=sweeper_loop, args=(runtime.intake, stop, 5.0), daemon=True, name="sweeper"
    ).start()
    threading.Thread(
        target=poll,
        args=(runtime.intake, runtime.telegram(), stop),
        daemon=True,
        name="telegram-polling",
    ).start()
    server = make_server(host, port, app, threaded=True)
    click.echo(f"Raporto is running: console and webhooks at http://{host}:{port}")
    click.echo(f"  health:            http://{host}:{port}/health")
    click.echo(f"  public URL:        {public} (Twilio webhooks and links)")
    click.echo(f"  database:          {runtime.db.dialect} ({settings.queue_mode} queue)")
    if sandbox is not None:
        click.echo(f"  sandbox providers: {sandbox.url} (Telegram Bot API and Twilio REST fakes)")
        click.echo(f"  sent messages:     http://{host}:{port}/sandbox/messages")
    if settings.sandbox:
        click.echo(f"  simulator:         http://{host}:{port}/console/simulator")
    _stop_on_signals()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if sandbox is not None:
            sandbox.stop()
