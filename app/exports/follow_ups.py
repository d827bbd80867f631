"""A meeting's follow-ups (tindak lanjut) as files: a CSV, a sheet of the inputs
workbook, and the RTL matrix (matriks rencana tindak lanjut) a Bappeda prints.

The RTL matrix has a summary sheet (per agency: how many follow-ups, how many
done, how many overdue) and then one sheet per responsible agency, each printing
on its own pages with its own heading, so every OPD can be handed its part.

Overdue: the deadline has passed on the day given (today in the meeting's time
zone, for a file about the state of work now) and the follow-up is neither done
nor cancelled, the same rule the evaluation summary applies on its meeting's date.
Follow-ups hold no personal data: no names, no phone numbers; every staff role
gets the same file.
"""

import io
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask_babel import format_date
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from app import domain
from app.domain import is_overdue
from app.exports.cells import (
    CsvDialect,
    csv_line,
    csv_writer,
    styled,
    text_into,
    write_only_cell,
    write_only_text_cell,
)
from app.extensions import db
from app.models import Agency, FollowUp, Meeting, Submission
from app.submissions.services import format_receipt_code

BOLD = Font(bold=True)
LATE = Font(bold=True, color="B00020")
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
THIN = Side(style="thin", color="555555")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
# Characters a sheet name may not hold, and its length limit, in the XLSX format.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class FollowUpRow:
    number: int
    action: str
    agency: str  # the abbreviation, "" when no agency is responsible yet
    agency_name: str
    deadline: date | None
    status: str
    status_label: str
    progress_note: str
    source_code: str  # the receipt code of the input it answers, "" for none
    source_title: str
    overdue: bool

    @property
    def source(self) -> str:
        """'ABCD-2345 — Pemutakhiran DTKS setiap triwulan', or '' for none."""
        return f"{self.source_code} — {self.source_title}" if self.source_code else ""


def follow_up_rows(meeting_id: int, as_of: date) -> list[FollowUpRow]:
    """The meeting's follow-ups in the order they were agreed, numbered from 1 (one query)."""
    query = (
        select(
            FollowUp.action,
            Agency.abbreviation,
            Agency.name,
            FollowUp.deadline,
            FollowUp.status,
            FollowUp.progress_note,
            Submission.receipt_code,
            Submission.title,
        )
        .outerjoin(Agency, Agency.id == FollowUp.agency_id)
        .outerjoin(Submission, Submission.id == FollowUp.submission_id)
        .where(FollowUp.meeting_id == meeting_id)
        .order_by(FollowUp.id)
    )
    return [
        FollowUpRow(
            number=number,
            action=action.strip(),
            agency=abbreviation or "",
            agency_name=name or "",
            deadline=deadline,
            status=status,
            status_label=str(domain.FOLLOW_UP_STATUSES.get(status, status)),
            progress_note=(note or "").strip(),
            source_code=format_receipt_code(code) if code else "",
            source_title=title or "",
            overdue=is_overdue(deadline, status, as_of),
        )
        for number, (action, abbreviation, name, deadline, status, note, code, title) in enumerate(
            db.session.execute(query), start=1
        )
    ]


# --- the flat list: a CSV and a sheet of the inputs workbook -------------------------------


def flat_columns() -> list[tuple[str, int]]:
    return [
        (_("No"), 5),
        (_("Tindak lanjut"), 50),
        (_("Penanggung jawab"), 18),
        (_("Tenggat"), 12),
        (_("Status"), 16),
        (_("Terlambat"), 10),
        (_("Catatan kemajuan"), 40),
        (_("Kode masukan asal"), 12),
        (_("Judul masukan asal"), 40),
    ]


def flat_values(row: FollowUpRow) -> list[Any]:
    return [
        row.number,
        row.action,
        row.agency,
        row.deadline,
        row.status_label,
        _("Ya") if row.overdue else "",
        row.progress_note,
        row.source_code,
        row.source_title,
    ]


