"""Document numbers (nomor naskah dinas), given once at finalisation.

A number is built from the kind's pattern, set by an admin from the document's
classification code (Permendagri 83/2022), for example
"000.1.4/{seq}/Bappeda/{month_roman}/{year}". The sequence runs per kind and per
year. A number is issued inside the finalising transaction, is unique, and is
never reused: a meeting that is reopened and finalised again keeps the numbers it
was given, and a number once issued belongs to its meeting for good.
"""

import string
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from app.domain import DOCUMENT_LABELS
from app.extensions import db
from app.models import DocumentNumber, DocumentSetting, User
from app.services import Refused

PLACEHOLDERS = ("seq", "year", "month", "month_roman")
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
PATTERN_MAX = 200
# The defaults `flask seed` stores; an admin replaces them with the city's own codes.
DEFAULT_PATTERNS = {
    "minutes": "000.1.4/{seq}/Bappeda/{month_roman}/{year}",
    "berita_acara": "000.1.4/{seq}/BA/Bappeda/{month_roman}/{year}",
    "laporan": "000.1.4/{seq}/Lap/Bappeda/{month_roman}/{year}",
}


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot number documents (in the user's words), or None when it can."""
    if len(pattern) > PATTERN_MAX:
        return str(_l("Pola nomor paling panjang %(max)d karakter.", max=PATTERN_MAX))
    try:
        parsed = [part for part in string.Formatter().parse(pattern) if part[1] is not None]
    except ValueError:
        return str(_l("Kurung kurawal pada pola nomor tidak berpasangan."))
    fields = [name for _, name, _, _ in parsed]
    unknown = [name for name in fields if name not in PLACEHOLDERS]
    if unknown:
        return str(
            _l(
                "Pola nomor memuat {%(name)s} yang tidak dikenal. Yang dapat dipakai: %(known)s.",
                name=unknown[0],
                known=", ".join("{" + name + "}" for name in PLACEHOLDERS),
            )
        )
    if any(spec or conversion for _, _, spec, conversion in parsed):
        return str(_l("Tulis isian pola nomor tanpa format tambahan, misalnya {seq}."))
    if "seq" not in fields:
        return str(_l("Pola nomor harus memuat {seq}, nomor urut dokumen."))
    # The sequence starts again each year: without the year, next year's numbers would
    # repeat this year's.
    if "year" not in fields:
        return str(_l("Pola nomor harus memuat {year}: nomor urut dimulai lagi setiap tahun."))
    return None


def format_number(pattern: str, sequence: int, when: date) -> str:
    """'000.1.4/7/Bappeda/I/2024' from the pattern, a sequence number and a date."""
    return pattern.format(
        seq=sequence,
        year=when.year,
        month=f"{when.month:02d}",
        month_roman=ROMAN_MONTHS[when.month - 1],
    )


def next_sequence(kind: str, year: int) -> int:
    """The sequence number the kind's next document of that year takes."""
    last = db.session.scalar(
        select(func.max(DocumentNumber.sequence)).where(
            DocumentNumber.kind == kind, DocumentNumber.year == year
        )
    )
    return (last or 0) + 1


def issued_numbers(meeting_id: int) -> dict[str, str]:
    """The numbers a meeting's documents were given, by kind."""
    query = select(DocumentNumber.kind, DocumentNumber.number).where(
        DocumentNumber.meeting_id == meeting_id
    )
    return dict(db.session.execute(query).all())


def issue_numbers(meeting_id: int, actor: User | None, when: date) -> dict[str, str]:
    """Give the meeting a number for every numbered kind it has none for yet.

    Called inside the finalising transaction. Each kind's setting row is locked
    first (an UPDATE that changes nothing), so two meetings finalised at the same
    moment take consecutive numbers instead of the same one.
    """
    numbers = issued_numbers(meeting_id)
    settings = db.session.execute(
        select(DocumentSetting.kind, DocumentSetting.number_pattern)
        .where(DocumentSetting.number_pattern != "")
        .order_by(DocumentSetting.kind)
    ).all()
    for kind, pattern in settings:
        if kind in numbers or pattern_problem(pattern):
            continue
        db.session.execute(
            text("UPDATE document_setting SET kind = kind WHERE kind = :kind"), {"kind": kind}
        )
        sequence = next_sequence(kind, when.year)
        number = format_number(pattern, sequence, when)
        if db.session.scalar(select(DocumentNumber.id).where(DocumentNumber.number == number)):
            raise Refused(
                "number_taken",
                _l(
                    "Nomor %(number)s sudah dipakai dokumen lain. Periksa pola nomor %(kind)s.",
                    number=number,
                    kind=DOCUMENT_LABELS[kind],
                ),
            )
        db.session.add(
            DocumentNumber(
                meeting_id=meeting_id,
                kind=kind,
                year=when.year,
                sequence=sequence,
                number=number,
                issued_by_id=actor.id if actor else None,
            )
        )
        numbers[kind] = number
    db.session.flush()
    return numbers
