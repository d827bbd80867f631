"""An agency's RTL workbook (matriks rencana tindak lanjut): its open follow-ups as an
XLSX to fill in, and the filled file read back as progress reports.

The agency gets one sheet, "RTL": a few heading lines, then one row per open follow-up
(not done, not cancelled) of every meeting, with its current status, percent and note.
It changes the status, percent, note and, when the state is not today's, the date,
and uploads the file again (through its update link or a focal point's account).

Every row is checked by the web's own progress form (a MultiDict per row) and by
`progress.check_report`, so a rule and its words live once. Any wrong row refuses the
whole file, each error named by its row and column; otherwise every row goes in one
transaction. A row's idempotency key is the file's SHA-256 with the follow-up's id, so
the same file twice adds nothing.

A file is filled over days while the secretariat may report too, so each row also
carries the id of the follow-up's latest report when the file was downloaded (column
"Versi laporan", 0 before any report). A row left as downloaded adds nothing even when a
newer report has arrived since (it would revert that report); a row changed after a
newer report is refused, asking for a new file, rather than overwriting what it did not
see.

The file is read with openpyxl in read-only, values-only mode (a formula counts as
the value Excel last computed, never as a formula), after the archive caps of
app/paper/limits.py, since the public update link accepts it from anyone holding it.
Text written into the file is always a string cell (app/exports/cells.py), so a note
beginning with "=" stays text.
"""

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.domain import CLOSED_FOLLOW_UP_STATUSES, FOLLOW_UP_STATUSES, is_overdue
from app.exports.cells import DATE_FORMAT, styled, text_into
from app.extensions import db
from app.follow_ups import progress
from app.follow_ups.forms import ProgressForm
from app.follow_ups.progress import ProgressReport
from app.i18n import local_today
from app.i18n import number as format_number
from app.models import Agency, AgencyLink, FollowUp, FollowUpProgress, Meeting, User
from app.paper.limits import open_workbook
from app.paper.services import SheetRow, fold, in_both_languages
from app.services import Refused, transaction

SHEET_TITLE = "RTL"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2_000
# How far down the heading row is looked for, and how far the sheet is read at all.
HEADER_SEARCH_ROWS = 30
MAX_SCANNED_ROWS = 20_000
READ_COLUMNS = 20
# "xlsx:" + 48 hex digits of the file's SHA-256 + ":" + the follow-up's id fits in 64.
KEY_DIGITS = 48

GREY = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="BFBFBF")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=13)


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # a lazy string: headers are written in Indonesian, read in either language
    width: int
    editable: bool = False
    required: bool = False  # must be in an uploaded file


COLUMNS = (
    Column("id", _l("ID"), 8, required=True),
    Column("version", _l("Versi laporan"), 9, required=True),
    Column("number", _l("No"), 5),
    Column("meeting", _l("Rapat"), 34),
    Column("action", _l("Rencana tindak lanjut"), 48),
    Column("deadline", _l("Tenggat"), 13),
    Column("status", _l("Status"), 18, editable=True, required=True),
    Column("percent", _l("Persentase"), 12, editable=True, required=True),
    Column("note", _l("Catatan kemajuan"), 48, editable=True, required=True),
    Column("reported_on", _l("Tanggal keadaan"), 16, editable=True),
)
# The progress form's fields, named in errors by the file's column headers.
FORM_COLUMNS = {
    "status": "status",
    "percent": "percent",
    "note": "note",
    "reported_on": "reported_on",
}


# --- an agency's open follow-ups -------------------------------------------------------------


@dataclass(frozen=True)
class OpenFollowUp:
    id: int
    meeting_title: str
    meeting_date: date
    action: str
    deadline: date | None
    status: str
    percent: int
    note: str
    reported_on: date | None
    overdue: bool
    latest_entry_id: int = 0  # the report whose state this is; 0 before any report

    @property
    def status_label(self) -> str:
        return str(FOLLOW_UP_STATUSES.get(self.status, self.status))


