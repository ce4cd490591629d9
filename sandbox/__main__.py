"""Run the sandbox alone: `python -m sandbox --port 8001 ...`."""

from __future__ import annotations

import argparse
import os
import threading

from sandbox.server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line; secrets default to the same environment variables."""
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--telegram-token",
        default=env("SANDBOX_TELEGRAM_TOKEN"),
        help="the only bot token accepted (default: any)",
    )
    parser.add_argument("--twilio-account-sid", default=env("SANDBOX_TWILIO_ACCOUNT_SID"))
    parser.add_argument(
        "--twilio-auth-token",
        default=env("SANDBOX_TWILIO_AUTH_TOKEN"),
        help="checked on REST calls and used to sign webhooks",
    )
    parser.add_argument(
        "--public-base-url",
        default=env("SANDBOX_PUBLIC_BASE_URL"),
        help="the app's public URL, e.g. http://127.0.0.1:8000",
    )
    parser.add_argument("--telegram-webhook-secret", default=env("SANDBOX_TELEGRAM_WEBHOOK_SECRET"))
    parser.add_argument("--twilio-phone-number", default="+15005550006")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds every fake API answer waits"
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Start the sandbox and serve until interrupted."""
    args = parse_args(argv)
    server = SandboxServer(
        host=args.host,
        port=args.port,
        telegram_token=args.telegram_token,
        twilio_account_sid=args.twilio_account_sid,
        twilio_auth_token=args.twilio_auth_token,
        public_base_url=args.public_base_url,
        telegram_webhook_secret=args.telegram_webhook_secret,
        twilio_phone_number=args.twilio_phone_number,
        latency=args.latency,
        access_log=args.access_log,
    )
    server.start()
    print(f"Raporto sandbox listening on {server.url}", flush=True)
    print(f"  Telegram: Bot(token, base_url='{server.url}/bot')", flush=True)
    print(f"  Twilio:   client.api.base_url = '{server.url}'", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
