"""Forms of the reference data screens. Lengths follow the model's columns."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.domain import PAGE_SIZES
from app.forms import BaseForm


def text(label, max_length: int, *, required: str | None = None, description=None):
    """A one-line text field, required when `required` (its error message) is given."""
    validators = [Length(max=max_length, message=_l("Paling panjang %(max)d karakter."))]
    if required is not None:
        validators.insert(0, DataRequired(message=required))
    return StringField(label, validators=validators, description=description)


def choice(label, *, required: str | None = None) -> SelectField:
    """A drop-down whose choices the view fills from the database ("" is the empty choice)."""
    validators = [DataRequired(message=required)] if required is not None else []
    return SelectField(
        label,
        validators=validators,
        validate_choice=True,
        invalid_choice_message=_l("Pilihan tidak tersedia. Pilih dari daftar."),
    )


def position_range(_form, field) -> None:
    # Left to the field's own "whole numbers only" message when the text was not a number.
    if field.data is not None and not 0 <= field.data <= 999:
        raise ValidationError(_l("Urutan antara 0 dan 999."))


class LetterheadForm(BaseForm):
    government = text(
        _l("Pemerintah daerah"),
        200,
        required=_l("Isi nama pemerintah daerah."),
        description=_l("Misalnya Pemerintah Kota Pekalongan."),
    )
    agency = text(
        _l("Instansi"),
        200,
        required=_l("Isi nama instansi."),
        description=_l("Misalnya Badan Perencanaan Pembangunan Daerah."),
    )
    address = text(_l("Alamat"), 300)
    contact = text(
        _l("Kontak"), 300, description=_l("Telepon, e-mail atau laman, dalam satu baris.")
    )
    city = text(
        _l("Kota tempat penandatanganan"),
        100,
        description=_l("Dipakai di blok tanda tangan, misalnya Pekalongan."),
    )
    page_size = RadioField(
        _l("Ukuran kertas"),
        choices=[
            SelectChoice("A4", _l("A4 (210 × 297 mm)")),
            SelectChoice("F4", _l("F4 (215 × 330 mm)")),
        ],
        default=PAGE_SIZES[0],
        invalid_choice_message=_l("Pilih ukuran kertas A4 atau F4."),
    )
    logo = FileField(
        _l("Logo baru (tidak wajib)"),
        description=_l(
            "Gambar PNG atau JPEG, paling besar 1 MiB dan 2000 × 2000 piksel. "
            "Kosongkan untuk memakai logo yang ada."
        ),
    )


class KecamatanForm(BaseForm):
    code = text(
        _l("Kode"),
        16,
        required=_l("Isi kode kecamatan."),
        description=_l("Kode wilayah, misalnya 33.75.01."),
    )
    name = text(_l("Nama kecamatan"), 100, required=_l("Isi nama kecamatan."))


class KelurahanForm(BaseForm):
    kecamatan_id = choice(_l("Kecamatan"), required=_l("Pilih kecamatan."))
    name = text(_l("Nama kelurahan"), 100, required=_l("Isi nama kelurahan."))


class AgencyForm(BaseForm):
    abbreviation = text(
        _l("Singkatan"),
        40,
        required=_l("Isi singkatan perangkat daerah."),
        description=_l("Misalnya Dinsos P2KB."),
    )
    name = text(_l("Nama lengkap"), 200, required=_l("Isi nama lengkap perangkat daerah."))


class PillarForm(BaseForm):
    code = text(
        _l("Kode"),
        16,
        required=_l("Isi kode strategi."),
        description=_l("Singkat dan tetap, misalnya P1."),
    )
    name = text(_l("Nama (bahasa Indonesia)"), 200, required=_l("Isi nama strategi."))
    name_en = text(_l("Nama (bahasa Inggris)"), 200)
    description = TextAreaField(
        _l("Uraian"),
        description=_l("Ditampilkan kepada peserta di formulir masukan."),
        validators=[Length(max=2000, message=_l("Paling panjang %(max)d karakter."))],
    )
    position = IntegerField(
        _l("Urutan"),
        description=_l("Strategi diurutkan dari angka terkecil."),
        validators=[
            InputRequired(message=_l("Isi urutan dengan angka.")),
            position_range,
        ],
    )


class ProgramForm(BaseForm):
    name = text(_l("Nama program"), 300, required=_l("Isi nama program."))
    pillar_id = choice(_l("Strategi"), required=_l("Pilih strategi."))
    agency_id = choice(_l("Perangkat daerah pelaksana (tidak wajib)"))
