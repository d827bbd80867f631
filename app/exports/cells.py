"""The pieces every export is written with: CSV dialects and values, guarded cells.

No cell can become a formula in a spreadsheet: CSV text beginning with = + - @, a
tab or a carriage return gets a leading apostrophe, and XLSX text is always written
as a string cell.
"""

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from flask_babel import to_user_timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

# A piece of text that starts (after a separator and spaces) with a formula character.
FORMULA_PIECE = re.compile(r"(^|[;,])( *)(?=[=+\-@\t\r])")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


@dataclass(frozen=True)
class CsvDialect:
    name: str  # added to the file name: "" or "-excel"
    delimiter: str
    decimal_mark: str


PLAIN_CSV = CsvDialect("", ",", ".")
# Excel with Indonesian regional settings: list separator ";", decimal comma.
EXCEL_CSV = CsvDialect("-excel", ";", ",")


def local_time(value: datetime | None) -> datetime | None:
    """The meeting's wall-clock time, without a zone (spreadsheets have none)."""
    if value is None:
        return None
    return to_user_timezone(value).replace(tzinfo=None)


def neutralised(value: Any) -> Any:
    """CSV text a spreadsheet could run as a formula gets an apostrophe before it.

    Not only at the start: opened with ";" as the list separator (the Indonesian
    default) or ",", every piece between separators is a cell of its own, so each
    piece that starts with a formula character is guarded too.
    """
    if isinstance(value, str):
        return FORMULA_PIECE.sub(r"\1\2'", value)
    return value


def csv_writer(buffer: IO[str], dialect: CsvDialect):
    return csv.writer(
        buffer, delimiter=dialect.delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n"
    )


def csv_text(value: Any, dialect: CsvDialect = PLAIN_CSV) -> str:
    """A value as CSV text: whole numbers without grouping, fractions with the dialect's
    decimal mark ('6,94' for Excel in Indonesian), times and dates as ISO, which every
    Excel reads as a date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", dialect.decimal_mark)
    return str(value)


def csv_line(values: list[Any], dialect: CsvDialect) -> list[str]:
    return [neutralised(csv_text(value, dialect)) for value in values]


# --- XLSX -------------------------------------------------------------------------------------
# openpyxl's WriteOnlyCell is a plain Cell made for a write-only sheet: one set of helpers
# fills both kinds.


def write_only_cell(sheet, value: Any) -> Cell:
    cell = WriteOnlyCell(sheet)
    return styled(cell, value)


def write_only_text_cell(sheet, value: Any, font: Font | None = None) -> Cell:
    return text_into(WriteOnlyCell(sheet), value, font)


def styled(cell: Cell, value: Any) -> Cell:
    """`value` into `cell`: a date, a time or a whole number as such, anything else as text."""
    if value is None:
        cell.value = None
    elif isinstance(value, datetime):
        cell.value = value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = "#,##0"
    else:
        text_into(cell, value)
    return cell


def text_into(cell: Cell, value: Any, font: Font | None = None) -> Cell:
    """A string cell, whatever the text looks like: never a formula, never an error code.

    The cell's type says so, so the text is stored as typed, without an apostrophe.
    """
    # Control characters other than tab and line breaks are not allowed in the file format.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.data_type = "s"  # "#N/A" would otherwise become an error cell
    if font is not None:
        cell.font = font
    return cell
