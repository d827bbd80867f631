"""Downloads of a meeting's inputs, with the review queue's filters (?pillar=..&status=..).

Phone numbers only with ?personal=1; the file then says so and its name ends in
"-data-pribadi". The queue links here with `ReviewFilters.to_args()`.
"""

from flask import Response, request, send_file, stream_with_context

from app.auth.access import READ, current_actor, role_required
from app.exports import bp, services
from app.extensions import db
from app.models import Meeting
from app.review.queries import ReviewFilters

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wants_personal_data() -> bool:
    return request.args.get("personal") == "1"


def export_request(meeting_id: int, file_format: str) -> tuple[Meeting, ReviewFilters, bool]:
    meeting = db.get_or_404(Meeting, meeting_id)
    filters = ReviewFilters.from_args(request.args)
    personal = wants_personal_data()
    if personal:
        services.note_personal_export(
            meeting, current_actor(), file_format=file_format, filters=filters
        )
    return meeting, filters, personal


def private(response: Response) -> Response:
    # Exports carry names (and maybe phones): no shared cache may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/meetings/<int:meeting_id>/inputs.csv")
@role_required(*READ)
def submissions_csv(meeting_id: int):
    meeting, filters, personal = export_request(meeting_id, "csv")
    chunks = services.csv_chunks(meeting.id, filters, personal=personal)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{services.filename(meeting, "csv", personal=personal)}"'
    )
    return private(response)


@bp.get("/meetings/<int:meeting_id>/inputs.xlsx")
@role_required(*READ)
def submissions_xlsx(meeting_id: int):
    meeting, filters, personal = export_request(meeting_id, "xlsx")
    response = send_file(
        services.xlsx_file(meeting, filters, personal=personal),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=services.filename(meeting, "xlsx", personal=personal),
    )
    return private(response)
