"""A meeting's inputs as CSV or XLSX, with the review queue's filters.

Two protections travel with every file:
- personal data (the phone column) only when asked for, and then the file says so
  in its first line and its name;
- no cell can become a formula in a spreadsheet (see cells.py).

The CSV comes in two dialects. The plain one (comma, decimal point) is the stable
interface other tools read. The "Excel" one is for Excel set to Indonesian, whose
list separator is the semicolon and whose decimal mark is the comma: it opens
there in columns with a double click, numbers as numbers.
The workbook carries the meeting's follow-ups on a second sheet (follow_ups.py).
"""

import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import joinedload

from app import domain
from app.audit import record
from app.exports import follow_ups
from app.exports.cells import (
    PLAIN_CSV,
    CsvDialect,
    csv_line,
    csv_writer,
    local_time,
    neutralised,
    write_only_cell,
    write_only_text_cell,
)
from app.extensions import db
from app.models import Meeting, Submission, User
from app.review.queries import ReviewFilters, submissions_query
from app.services import transaction
from app.submissions.services import format_receipt_code

BATCH = 500


@dataclass(frozen=True)
class ExportColumn:
    key: str
    header: str
    width: int = 16


def columns(personal: bool) -> list[ExportColumn]:
    """The columns in order; the phone column exists only in a personal-data export."""
    zone = _timezone_label()
    result = [
        ExportColumn("receipt_code", _("Kode tanda terima"), 12),
        ExportColumn("submitted_at", _("Waktu masuk (%(zone)s)", zone=zone), 17),
        ExportColumn("submitter_name", _("Nama"), 24),
        ExportColumn("role", _("Peran"), 16),
        ExportColumn("unit", _("Unit"), 22),
        ExportColumn("position", _("Jabatan"), 22),
    ]
    if personal:
        result.append(ExportColumn("phone", _("No HP"), 16))
    result += [
        ExportColumn("kind", _("Jenis"), 11),
        ExportColumn("pillar", _("Strategi"), 30),
        ExportColumn("submitted_pillar", _("Strategi semula (dari peserta)"), 30),
        ExportColumn("title", _("Judul"), 36),
        ExportColumn("description", _("Uraian"), 60),
        ExportColumn("location", _("Lokasi"), 18),
        ExportColumn("target_group", _("Sasaran"), 18),
        ExportColumn("program", _("Program"), 36),
        ExportColumn("beneficiaries", _("Penerima manfaat"), 12),
        ExportColumn("cost", _("Biaya (Rp)"), 16),
        ExportColumn("status", _("Status"), 22),
        ExportColumn("decision_reason", _("Alasan keputusan"), 36),
        ExportColumn("merged_into", _("Digabung ke (kode)"), 14),
    ]
    return result


def personal_data_warning() -> str:
    return _("Berisi data pribadi (nomor HP) — jangan disebarluaskan")


def _timezone_label() -> str:
    return current_app.config["RAKOR_TIMEZONE_LABEL"]


def filename(
    meeting: Meeting,
    extension: str,
    *,
    personal: bool,
    dialect: CsvDialect = PLAIN_CSV,
    prefix: str = "masukan",
) -> str:
    """'masukan-rakor-uji.csv', 'masukan-rakor-uji-excel.csv' (semicolons), or with phone
    numbers 'masukan-rakor-uji-data-pribadi.csv'; 'tindak-lanjut-rakor-uji.csv'..."""
    code = re.sub(r"[^a-z0-9-]+", "-", meeting.code.lower()).strip("-") or str(meeting.id)
    suffix = "-data-pribadi" if personal else ""
    return f"{prefix}-{code}{dialect.name}{suffix}.{extension}"


# --- the rows ---------------------------------------------------------------------------------


def export_query(meeting_id: int, filters: ReviewFilters):
    """The review queue's query, with every label the rows need loaded alongside."""
    return (
        submissions_query(meeting_id, filters)
        .options(
            joinedload(Submission.kelurahan),
            joinedload(Submission.kecamatan),
            joinedload(Submission.agency),
            joinedload(Submission.pillar),
            joinedload(Submission.submitted_pillar),
            joinedload(Submission.location),
            joinedload(Submission.program),
            joinedload(Submission.merged_into),
        )
        .execution_options(yield_per=BATCH)
    )


