"""Share links: a final document opened by whoever holds its link, without an account.

A link is a bearer token (`secrets.token_urlsafe(24)`, 192 random bits) naming a
meeting and a kind of final document, not one file: it serves the newest final
document of that kind from the meeting's current finalisation. While an admin has
the record reopened (or a new finalisation's document is still being rendered) the
link answers that the document is being corrected, and it serves the new final
document once there is one. A revoked link answers exactly as a token that never
existed. Making and revoking a link are audited; the audit line keeps the first
characters of the token only, enough to tell links apart, not to open one.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.audit import record
from app.documents import jobs
from app.documents.context import load_meeting
from app.domain import DOCUMENT_LABELS, FINAL_KINDS
from app.extensions import db
from app.models import Meeting, MeetingDocument, User
from app.models.base import utcnow
from app.models.meeting import ShareLink
from app.services import Refused, transaction

TOKEN_BYTES = 24
# What token_urlsafe makes, with room for longer tokens later; anything else is not
# looked up at all (a NUL or a megabyte of text never reaches the database).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The audit log names a link by this many characters of its token.
AUDIT_TOKEN_PREFIX = 6


@dataclass(frozen=True)
class LinkRow:
    """One line of the share page."""

    id: int
    kind: str
    label: str
    token: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str
    serving: bool  # opens a document right now

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class SharePage:
    meeting: Meeting
    links: list[LinkRow]
    finals: dict[str, MeetingDocument]  # kind -> the final document a new link would serve


@dataclass(frozen=True)
class Shared:
    document: MeetingDocument
    meeting_code: str


@dataclass(frozen=True)
class BeingCorrected:
    """The link is valid, but its meeting has no final document of that kind right now."""


# --- which document a link serves ----------------------------------------------------------


def final_document(meeting: Meeting, kind: str) -> MeetingDocument | None:
    """The newest final document of `kind` from the meeting's current finalisation.

    None while the meeting is not finalised (never finalised, or reopened), and while
    a new finalisation's document is not rendered yet: a link never serves a document
    that a reopen set aside.
    """
    if meeting.status != "finalised":
        return None
    return jobs.final_document(meeting, kind)


def final_documents(meeting: Meeting) -> dict[str, MeetingDocument]:
    found = {kind: final_document(meeting, kind) for kind in FINAL_KINDS}
    return {kind: document for kind, document in found.items() if document is not None}


def shared_document(token: str) -> Shared | BeingCorrected | None:
    """What /d/<token> serves; None for a token that is unknown or revoked (alike)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    link = db.session.scalar(select(ShareLink).where(ShareLink.token == token))
    if link is None or link.revoked_at is not None:
        return None
    meeting = db.session.get(Meeting, link.meeting_id)
    document = final_document(meeting, link.kind)
    if document is None:
        return BeingCorrected()
    return Shared(document, meeting.code)


# --- the staff page ----------------------------------------------------------------------


def share_page(meeting_id: int) -> SharePage:
    meeting = load_meeting(meeting_id)
    finals = final_documents(meeting)
    created_by, revoked_by = aliased(User), aliased(User)
    rows = db.session.execute(
        select(ShareLink, created_by.name, revoked_by.name)
        .outerjoin(created_by, created_by.id == ShareLink.created_by_id)
        .outerjoin(revoked_by, revoked_by.id == ShareLink.revoked_by_id)
        .where(ShareLink.meeting_id == meeting_id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    ).all()
    links = [
        LinkRow(
            id=link.id,
            kind=link.kind,
            label=str(DOCUMENT_LABELS[link.kind]),
            token=link.token,
            created_at=link.created_at,
            created_by=creator or "",
            revoked_at=link.revoked_at,
            revoked_by=revoker or "",
            serving=link.revoked_at is None and link.kind in finals,
        )
        for link, creator, revoker in rows
    ]
    return SharePage(meeting=meeting, links=links, finals=finals)


# --- making and revoking a link --------------------------------------------------------------


@transaction
def create_link(meeting_id: int, kind: str, actor: User) -> ShareLink:
    """A new link to the meeting's final document of `kind`; refused while there is none."""
    if kind not in FINAL_KINDS:
        raise Refused("kind", _l("Pilih dokumen final yang akan dibagikan."), field="kind")
    meeting = load_meeting(meeting_id)
    document = final_document(meeting, kind)
    if document is None:
        raise Refused(
            "no_final_document",
            _l(
                "Belum ada %(document)s final untuk rapat ini. Tautan dapat dibuat setelah "
                "notulen difinalkan dan PDF finalnya tersimpan.",
                document=DOCUMENT_LABELS[kind],
            ),
            field="kind",
        )
    link = ShareLink(
        meeting_id=meeting.id,
        kind=kind,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        created_at=utcnow(),
        created_by_id=actor.id,
    )
    db.session.add(link)
    db.session.flush()
    after = {"kind": kind, "token": audit_token(link.token), "document_sha256": document.sha256}
    record(actor, "share", link, after=after, meeting_id=meeting.id)
    return link


@transaction
def revoke_link(meeting_id: int, link_id: int, actor: User) -> ShareLink:
    """The link stops working at once, for good; revoking it twice is refused."""
    link = db.session.get(ShareLink, link_id)
    if link is None or link.meeting_id != meeting_id:
        raise Refused("not_found", _l("Tautan tidak ditemukan."))
    if link.revoked_at is not None:
        raise Refused("already_revoked", _l("Tautan ini sudah dicabut."))
    link.revoked_at = utcnow()
    link.revoked_by_id = actor.id
    record(
        actor,
        "revoke",
        link,
        before={"revoked_at": None},
        after={
            "kind": link.kind,
            "token": audit_token(link.token),
            "revoked_at": link.revoked_at.isoformat(),
        },
        meeting_id=meeting_id,
    )
    return link


def audit_token(token: str) -> str:
    return token[:AUDIT_TOKEN_PREFIX] + "…"
