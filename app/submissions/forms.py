"""The public input form. Every field has a length limit and every choice an allow-list."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import TextInput

from app import domain
from app.forms import BaseForm

CLIENT_TOKEN = re.compile(r"^[0-9a-f]{32}$")
PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{6,20}$")

TITLE_MAX = 160
DESCRIPTION_MAX = 4000
MAX_BENEFICIARIES = 10_000_000
MAX_COST = 10_000_000_000_000  # Rp 10 triliun: well beyond any city program


class WholeNumberField(Field):
    """A whole number typed the Indonesian way: '1.500.000', 'Rp 1.500.000' or '1500000'.

    What was typed is shown back unchanged when the form returns with errors.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, maximum: int | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip()
        text = re.sub(r"(?i)^rp\.?\s*", "", text)
        text = re.sub(r"[.\s]", "", text)
        text = re.sub(r",0+$", "", text)
        # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts.
        if not text.isdecimal() or len(text) > 15:
            raise ValueError(_l("Tulis angka bulat saja, misalnya 1.500.000."))
        self.data = int(text)
        if self.maximum is not None and self.data > self.maximum:
            raise ValueError(_l("Angka ini terlalu besar."))


def stripped(value: str | None) -> str:
    """What was typed, without surrounding spaces: the length rules measure what is stored.

    A field missing from the request reads as empty.
    """
    return value.strip() if value else ""


# WTForms' own wording, which app.forms maps onto our catalog.
WTFORMS_INVALID_CHOICE = "Not a valid choice."


class ListedChoices:
    """A choice field that checks the sent value against a set, not the whole list.

    WTForms walks every choice, building a tuple for each, to validate one value;
    the kelurahan, agency and program lists make that a visible part of a send.
    `allowed` is computed from choices given in the class, and handed over with
    the cached lists for those loaded from the database (views.apply_choices):
    whoever assigns `choices` assigns `allowed` with them.
    """

    allowed: frozenset[str] | None = None
    wtforms_type: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Templates and the error summary know fields by WTForms' type names.
        self.type = self.wtforms_type
        if self.choices:
            self.allowed = allowed_values(self.choices)

    def pre_validate(self, form):
        if self.allowed is None:
            return super().pre_validate(form)
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in self.allowed:
            raise ValidationError(
                self.invalid_choice_message or self.gettext(WTFORMS_INVALID_CHOICE)
            )


class ListedSelectField(ListedChoices, SelectField):
    wtforms_type = "SelectField"


class ListedRadioField(ListedChoices, RadioField):
    wtforms_type = "RadioField"


def allowed_values(choices: list[SelectChoice]) -> frozenset[str]:
    return frozenset(str(choice.value) for choice in choices)


def required(message):
    return DataRequired(message=message)


def choices_of(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SubmissionForm(BaseForm):
    """Fields in the order a participant fills them: who, what, where, how much."""

    client_token = HiddenField(
        # A label of its own, or WTForms translates one made from the name on every request.
        "",
        validators=[Regexp(CLIENT_TOKEN, message=_l("Muat ulang formulir."))],
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
            required(_l("Isi nama Anda.")),
            Length(max=120, message=_l("Nama paling panjang %(max)d karakter.")),
        ],
    )
    role = ListedRadioField(
        _l("Peran dalam rapat"),
        choices=choices_of(domain.ROLES),
        validators=[required(_l("Pilih peran Anda."))],
    )
    unit_kelurahan = ListedSelectField(_l("Kelurahan (untuk lurah)"), validate_choice=True)
    unit_kecamatan = ListedSelectField(_l("Kecamatan (untuk camat)"), validate_choice=True)
    unit_agency = ListedSelectField(_l("Perangkat daerah (untuk OPD)"), validate_choice=True)
    unit_organisation = StringField(
        _l("Lembaga atau organisasi (untuk pemangku kepentingan)"),
        description=_l("Misalnya BPS, BPJS Ketenagakerjaan, perguruan tinggi, PKK, LSM."),
        filters=[stripped],
        validators=[Length(max=160, message=_l("Paling panjang %(max)d karakter."))],
    )
    position = StringField(
        _l("Jabatan"),
        filters=[stripped],
        validators=[
            required(_l("Isi jabatan Anda.")),
            Length(max=120, message=_l("Jabatan paling panjang %(max)d karakter.")),
        ],
    )
    phone = StringField(
        _l("Nomor HP (tidak wajib)"),
        description=_l("Hanya dilihat sekretariat, untuk menghubungi Anda bila perlu."),
        filters=[stripped],
        validators=[
            Optional(),
            Length(max=24, message=_l("Nomor HP terlalu panjang.")),
            Regexp(PHONE, message=_l("Tulis nomor HP dengan angka, misalnya 0812 3456 7890.")),
        ],
    )

    kind = ListedRadioField(
        _l("Jenis masukan"),
        choices=choices_of(domain.KINDS),
        validators=[required(_l("Pilih jenis masukan."))],
    )
    pillar = ListedRadioField(
        _l("Strategi"), validators=[required(_l("Pilih strategi yang paling sesuai."))]
    )
    title = StringField(
        _l("Judul singkat"),
        filters=[stripped],
        validators=[
            required(_l("Isi judul masukan.")),
            Length(min=5, max=TITLE_MAX, message=_l("Judul antara %(min)d dan %(max)d karakter.")),
        ],
    )
    description = TextAreaField(
        _l("Uraian"),
        description=_l("Apa masalahnya, apa usulannya, siapa yang terbantu."),
        filters=[stripped],
        validators=[
            required(_l("Isi uraian masukan.")),
            Length(
                min=10,
                max=DESCRIPTION_MAX,
                message=_l("Uraian antara %(min)d dan %(max)d karakter."),
            ),
        ],
    )
    location = ListedSelectField(_l("Lokasi (kelurahan, tidak wajib)"), validate_choice=True)
    target_group = ListedSelectField(
        _l("Sasaran"), choices=choices_of(domain.TARGET_GROUPS), default="umum"
    )
    program = ListedSelectField(
        _l("Program terkait"),
        description=_l("Wajib untuk evaluasi program."),
        validate_choice=True,
    )
    beneficiaries = WholeNumberField(
        _l("Perkiraan penerima manfaat (orang, tidak wajib)"), maximum=MAX_BENEFICIARIES
    )
    cost = WholeNumberField(_l("Perkiraan biaya dalam rupiah (tidak wajib)"), maximum=MAX_COST)

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
        if self.role.data == "stakeholder" and not field.data.strip():
            raise ValidationError(_l("Isi nama lembaga atau organisasi Anda."))

    def validate_program(self, field):
        if self.kind.data == "evaluasi" and not field.data:
            raise ValidationError(_l("Untuk evaluasi, pilih program yang dievaluasi."))

    def unit_fields(self) -> dict[str, Field]:
        """The unit field that belongs to each role (the page shows only the right one)."""
        return {
            "lurah": self.unit_kelurahan,
            "camat": self.unit_kecamatan,
            "opd": self.unit_agency,
            "stakeholder": self.unit_organisation,
        }


class StatusForm(BaseForm):
    receipt_code = StringField(
        _l("Kode tanda terima"),
        description=_l("Delapan huruf dan angka, misalnya K7QM-2XPA."),
        validators=[
            required(_l("Isi kode tanda terima.")),
            Length(max=20, message=_l("Kode tanda terima terlalu panjang.")),
        ],
    )
