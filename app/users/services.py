"""Admin rules for staff accounts: create, change, deactivate, reset a password.

The account rules themselves (what an e-mail and a password must be) are those of
`app.auth.services`; these functions add the admin's guard rails and write the
change and its audit line in one transaction. Password hashes and session tokens
never reach the audit log.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit import changed, record, snapshot
from app.auth.services import find_user, normalise_email, password_problem
from app.domain import USER_ROLES
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.models.user import new_session_token

# What the audit log may show of an account.
AUDITED_FIELDS = ("email", "name", "role", "active")


class UserRefused(Exception):
    """An account change the rules forbid; `field` names the form field to blame, if any.

    reason: email_invalid, email_taken, name_required, role_invalid, password_too_short,
    password_too_common, self_deactivate, self_demote.
    """

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class UserRow:
    user: User
    locked: bool


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def users_overview(now: datetime | None = None) -> list[UserRow]:
    """Every account, active ones first, then by e-mail."""
    now = now or utcnow()
    users = db.session.scalars(select(User).order_by(User.active.desc(), User.email))
    return [UserRow(user, is_locked(user, now)) for user in users]


def create_account(actor: User | None, *, email: str, name: str, role: str, password: str) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise UserRefused("email_invalid", "email")
    _check_name_and_role(name, role)
    _check_password(password)
    if find_user(email) is not None:
        raise UserRefused("email_taken", "email")
    user = User(email=email, name=name.strip(), role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # a concurrent create with the same e-mail
        db.session.rollback()
        raise UserRefused("email_taken", "email") from error
    record(actor, "create", user, after=snapshot(user, AUDITED_FIELDS))
    db.session.commit()
    return user


def update_account(actor: User, user: User, *, name: str, role: str) -> None:
    """Change the name and role. An admin keeps their own admin role."""
    _check_name_and_role(name, role)
    if user.id == actor.id and role != "admin":
        raise UserRefused("self_demote", "role")
    before = snapshot(user, AUDITED_FIELDS)
    user.name = name.strip()
    user.role = role
    _commit_with_audit(actor, "update", user, before)


def deactivate(actor: User, user: User) -> None:
    """The account can no longer sign in, and every open session of it ends now."""
    if user.id == actor.id:
        raise UserRefused("self_deactivate")
    before = snapshot(user, AUDITED_FIELDS)
    user.active = False
    user.session_token = new_session_token()
    _commit_with_audit(actor, "deactivate", user, before)


def reactivate(actor: User, user: User) -> None:
    before = snapshot(user, AUDITED_FIELDS)
    user.active = True
    _commit_with_audit(actor, "reactivate", user, before)


def reset_password(actor: User, user: User, password: str) -> None:
    """Set a new password, end the account's sessions and lift a sign-in lock.

    The audit line says only that it happened: no hash, no token.
    """
    _check_password(password)
    user.set_password(password)
    user.session_token = new_session_token()
    user.failed_logins = 0
    user.locked_until = None
    record(actor, "password_reset", user)
    db.session.commit()


# --- helpers ---------------------------------------------------------------------------


def _check_name_and_role(name: str, role: str) -> None:
    if not name.strip():
        raise UserRefused("name_required", "name")
    if role not in USER_ROLES:
        raise UserRefused("role_invalid", "role")


def _check_password(password: str) -> None:
    issue = password_problem(password)
    if issue is not None:
        raise UserRefused(f"password_{issue}", "password")


def _commit_with_audit(actor: User, action: str, user: User, before: dict) -> None:
    old, new = changed(before, snapshot(user, AUDITED_FIELDS))
    if new:  # a repeated click changes nothing and logs nothing
        record(actor, action, user, before=old, after=new)
    db.session.commit()
