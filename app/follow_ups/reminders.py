"""Reminding agencies of their open follow-ups, and publishing a meeting's follow-ups.

The reminders page lists each agency with open follow-ups: how many, how many late,
the earliest deadline, a ready WhatsApp message with the agency's update link, and its
request letter (PDF, DOCX). The update link is a bearer secret: only the writing roles
(the secretariat, the admin) see it, in the message and in the letter; a viewer sees
the counts and gets the letter without it.

The meeting page's switch `accountability_public` opens /m/<code>/tindak-lanjut, the
public account of that meeting's follow-ups (app/submissions).
"""

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.agency_links.services import create_link
from app.audit import record
from app.auth.access import READ, WRITE, current_actor, role_required
from app.documents.word import DOCX_MIMETYPE
from app.extensions import db
from app.follow_ups import bp, letter
from app.i18n import local_today
from app.models import Agency, Meeting, User
from app.services import transaction


@bp.get("/follow-ups/reminders")
@role_required(*READ)
def reminders():
    today = local_today()
    can_write = current_user.role in WRITE
    agencies = letter.open_follow_ups(today)
    return render_template(
        "follow_ups/reminders.html",
        agencies=agencies,
        # The messages carry the update links: for the writing roles only.
        messages=letter.reminder_messages(agencies) if can_write else {},
        today=today,
        can_write=can_write,
    )


@bp.post("/follow-ups/reminders/<int:agency_id>/link")
@role_required(*WRITE)
def reminder_link(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    create_link(agency, current_actor())
    flash(
        _("Tautan pembaruan untuk %(agency)s sudah dibuat.", agency=agency.abbreviation),
        "success",
    )
    return redirect(url_for("follow_ups.reminders", _anchor=f"instansi-{agency.id}"), code=303)


def letter_for(agency_id: int) -> letter.LetterContext:
    agency = db.get_or_404(Agency, agency_id)
    return letter.build_letter_context(agency, local_today(), with_link=current_user.role in WRITE)


def file_name(context: letter.LetterContext, extension: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in context.agency_abbreviation.lower())
    return f"permintaan-laporan-tl-{slug.strip('-') or 'instansi'}.{extension}"


@bp.get("/follow-ups/reminders/<int:agency_id>/letter.pdf")
@role_required(*READ)
def request_letter_pdf(agency_id: int):
    context = letter_for(agency_id)
    return send_file(
        BytesIO(letter.letter_pdf(context)),
        mimetype="application/pdf",
        download_name=file_name(context, "pdf"),
        max_age=0,
    )


@bp.get("/follow-ups/reminders/<int:agency_id>/letter.docx")
@role_required(*READ)
def request_letter_docx(agency_id: int):
    context = letter_for(agency_id)
    return send_file(
        BytesIO(letter.letter_docx(context)),
        mimetype=DOCX_MIMETYPE,
        as_attachment=True,
        download_name=file_name(context, "docx"),
        max_age=0,
    )


# --- the public account of a meeting's follow-ups ---------------------------------------


@transaction
def set_accountability_public(meeting: Meeting, public: bool, actor: User) -> bool:
    """Open or close the meeting's public follow-up page; False when it already was so."""
    if meeting.accountability_public == public:
        return False
    record(
        actor,
        "accountability_public",
        meeting,
        before={"accountability_public": meeting.accountability_public},
        after={"accountability_public": public},
        meeting_id=meeting.id,
    )
    meeting.accountability_public = public
    return True


@bp.post("/meetings/<int:meeting_id>/accountability")
@role_required(*WRITE)
def accountability_toggle(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    public = request.form.get("public") == "1"
    set_accountability_public(meeting, public, current_actor())
    if public:
        flash(_("Halaman publik tindak lanjut rapat ini sudah dibuka."), "info")
    else:
        flash(_("Halaman publik tindak lanjut rapat ini sudah ditutup."), "info")
    return redirect(
        url_for("meetings.show", meeting_id=meeting.id, _anchor="akuntabilitas"), code=303
    )