def open_follow_ups(agency_id: int, as_of: date | None = None) -> list[OpenFollowUp]:
    """The agency's follow-ups still awaited, of every meeting: the nearest deadline first,
    those without one last."""
    as_of = as_of or local_today()
    # Read before the states: a report landing in between then shows in the state and not
    # in the version, which refuses a changed row later rather than letting it revert.
    latest = latest_entry_ids(
        db.session.scalars(select(FollowUp.id).where(FollowUp.agency_id == agency_id))
    )
    rows = db.session.execute(
        select(FollowUp, Meeting.title, Meeting.date)
        .join(Meeting, Meeting.id == FollowUp.meeting_id)
        .where(
            FollowUp.agency_id == agency_id,
            FollowUp.status.not_in(CLOSED_FOLLOW_UP_STATUSES),
        )
        .order_by(FollowUp.deadline.is_(None), FollowUp.deadline, Meeting.date, FollowUp.id)
    )
    return [
        OpenFollowUp(
            id=follow_up.id,
            meeting_title=title,
            meeting_date=meeting_date,
            action=follow_up.action.strip(),
            deadline=follow_up.deadline,
            status=follow_up.status,
            percent=follow_up.percent,
            note=(follow_up.progress_note or "").strip(),
            reported_on=follow_up.reported_on,
            overdue=is_overdue(follow_up.deadline, follow_up.status, as_of),
            latest_entry_id=latest.get(follow_up.id, 0),
        )
        for follow_up, title, meeting_date in rows
    ]


def latest_entry_ids(follow_up_ids: Iterable[int]) -> dict[int, int]:
    """Each follow-up's latest report (the one its state repeats: the latest day, then
    the last to arrive) by id; follow-ups without a report are left out."""
    ids = list(follow_up_ids)
    latest: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(FollowUpProgress.follow_up_id, FollowUpProgress.id)
            .where(FollowUpProgress.follow_up_id.in_(ids[start : start + 500]))
            .order_by(
                FollowUpProgress.follow_up_id,
                FollowUpProgress.reported_on,
                FollowUpProgress.id,
            )
        )
        for follow_up_id, entry_id in rows:
            latest[follow_up_id] = entry_id
    return latest


# --- the download ------------------------------------------------------------------------------


def agency_workbook(agency: Agency, today: date | None = None) -> bytes:
    """The agency's RTL matrix to fill in, in Indonesian (it goes to the agency)."""
    today = today or local_today()
    rows = open_follow_ups(agency.id, today)
    with force_locale("id"):
        return _workbook(agency, rows, today)


