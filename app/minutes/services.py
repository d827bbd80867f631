"""Rules for the minutes' content: the texts and the follow-ups (the attendance list has
its own rules, in app/attendance/services.py).

Every change is audited in the same transaction. Once the minutes are final the
record is frozen (the stored PDF is the official one; the one guard is
app/documents/finalise.py `check_not_final`), except the progress of the
follow-ups (their status and progress note), which agencies report for months
after the meeting, until the next meeting evaluates them.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Literal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.attendance.services import attendees_of
from app.audit import changed, record, snapshot
from app.documents.finalise import check_not_final
from app.domain import FOLLOW_UP_STATUSES
from app.extensions import db
from app.follow_ups import progress
from app.models import Agency, AgendaItem, Attendee, FollowUp, Meeting, Submission, User
from app.services import Refused, transaction
from app.submissions.services import format_receipt_code

TEXT_MAX = 20_000
ACTION_MAX = 2_000

# What the record says of a follow-up; its progress has its own history (app/follow_ups).
FOLLOW_UP_FIELDS = ("action", "agency_id", "deadline", "submission_id")


@dataclass(frozen=True)
class FollowUpData:
    action: str
    agency_id: int | None = None
    deadline: date | None = None
    status: str = "open"
    progress_note: str = ""


@dataclass(frozen=True)
class MinutesPage:
    """What the minutes screen shows, loaded in one place."""

    meeting: Meeting
    agenda_items: list[AgendaItem]
    follow_ups: list[FollowUp]
    attendees: list[Attendee]
    agencies: list[Agency]
    receipt_codes: dict[int, str]


# --- reading ---------------------------------------------------------------------------


def minutes_page(meeting: Meeting) -> MinutesPage:
    follow_ups = list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.meeting_id == meeting.id)
            .options(joinedload(FollowUp.agency))
            .order_by(FollowUp.created_at, FollowUp.id)
        )
    )
    attendees = attendees_of(meeting.id)
    linked = {f.submission_id for f in follow_ups if f.submission_id is not None}
    codes = {}
    if linked:
        rows = db.session.execute(
            select(Submission.id, Submission.receipt_code).where(Submission.id.in_(linked))
        )
        codes = {ident: format_receipt_code(code) for ident, code in rows}
    return MinutesPage(
        meeting=meeting,
        agenda_items=agenda_in_order(meeting),
        follow_ups=follow_ups,
        attendees=attendees,
        agencies=agency_choices(),
        receipt_codes=codes,
    )


def agenda_in_order(meeting: Meeting) -> list[AgendaItem]:
    return sorted(meeting.agenda_items, key=lambda item: (item.position, item.id))


def agency_choices(keep_id: int | None = None) -> list[Agency]:
    """Active agencies, plus the one already chosen even if it was retired since."""
    agencies = list(
        db.session.scalars(
            select(Agency)
            .where((Agency.active) | (Agency.id == (keep_id or 0)))
            .order_by(Agency.abbreviation)
        )
    )
    return agencies


def follow_up_of(meeting_id: int, follow_up_id: int) -> FollowUp | None:
    follow_up = db.session.get(FollowUp, follow_up_id)
    return follow_up if follow_up is not None and follow_up.meeting_id == meeting_id else None


# --- the texts -----------------------------------------------------------------------------


def discussion_key(item_id: int) -> str:
    return f"discussion_{item_id}"


def normal_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def fingerprint(text: str) -> str:
    """A short digest of a text as shown; line endings and outer spaces do not count."""
    return hashlib.sha256(normal_text(text).encode()).hexdigest()[:16]


def stored_texts(meeting: Meeting) -> dict[str, str]:
    """Every text of the record by key: "opening", "conclusions", "discussion_<item id>"."""
    texts = {"opening": meeting.opening or "", "conclusions": meeting.conclusions or ""}
    for item in meeting.agenda_items:
        texts[discussion_key(item.id)] = item.discussion or ""
    return texts


def text_versions(texts: dict[str, str]) -> dict[str, str]:
    return {key: fingerprint(text) for key, text in texts.items()}


def encode_versions(versions: dict[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in sorted(versions.items()))


def decode_versions(encoded: str) -> dict[str, str]:
    """Lenient: a mangled part is left out (that text is then treated as not shown)."""
    versions = {}
    for part in (encoded or "").split(";"):
        key, _, value = part.partition("=")
        if key and len(value) == 16:
            versions[key] = value
    return versions


@transaction
def save_texts(
    meeting: Meeting, actor: User, texts: dict[str, str], versions: dict[str, str]
) -> int:
    """Store the texts the user changed; return how many changed.

    A three-way check per text, against `versions` (what the page showed):
    untouched texts are left alone, so two note-takers working on different
    agenda items never overwrite each other; a text both of them changed is refused
    with code "conflict" and nothing is saved. The refusal's `details` hold `current`,
    the stored text of each conflicting field, and `versions`, the fingerprints to
    send back so that the next save (after merging) goes through.
    """
    check_not_final(meeting.id)
    stored = stored_texts(meeting)
    updates: dict[str, str] = {}
    conflicts: dict[str, str] = {}
    for key, new in texts.items():
        if key not in stored or key not in versions:
            continue  # an agenda item removed meanwhile, or one the page never showed
        new = normal_text(new)
        current = stored[key]
        if new == normal_text(current):
            continue
        shown = versions[key]
        if fingerprint(current) == shown:
            updates[key] = new
        elif fingerprint(new) != shown:
            conflicts[key] = current
    if conflicts:
        message = _l(
            "Bagian ini diubah pengguna lain setelah halaman Anda dibuka. Teks Anda masih ada di "
            "bawah; gabungkan dengan versi tersimpan yang ditampilkan, lalu simpan lagi."
        )
        raise Refused("conflict", message, current=conflicts, versions=text_versions(conflicts))

    meeting_before = snapshot(meeting, ("opening", "conclusions"))
    if "opening" in updates:
        meeting.opening = updates["opening"]
    if "conclusions" in updates:
        meeting.conclusions = updates["conclusions"]
    old, new = changed(meeting_before, snapshot(meeting, ("opening", "conclusions")))
    if new:
        record(actor, "update", meeting, before=old, after=new, meeting_id=meeting.id)
    for item in meeting.agenda_items:
        key = discussion_key(item.id)
        if key in updates:
            before = {"discussion": item.discussion}
            item.discussion = updates[key]
            after = {"discussion": item.discussion}
            record(actor, "update", item, before=before, after=after, meeting_id=meeting.id)
    return len(updates)


# --- follow-ups -------------------------------------------------------------------------------


def _check_follow_up(data: FollowUpData) -> None:
    if data.status not in FOLLOW_UP_STATUSES:
        raise ValueError(f"unknown follow-up status {data.status!r}")
    if not data.action.strip():
        raise ValueError("a follow-up needs an action")


@transaction
def add_follow_up(meeting: Meeting, actor: User, data: FollowUpData) -> FollowUp:
    check_not_final(meeting.id)
    _check_follow_up(data)
    follow_up = FollowUp(
        meeting_id=meeting.id,
        action=data.action.strip(),
        agency_id=data.agency_id,
        deadline=data.deadline,
    )
    db.session.add(follow_up)
    db.session.flush()
    after = snapshot(follow_up, FOLLOW_UP_FIELDS)
    record(actor, "create", follow_up, after=after, meeting_id=meeting.id)
    report_status(follow_up, actor, data.status, data.progress_note)
    return follow_up


def report_status(follow_up: FollowUp, actor: User, status: str, note: str) -> bool:
    """A status or progress note set here is a progress report like any other."""
    if follow_up.status == status and (follow_up.progress_note or "") == note.strip():
        return False
    report = progress.status_report(follow_up, status, note.strip())
    return progress.add_entry(follow_up, report, actor=actor, channel="staff") is not None


@transaction
def update_follow_up(follow_up: FollowUp, actor: User, data: FollowUpData) -> bool:
    """Change a follow-up; after finalising only its status and progress note may change."""
    _check_follow_up(data)
    meeting = db.session.get(Meeting, follow_up.meeting_id)
    before = snapshot(follow_up, FOLLOW_UP_FIELDS)
    # The assignment is part of the record and frozen with it; the status and the
    # progress note are the agencies' progress and keep moving after finalising
    # (the archived minutes keep the status as it was at finalising).
    printed = {
        "action": data.action.strip(),
        "agency_id": data.agency_id,
        "deadline": data.deadline,
    }
    if any(getattr(follow_up, k) != v for k, v in printed.items()):
        check_not_final(meeting.id)
    for key, value in printed.items():
        setattr(follow_up, key, value)
    old, new = changed(before, snapshot(follow_up, FOLLOW_UP_FIELDS))
    if new:
        record(actor, "update", follow_up, before=old, after=new, meeting_id=follow_up.meeting_id)
    reported = report_status(follow_up, actor, data.status, data.progress_note)
    return bool(new) or reported


@transaction
def set_follow_up_status(follow_up: FollowUp, actor: User, status: str) -> bool:
    if status not in FOLLOW_UP_STATUSES:
        raise ValueError(f"unknown follow-up status {status!r}")
    return report_status(follow_up, actor, status, follow_up.progress_note or "")


@transaction
def remove_follow_up(follow_up: FollowUp, actor: User) -> Literal["deleted", "cancelled"]:
    """Delete a follow-up written here; one that came from an input is only cancelled,
    so the input keeps the trace of what was decided for it."""
    meeting = db.session.get(Meeting, follow_up.meeting_id)
    check_not_final(meeting.id)
    before = snapshot(follow_up, FOLLOW_UP_FIELDS)
    if follow_up.submission_id is not None:
        report_status(follow_up, actor, "cancelled", follow_up.progress_note or "")
        return "cancelled"
    record(actor, "delete", follow_up, before=before, meeting_id=meeting.id)
    db.session.delete(follow_up)
    return "deleted"
