"""Invitations: a personal link per invitee, whether it went out, whether input came back.

An invitee is a line of the daftar hadir added as invited (source "invited"). Their
personal link is the meeting's public form with `?undangan=<token>`: the form opens
with their name, position and unit filled in, and an input sent through it is linked
to their line (app/submissions/services.py). A token is made once and kept, so a link
sent last week still works after the list is extended; it is never written into the
audit log, which records only whose links were made.

Whether an invitee sent input: their line's input (sent through the link), or else an
input of the meeting whose sender has the same name and the same unit as read from
the line's unit text (app/submissions/invitations.py), for someone who opened the
form from the poster instead.
"""

import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import gettext as _
from sqlalchemy import select

from app.attendance.services import AttendeeData, add_invitees, attendees_of
from app.audit import record, snapshot
from app.documents.finalise import check_not_final
from app.documents.formatting import document_locale
from app.extensions import db
from app.i18n import long_date
from app.models import Attendee, Meeting, Submission, User
from app.models.base import utcnow
from app.services import transaction
from app.submissions.invitations import UnitGuess, fold_for_match, guess_unit
from app.submissions.services import FormChoices, form_choices

TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 bits
WHATSAPP = "https://wa.me/"
SENT_FIELDS = ("invitation_sent_at",)


@dataclass(frozen=True)
class InvitationLine:
    attendee: Attendee
    link: str  # "" until a token is made
    answered: str  # "link": sent through the link; "name": same name and unit; "" not yet


@dataclass(frozen=True)
class Invitations:
    meeting: Meeting
    lines: list[InvitationLine]
    invited: int
    answered: int
    sent: int
    without_link: int


@dataclass(frozen=True)
class Imported:
    added: int
    skipped: int
    links: int


# --- the link -------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def personal_link(form_url: str, token: str | None) -> str:
    """The public form's address (app/qr.py public_meeting_url) with the invitee's token."""
    return f"{form_url}?undangan={token}" if token else ""


def invitees_of(meeting_id: int) -> list[Attendee]:
    return [line for line in attendees_of(meeting_id) if line.source == "invited"]


def _issue(meeting: Meeting, actor: User) -> int:
    """A token for every invitee without one; one audit line names whose links were made."""
    lines = db.session.scalars(
        select(Attendee)
        .where(Attendee.meeting_id == meeting.id)
        .where(Attendee.source == "invited")
        .where(Attendee.invitation_token.is_(None))
        .order_by(Attendee.id)
    ).all()
    for line in lines:
        line.invitation_token = new_token()
    if lines:
        record(
            actor,
            "invitation_links",
            meeting,
            after={"attendee_ids": [line.id for line in lines]},
            meeting_id=meeting.id,
        )
    return len(lines)


@transaction
def issue_links(meeting: Meeting, actor: User) -> int:
    """Make the missing personal links; returns how many were made (0: all had one)."""
    check_not_final(meeting.id)
    return _issue(meeting, actor)


@transaction
def import_invitees(
    meeting: Meeting, actor: User, people: list[AttendeeData], filename: str = ""
) -> Imported:
    """The invitation list from a workbook: every new person in, each with a personal link,
    and one audit line for the import, all in one transaction."""
    check_not_final(meeting.id)
    added, skipped = add_invitees(meeting, actor, people)
    links = _issue(meeting, actor)
    record(
        actor,
        "import_invitations",
        meeting,
        after={"filename": filename[:200], "added": added, "skipped": skipped, "links": links},
        meeting_id=meeting.id,
    )
    return Imported(added, skipped, links)


# --- sending --------------------------------------------------------------------------------


@transaction
def mark_sent(attendee: Attendee, actor: User, sent: bool = True) -> bool:
    """Note that the link went out (now), or take that back. False: nothing to change.

    The first sending's time is kept when the link is sent again."""
    check_not_final(attendee.meeting_id)
    if (attendee.invitation_sent_at is not None) == sent:
        return False
    before = snapshot(attendee, SENT_FIELDS)
    attendee.invitation_sent_at = utcnow() if sent else None
    after = snapshot(attendee, SENT_FIELDS)
    record(actor, "update", attendee, before=before, after=after, meeting_id=attendee.meeting_id)
    return True


