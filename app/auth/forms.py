from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm
from app.users.forms import password_fields


class LoginForm(BaseForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(message=_l("Isi e-mail Anda.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(message=_l("Isi kata sandi Anda.")), Length(max=200)],
    )


class LogoutForm(BaseForm):
    """Only the CSRF token: signing out is a POST."""


class ChangePasswordForm(BaseForm):
    """A signed-in user replaces their own password; the current one is asked first."""

    current_password = PasswordField(
        _l("Kata sandi sekarang"),
        validators=[
            DataRequired(message=_l("Isi kata sandi yang Anda pakai sekarang.")),
            Length(max=200),
        ],
    )
    password, confirm = password_fields(_l("Kata sandi baru"), _l("Ulangi kata sandi baru"))
