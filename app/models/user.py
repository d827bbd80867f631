"""Staff accounts and their sign-ins. Participants never have one."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import USER_ROLES
from app.models.base import Base, UTCDateTime, check_in, utcnow

# Werkzeug's scrypt (N=2^15). The test suite lowers the cost to stay fast.
PASSWORD_METHOD = "scrypt"  # noqa: S105  (a hashing scheme, not a password)


def new_session_token() -> str:
    """256 bits from the operating system's CSPRNG, as 43 URL-safe characters."""
    return secrets.token_urlsafe(32)


class User(UserMixin, Base):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(check_in("role", USER_ROLES), name="role"),
        # A focal point belongs to one agency; no other role has one.
        CheckConstraint("(role = 'focal') = (agency_id IS NOT NULL)", name="focal_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Not a column: the token of the sign-in this request runs under, set when the
    # account is loaded from the cookie or a sign-in starts (app/auth/services.py).
    # Flask-Login keeps it in the cookie instead of the id (get_id).
    session_token = None

    # Rows compare by identity, as SQLAlchemy's identity map hands them out; UserMixin
    # would compare get_id(), which only a signed-in account has.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("no sign-in started for this account (auth.services.start_session)")
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active


class UserSession(Base):
    """One sign-in of a staff account, from sign-in to sign-out (OWASP ASVS V7.2, V7.4).

    Each sign-in gets a row with a fresh token, the one its cookie carries: signing
    out ends that row alone; a password change ends the account's other rows; a reset,
    a deactivation or a lock ends them all. A row older than the session lifetime is
    refused, and removed when the account next signs in.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
