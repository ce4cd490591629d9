"""The embedded default's demo roster: six officials of three agencies, plus ONAC's duty officer.

The names are invented; their Telegram chats and numbers exist only in the sandbox, so a fresh
`raporto serve` shows the whole loop without a real bot or phone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.roster import add_agency, add_official, set_telegram_chat
from models.crypto import Pseudonymizer, Vault
from models.roster import Official

AGENCIES = [
    ("police", "Policia e Shtetit", "State Police", "police"),
    ("social", "Shërbimi Social Shtetëror", "State Social Service", "social_services"),
    (
        "labour",
        "Inspektorati Shtetëror i Punës dhe Shërbimeve Shoqërore",
        "State Labour and Social Services Inspectorate",
        "labour_inspectorate",
    ),
    (
        "onac",
        "Zyra e Koordinatorit Kombëtar kundër Trafikimit",
        "Office of the National Anti-Trafficking Coordinator",
        "coordinator",
    ),
]
OFFICIALS = [
    ("Demo Arta Hoxha", "police", "chair", "sq"),
    ("Demo Besnik Kola", "police", "member", "sq"),
    ("Demo Drita Leka", "social", "member", "sq"),
    ("Demo Elira Marku", "social", "member", "en"),
    ("Demo Fatos Gjoka", "labour", "member", "sq"),
    ("Demo Gentiana Duka", "labour", "member", "sq"),
    ("Demo ONAC duty officer", "onac", "onac", "sq"),
]
DEMO_CHAT_BASE = 900_000
DEMO_PHONE_BASE = "+3556990000"


def seed_demo_roster(
    session: Session, vault: Vault, pseudonym: Pseudonymizer, now: datetime
) -> int:
    """Create the demo roster if the roster is empty; return how many officials were added."""
    if session.execute(select(func.count()).select_from(Official)).scalar_one():
        return 0
    for code, name_sq, name_en, kind in AGENCIES:
        add_agency(session, code=code, name_sq=name_sq, name_en=name_en, kind=kind, active_from=now)
    for index, (name, agency, role, lang) in enumerate(OFFICIALS, start=1):
        official = add_official(
            session,
            vault,
            pseudonym,
            name=name,
            agency_code=agency,
            role=role,
            language=lang,
            active_from=now,
            phone=f"{DEMO_PHONE_BASE}{index:02d}",
        )
        set_telegram_chat(official, vault, pseudonym, DEMO_CHAT_BASE + index)
    return len(OFFICIALS)
