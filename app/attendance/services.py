"""Rules of the daftar hadir: who was there, kept apart from who sent input.

A line is present when it has a check-in time (`checked_in_at`). It gets one in two
ways: the participant checks in on the meeting's check-in page (source "checkin"), or
the secretariat ticks the line at the desk (a line it added, "desk", or one on the
invitation list, "invited": the source stays what it was). Unticking takes the time
away; the line stays, as invited or as entered.

A participant's check-in is no staff change and is not audited, as an input is not;
every change at the desk is, in the same transaction, and refused once the minutes
are final (`check_not_final` first, which also locks the meeting's row: two check-ins
of the same person at the same moment are taken one after the other, and the second
finds the first).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import changed, record, snapshot
from app.documents.finalise import check_not_final, today_here
from app.domain import SEXES
from app.extensions import db
from app.models import Attendee, Meeting, User
from app.models.base import utcnow
from app.services import Refused, transaction

NAME_MAX = 200
TEXT_MAX = 200
PHONE_MAX = 30

ATTENDEE_FIELDS = ("name", "position", "unit", "sex", "phone", "submission_id")
PRESENCE_FIELDS = ("checked_in_at",)


@dataclass(frozen=True)
class AttendeeData:
    name: str
    position: str = ""
    unit: str = ""
    sex: str | None = None
    phone: str = ""


@dataclass(frozen=True)
class CheckIn:
    """A participant's check-in: their line, since when present, and whether it was new."""

    attendee_id: int
    checked_in_at: datetime
    already_present: bool


@dataclass(frozen=True)
class Desk:
    """What the desk shows: every line, present first, and the counts."""

    meeting: Meeting
    attendees: list[Attendee]
    present: int
    invited_absent: int


# --- reading ---------------------------------------------------------------------------


def meeting_by_code(code: str) -> Meeting | None:
    """The meeting of a check-in address, whatever its status (a draft is told so)."""
    if "\x00" in code:  # PostgreSQL refuses NUL in a query; no meeting code has one
        return None
    return db.session.scalar(select(Meeting).where(Meeting.code == code.strip().lower()))


def checkin_state(meeting: Meeting, today: date | None = None) -> str:
    """ "open" on the meeting's day (the city's calendar) while people may check in;
    "not_open" for a draft, "closed" once final, "not_today" on any other day.

    The check-in asks no access code (its QR hangs in the room), so the day is what
    keeps it to the people in the room; the desk handles anyone else.
    """
    if meeting.status == "draft":
        return "not_open"
    if meeting.status == "finalised":
        return "closed"
    if meeting.date != (today or today_here()):
        return "not_today"
    return "open"


def attendees_of(meeting_id: int) -> list[Attendee]:
    """Every line in the order of names, present or not: the desk looks people up by
    name, and a line stays in its place when it is ticked."""
    attendees = db.session.scalars(select(Attendee).where(Attendee.meeting_id == meeting_id))
    return sorted(attendees, key=lambda a: (" ".join(a.name.split()).casefold(), a.id))


def desk(meeting: Meeting) -> Desk:
    attendees = attendees_of(meeting.id)
    present = sum(1 for a in attendees if a.checked_in_at is not None)
    return Desk(meeting, attendees, present, len(attendees) - present)


def attendee_of(meeting_id: int, attendee_id: int) -> Attendee | None:
    attendee = db.session.get(Attendee, attendee_id)
    return attendee if attendee is not None and attendee.meeting_id == meeting_id else None


def person_key(name: str, unit: str) -> tuple[str, str]:
    """Two lines name the same person when name and unit match, ignoring case and spacing."""
    return (" ".join(name.split()).casefold(), " ".join(unit.split()).casefold())


# --- the participant's own check-in ------------------------------------------------------


def refusal_for(state: str) -> Refused:
    if state == "not_open":
        return Refused(
            "not_open",
            _l("Daftar hadir rapat ini belum dibuka. Tanyakan di meja sekretariat."),
        )
    return Refused(
        "closed",
        _l(
            "Daftar hadir rapat ini sudah ditutup karena notulennya sudah final. "
            "Tanyakan di meja sekretariat."
        ),
    )


@transaction
def check_in(meeting_id: int, data: AttendeeData, *, now: datetime | None = None) -> CheckIn:
    """Record that the participant is here, or confirm the line they already have.

    The same name and unit (case and spacing aside) is the same person: a second
    check-in, or a check-in of someone on the invitation list, finds that line (an
    invitation without a unit is found by the name alone). Its blanks are filled from
    what was typed; what is there already is kept, and so is the time of the first
    check-in.
    """
    try:
        check_not_final(meeting_id)  # also serialises check-ins of one meeting
    except Refused:
        raise refusal_for("closed") from None
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or checkin_state(meeting) != "open":
        raise refusal_for("not_open")
    values = attendee_values(data)
    key = person_key(values["name"], values["unit"])
    lines = db.session.execute(
        select(Attendee.id, Attendee.name, Attendee.unit, Attendee.checked_in_at)
        .where(Attendee.meeting_id == meeting_id)
        .order_by(Attendee.id)
    ).all()
    same = next((line.id for line in lines if person_key(line.name, line.unit) == key), None)
    if same is None:  # someone invited by name alone, not here yet
        same = next(
            (
                line.id
                for line in lines
                if not line.unit.strip()
                and line.checked_in_at is None
                and person_key(line.name, "")[0] == key[0]
            ),
            None,
        )
    now = now or utcnow()
    if same is None:
        attendee = Attendee(meeting_id=meeting_id, source="checkin", checked_in_at=now, **values)
        db.session.add(attendee)
        db.session.flush()
        return CheckIn(attendee.id, now, already_present=False)
    attendee = db.session.get(Attendee, same)
    # A line someone else made is only ticked: an anonymous check-in never writes a
    # position, unit or phone number into it (the desk corrects those). L/P left
    # blank is the one thing filled in, so the count by sex adds up.
    if not attendee.sex and values["sex"]:
        attendee.sex = values["sex"]
    already = attendee.checked_in_at is not None
    if not already:
        attendee.checked_in_at = now
    return CheckIn(attendee.id, attendee.checked_in_at, already_present=already)


