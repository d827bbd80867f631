"""The input form: one set of rules for the web form and for each row of the spreadsheet import.

Every text field has a length limit (app/domain.py) and every choice a list: the
fixed ones here, the meeting's reference data loaded per request (`offer`).
"""

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import TextInput

from app import domain
from app.forms import BaseForm
from app.i18n import number
from app.models.reference import agency_label
from app.submissions.numbers import Unit, read_amount
from app.submissions.services import FormChoices, SubmissionData

CLIENT_TOKEN = re.compile(r"^[0-9a-f]{32}$")
INVITATION_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{6,20}$")


class WholeNumberField(Field):
    """An amount written the everyday way (app/submissions/numbers.py): "1.500.000",
    "Rp 1.500.000", "Rp. 750.000.000,-", "Rp 75 juta", "1,5 M", "±200 orang".

    Shown back as typed when the form returns.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, unit: Unit = "rupiah", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.unit = unit

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        self.data = read_amount(valuelist[0], unit=self.unit)


def stripped(value: str | None) -> str:
    """What was typed, without surrounding spaces: the length rules measure what is stored.

    A field missing from the request reads as empty.
    """
    return value.strip() if value else ""


def one_line_break(value: str | None) -> str | None:
    """Browsers send a line break as CRLF: stored, and measured, as one character (LF)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class TextLength:
    """The length of the text as stored, between `min` and `max` characters.

    Too long names the limit and the count ("Uraian paling panjang 4.000 karakter;
    sekarang 4.512."), so the participant knows how much to cut; nothing is cut here.
    """

    def __init__(self, shortest: int, longest: int, too_short, too_long) -> None:
        self.min, self.max = shortest, longest
        self.too_short, self.too_long = too_short, too_long

    def __call__(self, form, field) -> None:
        length = len(field.data or "")
        if length > self.max:
            raise ValidationError(
                str(self.too_long) % {"max": number(self.max), "count": number(length)}
            )
        if length < self.min:
            raise ValidationError(str(self.too_short) % {"min": self.min, "max": self.max})


