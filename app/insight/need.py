"""Need per kelurahan: the admin's import of aggregate figures, and their removal.

A need dataset is one measure for one year (for example "Rumah tangga desil 1-2
DTSEN", 2024), one whole number per kelurahan, supplied by the Bappeda as a CSV or
XLSX of code, name, figure, year and source. Rakor takes aggregates only, never data
person by person (UU 27/2022 on personal data): a file is refused whole when a
column looks person-level (NIK, No KK, nama kepala keluarga, tanggal lahir, alamat,
telepon...), when any cell holds a 16-digit number (a NIK or a KK number), when a cell
is filled in a column without a header, or when it has far more rows than the city has
kelurahan. Every column is read, up to the workbook cap of app/paper/limits.py. Then
every row is checked and every error is reported by row; nothing is stored unless every
row is right. Importing a measure and year already stored replaces its figures. Every
change is audited.

A kelurahan is named by its Kemendagri code (33.75.01.1002, or 3375011002), by its
name, or both, which must then agree; codes come from the map's boundary file
(app/insight/geo.py), since our regions carry none.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from app.audit import record
from app.extensions import db
from app.insight.geo import WardRef, normalised, ward_refs
from app.models import Kelurahan, User
from app.models.base import utcnow
from app.models.insight import NEED_MEASURE_MAX, NEED_SOURCE_MAX, NeedDataset, NeedFigure
from app.paper import limits
from app.services import Refused, transaction

# A file of 27 rows is a few kilobytes; the request's own cap (RAKOR_MAX_UPLOAD_BYTES) is
# meant for the largest uploads of the app.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Every column a workbook may fill (check_upload's cap), so that no column goes unread:
# a person-level column far to the right is refused like one beside the data.
MAX_COLUMNS = limits.MAX_COLUMNS
MAX_CELL_CHARS = 300
# A household list is hundreds of rows per kelurahan; a file of aggregates has one each.
ROWS_PER_KELURAHAN = 2
YEAR_MIN, YEAR_MAX = 2000, 2100
FIGURE_MAX = 2**31 - 1  # the column is an Integer

# Header words (letters and digits, lower case, joined by one space) -> column.
HEADERS = {
    "code": {
        "kode",
        "code",
        "kode kelurahan",
        "kode wilayah",
        "kode kemendagri",
        "kode desa",
        "kode desa kelurahan",
        "kelurahan code",
    },
    "name": {
        "nama",
        "name",
        "kelurahan",
        "nama kelurahan",
        "desa kelurahan",
        "nama desa kelurahan",
        "kelurahan name",
    },
    "figure": {"angka", "jumlah", "figure", "nilai", "value", "total"},
    "year": {"tahun", "year"},
    "source": {"sumber", "source", "sumber data"},
}
# Columns a spreadsheet often carries beside the data; read past, never stored.
IGNORED_HEADERS = {"no", "nomor", "no urut", "nomor urut", "number", "kecamatan", "nama kecamatan"}
# The key of such a column; a column with no header has the key None.
IGNORED = "ignored"
# A header holding one of these words, or one of these phrases, describes a person.
PERSONAL_WORDS = {
    "nik",
    "nkk",
    "nokk",
    "kk",
    "ttl",
    "nisn",
    "npwp",
    "hp",
    "telp",
    "tlp",
    "telepon",
    "telpon",
    "phone",
    "handphone",
    "whatsapp",
    "wa",
    "email",
    "alamat",
    "address",
    "rt",
    "rw",
    "gender",
    "sex",
    "jk",
}
PERSONAL_PHRASES = (
    "kartu keluarga",
    "kepala keluarga",
    "kepala rumah tangga",
    "nama krt",
    "nama art",
    "nama penerima",
    "nama anggota",
    "nama lengkap",
    "nama warga",
    "nama penduduk",
    "nama ibu",
    "nama ayah",
    "tanggal lahir",
    "tgl lahir",
    "tempat lahir",
    "jenis kelamin",
    "nomor induk",
    "no induk",
    "family card",
    "head of household",
    "date of birth",
    "birth date",
    "national id",
    "full name",
)
SIXTEEN_DIGITS = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
CODE = re.compile(r"([0-9]{2})\.?([0-9]{2})\.?([0-9]{2})\.?([0-9]{4})")
# "1234", "1.234" or "1 234" (thousands grouped as people type them).
WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}([. ][0-9]{3})+")


@dataclass(frozen=True)
class NeedRow:
    number: int  # the row as the spreadsheet shows it, the header row included
    kelurahan_id: int
    name: str
    figure: int


@dataclass(frozen=True)
class NeedFile:
    year: int
    source: str
    rows: tuple[NeedRow, ...]


@dataclass(frozen=True)
class DatasetLine:
    """A stored dataset as the admin's list shows it."""

    id: int
    measure: str
    year: int
    source: str
    wards: int
    total: int
    imported_by: str
    imported_at: datetime


