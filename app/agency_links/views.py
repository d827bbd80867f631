"""The agency's pages behind its update link, and the secretariat's list of links.

GET  /admin/agency-links                        READ   every agency, its follow-ups, its link
POST /admin/agency-links/<agency_id>/create     WRITE  a new link (the one before stops)
POST /admin/agency-links/<link_id>/revoke       WRITE  stop a link now
GET  /tl/<token>                                link   the agency's open follow-ups, a form each
POST /tl/<token>/<follow_up_id>                 link   report progress on one of them
GET  /tl/<token>/rtl.xlsx                       link   the agency's RTL workbook to fill in
POST /tl/<token>/rtl.xlsx                       link   the filled workbook, every row or none

Every /tl/ address answers an unknown, revoked or expired token with the same 404, is
rate limited per client on one shared budget (RAKOR_AGENCY_LINK_RATE_LIMIT), and is
never stored by a browser or proxy nor sent on as a Referer: the token is the key.

Without a Referer, Flask-WTF's global check refuses every POST over HTTPS ("the
referrer header is missing"), so the /tl/ forms are exempt from it and check their
own CSRF token instead (BaseForm), as the public input form does; a token that
expired comes back as the form with everything typed, not as an error page.
"""

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.agency_links import bp, services
from app.agency_links.forms import ButtonForm, WorkbookForm
from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.errors.handlers import error_page
from app.extensions import csrf, db, limiter
from app.follow_ups import progress, workbook
from app.follow_ups.forms import ProgressForm
from app.forms import error_summary, show_refusal
from app.i18n import local_today
from app.i18n import number as format_number
from app.models import Agency, AgencyLink, FollowUp
from app.services import Refused

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a form adds to its file: the other fields and the multipart boundaries.
FORM_OVERHEAD_BYTES = 64 * 1024
PUBLIC_ENDPOINTS = {
    "agency_links.open_link",
    "agency_links.report",
    "agency_links.workbook",
    "agency_links.upload_workbook",
}


# --- the secretariat's page ------------------------------------------------------------------


@bp.get("/admin/agency-links")
@role_required(*READ)
def index():
    rows = services.overview(local_today())
    writable = can_write()
    addresses = (
        {row.link.id: services.link_url(row.link) for row in rows if row.link} if writable else {}
    )
    return render_template(
        "agency_links/index.html",
        rows=rows,
        addresses=addresses,
        writable=writable,
        form=ButtonForm(),
    )


