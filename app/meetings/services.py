"""Rules for meetings: listing, creating, editing, the agenda, opening and closing.

Every change staff make here is written to the audit log in the same transaction.
The live intake counts and the QR poster are built here too, as plain data.
"""

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit import changed, record, snapshot
from app.documents.finalise import check_not_final
from app.documents.formatting import document_locale
from app.documents.pdf import render_pdf
from app.domain import (
    CLOSED_FOLLOW_UP_STATUSES,
    KIND_SHORT,
    ROLES,
    SUBMISSION_STATUSES,
    grouped_nip,
)
from app.extensions import db
from app.models import AgendaItem, FollowUp, Meeting, Pillar, Submission, User
from app.models.base import utcnow
from app.qr import qr_data_uri
from app.services import Refused, transaction
from app.submissions.services import compact_access_code, window_state

# No 0/o, 1/i/l: a code read aloud or typed from a poster survives. 31^6 is about 887 million.
# The public code is the address of the form (/m/<code>), listed on the public front
# page while the meeting is open: it finds the form, it does not guard it.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 6

# The access code is what guards the form: shown in the room, typed by participants.
# Guessing it is a POST of the public form, limited per address (RAKOR_SUBMIT_RATE_LIMIT,
# 30 a minute); assume an attacker with many addresses reaches 100 guesses a second in
# all, for a 30-day window: 100 * 86,400 * 30 = 2.592e8 guesses. With 12 characters
# from 31 there are 31^12 = 7.87e17 codes, so the chance that one of those guesses hits
# is 2.592e8 / 7.87e17 = 3.3e-10, far below 1e-6 (10 characters, 8.2e14 codes, would
# give 3.2e-7; 12 leaves room for many meetings at once and faster attackers).
# Shown in groups of four (K7QM-2XAB-9RTZ), upper case, without 0/O, 1/I/L; typed with
# or without the dashes and spaces, in any case (app/submissions/services.py
# access_code_matches). A new or changed code needs at least ACCESS_CODE_LENGTH
# characters; a shorter code stored earlier keeps working until it is changed.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 12
ACCESS_CODE_GROUP = 4

# The columns the meeting form edits; the audit log records these (plus the pillars).
AUDITED_FIELDS = (
    "code",
    "title",
    "date",
    "start_time",
    "end_time",
    "venue",
    "opens_at",
    "closes_at",
    "late_grace_minutes",
    "access_code",
    "chair_name",
    "chair_position",
    "chair_nip",
    "notetaker_name",
    "notetaker_position",
    "notetaker_nip",
)
STATUS_FIELDS = ("status", "closed_at")

# The agenda item a meeting that follows earlier ones gets, once (see add_carried_over_item).
CARRIED_OVER_ITEM = _l("Evaluasi tindak lanjut rapat sebelumnya")
# An item whose title holds these words already is that item, however it was worded
# ("Evaluasi tindak lanjut hasil rakor tahun 2024").
CARRIED_OVER_WORDS = ("evaluasi tindak lanjut",)
# An agenda that begins with the opening keeps it first.
OPENING_WORDS = ("pembukaan", "pembuka")
AGENDA_FIELDS = ("position", "title", "discussion")

LIVE_NEWEST = 10


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    submissions: int


@dataclass(frozen=True)
class MeetingData:
    """A valid meeting form as plain values. Timestamps are timezone-aware UTC."""

    title: str
    date: date
    start_time: time
    venue: str
    end_time: time | None = None
    chair_name: str = ""
    chair_position: str = ""
    chair_nip: str = ""
    notetaker_name: str = ""
    notetaker_position: str = ""
    notetaker_nip: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    # Minutes after closing in which a send is still taken, marked late (0: none).
    late_grace_minutes: int = 0
    access_code: str | None = None
    # Empty: the form offers every active pillar, including ones added later.
    pillar_ids: tuple[int, ...] = ()
    # Empty: a new code is generated.
    code: str = ""
    # Only used when creating; agenda items are edited one by one afterwards.
    agenda: tuple[str, ...] = field(default=())
    # The earlier meetings this one follows (whose open follow-ups it evaluates).
    predecessor_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class EarlierMeeting:
    """A meeting another may follow, with its follow-ups not yet done or cancelled."""

    meeting: Meeting
    open_follow_ups: int


