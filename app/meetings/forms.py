"""The meeting forms. Every field has a length limit; codes have an allow-list.

The submission window is typed as local date-time (the city's timezone, e.g.
Asia/Jakarta) and converted to UTC before it reaches the service.
"""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import BaseForm, Nip
from app.models import Pillar

PUBLIC_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
# Letters and digits, typed with or without single dashes or spaces between them
# ("K7QM-2XAB-9RTZ"); the service asks 12 or more of a new code and keeps older ones.
ACCESS_CODE = re.compile(r"^[A-Za-z0-9](?:[ -]?[A-Za-z0-9]){3,19}$")
AGENDA_TITLE_MAX = 300
AGENDA_MAX_ITEMS = 30
LOCAL_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
YEAR_MIN, YEAR_MAX = 2000, 2100


def strip(value) -> str:
    """What was typed, trimmed; a field missing from the request reads as empty, not None."""
    return value.strip() if isinstance(value, str) else ""


def lower(value):
    return value.lower() if isinstance(value, str) else value


def public_code_rule() -> Regexp:
    return Regexp(
        PUBLIC_CODE,
        message=_l(
            "Kode alamat 3–40 karakter: huruf kecil a–z, angka dan tanda hubung (-), "
            "diawali dan diakhiri huruf atau angka."
        ),
    )


def plausible_year(_form, field) -> None:
    """A meeting's date and window lie in a sensible range of years.

    Year 1 or 9999 is a slip of the keyboard, and a moment that close to the ends of
    the calendar overflows when it is moved between the city's timezone and UTC.
    """
    if field.data is not None and not YEAR_MIN <= field.data.year <= YEAR_MAX:
        raise ValidationError(_l("Tahun antara %(low)d dan %(high)d.", low=YEAR_MIN, high=YEAR_MAX))


# The meeting table's own bounds for late_grace_minutes (migration 0011): four hours.
LATE_GRACE_MAX = 240


def grace_in_range(_form, field) -> None:
    # Left to the field's own "whole numbers only" message when the text was not a number.
    if field.data is not None and not 0 <= field.data <= LATE_GRACE_MAX:
        raise ValidationError(_l("Antara 0 dan %(max)d menit.", max=LATE_GRACE_MAX))


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes for whole-number ids."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeetingForm(BaseForm):
    title = StringField(
        _l("Nama rapat"),
        filters=[strip],
        validators=[
            DataRequired(_l("Isi nama rapat.")),
            Length(max=300, message=_l("Nama rapat paling panjang %(max)d karakter.")),
        ],
    )
    date = DateField(
        _l("Tanggal"),
        invalid_value_message=_l("Tulis tanggal seperti 2024-01-23."),
        validators=[InputRequired(_l("Isi tanggal rapat.")), plausible_year],
    )
    start_time = TimeField(
        _l("Waktu mulai"),
        invalid_value_message=_l("Tulis jam seperti 09:00."),
        validators=[InputRequired(_l("Isi waktu mulai."))],
    )
    end_time = TimeField(
        _l("Waktu selesai (tidak wajib)"),
        description=_l("Kosongkan bila rapat berlangsung sampai selesai."),
        invalid_value_message=_l("Tulis jam seperti 12:00."),
        validators=[Optional()],
    )
    venue = StringField(
        _l("Tempat"),
        filters=[strip],
        validators=[
            DataRequired(_l("Isi tempat rapat.")),
            Length(max=300, message=_l("Tempat paling panjang %(max)d karakter.")),
        ],
    )

    chair_name = StringField(
        _l("Nama pimpinan rapat"),
        filters=[strip],
        validators=[Length(max=200, message=_l("Paling panjang %(max)d karakter."))],
    )
    chair_position = StringField(
        _l("Jabatan pimpinan rapat"),
        filters=[strip],
        validators=[Length(max=200, message=_l("Paling panjang %(max)d karakter."))],
    )
    chair_nip = StringField(
        _l("NIP pimpinan rapat"),
        filters=[strip],
        validators=[
            Length(max=30, message=_l("NIP paling panjang %(max)d karakter.")),
            Nip(),
        ],
    )
    notetaker_name = StringField(
        _l("Nama notulis"),
        filters=[strip],
        validators=[Length(max=200, message=_l("Paling panjang %(max)d karakter."))],
    )
    notetaker_position = StringField(
        _l("Jabatan notulis"),
        filters=[strip],
        validators=[Length(max=200, message=_l("Paling panjang %(max)d karakter."))],
    )
    notetaker_nip = StringField(
        _l("NIP notulis"),
        filters=[strip],
        validators=[
            Length(max=30, message=_l("NIP paling panjang %(max)d karakter.")),
            Nip(),
        ],
    )

    opens_at = DateTimeLocalField(
        _l("Masukan dibuka pada (tidak wajib)"),
        description=_l("Waktu setempat. Kosongkan agar masukan diterima begitu rapat dibuka."),
        format=LOCAL_DATETIME_FORMATS,
        invalid_value_message=_l("Tulis tanggal dan jam seperti 2024-01-23 08:00."),
        validators=[Optional(), plausible_year],
    )
    closes_at = DateTimeLocalField(
        _l("Masukan ditutup pada (tidak wajib)"),
        description=_l("Waktu setempat. Kosongkan bila penutupan dilakukan manual."),
        format=LOCAL_DATETIME_FORMATS,
        invalid_value_message=_l("Tulis tanggal dan jam seperti 2024-01-23 12:00."),
        validators=[Optional(), plausible_year],
    )
    late_grace_minutes = IntegerField(
        _l("Tenggang waktu setelah ditutup (menit)"),
        description=_l(
            "0 sampai 240. Selama tenggang waktu ini formulir masih menerima masukan, yang"
            " dicatat sebagai terlambat. 0 berarti tanpa tenggang waktu."
        ),
        default=0,
        validators=[Optional(), grace_in_range],
    )
    access_code = StringField(
        _l("Kode akses (tidak wajib)"),
        description=_l(
            "12–20 huruf atau angka (tanda hubung boleh), ditampilkan di ruang rapat dan "
            "diketik peserta. Kosongkan bila tidak perlu."
        ),
        filters=[strip],
        validators=[
            Optional(),
            Regexp(
                ACCESS_CODE,
                message=_l("Kode akses 12–20 huruf atau angka, boleh dipisah tanda hubung."),
            ),
        ],
    )
    pillars = CheckboxesField(
        _l("Strategi yang dipakai"),
        description=_l("Tidak memilih satu pun berarti semua strategi yang aktif dipakai."),
        coerce=int,
        invalid_value_message=_l("Pilihan tidak tersedia. Pilih dari daftar."),
        invalid_choice_message=_l("Pilihan tidak tersedia. Pilih dari daftar."),
    )
    predecessors = CheckboxesField(
        _l("Rapat sebelumnya yang dievaluasi"),
        description=_l(
            "Tindak lanjut rapat yang dicentang dan belum selesai pada tanggal rapat ini "
            "dievaluasi di rapat ini dan dicantumkan dalam notulennya."
        ),
        coerce=int,
        invalid_value_message=_l("Pilihan tidak tersedia. Pilih dari daftar."),
        invalid_choice_message=_l("Pilihan tidak tersedia. Pilih dari daftar."),
    )
    code = StringField(
        _l("Kode alamat publik"),
        description=_l(
            "Alamat formulir peserta: /m/kode. 3–40 karakter: huruf kecil, angka dan tanda "
            "hubung. Mengubahnya membuat kode QR yang sudah dicetak tidak berlaku lagi."
        ),
        filters=[strip, lower],
        validators=[
            DataRequired(_l("Isi kode alamat publik.")),
            public_code_rule(),
        ],
    )

    def set_pillar_choices(self, pillars: list[Pillar]) -> None:
        self.pillars.choices = [SelectChoice(p.id, p.name) for p in pillars]

    def set_predecessor_choices(self, choices: list[tuple[int, str]]) -> None:
        """(meeting id, label) of the meetings this one may follow, most recent first."""
        self.predecessors.choices = [SelectChoice(value, label) for value, label in choices]

    def validate_end_time(self, field):
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError(_l("Waktu selesai harus setelah waktu mulai."))

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Waktu tutup harus setelah waktu buka."))


