"""Downloads of a meeting's inputs, with the review queue's filters (?pillar=..&status=..),
and of its follow-ups.

A GET gives the file without phone numbers, to every staff role. The file with them
(personal data) is a POST with the CSRF token, for PERSONAL_DATA only, and audited:
a link from another site can neither take the numbers nor write an audit line. That
file says so in its first line and its name ends in "-data-pribadi". The queue links
and posts here with `ReviewFilters.to_args()`.

Each CSV comes twice: `inputs.csv` (comma, decimal point: the stable interface other
tools read) and `inputs-excel.csv` (semicolon, decimal comma: for Excel set to
Indonesian). The follow-ups (`follow-ups.csv`, `rtl.xlsx`) hold no personal data.
"""

from flask import Response, request, send_file, stream_with_context

from app.auth.access import PERSONAL_DATA, READ, current_actor, role_required
from app.exports import bp, follow_ups, services
from app.exports.cells import EXCEL_CSV, PLAIN_CSV, CsvDialect
from app.extensions import db
from app.i18n import local_today
from app.models import Meeting
from app.review.queries import ReviewFilters

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_request(meeting_id: int) -> tuple[Meeting, ReviewFilters]:
    meeting = db.get_or_404(Meeting, meeting_id)
    return meeting, ReviewFilters.from_args(request.args)


def personal_export_request(meeting_id: int, file_format: str) -> tuple[Meeting, ReviewFilters]:
    meeting, filters = export_request(meeting_id)
    services.note_personal_export(
        meeting, current_actor(), file_format=file_format, filters=filters
    )
    return meeting, filters


def csv_download(
    meeting: Meeting, filters: ReviewFilters, *, personal: bool, dialect: CsvDialect = PLAIN_CSV
) -> Response:
    chunks = services.csv_chunks(meeting.id, filters, personal=personal, dialect=dialect)
    if personal:
        # Built whole: the audit commit expired the signed-in user's row, and a streamed
        # answer would keep this request's context, with that row, open until the client
        # closes the download. Personal exports are occasional and filtered.
        response = Response("".join(chunks), mimetype="text/csv")
    else:
        response = Response(stream_with_context(chunks), mimetype="text/csv")
    name = services.filename(meeting, "csv", personal=personal, dialect=dialect)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_download(meeting: Meeting, filters: ReviewFilters, *, personal: bool) -> Response:
    return send_file(
        services.xlsx_file(meeting, filters, personal=personal, as_of=local_today()),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=services.filename(meeting, "xlsx", personal=personal),
    )


@bp.get("/meetings/<int:meeting_id>/inputs.csv")
@role_required(*READ)
def submissions_csv(meeting_id: int):
    meeting, filters = export_request(meeting_id)
    return csv_download(meeting, filters, personal=False)


@bp.get("/meetings/<int:meeting_id>/inputs-excel.csv")
@role_required(*READ)
def submissions_excel_csv(meeting_id: int):
    meeting, filters = export_request(meeting_id)
    return csv_download(meeting, filters, personal=False, dialect=EXCEL_CSV)


@bp.get("/meetings/<int:meeting_id>/inputs.xlsx")
@role_required(*READ)
def submissions_xlsx(meeting_id: int):
    meeting, filters = export_request(meeting_id)
    return xlsx_download(meeting, filters, personal=False)


@bp.post("/meetings/<int:meeting_id>/inputs.csv")
@role_required(*PERSONAL_DATA)
def personal_submissions_csv(meeting_id: int):
    meeting, filters = personal_export_request(meeting_id, "csv")
    return csv_download(meeting, filters, personal=True)


@bp.post("/meetings/<int:meeting_id>/inputs.xlsx")
@role_required(*PERSONAL_DATA)
def personal_submissions_xlsx(meeting_id: int):
    meeting, filters = personal_export_request(meeting_id, "xlsx")
    return xlsx_download(meeting, filters, personal=True)


@bp.post("/meetings/<int:meeting_id>/inputs-excel.csv")
@role_required(*PERSONAL_DATA)
def personal_submissions_excel_csv(meeting_id: int):
    meeting, filters = personal_export_request(meeting_id, "csv")
    return csv_download(meeting, filters, personal=True, dialect=EXCEL_CSV)


# --- the follow-ups -------------------------------------------------------------------------


def follow_ups_csv_download(meeting_id: int, dialect: CsvDialect) -> Response:
    meeting = db.get_or_404(Meeting, meeting_id)
    response = Response(
        follow_ups.follow_ups_csv(meeting.id, local_today(), dialect), mimetype="text/csv"
    )
    name = services.filename(
        meeting, "csv", personal=False, dialect=dialect, prefix="tindak-lanjut"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/meetings/<int:meeting_id>/follow-ups.csv")
@role_required(*READ)
def follow_ups_csv(meeting_id: int):
    return follow_ups_csv_download(meeting_id, PLAIN_CSV)


@bp.get("/meetings/<int:meeting_id>/follow-ups-excel.csv")
@role_required(*READ)
def follow_ups_excel_csv(meeting_id: int):
    return follow_ups_csv_download(meeting_id, EXCEL_CSV)


@bp.get("/meetings/<int:meeting_id>/rtl.xlsx")
@role_required(*READ)
def rtl_xlsx(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return send_file(
        follow_ups.rtl_workbook(meeting, local_today()),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=services.filename(meeting, "xlsx", personal=False, prefix="rtl"),
    )
