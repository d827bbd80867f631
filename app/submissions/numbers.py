"""Amounts as people write them: "Rp. 750.000.000,-", "Rp 75 juta", "1,5 M", "±200 orang".

The number itself follows Babel's Indonesian rules (the dot groups thousands, the comma
starts the decimals; app/submissions/forms.py has always read it so). Around it people add
words that change nothing ("Rp", "sekitar", "orang", a closing ",-") or a multiplier
(ribu, juta, miliar, triliun and their short forms rb, jt, M, T; "k" for ribu). Beside a
multiplier a lone dot is also a decimal point ("1.5 milyar"), since that is how it is
written there; "1.500 juta" still reads as one thousand five hundred million.

A refusal names the part that was not understood, so the participant can fix that part.
Its message is translated when raised (gettext, not lazy_gettext): Flask-Babel marks a lazy
string as safe HTML, and the part is the participant's own text, which must be escaped.
A household count ("40 KK") is refused in the people field: the field counts people, and
storing 40 would silently change what was meant (docs/DESIGN.md: nothing submitted is
silently changed).
"""

import re
from decimal import Decimal
from typing import Literal

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import gettext as _

from app import domain

Unit = Literal["rupiah", "people"]

MAXIMUM: dict[str, int] = {"rupiah": domain.MAX_COST, "people": domain.MAX_BENEFICIARIES}

# re.ASCII: a digit is 0-9 and "K" matches only "k", never the Kelvin sign or Arabic digits.
FLAGS = re.IGNORECASE | re.ASCII

RUPIAH_PREFIX = re.compile(r"^rp\.?\s*", FLAGS)
PLAIN_NUMBER = re.compile(r"[0-9][0-9.,]*", FLAGS)

APPROXIMATELY = re.compile(
    r"(?:±|\+\s*/\s*-|\+-|~|≈|kurang\s+lebih|lebih\s+kurang|kurleb|kira(?:-|\s+)?(?:kira|2)"
    r"|sekitar)\s*",
    FLAGS,
)
CURRENCY = re.compile(r"(?:rp\.?|idr)\s*", FLAGS)
CLOSING_DASH = re.compile(r"\s*[.,]\s*-+$")
MINUS = re.compile(r"[-−–]\s*[0-9]")
NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
MULTIPLIER = re.compile(
    r"\s*(?P<word>ribu|rb|k|juta|jt|miliar|milyar|m|triliun|trilyun|t)\.?(?![a-z])", FLAGS
)
MULTIPLIERS = {
    "ribu": 10**3,
    "rb": 10**3,
    "k": 10**3,
    "juta": 10**6,
    "jt": 10**6,
    "miliar": 10**9,
    "milyar": 10**9,
    "m": 10**9,
    "triliun": 10**12,
    "trilyun": 10**12,
    "t": 10**12,
}
UNIT_WORD = {
    "rupiah": re.compile(r"\s*rupiah(?![a-z])", FLAGS),
    "people": re.compile(r"\s*(?:orang|org|jiwa)\.?(?![a-z])", FLAGS),
}
HOUSEHOLDS = re.compile(r"\s*(?P<word>kk|kpm|keluarga|rumah\s+tangga|ruta)(?![a-z])", FLAGS)
RANGE = re.compile(r"\s*(?:[-–—]|s\.?\s?d\.?|s/d|sampai|hingga)\s*", FLAGS)
NUMBER_WORDS = re.compile(
    r"nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|belas|puluh"
    r"|seratus|ratus|seribu|ribu|sejuta|juta|miliar|milyar|triliun|setengah",
    FLAGS,
)
# A landline with its area code ("(0285) 421093"), a mobile number in groups, "+62 ...".
PHONE = re.compile(r"(?:\+|\(\s*0|0[0-9]+[\s.\-()])[0-9\s.\-()]*", FLAGS)
PHONE_DIGITS = 9
LONGEST_PART = 30


def read_amount(text: str, *, unit: Unit) -> int:
    """The whole number in `text`, rupiah or people; ValueError naming what was not understood."""
    text = " ".join(text.split())
    number = read_plain(text)
    if number is None:
        number = read_written(text, unit)
    if number > MAXIMUM[unit]:
        raise ValueError(_("Angka ini terlalu besar."))
    return number


def read_plain(text: str) -> int | None:
    """'1500000', '1.500.000', 'Rp 1.500.000' or '1.500.000,00', as the form has always read them.

    Babel also reads a sign, an exponent, 'NaN' or digits of other scripts (Python's Decimal
    does): here a number starts with a digit 0-9 and holds only those and the two separators.
    """
    text = RUPIAH_PREFIX.sub("", text)
    if not PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        number = parse_decimal(text, locale="id", strict=True)
    except NumberFormatError:
        return None
    return int(number) if number == number.to_integral_value() else None


