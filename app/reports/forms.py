"""Forms of the record screens: finalise, reopen, and the indicators (admin)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import BaseForm
from app.reports.finalise import REOPEN_REASON_MAX
from app.reports.indicators import (
    NAME_MAX,
    SOURCE_MAX,
    UNIT_MAX,
    ValueData,
    parse_figure,
    parse_year,
)


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
