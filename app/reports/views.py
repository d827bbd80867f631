"""The official record: previews, PDFs (rendered in the background), finalising, indicators.

GET  /admin/meetings/<id>/minutes              READ   HTML preview of the minutes
GET  /admin/meetings/<id>/minutes.pdf          READ   the PDF, or a progress page while it renders
GET  /admin/meetings/<id>/evaluation           READ   HTML preview of the evaluation summary
GET  /admin/meetings/<id>/evaluation.pdf       READ   the PDF, or a progress page
GET  /admin/meetings/<id>/jobs/<job>.json      READ   progress of a render job (polled by JS)
POST /admin/meetings/<id>/finalise             WRITE  freeze the record
POST /admin/meetings/<id>/reopen               ADMIN  unfreeze it, with a reason (audited)
GET  /admin/indicators                         ADMIN  indicator figures, forms and CSV import
POST /admin/indicators/values                  ADMIN  add a year
POST /admin/indicators/values/<value>          ADMIN  change a year
POST /admin/indicators/values/<value>/delete   ADMIN  remove a year
POST /admin/indicators/import                  ADMIN  CSV import (all or nothing)
"""

from io import BytesIO

from flask import abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import ADMIN, READ, WRITE, role_required
from app.extensions import db
from app.models import IndicatorValue, MeetingDocument
from app.models.meeting import RenderJob
from app.reports import bp, finalise, formatting, indicators, jobs, render
from app.reports.forms import (
    ConfirmForm,
    IndicatorImportForm,
    IndicatorValueForm,
    NewIndicatorValueForm,
    ReopenForm,
)
from app.reports.services import DocumentNotFound

FILE_PREFIX = {"minutes": "notulen", "evaluation": "evaluasi"}
DOCUMENT_NAMES = {"minutes": _l("notulen"), "evaluation": _l("ringkasan evaluasi")}
REFUSALS = {
    "not_closed": _l("Notulen baru dapat difinalkan setelah rapat ditutup."),
    "already_final": _l("Notulen ini sudah final."),
    "not_final": _l("Notulen ini belum final."),
    "admin_only": _l("Hanya admin yang dapat membuka kembali notulen final."),
    "reason_required": _l("Tulis alasan membuka kembali notulen."),
}
JOB_MESSAGES = {
    "queued": _l("Menunggu giliran…"),
    "running": _l("Sedang dibuat…"),
    "done": _l("Selesai. PDF dibuka…"),
    "failed": _l("Gagal membuat PDF. Coba lagi; bila tetap gagal, hubungi admin."),
}


def actor():
    return current_user._get_current_object()


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
    try:
        preview = render.preview(kind, meeting_id)
        state = finalise.final_state(meeting_id) if kind == "minutes" else None
    except DocumentNotFound:
        abort(404)
    page = render_template(
        "reports/preview.html",
        preview=preview,
        state=state,
        finalise_form=ConfirmForm(),
        reopen_form=reopen_form or ReopenForm(),
    )
    return page, status


