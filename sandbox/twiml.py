"""Reading the TwiML an app answers with, the way Twilio executes it.

Owns `parse_twiml`: it walks the verbs of a <Response> in order, collecting spoken
and played prompts and SMS replies, and stops at the first verb that waits for the
caller or leaves the document (Gather, Record, Dial, Redirect, Hangup, Reject).
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own app's answers, not hostile input
from typing import Any

STOPPING_VERBS = ("Gather", "Record", "Dial", "Redirect", "Hangup", "Reject")


class TwimlError(ValueError):
    """The answer is not TwiML."""


@dataclasses.dataclass
class Twiml:
    """What one TwiML document tells Twilio to do."""

    say: list[dict[str, str]] = dataclasses.field(default_factory=list)
    play: list[str] = dataclasses.field(default_factory=list)
    messages: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    gather: dict[str, str] | None = None
    record: dict[str, str] | None = None
    dial: list[str] | None = None
    dial_attrs: dict[str, str] | None = None
    redirect: dict[str, str] | None = None
    hangup: bool = False
    reject: bool = False
    # The verbs after a <Gather>, run when the caller enters nothing.
    after_gather: str | None = None

    @property
    def waits(self) -> bool:
        """Tell whether the call stays up waiting for the caller (or a dialled party)."""
        return bool(self.gather is not None or self.record is not None or self.dial)


def _text(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()


def _prompt(doc: Twiml, element: ET.Element) -> None:
    # Say and Play may stand alone or be nested inside Gather.
    if element.tag == "Say":
        doc.say.append({"text": _text(element), **element.attrib})
    elif element.tag == "Play":
        doc.play.append(_text(element))


def _message(element: ET.Element) -> dict[str, Any]:
    body = element.find("Body")
    media = [_text(m) for m in element.findall("Media")]
    text = _text(body) if body is not None else (element.text or "").strip()
    return {"text": text, "media": media, **element.attrib}


def parse_twiml(xml: str) -> Twiml:
    """Parse a TwiML document; raise TwimlError when it is not a <Response>."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 - see the import note
    except ET.ParseError as exc:
        raise TwimlError(f"not XML: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError(f"root element is <{root.tag}>, not <Response>")
    doc = Twiml()
    verbs = list(root)
    for position, verb in enumerate(verbs):
        if verb.tag in ("Say", "Play"):
            _prompt(doc, verb)
        elif verb.tag == "Message":
            doc.messages.append(_message(verb))
        elif verb.tag == "Gather":
            for child in verb:
                _prompt(doc, child)
            doc.gather = dict(verb.attrib)
            rest = ET.Element("Response")
            rest.extend(verbs[position + 1 :])
            doc.after_gather = ET.tostring(rest, encoding="unicode")
        elif verb.tag == "Record":
            doc.record = dict(verb.attrib)
        elif verb.tag == "Dial":
            numbers = [_text(n) for n in verb if n.tag in ("Number", "Client", "Sip")]
            doc.dial = numbers or ([_text(verb)] if _text(verb) else [])
            doc.dial_attrs = dict(verb.attrib)
        elif verb.tag == "Redirect":
            doc.redirect = {"url": _text(verb), "method": verb.get("method", "POST")}
        elif verb.tag == "Hangup":
            doc.hangup = True
        elif verb.tag == "Reject":
            doc.reject = True
        if verb.tag in STOPPING_VERBS:
            break
    return doc