@dataclass(frozen=True)
class MeetingCounts:
    total: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class MeetingSummary:
    """What the meeting page shows beside the meeting itself."""

    counts: MeetingCounts
    pillars: list[Pillar]
    # "open", "not_yet_open" or "closed": what a participant meets right now.
    intake_state: str
    intake_late: bool = False


# --- queries ---------------------------------------------------------------------------


def meetings_overview() -> list[MeetingRow]:
    """Every meeting, newest first, with its number of inputs (merged ones included)."""
    counts = (
        select(Submission.meeting_id, func.count().label("submissions"))
        .group_by(Submission.meeting_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Meeting, func.coalesce(counts.c.submissions, 0))
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    )
    return [MeetingRow(meeting, submissions) for meeting, submissions in rows]


def active_pillars() -> list[Pillar]:
    return list(
        db.session.scalars(
            select(Pillar).where(Pillar.retired_at.is_(None)).order_by(Pillar.position, Pillar.code)
        )
    )


def pillars_in_use(meeting: Meeting) -> list[Pillar]:
    """The pillars the meeting's form offers: the chosen active ones, or every active one."""
    return [p for p in meeting.pillars if p.is_active] or active_pillars()


def meeting_counts(meeting_id: int) -> MeetingCounts:
    """Inputs in total and by review status (every status listed, zeros included)."""
    rows = db.session.execute(
        select(Submission.status, func.count())
        .where(Submission.meeting_id == meeting_id)
        .group_by(Submission.status)
    )
    found = {key: count for key, count in rows}
    by_status = {status: found.get(status, 0) for status in SUBMISSION_STATUSES}
    return MeetingCounts(total=sum(found.values()), by_status=by_status)


def meeting_summary(meeting: Meeting, now: datetime | None = None) -> MeetingSummary:
    state = window_state(meeting, now or utcnow())
    return MeetingSummary(
        counts=meeting_counts(meeting.id),
        pillars=pillars_in_use(meeting),
        # In the grace period after closing the form still takes input (marked late):
        # "open" to the pages that only tell taking from not taking; `intake_late` says which.
        intake_state="open" if state == "late" else state,
        intake_late=state == "late",
    )


def has_submissions(meeting_id: int) -> bool:
    return (
        db.session.scalar(select(Submission.id).where(Submission.meeting_id == meeting_id).limit(1))
        is not None
    )


def agenda_item_of(meeting_id: int, item_id: int) -> AgendaItem | None:
    """The agenda item, only if it belongs to this meeting."""
    return db.session.scalar(
        select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id)
    )


def code_is_taken(code: str, *, except_meeting_id: int | None = None) -> bool:
    query = select(Meeting.id).where(Meeting.code == code)
    if except_meeting_id is not None:
        query = query.where(Meeting.id != except_meeting_id)
    return db.session.scalar(query.limit(1)) is not None


def earlier_meetings(
    before: date | None = None, *, except_meeting_id: int | None = None
) -> list[EarlierMeeting]:
    """Meetings a meeting may follow, most recent first: every meeting dated before
    `before` (every meeting when None), each with its follow-ups still open."""
    open_counts = (
        select(FollowUp.meeting_id, func.count().label("open"))
        .where(FollowUp.status.not_in(CLOSED_FOLLOW_UP_STATUSES))
        .group_by(FollowUp.meeting_id)
        .subquery()
    )
    query = (
        select(Meeting, func.coalesce(open_counts.c.open, 0))
        .outerjoin(open_counts, open_counts.c.meeting_id == Meeting.id)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    )
    if before is not None:
        query = query.where(Meeting.date < before)
    if except_meeting_id is not None:
        query = query.where(Meeting.id != except_meeting_id)
    return [EarlierMeeting(meeting, count) for meeting, count in db.session.execute(query)]


