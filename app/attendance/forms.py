"""The daftar hadir's forms: the participant's check-in, a line at the desk, and the
invitation list pasted in at once."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app import domain
from app.attendance.services import NAME_MAX, PHONE_MAX, TEXT_MAX, AttendeeData
from app.forms import BaseForm
from app.submissions.forms import PHONE


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


PHONE_RULES = [
    Optional(),
    Regexp(PHONE, message=_l("Tulis nomor HP dengan angka, misalnya 0812 3456 7890.")),
]


class CheckInForm(BaseForm):
    """What a participant types on a phone in the room: short, the limits of the input form."""

    name = StringField(
        _l("Nama lengkap"),
        filters=[strip],
        validators=[
            DataRequired(_l("Isi nama Anda.")),
            Length(max=domain.NAME_MAX, message=_l("Nama paling panjang %(max)d karakter.")),
        ],
    )
    position = StringField(
        _l("Jabatan"),
        filters=[strip],
        validators=[
            DataRequired(_l("Isi jabatan Anda.")),
            Length(max=domain.POSITION_MAX, message=_l("Jabatan paling panjang %(max)d karakter.")),
        ],
    )
    unit = StringField(
        _l("Instansi atau unit"),
        description=_l("Kelurahan, kecamatan, perangkat daerah atau lembaga."),
        filters=[strip],
        validators=[
            DataRequired(_l("Isi instansi atau unit Anda.")),
            Length(max=domain.ORGANISATION_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )
    sex = RadioField(
        _l("Jenis kelamin"),
        choices=[SelectChoice(value, label) for value, label in domain.SEXES.items()],
        validators=[DataRequired(_l("Pilih laki-laki atau perempuan."))],
    )
    phone = StringField(
        _l("Nomor HP (tidak wajib)"),
        description=_l(
            "Hanya dilihat sekretariat rapat dan admin aplikasi, untuk menghubungi Anda bila"
            " perlu. Tidak tampil di halaman publik dan tidak dicetak di dokumen rapat."
        ),
        filters=[strip],
        validators=[
            Length(max=domain.PHONE_MAX, message=_l("Nomor HP terlalu panjang.")),
            *PHONE_RULES,
        ],
    )


class AttendeeForm(BaseForm):
    """A line at the desk: a person present, someone invited, or a correction."""

    name = StringField(
        _l("Nama"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Isi nama peserta.")),
            Length(max=NAME_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )
    position = StringField(
        _l("Jabatan"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )
    unit = StringField(
        _l("Instansi atau unit"),
        description=_l("Kelurahan, kecamatan, perangkat daerah atau lembaga."),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )
    sex = RadioField(
        _l("Jenis kelamin (tidak wajib)"),
        choices=[
            SelectChoice("", _l("Tidak diisi")),
            *(SelectChoice(value, label) for value, label in domain.SEXES.items()),
        ],
        default="",
        validate_choice=True,
    )
    phone = StringField(
        _l("Nomor HP (tidak wajib)"),
        filters=[strip],
        validators=[
            Length(max=PHONE_MAX, message=_l("Nomor HP terlalu panjang.")),
            *PHONE_RULES,
        ],
    )


def attendee_data(form: CheckInForm | AttendeeForm) -> AttendeeData:
    return AttendeeData(
        name=form.name.data or "",
        position=form.position.data or "",
        unit=form.unit.data or "",
        sex=form.sex.data or None,
        phone=form.phone.data or "",
    )


INVITATION_LIST_MAX = 500  # lines; a city's rakor invites a hundred or two
SEXES_TYPED = {"l": "L", "p": "P", "laki-laki": "L", "perempuan": "P", "": None}


class InvitationListForm(BaseForm):
    """One invited person a line: "Nama; Jabatan; Instansi; L/P", or the same four
    columns copied from a spreadsheet (tabs). Only the name is required."""

    people = TextAreaField(
        _l("Daftar undangan"),
        description=_l(
            "Satu orang per baris: Nama; Jabatan; Instansi; L/P. Dapat disalin dari Excel"
            " (empat kolom). Orang yang sudah ada di daftar hadir dilewati."
        ),
        validators=[DataRequired(_l("Tempel atau tulis daftar undangan."))],
    )

    def validate_people(self, field) -> None:
        self.invited = []
        lines = (field.data or "").splitlines()
        if sum(1 for line in lines if line.strip()) > INVITATION_LIST_MAX:
            raise ValidationError(
                _l("Paling banyak %(max)d baris sekali kirim.", max=INVITATION_LIST_MAX)
            )
        problems = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("\t" if "\t" in line else ";")]
            while len(parts) > 4 and not parts[-1]:  # empty cells copied at the end
                parts.pop()
            name, position, unit, sex = [*parts, "", "", ""][:4]
            if len(parts) > 4 or not name:
                problems.append(_l("baris %(n)d: tulis Nama; Jabatan; Instansi; L/P", n=number))
            elif max(len(name), len(position), len(unit)) > NAME_MAX:
                problems.append(_l("baris %(n)d: terlalu panjang", n=number))
            elif sex.casefold() not in SEXES_TYPED:
                problems.append(_l("baris %(n)d: L/P diisi L atau P", n=number))
            else:
                self.invited.append(AttendeeData(name, position, unit, SEXES_TYPED[sex.casefold()]))
        if problems:
            raise ValidationError("; ".join(str(problem) for problem in problems[:10]) + ".")


class InvitationWorkbookForm(BaseForm):
    """The invitation list as an Excel file (app/attendance/invitation_workbook.py)."""

    file = FileField(
        _l("Daftar undangan (.xlsx)"),
        description=_l(
            "Kolom Nama, Jabatan, Unit/Instansi, Nomor HP, L/P; paling besar 2 MB dan 1.000"
            " orang. Orang yang sudah ada di daftar hadir dilewati."
        ),
        validators=[
            FileRequired(message=_l("Pilih berkas .xlsx yang akan diimpor.")),
            FileAllowed(["xlsx"], message=_l("Hanya berkas Excel .xlsx yang dapat diimpor.")),
        ],
    )
