"""Finalising the minutes freezes the meeting's record; only an admin may reopen it.

Finalising sets the meeting's status to "finalised" (the editing screens refuse
changes from then on) and is audited. The final PDF is then rendered once, by
a job like any document (jobs.py), archived as PDF/A-3b and stored
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

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import record, snapshot
from app.documents.context import load_meeting
from app.documents.jobs import final_minutes_query
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


@transaction
def finalise_minutes(meeting_id: int, actor: User, now: datetime | None = None) -> Meeting:
    meeting = load_meeting(meeting_id)
    if meeting.status == "finalised":
        raise Refused("already_final", _l("Notulen ini sudah final."))
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
    return meeting


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