def new_public_code() -> str:
    """A short code nobody has yet, e.g. "k7qm2x"."""
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not code_is_taken(code):
            return code
    raise RuntimeError("could not find a free meeting code")


def new_access_code() -> str:
    """A random access code, stored without separators, e.g. "K7QM2XAB9RTZ"."""
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def spoken_access_code(code: str | None) -> str:
    """A code of the suggested length as shown in the room, "K7QM-2XAB-9RTZ"; others as typed."""
    if not code or len(code) != ACCESS_CODE_LENGTH:
        return code or ""
    return "-".join(code[i : i + ACCESS_CODE_GROUP] for i in range(0, len(code), ACCESS_CODE_GROUP))


def _check_access_code(data: MeetingData, current: str | None) -> None:
    code = compact_access_code(data.access_code or "")
    if code and code != compact_access_code(current or "") and len(code) < ACCESS_CODE_LENGTH:
        message = _l(
            "Kode akses paling sedikit %(min)d huruf atau angka, agar tidak dapat ditebak. "
            "Pakai kode acak yang disarankan, atau kosongkan bila tidak perlu.",
            min=ACCESS_CODE_LENGTH,
        )
        raise Refused("access_code_short", message, field="access_code")


# --- creating and editing ------------------------------------------------------------


@transaction
def create_meeting(actor: User, data: MeetingData) -> Meeting:
    """A new meeting, in draft, with its agenda items in the order given."""
    code = data.code or new_public_code()
    _check_window(data)
    _check_access_code(data, current=None)
    if code_is_taken(code):
        raise code_taken()
    meeting = Meeting(code=code, status="draft")
    _apply(meeting, data)
    meeting.pillars = _chosen_pillars(data.pillar_ids, keep=[])
    meeting.predecessors = _chosen_predecessors(data, meeting_id=None)
    meeting.agenda_items = [
        AgendaItem(position=position, title=title)
        for position, title in enumerate(data.agenda, start=1)
    ]
    add_carried_over_item(meeting)
    db.session.add(meeting)
    _flush_or_code_taken()
    record(actor, "create", meeting, after=_meeting_state(meeting), meeting_id=meeting.id)
    for item in meeting.agenda_items:
        record(actor, "create", item, after=snapshot(item, AGENDA_FIELDS), meeting_id=meeting.id)
    return meeting


@transaction
def update_meeting(actor: User, meeting: Meeting, data: MeetingData) -> bool:
    """Save the form; returns False when nothing changed (and nothing is logged)."""
    check_not_final(meeting.id)
    _check_window(data)
    _check_access_code(data, current=meeting.access_code)
    code = data.code or meeting.code
    if code_is_taken(code, except_meeting_id=meeting.id):
        raise code_taken()
    before = _meeting_state(meeting)
    meeting.code = code
    _apply(meeting, data)
    # Retired pillars cannot be ticked any more, but their link is kept.
    retired = [p for p in meeting.pillars if not p.is_active]
    meeting.pillars = _chosen_pillars(data.pillar_ids, keep=retired)
    followed = {m.id for m in meeting.predecessors}
    meeting.predecessors = _chosen_predecessors(data, meeting_id=meeting.id)
    old, new = changed(before, _meeting_state(meeting))
    if not new:
        return False
    _flush_or_code_taken()
    record(actor, "update", meeting, before=old, after=new, meeting_id=meeting.id)
    # Only a newly followed meeting brings the item: one the secretariat deleted
    # does not come back each time the form is saved.
    if {m.id for m in meeting.predecessors} - followed:
        item = add_carried_over_item(meeting)
        if item is not None:
            db.session.flush()
            after = snapshot(item, AGENDA_FIELDS)
            record(actor, "create", item, after=after, meeting_id=meeting.id)
    return True


