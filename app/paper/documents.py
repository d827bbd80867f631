"""The paper side's two downloads: the blank A4 form to print and the XLSX import template.

Both are built from the same column list and reference data the import checks
against (app/paper/services.py), so what the template offers is what the import takes.
"""

from io import BytesIO

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from app import domain
from app.documents.pdf import render_pdf
from app.extensions import db
from app.i18n import number
from app.models import Letterhead, Meeting
from app.paper.services import COLUMNS, MAX_ROWS, kelurahan_labels
from app.qr import qr_data_uri
from app.submissions.services import form_choices

HEADER_FILL = PatternFill("solid", fgColor="DCEBE3")
BOLD = Font(bold=True)
# Drop-downs cover as many rows as one file may hold.
LAST_TEMPLATE_ROW = MAX_ROWS + 1


# --- the printable blank form ---------------------------------------------------------------


def paper_form_pdf(meeting: Meeting, public_url: str) -> bytes:
    """The blank A4 form with the meeting's QR code in a corner. Needs an app context."""
    html = render_template(
        "paper/form_pdf.html",
        meeting=meeting,
        pillars=form_choices(meeting).pillars,
        letterhead=db.session.scalar(select(Letterhead).order_by(Letterhead.id).limit(1)),
        public_url=public_url,
        qr_src=qr_data_uri(public_url),
        roles=domain.ROLES,
        kinds=domain.KINDS,
        target_groups=domain.TARGET_GROUPS,
    )
    return render_pdf(html)


# --- the XLSX template -----------------------------------------------------------------------


def template_workbook(meeting: Meeting) -> bytes:
    """The import template: the data sheet with drop-downs, the instructions, the allowed values.

    The data sheet comes first: the import reads the first sheet, whatever its name.
    """
    workbook = Workbook()
    data_sheet = workbook.active
    data_sheet.title = _("Masukan")
    guide = workbook.create_sheet(_("Petunjuk"))
    values = workbook.create_sheet(_("Pilihan"))
    _write_header_row(data_sheet)
    _write_allowed_values(values, data_sheet, meeting)
    _write_guide(guide, meeting)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _text(sheet: Worksheet, row: int, column: int, value, *, bold: bool = False) -> None:
    """A cell that is always text: a value beginning with '=' stays words, never a formula."""
    cell = sheet.cell(row=row, column=column)
    cell.value = str(value)
    cell.data_type = "s"
    if bold:
        cell.font = BOLD


def _letter_of(key: str) -> str:
    index = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)
    return get_column_letter(index)


def _write_header_row(sheet: Worksheet) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        _text(sheet, 1, index, column.header, bold=True)
        cell = sheet.cell(row=1, column=index)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    # A phone number keeps its leading zero only when Excel stores it as text.
    sheet.column_dimensions[_letter_of("phone")].number_format = "@"


def _write_allowed_values(values: Worksheet, data_sheet: Worksheet, meeting: Meeting) -> None:
    """One pair of columns per list (value, meaning); the data sheet's drop-downs point here."""
    choices = form_choices(meeting)
    lists = [
        ("role", _("Peran"), list(domain.ROLES.items())),
        ("kind", _("Jenis"), list(domain.KINDS.items())),
        ("pillar", _("Strategi (kode)"), [(p.code, p.name) for p in choices.pillars]),
        ("location", _("Kelurahan"), [(name, "") for name in kelurahan_labels(choices)]),
        ("target_group", _("Sasaran"), list(domain.TARGET_GROUPS.items())),
        ("program", _("Program"), [(p.name, "") for p in choices.programs]),
        (None, _("Kecamatan"), [(k.name, "") for k in choices.kecamatan]),
        (None, _("Perangkat daerah"), [(a.abbreviation, a.name) for a in choices.agencies]),
    ]
    column = 1
    for key, title, entries in lists:
        letter = get_column_letter(column)
        _text(values, 1, column, title, bold=True)
        has_meaning = any(label for _value, label in entries)
        if has_meaning:
            _text(values, 1, column + 1, _("Arti"), bold=True)
            values.column_dimensions[get_column_letter(column + 1)].width = 36
        for row, (value, label) in enumerate(entries, start=2):
            _text(values, row, column, value)
            if label:
                _text(values, row, column + 1, label)
        values.column_dimensions[letter].width = 48 if key == "program" else 20
        if key and entries:
            last = len(entries) + 1
            _add_dropdown(
                data_sheet, key, f"{quote_sheetname(values.title)}!${letter}$2:${letter}${last}"
            )
        column += 3 if has_meaning else 2
    values.freeze_panes = "A2"


def _add_dropdown(sheet: Worksheet, key: str, source: str) -> None:
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Pilihan tidak tersedia"),
        error=_("Pilih dari daftar. Semua pilihan ada di lembar Pilihan."),
    )
    letter = _letter_of(key)
    validation.add(f"{letter}2:{letter}{LAST_TEMPLATE_ROW}")
    sheet.add_data_validation(validation)


def _write_guide(sheet: Worksheet, meeting: Meeting) -> None:
    lines = [
        _("Templat impor formulir kertas"),
        _("Rapat: %(title)s", title=meeting.title),
        "",
        _("1. Isi satu baris per formulir kertas di lembar pertama, mulai baris 2."),
        _("2. Jangan mengubah, menambah atau memindahkan judul kolom di baris 1."),
        _("3. Kolom bertanda Wajib harus diisi. Pilihan yang diterima ada di lembar Pilihan."),
        _(
            "4. Semua baris diperiksa dulu. Bila ada satu kesalahan, tidak ada yang diimpor "
            "dan daftar kesalahan ditampilkan per baris."
        ),
        _(
            "5. Baris yang sudah pernah diimpor dilewati, jadi berkas yang sama aman diimpor "
            "ulang. Baris yang isinya diubah dianggap masukan baru."
        ),
        _("6. Paling banyak %(max)s baris per berkas.", max=number(MAX_ROWS)),
    ]
    row = 1
    for line in lines:
        if line:
            _text(sheet, row, 1, line)
        row += 1
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    row += 1
    for column, title in enumerate((_("Kolom"), _("Wajib"), _("Penjelasan")), start=1):
        _text(sheet, row, column, title, bold=True)
        sheet.cell(row=row, column=column).fill = HEADER_FILL
    for column in COLUMNS:
        row += 1
        _text(sheet, row, 1, column.header)
        _text(sheet, row, 2, _("Wajib") if column.required else _("Tidak"))
        _text(sheet, row, 3, column.help)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 100
