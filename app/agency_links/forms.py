"""Forms of the agency update links: the secretariat's buttons, and the RTL workbook upload
that both the link page and the staff page of an agency carry."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from app.forms import BaseForm


class ButtonForm(BaseForm):
    """Only the CSRF token: the buttons that make or revoke a link."""


class WorkbookForm(BaseForm):
    file = FileField(
        _l("Berkas RTL yang sudah diisi (.xlsx)"),
        description=_l("Berkas yang diunduh di halaman ini, paling besar 2 MB."),
        validators=[FileRequired(message=_l("Pilih berkas .xlsx yang akan diunggah."))],
    )
