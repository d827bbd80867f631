"""Finalising the minutes freezes the meeting's record; only an admin may reopen it.

Finalising is a checked step. `readiness` lists what blocks it (no chair or
note-taker name, a NIP that is not 18 digits, no conclusions, a meeting not yet
closed: the signed minutes cannot lack them) and what deserves a look (inputs not
reviewed, nobody checked in, follow-ups without agency or deadline, agenda items
without discussion); the finalising transaction checks the blockers again.

Finalising sets the meeting's status to "finalised" and is audited, and gives the
meeting its document numbers (numbering.py, dated by the city's calendar). From
then on every service that changes the meeting's content (inputs and their
decisions, pillars, notes, merges, follow-ups as printed, agenda, texts,
attendance, the meeting's own data) first calls `check_not_final`, which refuses
with one message; an admin's audited reopen (`reopen_minutes`) unlocks the record
again. The progress of a follow-up (its status and progress note) is the one
thing that keeps moving: agencies report it until the next meeting evaluates it.

The final PDFs (ARCHIVED_KINDS: the minutes, the berita acara, the laporan) are
built from the record as it is at the moment of finalising: each document's
context (plain data, with pillar, agency and letterhead names already resolved)
is built inside the finalising transaction and handed to a render job of its own
(jobs.py), so a later change of reference data, or a slow queue, cannot reach it.
Each job archives its PDF as PDF/A-3a with the SHA-256 of its bytes; every later
download serves those bytes unchanged, with that hash in the `X-Content-SHA256`
header, until the document is signed: from then on the latest signed version, an
incremental update that keeps those bytes as its beginning (docs/SIGNING.md).

Which hash is printed where: a file cannot contain its own hash, so the footer
of the final PDF prints the *content digest* (the SHA-256 of the frozen context
and the templates, `MeetingDocument.source_digest`), while the SHA-256 of the
PDF file (`MeetingDocument.sha256`) is shown on the minutes page, sent as a
header and written in the audit log.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, text

from app.audit import record, snapshot
from app.documents import jobs
from app.documents.context import load_meeting
from app.documents.numbering import issue_numbers
from app.documents.render import build_context
from app.domain import FINAL_KINDS
from app.extensions import db
from app.forms import nip_digits
from app.models import AgendaItem, Attendee, FollowUp, Meeting, MeetingDocument, Submission, User
from app.models.base import utcnow
from app.services import Refused, transaction

FINAL_FIELDS = ("status", "finalised_at", "finalised_by_id")
REOPEN_REASON_MAX = 1000
# The documents archived at finalisation: each one's context is built in the finalising
# transaction and rendered by a job of its own into a final (PDF/A-3a) document.
ARCHIVED_KINDS: tuple[str, ...] = FINAL_KINDS


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


# --- what a finalisation needs: the checks ------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing the finalise page lists, with the page where it is put right.

    `endpoint` and `args` make the link (the view or template calls url_for with the
    meeting's id added); `anchor` is the section of that page.
    """

    code: str
    message: str
    endpoint: str
    anchor: str = ""
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Readiness:
    status: str
    blockers: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def ready(self) -> bool:
        return self.status == "closed" and not self.blockers


def blockers(meeting: Meeting) -> list[Finding]:
    """What the signed minutes cannot lack: who signs them, with a valid NIP where one is
    given, and what the meeting concluded, on a meeting that is over."""
    found = []
    if meeting.status in ("draft", "open"):
        found.append(Finding("not_closed", str(_l("Rapat belum ditutup.")), "meetings.show"))
    people = (
        ("chair", meeting.chair_name, meeting.chair_nip,
         _l("Nama pimpinan rapat belum diisi."),
         _l("NIP pimpinan rapat harus 18 angka, misalnya 19850312 201001 2 015.")),
        ("notetaker", meeting.notetaker_name, meeting.notetaker_nip,
         _l("Nama notulis belum diisi."),
         _l("NIP notulis harus 18 angka, misalnya 19850312 201001 2 015.")),
    )  # fmt: skip
    for who, name, nip, no_name, bad_nip in people:
        if not (name or "").strip():
            found.append(Finding(f"no_{who}", str(no_name), "meetings.edit", f"{who}_name"))
        # An elected official (the Wali Kota) has no NIP: an empty one signs without it.
        if (nip or "").strip() and nip_digits(nip) is None:
            found.append(Finding(f"bad_{who}_nip", str(bad_nip), "meetings.edit", f"{who}_nip"))
    if not (meeting.conclusions or "").strip():
        message = str(_l("Kesimpulan rapat belum diisi."))
        found.append(Finding("no_conclusions", message, "minutes.edit", "isi"))
    return found