def _workbook(agency: Agency, rows: list[OpenFollowUp], today: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    text_into(
        sheet.cell(1, 1),
        _("Rencana Tindak Lanjut (RTL): %(agency)s", agency=agency.label),
        TITLE_FONT,
    )
    text_into(sheet.cell(2, 1), _("Keadaan per %(date)s", date=format_date(today, "d MMMM y")))
    text_into(
        sheet.cell(3, 1),
        _(
            "Petunjuk: isi kolom Status, Persentase (0 sampai 100), Catatan kemajuan dan, bila "
            "keadaannya bukan hari ini, Tanggal keadaan. Jangan ubah kolom ID dan Versi "
            "laporan. Baris yang tidak diubah tidak dicatat. Simpan sebagai .xlsx lalu unggah "
            "di halaman yang sama."
        ),
    )
    sheet.cell(3, 1).alignment = Alignment(wrap_text=False, vertical="top")
    header_row = 5
    for index, column in enumerate(COLUMNS, start=1):
        cell = text_into(sheet.cell(header_row, index), str(column.header), BOLD)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # An agency does not cancel a follow-up (the secretariat does): not offered here.
    labels = [str(label) for value, label in FOLLOW_UP_STATUSES.items() if value != "cancelled"]
    for number, row in enumerate(rows, start=1):
        line = header_row + number
        values = {
            "id": row.id,
            "version": row.latest_entry_id,
            "number": number,
            "meeting": f"{row.meeting_title} ({format_date(row.meeting_date, 'd MMMM y')})",
            "action": row.action,
            "deadline": row.deadline,
            "status": str(FOLLOW_UP_STATUSES.get(row.status, row.status)),
            "percent": row.percent,
            "note": row.note,
            "reported_on": None,
        }
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(line, index)
            value = values[column.key]
            if column.key in ("meeting", "action", "status", "note"):
                text_into(cell, value)
            else:
                styled(cell, value)
            if column.key in ("id", "version", "number", "percent"):
                cell.number_format = "0"
            if column.key == "reported_on":
                cell.number_format = DATE_FORMAT
            cell.border = BOX
            cell.alignment = WRAP
            if column.editable:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = GREY
    last = header_row + max(len(rows), 1)
    letters = {column.key: get_column_letter(i) for i, column in enumerate(COLUMNS, start=1)}
    status_list = DataValidation(
        type="list",
        formula1='"' + ",".join(labels) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle=_("Status"),
        error=_("Pilih status dari daftar."),
    )
    percent_range = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        showErrorMessage=True,
        errorTitle=_("Persentase"),
        error=_("Persentase antara 0 dan 100."),
    )
    day = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 1 January 2000
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Tanggal keadaan"),
        error=_("Tulis tanggal, misalnya 31/03/2026."),
    )
    for validation, key in (
        (status_list, "status"),
        (percent_range, "percent"),
        (day, "reported_on"),
    ):
        sheet.add_data_validation(validation)
        validation.add(f"{letters[key]}{header_row + 1}:{letters[key]}{last}")
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    # The ID and the agreed text are kept from being typed over; widths stay adjustable.
    # No password: the lock guards against slips, not against the agency.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def workbook_filename(agency: Agency, today: date | None = None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", agency.abbreviation.lower()).strip("-") or "opd"
    return f"rtl-{slug}-{(today or local_today()).isoformat()}.xlsx"


# --- the upload ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:  # about the whole row
            return _("Baris %(row)s: %(message)s", row=self.row, message=self.message)
        return _(
            "Baris %(row)s, %(column)s: %(message)s",
            row=self.row,
            column=self.column,
            message=self.message,
        )


@dataclass(frozen=True)
class CheckedRow:
    number: int
    follow_up_id: int
    report: ProgressReport
    unchanged: bool  # says what the follow-up already says, or said at download: nothing to add
    baseline_id: int = 0  # the latest report when the file was downloaded (0: none)


@dataclass(frozen=True)
class UploadResult:
    updated: int
    unchanged: int

    def notice(self) -> tuple[str, str]:
        """What the page says after the upload, and the notice's kind."""
        if not self.updated:
            message = _(
                "Tidak ada perubahan: %(unchanged)s tindak lanjut sama seperti sebelumnya.",
                unchanged=format_number(self.unchanged),
            )
            return message, "info"
        message = _(
            "Terima kasih. %(updated)s tindak lanjut diperbarui, %(unchanged)s tanpa perubahan.",
            updated=format_number(self.updated),
            unchanged=format_number(self.unchanged),
        )
        return message, "success"


def not_xlsx() -> Refused:
    return Refused(
        "not_xlsx",
        _l(
            "Berkas ini bukan berkas Excel (.xlsx) yang dapat dibaca. Unduh berkas RTL, isi, "
            "lalu simpan sebagai Excel Workbook (.xlsx)."
        ),
        field="file",
    )


