"""Local fakes of the Telegram Bot API and the Twilio REST API, served over real HTTP.

Point python-telegram-bot at `f"{server.url}/bot"` and twilio's `client.api.base_url`
at `server.url`; play users and callers through the `/sandbox/...` control endpoints.
Depends only on the standard library, flask and werkzeug.
"""

from sandbox.server import SandboxServer, create_app
from sandbox.signature import twilio_signature
from sandbox.state import OutboundMessage, SandboxConfig, SandboxState

__all__ = [
    "OutboundMessage",
    "SandboxConfig",
    "SandboxServer",
    "SandboxState",
    "create_app",
    "twilio_signature",
]