# --- reading ---------------------------------------------------------------------------


def need_datasets() -> list[DatasetLine]:
    """Every dataset, latest year first, with its number of kelurahan and total."""
    query = (
        select(
            NeedDataset.id,
            NeedDataset.measure,
            NeedDataset.year,
            NeedDataset.source,
            func.count(NeedFigure.id),
            func.coalesce(func.sum(NeedFigure.figure), 0),
            User.name,
            NeedDataset.imported_at,
        )
        .outerjoin(NeedFigure, NeedFigure.dataset_id == NeedDataset.id)
        .outerjoin(User, User.id == NeedDataset.imported_by_id)
        .group_by(NeedDataset.id, User.name)
        .order_by(NeedDataset.year.desc(), NeedDataset.measure, NeedDataset.id)
    )
    return [
        DatasetLine(id_, measure, year, source, wards, int(total), name or "", imported_at)
        for id_, measure, year, source, wards, total, name, imported_at in db.session.execute(query)
    ]


# --- changing --------------------------------------------------------------------------


@transaction
def import_need(actor: User, *, measure: str, content: bytes) -> NeedDataset:
    """Store the file's figures as `measure` for the file's year, replacing a dataset of the
    same measure and year. Refused, storing nothing, when the file or any row is wrong,
    with `details["errors"]`: one sentence per problem, naming its row."""
    measure = " ".join(measure.split())
    if not measure:
        raise Refused("measure_required", _l("Tulis nama ukuran kebutuhan."), field="measure")
    if len(measure) > NEED_MEASURE_MAX:
        message = _l("Nama ukuran paling panjang %(max)d karakter.", max=NEED_MEASURE_MAX)
        raise Refused("measure_too_long", message, field="measure")
    need = check_need_file(read_table(content), ward_refs())
    dataset = db.session.scalar(
        select(NeedDataset).where(NeedDataset.measure == measure, NeedDataset.year == need.year)
    )
    before = dataset_state(dataset) if dataset is not None else None
    if dataset is None:
        dataset = NeedDataset(measure=measure, year=need.year)
        db.session.add(dataset)
    else:
        dataset.figures.clear()
        # The old figures go before the new ones arrive: (dataset, kelurahan) is unique.
        db.session.flush()
    dataset.source = need.source
    dataset.imported_by_id = actor.id
    dataset.imported_at = utcnow()
    dataset.figures.extend(
        NeedFigure(kelurahan_id=row.kelurahan_id, figure=row.figure) for row in need.rows
    )
    db.session.flush()
    record(
        actor,
        "replace" if before else "import",
        dataset,
        before=before,
        after=dataset_state(dataset),
    )
    return dataset


@transaction
def delete_need(actor: User, dataset: NeedDataset) -> None:
    record(actor, "delete", dataset, before=dataset_state(dataset))
    db.session.delete(dataset)


def dataset_state(dataset: NeedDataset) -> dict[str, Any]:
    """What the audit log keeps: the dataset and its figures by kelurahan (aggregates only)."""
    names = dict(db.session.execute(select(Kelurahan.id, Kelurahan.name)).all())
    return {
        "measure": dataset.measure,
        "year": dataset.year,
        "source": dataset.source,
        "figures": {
            names.get(figure.kelurahan_id, str(figure.kelurahan_id)): figure.figure
            for figure in sorted(dataset.figures, key=lambda f: f.kelurahan_id)
        },
    }