def follow_ups_csv(meeting_id: int, as_of: date, dialect: CsvDialect) -> str:
    """The follow-ups as CSV, with the BOM Excel needs to read UTF-8 (a few dozen lines)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, dialect)
    writer.writerow(csv_line([header for header, _width in flat_columns()], dialect))
    for row in follow_up_rows(meeting_id, as_of):
        writer.writerow(csv_line(flat_values(row), dialect))
    return "\ufeff" + buffer.getvalue()


def append_follow_up_sheet(workbook: Workbook, meeting_id: int, as_of: date) -> None:
    """The "Tindak lanjut" sheet of the inputs workbook (write-only mode)."""
    sheet = workbook.create_sheet(_("Tindak lanjut"))
    for index, (_header, width) in enumerate(flat_columns(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([write_only_text_cell(sheet, header, BOLD) for header, _w in flat_columns()])
    for row in follow_up_rows(meeting_id, as_of):
        sheet.append([write_only_cell(sheet, value) for value in flat_values(row)])


# --- the RTL matrix -----------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyGroup:
    agency: str
    agency_name: str
    rows: tuple[FollowUpRow, ...]

    @property
    def label(self) -> str:
        return self.agency or _("Belum ditetapkan")

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.status == "done")

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.overdue)


def agency_groups(rows: list[FollowUpRow]) -> list[AgencyGroup]:
    """The follow-ups by responsible agency, agencies in alphabetical order, unassigned last."""
    grouped: dict[tuple[str, str], list[FollowUpRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.agency, row.agency_name)].append(row)
    keys = sorted(grouped, key=lambda key: (key[0] == "", key[0].lower(), key[1]))
    return [AgencyGroup(key[0], key[1], tuple(grouped[key])) for key in keys]


def sheet_title(label: str, taken: set[str]) -> str:
    """A valid, unique sheet name from an agency's abbreviation (typed data)."""
    base = SHEET_NAME_FORBIDDEN.sub("-", label).strip(" '") or _("Tanpa nama")
    base = base[:SHEET_NAME_MAX]
    title, number = base, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title, number = base[: SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def rtl_columns() -> list[tuple[str, int]]:
    return [
        (_("No"), 5),
        (_("Rencana tindak lanjut"), 48),
        (_("Masukan asal"), 38),
        (_("Tenggat"), 12),
        (_("Status"), 16),
        (_("Keterangan"), 40),
    ]


def rtl_workbook(meeting: Meeting, as_of: date) -> IO[bytes]:
    """The RTL matrix as an XLSX: a summary sheet, then one sheet per agency."""
    rows = follow_up_rows(meeting.id, as_of)
    groups = agency_groups(rows)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Ringkasan")
    taken = {summary.title.lower()}
    write_summary(summary, meeting, groups, as_of)
    for group in groups:
        write_agency_sheet(workbook.create_sheet(sheet_title(group.label, taken)), meeting, group)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def write_heading(sheet: Worksheet, lines: list[str], width: int) -> int:
    """Title lines above the table, each across the table's width; returns the next row."""
    for number, line in enumerate(lines, start=1):
        text_into(sheet.cell(row=number, column=1), line, BOLD if number == 1 else None)
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    return len(lines) + 2


def write_table_header(sheet: Worksheet, row: int, columns: list[tuple[str, int]]) -> None:
    for index, (header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = text_into(sheet.cell(row=row, column=index), header, BOLD)
        cell.fill, cell.border, cell.alignment = HEADER_FILL, BOX, WRAP
    # Printed on every page, above the rows.
    sheet.print_title_rows = f"{row}:{row}"
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def write_row(sheet: Worksheet, row: int, values: list[Any], font: Font | None = None) -> None:
    for index, value in enumerate(values, start=1):
        cell = styled(sheet.cell(row=row, column=index), value)
        cell.border, cell.alignment = BOX, WRAP
        if font is not None:
            cell.font = font


def set_up_printing(sheet: Worksheet) -> None:
    """Landscape, as wide as the page, as a matrix is printed."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def meeting_line(meeting: Meeting) -> str:
    return f"{meeting.title}, {format_date(meeting.date, 'd MMMM y')}"


def write_summary(
    sheet: Worksheet, meeting: Meeting, groups: list[AgencyGroup], as_of: date
) -> None:
    columns = [
        (_("No"), 5),
        (_("Penanggung jawab"), 18),
        (_("Nama perangkat daerah"), 44),
        (_("Jumlah tindak lanjut"), 14),
        (_("Selesai"), 10),
        (_("Terlambat"), 11),
    ]
    first = write_heading(
        sheet,
        [
            _("MATRIKS RENCANA TINDAK LANJUT (RTL)"),
            meeting_line(meeting),
            _(
                "Keadaan pada %(date)s. Terlambat: tenggat sudah lewat dan belum selesai "
                "atau dibatalkan.",
                date=format_date(as_of, "d MMMM y"),
            ),
        ],
        len(columns),
    )
    write_table_header(sheet, first, columns)
    row = first
    for number, group in enumerate(groups, start=1):
        row += 1
        write_row(
            sheet,
            row,
            [number, group.label, group.agency_name, len(group.rows), group.done, group.overdue],
        )
    write_row(
        sheet,
        row + 1,
        [
            "",
            _("Jumlah"),
            "",
            sum(len(group.rows) for group in groups),
            sum(group.done for group in groups),
            sum(group.overdue for group in groups),
        ],
        BOLD,
    )
    set_up_printing(sheet)


def write_agency_sheet(sheet: Worksheet, meeting: Meeting, group: AgencyGroup) -> None:
    columns = rtl_columns()
    responsible = (
        f"{group.agency_name} ({group.agency})"
        if group.agency_name and group.agency_name != group.agency
        else group.label
    )
    first = write_heading(
        sheet,
        [
            _("RENCANA TINDAK LANJUT"),
            _("Penanggung jawab: %(agency)s", agency=responsible),
            meeting_line(meeting),
        ],
        len(columns),
    )
    write_table_header(sheet, first, columns)
    for number, item in enumerate(group.rows, start=1):
        remarks = [_("Terlambat")] if item.overdue else []
        if item.progress_note:
            remarks.append(item.progress_note)
        remark = "\n".join(remarks)
        row = first + number
        write_row(
            sheet, row, [number, item.action, item.source, item.deadline, item.status_label, remark]
        )
        if item.overdue:
            sheet.cell(row=row, column=6).font = LATE
    set_up_printing(sheet)
