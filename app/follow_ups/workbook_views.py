"""An agency's follow-ups for the staff and its focal point, and its RTL workbook.

GET  /admin/follow-ups/agency/<agency_id>            FOLLOW_UP_READERS    the open follow-ups
GET  /admin/follow-ups/agency/<agency_id>/rtl.xlsx   FOLLOW_UP_READERS    the workbook to fill in
POST /admin/follow-ups/agency/<agency_id>/rtl.xlsx   FOLLOW_UP_REPORTERS  the filled workbook

A focal point reaches its own agency only; any other answers 404, as if it did not exist.
The agency's update link serves the same workbook (app/agency_links/views.py).
"""

from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.agency_links.forms import WorkbookForm
from app.auth.access import (
    FOLLOW_UP_READERS,
    FOLLOW_UP_REPORTERS,
    agency_scope,
    current_actor,
    role_required,
)
from app.extensions import db
from app.follow_ups import bp, workbook
from app.forms import error_summary, show_refusal
from app.models import Agency
from app.services import Refused

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def agency_or_404(agency_id: int) -> Agency:
    scope = agency_scope()
    if scope is not None and scope != agency_id:
        abort(404)
    return db.get_or_404(Agency, agency_id)


def agency_page(agency: Agency, form: WorkbookForm, *, row_errors=None, status: int = 200):
    body = render_template(
        "follow_ups/agency.html",
        agency=agency,
        follow_ups=workbook.open_follow_ups(agency.id),
        upload=form,
        can_upload=current_user.role in FOLLOW_UP_REPORTERS,
        upload_errors=error_summary(form),
        row_errors=row_errors,
    )
    return body, status


@bp.get("/follow-ups/agency/<int:agency_id>")
@role_required(*FOLLOW_UP_READERS)
def agency(agency_id: int):
    return agency_page(agency_or_404(agency_id), WorkbookForm(formdata=None))


@bp.get("/follow-ups/agency/<int:agency_id>/rtl.xlsx")
@role_required(*FOLLOW_UP_READERS)
def agency_workbook(agency_id: int):
    agency = agency_or_404(agency_id)
    return send_file(
        BytesIO(workbook.agency_workbook(agency)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=workbook.workbook_filename(agency),
    )


@bp.post("/follow-ups/agency/<int:agency_id>/rtl.xlsx")
@role_required(*FOLLOW_UP_REPORTERS)
def upload_workbook(agency_id: int):
    agency = agency_or_404(agency_id)
    form = WorkbookForm()
    if not form.validate():
        return agency_page(agency, form, status=422)
    content = form.file.data.stream.read(workbook.MAX_UPLOAD_BYTES + 1)
    try:
        result = workbook.upload_workbook(agency, content, actor=current_actor())
    except Refused as refused:
        if refused.code != "rows":
            show_refusal(form, refused)
        return agency_page(agency, form, row_errors=refused.details, status=422)
    flash(*result.notice())
    return redirect(url_for(".agency", agency_id=agency.id), code=303)
