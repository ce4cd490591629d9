"""Signing in and out: Flask-Login sessions, argon2, optional TOTP, throttled, audited."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import delete
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from console.accounts import (
    AccountError,
    check_totp,
    dummy_verify,
    end_sessions,
    find,
    set_password,
    verify_password,
)
from console.i18n import _, current_language
from console.runtime import runtime
from console.throttle import wait_seconds
from locales.i18n import LANGUAGES
from models import store
from models.accounts import LoginFailure, User
from models.base import utcnow
from models.untrusted import is_ascii_digits, parse_id

bp = Blueprint("auth", __name__, url_prefix="/console")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"

F = TypeVar("F", bound=Callable[..., Any])


class ConsoleUser(UserMixin):
    """The signed-in account as the request sees it (no secrets, no hashes)."""

    def __init__(self, user: User) -> None:
        self.user_id = user.id
        self.username = user.username
        self.role = user.role
        self.official_id = user.official_id
        self.language = user.language
        self.must_change_password = user.must_change_password
        self._version = user.session_version

    def get_id(self) -> str:
        """Return the session id: the account and its session version."""
        return f"{self.user_id}:{self._version}"

    @property
    def actor(self) -> str:
        """Return how the audit log names this account."""
        return f"user:{self.user_id}"


@login_manager.user_loader
def load_user(session_id: str) -> ConsoleUser | None:
    """Load the account of a session; refused when disabled, unconfirmed or signed out since."""
    user_id, _sep, version = session_id.partition(":")
    account_id = parse_id(user_id)
    if account_id is None or not is_ascii_digits(version) or len(version) > 9:
        return None
    with runtime().db.read() as db:
        user = db.get(User, account_id)
        if user is None or user.disabled or user.pending_by is not None:
            return None
        if user.session_version != int(version):
            return None
        return ConsoleUser(user)


@login_manager.unauthorized_handler
def unauthorized() -> BaseResponse:
    """Send anonymous visitors to the sign-in page."""
    return redirect(url_for("auth.login", next=request.path))


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow a view only to signed-in accounts with one of these roles (403 for others)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return unauthorized()
            if current_user.must_change_password:
                return redirect(url_for("auth.change_password"))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


class LoginForm(FlaskForm):
    """Username, password and (when enabled for the account) a TOTP code."""

    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])
    code = StringField("code", validators=[Length(max=10)])


class PasswordForm(FlaskForm):
    """The current password and a new one, twice."""

    current = PasswordField("current", validators=[DataRequired(), Length(max=200)])
    new = PasswordField("new", validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField("repeat", validators=[DataRequired(), Length(max=200)])


def _keys(username: str) -> tuple[str, str]:
    pseudonym = runtime().pseudonym
    address = request.remote_addr or "unknown"
    return pseudonym("login-account", username.strip().lower()), pseudonym("login-address", address)


def _safe_next(target: str | None) -> str:
    # Only paths inside the console: an open redirect would help phishing the officials.
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return url_for("views.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | BaseResponse | tuple[str, int]:
    """Show the sign-in form and check it."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 400 if request.method == "POST" else 200
    username = form.username.data or ""
    account_key, address_key = _keys(username)
    with runtime().db.transaction() as db:
        wait = wait_seconds(db, account_key, address_key, utcnow())
        if wait:
            store.audit(db, actor="anonymous", action="login.throttled", now=utcnow())
            flash(_("Too many failed attempts. Try again in a few minutes."), "error")
            response = make_response(render_template("login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = find(db, username)
        # The password is always checked, against the account's hash or a dummy one, so a
        # disabled or unconfirmed account answers as slowly as an active one.
        if user is None:
            dummy_verify()
        password_ok = user is not None and verify_password(user, form.password.data or "")
        if password_ok and user is not None and user.pending_by is not None and not user.disabled:
            # Only the holder of the password learns that the account waits for an admin.
            store.audit(
                db,
                actor="anonymous",
                action="login.pending",
                object_type="user",
                object_id=user.id,
                now=utcnow(),
            )
            flash(_("This account waits for a second administrator to confirm it."), "error")
            return render_template("login.html", form=form), 403
        ok = (
            password_ok
            and user is not None
            and not user.disabled
            and check_totp(runtime().vault, user, form.code.data or "")
        )
        if not ok or user is None:
            db.add(LoginFailure(account_key=account_key, address_key=address_key, at=utcnow()))
            store.audit(
                db,
                actor="anonymous",
                action="login.failed",
                now=utcnow(),
                object_type="user",
                object_id=user.id if user else None,
            )
            flash(_("The username, password or code is not correct."), "error")
            return render_template("login.html", form=form), 401
        db.execute(
            delete(LoginFailure).where(
                LoginFailure.account_key == account_key, LoginFailure.address_key == address_key
            )
        )
        user.last_login_at = utcnow()
        actor = f"user:{user.id}"
        store.audit(
            db, actor=actor, action="login", object_type="user", object_id=user.id, now=utcnow()
        )
        console_user = ConsoleUser(user)
    # A language picked with the switch on the sign-in page outlives the new session; without
    # one, the account's own language applies.
    chosen = session.get("lang")
    session.clear()
    session.permanent = True
    login_user(console_user)
    session["lang"] = chosen if chosen in LANGUAGES else console_user.language
    if console_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session, on the server too: the account's session version moves on."""
    if current_user.is_authenticated:
        with runtime().db.transaction() as db:
            user = db.get(User, current_user.user_id)
            if user is not None:
                end_sessions(db, user, actor=current_user.actor)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password() -> str | BaseResponse | tuple[str, int]:
    """Change one's own password (required after a one-time password)."""
    if not current_user.is_authenticated:
        return unauthorized()
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("password.html", form=form), 400 if request.method == "POST" else 200
    if form.new.data != form.repeat.data:
        flash(_("The two new passwords are not the same."), "error")
        return render_template("password.html", form=form), 400
    with runtime().db.transaction() as db:
        user = db.get(User, current_user.user_id)
        if user is None or not verify_password(user, form.current.data or ""):
            flash(_("The current password is not correct."), "error")
            return render_template("password.html", form=form), 401
        try:
            set_password(db, user, form.new.data or "", actor=current_user.actor)
        except AccountError as exc:
            flash(exc.text(current_language()), "error")
            return render_template("password.html", form=form), 400
        console_user = ConsoleUser(user)
    # The session version changed: sign in again under it so this session stays valid.
    login_user(console_user)
    flash(_("Your password has been changed."), "info")
    return redirect(url_for("views.home"))
