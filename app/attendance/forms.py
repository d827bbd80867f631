"""The daftar hadir's forms: the participant's check-in, and a line at the desk."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

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