def read_rows(content: bytes) -> list[SheetRow]:
    """The filled rows under the heading row of the sheet "RTL" (or the first sheet)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise Refused(
            "too_big",
            _l(
                "Berkas lebih besar dari %(mb)s MB. Unduh berkas RTL yang baru, lalu isi kembali.",
                mb=format_number(MAX_UPLOAD_BYTES // (1024 * 1024)),
            ),
            field="file",
        )
    workbook = open_workbook(content, not_xlsx)
    try:
        if not workbook.worksheets:
            raise not_xlsx()
        sheet = (
            workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
        )
        return _rows_of(sheet)
    except Refused:
        raise
    except Exception as error:  # a sheet whose XML breaks halfway through
        raise not_xlsx() from error
    finally:
        workbook.close()


def _too_many_rows() -> Refused:
    return Refused(
        "too_many_rows",
        _l(
            "Berkas ini berisi lebih dari %(max)s baris tindak lanjut. Unduh berkas RTL yang "
            "baru, lalu isi kembali.",
            max=format_number(MAX_ROWS),
        ),
        field="file",
    )


def _rows_of(sheet) -> list[SheetRow]:
    if (sheet.max_row or 0) > MAX_SCANNED_ROWS:
        raise _too_many_rows()
    sheet.reset_dimensions()  # the declared size may understate: read to the real end
    headers = _header_lookup()
    keys: list[str | None] | None = None
    rows: list[SheetRow] = []
    for number, cells in enumerate(sheet.iter_rows(max_col=READ_COLUMNS), start=1):
        if number > MAX_SCANNED_ROWS:
            raise _too_many_rows()
        values = [_cell_value(cell) for cell in cells]
        if all(_is_blank(value) for value in values):
            continue
        if keys is None:
            keys = _column_keys(values, headers)
            if keys is None and number >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        rows.append(SheetRow(number, {k: v for k, v in zip(keys, values) if k is not None}))
    if keys is None:
        raise Refused(
            "no_header",
            _l(
                "Baris judul kolom (ID, Status, Persentase, Catatan kemajuan) tidak ditemukan. "
                "Unduh berkas RTL yang baru, lalu isi kembali."
            ),
            field="file",
        )
    return rows


def _cell_value(cell) -> Any:
    """A cell's value; a percentage typed as "40%" in Excel is stored as 0.4: read it as 40."""
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", "") or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        return round(value * 100, 6)
    return value


def _header_lookup() -> dict[str, str]:
    lookup = {}
    for column in COLUMNS:
        for text in in_both_languages(column.header):
            lookup[text] = column.key
    return lookup


def _column_keys(values: list, headers: dict[str, str]) -> list[str | None] | None:
    """The row's cells as column keys when it is the heading row (it names the ID and the
    status columns), else None. Every required column must be there, once."""
    keys = [headers.get(fold(str(v))) if isinstance(v, str) else None for v in values]
    if "id" not in keys or "status" not in keys:
        return None
    missing = [str(c.header) for c in COLUMNS if c.required and c.key not in keys]
    repeated = sorted({str(COLUMNS_BY_KEY[k].header) for k in keys if k and keys.count(k) > 1})
    if missing == [str(COLUMNS_BY_KEY["version"].header)] and not repeated:
        # A file downloaded before the column existed: what it was filled against is unknown.
        raise Refused(
            "old_file",
            _l(
                "Berkas ini unduhan lama (tanpa kolom Versi laporan), sehingga tidak dapat "
                "diperiksa terhadap laporan kemajuan yang masuk sesudahnya. Unduh berkas RTL "
                "yang baru, lalu isi kembali."
            ),
            field="file",
        )
    problems = []
    if missing:
        problems.append(_("kolom yang tidak ada: %(names)s", names=", ".join(missing)))
    if repeated:
        problems.append(_("kolom yang muncul dua kali: %(names)s", names=", ".join(repeated)))
    if problems:
        raise Refused(
            "columns",
            _l(
                "Kolom berkas tidak sesuai berkas RTL (%(problems)s). Unduh berkas RTL yang baru, "
                "lalu isi kembali.",
                problems="; ".join(problems),
            ),
            field="file",
        )
    return keys


COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- from cells to the form's values -------------------------------------------------------------

