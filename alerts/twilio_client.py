"""The twilio package's client, pointed at Twilio or at the sandbox by configuration only."""

from __future__ import annotations

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


def make_client(account_sid: str, auth_token: str, api_url: str | None = None) -> Client:
    """Create a Twilio client; `api_url` redirects its REST calls (the sandbox)."""
    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=10))
    if api_url:
        client.api.base_url = api_url.rstrip("/")
    return client


def recording_media_url(client: Client, account_sid: str, recording_sid: str) -> str:
    """Build the recording's media URL from its SID (never from a URL a request supplied)."""
    return f"{client.api.base_url}/2010-04-01/Accounts/{account_sid}/Recordings/{recording_sid}.wav"


def fetch_recording(
    client: Client, account_sid: str, auth_token: str, recording_sid: str, max_bytes: int
) -> bytes:
    """Download a recording's audio; raise ValueError above max_bytes.

    The SDK's HTTP client decodes bodies as text, which corrupts audio, so the media is
    streamed with requests under the same credentials.
    """
    url = recording_media_url(client, account_sid, recording_sid)
    with requests.get(url, auth=(account_sid, auth_token), timeout=15, stream=True) as response:
        if response.status_code != 200:
            raise RuntimeError(f"recording fetch answered {response.status_code}")
        data = bytearray()
        for chunk in response.iter_content(64 * 1024):
            data.extend(chunk)
            if len(data) > max_bytes:
                raise ValueError("recording larger than the attachment cap")
    return bytes(data)


def delete_recording(client: Client, recording_sid: str) -> None:
    """Delete a recording at the provider once it is stored encrypted here."""
    client.recordings(recording_sid).delete()
