"""The progress form: one report on a follow-up.

The same form checks a report typed on a staff page, on an agency's update link, and
each row of an uploaded RTL workbook (a MultiDict per row, without CSRF), so a rule
and its message live once; `app/follow_ups/progress.py` adds the rules that need the
follow-up itself (the meeting's date, percent against status).
"""

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import FileField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app import domain
from app.follow_ups.progress import Evidence, ProgressReport
from app.forms import BaseForm
from app.minutes.forms import DeadlineField, normalise_newlines, strip


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def percent_in_range(_form, field) -> None:
    # A value that is not a whole number already has its message ("Tulis angka bulat saja.").
    if field.data is not None and not 0 <= field.data <= 100:
        raise ValidationError(_l("Persentase antara 0 dan 100."))


def plausible_report_year(_form, field) -> None:
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Tahun tanggal keadaan harus antara 2000 dan 2100."))


class ProgressForm(BaseForm):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(value, label) for value, label in domain.FOLLOW_UP_STATUSES.items()],
        validators=[InputRequired(message=_l("Pilih status."))],
    )
    percent = IntegerField(
        _l("Persentase selesai"),
        description=_l("0 sampai 100. Selesai berarti 100."),
        validators=[
            InputRequired(message=_l("Isi persentase selesai, 0 sampai 100.")),
            percent_in_range,
        ],
    )
    note = TextAreaField(
        _l("Yang sudah dikerjakan"),
        description=_l("Kegiatan, hasil, kendala. Tidak wajib."),
        filters=[strip, normalise_newlines],
        validators=[
            Length(max=domain.PROGRESS_NOTE_MAX, message=_l("Paling panjang %(max)d karakter."))
        ],
    )
    reported_on = DeadlineField(
        _l("Tanggal keadaan"),
        description=_l("Kosongkan untuk hari ini."),
        validators=[Optional(), plausible_report_year],
    )
    evidence = FileField(
        _l("Bukti (tidak wajib)"),
        description=_l("PDF atau foto JPG/PNG, paling besar 5 MB."),
    )
    idempotency_key = HiddenField(default=new_idempotency_key)

    def for_agency(self) -> "ProgressForm":
        """The form an agency fills in (its focal point, its link): cancelling a follow-up
        is the secretariat's decision, so that status is not offered."""
        self.status.choices = [
            choice for choice in self.status.choices if choice.value != "cancelled"
        ]
        return self

    def report(self, evidence: Evidence | None = None) -> ProgressReport:
        return ProgressReport(
            status=self.status.data,
            percent=self.percent.data,
            note=self.note.data or "",
            reported_on=self.reported_on.data,
            evidence=evidence,
            idempotency_key=(self.idempotency_key.data or "")[:64] or None,
        )
