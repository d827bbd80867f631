"""A meeting's inputs as CSV or XLSX, with the review queue's filters.

Two protections travel with every file:
- personal data (the phone column) only when asked for, and then the file says so
  in its first line and its name;
- no cell can become a formula in a spreadsheet: text beginning with = + - @, a tab
  or a carriage return gets a leading apostrophe, and XLSX text is always written
  as a string cell.
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import joinedload

from app import domain
from app.audit import record
from app.extensions import db
from app.models import Meeting, Submission, User
from app.review.queries import ReviewFilters, submissions_query
from app.services import transaction
from app.submissions.services import format_receipt_code

# A piece of text that starts (after a separator and spaces) with a formula character.
FORMULA_PIECE = re.compile(r"(^|[;,])( *)(?=[=+\-@\t\r])")
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


def filename(meeting: Meeting, extension: str, *, personal: bool) -> str:
    """'masukan-rakor-uji.csv', or 'masukan-rakor-uji-data-pribadi.csv' with phone numbers."""
    code = re.sub(r"[^a-z0-9-]+", "-", meeting.code.lower()).strip("-") or str(meeting.id)
    suffix = "-data-pribadi" if personal else ""
    return f"masukan-{code}{suffix}.{extension}"


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
        "submitter_name": submission.submitter_name,
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


# --- CSV ------------------------------------------------------------------------------------


def csv_chunks(meeting_id: int, filters: ReviewFilters, *, personal: bool) -> Iterator[str]:
    """The CSV, piece by piece: a BOM so Excel reads UTF-8, then one line per input.

    Nothing runs until the first piece is asked for; a streamed response keeps the
    request's context (and so its database session and language) open meanwhile.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")

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
        writer.writerow([neutralised(_csv_text(values[c.key])) for c in cols])
        if count % 100 == 0:
            yield flush()
    yield flush()


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


# --- XLSX -----------------------------------------------------------------------------------


def xlsx_file(meeting: Meeting, filters: ReviewFilters, *, personal: bool) -> IO[bytes]:
    """The workbook in a temporary file, built row by row in openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Masukan"))
    cols = columns(personal)
    for index, column in enumerate(cols):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
    bold = Font(bold=True)
    if personal:
        warning = Font(bold=True, color="B00020")
        sheet.append([_text_cell(sheet, personal_data_warning(), font=warning)])
    sheet.freeze_panes = "A3" if personal else "A2"
    sheet.append([_text_cell(sheet, c.header, font=bold) for c in cols])
    for submission in submissions_for_export(meeting.id, filters):
        values = row_values(submission, personal)
        sheet.append([_cell(sheet, values[c.key]) for c in cols])
    # Closed by the response once sent; small files never touch the disk.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def _cell(sheet, value: Any) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    if isinstance(value, int):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0"
        return cell
    return _text_cell(sheet, value)


def _text_cell(sheet, value: Any, font: Font | None = None) -> WriteOnlyCell:
    """A string cell, whatever the text looks like: never a formula, never an error code.

    The cell's type says so, so the text is stored as typed, without an apostrophe.
    """
    # Control characters other than tab and line breaks are not allowed in the file format.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # "#N/A" would otherwise become an error cell
    if font is not None:
        cell.font = font
    return cell


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
