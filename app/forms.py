"""The base of every form: WTForms' own few messages, in the user's language.

WTForms ships no Indonesian catalog, so the handful of messages it produces by
itself (an invalid choice, a bad CSRF token) are mapped onto our catalog here.
"""

from flask import request
from flask_babel import get_translations, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField, PasswordField, ValidationError

from app.domain import NIP_LENGTH, has_bidi_controls, nip_digits, without_bidi_controls

BUILT_IN_MESSAGES = {
    "Not a valid choice.": _l("Pilihan tidak tersedia. Pilih dari daftar."),
    "Not a valid choice": _l("Pilihan tidak tersedia. Pilih dari daftar."),
    "This field is required.": _l("Bagian ini wajib diisi."),
    "Invalid input.": _l("Isian tidak valid."),
    "The CSRF token is missing.": _l("Formulir perlu dikirim ulang."),
    "The CSRF token has expired.": _l("Formulir perlu dikirim ulang."),
    "The CSRF token is invalid.": _l("Formulir perlu dikirim ulang."),
    "The CSRF session token is missing.": _l("Formulir perlu dikirim ulang."),
    "The CSRF tokens do not match.": _l("Formulir perlu dikirim ulang."),
    "Not a valid integer value.": _l("Tulis angka bulat saja."),
    "Not a valid decimal value.": _l("Tulis angka, misalnya 6,94."),
    "Not a valid float value.": _l("Tulis angka, misalnya 6,94."),
    "Not a valid date value.": _l("Tulis tanggal yang benar."),
    "Not a valid time value.": _l("Tulis jam yang benar, misalnya 09.00."),
    "Not a valid datetime value.": _l("Tulis tanggal dan jam yang benar."),
    "Invalid email address.": _l("Alamat e-mail tidak valid."),
    "Field must be equal to %(other_name)s.": _l("Isian tidak sama."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Antara %(min)d dan %(max)d karakter."
    ),
    "Number must be at least %(min)s.": _l("Paling kecil %(min)s."),
    "Number must be at most %(max)s.": _l("Paling besar %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Antara %(min)s dan %(max)s."),
}
# Length's messages come through ngettext, keyed here by the singular.
BUILT_IN_PLURALS = {
    "Field must be at least %(min)d character long.": _l("Paling sedikit %(min)d karakter."),
    "Field cannot be longer than %(max)d character.": _l("Paling panjang %(max)d karakter."),
    "Field must be exactly %(max)d character long.": _l("Harus tepat %(max)d karakter."),
}


class _Translations:
    def gettext(self, string: str) -> str:
        message = BUILT_IN_MESSAGES.get(string)
        return str(message) if message is not None else gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        message = BUILT_IN_PLURALS.get(singular)
        if message is not None:
            return str(message)
        # Not flask_babel.ngettext: it formats the text with `num` alone, and WTForms'
        # texts name other values (%(max)d), which it fills in itself.
        return get_translations().ungettext(singular, plural, n)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Translations()

        def wrap_formdata(self, form, formdata):
            """What the fields read: text as a browser sends it, and files for file fields.

            A value of another kind crashes the fields' validators, a server error:
            a JSON body that is not an object (Flask-WTF would read any JSON body),
            a file or a JSON number sent for a text field. And no one types a NUL
            character, which PostgreSQL refuses in text, so it is dropped from every
            value but a password's: a password is checked exactly as typed, and only
            ever hashed, never sent to the database. Unicode's bidirectional controls
            go the same way (a number copied from a phone's contacts carries two, and
            one U+202E shows a title backwards in the queue and the PDF).
            """
            if formdata is not None and not hasattr(formdata, "getlist"):
                # Flask-WTF's default, "read the request", without its JSON branch.
                sent = form.is_submitted() and (request.form or request.files)
                if not sent:
                    return None
                formdata = (
                    CombinedMultiDict((request.files, request.form))
                    if request.files
                    else request.form
                )
            if formdata is None:
                return None
            values = formdata.items(multi=True)
            plain = (
                type(value) is str and "\x00" not in value and not has_bidi_controls(value)
                for _key, value in values
            )
            if all(plain):
                return formdata  # the usual case: plain text, nothing to take out
            file_fields, passwords = set(), set()
            for field in form:
                if isinstance(field, FileField):
                    file_fields.add(field.name)
                elif isinstance(field, PasswordField):
                    passwords.add(field.name)

            def cleaned(key: str, value):
                if not isinstance(value, str) or key in passwords:
                    return value
                return without_bidi_controls(value.replace("\x00", ""))

            return MultiDict(
                (key, cleaned(key, value))
                for key, value in formdata.items(multi=True)
                if isinstance(value, str) or key in file_fields
            )


GROUPED_FIELDS = ("RadioField", "CheckboxesField")


def error_summary(form) -> list[tuple[str, str, str]]:
    """(anchor id, label, message) for the error summary at the top of a page.

    The CSRF and hidden token fields have their own notices; errors of the whole
    form point at the page's main area; a group of radios or checkboxes is
    reached through its first option.
    """
    summary = []
    for name, messages in form.errors.items():
        if name in ("csrf_token", "client_token"):
            continue
        if name is None or name == "":
            summary.extend(("main", str(_l("Formulir")), message) for message in messages)
            continue
        field = form[name]
        anchor = f"{field.id}-0" if field.type in GROUPED_FIELDS else field.id
        summary.extend((anchor, field.label.text, message) for message in messages)
    return summary


def show_refusal(form, refused) -> None:
    """Put a service's refusal beside the field it names, or above the form."""
    if refused.field and refused.field in form:
        form[refused.field].errors.append(str(refused))
    else:
        form.form_errors.append(str(refused))


class Nip:
    """A NIP: empty, or 18 digits typed with or without spaces ("19850312 201001 2 015")."""

    def __call__(self, form, field) -> None:
        if field.data and nip_digits(field.data) is None:
            raise ValidationError(
                _l(
                    "NIP terdiri atas %(length)d angka, misalnya 19850312 201001 2 015.",
                    length=NIP_LENGTH,
                )
            )