class NewMeetingForm(MeetingForm):
    """Creating: the code may be left empty, and the agenda typed at once, one item per line."""

    code = StringField(
        _l("Kode alamat publik"),
        description=_l(
            "Alamat formulir peserta: /m/kode. 3–40 karakter: huruf kecil, angka dan tanda "
            "hubung. Kosongkan agar dibuat otomatis."
        ),
        filters=[strip, lower],
        validators=[Optional(), public_code_rule()],
    )

    agenda = TextAreaField(
        _l("Agenda (tidak wajib)"),
        description=_l("Satu acara per baris. Bisa ditambah dan diubah nanti."),
        validators=[Length(max=10000, message=_l("Agenda terlalu panjang."))],
    )

    def agenda_titles(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in (self.agenda.data or "").splitlines() if line.strip())

    def validate_agenda(self, field):
        titles = self.agenda_titles()
        if len(titles) > AGENDA_MAX_ITEMS:
            raise ValidationError(_l("Paling banyak %(max)d acara.", max=AGENDA_MAX_ITEMS))
        if any(len(title) > AGENDA_TITLE_MAX for title in titles):
            raise ValidationError(
                _l("Setiap acara paling panjang %(max)d karakter.", max=AGENDA_TITLE_MAX)
            )


class AgendaItemForm(BaseForm):
    title = StringField(
        _l("Judul acara"),
        filters=[strip],
        validators=[
            DataRequired(_l("Isi judul acara.")),
            Length(
                max=AGENDA_TITLE_MAX, message=_l("Judul acara paling panjang %(max)d karakter.")
            ),
        ],
    )


class DeleteAgendaItemForm(BaseForm):
    confirm = BooleanField(_l("Ya, hapus juga pembahasan yang sudah ditulis"))


# --- between local time and UTC ----------------------------------------------------------


def local_to_utc(value: datetime | None, zone: str) -> datetime | None:
    """A naive local date-time from the form as a UTC timestamp."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def utc_to_local(value: datetime | None, zone: str) -> datetime | None:
    """A stored UTC timestamp as the naive local date-time the form shows."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