# An unknown status reaches the form as this, which its list does not hold: the form refuses it.
NOT_LISTED = "?"
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def status_lookup() -> dict[str, str]:
    lookup = {}
    for code, label in FOLLOW_UP_STATUSES.items():
        lookup[fold(code)] = code
        for text in in_both_languages(label):
            lookup[text] = code
    return lookup


def percent_text(value: Any) -> str:
    """40, 40.0, "40", "40%", "40,0" -> "40"; anything else as typed, for the form to refuse."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    text = str(value).strip().rstrip("%").strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return str(value).strip()
    return str(int(number)) if number.is_integer() else str(value).strip()


def date_text(value: Any) -> str:
    """A date cell or typed date as the form's YYYY-MM-DD; "31/03/2026" is read day first."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = DAY_MONTH_YEAR.fullmatch(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def note_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return date_text(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def follow_up_id_of(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def row_key(file_sha256: str, follow_up_id: int) -> str:
    return f"xlsx:{file_sha256[:KEY_DIGITS]}:{follow_up_id}"


# --- checking and applying ------------------------------------------------------------------------


def check_rows(
    agency_id: int, rows: list[SheetRow], file_sha256: str, today: date
) -> tuple[list[CheckedRow], list[RowError]]:
    """Every row through the progress form and the progress rules; errors by row and column.

    A row adds nothing when the same file already added it, when it says what the
    follow-up says now, or when it says what the follow-up said at download (its
    "Versi laporan"): only a row the agency changed is a report. A changed row whose
    follow-up has had a newer report since the download is refused.
    """
    headers = {column.key: str(column.header) for column in COLUMNS}
    statuses = status_lookup()
    ids = {follow_up_id_of(row.values.get("id")) for row in rows} - {None}
    follow_ups = {
        follow_up.id: follow_up
        for follow_up in db.session.scalars(
            select(FollowUp).where(FollowUp.id.in_(ids), FollowUp.agency_id == agency_id)
        )
    }
    keys_recorded = recorded_keys(
        [row_key(file_sha256, follow_up_id) for follow_up_id in follow_ups]
    )
    latest = latest_entry_ids(follow_ups)
    baselines = baseline_entries(
        {whole_number(row.values.get("version")) for row in rows} - {None, 0}
    )
    checked: list[CheckedRow] = []
    errors: list[RowError] = []
    seen: dict[int, int] = {}
    for row in rows:
        follow_up_id = follow_up_id_of(row.values.get("id"))
        if follow_up_id is None:
            errors.append(
                RowError(
                    row.number,
                    headers["id"],
                    _("Isi ID tindak lanjut dari berkas RTL yang diunduh; jangan diubah."),
                )
            )
            continue
        follow_up = follow_ups.get(follow_up_id)
        if follow_up is None:
            errors.append(
                RowError(
                    row.number,
                    headers["id"],
                    _("ID %(id)s bukan tindak lanjut perangkat daerah ini.", id=follow_up_id),
                )
            )
            continue
        if follow_up_id in seen:
            errors.append(
                RowError(
                    row.number,
                    headers["id"],
                    _(
                        "ID %(id)s sudah ada di baris %(row)s; setiap tindak lanjut "
                        "satu baris saja.",
                        id=follow_up_id,
                        row=seen[follow_up_id],
                    ),
                )
            )
            continue
        seen[follow_up_id] = row.number
        baseline_id = whole_number(row.values.get("version"))
        if baseline_id is None:
            errors.append(
                RowError(
                    row.number,
                    headers["version"],
                    _(
                        "Isi Versi laporan dari berkas RTL yang diunduh; jangan diubah. Unduh "
                        "berkas RTL yang baru, lalu isi kembali."
                    ),
                )
            )
            continue
        if baseline_id == 0:
            baseline = progress.NOT_STARTED
        else:
            found = baselines.get(baseline_id)
            if found is None or found[0] != follow_up_id:
                # Typed over (the lock has no password) or copied from another row.
                errors.append(
                    RowError(
                        row.number,
                        headers["version"],
                        _(
                            "Versi laporan %(version)s bukan laporan kemajuan tindak lanjut "
                            "ini; kolom ini tidak boleh diubah. Unduh berkas RTL yang baru, "
                            "lalu isi kembali.",
                            version=baseline_id,
                        ),
                    )
                )
                continue
            baseline = found[1]
        status = row.values.get("status")
        formdata = MultiDict(
            {
                "status": statuses.get(fold(str(status)), NOT_LISTED)
                if not _is_blank(status)
                else "",
                "percent": percent_text(row.values.get("percent")),
                "note": note_text(row.values.get("note")),
                "reported_on": date_text(row.values.get("reported_on")),
                "idempotency_key": row_key(file_sha256, follow_up_id),
            }
        )
        form = ProgressForm(formdata=formdata, meta={"csrf": False})
        if not form.validate():
            for name, messages in form.errors.items():
                column = headers.get(FORM_COLUMNS.get(name, ""), str(form[name].label.text))
                errors.extend(RowError(row.number, column, str(message)) for message in messages)
            continue
        report = form.report()
        same = (
            report.idempotency_key in keys_recorded
            or progress.unchanged(follow_up, report)
            or says(baseline, report)
        )
        if not same:
            if latest.get(follow_up_id, 0) != baseline_id:
                errors.append(newer_report_error(row.number, follow_up))
                continue
            if follow_up.status in CLOSED_FOLLOW_UP_STATUSES:
                errors.append(
                    RowError(
                        row.number,
                        headers["status"],
                        _(
                            "Tindak lanjut ini sudah ditutup (%(status)s): tidak dapat diperbarui "
                            "lewat berkas. Hapus barisnya atau unduh berkas RTL yang baru.",
                            status=FOLLOW_UP_STATUSES[follow_up.status],
                        ),
                    )
                )
                continue
            try:
                progress.check_channel(follow_up, report, "xlsx")
                progress.check_report(follow_up, report, today)
            except Refused as refused:
                errors.append(refusal_error(row.number, refused))
                continue
        checked.append(CheckedRow(row.number, follow_up_id, report, same, baseline_id))
    return checked, errors