def read_written(text: str, unit: Unit) -> int:
    if looks_like_a_phone_number(text):
        raise ValueError(
            _(
                "“%(part)s” tampak seperti nomor telepon. Nomor telepon ditulis di kolom Nomor HP;"
                " di sini tulis jumlahnya dengan angka.",
                part=shortened(text),
            )
        )
    rest = CLOSING_DASH.sub("", text)
    rest = without_prefixes(rest, unit)
    if MINUS.match(rest):
        raise ValueError(
            _(
                "Angka tidak boleh negatif (“%(part)s”). Tulis angka bulat saja, misalnya"
                " 1.500.000.",
                part=shortened(rest),
            )
        )
    if not rest:
        raise ValueError(
            _(
                "“%(part)s” belum berisi angka. Tulis angka bulat saja, misalnya 1.500.000.",
                part=shortened(text),
            )
        )
    number = NUMBER.match(rest)
    if number is None:
        raise not_a_number(rest)
    figure, rest = number.group(), rest[number.end() :]

    multiplier = MULTIPLIER.match(rest)
    factor = 1
    if multiplier:
        factor = MULTIPLIERS[multiplier.group("word").lower()]
        rest = rest[multiplier.end() :]
    written = (figure + (multiplier.group() if multiplier else "")).strip()

    households = HOUSEHOLDS.match(rest)
    if unit == "people" and households:
        raise ValueError(
            _(
                "Kolom ini menghitung orang, bukan keluarga (“%(part)s”). Tulis perkiraan jumlah"
                " orangnya; jumlah KK boleh disebut di uraian.",
                part=shortened(households.group("word")),
            )
        )
    unit_word = UNIT_WORD[unit].match(rest)
    if unit_word:
        rest = rest[unit_word.end() :]
    if rest.strip():
        after = RANGE.match(rest)
        if after and NUMBER.match(without_prefixes(rest[after.end() :], unit)):
            raise ValueError(
                _(
                    "Tulis satu perkiraan saja, bukan rentang (“%(part)s”), misalnya angka yang"
                    " lebih besar.",
                    part=shortened(text),
                )
            )
        raise not_understood(rest.strip())

    value = decimal_of(figure, has_multiplier=factor != 1) * factor
    if value != value.to_integral_value():
        raise ValueError(
            _(
                "“%(part)s” bukan angka bulat. Tulis angka bulat saja, misalnya 1.500.000.",
                part=shortened(written),
            )
        )
    return int(value)


def decimal_of(figure: str, *, has_multiplier: bool) -> Decimal:
    try:
        return parse_decimal(figure, locale="id", strict=True)
    except NumberFormatError:
        # "1.5 milyar": beside a multiplier one dot without a group of three after it is
        # a decimal point; on its own ("1.5") it stays ambiguous and is refused.
        if has_multiplier and re.fullmatch(r"[0-9]+\.[0-9]{1,2}|[0-9]+\.[0-9]{4,}", figure):
            return Decimal(figure)
        raise ValueError(
            _(
                "Bagian “%(part)s” tidak dipahami: titik memisahkan ribuan dan koma memisahkan"
                " desimal. Tulis angka bulat saja, misalnya 1.500.000.",
                part=shortened(figure),
            )
        ) from None


def without_prefixes(text: str, unit: Unit) -> str:
    """Drop "±", "sekitar", "Rp" and the like, in any order."""
    prefixes = [APPROXIMATELY, CURRENCY] if unit == "rupiah" else [APPROXIMATELY]
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            match = prefix.match(text)
            if match and match.end():
                text, changed = text[match.end() :], True
    return text


def looks_like_a_phone_number(text: str) -> bool:
    digits = sum(character.isdigit() for character in text)
    return PHONE.fullmatch(text) is not None and digits >= PHONE_DIGITS


def not_a_number(text: str) -> ValueError:
    words = re.sub(r"[^a-z]+", " ", text, flags=FLAGS).split()
    if words and all(NUMBER_WORDS.fullmatch(word) for word in words):
        return ValueError(
            _(
                "“%(part)s” ditulis dengan huruf. Tulis angka bulat saja, misalnya 1.500.000.",
                part=shortened(text),
            )
        )
    digit = re.search(r"[0-9]", text, flags=re.ASCII)
    return not_understood(text[: digit.start()].strip() if digit and digit.start() else text)


def not_understood(part: str) -> ValueError:
    return ValueError(
        _(
            "Bagian “%(part)s” tidak dipahami. Tulis angka bulat saja, misalnya 1.500.000.",
            part=shortened(part),
        )
    )


def shortened(part: str) -> str:
    """A pasted paragraph is named by its start: the message stays one line."""
    return part if len(part) <= LONGEST_PART else part[: LONGEST_PART - 1] + "…"
