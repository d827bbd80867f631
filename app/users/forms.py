"""Forms of the account screens. The password rule is the sign-in rule, worded in Indonesian."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.auth.services import MIN_PASSWORD_LENGTH, PASSWORD_ISSUES, password_problem
from app.domain import USER_ROLES
from app.forms import BaseForm

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def password_policy(_form, field) -> None:
    issue = password_problem(field.data or "")
    if issue is not None:
        raise ValidationError(PASSWORD_ISSUES[issue])


def role_field() -> RadioField:
    return RadioField(
        _l("Peran"),
        choices=[SelectChoice(value, label) for value, label in USER_ROLES.items()],
        default="secretariat",
        invalid_choice_message=_l("Pilih salah satu peran."),
    )


def agency_field() -> SelectField:
    """The agency a focal point reports for; its choices (active agencies) are set by the view."""
    return SelectField(
        _l("Perangkat daerah"),
        description=_l("Wajib untuk focal point perangkat daerah; tidak dipakai untuk peran lain."),
        choices=[],
        default="",  # none: what every role but a focal point has
    )


def set_agency_choices(form, agencies) -> None:
    form.agency.choices = [SelectChoice("", _l("— Pilih perangkat daerah —"))] + [
        SelectChoice(str(agency.id), agency.label) for agency in agencies
    ]


def chosen_agency(form) -> int | None:
    """The chosen agency's id, for a focal point only; None for any other role."""
    value = form.agency.data or ""  # one of the choices: validated against them
    return int(value) if form.role.data == "focal" and value else None


def name_field() -> StringField:
    return StringField(
        _l("Nama"),
        filters=[stripped],
        validators=[
            DataRequired(message=_l("Isi nama pengguna.")),
            Length(max=200, message=_l("Nama paling panjang %(max)d karakter.")),
        ],
    )


def password_fields(
    label: str = _l("Kata sandi"), confirm_label: str = _l("Ulangi kata sandi")
) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        label,
        description=_l(
            "Paling sedikit %(min)d karakter. Jangan memakai kata sandi yang umum.",
            min=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            DataRequired(message=_l("Isi kata sandi.")),
            Length(max=200, message=_l("Kata sandi paling panjang %(max)d karakter.")),
            password_policy,
        ],
    )
    confirm = PasswordField(
        confirm_label,
        validators=[
            DataRequired(message=_l("Ketik kata sandi sekali lagi.")),
            EqualTo("password", message=_l("Kedua kata sandi tidak sama.")),
        ],
    )
    return password, confirm


class NewUserForm(BaseForm):
    email = EmailField(
        _l("E-mail"),
        filters=[stripped],
        validators=[
            DataRequired(message=_l("Isi e-mail.")),
            Length(max=254, message=_l("E-mail paling panjang %(max)d karakter.")),
            Regexp(
                EMAIL, message=_l("Tulis alamat e-mail yang benar, misalnya nama@kantor.go.id.")
            ),
        ],
    )
    name = name_field()
    role = role_field()
    agency = agency_field()
    password, confirm = password_fields()


class UserForm(BaseForm):
    name = name_field()
    role = role_field()
    agency = agency_field()


class PasswordResetForm(BaseForm):
    password, confirm = password_fields()
