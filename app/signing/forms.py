"""Forms of the signing page: the order of the signers, and a signature."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import BaseForm

SECRET_MAX = 200


class SignerOrderForm(Form):
    """One line of the order: which signer (its key), in which place, by which account."""

    key = HiddenField()
    position = IntegerField(
        _l("Urutan"),
        validators=[
            InputRequired(message=_l("Tulis nomor urut.")),
            NumberRange(min=1, max=99, message=_l("Nomor urut antara %(min)s dan %(max)s.")),
        ],
    )
    user = SelectField(
        _l("Akun yang menandatangani"), validators=[Optional()], validate_choice=True
    )


class OrderForm(BaseForm):
    signers = FieldList(FormField(SignerOrderForm), min_entries=0, max_entries=99)

    def validate_signers(self, field) -> None:
        numbers = sorted(entry.form.position.data or 0 for entry in field.entries)
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValidationError(
                _l("Beri setiap penanda tangan nomor urut yang berbeda: 1, 2, 3, dan seterusnya.")
            )

    def set_accounts(self, choices: list[tuple[str, str]]) -> None:
        """The accounts every line can choose from (with "none chosen yet" first)."""
        options = [("", str(_l("— belum dipilih —"))), *choices]
        for entry in self.signers.entries:
            entry.form.user.choices = options

    def order(self) -> list[tuple[str, int | None]]:
        """(signer key, account id) first signer first, as the service takes them."""
        entries = sorted(self.signers.entries, key=lambda entry: entry.form.position.data)
        return [
            (entry.form.key.data, int(entry.form.user.data) if entry.form.user.data else None)
            for entry in entries
        ]


class UnechoedField(StringField):
    """A text field whose value never goes back into the page: the NIK and the one-time
    code are personal or secret, and a page shown again after an error (or kept in a
    browser's cache) must not carry them."""

    def _value(self) -> str:
        return ""


class SignForm(BaseForm):
    """The signer's confirmation. Which fields count depends on the server's signing mode:
    the account password for the seal; the NIK and a passphrase or one-time code for a
    certified signature. None of them is ever stored."""

    signer_id = HiddenField()

    password = PasswordField(
        _l("Kata sandi akun Anda"),
        description=_l("Untuk memastikan Anda sendiri yang menandatangani."),
        validators=[Length(max=SECRET_MAX)],
    )
    nik = UnechoedField(
        _l("NIK"),
        description=_l("16 angka, sesuai sertifikat elektronik Anda."),
        filters=[lambda value: "".join(value.split()) if isinstance(value, str) else value],
        validators=[Length(max=32, message=_l("NIK terdiri atas 16 angka."))],
    )
    passphrase = PasswordField(
        _l("Passphrase"),
        description=_l("Passphrase sertifikat elektronik Anda. Tidak disimpan."),
        validators=[Length(max=SECRET_MAX)],
    )
    totp = UnechoedField(
        _l("atau kode OTP"),
        description=_l(
            "Kode sekali pakai dari aplikasi autentikator, bila tidak memakai passphrase."
        ),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Length(max=16, message=_l("Kode OTP paling panjang %(max)d karakter."))],
    )
