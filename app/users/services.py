"""Admin rules for staff accounts: create, change, deactivate, reset a password.

The account rules themselves (what an e-mail and a password must be) are those of
`app.auth.services`; these functions add the admin's guard rails and write the
change and its audit line in one transaction. Password hashes and session tokens
never reach the audit log.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit import changed, record, snapshot
from app.auth.services import (
    check_password_rule,
    end_all_sessions,
    find_user,
    normalise_email,
    start_session,
)
from app.domain import USER_ROLES
from app.extensions import db
from app.models import Agency, User
from app.models.base import utcnow
from app.services import Refused, transaction

# What the audit log may show of an account.
AUDITED_FIELDS = ("email", "name", "role", "agency_id", "active")


@dataclass(frozen=True)
class UserRow:
    user: User
    locked: bool
    agency: str = ""  # a focal point's agency (its abbreviation), "" for other roles


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def users_overview(now: datetime | None = None) -> list[UserRow]:
    """Every account, active ones first, then by e-mail."""
    now = now or utcnow()
    rows = db.session.execute(
        select(User, Agency.abbreviation)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .order_by(User.active.desc(), User.email)
    )
    return [UserRow(user, is_locked(user, now), agency or "") for user, agency in rows]


def agency_choices(keep_id: int | None = None) -> list[Agency]:
    """The agencies a focal point may be given: the active ones, and the one it already has."""
    return list(
        db.session.scalars(
            select(Agency)
            .where(Agency.active | (Agency.id == (keep_id or 0)))
            .order_by(Agency.abbreviation)
        )
    )


@transaction
def create_account(
    actor: User | None,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    agency_id: int | None = None,
) -> User:
    """A new account; a focal point's names its agency (`agency_id`), no other role's does."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        message = _l("Tulis alamat e-mail yang benar, misalnya nama@kantor.go.id.")
        raise Refused("email_invalid", message, field="email")
    _check_name_and_role(name, role, agency_id)
    check_password_rule(password)
    if find_user(email) is not None:
        raise email_taken()
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        agency_id=agency_id if role == "focal" else None,
        active=True,
    )
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:  # a concurrent create with the same e-mail
        raise email_taken() from error
    record(actor, "create", user, after=snapshot(user, AUDITED_FIELDS))
    return user


@transaction
def update_account(
    actor: User, user: User, *, name: str, role: str, agency_id: int | None = None
) -> None:
    """Change the name and role (and a focal point's agency). An admin keeps their own
    admin role."""
    _check_name_and_role(name, role, agency_id)
    if user.id == actor.id and role != "admin":
        message = _l(
            "Anda tidak dapat mencabut peran admin dari akun Anda sendiri. "
            "Minta admin lain mengubahnya."
        )
        raise Refused("self_demote", message, field="role")
    before = snapshot(user, AUDITED_FIELDS)
    user.name = name.strip()
    user.role = role
    user.agency_id = agency_id if role == "focal" else None
    _audit_change(actor, "update", user, before)


@transaction
def deactivate(actor: User, user: User) -> None:
    """The account can no longer sign in, and every open session of it ends now."""
    if user.id == actor.id:
        message = _l(
            "Anda tidak dapat menonaktifkan akun Anda sendiri. Minta admin lain melakukannya."
        )
        raise Refused("self_deactivate", message)
    before = snapshot(user, AUDITED_FIELDS)
    user.active = False
    end_all_sessions(user)
    _audit_change(actor, "deactivate", user, before)


@transaction
def reactivate(actor: User, user: User) -> None:
    before = snapshot(user, AUDITED_FIELDS)
    user.active = True
    _audit_change(actor, "reactivate", user, before)


@transaction
def reset_password(actor: User, user: User, password: str) -> None:
    """Set a new password, end the account's sessions and lift a sign-in lock.

    An admin resetting their own password goes on in a new session, with a new token
    (the view signs it in). The audit line says only that it happened: no hash, no token.
    """
    check_password_rule(password)
    user.set_password(password)
    end_all_sessions(user)
    if user.id == actor.id:
        start_session(user, utcnow())
    user.failed_logins = 0
    user.locked_until = None
    record(actor, "password_reset", user)


# --- helpers ---------------------------------------------------------------------------


def email_taken() -> Refused:
    message = _l("Sudah ada pengguna dengan e-mail ini.")
    return Refused("email_taken", message, field="email")


def _check_name_and_role(name: str, role: str, agency_id: int | None) -> None:
    if not name.strip():
        raise Refused("name_required", _l("Isi nama pengguna."), field="name")
    if role not in USER_ROLES:
        raise Refused("role_invalid", _l("Pilih salah satu peran."), field="role")
    if role == "focal" and (agency_id is None or db.session.get(Agency, agency_id) is None):
        raise Refused(
            "agency_required",
            _l("Focal point mewakili satu perangkat daerah: pilih perangkat daerahnya."),
            field="agency",
        )


def _audit_change(actor: User, action: str, user: User, before: dict) -> None:
    old, new = changed(before, snapshot(user, AUDITED_FIELDS))
    if new:  # a repeated click changes nothing and logs nothing
        record(actor, action, user, before=old, after=new)