def document_response(kind: str, meeting_id: int):
    try:
        outcome = jobs.request_document(meeting_id, kind, actor())
    except DocumentNotFound:
        abort(404)
    if isinstance(outcome, jobs.Ready):
        return send_document(outcome.document, meeting_code=outcome.meeting_code)
    job = outcome.job
    page = render_template(
        "reports/progress.html",
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
    endpoint = "reports.minutes_pdf" if job.kind == "minutes" else "reports.evaluation_pdf"
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
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        finalise.finalise_minutes(meeting_id, actor())
    except DocumentNotFound:
        abort(404)
    except finalise.ReportRefused as refused:
        flash(str(REFUSALS[refused.reason]), "warning")
        return redirect(url_for(".minutes", meeting_id=meeting_id))
    flash(_("Notulen sudah final. PDF final dibuat sekali, disimpan, lalu selalu diunduh."), "info")
    return redirect(url_for(".minutes_pdf", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/reopen")
@role_required(*ADMIN)
def reopen_minutes(meeting_id: int):
    form = ReopenForm()
    if not form.validate_on_submit():
        return preview_page("minutes", meeting_id, reopen_form=form, status=422)
    try:
        finalise.reopen_minutes(meeting_id, actor(), form.reason.data)
    except DocumentNotFound:
        abort(404)
    except finalise.ReportRefused as refused:
        flash(str(REFUSALS[refused.reason]), "warning")
        return redirect(url_for(".minutes", meeting_id=meeting_id))
    flash(_("Notulen dibuka kembali. PDF final yang lama tetap tersimpan."), "info")
    return redirect(url_for(".minutes", meeting_id=meeting_id))


# --- indicators (admin) ----------------------------------------------------------------


def indicators_page(*, failed_row: tuple[int, IndicatorValueForm] | None = None,
                    new_form: NewIndicatorValueForm | None = None,
                    import_form: IndicatorImportForm | None = None,
                    import_errors: list | None = None, status: int = 200):  # fmt: skip
    overview = indicators.indicators_overview()
    row_forms = {}
    for indicator in overview:
        for value in indicator.values:
            if failed_row and failed_row[0] == value.id:
                row_forms[value.id] = failed_row[1]
                continue
            row_forms[value.id] = IndicatorValueForm(
                prefix=f"v{value.id}",
                formdata=None,
                data={
                    "year": str(value.year),
                    "target": formatting.figure(value.target),
                    "actual": formatting.figure(value.actual),
                    "source": value.source,
                },
            )
    if new_form is None:
        new_form = NewIndicatorValueForm(prefix="new", formdata=None)
    new_form.set_indicator_choices(overview)
    page = render_template(
        "reports/indicators.html",
        overview=overview,
        row_forms=row_forms,
        new_form=new_form,
        import_form=import_form or IndicatorImportForm(formdata=None),
        import_errors=import_errors or [],
        delete_form=ConfirmForm(formdata=None),
    )
    return page, status


@bp.get("/indicators")
@role_required(*ADMIN)
def indicator_list():
    return indicators_page()


@bp.post("/indicators/values")
@role_required(*ADMIN)
def indicator_add():
    form = NewIndicatorValueForm(prefix="new")
    form.set_indicator_choices(indicators.indicators_overview())
    if form.validate_on_submit():
        try:
            indicators.add_value(
                actor(),
                form.value_data(),
                indicator_id=form.indicator_id(),
                new_name=form.new_name.data or "",
                unit=form.unit.data or "",
            )
        except indicators.IndicatorRefused as refused:
            getattr(form, refused.field or "year").errors.append(refused.message)
        else:
            flash(_("Angka indikator ditambahkan."), "info")
            return redirect(url_for(".indicator_list"))
    return indicators_page(new_form=form, status=422)


@bp.post("/indicators/values/<int:value_id>")
@role_required(*ADMIN)
def indicator_update(value_id: int):
    value = db.get_or_404(IndicatorValue, value_id)
    form = IndicatorValueForm(prefix=f"v{value.id}")
    if form.validate_on_submit():
        try:
            indicators.update_value(actor(), value, form.value_data())
        except indicators.IndicatorRefused as refused:
            getattr(form, refused.field or "year").errors.append(refused.message)
        else:
            flash(_("Angka indikator disimpan."), "info")
            return redirect(url_for(".indicator_list"))
    return indicators_page(failed_row=(value.id, form), status=422)


@bp.post("/indicators/values/<int:value_id>/delete")
@role_required(*ADMIN)
def indicator_delete(value_id: int):
    value = db.get_or_404(IndicatorValue, value_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    indicators.delete_value(actor(), value)
    flash(_("Angka indikator dihapus."), "info")
    return redirect(url_for(".indicator_list"))


@bp.post("/indicators/import")
@role_required(*ADMIN)
def indicator_import():
    form = IndicatorImportForm()
    if not form.validate_on_submit():
        return indicators_page(import_form=form, status=422)
    try:
        result = indicators.import_csv(actor(), form.file.data.read())
    except indicators.ImportRejected as rejected:
        return indicators_page(import_form=form, import_errors=rejected.errors, status=422)
    flash(
        _(
            "Impor selesai: %(created)d baris baru, %(updated)d baris diperbarui.",
            created=result.created,
            updated=result.updated,
        ),
        "info",
    )
    return redirect(url_for(".indicator_list"))