def _apply(meeting: Meeting, data: MeetingData) -> None:
    meeting.title = data.title
    meeting.date = data.date
    meeting.start_time = data.start_time
    meeting.end_time = data.end_time
    meeting.venue = data.venue
    meeting.chair_name = data.chair_name
    meeting.chair_position = data.chair_position
    meeting.chair_nip = grouped_nip(data.chair_nip)
    meeting.notetaker_name = data.notetaker_name
    meeting.notetaker_position = data.notetaker_position
    meeting.notetaker_nip = grouped_nip(data.notetaker_nip)
    meeting.opens_at = data.opens_at
    meeting.closes_at = data.closes_at
    meeting.late_grace_minutes = data.late_grace_minutes
    meeting.access_code = compact_access_code(data.access_code or "") or None


def _chosen_pillars(pillar_ids: tuple[int, ...], keep: list[Pillar]) -> list[Pillar]:
    chosen = [p for p in active_pillars() if p.id in set(pillar_ids)]
    return sorted({p.id: p for p in [*keep, *chosen]}.values(), key=lambda p: (p.position, p.code))


def _meeting_state(meeting: Meeting) -> dict[str, Any]:
    state = snapshot(meeting, AUDITED_FIELDS)
    state["pillars"] = [p.code for p in meeting.pillars]
    state["predecessors"] = sorted(m.id for m in meeting.predecessors)
    return state


def _chosen_predecessors(data: MeetingData, meeting_id: int | None) -> list[Meeting]:
    """The earlier meetings chosen; one that is this meeting, or not dated before it, is
    refused (a meeting evaluates what was agreed before it, never after)."""
    ids = set(data.predecessor_ids)
    if not ids:
        return []
    if meeting_id is not None and meeting_id in ids:
        message = _l("Rapat tidak dapat mengikuti dirinya sendiri.")
        raise Refused("predecessor_self", message, field="predecessors")
    chosen = list(
        db.session.scalars(
            select(Meeting).where(Meeting.id.in_(ids)).order_by(Meeting.date, Meeting.id)
        )
    )
    if len(chosen) != len(ids):
        message = _l("Rapat sebelumnya yang dipilih tidak ditemukan. Pilih dari daftar.")
        raise Refused("predecessor_unknown", message, field="predecessors")
    later = [m for m in chosen if m.date >= data.date]
    if later:
        message = _l(
            "Rapat sebelumnya harus bertanggal sebelum rapat ini: %(title)s tidak.",
            title=later[0].title,
        )
        raise Refused("predecessor_later", message, field="predecessors")
    return chosen


def _check_window(data: MeetingData) -> None:
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        message = _l("Waktu tutup harus setelah waktu buka.")
        raise Refused("window", message, field="closes_at")


def code_taken() -> Refused:
    message = _l("Kode ini sudah dipakai rapat lain. Pilih kode lain.")
    return Refused("code_taken", message, field="code")


def status_refused() -> Refused:
    message = _l("Perubahan status itu tidak dapat dilakukan dari status rapat sekarang.")
    return Refused("status", message)


def _flush_or_code_taken() -> None:
    try:
        db.session.flush()
    except IntegrityError as error:  # another meeting took the code a moment ago
        raise code_taken() from error


# --- the agenda ----------------------------------------------------------------------


@transaction
def add_agenda_item(actor: User, meeting: Meeting, title: str) -> AgendaItem:
    check_not_final(meeting.id)
    last = max((item.position for item in meeting.agenda_items), default=0)
    item = AgendaItem(meeting_id=meeting.id, position=last + 1, title=title)
    meeting.agenda_items.append(item)
    db.session.flush()
    record(actor, "create", item, after=snapshot(item, AGENDA_FIELDS), meeting_id=meeting.id)
    return item


