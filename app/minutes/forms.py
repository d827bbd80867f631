"""Forms of the minutes screen: the text and a follow-up."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app import domain
from app.domain import PROGRESS_NOTE_MAX
from app.forms import BaseForm
from app.minutes.services import ACTION_MAX, TEXT_MAX, discussion_key
from app.models import AgendaItem


def normalise_newlines(value: str | None) -> str | None:
    """Browsers send CRLF but count a line break as one character against maxlength."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def record_text(label) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[normalise_newlines],
        validators=[Length(max=TEXT_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )


class MinutesForm(BaseForm):
    """The opening and conclusions; one discussion field per agenda item is added by
    `minutes_form_for`. `versions` carries what each text looked like when the page was
    opened, so two note-takers saving at once do not overwrite each other."""

    versions = HiddenField()
    opening = record_text(_l("Pembukaan"))
    conclusions = record_text(_l("Kesimpulan"))

    def discussion_fields(self) -> list:
        return [field for field in self if field.name.startswith("discussion_")]

    def texts(self) -> dict[str, str]:
        """Every text on the form, keyed by field name ("opening", "discussion_12", ...)."""
        fields = [self.opening, self.conclusions, *self.discussion_fields()]
        return {field.name: field.data or "" for field in fields}


def minutes_form_for(agenda_items: list[AgendaItem], **kwargs) -> MinutesForm:
    """A MinutesForm with a textarea for the discussion of each agenda item."""

    class MeetingMinutesForm(MinutesForm):
        pass

    for number, item in enumerate(agenda_items, start=1):
        field = TextAreaField(
            # Translated now, into a plain str: a lazy string formatted with the title
            # would pass for safe HTML (its __html__ returns the text unescaped).
            _("Pembahasan acara %(number)d: %(title)s", number=number, title=item.title),
            filters=[normalise_newlines],
            validators=[Length(max=TEXT_MAX, message=_l("Paling panjang %(max)d karakter."))],
        )
        setattr(MeetingMinutesForm, discussion_key(item.id), field)
    return MeetingMinutesForm(**kwargs)


class DeadlineField(DateField):
    """A date from <input type="date">; a wrong one gets an Indonesian message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                _l("Tulis tanggal dengan benar, misalnya 2024-03-31 (tahun-bulan-tanggal).")
            ) from error


def plausible_year(_form, field) -> None:
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Tahun tenggat harus antara 2000 dan 2100."))


class FollowUpForm(BaseForm):
    action = TextAreaField(
        _l("Tindakan"),
        description=_l("Apa yang akan dikerjakan, oleh siapa, untuk siapa."),
        filters=[strip, normalise_newlines],
        validators=[
            DataRequired(message=_l("Isi tindakan yang akan dilakukan.")),
            Length(max=ACTION_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )
    agency = SelectField(_l("Perangkat daerah penanggung jawab"), validate_choice=True)
    deadline = DeadlineField(_l("Tenggat (tidak wajib)"), validators=[Optional(), plausible_year])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(value, label) for value, label in domain.FOLLOW_UP_STATUSES.items()],
        default="open",
    )
    progress_note = TextAreaField(
        _l("Catatan kemajuan (tidak wajib)"),
        filters=[strip, normalise_newlines],
        validators=[Length(max=PROGRESS_NOTE_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )


class FollowUpStatusForm(BaseForm):
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(value, label) for value, label in domain.FOLLOW_UP_STATUSES.items()],
    )
