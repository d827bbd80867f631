"""Account rules: who may exist, and what a password must be."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.audit import record
from app.extensions import db
from app.i18n import local_datetime
from app.models import User, UserSession
from app.models.base import utcnow
from app.services import Refused, transaction

MIN_PASSWORD_LENGTH = 8

# The 30,000 most common passwords of public breach lists (zxcvbn's list), plus the
# local words a Pekalongan office would reach for first.
LOCAL_COMMON_PASSWORDS = frozenset(
    [
        "sayang123",
        "bismillah",
        "indonesia",
        "merdeka45",
        "pekalongan",
        "rahasia123",
        "bappeda123",
        "rakor2024",
        "kotabatik",
        "batik123",
        "jlamprang",
        "pemkot123",
        "setda123",
        "admin1234",
        "bappeda2024",
        "pekalongan123",
    ]
)
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"]) | LOCAL_COMMON_PASSWORDS
PASSWORD_ISSUES = {
    "too_short": _l("Kata sandi paling sedikit %(min)d karakter.", min=MIN_PASSWORD_LENGTH),
    "too_common": _l("Kata sandi ini terlalu umum dan mudah ditebak. Pilih yang lain."),
}


def password_problem(password: str) -> str | None:
    """ "too_short", "too_common", or None for an acceptable password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too_short"
    if password.lower() in COMMON_PASSWORDS:
        return "too_common"
    return None


def check_password_rule(password: str) -> None:
    """Refused ("password_too_short", "password_too_common") unless the password will do."""
    issue = password_problem(password)
    if issue is not None:
        raise Refused(f"password_{issue}", PASSWORD_ISSUES[issue], field="password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


# --- signing in -----------------------------------------------------------------------

LOCK_AFTER_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
# Checked when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("rakor-timing-equaliser")


def sign_in_refused() -> Refused:
    """Wrong e-mail, wrong password, an inactive or a locked account: the same words for all.

    Telling a locked account apart would tell an attacker that the address exists.
    """
    return Refused(
        "invalid",
        _l(
            "E-mail atau kata sandi salah. Setelah lima kali salah, akun dikunci "
            "sementara selama 15 menit."
        ),
        field="password",
    )


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """The account, signed in; refused with code "invalid" otherwise.

    Every answer checks one password hash (a dummy one for an unknown address), so a
    refusal takes as long whatever the reason.
    """
    now = now or utcnow()
    user = find_user(email)
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        raise sign_in_refused()
    right = user.check_password(password)
    if user.locked_until is not None and user.locked_until > now:
        raise sign_in_refused()
    if not right or not user.active:
        note_failed_sign_in(user, now)  # saved even though the sign-in is refused
        raise sign_in_refused()
    note_sign_in(user, now)
    return user


@transaction
def note_failed_sign_in(user: User, now: datetime) -> bool:
    """Count a wrong password; True when this one locked the account."""
    return count_failure(user, now)


@transaction
def note_sign_in(user: User, now: datetime) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    start_session(user, now)


def count_failure(user: User, now: datetime) -> bool:
    """One more wrong password for the account; True when this one locked it.

    Counted by the database (UPDATE ... SET n = n + 1 RETURNING n), which holds the
    row until the transaction ends: simultaneous wrong passwords each count, and the
    fifth locks the account however they interleave.
    """
    this_user = User.id == user.id
    failures = db.session.execute(
        update(User)
        .where(this_user)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    locks = failures >= LOCK_AFTER_FAILURES
    if locks:
        db.session.execute(
            update(User)
            .where(this_user)
            .values(failed_logins=0, locked_until=now + LOCK_DURATION)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(user, ["failed_logins", "locked_until"])
    return locks


# --- sessions: one per sign-in (OWASP ASVS V7.2, V7.4) ---------------------------------


def session_lifetime() -> timedelta:
    """How long a sign-in lasts at most: Flask's PERMANENT_SESSION_LIFETIME (31 days)."""
    return current_app.permanent_session_lifetime


def start_session(user: User, now: datetime) -> None:
    """A new session with a fresh token for `user`, which Flask-Login then keeps.

    The account's sessions past their lifetime go now, since nothing else removes them.
    """
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at <= now - session_lifetime()
        )
    )
    signed_in = UserSession(user_id=user.id, created_at=now)
    db.session.add(signed_in)
    db.session.flush()  # the token is made here
    user.session_token = signed_in.token


def signed_in_user(token: str, now: datetime | None = None) -> User | None:
    """The active account whose session has `token`; None for an ended or expired one."""
    now = now or utcnow()
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token == token,
            UserSession.created_at > now - session_lifetime(),
            User.active.is_(True),
        )
    )
    if user is not None:
        user.session_token = token
    return user


@transaction
def sign_out(user: User) -> None:
    """This session ends, and every copy of its cookie with it; the others go on."""
    db.session.execute(delete(UserSession).where(UserSession.token == user.session_token))


def end_all_sessions(user: User) -> None:
    """Every session of the account ends: every device is signed out at its next click."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def end_other_sessions(user: User) -> None:
    """Every session of the account but the one this request runs under ends."""
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.token != user.session_token
        )
    )


# --- changing one's own password ---------------------------------------------------------


def change_password(user: User, current: str, new: str, now: datetime | None = None) -> None:
    """Replace the password of a signed-in account after checking the current one.

    The account's other sessions end; this one goes on. A wrong
    current password counts as a failed sign-in: the fifth locks the account and ends
    its sessions (refused with code "locked"), so a stolen session cannot be used to
    guess the password.
    """
    now = now or utcnow()
    if not user.check_password(current):
        # Saved even though the change is refused.
        if note_wrong_current_password(user, now):
            message = _l(
                "Terlalu banyak kata sandi salah. Akun dikunci sampai %(when)s, "
                "dan semua sesinya diakhiri.",
                when=local_datetime(user.locked_until),
            )
            raise Refused("locked", message, locked_until=user.locked_until)
        message = _l("Kata sandi sekarang salah.")
        raise Refused("wrong_current", message, field="current_password")
    if new == current:
        message = _l("Kata sandi baru harus berbeda dari yang sekarang.")
        raise Refused("same", message, field="password")
    check_password_rule(new)
    replace_password(user, new)


@transaction
def note_wrong_current_password(user: User, now: datetime) -> bool:
    """Count a wrong current password; the one that locks the account also ends its sessions."""
    if not count_failure(user, now):
        return False
    end_all_sessions(user)
    record(user, "password_change_locked", user)
    return True


@transaction
def replace_password(user: User, new: str) -> None:
    user.set_password(new)
    end_other_sessions(user)
    user.failed_logins = 0
    record(user, "password_changed", user)
