"""Numbers and dates written out in Indonesian words, as a berita acara states its date.

"Pada hari ini Selasa tanggal dua puluh tiga bulan Januari tahun dua ribu dua puluh
empat": an official record spells the date out so that it cannot be altered with a
stroke of the pen. The words come from num2words' Indonesian; the names of days and
months from Babel's `id` locale, whatever language the reader works in.
"""

import re
from datetime import date

from babel.dates import format_date
from num2words import num2words

LOCALE = "id"
# num2words writes 1.001.000 as "satu juta satu ribu"; Indonesian says "seribu" for a
# thousands group of exactly one, as it does at the start ("seribu", "seribu satu").
# A group that only ends in one keeps "satu ribu": "dua puluh satu ribu".
_ONE_THOUSAND = re.compile(r"\b(juta|miliar|triliun|kuadriliun) satu ribu\b")


def number_in_words(n: int) -> str:
    """'dua ribu dua puluh empat' for 2024, 'seribu' for 1000, 'nol' for 0."""
    words = num2words(int(n), lang=LOCALE)
    words = _ONE_THOUSAND.sub(r"\1 seribu", words)
    if words.startswith("satu ribu"):
        words = "seribu" + words[len("satu ribu") :]
    return words


def date_in_words(d: date) -> str:
    """'Selasa tanggal dua puluh tiga bulan Januari tahun dua ribu dua puluh empat'."""
    weekday = format_date(d, "EEEE", locale=LOCALE)
    month = format_date(d, "LLLL", locale=LOCALE)
    return (
        f"{weekday} tanggal {number_in_words(d.day)} bulan {month} tahun {number_in_words(d.year)}"
    )
