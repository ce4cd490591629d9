"""Managing the roster: agencies, officials, enrolment of Telegram chats, demo seed, YAML import."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.crypto import Pseudonymizer, Vault
from models.operators import normalise_number
from models.reference import ALPHABET
from models.roster import Agency, Official

KINDS = (
    "police",
    "social_services",
    "labour_inspectorate",
    "child_protection",
    "health",
    "education",
    "foreign_affairs",
    "shelters",
    "coordinator",
    "other",
)
ROLES = ("member", "chair", "onac")
CHANNELS = ("telegram", "sms", "voice")


class RosterError(ValueError):
    """A roster change that cannot be made (unknown agency, bad phone number...)."""


def agency(session: Session, code: str) -> Agency:
    """Return an agency by code."""
    found = session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if found is None:
        raise RosterError(f"no agency with code {code!r}")
    return found


def add_agency(
    session: Session, *, code: str, name_sq: str, name_en: str, kind: str, active_from: datetime
) -> Agency:
    """Add an agency of the Responsible Authority."""
    if kind not in KINDS:
        raise RosterError(f"kind must be one of {', '.join(KINDS)}")
    row = Agency(code=code, name_sq=name_sq, name_en=name_en, kind=kind, active_from=active_from)
    session.add(row)
    session.flush()
    return row


def set_phone(official: Official, vault: Vault, pseudonym: Pseudonymizer, phone: str) -> None:
    """Store an official's phone encrypted, with a keyed hash to recognise their SMS."""
    e164 = normalise_number(phone)
    if e164 is None:
        raise RosterError("not a valid phone number")
    official.phone_enc = vault.encrypt_text(e164)
    official.phone_key = pseudonym("official-tel", e164)


def set_telegram_chat(
    official: Official, vault: Vault, pseudonym: Pseudonymizer, chat_id: int
) -> None:
    """Link an official's Telegram chat (encrypted, with a keyed hash for callbacks)."""
    official.telegram_chat_enc = vault.encrypt_text(str(chat_id))
    official.telegram_chat_key = pseudonym("official-tg", str(chat_id))
    official.problems = {k: v for k, v in (official.problems or {}).items() if k != "telegram"}


def add_official(
    session: Session,
    vault: Vault,
    pseudonym: Pseudonymizer,
    *,
    name: str,
    agency_code: str,
    active_from: datetime,
    role: str = "member",
    phone: str | None = None,
    language: str = "sq",
    channel_order: Iterable[str] = CHANNELS,
) -> Official:
    """Add an official to the roster."""
    if role not in ROLES:
        raise RosterError(f"role must be one of {', '.join(ROLES)}")
    order = list(channel_order)
    if not order or any(c not in CHANNELS for c in order):
        raise RosterError(f"channels must be among {', '.join(CHANNELS)}")
    official = Official(
        name=name,
        agency=agency(session, agency_code),
        role=role,
        language=language,
        channel_order=order,
        active_from=active_from,
        problems={},
    )
    if phone:
        set_phone(official, vault, pseudonym, phone)
    session.add(official)
    session.flush()
    return official


def new_enrolment_code(
    session: Session, pseudonym: Pseudonymizer, official: Official, now: datetime, hours: int = 72
) -> str:
    """Issue a one-time code the official sends to the bot as "/start CODE"."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    official.enrol_code_key = pseudonym("enrol", code)
    official.enrol_expires_at = now + timedelta(hours=hours)
    session.flush()
    return code


def enrol(
    session: Session, vault: Vault, pseudonym: Pseudonymizer, code: str, chat_id: int, now: datetime
) -> Official | None:
    """Link the chat that sent a valid, unexpired code; the code works once."""
    key = pseudonym("enrol", code.strip().upper())
    official = session.execute(
        select(Official).where(Official.enrol_code_key == key)
    ).scalar_one_or_none()
    if official is None or official.enrol_expires_at is None or official.enrol_expires_at < now:
        return None
    set_telegram_chat(official, vault, pseudonym, chat_id)
    official.enrol_code_key = None
    official.enrol_expires_at = None
    return official


def active_officials(session: Session, when: datetime) -> list[Official]:
    """Return the officials serving at a time, with their agencies."""
    rows = session.execute(select(Official).options(selectinload(Official.agency))).scalars()
    return [o for o in rows if o.active_at(when)]


def official_by_chat(session: Session, pseudonym: Pseudonymizer, chat_id: int) -> Official | None:
    """Return the official enrolled with this Telegram chat."""
    key = pseudonym("official-tg", str(chat_id))
    return (
        session.execute(select(Official).where(Official.telegram_chat_key == key)).scalars().first()
    )


def official_by_phone(session: Session, pseudonym: Pseudonymizer, phone: str) -> Official | None:
    """Return the official whose enrolled number this is."""
    e164 = normalise_number(phone)
    if e164 is None:
        return None
    key = pseudonym("official-tel", e164)
    return session.execute(select(Official).where(Official.phone_key == key)).scalars().first()


def deactivate(session: Session, official_id: int, when: datetime) -> Official:
    """End an official's service (kept for history; no new alerts)."""
    official = session.get(Official, official_id)
    if official is None:
        raise RosterError(f"no official with id {official_id}")
    official.active_to = when
    return official


def import_roster(
    session: Session, vault: Vault, pseudonym: Pseudonymizer, data: Mapping[str, Any], now: datetime
) -> tuple[int, int]:
    """Import agencies and officials from a parsed YAML document; return the counts added."""
    agencies = officials = 0
    for item in data.get("agencies", []):
        exists = session.execute(select(Agency).where(Agency.code == item["code"])).scalar()
        if exists is None:
            add_agency(
                session,
                code=item["code"],
                name_sq=item["name_sq"],
                name_en=item["name_en"],
                kind=item["kind"],
                active_from=item.get("active_from") or now,
            )
            agencies += 1
    for item in data.get("officials", []):
        add_official(
            session,
            vault,
            pseudonym,
            name=item["name"],
            agency_code=item["agency"],
            role=item.get("role", "member"),
            phone=item.get("phone"),
            language=item.get("language", "sq"),
            channel_order=item.get("channels", CHANNELS),
            active_from=item.get("active_from") or now,
        )
        officials += 1
    return agencies, officials
