"""The official record: previews, PDFs (rendered as jobs), finalising.

GET  /admin/meetings/<id>/minutes              READ   HTML preview of the minutes
GET  /admin/meetings/<id>/minutes.pdf          READ   the stored PDF, or its progress, or a
                                                      page with the button that makes it
POST /admin/meetings/<id>/minutes.pdf          WRITE  make the PDF (a render job), then GET it
GET  /admin/meetings/<id>/evaluation           READ   HTML preview of the evaluation summary
GET  /admin/meetings/<id>/evaluation.pdf       READ   as the minutes
POST /admin/meetings/<id>/evaluation.pdf       WRITE  as the minutes
GET  /admin/meetings/<id>/attendance[.pdf]     as the minutes: the printable daftar hadir
GET  /admin/meetings/<id>/berita-acara[.pdf]   as the minutes: the berita acara kesepakatan
GET  /admin/meetings/<id>/laporan[.pdf]        as the minutes: the laporan hasil rakor
GET  /admin/meetings/<id>/jobs/<job>.json      READ   progress of a render job (polled by JS)
GET  /admin/meetings/<id>/finalise             WRITE  what blocks finalising, what deserves a look,
                                                      and the confirm button when nothing blocks
POST /admin/meetings/<id>/finalise             WRITE  freeze the record (the blockers checked again)
POST /admin/meetings/<id>/reopen               ADMIN  unfreeze it, with a reason (audited)

A GET never starts a job nor stores a document: a link from another site, a
prefetch or a crawler cannot make the server render, or archive the final
minutes. The button is a POST with a CSRF token, answered by a redirect to the
GET, which then serves the PDF (rendered in the request by default) or the
progress page (with a queue).
"""

from io import BytesIO

from flask import abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.access import ADMIN, READ, WRITE, current_actor, role_required
from app.documents import bp, finalise, jobs, render
from app.documents.forms import ConfirmForm, ReopenForm
from app.domain import DOCUMENT_KINDS, DOCUMENT_LABELS
from app.extensions import db
from app.forms import show_refusal
from app.models import Meeting, MeetingDocument
from app.models.meeting import RenderJob
from app.services import Refused
from app.signing import services as signing

FILE_PREFIX = {
    "minutes": "notulen",
    "evaluation": "evaluasi",
    "attendance": "daftar-hadir",
    "berita_acara": "berita-acara",
    "laporan": "laporan",
}
PREVIEW_ENDPOINTS = {
    "minutes": "documents.minutes",
    "evaluation": "documents.evaluation",
    "attendance": "documents.attendance",
    "berita_acara": "documents.berita_acara",
    "laporan": "documents.laporan",
}
PDF_ENDPOINTS = {
    "minutes": "documents.minutes_pdf",
    "evaluation": "documents.evaluation_pdf",
    "attendance": "documents.attendance_pdf",
    "berita_acara": "documents.berita_acara_pdf",
    "laporan": "documents.laporan_pdf",
}
DOCUMENT_NAMES = {
    "minutes": _l("notulen"),
    "evaluation": _l("ringkasan evaluasi"),
    "attendance": _l("daftar hadir"),
    "berita_acara": _l("berita acara kesepakatan"),
    "laporan": _l("laporan hasil rakor"),
}
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


@bp.post("/meetings/<int:meeting_id>/minutes.pdf")
@role_required(*WRITE)
def make_minutes_pdf(meeting_id: int):
    return make_document("minutes", meeting_id)


@bp.post("/meetings/<int:meeting_id>/evaluation.pdf")
@role_required(*WRITE)
def make_evaluation_pdf(meeting_id: int):
    return make_document("evaluation", meeting_id)


@bp.get("/meetings/<int:meeting_id>/attendance")
@role_required(*READ)
def attendance(meeting_id: int):
    return preview_page("attendance", meeting_id)


@bp.get("/meetings/<int:meeting_id>/attendance.pdf")
@role_required(*READ)
def attendance_pdf(meeting_id: int):
    return document_response("attendance", meeting_id)


@bp.post("/meetings/<int:meeting_id>/attendance.pdf")
@role_required(*WRITE)
def make_attendance_pdf(meeting_id: int):
    return make_document("attendance", meeting_id)


@bp.get("/meetings/<int:meeting_id>/berita-acara")
@role_required(*READ)
def berita_acara(meeting_id: int):
    return preview_page("berita_acara", meeting_id)


