"""The upload form of the paper import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired

from app.forms import BaseForm


class ImportForm(BaseForm):
    file = FileField(
        _l("Berkas templat yang sudah diisi (.xlsx)"),
        description=_l("Paling besar 5 MB dan 2.000 baris."),
        validators=[
            FileRequired(message=_l("Pilih berkas .xlsx yang akan diimpor.")),
            FileAllowed(["xlsx"], message=_l("Hanya berkas Excel .xlsx yang dapat diimpor.")),
        ],
    )