def warnings(meeting: Meeting) -> list[Finding]:
    """What a careful note-taker looks at once more, though it does not stop finalising."""
    found = []
    unreviewed = db.session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.meeting_id == meeting.id, Submission.status == "received")
    )
    if unreviewed:
        found.append(
            Finding(
                "unreviewed",
                str(_l("%(count)d masukan belum ditinjau (masih berstatus diterima).",
                       count=unreviewed)),
                "review.queue",
                args={"status": "received"},
            )
        )  # fmt: skip
    checked_in = db.session.scalar(
        select(
            exists().where(Attendee.meeting_id == meeting.id, Attendee.checked_in_at.is_not(None))
        )
    )
    if not checked_in:
        message = str(_l("Belum ada peserta yang tercatat hadir (check-in)."))
        found.append(Finding("no_check_in", message, "attendance.desk"))
    incomplete = db.session.scalar(
        select(func.count())
        .select_from(FollowUp)
        .where(
            FollowUp.meeting_id == meeting.id,
            FollowUp.status != "cancelled",
            or_(FollowUp.agency_id.is_(None), FollowUp.deadline.is_(None)),
        )
    )
    if incomplete:
        message = str(
            _l("%(count)d tindak lanjut belum punya penanggung jawab atau tenggat.",
               count=incomplete)
        )  # fmt: skip
        found.append(Finding("follow_up_incomplete", message, "minutes.edit", "tindak-lanjut"))
    for who, name, nip, message in (
        ("chair", meeting.chair_name, meeting.chair_nip,
         _l("NIP pimpinan rapat tidak diisi: tanda tangannya dicetak tanpa NIP (benar bagi "
            "pejabat yang bukan ASN, seperti Wali Kota).")),
        ("notetaker", meeting.notetaker_name, meeting.notetaker_nip,
         _l("NIP notulis tidak diisi: tanda tangannya dicetak tanpa NIP.")),
    ):  # fmt: skip
        if (name or "").strip() and not (nip or "").strip():
            found.append(Finding(f"no_{who}_nip", str(message), "meetings.edit", f"{who}_nip"))
    discussions = db.session.scalars(
        select(AgendaItem.discussion).where(AgendaItem.meeting_id == meeting.id)
    )
    undiscussed = sum(1 for text_ in discussions if not (text_ or "").strip())
    if undiscussed:
        message = str(
            _l("%(count)d susunan acara belum punya catatan pembahasan.", count=undiscussed)
        )
        found.append(Finding("no_discussion", message, "minutes.edit", "isi"))
    return found


def readiness(meeting_id: int) -> Readiness:
    """Everything the finalise page lists: what blocks finalising and what is worth a look."""
    meeting = load_meeting(meeting_id)
    return Readiness(meeting.status, tuple(blockers(meeting)), tuple(warnings(meeting)))


def refuse_if_blocked(meeting: Meeting) -> None:
    found = blockers(meeting)
    if meeting.status == "closed" and not found:
        return
    if not found:  # finalised already: check_not_final has said so; anything else
        raise Refused("not_closed", _l("Notulen baru dapat difinalkan setelah rapat ditutup."))
    message = _l(
        "Notulen belum dapat difinalkan: %(reasons)s",
        reasons=" ".join(finding.message for finding in found),
    )
    raise Refused("incomplete", message, blockers=tuple(found))


def today_here(now: datetime | None = None) -> date:
    """The date on the city's calendar (RAKOR_TIMEZONE), the one a document number carries."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    moment = now or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


# --- finalising and reopening ------------------------------------------------------------


def finalise_minutes(meeting_id: int, actor: User, now: datetime | None = None) -> Meeting:
    """Freeze the record, then render the final PDFs from the record as it was frozen."""
    meeting, started = freeze_record(meeting_id, actor, now)
    for job_id, context in started:
        jobs.submit(job_id, context)
    return meeting


@transaction
def freeze_record(
    meeting_id: int, actor: User, now: datetime | None
) -> tuple[Meeting, list[tuple[int, Any]]]:
    """The status change, its audit line, the numbers, and each final document's context
    and render job, at once."""
    check_not_final(meeting_id)  # also locks the row: no change is half-way in
    meeting = load_meeting(meeting_id)
    refuse_if_blocked(meeting)
    before = snapshot(meeting, FINAL_FIELDS)
    meeting.status = "finalised"
    meeting.finalised_at = now or utcnow()
    meeting.finalised_by_id = actor.id
    record(
        actor, "finalise", meeting, before=before, after=snapshot(meeting, FINAL_FIELDS),
        meeting_id=meeting.id,
    )  # fmt: skip
    db.session.flush()
    issue_numbers(meeting_id, actor, when=today_here(meeting.finalised_at))
    started = []
    for kind in ARCHIVED_KINDS:
        context, digest = build_context(kind, meeting_id)
        job = jobs.add_job(meeting_id, kind, digest, actor)
        # Never before the finalisation it belongs to, whatever `now` says.
        job.created_at = max(job.created_at, meeting.finalised_at)
        started.append((job.id, context))
    return meeting, started


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
        stored = db.session.execute(jobs.final_document_query(meeting, "minutes", columns)).first()
    sha256, digest, created_at = stored or ("", "", None)
    return FinalState(
        status=meeting.status,
        finalised_at=meeting.finalised_at,
        finalised_by=finalised_by.name if finalised_by else "",
        document_sha256=sha256,
        document_digest=digest,
        document_created_at=created_at,
    )