# --- the file --------------------------------------------------------------------------


def file_refused(message) -> Refused:
    return Refused("need_file", message, field="file", errors=[str(message)])


def read_table(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) of the first sheet of an XLSX, or of a CSV, blank rows skipped."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise file_refused(
            _l("Berkas lebih besar dari 2 MB. Data kebutuhan per kelurahan jauh lebih kecil.")
        )
    if not content.strip():
        raise file_refused(_l("Berkas kosong."))
    rows = xlsx_rows(content) if content.startswith(b"PK\x03\x04") else csv_rows(content)
    for number, cells in rows:
        # A sheet is read one column past the cap; cells left empty at the end do not count.
        cells = tuple(cells)
        while cells and blank(cells[-1]):
            cells = cells[:-1]
        if len(cells) > MAX_COLUMNS:
            raise file_refused(
                _l("Baris %(row)s berisi lebih dari %(max)s kolom.", row=number, max=MAX_COLUMNS)
            )
        for column, value in enumerate(cells, 1):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise file_refused(
                    _l(
                        "Baris %(row)s, kolom %(column)s: isian lebih dari %(max)s karakter.",
                        row=number,
                        column=get_column_letter(column),
                        max=MAX_CELL_CHARS,
                    )
                )
        if cells:
            yield number, cells


def not_readable() -> Refused:
    return file_refused(
        _l(
            "Berkas tidak dapat dibaca. Simpan sebagai Excel Workbook (.xlsx) atau CSV UTF-8 "
            "(.csv), lalu unggah lagi."
        )
    )


def xlsx_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    # The workbook's caps first (app/paper/limits.py): a few kilobytes of zip may unpack
    # into hundreds of megabytes.
    try:
        limits.check_upload(content)
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Refused as refused:
        raise file_refused(refused.message) from None
    except Exception as error:  # zipfile, defusedxml and openpyxl raise many kinds
        raise not_readable() from error
    try:
        if not workbook.worksheets:
            raise not_readable()
        sheet = workbook.worksheets[0]
        # The size the sheet declares, when it declares one, may already pass the cap.
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise file_refused(
                _l("Lembar pertama berisi lebih dari %(max)s kolom.", max=MAX_COLUMNS)
            )
        # It may also understate: read on to the real end, one column past the cap.
        sheet.reset_dimensions()
        try:
            yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), 1)
        except Refused:
            raise
        except Exception as error:  # a sheet whose XML breaks halfway through
            raise not_readable() from error
    finally:
        workbook.close()


def csv_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_readable() from None
    # No one types a NUL; PostgreSQL refuses it in text.
    text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    # A spreadsheet set to Indonesian saves CSV with semicolons (the comma is the decimal mark).
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, tuple(cells)
    except csv.Error:
        raise file_refused(
            _l(
                "Baris %(row)s tidak terbaca: ada tanda kutip yang tidak ditutup atau sel yang "
                "terlalu panjang.",
                row=reader.line_num + 1,
            )
        ) from None


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as typed: whole numbers without '.0', dates as YYYY-MM-DD."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def header_words(header: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header.casefold()).split())


def is_personal(words: str) -> bool:
    padded = f" {words} "
    return bool(set(words.split()) & PERSONAL_WORDS) or any(
        f" {phrase} " in padded for phrase in PERSONAL_PHRASES
    )


