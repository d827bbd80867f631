from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm


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