def submissions_for_export(meeting_id: int, filters: ReviewFilters) -> Iterator[Submission]:
    """The matching inputs, fetched in batches so a large meeting never sits in memory."""
    yield from db.session.scalars(export_query(meeting_id, filters))


def row_values(submission: Submission, personal: bool) -> dict[str, Any]:
    values = {
        "receipt_code": format_receipt_code(submission.receipt_code),
        "submitted_at": local_time(submission.submitted_at),
        "submitter_name": submission.submitter_name or _("(dihapus)"),
        "role": str(domain.ROLES.get(submission.role, submission.role)),
        "unit": submission.unit_name,
        "position": submission.position,
        "kind": str(domain.KIND_SHORT.get(submission.kind, submission.kind)),
        "pillar": pillar_label(submission.pillar),
        "submitted_pillar": pillar_label(submission.submitted_pillar),
        "title": submission.title,
        "description": submission.description,
        "location": submission.location.name if submission.location else "",
        "target_group": str(
            domain.TARGET_GROUPS.get(submission.target_group, submission.target_group)
        ),
        "program": submission.program.name if submission.program else "",
        "beneficiaries": submission.beneficiaries,
        "cost": submission.cost,
        "status": str(domain.SUBMISSION_STATUSES.get(submission.status, submission.status)),
        "decision_reason": submission.decision_reason,
        "merged_into": (
            format_receipt_code(submission.merged_into.receipt_code)
            if submission.merged_into
            else ""
        ),
    }
    if personal:
        values["phone"] = submission.phone
    return values


def pillar_label(pillar) -> str:
    return f"{pillar.code} {pillar.name}" if pillar else ""


# --- CSV ------------------------------------------------------------------------------------


def csv_chunks(
    meeting_id: int,
    filters: ReviewFilters,
    *,
    personal: bool,
    dialect: CsvDialect = PLAIN_CSV,
) -> Iterator[str]:
    """The CSV, piece by piece: a BOM so Excel reads UTF-8, then one line per input.

    Nothing runs until the first piece is asked for; a streamed response keeps the
    request's context (and so its database session and language) open meanwhile.
    """
    buffer = io.StringIO()
    writer = csv_writer(buffer, dialect)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    cols = columns(personal)
    if personal:
        writer.writerow([personal_data_warning()])
    writer.writerow([neutralised(c.header) for c in cols])
    yield "\ufeff" + flush()
    for count, submission in enumerate(submissions_for_export(meeting_id, filters), start=1):
        values = row_values(submission, personal)
        writer.writerow(csv_line([values[c.key] for c in cols], dialect))
        if count % 100 == 0:
            yield flush()
    yield flush()


# --- XLSX -----------------------------------------------------------------------------------


def xlsx_file(
    meeting: Meeting, filters: ReviewFilters, *, personal: bool, as_of: date
) -> IO[bytes]:
    """The workbook in a temporary file, built row by row in openpyxl's write-only mode.

    A second sheet holds all of the meeting's follow-ups (the filters choose inputs,
    not follow-ups), marked overdue as of `as_of`.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Masukan"))
    cols = columns(personal)
    for index, column in enumerate(cols):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
    bold = Font(bold=True)
    if personal:
        warning = Font(bold=True, color="B00020")
        sheet.append([write_only_text_cell(sheet, personal_data_warning(), font=warning)])
    sheet.freeze_panes = "A3" if personal else "A2"
    sheet.append([write_only_text_cell(sheet, c.header, font=bold) for c in cols])
    for submission in submissions_for_export(meeting.id, filters):
        values = row_values(submission, personal)
        sheet.append([write_only_cell(sheet, values[c.key]) for c in cols])
    follow_ups.append_follow_up_sheet(workbook, meeting.id, as_of)
    # Closed by the response once sent; small files never touch the disk.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


# --- the trail ------------------------------------------------------------------------------


@transaction
def note_personal_export(
    meeting: Meeting, actor: User, *, file_format: str, filters: ReviewFilters
) -> None:
    """Who took the phone numbers out, and when: a personal-data export is audited."""
    record(
        actor,
        "export_personal_data",
        meeting,
        after={"format": file_format, "filters": filters.to_args()},
        meeting_id=meeting.id,
    )
