"""Forms of the share page: make a link, revoke one."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.domain import DOCUMENT_LABELS, FINAL_KINDS
from app.forms import BaseForm


class ShareForm(BaseForm):
    kind = SelectField(
        _l("Dokumen"),
        description=_l("Tautan membuka PDF final dokumen ini tanpa perlu masuk."),
        choices=[SelectChoice(kind, DOCUMENT_LABELS[kind]) for kind in FINAL_KINDS],
        validators=[InputRequired(message=_l("Pilih dokumen final yang akan dibagikan."))],
    )


class RevokeForm(BaseForm):
    """Only the CSRF token: the button that revokes a link."""