@bp.post("/admin/agency-links/<int:agency_id>/create")
@role_required(*WRITE)
def create(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    replaced = services.active_link(agency.id) is not None
    link = services.create_link(agency, current_actor())
    if replaced:
        message = _(
            "Tautan baru untuk %(agency)s dibuat. Tautan sebelumnya tidak berlaku lagi: "
            "kirim tautan yang baru.",
            agency=agency.abbreviation,
        )
    else:
        message = _(
            "Tautan untuk %(agency)s dibuat. Salin lalu kirim kepada perangkat daerah itu.",
            agency=agency.abbreviation,
        )
    flash(message, "info")
    return redirect(url_for(".index", _anchor=f"agency-{link.agency_id}"), code=303)


@bp.post("/admin/agency-links/<int:link_id>/revoke")
@role_required(*WRITE)
def revoke(link_id: int):
    link = db.get_or_404(AgencyLink, link_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    agency_id = link.agency_id
    if services.revoke_link(link, current_actor()):
        flash(
            _("Tautan dicabut. Siapa pun yang membukanya kini mendapat halaman tidak ditemukan."),
            "info",
        )
    else:
        flash(_("Tautan ini sudah dicabut sebelumnya."), "info")
    return redirect(url_for(".index", _anchor=f"agency-{agency_id}"), code=303)


# --- the agency's pages behind its link ------------------------------------------------------


def link_rate_limit() -> str:
    return current_app.config["RAKOR_AGENCY_LINK_RATE_LIMIT"]


# One budget for every /tl/ address of a client: guessing tokens costs the same through any.
limit_link = limiter.shared_limit(link_rate_limit, scope="agency-link")


@bp.before_request
def limit_link_request_size():
    if request.endpoint not in PUBLIC_ENDPOINTS:
        return
    if request.method != "POST":
        limit = current_app.config["RAKOR_PUBLIC_MAX_BYTES"]
    elif request.endpoint == "agency_links.report":
        limit = current_app.config["RAKOR_EVIDENCE_MAX_BYTES"] + FORM_OVERHEAD_BYTES
    else:
        limit = workbook.MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES
    request.max_content_length = limit
    # A chunked body has no length to check up front: read it (the form parses this copy),
    # and one that fills the limit is refused as a Content-Length over it is.
    chunked = request.method == "POST" and request.content_length is None
    if chunked and len(request.get_data(cache=True)) >= limit:
        abort(413)


@bp.errorhandler(413)
def link_upload_too_large(_error):
    if request.endpoint not in PUBLIC_ENDPOINTS:
        return error_page(413, _("Kiriman terlalu besar"), _("Yang dikirim melebihi batas ukuran."))
    if request.endpoint == "agency_links.report":
        message = _(
            "Berkas bukti paling besar %(mb)s MB. Kembali ke halaman tautan, pilih foto atau PDF "
            "yang lebih kecil, lalu kirim lagi.",
            mb=format_number(current_app.config["RAKOR_EVIDENCE_MAX_BYTES"] // (1024 * 1024)),
        )
    else:
        message = _(
            "Berkas RTL paling besar %(mb)s MB. Kembali ke halaman tautan, unduh berkas RTL yang "
            "baru, isi, lalu unggah lagi.",
            mb=format_number(workbook.MAX_UPLOAD_BYTES // (1024 * 1024)),
        )
    return error_page(413, _("Berkas terlalu besar"), message)


@bp.after_request
def keep_the_token_private(response):
    """The token is in the address: no page of it is kept by a browser or a proxy, sent on
    as a Referer, or indexed. Refusals (404, 413, 429) alike."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def link_or_404(token: str) -> AgencyLink:
    link = services.use_link(token)
    if link is None:  # unknown, revoked or expired: one answer for all
        abort(404)
    return link


def progress_form(follow_up_id: int, **kwargs) -> ProgressForm:
    # A form per follow-up on one page: the prefix keeps every field's id unique.
    return ProgressForm(prefix=f"tl{follow_up_id}", **kwargs).for_agency()


def link_page(
    link: AgencyLink,
    *,
    failed: ProgressForm | None = None,
    failed_id: int | None = None,
    upload: WorkbookForm | None = None,
    row_errors: dict | None = None,
    status: int = 200,
):
    follow_ups = workbook.open_follow_ups(link.agency_id)
    forms = {
        item.id: failed
        if item.id == failed_id and failed is not None
        else progress_form(
            item.id, formdata=None, data={"status": item.status, "percent": item.percent}
        )
        for item in follow_ups
    }
    upload = upload or WorkbookForm(formdata=None)
    body = render_template(
        "agency_links/link.html",
        agency=db.session.get(Agency, link.agency_id),
        link=link,
        follow_ups=follow_ups,
        forms_by_id=forms,
        failed_id=failed_id,
        errors=error_summary(failed) if failed is not None else [],
        upload=upload,
        upload_errors=error_summary(upload),
        row_errors=row_errors,
    )
    return body, status


@bp.get("/tl/<token>")
@limit_link
def open_link(token: str):
    return link_page(link_or_404(token))


@bp.post("/tl/<token>/<int:follow_up_id>")
@csrf.exempt
@limit_link
def report(token: str, follow_up_id: int):
    link = link_or_404(token)
    follow_up = services.link_follow_up(link, follow_up_id)
    if follow_up is None:  # another agency's, closed, or none: nothing to report on here
        # ...unless this very form was recorded already (a double tap on "Selesai" closed it).
        key = request.form.get(f"tl{follow_up_id}-idempotency_key", "")
        if services.recorded_through(link, follow_up_id, key):
            flash(_("Laporan ini sudah kami terima sebelumnya; tidak dicatat dua kali."), "info")
            return redirect(url_for(".open_link", token=token, _anchor="main"), code=303)
        abort(404)
    form = progress_form(follow_up.id)
    if form.validate():
        try:
            sent = form.report(evidence_of(form.evidence.data))
            entry = progress.report_progress(follow_up, sent, actor=None, channel="link", link=link)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            thank(follow_up, already=entry is None)
            # To the notice at the top of the page: it names the item and its new state.
            return redirect(url_for(".open_link", token=token, _anchor="main"), code=303)
    return link_page(link, failed=form, failed_id=follow_up_id, status=422)


def evidence_of(upload) -> progress.Evidence | None:
    """The checked evidence file, or None when none was chosen."""
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    limit = current_app.config["RAKOR_EVIDENCE_MAX_BYTES"]
    return progress.check_evidence(upload.stream.read(limit + 1), upload.filename)


def thank(follow_up: FollowUp, *, already: bool) -> None:
    db.session.refresh(follow_up)
    if already:
        flash(_("Laporan ini sudah kami terima sebelumnya; tidak dicatat dua kali."), "info")
        return
    flash(
        _(
            "Terima kasih, laporan kemajuan tersimpan. \u201c%(action)s\u201d kini: %(status)s, "
            "%(percent)s%%.",
            action=short(follow_up.action),
            status=progress.ProgressState(follow_up.status, follow_up.percent, "", None).label,
            percent=follow_up.percent,
        ),
        "success",
    )


def short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@bp.get("/tl/<token>/rtl.xlsx", endpoint="workbook")
@limit_link
def download_workbook(token: str):
    link = link_or_404(token)
    agency = db.session.get(Agency, link.agency_id)
    return send_file(
        BytesIO(workbook.agency_workbook(agency)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=workbook.workbook_filename(agency),
    )


@bp.post("/tl/<token>/rtl.xlsx")
@csrf.exempt
@limit_link
def upload_workbook(token: str):
    link = link_or_404(token)
    form = WorkbookForm()
    if not form.validate():
        return link_page(link, upload=form, status=422)
    agency = db.session.get(Agency, link.agency_id)
    content = form.file.data.stream.read(workbook.MAX_UPLOAD_BYTES + 1)
    try:
        result = workbook.upload_workbook(agency, content, actor=None, link=link)
    except Refused as refused:
        if refused.code != "rows":
            show_refusal(form, refused)
        return link_page(link, upload=form, row_errors=refused.details, status=422)
    flash(*result.notice())
    return redirect(url_for(".open_link", token=token), code=303)
