"""The upload form of /verify."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from app.forms import BaseForm


class VerifyForm(BaseForm):
    file = FileField(
        _l("Berkas PDF dokumen"),
        description=_l("Pilih berkas PDF notulen, berita acara, atau laporan hasil rakor."),
        validators=[FileRequired(message=_l("Pilih berkas PDF yang akan diperiksa."))],
    )
