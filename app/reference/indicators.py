"""The poverty indicators: admins keep each year's target and actual figure.

By form (one row per year) or by CSV import with the columns of
app/reference_data/indicators.csv (indicator,unit,year,target,actual,source).
Figures take a decimal comma or dot ("6,94" or "6.94"); a thousands dot is
understood next to a decimal comma ("1.500,25") or when there are several
("1.500.000"). An import is all or nothing: any bad row rejects the file and
every error is reported with its row number. Every change is audited in the
same transaction.

`indicators_overview()` is the one way to read the figures: this admin page and
the evaluation summary both list them through it.
"""

import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit import record, snapshot
from app.extensions import db
from app.models import Indicator, IndicatorValue, User
from app.services import Refused, transaction

NAME_MAX = 200
UNIT_MAX = 40
SOURCE_MAX = 300
YEAR_MIN, YEAR_MAX = 1990, 2100
FIGURE_LIMIT = Decimal("10000000000")  # Numeric(12, 2)
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 5000
CSV_COLUMNS = ("indicator", "unit", "year", "target", "actual", "source")
VALUE_FIELDS = ("indicator_id", "year", "target", "actual", "source")
# Digits 0-9 only: \d and str.isdigit() also take "²" or "٣", which int() and
# Decimal() then refuse or read in their own way.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
YEAR = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class ValueData:
    year: int
    target: Decimal | None
    actual: Decimal | None
    source: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    indicators_created: list[str] = field(default_factory=list)


def parse_figure(text: str | None) -> Decimal | None:
    """'6,94', '6.94', '1.500,5' or '1.500.000' as a Decimal; empty is None.

    Raises ValueError with a message for the person who typed it.
    """
    text = (text or "").strip().replace(" ", "").replace("\u2212", "-")
    if not text:
        return None
    if "," in text:
        normalised = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1:
        normalised = text.replace(".", "")
    else:
        normalised = text
    if not PLAIN_NUMBER.fullmatch(normalised):
        raise ValueError(_("Tulis angka, misalnya 6,94."))
    try:
        value = Decimal(normalised)
    except InvalidOperation as error:
        raise ValueError(_("Tulis angka, misalnya 6,94.")) from error
    if value.as_tuple().exponent < -2:
        raise ValueError(_("Paling banyak dua angka di belakang koma."))
    if abs(value) >= FIGURE_LIMIT:
        raise ValueError(_("Angka terlalu besar."))
    return value


def parse_year(text: str | None) -> int:
    text = (text or "").strip()
    if not YEAR.fullmatch(text) or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise ValueError(_("Tahun antara %(low)d dan %(high)d.", low=YEAR_MIN, high=YEAR_MAX))
    return int(text)


# --- reading -------------------------------------------------------------------------


def indicators_overview() -> list[Indicator]:
    """Every indicator in its order, each with its yearly values (sorted by year)."""
    query = select(Indicator).options(selectinload(Indicator.values))
    return list(db.session.scalars(query.order_by(Indicator.position, Indicator.name)))


def value_state(value: IndicatorValue) -> dict:
    return snapshot(value, VALUE_FIELDS)


# --- changing by form ----------------------------------------------------------------


@transaction
def update_value(actor: User, value: IndicatorValue, data: ValueData) -> IndicatorValue:
    _check_year_free(value.indicator_id, data.year, keep=value.id)
    before = value_state(value)
    _apply(value, data)
    after = value_state(value)
    if after != before:
        record(actor, "update", value, before=before, after=after)
    return value