def checked_in_line(meeting_id: int, attendee_id: int) -> Attendee | None:
    """The line a check-in made, for its thank-you page; None once it is unticked or gone."""
    attendee = attendee_of(meeting_id, attendee_id)
    return attendee if attendee is not None and attendee.checked_in_at is not None else None


# --- the desk -------------------------------------------------------------------------------


def _check(data: AttendeeData) -> None:
    if not data.name.strip():
        raise ValueError("an attendee needs a name")
    if data.sex is not None and data.sex not in SEXES:
        raise ValueError(f"unknown sex {data.sex!r}")


def attendee_values(data: AttendeeData) -> dict:
    return {
        "name": " ".join(data.name.split()),
        "position": data.position.strip(),
        "unit": data.unit.strip(),
        "sex": data.sex or None,
        "phone": data.phone.strip(),
    }


def _add(meeting: Meeting, actor: User, data: AttendeeData, *, present: bool) -> Attendee:
    check_not_final(meeting.id)
    _check(data)
    attendee = Attendee(
        meeting_id=meeting.id,
        source="desk" if present else "invited",
        checked_in_at=utcnow() if present else None,
        **attendee_values(data),
    )
    db.session.add(attendee)
    db.session.flush()
    after = snapshot(attendee, (*ATTENDEE_FIELDS, "source", *PRESENCE_FIELDS))
    record(actor, "create", attendee, after=after, meeting_id=meeting.id)
    return attendee


@transaction
def add_present(meeting: Meeting, actor: User, data: AttendeeData) -> Attendee:
    """Someone at the desk who did not check in on a phone: entered as present now."""
    return _add(meeting, actor, data, present=True)


@transaction
def invite(meeting: Meeting, actor: User, data: AttendeeData) -> Attendee:
    """Someone on the invitation list: a line that is not present until ticked."""
    return _add(meeting, actor, data, present=False)


@transaction
def invite_many(meeting: Meeting, actor: User, people: list[AttendeeData]) -> tuple[int, int]:
    """The invitation list at once: a line per person not listed yet (by name and unit).

    Returns how many were added and how many were already there; pasting the same list
    twice adds nobody the second time.
    """
    return add_invitees(meeting, actor, people)


def add_invitees(meeting: Meeting, actor: User, people: list[AttendeeData]) -> tuple[int, int]:
    """invite_many's work, inside the caller's transaction (the workbook import's too)."""
    check_not_final(meeting.id)
    names = db.session.execute(
        select(Attendee.name, Attendee.unit).where(Attendee.meeting_id == meeting.id)
    ).all()
    listed = {person_key(name, unit) for name, unit in names}
    added = 0
    for data in people:
        key = person_key(data.name, data.unit)
        if key in listed:
            continue
        listed.add(key)
        _add(meeting, actor, data, present=False)
        added += 1
    return added, len(people) - added


@transaction
def update_attendee(attendee: Attendee, actor: User, data: AttendeeData) -> bool:
    check_not_final(attendee.meeting_id)
    _check(data)
    before = snapshot(attendee, ATTENDEE_FIELDS)
    for key, value in attendee_values(data).items():
        setattr(attendee, key, value)
    old, new = changed(before, snapshot(attendee, ATTENDEE_FIELDS))
    if new:
        record(actor, "update", attendee, before=old, after=new, meeting_id=attendee.meeting_id)
    return bool(new)


@transaction
def set_present(attendee: Attendee, actor: User, present: bool) -> bool:
    """Tick (present since now) or untick a line; the source stays. False: nothing to do."""
    check_not_final(attendee.meeting_id)
    if (attendee.checked_in_at is not None) == present:
        return False
    before = snapshot(attendee, PRESENCE_FIELDS)
    attendee.checked_in_at = utcnow() if present else None
    after = snapshot(attendee, PRESENCE_FIELDS)
    record(actor, "update", attendee, before=before, after=after, meeting_id=attendee.meeting_id)
    return True


@transaction
def remove_attendee(attendee: Attendee, actor: User) -> None:
    check_not_final(attendee.meeting_id)
    before = snapshot(attendee, (*ATTENDEE_FIELDS, "source", *PRESENCE_FIELDS))
    record(actor, "delete", attendee, before=before, meeting_id=attendee.meeting_id)
    db.session.delete(attendee)
