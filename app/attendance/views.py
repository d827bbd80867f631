"""The check-in page and the attendance desk.

GET/POST /m/<code>/hadir                                   public  check in (no account)
GET      /m/<code>/hadir/tercatat                          public  the thank-you page
GET      /admin/meetings/<id>/record/attendees             READ    the desk: every line
POST     /admin/meetings/<id>/record/attendees             WRITE   add a person present
POST     /admin/meetings/<id>/record/attendees/invite      WRITE   add someone invited
POST     /admin/meetings/<id>/record/attendees/invitation-list  WRITE  the invitation list
GET/POST /admin/meetings/<id>/record/attendees/<a>         WRITE   correct a line
POST     /admin/meetings/<id>/record/attendees/<a>/present WRITE   tick: present since now
POST     /admin/meetings/<id>/record/attendees/<a>/absent  WRITE   untick
POST     /admin/meetings/<id>/record/attendees/<a>/remove  WRITE   delete a line
GET      /admin/meetings/<id>/checkin-qr.svg               READ    the check-in page's QR

The invitations page (personal links, WhatsApp, the printable cards, who has sent input)
is app/attendance/invitation_views.py.

The check-in asks no access code, even when the meeting's input form does: its QR
hangs in the room, and a line in the daftar hadir says only that someone was there.
"""

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from app.attendance import bp, services
from app.attendance.forms import AttendeeForm, CheckInForm, InvitationListForm, attendee_data
from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.documents.finalise import is_final
from app.domain import ATTENDEE_SOURCES
from app.extensions import csrf, db, limiter
from app.forms import error_summary
from app.models import Attendee, Meeting
from app.qr import checkin_url, qr_data_uri, qr_svg_file
from app.services import Refused
from app.submissions.views import limit_public_request_size, submit_rate_limit

# The lines this browser checked in, by meeting code, in its (signed) session: the
# thank-you page shows the participant their own line and no one else's.
OWN_CHECKINS = "own_checkins"
OWN_CHECKINS_KEPT = 20


@bp.app_template_filter("local_clock")
def local_clock(value: datetime | None) -> str:
    """A UTC timestamp as the clock in the meeting's room: '09.12'."""
    return format_datetime(value, "HH.mm") if value else ""


@bp.app_template_filter("attendee_source")
def attendee_source(source: str) -> str:
    """How a line came to be, in words: "Mengisi sendiri", "Dicatat sekretariat", "Diundang"."""
    return str(ATTENDEE_SOURCES.get(source, source))


@bp.app_template_global()
def checkin_qr_of(meeting: Meeting) -> dict[str, str]:
    """The check-in page's address and its QR as a data: URI, for the printed poster."""
    url = checkin_url(meeting)
    return {"url": url, "src": qr_data_uri(url)}


# --- the participant's check-in ---------------------------------------------------------


def remember_own_checkin(code: str, attendee_id: int) -> None:
    kept = {key: value for key, value in session.get(OWN_CHECKINS, {}).items() if key != code}
    kept = dict(list(kept.items())[-(OWN_CHECKINS_KEPT - 1) :])
    session[OWN_CHECKINS] = {**kept, code: attendee_id}


@bp.route("/m/<code>/hadir", methods=["GET", "POST"], strict_slashes=False)
# As the input form: the form checks its own CSRF token, so that an expired token
# returns the form with everything typed instead of an error page.
@csrf.exempt
@limiter.limit(submit_rate_limit, methods=["POST"])
def checkin(code: str):
    limit_public_request_size()
    meeting = services.meeting_by_code(code)
    if meeting is None:
        abort(404)
    state = services.checkin_state(meeting)
    form = CheckInForm()
    token_expired = False
    if request.method == "POST" and state == "open":
        valid = form.validate()
        token_expired = "csrf_token" in form.errors
        if valid:
            try:
                done = services.check_in(meeting.id, attendee_data(form))
            except Refused:
                state = services.checkin_state(db.session.get(Meeting, meeting.id))
            else:
                remember_own_checkin(meeting.code, done.attendee_id)
                return redirect(url_for("attendance.checked_in", code=meeting.code), code=303)
    status = 200
    if request.method == "POST":
        status = 409 if state != "open" else 422
    return (
        render_template(
            "attendance/checkin.html",
            meeting=meeting,
            state=state,
            form=form,
            token_expired=token_expired,
            errors=error_summary(form),
        ),
        status,
    )


@bp.get("/m/<code>/hadir/tercatat", strict_slashes=False)
def checked_in(code: str):
    meeting = services.meeting_by_code(code)
    if meeting is None:
        abort(404)
    attendee_id = session.get(OWN_CHECKINS, {}).get(meeting.code)
    attendee = services.checked_in_line(meeting.id, attendee_id) if attendee_id else None
    if attendee is None:
        return redirect(url_for("attendance.checkin", code=meeting.code), code=303)
    return render_template("attendance/thanks.html", meeting=meeting, attendee=attendee)


# --- the desk -------------------------------------------------------------------------------


def attendee_or_404(meeting: Meeting, attendee_id: int) -> Attendee:
    attendee = services.attendee_of(meeting.id, attendee_id)
    if attendee is None:
        abort(404)
    return attendee


def desk_url(meeting: Meeting, anchor: str = "") -> str:
    return url_for("attendance.desk", meeting_id=meeting.id, _anchor=anchor or None)