@transaction
def add_value(
    actor: User,
    data: ValueData,
    *,
    indicator_id: int | None = None,
    new_name: str = "",
    unit: str = "",
) -> IndicatorValue:
    """A year for an existing indicator, or the first year of a new one."""
    if indicator_id is not None:
        indicator = db.session.get(Indicator, indicator_id)
        if indicator is None:
            message = _l("Pilih indikator dari daftar.")
            raise Refused("unknown_indicator", message, field="indicator")
    else:
        name = new_name.strip()
        if not name:
            message = _l("Pilih indikator atau tulis nama indikator baru.")
            raise Refused("indicator_required", message, field="new_name")
        indicator = _find_or_create_indicator(actor, name, unit.strip())
    _check_year_free(indicator.id, data.year)
    value = IndicatorValue(indicator_id=indicator.id, year=data.year)
    _apply(value, data)
    db.session.add(value)
    db.session.flush()
    record(actor, "create", value, after=value_state(value))
    return value


@transaction
def delete_value(actor: User, value: IndicatorValue) -> None:
    record(actor, "delete", value, before=value_state(value))
    db.session.delete(value)


def _apply(value: IndicatorValue, data: ValueData) -> None:
    value.year = data.year
    value.target = data.target
    value.actual = data.actual
    value.source = data.source.strip()[:SOURCE_MAX]


def _check_year_free(indicator_id: int, year: int, keep: int | None = None) -> None:
    query = select(IndicatorValue.id).where(
        IndicatorValue.indicator_id == indicator_id, IndicatorValue.year == year
    )
    if keep is not None:
        query = query.where(IndicatorValue.id != keep)
    if db.session.scalar(query) is not None:
        message = _l("Tahun %(year)d sudah ada untuk indikator ini.", year=year)
        raise Refused("year_taken", message, field="year")


def _find_or_create_indicator(actor: User, name: str, unit: str) -> Indicator:
    indicator = db.session.scalar(select(Indicator).where(Indicator.name == name))
    if indicator is not None:
        return indicator
    position = (db.session.scalar(select(func.max(Indicator.position))) or 0) + 1
    indicator = Indicator(name=name[:NAME_MAX], unit=unit[:UNIT_MAX], position=position)
    db.session.add(indicator)
    db.session.flush()
    record(actor, "create", indicator, after=snapshot(indicator, ("name", "unit", "position")))
    return indicator


# --- CSV import ----------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRow:
    number: int
    indicator: str
    unit: str
    year: int
    target: Decimal | None
    actual: Decimal | None
    source: str


@transaction
def import_csv(actor: User, content: bytes) -> ImportResult:
    """Create or update one value per row; on any error nothing is changed.

    Refused with code "import_rejected" and `details["errors"]`, a list of
    (row number, message) with the header as row 1 and 0 for the whole file.

    An empty target or actual cell leaves a figure already stored as it is
    (a CSV exported before the figure was known must not erase it).
    """
    rows = read_csv_rows(content)
    result = ImportResult()
    indicators = {i.name: i for i in db.session.scalars(select(Indicator))}
    for row in rows:
        indicator = indicators.get(row.indicator)
        if indicator is None:
            indicator = _find_or_create_indicator(actor, row.indicator, row.unit)
            indicators[row.indicator] = indicator
            result.indicators_created.append(row.indicator)
        elif row.unit and indicator.unit != row.unit:
            before = snapshot(indicator, ("unit",))
            indicator.unit = row.unit
            record(actor, "update", indicator, before=before, after=snapshot(indicator, ("unit",)))
        value = db.session.scalar(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == indicator.id, IndicatorValue.year == row.year
            )
        )
        if value is None:
            value = IndicatorValue(
                indicator_id=indicator.id,
                year=row.year,
                target=row.target,
                actual=row.actual,
                source=row.source,
            )
            db.session.add(value)
            db.session.flush()
            record(actor, "import", value, after=value_state(value))
            result.created += 1
            continue
        before = value_state(value)
        if row.target is not None:
            value.target = row.target
        if row.actual is not None:
            value.actual = row.actual
        if row.source:
            value.source = row.source
        after = value_state(value)
        if after != before:
            record(actor, "import", value, before=before, after=after)
            result.updated += 1
    return result


def rejected(errors: list[tuple[int, str]]) -> Refused:
    message = _l("Berkas tidak diimpor. Perbaiki baris berikut lalu unggah lagi.")
    return Refused("import_rejected", message, field="file", errors=errors)


