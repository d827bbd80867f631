"""Paper input: the printable form, the XLSX template, and importing the filled template."""

from io import BytesIO

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.extensions import db
from app.forms import error_summary, show_refusal
from app.models import Meeting
from app.paper import bp, documents, services
from app.paper.forms import ImportForm
from app.qr import public_meeting_url
from app.services import Refused

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_page(meeting: Meeting, form: ImportForm, *, errors=None, status=200):
    return (
        render_template(
            "paper/index.html",
            meeting=meeting,
            form=form,
            writable=can_write(),
            public_url=public_meeting_url(meeting),
            paper_count=services.paper_submission_count(meeting.id),
            columns=services.COLUMNS,
            max_rows=services.MAX_ROWS,
            summary=error_summary(form),
            row_errors=errors,
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/paper")
@role_required(*READ)
def index(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_page(meeting, ImportForm(formdata=None))


@bp.get("/meetings/<int:meeting_id>/paper/form.pdf")
@role_required(*READ)
def form_pdf(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    pdf = documents.paper_form_pdf(meeting, public_meeting_url(meeting))
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        download_name=f"formulir-masukan-{meeting.code}.pdf",
    )


@bp.get("/meetings/<int:meeting_id>/paper/template.xlsx")
@role_required(*READ)
def template_xlsx(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return send_file(
        BytesIO(documents.template_workbook(meeting)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"templat-masukan-{meeting.code}.xlsx",
    )


@bp.post("/meetings/<int:meeting_id>/paper/import")
@role_required(*WRITE)
def import_xlsx(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = ImportForm()
    if not form.validate():
        return render_page(meeting, form, status=422)
    upload = form.file.data
    # One byte past the limit is enough to know the file is too big.
    content = upload.stream.read(services.MAX_UPLOAD_BYTES + 1)
    try:
        result = services.import_workbook(
            meeting,
            current_actor(),
            content,
            filename=upload.filename or "",
        )
    except Refused as refused:
        if refused.code != "rows":
            show_refusal(form, refused)
        # Rows that break the rules come as a list: refused.details["errors"].
        return render_page(meeting, form, errors=refused.details, status=422)
    flash(_("%(n)d masukan dari formulir kertas diimpor.", n=result.imported), "info")
    if result.already_imported:
        flash(_("%(n)d baris sudah pernah diimpor, dilewati.", n=result.already_imported), "info")
    if result.repeated_in_file:
        flash(_("%(n)d baris kembar di dalam berkas, dilewati.", n=result.repeated_in_file), "info")
    return redirect(url_for("paper.index", meeting_id=meeting.id), code=303)
