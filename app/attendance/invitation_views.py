"""The invitations page: personal links, sending them, and who has sent input.

GET  /admin/meetings/<id>/invitations                  WRITE  every invitee, the counts
GET  /admin/meetings/<id>/invitations/template.xlsx    WRITE  the list's Excel template
POST /admin/meetings/<id>/invitations/import           WRITE  the list from an Excel file
POST /admin/meetings/<id>/invitations/links            WRITE  make the missing links
GET  /admin/meetings/<id>/invitations/cards            WRITE  a card per invitee to print
POST /admin/meetings/<id>/invitations/<a>/sent         WRITE  "Tandai terkirim"
POST /admin/meetings/<id>/invitations/<a>/unsent       WRITE  take that back
POST /admin/meetings/<id>/invitations/<a>/whatsapp     WRITE  noted as sent, then wa.me

WRITE only: the page shows phone numbers and the links themselves, and a link opens
the form in the invitee's name.
"""

from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from app.attendance import bp, invitation_workbook, invitations
from app.attendance.forms import InvitationWorkbookForm
from app.attendance.services import attendee_of
from app.auth.access import WRITE, current_actor, role_required
from app.documents.finalise import is_final
from app.documents.formatting import document_locale
from app.extensions import db
from app.forms import error_summary, show_refusal
from app.i18n import long_date
from app.models import Attendee, Meeting
from app.qr import public_meeting_url, qr_svg
from app.security import CONTENT_SECURITY_POLICY
from app.services import Refused

PAGE = "/admin/meetings/<int:meeting_id>/invitations"
LINE = PAGE + "/<int:attendee_id>"
# The WhatsApp buttons post here and are redirected to wa.me (which sends the browser
# on to api.whatsapp.com): the page's own policy lets its forms go there.
WHATSAPP_FORM_ACTION = "form-action 'self' https://wa.me https://api.whatsapp.com"
PAGE_POLICY = CONTENT_SECURITY_POLICY.replace("form-action 'self'", WHATSAPP_FORM_ACTION)


def invitee_or_404(meeting: Meeting, attendee_id: int) -> Attendee:
    attendee = attendee_of(meeting.id, attendee_id)
    if attendee is None or attendee.source != "invited":
        abort(404)
    return attendee


def page_url(meeting: Meeting, anchor: str = "") -> str:
    return url_for("attendance.invitations", meeting_id=meeting.id, _anchor=anchor or None)


def render_page(meeting: Meeting, *, form=None, row_errors=(), refusal=None, status=200):
    form = form or InvitationWorkbookForm(formdata=None)
    response = render_template(
        "attendance/invitations.html",
        meeting=meeting,
        invited=invitations.overview(meeting, public_meeting_url(meeting)),
        frozen=is_final(meeting),
        form=form,
        errors=error_summary(form),
        row_errors=row_errors,
        refusal=refusal,
    )
    return response, status, {"Content-Security-Policy": PAGE_POLICY}


@bp.get(PAGE, endpoint="invitations")
@role_required(*WRITE)
def invitations_page(meeting_id: int):
    return render_page(db.get_or_404(Meeting, meeting_id))


@bp.get(PAGE + "/template.xlsx")
@role_required(*WRITE)
def invitation_template(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return send_file(
        BytesIO(invitation_workbook.template_workbook()),
        mimetype=invitation_workbook.XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"templat-undangan-{meeting.code}.xlsx",
    )


@bp.post(PAGE + "/import")
@role_required(*WRITE)
def import_invitations(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = InvitationWorkbookForm()
    if not form.validate():
        return render_page(meeting, form=form, status=422)
    upload = form.file.data
    # One byte past the limit is enough to know the file is too big.
    content = upload.stream.read(invitation_workbook.MAX_UPLOAD_BYTES + 1)
    try:
        people = invitation_workbook.read_invitees(content)
        done = invitations.import_invitees(
            meeting, current_actor(), people, filename=upload.filename or ""
        )
    except Refused as refused:
        if refused.code == "finalised":
            return render_page(meeting, form=form, refusal=str(refused), status=409)
        show_refusal(form, refused)
        rows = refused.details.get("errors", [])
        return render_page(meeting, form=form, row_errors=rows, status=422)
    message = _("%(added)d undangan ditambahkan dari berkas.", added=done.added)
    if done.skipped:
        message += " " + _("%(skipped)d sudah ada di daftar, dilewati.", skipped=done.skipped)
    flash(message, "info")
    return redirect(page_url(meeting), code=303)


@bp.post(PAGE + "/links")
@role_required(*WRITE)
def make_links(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    try:
        made = invitations.issue_links(meeting, current_actor())
    except Refused as refused:
        return render_page(meeting, refusal=str(refused), status=409)
    if made:
        flash(_("%(n)d tautan pribadi dibuat.", n=made), "info")
    else:
        flash(_("Setiap undangan sudah punya tautan pribadi."), "info")
    return redirect(page_url(meeting), code=303)


@bp.get(PAGE + "/cards")
@role_required(*WRITE)
def invitation_cards(meeting_id: int):
    """A card per invitee with a link: the name, the QR of the link, the link in letters."""
    meeting = db.get_or_404(Meeting, meeting_id)
    overview = invitations.overview(meeting, public_meeting_url(meeting))
    cards = [
        {"line": line, "qr": Markup(qr_svg(line.link, scale=4))}  # noqa: S704 (segno's SVG)
        for line in overview.lines
        if line.link
    ]
    # The cards go to the invitees: in Indonesian, whatever the language of the staff page.
    with document_locale():
        wording = {
            "date": long_date(meeting.date),
            "help": _(
                "Pindai kode QR atau buka tautan ini untuk mengirim masukan. Nama dan instansi "
                "Anda sudah terisi. Tautan ini khusus untuk Anda."
            ),
        }
    return render_template(
        "attendance/invitation_cards.html",
        meeting=meeting,
        invited=overview,
        cards=cards,
        wording=wording,
    )


def sent_change(meeting_id: int, attendee_id: int, sent: bool):
    meeting = db.get_or_404(Meeting, meeting_id)
    attendee = invitee_or_404(meeting, attendee_id)
    try:
        invitations.mark_sent(attendee, current_actor(), sent)
    except Refused as refused:
        return render_page(meeting, refusal=str(refused), status=409)
    if sent:
        flash(_("Undangan %(name)s ditandai terkirim.", name=attendee.name), "info")
    else:
        flash(_("Tanda terkirim %(name)s dibatalkan.", name=attendee.name), "info")
    return redirect(page_url(meeting, f"undangan-{attendee.id}"), code=303)


@bp.post(LINE + "/sent")
@role_required(*WRITE)
def invitation_sent(meeting_id: int, attendee_id: int):
    return sent_change(meeting_id, attendee_id, True)


@bp.post(LINE + "/unsent")
@role_required(*WRITE)
def invitation_unsent(meeting_id: int, attendee_id: int):
    return sent_change(meeting_id, attendee_id, False)


@bp.post(LINE + "/whatsapp")
@role_required(*WRITE)
def invitation_whatsapp(meeting_id: int, attendee_id: int):
    """Noted as sent, then on to WhatsApp with the message written (the secretariat still
    presses send there)."""
    meeting = db.get_or_404(Meeting, meeting_id)
    attendee = invitee_or_404(meeting, attendee_id)
    try:
        token = invitations.prepare_whatsapp(attendee, current_actor())
    except Refused as refused:
        return render_page(meeting, refusal=str(refused), status=409)
    link = invitations.personal_link(public_meeting_url(meeting), token)
    return redirect(invitations.whatsapp_url(meeting, attendee, link), code=303)
