"""The base of every form: WTForms' own few messages, in the user's language.

WTForms ships no Indonesian catalog, so the handful of messages it produces by
itself (an invalid choice, a bad CSRF token) are mapped onto our catalog here.
"""

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

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
}


class _Translations:
    def gettext(self, string: str) -> str:
        message = BUILT_IN_MESSAGES.get(string)
        return str(message) if message is not None else gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Translations()
