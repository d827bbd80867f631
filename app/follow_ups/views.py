"""The follow-up register and a follow-up's own page (app/follow_ups/register.py reads).

GET  /admin/follow-ups                                   the register, filtered and paged
GET  /admin/follow-ups.xlsx                              the filtered register as a workbook
GET  /admin/follow-ups/<id>                              one follow-up and its progress history
POST /admin/follow-ups/<id>/progress                     a progress report (FOLLOW_UP_REPORTERS)
GET  /admin/follow-ups/<id>/evidence/<entry_id>          a report's evidence file

A focal point sees its own agency's follow-ups only: the register is narrowed to them,
and another agency's follow-up answers 404, as if it did not exist.
"""

import re
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import (
    FOLLOW_UP_READERS,
    FOLLOW_UP_REPORTERS,
    READ,
    agency_scope,
    current_actor,
    role_required,
)
from app.domain import (
    CLOSED_FOLLOW_UP_STATUSES,
    EVIDENCE_TYPES,
    FOLLOW_UP_STATUSES,
    PROGRESS_CHANNELS,
    is_overdue,
)
from app.follow_ups import bp, progress
from app.follow_ups import register as queries
from app.follow_ups.forms import ProgressForm
from app.follow_ups.register import RegisterFilters
from app.forms import error_summary, show_refusal
from app.i18n import local_today, long_date
from app.models import FollowUp
from app.services import Refused

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What may stay of an uploaded file's name in a download's name.
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@bp.app_template_global()
def follow_up_overdue(follow_up: FollowUp) -> bool:
    """Past its deadline and still awaited today (the register's "Terlambat")."""
    return is_overdue(follow_up.deadline, follow_up.status, local_today())


# --- the register --------------------------------------------------------------------------


@bp.get("/follow-ups")
@role_required(*FOLLOW_UP_READERS)
def register():
    filters = RegisterFilters.from_args(request.args, scope=agency_scope())
    page = queries.register_page(filters, local_today(), queries.page_number(request.args))
    # A page holds a few meetings and four statuses: each worded once, not once a row.
    meeting_dates = {row.meeting_id: row.meeting_date for row in page.rows}
    # Deadlines and report days repeat too: each distinct day worded once.
    days = {row.deadline for row in page.rows} | {row.reported_on for row in page.rows}
    day_words = {day: long_date(day) for day in days if day is not None}
    return render_template(
        "follow_ups/register.html",
        filters=filters,
        page=page,
        meeting_days={meeting: long_date(day) for meeting, day in meeting_dates.items()},
        day_words=day_words,
        status_labels={status: str(label) for status, label in FOLLOW_UP_STATUSES.items()},
        options=queries.filter_options(filters.scope),
        scoped=agency_scope() is not None,
        no_pillar=queries.NO_PILLAR,
    )


@bp.get("/follow-ups.xlsx")
@role_required(*FOLLOW_UP_READERS)
def register_xlsx():
    filters = RegisterFilters.from_args(request.args, scope=agency_scope())
    today = local_today()
    return send_file(
        queries.register_xlsx(filters, today),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=queries.xlsx_filename(today),
    )


# --- one follow-up -------------------------------------------------------------------------


def follow_up_or_404(follow_up_id: int) -> FollowUp:
    follow_up = queries.follow_up_in_scope(follow_up_id, agency_scope())
    if follow_up is None:
        abort(404)
    return follow_up


def show_page(
    follow_up: FollowUp, form: ProgressForm | None = None, *, status: int = 200, file_lost=False
):
    focal = current_user.role == "focal"
    # A focal point reports on open follow-ups; reopening or cancelling is the secretariat's.
    closed_to_agency = focal and follow_up.status in CLOSED_FOLLOW_UP_STATUSES
    may_report = current_user.role in FOLLOW_UP_REPORTERS and not closed_to_agency
    if form is None and may_report:
        form = ProgressForm(
            formdata=None, data={"status": follow_up.status, "percent": follow_up.percent}
        )
    if form is not None and focal:
        form.for_agency()
    return (
        render_template(
            "follow_ups/show.html",
            follow_up=follow_up,
            overdue=queries.overdue_now(follow_up, local_today()),
            history=queries.history_of(follow_up),
            staff_reader=current_user.role in READ,
            form=form if may_report else None,
            errors=error_summary(form) if form is not None and status != 200 else [],
            file_lost=file_lost,
            closed_to_agency=closed_to_agency,
            channels=PROGRESS_CHANNELS,
        ),
        status,
    )


@bp.get("/follow-ups/<int:follow_up_id>")
@role_required(*FOLLOW_UP_READERS)
def show(follow_up_id: int):
    return show_page(follow_up_or_404(follow_up_id))


@bp.post("/follow-ups/<int:follow_up_id>/progress")
@role_required(*FOLLOW_UP_REPORTERS)
def report(follow_up_id: int):
    follow_up = follow_up_or_404(follow_up_id)
    form = ProgressForm()
    if current_user.role == "focal":
        form.for_agency()
    upload = request.files.get(form.evidence.name)
    chosen = upload is not None and bool(upload.filename)
    if form.validate():
        try:
            evidence = progress.check_evidence(upload.read(), upload.filename) if chosen else None
            entry = progress.report_progress(
                follow_up,
                form.report(evidence),
                actor=current_actor(),
                channel="focal" if current_user.role == "focal" else "staff",
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            if entry is None:
                flash(_("Laporan ini sudah tersimpan sebelumnya."), "info")
            else:
                flash(_("Laporan kemajuan disimpan."), "info")
            return redirect(url_for("follow_ups.show", follow_up_id=follow_up.id), code=303)
    return show_page(follow_up, form, status=422, file_lost=chosen)


@bp.get("/follow-ups/<int:follow_up_id>/evidence/<int:entry_id>")
@role_required(*FOLLOW_UP_READERS)
def evidence(follow_up_id: int, entry_id: int):
    follow_up = follow_up_or_404(follow_up_id)
    entry = queries.evidence_of(follow_up, entry_id)
    if entry is None:
        abort(404)
    response = send_file(
        BytesIO(entry.evidence),
        mimetype=entry.evidence_type,
        as_attachment=True,
        download_name=download_name(entry.id, entry.evidence_name, entry.evidence_type),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download_name(entry_id: int, uploaded: str, mimetype: str) -> str:
    """'bukti-12-foto-lokasi.jpg': ASCII only, the extension its content's, never the
    uploaded one (a name is the sender's words, the type was read from the bytes)."""
    stem = uploaded.rsplit(".", 1)[0] if "." in uploaded else uploaded
    stem = UNSAFE_NAME.sub("-", stem).strip("-._")[:60]
    extension = EVIDENCE_TYPES.get(mimetype, "bin")
    return f"bukti-{entry_id}-{stem}.{extension}" if stem else f"bukti-{entry_id}.{extension}"