def column_keys(number: int, cells: tuple[Any, ...]) -> list[str | None]:
    """The header row as column keys; refused, naming the column, when one looks personal,
    is not known, or repeats."""
    keys: list[str | None] = []
    for column, value in enumerate(cells, 1):
        header = as_text(value)
        words = header_words(header)
        if not words:
            keys.append(None)
            continue
        if is_personal(words):
            raise file_refused(
                _l(
                    "Kolom %(column)s “%(header)s” berisi data perorangan. Data kebutuhan "
                    "diimpor sebagai angka per kelurahan saja, tanpa NIK, nomor KK, nama, "
                    "tanggal lahir, alamat atau nomor telepon. Hapus kolom itu; berkas ini "
                    "tidak disimpan.",
                    column=get_column_letter(column),
                    header=header,
                )
            )
        if words in IGNORED_HEADERS:
            keys.append(IGNORED)
            continue
        key = next((k for k, names in HEADERS.items() if words in names), None)
        if key is None:
            raise file_refused(
                _l(
                    "Kolom %(column)s “%(header)s” tidak dikenal. Kolom yang diterima: kode, "
                    "nama (kelurahan), angka (jumlah), tahun, sumber.",
                    column=get_column_letter(column),
                    header=header,
                )
            )
        if key in keys:
            raise file_refused(
                _l(
                    "Kolom %(column)s “%(header)s” muncul dua kali.",
                    column=get_column_letter(column),
                    header=header,
                )
            )
        keys.append(key)
    missing = []
    if "code" not in keys and "name" not in keys:
        missing.append(_("kode atau nama"))
    for key, label in (("figure", _("angka")), ("year", _("tahun"))):
        if key not in keys:
            missing.append(label)
    if missing:
        raise file_refused(
            _l(
                "Baris judul (baris %(row)s) tidak memuat kolom %(names)s. Kolom yang diterima: "
                "kode, nama (kelurahan), angka (jumlah), tahun, sumber.",
                row=number,
                names=", ".join(missing),
            )
        )
    return keys


def check_no_identity_numbers(number: int, cells: tuple[Any, ...]) -> None:
    for column, value in enumerate(cells, 1):
        typed = as_text(value)
        if SIXTEEN_DIGITS.search(typed) or SIXTEEN_DIGITS.fullmatch(re.sub(r"[\s.\-]", "", typed)):
            raise file_refused(
                _l(
                    "Baris %(row)s, kolom %(column)s berisi angka 16 digit, seperti NIK atau "
                    "nomor KK. Data kebutuhan diimpor sebagai angka per kelurahan saja, tanpa data "
                    "perorangan; berkas ini tidak disimpan.",
                    row=number,
                    column=get_column_letter(column),
                )
            )


def check_no_unheaded_cells(number: int, cells: tuple[Any, ...], keys: list[str | None]) -> None:
    """Refused when a cell is filled in a column without a header: nothing may be read past
    unchecked, since a column nobody named could hold names or addresses."""
    for column, value in enumerate(cells, 1):
        if not blank(value) and (column > len(keys) or keys[column - 1] is None):
            raise file_refused(
                _l(
                    "Baris %(row)s, kolom %(column)s berisi isian, tetapi kolom itu tidak punya "
                    "judul. Kolom yang diterima: kode, nama (kelurahan), angka (jumlah), tahun, "
                    "sumber. Hapus isian itu; berkas ini tidak disimpan.",
                    row=number,
                    column=get_column_letter(column),
                )
            )


