"""Share links of final documents.

GET  /admin/meetings/<id>/share                    READ   the meeting's links
POST /admin/meetings/<id>/share                    WRITE  make a link to a final document
POST /admin/meetings/<id>/share/<link>/revoke      WRITE  revoke a link
GET  /d/<token>                                    public the final PDF the link names

The public address is rate limited like the receipt look-up: only answers that find
nothing count, so guessing tokens is slow while a real link opens as often as needed.
Its answers are never stored by a browser or a proxy, and send no Referer onwards.
"""

from io import BytesIO

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from app.auth.access import READ, WRITE, current_actor, role_required
from app.documents.formatting import document_locale
from app.documents.views import DOCUMENT_NAMES, FILE_PREFIX
from app.domain import DOCUMENT_LABELS
from app.errors.handlers import error_page
from app.extensions import db, limiter
from app.forms import error_summary, show_refusal
from app.models import Meeting
from app.services import Refused
from app.share import bp, services
from app.share.forms import RevokeForm, ShareForm
from app.share.whatsapp import share_href
from app.signing import services as signing

# --- the staff page ----------------------------------------------------------------------


@bp.get("/admin/meetings/<int:meeting_id>/share")
@role_required(*READ)
def links(meeting_id: int):
    db.get_or_404(Meeting, meeting_id)
    return share_page(meeting_id, ShareForm())


@bp.post("/admin/meetings/<int:meeting_id>/share")
@role_required(*WRITE)
def create(meeting_id: int):
    db.get_or_404(Meeting, meeting_id)
    form = ShareForm()
    if not form.validate_on_submit():
        return share_page(meeting_id, form, status=422)
    try:
        link = services.create_link(meeting_id, form.kind.data, current_actor())
    except Refused as refused:
        show_refusal(form, refused)
        return share_page(meeting_id, form, status=422)
    flash(_("Tautan %(document)s dibuat. Salin atau kirim lewat WhatsApp.",
            document=DOCUMENT_LABELS[link.kind]), "info")  # fmt: skip
    return redirect(url_for(".links", meeting_id=meeting_id, _anchor=f"link-{link.id}"), code=303)


@bp.post("/admin/meetings/<int:meeting_id>/share/<int:link_id>/revoke")
@role_required(*WRITE)
def revoke(meeting_id: int, link_id: int):
    db.get_or_404(Meeting, meeting_id)
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_link(meeting_id, link_id, current_actor())
    except Refused as refused:
        if refused.code == "not_found":
            abort(404)
        flash(str(refused), "warning")
    else:
        flash(_("Tautan dicabut. Siapa pun yang membukanya kini mendapat halaman tidak ditemukan."),
              "info")  # fmt: skip
    return redirect(url_for(".links", meeting_id=meeting_id), code=303)


def share_page(meeting_id: int, form: ShareForm, *, status: int = 200):
    page = services.share_page(meeting_id)
    active = [link for link in page.links if link.active]
    addresses = {link.id: link_address(link.token) for link in active}
    messages = {
        link.id: whatsapp_href(link.kind, page.meeting.title, addresses[link.id]) for link in active
    }
    body = render_template(
        "share/links.html",
        page=page,
        form=form,
        revoke_form=RevokeForm(),
        addresses=addresses,
        whatsapp=messages,
        errors=error_summary(form),
    )
    return body, status


def link_address(token: str) -> str:
    return url_for("share.document", token=token, _external=True)


def whatsapp_href(kind: str, meeting_title: str, address: str) -> str:
    """wa.me with a short message, in Indonesian whatever the language of the staff
    page: it goes to the meeting's participants."""
    with document_locale():
        message = _(
            "Berikut %(document)s %(meeting)s (PDF final): %(address)s",
            document=DOCUMENT_NAMES[kind],
            meeting=meeting_title,
            address=address,
        )
    return share_href(message)


# --- the public address ------------------------------------------------------------------


def lookup_rate_limit() -> str:
    return current_app.config["RAKOR_LOOKUP_RATE_LIMIT"]


def is_miss(response) -> bool:
    return response.status_code == 404


@bp.get("/d/<token>")
# Only a token that finds nothing counts: a real link opens as often as needed.
@limiter.limit(lookup_rate_limit, deduct_when=is_miss)
def document(token: str):
    found = services.shared_document(token)
    if found is None:  # unknown or revoked: the same answer
        abort(404)
    if isinstance(found, services.BeingCorrected):
        return error_page(
            404,
            _("Dokumen sedang diperbaiki"),
            _(
                "Dokumen ini sedang diperbaiki oleh sekretariat. Tautan yang sama akan "
                "membuka dokumen final setelah selesai; coba lagi nanti."
            ),
        )
    # The latest signed version of the final document (the original while unsigned).
    content, sha256 = signing.latest_version(found.document)
    response = send_file(
        BytesIO(content),
        mimetype="application/pdf",
        download_name=f"{FILE_PREFIX[found.document.kind]}-{found.meeting_code}.pdf",
    )
    response.headers["X-Content-SHA256"] = sha256
    return response


@bp.after_request
def keep_the_token_private(response):
    """A link's answers, the PDF and every refusal alike, stay out of caches and send
    no Referer: the token is the key to the document."""
    if request.endpoint == "share.document":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
