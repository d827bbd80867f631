"""The secretariat's review forms. Every one posts with a CSRF token (BaseForm).

Choices (pillars, agencies, inputs to merge) are set by the view from the
database; `validate_choice` then refuses anything else.
"""

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.forms import BaseForm
from app.review.services import ACTION_MAX, NOTE_MAX, REASON_MAX

DECISION_LABELS = {
    "accepted": _l("Setujui"),
    "follow_up": _l("Tindak lanjuti"),
    "declined": _l("Tidak dapat ditindaklanjuti (tulis alasannya)"),
    "received": _l("Kembalikan ke belum ditinjau"),
}

# Deadlines are typed as 2024-06-30 by the date picker, or 30-06-2024 / 30/06/2024 by hand.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
# Digits 0-9 only: str.isdigit() also takes "²", which int() then refuses.
INPUT_ID = re.compile(r"[0-9]{1,9}")


class LocalDateField(DateField):
    """A date field whose complaint is in the user's language (WTForms has no Indonesian)."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        text = " ".join(valuelist).strip()
        for pattern in self.strptime_format:
            try:
                self.data = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            return
        self.data = None
        raise ValueError(_l("Tulis tanggal seperti 30-06-2024."))


class IdsField(Field):
    """Input ids from checkboxes (drawn by the template, one per row of a table).

    Which ids are acceptable is the service's rule (the meeting's own inputs), not a
    fixed list: the suggestions on a page may have moved on since it was opened.
    """

    def process_formdata(self, valuelist):
        self.data = []
        for value in valuelist:
            if not isinstance(value, str) or not INPUT_ID.fullmatch(value):
                raise ValueError(_l("Pilihan tidak tersedia. Pilih dari daftar."))
            self.data.append(int(value))

    def _value(self) -> str:
        return ""


class IdField(IdsField):
    """One input id, from a group of radio buttons."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist[:1])
        self.data = self.data[0] if self.data else None


def choices_of(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class PillarForm(BaseForm):
    pillar = SelectField(
        _l("Strategi"),
        validate_choice=True,
        validators=[DataRequired(message=_l("Pilih strategi."))],
    )


class DecisionForm(BaseForm):
    decision = RadioField(
        _l("Keputusan"),
        choices=choices_of(DECISION_LABELS),
        validators=[DataRequired(message=_l("Pilih keputusan."))],
    )
    reason = TextAreaField(
        _l("Alasan atau keterangan"),
        description=_l("Wajib bila masukan tidak dapat ditindaklanjuti; dibaca pengusul."),
        validators=[Length(max=REASON_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )

    def validate_reason(self, field):
        if self.decision.data == "declined" and not (field.data or "").strip():
            raise ValidationError(
                _l("Tulis alasan mengapa masukan ini tidak dapat ditindaklanjuti.")
            )


class FollowUpForm(BaseForm):
    agency = SelectField(
        _l("Perangkat daerah penanggung jawab"),
        validate_choice=True,
        validators=[DataRequired(message=_l("Pilih perangkat daerah."))],
    )
    deadline = LocalDateField(
        _l("Batas waktu"),
        format=DATE_FORMATS,
        # InputRequired, not DataRequired: a badly typed date keeps its own message.
        validators=[InputRequired(message=_l("Isi batas waktu."))],
    )
    action = TextAreaField(
        _l("Tindak lanjut"),
        description=_l("Apa yang dikerjakan; awalnya judul masukan, boleh diubah."),
        validators=[
            DataRequired(message=_l("Tulis tindak lanjutnya.")),
            Length(max=ACTION_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )

    def validate_deadline(self, field):
        if field.data and not date(2000, 1, 1) <= field.data <= date(2100, 12, 31):
            raise ValidationError(_l("Periksa tahunnya."))


class NoteForm(BaseForm):
    body = TextAreaField(
        _l("Catatan baru"),
        description=_l("Hanya dilihat staf, tidak pernah ditampilkan kepada peserta."),
        validators=[
            DataRequired(message=_l("Tulis catatannya.")),
            Length(max=NOTE_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )


class MergeForm(BaseForm):
    """Merge the checked inputs into this input (the primary)."""

    originals = IdsField(
        _l("Masukan yang digabung ke masukan ini"),
        validators=[InputRequired(message=_l("Centang minimal satu masukan."))],
    )


class MergeGroupForm(BaseForm):
    """On the duplicates page: one primary and the members merged into it."""

    primary = IdField(
        _l("Masukan utama"),
        validators=[InputRequired(message=_l("Pilih masukan utama."))],
    )
    originals = IdsField(
        _l("Masukan yang digabung"),
        validators=[InputRequired(message=_l("Centang minimal satu masukan."))],
    )


class UndoMergeForm(BaseForm):
    """Which input leaves its group is in the address; `back_to` is the page to return to."""

    back_to = IdField()


def error_list(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for the error summary at the top of the page."""
    summary = []
    for name, messages in form.errors.items():
        if name == "csrf_token" or name not in form:
            continue
        field = form[name]
        grouped = field.type in ("RadioField", "IdsField", "IdField")
        anchor = f"{field.id}-0" if grouped else field.id
        for message in messages:
            summary.append((anchor, field.label.text, message))
    return summary
