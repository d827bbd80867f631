"""Forms of the reference data screens. Lengths follow the model's columns."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.domain import PAGE_SIZES
from app.forms import BaseForm
from app.reference.indicators import (
    NAME_MAX,
    SOURCE_MAX,
    UNIT_MAX,
    ValueData,
    parse_figure,
    parse_year,
)


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


DIGITS = re.compile(r"-?[0-9]{1,9}")


class PlainIntegerField(IntegerField):
    """A whole number written with the digits 0-9, as the participant's form reads amounts.

    int() alone also reads "٣", "１２３" or "1_000" (and refuses "²" with English words).
    """

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip() and not DIGITS.fullmatch(valuelist[0].strip()):
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


def position_range(_form, field) -> None:
    # Left to the field's own "whole numbers only" message when the text was not a number.
    if field.data is not None and not 0 <= field.data <= 999:
        raise ValidationError(_l("Urutan antara 0 dan 999."))


# The fields both kop share: made by a function, so that each form has its own field
# objects and lists them in the order it declares them.
def address_field() -> StringField:
    return text(_l("Alamat"), 300)


def contact_field() -> StringField:
    return text(_l("Kontak"), 300, description=_l("Telepon, e-mail atau laman, dalam satu baris."))


def city_field() -> StringField:
    return text(
        _l("Kota tempat penandatanganan"),
        100,
        description=_l("Dipakai di blok tanda tangan, misalnya Pekalongan."),
    )


def page_size_field() -> RadioField:
    return RadioField(
        _l("Ukuran kertas"),
        choices=[
            SelectChoice("A4", _l("A4 (210 × 297 mm)")),
            SelectChoice("F4", _l("F4 (215 × 330 mm)")),
        ],
        default=PAGE_SIZES[0],
        invalid_choice_message=_l("Pilih ukuran kertas A4 atau F4."),
    )


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
    address = address_field()
    contact = contact_field()
    city = city_field()
    page_size = page_size_field()
    logo = FileField(
        _l("Logo baru (tidak wajib)"),
        description=_l(
            "Gambar PNG atau JPEG, paling besar 1 MiB dan 2000 × 2000 piksel. "
            "Kosongkan untuk memakai logo yang ada."
        ),
    )


class MayorLetterheadForm(BaseForm):
    """The Wali Kota's kop: the lambang above the office ("Wali Kota Pekalongan"), no agency."""

    government = text(
        _l("Jabatan"),
        200,
        required=_l("Isi jabatan, misalnya Wali Kota Pekalongan."),
        description=_l("Dicetak dengan huruf kapital di bawah lambang: WALI KOTA PEKALONGAN."),
    )
    address = address_field()
    contact = contact_field()
    city = city_field()
    page_size = page_size_field()
    logo = FileField(
        _l("Lambang baru (tidak wajib)"),
        description=_l(
            "Gambar PNG atau JPEG, paling besar 1 MiB dan 2000 × 2000 piksel. "
            "Kosongkan untuk memakai lambang yang ada."
        ),
    )


LETTERHEAD_FORMS = {"agency": LetterheadForm, "mayor": MayorLetterheadForm}


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
    description_en = TextAreaField(
        _l("Uraian (bahasa Inggris)"),
        description=_l(
            "Ditampilkan kepada peserta yang memilih bahasa Inggris. "
            "Kosongkan untuk memakai uraian bahasa Indonesia."
        ),
        validators=[Length(max=2000, message=_l("Paling panjang %(max)d karakter."))],
    )
    position = PlainIntegerField(
        _l("Urutan"),
        description=_l("Strategi diurutkan dari angka terkecil."),
        validators=[
            InputRequired(message=_l("Isi urutan dengan angka.")),
            position_range,
        ],
    )


class ProgramForm(BaseForm):
    name = text(_l("Nama program"), 300, required=_l("Isi nama program."))
    name_en = text(
        _l("Nama program (bahasa Inggris)"),
        300,
        description=_l(
            "Ditampilkan kepada peserta yang memilih bahasa Inggris. "
            "Kosongkan untuk memakai nama bahasa Indonesia."
        ),
    )
    pillar_id = choice(_l("Strategi"), required=_l("Pilih strategi."))
    agency_id = choice(_l("Perangkat daerah pelaksana (tidak wajib)"))


# --- indicators ---------------------------------------------------------------------------


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def figure_check(_form, field) -> None:
    try:
        parse_figure(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from error


def year_check(_form, field) -> None:
    try:
        parse_year(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class IndicatorValueForm(BaseForm):
    """One year of an indicator: the target, the actual figure and where it comes from."""

    year = StringField(
        _l("Tahun"),
        filters=[strip],
        validators=[DataRequired(message=_l("Isi tahun.")), year_check],
    )
    target = StringField(_l("Target"), filters=[strip], validators=[figure_check])
    actual = StringField(_l("Realisasi"), filters=[strip], validators=[figure_check])
    source = StringField(
        _l("Sumber"),
        filters=[strip],
        validators=[Length(max=SOURCE_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )

    def value_data(self) -> ValueData:
        return ValueData(
            year=parse_year(self.year.data),
            target=parse_figure(self.target.data),
            actual=parse_figure(self.actual.data),
            source=self.source.data or "",
        )


class NewIndicatorValueForm(IndicatorValueForm):
    indicator = SelectField(_l("Indikator"), validate_choice=True)
    target = StringField(
        _l("Target"), description=_l("Misalnya 6,29"), filters=[strip], validators=[figure_check]
    )
    actual = StringField(
        _l("Realisasi"),
        description=_l("Kosongkan bila belum ada"),
        filters=[strip],
        validators=[figure_check],
    )
    new_name = StringField(
        _l("Atau indikator baru"),
        description=_l("Isi hanya bila indikatornya belum ada di daftar."),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=NAME_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )
    unit = StringField(
        _l("Satuan indikator baru"),
        description=_l("Misalnya persen"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=UNIT_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )

    def set_indicator_choices(self, indicators) -> None:
        self.indicator.choices = [("", _l("Indikator baru (tulis di bawah)"))] + [
            (str(indicator.id), indicator.name) for indicator in indicators
        ]

    def indicator_id(self) -> int | None:
        return int(self.indicator.data) if self.indicator.data else None


class IndicatorImportForm(BaseForm):
    file = FileField(
        _l("Berkas CSV"),
        description=_l("Kolom: indicator, unit, year, target, actual, source."),
        validators=[FileRequired(message=_l("Pilih berkas CSV."))],
    )