@transaction
def rename_agenda_item(actor: User, item: AgendaItem, title: str) -> None:
    """A new title; the discussion already written stays with the item."""
    check_not_final(item.meeting_id)
    before = snapshot(item, AGENDA_FIELDS)
    item.title = title
    old, new = changed(before, snapshot(item, AGENDA_FIELDS))
    if new:
        record(actor, "update", item, before=old, after=new, meeting_id=item.meeting_id)


@transaction
def move_agenda_item(actor: User, item: AgendaItem, direction: Literal["up", "down"]) -> None:
    """Swap the item with its neighbour; at either end nothing happens."""
    meeting = item.meeting
    check_not_final(meeting.id)
    items = _renumbered(meeting)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return  # the renumbering, if any, is still saved
    neighbour = items[other]
    before = {"position": item.position}
    item.position, neighbour.position = neighbour.position, item.position
    record(
        actor, "move", item, before=before, after={"position": item.position}, meeting_id=meeting.id
    )


@transaction
def delete_agenda_item(actor: User, item: AgendaItem, *, confirmed: bool = False) -> None:
    """Remove the item. One with a written discussion needs `confirmed`; the log keeps it."""
    meeting = item.meeting
    check_not_final(meeting.id)
    if item.discussion.strip() and not confirmed:
        message = _l(
            "Acara ini sudah berisi pembahasan. Centang konfirmasi bila memang ingin menghapusnya."
        )
        raise Refused("has_discussion", message, field="confirm")
    record(actor, "delete", item, before=snapshot(item, AGENDA_FIELDS), meeting_id=meeting.id)
    meeting.agenda_items.remove(item)
    db.session.flush()
    _renumbered(meeting)


def has_carried_over_item(meeting: Meeting) -> bool:
    return any(_is_carried_over(item.title) for item in meeting.agenda_items)


def _is_carried_over(title: str) -> bool:
    folded = " ".join(title.lower().split())
    return any(words in folded for words in CARRIED_OVER_WORDS)


def add_carried_over_item(meeting: Meeting) -> AgendaItem | None:
    """Give a meeting that follows earlier ones the item that evaluates their follow-ups.

    Once: an agenda that has such an item (however worded) gets none. It goes first,
    after the opening when the agenda starts with one. Inside the caller's
    transaction; the caller audits the item it gets back (None: nothing added).
    """
    if not meeting.predecessors or has_carried_over_item(meeting):
        return None
    items = sorted(meeting.agenda_items, key=lambda i: (i.position, i.id or 0))
    starts_with_opening = bool(items) and items[0].title.lower().startswith(OPENING_WORDS)
    at = 1 if starts_with_opening else 0
    with document_locale():  # a line of the record: in the record's language
        title = str(CARRIED_OVER_ITEM)
    item = AgendaItem(title=title)
    items.insert(at, item)
    meeting.agenda_items.append(item)
    for position, each in enumerate(items, start=1):
        each.position = position
    return item


def _renumbered(meeting: Meeting) -> list[AgendaItem]:
    """The items in order, numbered 1..n (older data may have gaps or ties)."""
    items = sorted(meeting.agenda_items, key=lambda i: (i.position, i.id))
    for position, item in enumerate(items, start=1):
        item.position = position
    return items


# --- the meeting's life --------------------------------------------------------------


@transaction
def open_meeting(actor: User, meeting: Meeting, now: datetime | None = None) -> None:
    """draft or closed -> open. A window that already ended must be moved first."""
    now = now or utcnow()
    if meeting.status not in ("draft", "closed"):
        raise status_refused()
    if meeting.closes_at is not None and meeting.closes_at <= now:
        message = _l(
            "Waktu tutup masukan sudah lewat. Ubah atau kosongkan waktu tutup dulu, lalu buka lagi."
        )
        raise Refused("window_over", message)
    _change_status(actor, meeting, "open", "open", closed_at=None)