def choices_of(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SubmissionForm(BaseForm):
    """Fields in the order the page shows them (templates/submissions/meeting.html): who,
    what (kind, strategy, program, title, description), where, how much. The error
    summary lists errors in this order."""

    client_token = HiddenField(
        "",  # never shown: a label of its own, not one made from the name
        validators=[Regexp(CLIENT_TOKEN, message=_l("Muat ulang formulir."))],
    )
    # The personal link's token (/m/<code>?undangan=...): the input joins the invitee's line.
    invitation = HiddenField(
        "",
        validators=[Optional(), Regexp(INVITATION_TOKEN, message=_l("Muat ulang formulir."))],
    )
    access_code = StringField(
        _l("Kode akses rapat"),
        description=_l("Kode yang ditampilkan di ruang rapat."),
        validators=[Length(max=40, message=_l("Kode akses terlalu panjang."))],
    )

    submitter_name = StringField(
        _l("Nama lengkap"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Isi nama Anda.")),
            Length(max=domain.NAME_MAX, message=_l("Nama paling panjang %(max)d karakter.")),
        ],
    )
    role = RadioField(
        _l("Peran dalam rapat"),
        choices=choices_of(domain.ROLES),
        validators=[DataRequired(_l("Pilih peran Anda."))],
    )
    unit_kelurahan = SelectField(_l("Kelurahan (untuk lurah)"))
    unit_kecamatan = SelectField(_l("Kecamatan (untuk camat)"))
    unit_agency = SelectField(_l("Perangkat daerah (untuk OPD)"))
    unit_organisation = StringField(
        _l("Lembaga atau organisasi (untuk pemangku kepentingan)"),
        description=_l("Misalnya BPS, BPJS Ketenagakerjaan, perguruan tinggi, PKK, LSM."),
        filters=[stripped],
        validators=[
            Length(max=domain.ORGANISATION_MAX, message=_l("Paling panjang %(max)d karakter."))
        ],
    )
    position = StringField(
        _l("Jabatan"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Isi jabatan Anda.")),
            Length(max=domain.POSITION_MAX, message=_l("Jabatan paling panjang %(max)d karakter.")),
        ],
    )
    phone = StringField(
        _l("Nomor HP (tidak wajib)"),
        description=_l(
            "Hanya dilihat sekretariat rapat dan admin aplikasi, untuk menghubungi Anda bila"
            " perlu. Tidak tampil di halaman publik dan tidak dicetak di dokumen rapat."
        ),
        filters=[stripped],
        validators=[
            Optional(),
            Length(max=domain.PHONE_MAX, message=_l("Nomor HP terlalu panjang.")),
            Regexp(PHONE, message=_l("Tulis nomor HP dengan angka, misalnya 0812 3456 7890.")),
        ],
    )

    kind = RadioField(
        _l("Jenis masukan"),
        choices=choices_of(domain.KINDS),
        validators=[DataRequired(_l("Pilih jenis masukan."))],
    )
    pillar = RadioField(
        _l("Strategi"), validators=[DataRequired(_l("Pilih strategi yang paling sesuai."))]
    )
    program = SelectField(_l("Program terkait"), description=_l("Wajib untuk evaluasi program."))
    title = StringField(
        _l("Judul singkat"),
        filters=[one_line_break, stripped],
        validators=[
            DataRequired(_l("Isi judul masukan.")),
            TextLength(
                domain.TITLE_MIN,
                domain.TITLE_MAX,
                too_short=_l("Judul antara %(min)d dan %(max)d karakter."),
                too_long=_l("Judul paling panjang %(max)s karakter; sekarang %(count)s."),
            ),
        ],
    )
    description = TextAreaField(
        _l("Uraian"),
        description=_l("Apa masalahnya, apa usulannya, siapa yang terbantu."),
        filters=[one_line_break, stripped],
        validators=[
            DataRequired(_l("Isi uraian masukan.")),
            TextLength(
                domain.DESCRIPTION_MIN,
                domain.DESCRIPTION_MAX,
                too_short=_l("Uraian antara %(min)d dan %(max)d karakter."),
                too_long=_l("Uraian paling panjang %(max)s karakter; sekarang %(count)s."),
            ),
        ],
    )
    location = SelectField(_l("Lokasi (kelurahan, tidak wajib)"))
    target_group = SelectField(
        _l("Sasaran"), choices=choices_of(domain.TARGET_GROUPS), default="umum"
    )
    beneficiaries = WholeNumberField(
        _l("Perkiraan penerima manfaat (orang, tidak wajib)"),
        unit="people",
        description=_l(
            "Jumlah orang, misalnya 200. Bila yang Anda hitung keluarga, tulis perkiraan jumlah"
            " orangnya; jumlah KK boleh disebut di uraian."
        ),
    )
    cost = WholeNumberField(
        _l("Perkiraan biaya dalam rupiah (tidak wajib)"),
        unit="rupiah",
        description=_l("Misalnya 750.000.000, Rp 75 juta, atau 1,5 M (1,5 miliar)."),
    )

    def offer(self, choices: FormChoices) -> None:
        """The meeting's own lists: its pillars, the regions, the agencies, the programs."""
        pick = SelectChoice("", _l("— Pilih —"))
        none = SelectChoice("", _l("— Tidak ada —"))
        kelurahan = [
            SelectChoice(str(kel.id), kel.name, optgroup=kec.name)
            for kec in choices.kecamatan
            for kel in kec.kelurahan
        ]
        self.pillar.choices = [SelectChoice(str(p.id), p.name) for p in choices.pillars]
        self.unit_kelurahan.choices = [pick, *kelurahan]
        self.location.choices = [none, *kelurahan]
        self.unit_kecamatan.choices = [pick] + [
            SelectChoice(str(k.id), k.name) for k in choices.kecamatan
        ]
        self.unit_agency.choices = [pick] + [
            SelectChoice(str(a.id), agency_label(a.abbreviation, a.name)) for a in choices.agencies
        ]
        self.program.choices = [none] + [SelectChoice(str(p.id), p.name) for p in choices.programs]

    def validate_unit_kelurahan(self, field):
        if self.role.data == "lurah" and not field.data:
            raise ValidationError(_l("Pilih kelurahan Anda."))

    def validate_unit_kecamatan(self, field):
        if self.role.data == "camat" and not field.data:
            raise ValidationError(_l("Pilih kecamatan Anda."))

    def validate_unit_agency(self, field):
        if self.role.data == "opd" and not field.data:
            raise ValidationError(_l("Pilih perangkat daerah Anda."))

    def validate_unit_organisation(self, field):
        if self.role.data == "stakeholder" and not field.data:
            raise ValidationError(_l("Isi nama lembaga atau organisasi Anda."))

    def validate_program(self, field):
        if self.kind.data == "evaluasi" and not field.data:
            raise ValidationError(_l("Untuk evaluasi, pilih program yang dievaluasi."))

    def submission_data(self) -> SubmissionData:
        """The valid form as plain values; only the unit that matches the role is kept."""
        role = self.role.data
        return SubmissionData(
            submitter_name=self.submitter_name.data,
            role=role,
            position=self.position.data,
            kind=self.kind.data,
            pillar_id=int(self.pillar.data),
            title=self.title.data,
            description=self.description.data,
            target_group=self.target_group.data,
            kelurahan_id=id_or_none(self.unit_kelurahan.data) if role == "lurah" else None,
            kecamatan_id=id_or_none(self.unit_kecamatan.data) if role == "camat" else None,
            agency_id=id_or_none(self.unit_agency.data) if role == "opd" else None,
            organisation=self.unit_organisation.data if role == "stakeholder" else "",
            phone=self.phone.data,
            location_id=id_or_none(self.location.data),
            program_id=id_or_none(self.program.data),
            beneficiaries=self.beneficiaries.data,
            cost=self.cost.data,
        )


def id_or_none(value: str | None) -> int | None:
    return int(value) if value else None


class StatusForm(BaseForm):
    receipt_code = StringField(
        _l("Kode tanda terima"),
        description=_l("Delapan huruf dan angka, misalnya K7QM-2XPA."),
        validators=[
            DataRequired(_l("Isi kode tanda terima.")),
            Length(max=20, message=_l("Kode tanda terima terlalu panjang.")),
        ],
    )
