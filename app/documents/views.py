"""The official record: previews, PDFs (rendered as jobs), finalising.

GET  /admin/meetings/<id>/minutes              READ   HTML preview of the minutes
GET  /admin/meetings/<id>/minutes.pdf          READ   the PDF, or a progress page while it renders
GET  /admin/meetings/<id>/evaluation           READ   HTML preview of the evaluation summary
GET  /admin/meetings/<id>/evaluation.pdf       READ   the PDF, or a progress page
GET  /admin/meetings/<id>/jobs/<job>.json      READ   progress of a render job (polled by JS)
POST /admin/meetings/<id>/finalise             WRITE  freeze the record
POST /admin/meetings/<id>/reopen               ADMIN  unfreeze it, with a reason (audited)
"""

from io import BytesIO

from flask import abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.access import ADMIN, READ, WRITE, current_actor, role_required
from app.documents import bp, finalise, jobs, render
from app.documents.forms import ConfirmForm, ReopenForm
from app.extensions import db
from app.forms import show_refusal
from app.models import Meeting, MeetingDocument
from app.models.meeting import RenderJob
from app.services import Refused

FILE_PREFIX = {"minutes": "notulen", "evaluation": "evaluasi"}
DOCUMENT_NAMES = {"minutes": _l("notulen"), "evaluation": _l("ringkasan evaluasi")}
JOB_MESSAGES = {
    "queued": _l("Menunggu giliran…"),
    "running": _l("Sedang dibuat…"),
    "done": _l("Selesai. PDF dibuka…"),
    "failed": _l("Gagal membuat PDF. Coba lagi; bila tetap gagal, hubungi admin."),
}


# --- previews and PDFs -----------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/minutes")
@role_required(*READ)
def minutes(meeting_id: int):
    return preview_page("minutes", meeting_id)


@bp.get("/meetings/<int:meeting_id>/evaluation")
@role_required(*READ)
def evaluation(meeting_id: int):
    return preview_page("evaluation", meeting_id)


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
@role_required(*READ)
def minutes_pdf(meeting_id: int):
    return document_response("minutes", meeting_id)


@bp.get("/meetings/<int:meeting_id>/evaluation.pdf")
@role_required(*READ)
def evaluation_pdf(meeting_id: int):
    return document_response("evaluation", meeting_id)


def preview_page(kind: str, meeting_id: int, *, reopen_form: ReopenForm | None = None,
                 status: int = 200):  # fmt: skip
    db.get_or_404(Meeting, meeting_id)
    preview = render.preview(kind, meeting_id)
    state = finalise.final_state(meeting_id) if kind == "minutes" else None
    page = render_template(
        "documents/preview.html",
        preview=preview,
        state=state,
        finalise_form=ConfirmForm(),
        reopen_form=reopen_form or ReopenForm(),
    )
    return page, status


def document_response(kind: str, meeting_id: int):
    db.get_or_404(Meeting, meeting_id)
    outcome = jobs.request_document(meeting_id, kind, current_actor())
    if isinstance(outcome, jobs.Ready):
        return send_document(outcome.document, meeting_code=outcome.meeting_code)
    job = outcome.job
    page = render_template(
        "documents/progress.html",
        job=job,
        kind=kind,
        meeting_id=meeting_id,
        document_name=DOCUMENT_NAMES[kind],
        message=JOB_MESSAGES[job.status],
    )
    # 202: accepted, still being made; the page polls and then opens the PDF.
    return page, 202


def send_document(document: MeetingDocument, *, meeting_code: str):
    response = send_file(
        BytesIO(document.content),
        mimetype="application/pdf",
        download_name=f"{FILE_PREFIX[document.kind]}-{meeting_code}.pdf",
        etag=document.sha256,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = document.sha256
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/meetings/<int:meeting_id>/jobs/<int:job_id>.json")
@role_required(*READ)
def job_status(meeting_id: int, job_id: int):
    job = db.get_or_404(RenderJob, job_id)
    if job.meeting_id != meeting_id:
        abort(404)
    endpoint = "documents.minutes_pdf" if job.kind == "minutes" else "documents.evaluation_pdf"
    return jsonify(
        status=job.status,
        progress=job.progress,
        message=str(JOB_MESSAGES[job.status]),
        done_url=url_for(endpoint, meeting_id=meeting_id),
    )


# --- finalising ------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/finalise")
@role_required(*WRITE)
def finalise_minutes(meeting_id: int):
    db.get_or_404(Meeting, meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        finalise.finalise_minutes(meeting_id, current_actor())
    except Refused as refused:
        flash(str(refused), "warning")
        return redirect(url_for(".minutes", meeting_id=meeting_id))
    flash(_("Notulen sudah final. PDF final dibuat sekali, disimpan, lalu selalu diunduh."), "info")
    return redirect(url_for(".minutes_pdf", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/reopen")
@role_required(*ADMIN)
def reopen_minutes(meeting_id: int):
    db.get_or_404(Meeting, meeting_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return preview_page("minutes", meeting_id, reopen_form=form, status=422)
    try:
        finalise.reopen_minutes(meeting_id, current_actor(), form.reason.data)
    except Refused as refused:
        if refused.field:
            show_refusal(form, refused)
            return preview_page("minutes", meeting_id, reopen_form=form, status=422)
        flash(str(refused), "warning")
        return redirect(url_for(".minutes", meeting_id=meeting_id))
    flash(_("Notulen dibuka kembali. PDF final yang lama tetap tersimpan."), "info")
    return redirect(url_for(".minutes", meeting_id=meeting_id))
