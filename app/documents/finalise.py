"""Finalising the minutes freezes the meeting's record; only an admin may reopen it.

Finalising sets the meeting's status to "finalised" and is audited. From then on
every service that changes the meeting's content (inputs and their decisions,
pillars, notes, merges, follow-ups as printed, agenda, texts, attendance, the
meeting's own data) first calls `check_not_final`, which refuses with one
message; an admin's audited reopen (`reopen_minutes`) unlocks the record again.
The progress of a follow-up (its status and progress note) is the one thing that
keeps moving: agencies report it until the next meeting evaluates it.

The final PDF is built from the record as it is at the moment of finalising: the
document's context (plain data, with pillar, agency and letterhead names already
resolved) is built inside the finalising transaction and handed to a render job
(jobs.py), so a later change of reference data, or a slow queue, cannot reach
it. That job archives the PDF as PDF/A-3b with the SHA-256 of its bytes; every
later download serves those bytes unchanged, with that hash in the
`X-Content-SHA256` header.

Which hash is printed where: a file cannot contain its own hash, so the footer
of the final PDF prints the *content digest* (the SHA-256 of the frozen context
and the templates, `MeetingDocument.source_digest`), while the SHA-256 of the
PDF file (`MeetingDocument.sha256`) is shown on the minutes page, sent as a
header and written in the audit log.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from app.audit import record, snapshot
from app.documents import jobs
from app.documents.context import load_meeting
from app.documents.render import build_context
from app.extensions import db
from app.models import Meeting, MeetingDocument, User
from app.models.base import utcnow
from app.services import Refused, transaction

FINAL_FIELDS = ("status", "finalised_at", "finalised_by_id")
REOPEN_REASON_MAX = 1000


@dataclass(frozen=True)
class FinalState:
    """What the minutes page says about the record."""

    status: str
    finalised_at: datetime | None
    finalised_by: str
    document_sha256: str
    document_digest: str
    document_created_at: datetime | None


# --- the guard every change of a meeting's content passes --------------------------------


def is_final(meeting: Meeting) -> bool:
    return meeting.status == "finalised"


def record_is_final() -> Refused:
    message = _l(
        "Notulen rapat ini sudah final. Perubahan hanya dapat dilakukan setelah admin "
        "membukanya kembali."
    )
    return Refused("finalised", message)


def check_not_final(meeting_id: int) -> None:
    """Refuse a change to the content of a finalised meeting.

    Called first by every service that changes a meeting's content. It reads the
    status with an UPDATE that changes nothing, so the row is locked for writing
    until the change commits, on both databases: finalising (which updates that
    row) waits for a change under way, and a change waits for a finalisation under
    way and then sees it. SQLite takes its database-wide write lock here, at the
    first statement, rather than at the change's first write. On PostgreSQL the
    lock is FOR NO KEY UPDATE strength: a participant's input, whose foreign key
    only needs the row to stay, is not held up by it.
    """
    status = db.session.scalar(
        text("UPDATE meeting SET status = status WHERE id = :id RETURNING status"),
        {"id": meeting_id},
    )
    if status == "finalised":
        raise record_is_final()


# --- finalising and reopening ------------------------------------------------------------


def finalise_minutes(meeting_id: int, actor: User, now: datetime | None = None) -> Meeting:
    """Freeze the record, then render the final PDF from the record as it was frozen."""
    meeting, job_id, context = freeze_record(meeting_id, actor, now)
    jobs.submit(job_id, context)
    return meeting


@transaction
def freeze_record(meeting_id: int, actor: User, now: datetime | None) -> tuple[Meeting, int, Any]:
    """The status change, its audit line, the final context and its render job, at once."""
    check_not_final(meeting_id)  # also locks the row: no change is half-way in
    meeting = load_meeting(meeting_id)
    if meeting.status != "closed":
        raise Refused("not_closed", _l("Notulen baru dapat difinalkan setelah rapat ditutup."))
    before = snapshot(meeting, FINAL_FIELDS)
    meeting.status = "finalised"
    meeting.finalised_at = now or utcnow()
    meeting.finalised_by_id = actor.id
    record(
        actor, "finalise", meeting, before=before, after=snapshot(meeting, FINAL_FIELDS),
        meeting_id=meeting.id,
    )  # fmt: skip
    db.session.flush()
    context, digest = build_context("minutes", meeting_id)
    job = jobs.add_job(meeting_id, "minutes", digest, actor)
    # Never before the finalisation it belongs to, whatever `now` says.
    job.created_at = max(job.created_at, meeting.finalised_at)
    return meeting, job.id, context


@transaction
def reopen_minutes(meeting_id: int, actor: User, reason: str) -> Meeting:
    """Back to "closed" so the record can be corrected; the archived PDFs are kept."""
    if actor.role != "admin":
        raise Refused("admin_only", _l("Hanya admin yang dapat membuka kembali notulen final."))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(
            "reason_required", _l("Tulis alasan membuka kembali notulen."), field="reason"
        )
    meeting = load_meeting(meeting_id)
    if meeting.status != "finalised":
        raise Refused("not_final", _l("Notulen ini belum final."))
    before = snapshot(meeting, FINAL_FIELDS)
    meeting.status = "closed"
    meeting.finalised_at = None
    meeting.finalised_by_id = None
    after = {**snapshot(meeting, FINAL_FIELDS), "reason": reason[:REOPEN_REASON_MAX]}
    record(actor, "reopen", meeting, before=before, after=after, meeting_id=meeting.id)
    return meeting


def final_state(meeting_id: int) -> FinalState:
    meeting = load_meeting(meeting_id)
    finalised_by = None
    if meeting.finalised_by_id is not None:
        finalised_by = db.session.get(User, meeting.finalised_by_id)
    stored = None
    if meeting.status == "finalised":
        columns = select(
            MeetingDocument.sha256, MeetingDocument.source_digest, MeetingDocument.created_at
        )
        stored = db.session.execute(jobs.final_minutes_query(meeting, columns)).first()
    sha256, digest, created_at = stored or ("", "", None)
    return FinalState(
        status=meeting.status,
        finalised_at=meeting.finalised_at,
        finalised_by=finalised_by.name if finalised_by else "",
        document_sha256=sha256,
        document_digest=digest,
        document_created_at=created_at,
    )