@transaction
def close_meeting(actor: User, meeting: Meeting, now: datetime | None = None) -> None:
    if meeting.status != "open":
        raise status_refused()
    _change_status(actor, meeting, "close", "closed", closed_at=now or utcnow())


@transaction
def return_to_draft(actor: User, meeting: Meeting) -> None:
    """Back to draft (hidden from the public), only while nobody has sent input."""
    if meeting.status not in ("open", "closed"):
        raise status_refused()
    if has_submissions(meeting.id):
        message = _l("Rapat yang sudah menerima masukan tidak dapat dikembalikan ke draf.")
        raise Refused("has_submissions", message)
    _change_status(actor, meeting, "return_to_draft", "draft", closed_at=None)


def _change_status(
    actor: User, meeting: Meeting, action: str, status: str, *, closed_at: datetime | None
) -> None:
    before = snapshot(meeting, STATUS_FIELDS)
    meeting.status = status
    meeting.closed_at = closed_at
    old, new = changed(before, snapshot(meeting, STATUS_FIELDS))
    record(actor, action, meeting, before=old, after=new, meeting_id=meeting.id)


# --- the room: live intake and the QR poster -------------------------------------------


def live_snapshot(meeting_id: int) -> dict[str, Any]:
    """What the projector shows: counts and the newest titles. No names, no phones.

    One pass over the meeting's rows: a GROUP BY of pillar, kind and role together
    (a few dozen groups at most), added up here per dimension. Every input counts,
    whatever its review status; the newest list leaves out declined and merged ones,
    so declining an improper title also takes it off the screen.
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise LookupError(meeting_id)

    by_pillar: Counter[int] = Counter()
    by_kind: Counter[str] = Counter()
    by_role: Counter[str] = Counter()
    groups = db.session.execute(
        select(Submission.pillar_id, Submission.kind, Submission.role, func.count())
        .where(Submission.meeting_id == meeting_id)
        .group_by(Submission.pillar_id, Submission.kind, Submission.role)
    )
    for pillar_id, kind, role, count in groups:
        by_pillar[pillar_id] += count
        by_kind[kind] += count
        by_role[role] += count

    pillars = pillars_in_use(meeting)
    shown = {p.id for p in pillars}
    missing = [pillar_id for pillar_id in by_pillar if pillar_id not in shown]
    if missing:  # input moved to a pillar the form no longer offers
        pillars += db.session.scalars(
            select(Pillar).where(Pillar.id.in_(missing)).order_by(Pillar.position)
        ).all()

    newest = db.session.execute(
        select(Submission.title, Submission.kind, Submission.submitted_at)
        .where(
            Submission.meeting_id == meeting_id,
            Submission.status.not_in(("declined", "merged")),
        )
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(LIVE_NEWEST)
    )
    return {
        "meeting_id": meeting_id,
        "status": meeting.status,
        "total": sum(by_kind.values()),
        "by_pillar": [
            {"key": p.code, "label": p.name, "count": by_pillar.get(p.id, 0)} for p in pillars
        ],
        "by_kind": [
            {"key": kind, "label": str(label), "count": by_kind.get(kind, 0)}
            for kind, label in KIND_SHORT.items()
        ],
        "by_role": [
            {"key": role, "label": str(label), "count": by_role.get(role, 0)}
            for role, label in ROLES.items()
        ],
        "newest": [
            {
                "title": title,
                "kind": kind,
                "kind_label": str(KIND_SHORT.get(kind, kind)),
                "submitted_at": submitted_at.isoformat(),
            }
            for title, kind, submitted_at in newest
        ],
        "generated_at": utcnow().isoformat(),
    }


def poster_pdf(meeting: Meeting, public_url: str) -> bytes:
    """The A4 QR poster for the room. Needs an app context (and a request for the locale)."""
    html = render_template(
        "meetings/poster.html",
        meeting=meeting,
        access_code=spoken_access_code(meeting.access_code),
        public_url=public_url,
        qr_src=qr_data_uri(public_url),
    )
    return render_pdf(html)
