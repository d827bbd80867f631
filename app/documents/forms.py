"""Forms of the record screens: finalise and reopen."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.documents.finalise import REOPEN_REASON_MAX
from app.forms import BaseForm


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(BaseForm):
    """Only the CSRF token: a button that changes something."""


class ReopenForm(BaseForm):
    reason = TextAreaField(
        _l("Alasan membuka kembali"),
        description=_l("Dicatat di log audit, misalnya kesalahan yang perlu dibetulkan."),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Tulis alasan membuka kembali notulen.")),
            Length(max=REOPEN_REASON_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )
