"""The invitation list as an Excel workbook: the template to download, and the import.

Columns are found by their heading, in any order, Indonesian or English, case and
spacing aside: Nama, Jabatan, Unit/Instansi, Nomor HP, L/P. Only Nama is required;
other columns (a "No" numbering one, say) are passed over. Each row is checked by the
desk's own form (AttendeeForm), so a row takes exactly what a line typed at the desk
takes, with the same words when it does not. Every row is checked before anything is
stored: one wrong row and nothing is, and the message names each row and column.

A file is checked against the paper import's caps (app/paper/limits.py) before
openpyxl opens it, then read in read-only mode, so a small file cannot unpack into
more time or memory than a real list takes.
"""

import re
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from werkzeug.datastructures import MultiDict

from app.attendance.forms import AttendeeForm, attendee_data
from app.attendance.services import AttendeeData
from app.i18n import number as format_number
from app.paper import limits
from app.services import Refused

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1_000  # invitees in one file; a city's rakor invites a hundred or two
MAX_SCANNED_ROWS = 5_000  # blank rows included: stop well before a sheet's million
READ_COLUMNS = 20
ERRORS_SHOWN = 20
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # lazy: the template's headings are in the user's language
    width: int
    accepted: tuple[str, ...]  # headings read as this column, folded


COLUMNS = (
    Column("name", _l("Nama"), 30, ("nama", "nama lengkap", "name", "full name")),
    Column("position", _l("Jabatan"), 30, ("jabatan", "position", "title", "job title")),
    Column(
        "unit",
        _l("Unit/Instansi"),
        34,
        (
            "unit instansi",
            "instansi",
            "unit",
            "instansi unit",
            "unit kerja",
            "lembaga",
            "unit agency",
            "agency",
            "organisation",
            "organization",
            "unit organisation",
            "unit organization",
        ),
    ),
    Column(
        "phone",
        _l("Nomor HP"),
        18,
        ("nomor hp", "no hp", "hp", "nomor telepon", "no telp", "phone", "phone number", "mobile"),
    ),
    Column("sex", _l("L/P"), 8, ("l p", "jenis kelamin", "sex", "gender", "m f")),
)
# What people type in the L/P column.
SEXES_TYPED = {
    "": "",
    "l": "L",
    "p": "P",
    "laki laki": "L",
    "laki": "L",
    "pria": "L",
    "perempuan": "P",
    "wanita": "P",
    "m": "L",
    "male": "L",
    "f": "P",
    "female": "P",
}


def fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def header_lookup() -> dict[str, str]:
    lookup = {}
    for column in COLUMNS:
        for heading in (*column.accepted, fold(str(column.header))):
            lookup[heading] = column.key
    return lookup


# --- the template --------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The list sheet first (the import reads the first sheet), then a short guide."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Undangan")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=str(column.header))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCEBE3")
        cell.alignment = Alignment(vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    # A phone number keeps its leading zero only when Excel stores it as text.
    phone = get_column_letter(next(i for i, c in enumerate(COLUMNS, 1) if c.key == "phone"))
    for row in range(2, MAX_ROWS + 2):
        sheet[f"{phone}{row}"].number_format = "@"
    sex = get_column_letter(len(COLUMNS))
    choice = DataValidation(type="list", formula1='"L,P"', allow_blank=True)
    choice.add(f"{sex}2:{sex}{MAX_ROWS + 1}")
    sheet.add_data_validation(choice)
    guide = workbook.create_sheet(_("Petunjuk"))
    lines = [
        _("Satu orang per baris, mulai baris 2. Hanya Nama yang wajib."),
        _("Nama: nama lengkap dengan gelar."),
        _("Jabatan: misalnya Lurah Krapyak, Kepala Dinas Sosial P2KB."),
        _(
            "Unit/Instansi: nama kelurahan, kecamatan, perangkat daerah atau lembaga, "
            "misalnya Kelurahan Krapyak, Kecamatan Pekalongan Barat, Dinsos P2KB, BPS Kota "
            "Pekalongan. Formulir tautan pribadi terisi peran dan unit dari sini."
        ),
        _("Nomor HP: untuk mengirim undangan lewat WhatsApp; data pribadi, hanya dilihat "
          "sekretariat."),
        _("L/P: L untuk laki-laki, P untuk perempuan."),
        _("Orang yang sudah ada di daftar hadir (nama dan unit sama) dilewati."),
    ]  # fmt: skip
    for row, text in enumerate(lines, start=1):
        guide.cell(row=row, column=1, value=text)
    guide.column_dimensions["A"].width = 110
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- reading a filled list -------------------------------------------------------------------


def not_xlsx() -> Refused:
    return Refused(
        "not_xlsx",
        _l(
            "Berkas ini bukan berkas Excel (.xlsx) yang dapat dibaca. Unduh templat, isi, "
            "lalu simpan sebagai Excel Workbook (.xlsx)."
        ),
        field="file",
    )


def read_invitees(content: bytes) -> list[AttendeeData]:
    """Every person of the first sheet, or Refused: a bad file, or the rows that are wrong
    (details["errors"], one message per row and column)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise Refused(
            "too_big",
            _l(
                "Berkas lebih besar dari %(mb)s MB. Bagi menjadi beberapa berkas.",
                mb=format_number(MAX_UPLOAD_BYTES // (1024 * 1024)),
            ),
            field="file",
        )
    workbook = limits.open_workbook(content, not_xlsx)
    try:
        if not workbook.worksheets:
            raise not_xlsx()
        rows = rows_of(workbook.worksheets[0])
    except Refused:
        raise
    except Exception as error:  # a sheet whose XML breaks halfway through
        raise not_xlsx() from error
    finally:
        workbook.close()
    return checked(rows)


def as_text(value: Any) -> str:
    """A cell as typed: a phone number stored as a number loses no '.0' to the import."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def rows_of(sheet) -> list[tuple[int, dict[str, str]]]:
    if (sheet.max_row or 0) > MAX_SCANNED_ROWS:
        raise rows_beyond_the_cap()
    sheet.reset_dimensions()  # the declared size may understate; the caps bound the rest
    lookup = header_lookup()
    keys: list[str | None] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(
        sheet.iter_rows(max_col=READ_COLUMNS, values_only=True), start=1
    ):
        if number > MAX_SCANNED_ROWS:
            raise rows_beyond_the_cap()
        texts = [as_text(value) for value in cells]
        if not any(texts):
            continue
        if keys is None:
            keys = column_keys(texts, lookup)
            continue
        if len(rows) >= MAX_ROWS:
            raise Refused(
                "too_many_rows",
                _l(
                    "Berkas ini berisi lebih dari %(max)s orang: baris %(row)s melewati batas "
                    "itu. Bagi menjadi beberapa berkas.",
                    max=format_number(MAX_ROWS),
                    row=number,
                ),
                field="file",
            )
        rows.append((number, {key: text for key, text in zip(keys, texts) if key}))
    if keys is None:
        raise Refused(
            "no_header", _l("Berkas ini kosong: tidak ada baris judul kolom."), field="file"
        )
    if not rows:
        raise Refused(
            "no_rows",
            _l("Berkas ini belum berisi nama undangan di bawah judul kolom."),
            field="file",
        )
    return rows


def rows_beyond_the_cap() -> Refused:
    return Refused(
        "too_many_rows",
        _l(
            "Lembar pertama berlanjut melewati baris %(max)s. Hapus baris kosong di bawah "
            "isian, atau bagi menjadi beberapa berkas.",
            max=format_number(MAX_SCANNED_ROWS),
        ),
        field="file",
    )


def column_keys(texts: list[str], lookup: dict[str, str]) -> list[str | None]:
    """The heading row onto column keys; unknown headings are passed over."""
    keys = [lookup.get(fold(text)) if text else None for text in texts]
    repeated = sorted(
        {str(c.header) for c in COLUMNS if keys.count(c.key) > 1},
    )
    if "name" not in keys or repeated:
        headings = ", ".join(str(c.header) for c in COLUMNS)
        raise Refused(
            "columns",
            _l(
                "Baris judul kolom harus memuat kolom Nama (judul yang dikenal: %(headings)s), "
                "masing-masing satu kali. Unduh templat dan salin daftar ke sana.",
                headings=headings,
            ),
            field="file",
        )
    return keys


def checked(rows: list[tuple[int, dict[str, str]]]) -> list[AttendeeData]:
    headers = {c.key: str(c.header) for c in COLUMNS}
    people, errors = [], []
    for number, values in rows:
        sex = SEXES_TYPED.get(fold(values.get("sex", "")))
        formdata = MultiDict({**values, "sex": sex or ""})
        form = AttendeeForm(formdata=formdata, meta={"csrf": False})
        valid = form.validate() and sex is not None
        if sex is None:
            errors.append(
                _(
                    "Baris %(row)s, kolom %(column)s: isi L atau P.",
                    row=number,
                    column=headers["sex"],
                )
            )
        for name, messages in form.errors.items():
            errors.extend(
                _(
                    "Baris %(row)s, kolom %(column)s: %(message)s",
                    row=number,
                    column=headers.get(name, name),
                    message=str(message),
                )
                for message in messages
            )
        if valid:
            people.append(attendee_data(form))
    if errors:
        shown = errors[:ERRORS_SHOWN]
        if len(errors) > ERRORS_SHOWN:
            shown.append(
                _("dan %(n)s kesalahan lain.", n=format_number(len(errors) - ERRORS_SHOWN))
            )
        raise Refused(
            "rows",
            _l("Tidak ada yang disimpan: perbaiki baris berikut, lalu unggah lagi."),
            field="file",
            errors=shown,
        )
    return people