def render_desk(
    meeting: Meeting,
    *,
    form: AttendeeForm | None = None,
    list_form: InvitationListForm | None = None,
    errors=None,
    refusal: str | None = None,
    status: int = 200,
):
    return (
        render_template(
            "attendance/desk.html",
            desk=services.desk(meeting),
            meeting=meeting,
            frozen=is_final(meeting),
            writable=can_write(),
            typed=form is not None or list_form is not None,
            form=form or AttendeeForm(prefix="att", formdata=None),
            list_form=list_form or InvitationListForm(formdata=None),
            checkin_url=checkin_url(meeting),
            errors=errors or [],
            refusal=refusal,
        ),
        status,
    )


@bp.get("/admin/meetings/<int:meeting_id>/record/attendees")
@role_required(*READ)
def desk(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_desk(meeting)


def add_line(meeting_id: int, add, done: str):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = AttendeeForm(prefix="att")
    if form.validate():
        try:
            add(meeting, current_actor(), attendee_data(form))
        except Refused as refused:
            return render_desk(meeting, form=form, refusal=str(refused), status=409)
        flash(done, "info")
        return redirect(desk_url(meeting, "tambah-peserta"), code=303)
    return render_desk(meeting, form=form, errors=error_summary(form), status=422)


@bp.post("/admin/meetings/<int:meeting_id>/record/attendees")
@role_required(*WRITE)
def add_present(meeting_id: int):
    return add_line(meeting_id, services.add_present, _("Peserta ditambahkan."))


@bp.post("/admin/meetings/<int:meeting_id>/record/attendees/invite")
@role_required(*WRITE)
def invite(meeting_id: int):
    return add_line(meeting_id, services.invite, _("Undangan ditambahkan ke daftar hadir."))


@bp.post("/admin/meetings/<int:meeting_id>/record/attendees/invitation-list")
@role_required(*WRITE)
def invite_list(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = InvitationListForm()
    if form.validate():
        try:
            added, skipped = services.invite_many(meeting, current_actor(), form.invited)
        except Refused as refused:
            return render_desk(meeting, list_form=form, refusal=str(refused), status=409)
        message = _("%(added)d undangan ditambahkan.", added=added)
        if skipped:
            message += " " + _("%(skipped)d sudah ada di daftar hadir.", skipped=skipped)
        flash(message, "info")
        return redirect(desk_url(meeting), code=303)
    return render_desk(meeting, list_form=form, errors=error_summary(form), status=422)


def render_edit(meeting, attendee, form, *, errors=None, refusal=None, status=200):
    return (
        render_template(
            "attendance/edit.html",
            meeting=meeting,
            attendee=attendee,
            form=form,
            frozen=is_final(meeting),
            errors=errors or [],
            refusal=refusal,
        ),
        status,
    )


@bp.get("/admin/meetings/<int:meeting_id>/record/attendees/<int:attendee_id>")
@role_required(*WRITE)
def edit(meeting_id: int, attendee_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    attendee = attendee_or_404(meeting, attendee_id)
    form = AttendeeForm(formdata=None, obj=attendee)
    form.sex.data = attendee.sex or ""
    return render_edit(meeting, attendee, form)


@bp.post("/admin/meetings/<int:meeting_id>/record/attendees/<int:attendee_id>")
@role_required(*WRITE)
def update(meeting_id: int, attendee_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    attendee = attendee_or_404(meeting, attendee_id)
    form = AttendeeForm()
    if form.validate():
        try:
            services.update_attendee(attendee, current_actor(), attendee_data(form))
        except Refused as refused:
            return render_edit(meeting, attendee, form, refusal=str(refused), status=409)
        flash(_("Data peserta disimpan."), "info")
        return redirect(desk_url(meeting, f"peserta-{attendee.id}"), code=303)
    return render_edit(meeting, attendee, form, errors=error_summary(form), status=422)


def presence(meeting_id: int, attendee_id: int, present: bool):
    meeting = db.get_or_404(Meeting, meeting_id)
    attendee = attendee_or_404(meeting, attendee_id)
    try:
        services.set_present(attendee, current_actor(), present)
    except Refused as refused:
        return render_desk(meeting, refusal=str(refused), status=409)
    if present:
        flash(_("%(name)s dicatat hadir.", name=attendee.name), "info")
    else:
        flash(_("Tanda hadir %(name)s dibatalkan.", name=attendee.name), "info")
    return redirect(desk_url(meeting, f"peserta-{attendee.id}"), code=303)


@bp.post("/admin/meetings/<int:meeting_id>/record/attendees/<int:attendee_id>/present")
@role_required(*WRITE)
def mark_present(meeting_id: int, attendee_id: int):
    return presence(meeting_id, attendee_id, True)


@bp.post("/admin/meetings/<int:meeting_id>/record/attendees/<int:attendee_id>/absent")
@role_required(*WRITE)
def mark_absent(meeting_id: int, attendee_id: int):
    return presence(meeting_id, attendee_id, False)


@bp.post("/admin/meetings/<int:meeting_id>/record/attendees/<int:attendee_id>/remove")
@role_required(*WRITE)
def remove(meeting_id: int, attendee_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    attendee = attendee_or_404(meeting, attendee_id)
    try:
        services.remove_attendee(attendee, current_actor())
    except Refused as refused:
        return render_desk(meeting, refusal=str(refused), status=409)
    flash(_("Peserta dihapus dari daftar hadir."), "info")
    return redirect(desk_url(meeting), code=303)


@bp.get("/admin/meetings/<int:meeting_id>/checkin-qr.svg")
@role_required(*READ)
def checkin_qr(meeting_id: int):
    """The check-in page's QR as an SVG file, to put on a slide or a table card."""
    meeting = db.get_or_404(Meeting, meeting_id)
    return Response(
        qr_svg_file(checkin_url(meeting)),
        mimetype="image/svg+xml",
        headers={"Content-Disposition": f'inline; filename="daftar-hadir-{meeting.code}.svg"'},
    )