@transaction
def prepare_whatsapp(attendee: Attendee, actor: User) -> str:
    """The invitee's token (made now if missing), with the line noted as sent."""
    check_not_final(attendee.meeting_id)
    if attendee.invitation_token is None:
        attendee.invitation_token = new_token()
        record(
            actor,
            "invitation_links",
            db.session.get(Meeting, attendee.meeting_id),
            after={"attendee_ids": [attendee.id]},
            meeting_id=attendee.meeting_id,
        )
    if attendee.invitation_sent_at is None:
        attendee.invitation_sent_at = utcnow()
        after = snapshot(attendee, SENT_FIELDS)
        record(
            actor,
            "update",
            attendee,
            before={"invitation_sent_at": None},
            after=after,
            meeting_id=attendee.meeting_id,
        )
    return attendee.invitation_token


def whatsapp_number(phone: str) -> str:
    """A phone number as wa.me takes it: international, digits only ("0812-2712-3456" is
    "6281227123456"). Empty when it cannot be a mobile number."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits.lstrip("0")
    elif digits.startswith("8"):  # written without the trunk 0: 812 2712 3456
        digits = "62" + digits
    if digits.startswith("62") and not digits.startswith("628"):
        return ""  # an Indonesian landline ((0285) 421 093): no WhatsApp there
    return digits if 10 <= len(digits) <= 15 else ""


def greeting(sex: str | None) -> str:
    if sex == "L":
        return _("Bapak")
    if sex == "P":
        return _("Ibu")
    return _("Bapak/Ibu")


def whatsapp_message(meeting: Meeting, attendee: Attendee, link: str) -> str:
    """The invitation, in Indonesian whatever the staff page's language: it goes to the
    invitee."""
    with document_locale():
        return _(
            "Yth. %(greeting)s %(name)s,\n\n"
            "Kami mengundang %(greeting)s mengirim masukan untuk %(meeting)s, %(date)s.\n"
            "Silakan isi formulir lewat tautan pribadi berikut; nama dan instansi "
            "%(greeting)s sudah terisi:\n%(link)s\n\nTerima kasih.",
            greeting=greeting(attendee.sex),
            name=attendee.name,
            meeting=meeting.title,
            date=long_date(meeting.date),
            link=link,
        )


def whatsapp_url(meeting: Meeting, attendee: Attendee, link: str) -> str:
    """wa.me/<number>?text=...; without a number WhatsApp asks whom to send it to."""
    text = quote(whatsapp_message(meeting, attendee, link), safe="")
    return f"{WHATSAPP}{whatsapp_number(attendee.phone)}?text={text}"


# --- who sent input -------------------------------------------------------------------------


def sender_key(row, guess: UnitGuess | None) -> tuple:
    if guess is None:
        return ()
    if guess.role == "lurah":
        return ("lurah", guess.kelurahan_id)
    if guess.role == "camat":
        return ("camat", guess.kecamatan_id)
    if guess.role == "opd":
        return ("opd", guess.agency_id)
    return ("stakeholder", fold_for_match(guess.organisation))


def submission_unit(row) -> tuple:
    if row.role == "lurah":
        return ("lurah", row.kelurahan_id)
    if row.role == "camat":
        return ("camat", row.kecamatan_id)
    if row.role == "opd":
        return ("opd", row.agency_id)
    return ("stakeholder", fold_for_match(row.organisation))


def senders(meeting_id: int) -> dict[str, set[tuple]]:
    """The meeting's inputs by sender: folded name -> the units they sent from."""
    rows = db.session.execute(
        select(
            Submission.submitter_name,
            Submission.role,
            Submission.kelurahan_id,
            Submission.kecamatan_id,
            Submission.agency_id,
            Submission.organisation,
        ).where(Submission.meeting_id == meeting_id)
    ).all()
    found: dict[str, set[tuple]] = {}
    for row in rows:
        found.setdefault(fold_for_match(row.submitter_name), set()).add(submission_unit(row))
    return found


def answered(line: Attendee, sent_by: dict[str, set[tuple]], choices: FormChoices) -> str:
    if line.submission_id is not None:
        return "link"
    units = sent_by.get(fold_for_match(line.name))
    if not units:
        return ""
    key = sender_key(line, guess_unit(line.unit, line.position, choices))
    # An invitee listed without a unit is matched by the name alone.
    return "name" if not key or key in units else ""


def overview(meeting: Meeting, form_url: str) -> Invitations:
    choices = form_choices(meeting)
    sent_by = senders(meeting.id)
    lines = [
        InvitationLine(
            line,
            personal_link(form_url, line.invitation_token),
            answered(line, sent_by, choices),
        )
        for line in invitees_of(meeting.id)
    ]
    return Invitations(
        meeting=meeting,
        lines=lines,
        invited=len(lines),
        answered=sum(1 for line in lines if line.answered),
        sent=sum(1 for line in lines if line.attendee.invitation_sent_at is not None),
        without_link=sum(1 for line in lines if not line.link),
    )
