"""Account rules: who may exist, and what a password must be."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.audit import record
from app.extensions import db
from app.i18n import local_datetime
from app.models import User
from app.models.base import utcnow
from app.models.user import new_session_token
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


def sign_in_invalid() -> Refused:
    """Wrong e-mail, wrong password or an inactive account: the same words for all three."""
    return Refused("invalid", _l("E-mail atau kata sandi salah."), field="password")


def sign_in_locked(locked_until: datetime) -> Refused:
    message = _l(
        "Terlalu banyak percobaan gagal. Akun dikunci sampai %(when)s.",
        when=local_datetime(locked_until),
    )
    return Refused("locked", message, field="password", locked_until=locked_until)


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """The account, signed in; refused with code "invalid" or "locked"."""
    now = now or utcnow()
    user = find_user(email)
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        raise sign_in_invalid()
    if user.locked_until is not None and user.locked_until > now:
        raise sign_in_locked(user.locked_until)
    if not user.check_password(password) or not user.active:
        # The failure is saved even though the sign-in is refused.
        if note_failed_sign_in(user, now):
            raise sign_in_locked(user.locked_until)
        raise sign_in_invalid()
    note_sign_in(user, now)
    return user


@transaction
def note_failed_sign_in(user: User, now: datetime) -> bool:
    """Count a wrong password; True when the account is locked now."""
    count_failure(user, now)
    return user.locked_until is not None and user.locked_until > now


@transaction
def note_sign_in(user: User, now: datetime) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now


def count_failure(user: User, now: datetime) -> bool:
    """One more wrong password for the account; True when this one locked it."""
    user.failed_logins += 1
    if user.failed_logins < LOCK_AFTER_FAILURES:
        return False
    user.failed_logins = 0
    user.locked_until = now + LOCK_DURATION
    return True


@transaction
def end_all_sessions(user: User) -> None:
    """Every cookie carrying the old token stops working at once."""
    user.session_token = new_session_token()


# --- changing one's own password ---------------------------------------------------------


def change_password(user: User, current: str, new: str, now: datetime | None = None) -> None:
    """Replace the password of a signed-in account after checking the current one.

    Every session of the account ends (the caller signs this one in again). A wrong
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
    user.session_token = new_session_token()
    record(user, "password_change_locked", user)
    return True


@transaction
def replace_password(user: User, new: str) -> None:
    user.set_password(new)
    user.session_token = new_session_token()
    user.failed_logins = 0
    record(user, "password_changed", user)
