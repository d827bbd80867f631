"""Finalising the minutes freezes the meeting's record; only an admin may reopen it.

Finalising sets the meeting's status to "finalised" (the editing screens refuse
changes from then on) and is audited. The final PDF is then rendered once, in
the background like any document (jobs.py), archived as PDF/A-3b and stored
with the SHA-256 of its bytes; every later download serves those bytes
unchanged, with that hash in the `X-Content-SHA256` header.

Which hash is printed where: a file cannot contain its own hash, so the footer
of the final PDF prints the *content digest* (the SHA-256 of the frozen context
and the templates, `MeetingDocument.source_digest`), while the SHA-256 of the
PDF file (`MeetingDocument.sha256`) is shown on the minutes page, sent as a
header and written in the audit log.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.audit import record, snapshot
from app.extensions import db
from app.models import Meeting, MeetingDocument, User
from app.models.base import utcnow
from app.reports.jobs import final_minutes_query
from app.reports.services import load_meeting

FINAL_FIELDS = ("status", "finalised_at", "finalised_by_id")
REOPEN_REASON_MAX = 1000


class ReportRefused(Exception):
    """A rule about the record was broken.

    reasons: "not_closed" (only a closed meeting can be finalised), "already_final",
    "not_final", "admin_only", "reason_required".
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FinalState:
    """What the minutes page says about the record."""

    status: str
    finalised_at: datetime | None
    finalised_by: str
    document_sha256: str
    document_digest: str
    document_created_at: datetime | None


def finalise_minutes(meeting_id: int, actor: User, now: datetime | None = None) -> Meeting:
    meeting = load_meeting(meeting_id)
    if meeting.status == "finalised":
        raise ReportRefused("already_final")
    if meeting.status != "closed":
        raise ReportRefused("not_closed")
    before = snapshot(meeting, FINAL_FIELDS)
    meeting.status = "finalised"
    meeting.finalised_at = now or utcnow()
    meeting.finalised_by_id = actor.id
    record(
        actor, "finalise", meeting, before=before, after=snapshot(meeting, FINAL_FIELDS),
        meeting_id=meeting.id,
    )  # fmt: skip
    db.session.commit()
    return meeting


def reopen_minutes(meeting_id: int, actor: User, reason: str) -> Meeting:
    """Back to "closed" so the record can be corrected; the archived PDFs are kept."""
    if actor.role != "admin":
        raise ReportRefused("admin_only")
    reason = (reason or "").strip()
    if not reason:
        raise ReportRefused("reason_required")
    meeting = load_meeting(meeting_id)
    if meeting.status != "finalised":
        raise ReportRefused("not_final")
    before = snapshot(meeting, FINAL_FIELDS)
    meeting.status = "closed"
    meeting.finalised_at = None
    meeting.finalised_by_id = None
    after = {**snapshot(meeting, FINAL_FIELDS), "reason": reason[:REOPEN_REASON_MAX]}
    record(actor, "reopen", meeting, before=before, after=after, meeting_id=meeting.id)
    db.session.commit()
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
        stored = db.session.execute(final_minutes_query(meeting, columns)).first()
    sha256, digest, created_at = stored or ("", "", None)
    return FinalState(
        status=meeting.status,
        finalised_at=meeting.finalised_at,
        finalised_by=finalised_by.name if finalised_by else "",
        document_sha256=sha256,
        document_digest=digest,
        document_created_at=created_at,
    )
