"""The admin's form to import need figures per kelurahan."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.forms import BaseForm
from app.models.insight import NEED_MEASURE_MAX


class NeedImportForm(BaseForm):
    measure = StringField(
        _l("Ukuran kebutuhan"),
        description=_l(
            "Apa yang dihitung per kelurahan, misalnya “Rumah tangga desil 1-2 DTSEN” atau "
            "“Rumah tangga miskin”. Impor ulang ukuran dan tahun yang sama menggantikan angkanya."
        ),
        validators=[
            DataRequired(message=_l("Tulis nama ukuran kebutuhan.")),
            Length(max=NEED_MEASURE_MAX),
        ],
    )
    file = FileField(
        _l("Berkas angka per kelurahan (.csv atau .xlsx)"),
        description=_l(
            "Satu baris per kelurahan dengan kolom kode (kode Kemendagri, misalnya "
            "33.75.01.1002) atau nama kelurahan, angka (bilangan bulat), tahun (satu tahun "
            "untuk seluruh berkas) dan sumber (tidak wajib). Paling besar 2 MB. Hanya angka "
            "gabungan per kelurahan: berkas dengan NIK, nomor KK, nama orang, tanggal lahir, "
            "alamat atau nomor telepon ditolak."
        ),
        validators=[
            FileRequired(message=_l("Pilih berkas .csv atau .xlsx.")),
            FileAllowed(["csv", "xlsx"], message=_l("Hanya berkas .csv atau .xlsx yang diterima.")),
        ],
    )
