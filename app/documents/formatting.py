"""Indonesian formatting for the documents, usable outside a request.

The official record is always written in Indonesian, whatever language the
person asking for it reads the workspace in: every document is built and
rendered inside `document_locale()`. Numbers follow Babel's `id` locale
("6,94", "1.500"); the indicator figures always show two decimals ("6,50").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from flask_babel import force_locale, format_date, format_decimal

from app.domain import grouped_nip

DOCUMENT_LOCALE = "id"


@contextmanager
def document_locale() -> Iterator[None]:
    """Indonesian labels and formats, in a request, a CLI command or an RQ worker."""
    with force_locale(DOCUMENT_LOCALE):
        yield


def figure(value: Decimal | float | None) -> str:
    """An indicator figure with two decimals: '6,94', '6,50'; empty when unknown."""
    return "" if value is None else format_decimal(value, format="#,##0.00")


def signed_figure(value: Decimal | float | None) -> str:
    """'+0,65' or '−0,31' (a real minus sign, as printed tables use)."""
    if value is None:
        return ""
    text = figure(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"\u2212{text}"
    return text


def change_figure(value: Decimal | float | None) -> str:
    """A change that went the right way as a plain figure ('0,59'), the wrong way with a minus."""
    if value is None:
        return ""
    return figure(value) if value >= 0 else signed_figure(value)


def count(value: int | None) -> str:
    """A whole number with the thousands dot: '1.500'."""
    return "" if value is None else format_decimal(value)


def day_month_year(value: date | None) -> str:
    """'30 Juni 2024' (a deadline: the weekday adds nothing there)."""
    return format_date(value, "d MMMM y") if value else ""


def nip(value: str | None) -> str:
    """'19850312 201001 2 015'; see app.domain.grouped_nip."""
    return grouped_nip(value)


def paragraphs(text: str | None) -> tuple[str, ...]:
    """A typed text as its non-empty lines: each becomes one paragraph in the document.

    The note-taker's own numbering ("1. ...") and line breaks are kept as typed.
    """
    if not text:
        return ()
    return tuple(line.strip() for line in text.splitlines() if line.strip())


FILTERS = {
    "figure": figure,
    "signed_figure": signed_figure,
    "change_figure": change_figure,
    "count": count,
    "day_month_year": day_month_year,
    "nip": nip,
}