def whole_number(value: Any) -> int | None:
    """An id written by the download (0 or more); None for anything else."""
    number = follow_up_id_of(value)
    return number if number is not None and number >= 0 else None


def baseline_entries(entry_ids: set[int]) -> dict[int, tuple[int, progress.ProgressState]]:
    """The reports a file was downloaded against: id -> (its follow-up, the state it set).
    Reports are never edited, so this is the state the row showed."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(
            FollowUpProgress.id,
            FollowUpProgress.follow_up_id,
            FollowUpProgress.status,
            FollowUpProgress.percent,
            FollowUpProgress.note,
            FollowUpProgress.reported_on,
        ).where(FollowUpProgress.id.in_(sorted(entry_ids)))
    )
    return {
        entry_id: (follow_up_id, progress.ProgressState(status, percent, note, reported_on))
        for entry_id, follow_up_id, status, percent, note, reported_on in rows
    }


def says(state: progress.ProgressState, report: ProgressReport) -> bool:
    """The report repeats the state, as `progress.unchanged` compares with the follow-up."""
    return (
        report.evidence is None
        and state.status == report.status
        and state.percent == report.percent
        and (state.note or "").strip() == report.note.strip()
    )


def newer_report_error(number: int, follow_up: FollowUp) -> RowError:
    """The follow-up (whose columns repeat its latest report) was reported on after the
    file was downloaded: the row was filled without seeing that report."""
    return RowError(
        number,
        "",
        _(
            "sudah ada laporan kemajuan yang lebih baru sejak berkas diunduh (%(status)s, "
            "%(percent)s persen). Unduh berkas RTL yang baru.",
            status=FOLLOW_UP_STATUSES.get(follow_up.status, follow_up.status),
            percent=follow_up.percent,
        ),
    )


def refusal_error(number: int, refused: Refused) -> RowError:
    """A progress rule's refusal, named by the column of the field it blames."""
    headers = {column.key: str(column.header) for column in COLUMNS}
    column = headers.get(FORM_COLUMNS.get(refused.field or "", ""), headers["status"])
    return RowError(number, column, str(refused))