def check_need_file(
    table: Iterator[tuple[int, tuple[Any, ...]]], refs: dict[str, WardRef]
) -> NeedFile:
    """The file's rows, checked all at once; refused with every row's errors."""
    by_name = {normalised(ref.name): ref for ref in refs.values()}
    max_rows = max(ROWS_PER_KELURAHAN * len(refs), 10)
    keys: list[str | None] | None = None
    errors: list[str] = []
    rows: list[NeedRow] = []
    seen: dict[int, int] = {}  # kelurahan id -> the row that named it
    file_year: tuple[int, int] | None = None  # (year, the first row giving it)
    sources: list[str] = []
    data_rows = 0
    for number, cells in table:
        check_no_identity_numbers(number, cells)
        if keys is None:
            keys = column_keys(number, cells)
            continue
        data_rows += 1
        if data_rows > max_rows:
            raise file_refused(
                _l(
                    "Berkas berisi lebih dari %(max)s baris data, jauh lebih banyak dari jumlah "
                    "kelurahan (%(wards)s). Data kebutuhan diimpor sebagai satu angka per "
                    "kelurahan, bukan per orang atau per rumah tangga.",
                    max=max_rows,
                    wards=len(refs),
                )
            )
        check_no_unheaded_cells(number, cells, keys)
        values = {
            key: as_text(value)
            for key, value in zip(keys, cells, strict=False)
            if key and key != IGNORED
        }
        ref = row_kelurahan(number, values, refs, by_name, errors)
        figure = row_figure(number, values.get("figure", ""), errors)
        year = row_year(number, values.get("year", ""), errors)
        if year is not None and file_year is None:
            file_year = (year, number)
        elif year is not None and year != file_year[0]:
            other, at = file_year
            errors.append(
                _(
                    "Baris %(row)s: tahun %(year)s berbeda dengan tahun %(other)s di baris "
                    "%(at)s. Satu berkas berisi angka satu tahun.",
                    row=number,
                    year=year,
                    other=other,
                    at=at,
                )
            )
        source = " ".join(values.get("source", "").split())
        if source and source not in sources:
            sources.append(source)
        if ref is not None:
            if ref.kelurahan_id in seen:
                errors.append(
                    _(
                        "Baris %(row)s: kelurahan %(name)s sudah ada di baris %(first)s.",
                        row=number,
                        name=ref.name,
                        first=seen[ref.kelurahan_id],
                    )
                )
            seen.setdefault(ref.kelurahan_id, number)
        if ref is not None and figure is not None:
            rows.append(NeedRow(number, ref.kelurahan_id, ref.name, figure))
    if keys is None or not data_rows:
        raise file_refused(
            _l("Berkas tidak berisi data: perlu baris judul dan satu baris per kelurahan.")
        )
    source = "; ".join(sources)
    if len(source) > NEED_SOURCE_MAX:
        errors.append(_("Sumber paling panjang %(max)d karakter.", max=NEED_SOURCE_MAX))
    if errors or file_year is None:
        raise Refused(
            "need_rows",
            _l("Berkas tidak diimpor. Perbaiki baris berikut lalu unggah lagi seluruh berkas."),
            field="file",
            errors=errors,
        )
    return NeedFile(year=file_year[0], source=source, rows=tuple(rows))


def row_kelurahan(
    number: int,
    values: dict[str, str],
    refs: dict[str, WardRef],
    by_name: dict[str, WardRef],
    errors: list[str],
) -> WardRef | None:
    code, name = values.get("code", ""), values.get("name", "")
    if not code and not name:
        errors.append(_("Baris %(row)s: kode dan nama kelurahan kosong.", row=number))
        return None
    named = (
        by_name.get(normalised(name.removeprefix("Kelurahan ").removeprefix("kelurahan ")))
        if name
        else None
    )
    if code:
        match = CODE.fullmatch(code.replace(" ", ""))
        ref = refs.get(".".join(match.groups())) if match else None
        if ref is None:
            errors.append(_("Baris %(row)s: kode %(code)s tidak dikenal.", row=number, code=code))
            return None
        if name and named is not ref:
            errors.append(
                _(
                    "Baris %(row)s: nama %(name)s tidak sesuai kode %(code)s (%(expected)s).",
                    row=number,
                    name=name,
                    code=ref.code,
                    expected=ref.name,
                )
            )
            return None
        return ref
    if named is None:
        errors.append(_("Baris %(row)s: kelurahan %(name)s tidak dikenal.", row=number, name=name))
    return named


def row_figure(number: int, typed: str, errors: list[str]) -> int | None:
    if not WHOLE.fullmatch(typed):
        if not typed:
            errors.append(_("Baris %(row)s: angka kosong.", row=number))
        else:
            errors.append(_("Baris %(row)s: angka harus bilangan bulat 0 atau lebih.", row=number))
        return None
    figure = int(re.sub(r"[. ]", "", typed))
    if figure > FIGURE_MAX:
        errors.append(_("Baris %(row)s: angka terlalu besar.", row=number))
        return None
    return figure


def row_year(number: int, typed: str, errors: list[str]) -> int | None:
    if not typed:
        errors.append(_("Baris %(row)s: tahun kosong.", row=number))
        return None
    if not re.fullmatch(r"[0-9]{4}", typed) or not YEAR_MIN <= int(typed) <= YEAR_MAX:
        errors.append(
            _(
                "Baris %(row)s: tahun harus angka empat digit antara %(low)s dan %(high)s.",
                row=number,
                low=YEAR_MIN,
                high=YEAR_MAX,
            )
        )
        return None
    return int(typed)