def read_csv_rows(content: bytes) -> list[CsvRow]:
    """Every row checked; all errors at once, by row number (the header is row 1)."""
    if len(content) > IMPORT_MAX_BYTES:
        raise rejected([(0, _("Berkas terlalu besar (paling besar 1 MB)."))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise rejected([(0, _("Simpan berkas sebagai CSV UTF-8."))]) from None
    # No one types a NUL; PostgreSQL refuses it in text. Dropped, as the forms drop it.
    text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    # A spreadsheet set to Indonesian saves CSV with semicolons (the comma is the decimal mark).
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error:
        raise rejected([(1, unreadable_row())]) from None
    missing = [name for name in ("indicator", "year") if name not in header]
    if missing:
        message = _("Baris judul harus berisi kolom: %(columns)s.", columns=", ".join(CSV_COLUMNS))
        raise rejected([(1, message)])
    reader.fieldnames = header
    errors: list[tuple[int, str]] = []
    rows: list[CsvRow] = []
    seen: dict[tuple[str, int], int] = {}
    for number, raw in numbered_records(reader):
        if raw is None:
            errors.append((number, unreadable_row()))
            break
        if number - 1 > IMPORT_MAX_ROWS:
            errors.append((number, _("Paling banyak %(count)d baris.", count=IMPORT_MAX_ROWS)))
            break
        cells = {key: (value or "").strip() for key, value in raw.items() if key}
        if not any(cells.values()):
            continue
        row_errors, row = check_row(number, cells)
        if row is not None:
            key = (row.indicator, row.year)
            if key in seen:
                message = _("Indikator dan tahun ini sudah ada di baris %(row)d.", row=seen[key])
                row_errors.append(message)
            seen.setdefault(key, number)
        errors.extend((number, message) for message in row_errors)
        if row is not None and not row_errors:
            rows.append(row)
    if errors:
        raise rejected(errors)
    if not rows:
        raise rejected([(0, _("Berkas tidak berisi data."))])
    return rows


def numbered_records(reader: csv.DictReader) -> Iterator[tuple[int, dict | None]]:
    """(row number, cells) of each record, the header being row 1; then, for a record
    the csv module cannot read, (its number, None) and the end.

    The csv module stops at a cell over its 128 KiB limit. No cell of ours is near
    that long, so the row is refused rather than the module's limit raised.
    """
    records = iter(reader)
    for number in itertools.count(2):
        try:
            raw = next(records)
        except StopIteration:
            return
        except csv.Error:
            yield number, None
            return
        yield number, raw


def unreadable_row() -> str:
    return _("Tidak terbaca: ada sel yang terlalu panjang atau tanda kutip yang tidak ditutup.")


def check_row(number: int, cells: dict[str, str]) -> tuple[list[str], CsvRow | None]:
    errors = []
    name = cells.get("indicator", "")
    if not name:
        errors.append(_("Kolom indicator kosong."))
    elif len(name) > NAME_MAX:
        errors.append(_("Nama indikator paling panjang %(max)d karakter.", max=NAME_MAX))
    unit = cells.get("unit", "")
    if len(unit) > UNIT_MAX:
        errors.append(_("Satuan paling panjang %(max)d karakter.", max=UNIT_MAX))
    source = cells.get("source", "")
    if len(source) > SOURCE_MAX:
        errors.append(_("Sumber paling panjang %(max)d karakter.", max=SOURCE_MAX))
    parsed = {}
    for column, parse in (("year", parse_year), ("target", parse_figure), ("actual", parse_figure)):
        try:
            parsed[column] = parse(cells.get(column, ""))
        except ValueError as error:
            errors.append(f"{column}: {error}")
    if errors or "year" not in parsed:
        return errors, None
    row = CsvRow(number, name, unit, parsed["year"], parsed["target"], parsed["actual"], source)
    return errors, row
