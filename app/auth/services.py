"""Account rules: who may exist, and what a password must be."""

from sqlalchemy import func, select

from app.domain import USER_ROLES
from app.extensions import db
from app.models import User

MIN_PASSWORD_LENGTH = 8

# The most common choices in breach lists, plus the obvious local ones.
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "password123",
        "qwerty123",
        "qwertyuiop",
        "11111111",
        "00000000",
        "87654321",
        "iloveyou",
        "abc12345",
        "admin123",
        "administrator",
        "welcome1",
        "sayang123",
        "bismillah",
        "indonesia",
        "merdeka45",
        "pekalongan",
        "rahasia123",
        "bappeda123",
        "rakor2024",
    ]
)


class AccountError(ValueError):
    """A rule about accounts was broken; the message is for the person at the keyboard."""


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"at least {MIN_PASSWORD_LENGTH} characters are required"
    if password.lower() in COMMON_PASSWORDS:
        return "this password is too common"
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(email: str, name: str, role: str, password: str) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("not a valid e-mail address")
    if role not in USER_ROLES:
        raise AccountError(f"role must be one of {', '.join(USER_ROLES)}")
    if not name.strip():
        raise AccountError("a name is required")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if find_user(email) is not None:
        raise AccountError("a user with this e-mail already exists")
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user
