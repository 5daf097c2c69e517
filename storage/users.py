"""Review-site analyst accounts: add, change password, disable, verify (salted hashes from werkzeug.security)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from storage.models import User
from storage.timeutil import utcnow

NAME_RE = re.compile(r"^[A-Za-z0-9._@-]{2,100}$")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1000
# Checked against when a name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class UserError(ValueError):
    """A name or password that cannot be used; the message says why."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise UserError(f"the password is longer than {MAX_PASSWORD_CHARS} characters")


def get_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).first()


def add_user(session: Session, name: str, password: str) -> User:
    if not NAME_RE.match(name or ""):
        raise UserError("a user name is 2-100 letters, digits or . _ @ -")
    if get_user(session, name) is not None:
        raise UserError(f"user {name!r} exists (use `users passwd` to change the password)")
    _check_password(password)
    now = utcnow()
    user = User(name=name, password_hash=generate_password_hash(password), active=True, created_at=now,
                password_changed_at=now)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, name: str, password: str) -> User:
    user = get_user(session, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    _check_password(password)
    user.password_hash, user.password_changed_at = generate_password_hash(password), utcnow()
    return user


def set_active(session: Session, name: str, active: bool) -> User:
    user = get_user(session, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    user.active = active
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def verify_login(session: Session, name: str, password: str) -> User | None:
    """The active user whose password this is, else None (unknown names take as long as wrong passwords)."""
    user = get_user(session, name) if name and len(name) <= 100 else None
    if user is None or not user.active or len(password or "") > MAX_PASSWORD_CHARS:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password) else None
