"""Console accounts as a service: create, list, disable, passwords (argon2) and TOTP.

Used by `raporto users` and by the admin pages; nothing here knows about HTTP.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.errors import Refusal
from locales.i18n import N_
from models import store
from models.accounts import ROLES, User
from models.base import utcnow
from models.crypto import Vault
from models.roster import Official
from models.untrusted import is_ascii_digits

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "Raporto"
TOTP_DIGITS = 6  # pyotp's default, what every authenticator app shows
USERNAME = re.compile(r"[a-z0-9._-]{1,64}")


class AccountError(Refusal):
    """A request about an account that cannot be carried out (the message says why)."""


@dataclass(frozen=True)
class NewAccount:
    """An account just created, with the one-time password to hand over."""

    user_id: int
    username: str
    password: str


def hash_password(password: str) -> str:
    """Return the argon2 hash of a password."""
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """Check a password; upgrade the stored hash when argon2's parameters changed."""
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def dummy_verify() -> None:
    """Spend the time of one verification, so unknown accounts answer as slowly as known ones."""
    verify_password(User(password_hash=_dummy_hash()), "not-the-password")


@functools.cache
def _dummy_hash() -> str:
    # Made on first use, not at import: hashing costs a fifth of a second by design.
    return _hasher.hash(secrets.token_urlsafe(16))


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("A password needs at least %(n)d characters."), n=MIN_PASSWORD_LENGTH)


def one_time_password() -> str:
    """Return a random password to hand over once (the user must change it at first sign-in)."""
    return secrets.token_urlsafe(12)


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    actor: str,
    official_id: int | None = None,
    language: str = "sq",
    pending_by: int | None = None,
) -> NewAccount:
    """Create an account with a one-time password; officials must be linked to the roster.

    `pending_by` is the admin who asks for the account: it cannot sign in until another admin
    confirms it (see `needs_confirmation`).
    """
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError(N_("A username has 1 to 64 letters, digits, “.”, “-” or “_”."))
    if role not in ROLES:
        raise AccountError(N_("The role must be one of: %(roles)s."), roles=tuple(ROLES))
    if role == "official":
        official = session.get(Official, official_id) if official_id is not None else None
        if official is None:
            raise AccountError(N_("An official's account must name an official of the roster."))
        check_linkable(official)
    elif official_id is not None:
        raise AccountError(N_("Only an official's account is linked to the roster."))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(N_("The username “%(username)s” is taken."), username=username)
    password = one_time_password()
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        official_id=official_id,
        language=language if language in ("sq", "en") else "sq",
        must_change_password=True,
        pending_by=pending_by,
    )
    session.add(user)
    session.flush()
    store.audit(
        session,
        actor=actor,
        action="user.create",
        now=utcnow(),
        object_type="user",
        object_id=user.id,
        role=role,
        pending=pending_by is not None,
    )
    return NewAccount(user.id, username, password)


def ensure_first_admin(session: Session, now: datetime | None = None) -> NewAccount | None:
    """Create the first admin with a one-time password when no account exists yet."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    return create_user(session, username="admin", role="admin", actor="system")


def find(session: Session, username: str) -> User | None:
    """Return the account with this username, if any."""
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users(session: Session) -> list[User]:
    """Return every account, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def set_disabled(session: Session, user: User, disabled: bool, *, actor: str) -> None:
    """Disable or re-enable an account; disabling ends its sessions."""
    user.disabled = disabled
    user.session_version += 1
    store.audit(
        session,
        actor=actor,
        action="user.disable" if disabled else "user.enable",
        now=utcnow(),
        object_type="user",
        object_id=user.id,
    )


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Set a new password (checked for strength); other sessions of the account end."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.session_version += 1
    store.audit(
        session,
        actor=actor,
        action="user.password",
        object_type="user",
        object_id=user.id,
        now=utcnow(),
    )


def reset_password(
    session: Session, user: User, *, actor: str, pending_by: int | None = None
) -> str:
    """Replace the password by a one-time one that must be changed at the next sign-in.

    With `pending_by`, the account waits for another admin's confirmation as a new one does:
    whoever holds a one-time password can sign in as the account.
    """
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_version += 1
    user.pending_by = pending_by
    store.audit(
        session,
        actor=actor,
        action="user.reset",
        now=utcnow(),
        object_type="user",
        object_id=user.id,
        pending=pending_by is not None,
    )
    return password


def needs_confirmation(role: str) -> bool:
    """Whether an admin's new account (or password reset) of this role needs a second admin.

    Officials read tips; an admin can create officials. Either, handed over by one admin alone,
    would let that admin read tips.
    """
    return role in ("official", "admin")


def check_linkable(official: Official) -> None:
    """Refuse to link a console account to ONAC's entries of the roster.

    ONAC's duty officers receive escalations and notices, not cases: an official's account linked
    to one would read and act on every tip as ONAC.
    """
    if official.role == "onac" or official.agency.kind == "coordinator":
        raise AccountError(
            N_("An official's account cannot be linked to ONAC's entries of the roster.")
        )


def confirm(session: Session, user: User, *, admin_id: int, actor: str) -> None:
    """Confirm an account another admin created or reset; the asking admin cannot confirm it."""
    if user.pending_by is None:
        raise AccountError(N_("The account does not wait for a confirmation."))
    if admin_id in (user.pending_by, user.id):
        raise AccountError(N_("Another administrator must confirm it."))
    user.pending_by = None
    store.audit(
        session,
        actor=actor,
        action="user.confirm",
        object_type="user",
        object_id=user.id,
        now=utcnow(),
    )


def end_sessions(session: Session, user: User, *, actor: str) -> None:
    """End every session of the account (signing out): copied session cookies stop working."""
    user.session_version += 1
    store.audit(
        session, actor=actor, action="logout", object_type="user", object_id=user.id, now=utcnow()
    )


def enable_totp(session: Session, vault: Vault, user: User, *, actor: str) -> str:
    """Give the account a new TOTP secret; return the otpauth:// URI to scan once."""
    secret = pyotp.random_base32()
    user.totp_secret_enc = vault.encrypt_text(secret)
    user.totp_last_step = None
    user.session_version += 1
    store.audit(
        session,
        actor=actor,
        action="user.totp",
        object_type="user",
        object_id=user.id,
        now=utcnow(),
    )
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def check_totp(vault: Vault, user: User, code: str, now: datetime | None = None) -> bool:
    """Accept a current TOTP code once (a replayed code is refused)."""
    if user.totp_secret_enc is None:
        return True
    code = code.strip().replace(" ", "")
    # Six ASCII digits only: "١٢٣٤٥٦" passes isdigit() and made compare_digest raise, a 500
    # that only a correct password reached.
    if not is_ascii_digits(code, TOTP_DIGITS):
        return False
    totp = pyotp.TOTP(vault.decrypt_text(user.totp_secret_enc))
    moment = now or utcnow()
    step = int(moment.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if candidate <= (user.totp_last_step or -1):
            continue
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            user.totp_last_step = candidate
            return True
    return False
