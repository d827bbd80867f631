"""Amounts written the everyday way (app/submissions/numbers.py), for rupiah and for people.

Outside a request Flask-Babel gives the Indonesian source text, which is what a participant
reads; the public form and the paper import show the same words (tests/test_submissions.py,
tests/test_paper.py).
"""

import pytest

from app.domain import MAX_BENEFICIARIES, MAX_COST
from app.submissions.numbers import read_amount

EXAMPLE = "Tulis angka bulat saja, misalnya 1.500.000."


def refusal(typed: str, unit: str) -> str:
    with pytest.raises(ValueError) as refused:
        read_amount(typed, unit=unit)
    return str(refused.value.args[0])


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        # What the form has always read.
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("Rp 1.500.000", 1_500_000),
        ("rp1500000", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("0", 0),
        # Written as on an invoice or a budget sheet.
        ("Rp. 750.000.000,-", 750_000_000),
        ("Rp750.000.000", 750_000_000),
        ("Rp.75.000.000,-", 75_000_000),
        ("750.000.000.-", 750_000_000),
        ("IDR 1.500.000", 1_500_000),
        ("75 juta rupiah", 75_000_000),
        # Spoken amounts: a multiplier word or its short form, with or without a space.
        ("750 juta", 750_000_000),
        ("Rp 75 juta", 75_000_000),
        ("Rp75jt", 75_000_000),
        ("Rp 75 juta,-", 75_000_000),
        ("1,5 M", 1_500_000_000),
        ("1,5 miliar", 1_500_000_000),
        ("1.5 milyar", 1_500_000_000),
        ("2,25 jt", 2_250_000),
        ("1.500 juta", 1_500_000_000),
        ("2 T", 2_000_000_000_000),
        ("2 triliun", 2_000_000_000_000),
        ("500 rb", 500_000),
        ("500 ribu", 500_000),
        ("500k", 500_000),
        # An estimate says so; the field is an estimate already.
        ("±200 juta", 200_000_000),
        ("+/- 3 M", 3_000_000_000),
        ("kurang lebih 200 juta", 200_000_000),
        ("sekitar 2 juta", 2_000_000),
        ("kira-kira Rp 5 jt", 5_000_000),
        ("  Rp\u00a075\u00a0juta  ", 75_000_000),
        (f"{MAX_COST:,}".replace(",", "."), MAX_COST),
    ],
)
def test_rupiah_written_the_everyday_way_are_read(typed, value):
    assert read_amount(typed, unit="rupiah") == value


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("200", 200),
        ("1.250", 1_250),
        ("±200", 200),
        ("sekitar 200", 200),
        ("kurang lebih 200 orang", 200),
        ("200 orang", 200),
        ("200 jiwa", 200),
        ("2 ribu orang", 2_000),
        ("1,5 rb jiwa", 1_500),
        (str(MAX_BENEFICIARIES), MAX_BENEFICIARIES),
    ],
)
def test_people_written_the_everyday_way_are_read(typed, value):
    assert read_amount(typed, unit="people") == value


PHONE = "tampak seperti nomor telepon. Nomor telepon ditulis di kolom Nomor HP"
RANGE = "Tulis satu perkiraan saja, bukan rentang"


@pytest.mark.parametrize(
    ("typed", "unit", "message"),
    [
        ("(0285) 421093", "rupiah", f"“(0285) 421093” {PHONE}"),
        ("(0285) 421093", "people", f"“(0285) 421093” {PHONE}"),
        ("0812-3456-7890", "rupiah", f"“0812-3456-7890” {PHONE}"),
        ("+62 812 3456 7890", "people", f"“+62 812 3456 7890” {PHONE}"),
        ("dua ratus", "people", f"“dua ratus” ditulis dengan huruf. {EXAMPLE}"),
        ("seratus ribu", "rupiah", f"“seratus ribu” ditulis dengan huruf. {EXAMPLE}"),
        ("100-200", "people", f"{RANGE} (“100-200”), misalnya angka yang lebih besar."),
        ("1-2 juta", "rupiah", f"{RANGE} (“1-2 juta”)"),
        ("100 s.d. 200", "people", f"{RANGE} (“100 s.d. 200”)"),
        ("-5", "rupiah", f"Angka tidak boleh negatif (“-5”). {EXAMPLE}"),
        ("Rp -5.000", "rupiah", "Angka tidak boleh negatif (“-5.000”)."),
        ("1,5 orang", "people", f"“1,5” bukan angka bulat. {EXAMPLE}"),
        ("1.500,5", "rupiah", f"“1.500,5” bukan angka bulat. {EXAMPLE}"),
        ("1,0005 rb", "rupiah", "“1,0005 rb” bukan angka bulat."),
        ("1.5", "rupiah", "Bagian “1.5” tidak dipahami: titik memisahkan ribuan"),
        ("40 KK", "people", "Kolom ini menghitung orang, bukan keluarga (“KK”)."),
        ("40 keluarga", "people", "jumlah KK boleh disebut di uraian."),
        ("40 KK", "rupiah", f"Bagian “KK” tidak dipahami. {EXAMPLE}"),
        ("200 orang", "rupiah", "Bagian “orang” tidak dipahami."),
        ("1e5", "rupiah", "Bagian “e5” tidak dipahami."),
        ("1 juta 500 ribu", "rupiah", "Bagian “500 ribu” tidak dipahami."),
        ("²", "people", f"Bagian “²” tidak dipahami. {EXAMPLE}"),
        ("Rp", "rupiah", "“Rp” belum berisi angka."),
        ("<b>5</b>", "rupiah", "Bagian “<b>” tidak dipahami."),
        ("x" * 80, "rupiah", f"Bagian “{'x' * 29}…” tidak dipahami."),
        ("20 T", "rupiah", "Angka ini terlalu besar."),
        (str(MAX_COST + 1), "rupiah", "Angka ini terlalu besar."),
        ("20 juta", "people", "Angka ini terlalu besar."),
    ],
)
def test_refusals_name_the_part_not_understood(typed, unit, message):
    assert message in refusal(typed, unit)