@bp.get("/meetings/<int:meeting_id>/berita-acara.pdf")
@role_required(*READ)
def berita_acara_pdf(meeting_id: int):
    return document_response("berita_acara", meeting_id)


@bp.post("/meetings/<int:meeting_id>/berita-acara.pdf")
@role_required(*WRITE)
def make_berita_acara_pdf(meeting_id: int):
    return make_document("berita_acara", meeting_id)


@bp.get("/meetings/<int:meeting_id>/laporan")
@role_required(*READ)
def laporan(meeting_id: int):
    return preview_page("laporan", meeting_id)


@bp.get("/meetings/<int:meeting_id>/laporan.pdf")
@role_required(*READ)
def laporan_pdf(meeting_id: int):
    return document_response("laporan", meeting_id)


@bp.post("/meetings/<int:meeting_id>/laporan.pdf")
@role_required(*WRITE)
def make_laporan_pdf(meeting_id: int):
    return make_document("laporan", meeting_id)


def preview_page(kind: str, meeting_id: int, *, reopen_form: ReopenForm | None = None,
                 status: int = 200):  # fmt: skip
    db.get_or_404(Meeting, meeting_id)
    preview = render.preview(kind, meeting_id)
    state = finalise.final_state(meeting_id) if kind == "minutes" else None
    page = render_template(
        "documents/preview.html",
        preview=preview,
        label=DOCUMENT_LABELS[kind],
        pdf_endpoint=PDF_ENDPOINTS[kind],
        documents=[
            (other, DOCUMENT_LABELS[other], PREVIEW_ENDPOINTS[other]) for other in DOCUMENT_KINDS
        ],
        state=state,
        finalise_form=ConfirmForm(),
        make_form=ConfirmForm(),
        reopen_form=reopen_form or ReopenForm(),
    )
    return page, status


def document_response(kind: str, meeting_id: int):
    db.get_or_404(Meeting, meeting_id)
    outcome = jobs.current_document(meeting_id, kind)
    if isinstance(outcome, jobs.Ready):
        return send_document(outcome.document, meeting_code=outcome.meeting_code)
    job = outcome.job if outcome is not None else None
    state = jobs.job_state(job) if job is not None else None
    page = render_template(
        "documents/progress.html",
        job=job,
        kind=kind,
        meeting_id=meeting_id,
        document_name=DOCUMENT_NAMES[kind],
        pdf_endpoint=PDF_ENDPOINTS[kind],
        preview_endpoint=PREVIEW_ENDPOINTS[kind],
        message=JOB_MESSAGES[state] if state else "",
        failed=state == "failed",
        make_form=ConfirmForm(),
    )
    # 202: accepted, still being made; the page polls and then opens the PDF.
    return page, 202 if state in jobs.ACTIVE else 200


def make_document(kind: str, meeting_id: int):
    db.get_or_404(Meeting, meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    jobs.start_document(meeting_id, kind, current_actor())
    return redirect(url_for(PDF_ENDPOINTS[kind], meeting_id=meeting_id), code=303)


def send_document(document: MeetingDocument, *, meeting_code: str):
    """The stored PDF; for a final document, its latest signed version (the original
    while nobody has signed), with that version's hash."""
    content, sha256 = (
        signing.latest_version(document)
        if document.is_final
        else (document.content, document.sha256)
    )
    response = send_file(
        BytesIO(content),
        mimetype="application/pdf",
        download_name=f"{FILE_PREFIX[document.kind]}-{meeting_code}.pdf",
        etag=sha256,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = sha256
    return response


@bp.get("/meetings/<int:meeting_id>/jobs/<int:job_id>.json")
@role_required(*READ)
def job_status(meeting_id: int, job_id: int):
    job = db.get_or_404(RenderJob, job_id)
    if job.meeting_id != meeting_id:
        abort(404)
    state = jobs.job_state(job)
    return jsonify(
        status=state,
        progress=job.progress,
        message=str(JOB_MESSAGES[state]),
        done_url=url_for(PDF_ENDPOINTS[job.kind], meeting_id=meeting_id),
    )


# --- finalising ------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/finalise")
@role_required(*WRITE)
def finalise_checks(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_template(
        "documents/finalise.html",
        meeting=meeting,
        checks=finalise.readiness(meeting_id),
        form=ConfirmForm(),
    )


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
        return redirect(url_for(".finalise_checks", meeting_id=meeting_id))
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
