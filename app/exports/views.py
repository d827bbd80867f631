"""Downloads of a meeting's inputs, with the review queue's filters (?pillar=..&status=..).

A GET gives the file without phone numbers, to every staff role. The file with them
(personal data) is a POST with the CSRF token, for PERSONAL_DATA only, and audited:
a link from another site can neither take the numbers nor write an audit line. That
file says so in its first line and its name ends in "-data-pribadi". The queue links
and posts here with `ReviewFilters.to_args()`.
"""

from flask import Response, request, send_file, stream_with_context

from app.auth.access import PERSONAL_DATA, READ, current_actor, role_required
from app.exports import bp, services
from app.extensions import db
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


def csv_download(meeting: Meeting, filters: ReviewFilters, *, personal: bool) -> Response:
    chunks = services.csv_chunks(meeting.id, filters, personal=personal)
    if personal:
        # Built whole: the audit commit expired the signed-in user's row, and a streamed
        # answer would keep this request's context, with that row, open until the client
        # closes the download. Personal exports are occasional and filtered.
        response = Response("".join(chunks), mimetype="text/csv")
    else:
        response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{services.filename(meeting, "csv", personal=personal)}"'
    )
    return response


def xlsx_download(meeting: Meeting, filters: ReviewFilters, *, personal: bool) -> Response:
    return send_file(
        services.xlsx_file(meeting, filters, personal=personal),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=services.filename(meeting, "xlsx", personal=personal),
    )


@bp.get("/meetings/<int:meeting_id>/inputs.csv")
@role_required(*READ)
def submissions_csv(meeting_id: int):
    meeting, filters = export_request(meeting_id)
    return csv_download(meeting, filters, personal=False)


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