def recorded_keys(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(
        db.session.scalars(
            select(FollowUpProgress.idempotency_key).where(
                FollowUpProgress.idempotency_key.in_(keys)
            )
        )
    )


def upload_workbook(
    agency: Agency,
    content: bytes,
    *,
    actor: User | None,
    link: AgencyLink | None = None,
) -> UploadResult:
    """Check every row of the uploaded RTL workbook, then apply all of them, or none.

    Rows that break a rule refuse the file: `Refused("rows")` with `details["errors"]`
    (RowError list) and `details["rows"]` (how many rows were read).
    """
    rows = read_rows(content)
    if not rows:
        raise Refused(
            "no_rows",
            _l("Berkas ini tidak berisi baris tindak lanjut di bawah judul kolom."),
            field="file",
        )
    file_sha256 = hashlib.sha256(content).hexdigest()
    today = local_today()
    checked, errors = check_rows(agency.id, rows, file_sha256, today)
    if errors:
        raise rows_refused(errors, len(rows))
    return apply_rows(agency.id, checked, actor=actor, link=link)


def rows_refused(errors: list[RowError], rows: int) -> Refused:
    return Refused("rows", _l("Tidak ada yang diperbarui"), errors=errors, rows=rows)


@transaction
def apply_rows(
    agency_id: int, checked: list[CheckedRow], *, actor: User | None, link: AgencyLink | None
) -> UploadResult:
    """All rows in one transaction: a row refused now (someone reported meanwhile and the
    rules answer differently) rolls back every one.

    The follow-ups are locked first, as `progress.report_progress` locks one, so a report
    arriving between the check and now is either seen here or waits for this commit."""
    ids = sorted(row.follow_up_id for row in checked if not row.unchanged)
    locked = (
        {
            follow_up.id: follow_up
            for follow_up in db.session.scalars(
                select(FollowUp)
                .where(FollowUp.id.in_(ids), FollowUp.agency_id == agency_id)
                .order_by(FollowUp.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        }
        if ids
        else {}
    )
    latest = latest_entry_ids(ids)
    updated = 0
    for row in checked:
        if row.unchanged:
            continue
        follow_up = locked.get(row.follow_up_id)
        if follow_up is None:  # given to another agency meanwhile
            error = RowError(
                row.number,
                str(COLUMNS_BY_KEY["id"].header),
                _("ID %(id)s bukan tindak lanjut perangkat daerah ini.", id=row.follow_up_id),
            )
            raise rows_refused([error], len(checked))
        if latest.get(row.follow_up_id, 0) != row.baseline_id:
            raise rows_refused([newer_report_error(row.number, follow_up)], len(checked))
        if follow_up.status in CLOSED_FOLLOW_UP_STATUSES:
            # Closed by someone else since the rows were checked: the file does not reopen it.
            error = RowError(
                row.number,
                str(COLUMNS_BY_KEY["status"].header),
                _(
                    "Tindak lanjut ini baru saja ditutup (%(status)s). Unduh berkas RTL yang "
                    "baru, lalu isi kembali.",
                    status=FOLLOW_UP_STATUSES[follow_up.status],
                ),
            )
            raise rows_refused([error], len(checked))
        try:
            entry = progress.add_entry(
                follow_up, row.report, actor=actor, channel="xlsx", link=link, skip_unchanged=True
            )
        except Refused as refused:
            raise rows_refused([refusal_error(row.number, refused)], len(checked)) from refused
        if entry is not None:
            updated += 1
    return UploadResult(updated=updated, unchanged=len(checked) - updated)
