"""Documents are rendered by a job: one RenderJob row, run by one of two executors.

Looking at a document (`current_document`, what a GET does) changes nothing: it
builds the document's context and its digest and answers with the stored PDF of
that digest, or the job already rendering it, or nothing. Making one
(`start_document`, what a POST and the CLI do) answers the same when there is
something, and otherwise creates one RenderJob row and hands the job the context:

- by default (the embedded set-up, and always from the CLI) it runs right away
  in the caller: the request or the command waits for the PDF, and no other
  process or service is needed;
- with `RAKOR_REDIS_URL` set, it goes to the RQ queue `RAKOR_DOCUMENT_QUEUE`
  ("rakor-documents"), worked by `rq worker rakor-documents --url $RAKOR_REDIS_URL`,
  which calls `run_render_job(job_id, context)` with an app of its own; the
  request answers with a progress page at once.

A stored draft with the same digest is served at once: the cache holds until the
content (or the templates) change. The job row lives in the database, so
whichever web worker answers the progress poll sees the same progress, and
whichever worker renders it.

A finalised meeting's final documents (domain.FINAL_KINDS: the minutes, the berita
acara, the laporan) are different: finalising builds their contexts and starts a
job for each (finalise.py); each job archives its PDF (PDF/A-3a, `is_final`), and
every later download serves exactly those bytes, or once it is signed its latest
signed version (app/signing/services.py `latest_version`), of which those bytes are
the unchanged beginning.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import Select, delete, select, update

from app.audit import record
from app.documents.context import load_meeting
from app.documents.render import build_context, document_pdf, final_pdf
from app.domain import FINAL_KINDS
from app.extensions import db
from app.models import Meeting, MeetingDocument, User
from app.models.base import utcnow
from app.models.meeting import RenderJob

# A job that has not finished in this time is taken for lost (a restarted worker).
STALE_AFTER = timedelta(minutes=10)
ACTIVE = ("queued", "running")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ready:
    document: MeetingDocument
    meeting_code: str


@dataclass(frozen=True)
class Pending:
    job: RenderJob


# --- looking at a document, and making one ---------------------------------------------


def current_document(meeting_id: int, kind: str) -> Ready | Pending | None:
    """The stored document, or the job rendering it, or None. Reads only."""
    meeting = load_meeting(meeting_id)
    if is_frozen(meeting, kind):
        return final_outcome(meeting, kind)
    _context, digest = build_context(kind, meeting_id)
    return draft_outcome(meeting, kind, digest)


def start_document(
    meeting_id: int, kind: str, actor: User | None, *, here: bool = False
) -> Ready | Pending:
    """The current document or the job under way, else a new job rendering it.

    `here` runs a new job in this process whatever the executor (the CLI waits anyway).
    """
    meeting = load_meeting(meeting_id)
    frozen = is_frozen(meeting, kind)
    if frozen:
        found = final_outcome(meeting, kind)
    else:
        context, digest = build_context(kind, meeting_id)
        found = draft_outcome(meeting, kind, digest)
    if found is not None and not has_failed(found):
        return found
    if frozen:
        # The job finalising started failed or was lost. The record cannot have
        # changed since (finalise.check_not_final); only reference data may have,
        # and this context takes it as it is now.
        context, digest = build_context(kind, meeting_id)
    expire_lost_jobs(meeting_id, kind)
    job = new_job(meeting_id, kind, digest, actor)
    submit(job.id, context, here=here)
    db.session.refresh(job)
    document = db.session.get(MeetingDocument, job.document_id) if job.document_id else None
    if job.status == "done" and document is not None:
        return Ready(document, meeting.code)
    return Pending(job)


def has_failed(outcome: Ready | Pending) -> bool:
    return isinstance(outcome, Pending) and job_state(outcome.job) == "failed"


def final_outcome(meeting: Meeting, kind: str) -> Ready | Pending | None:
    """The archived document, or the last job of this finalisation if it has not succeeded."""
    if (final := final_document(meeting, kind)) is not None:
        return Ready(final, meeting.code)
    query = latest_job(meeting.id, kind)
    if meeting.finalised_at is not None:
        query = query.where(RenderJob.created_at >= meeting.finalised_at)
    return unfinished(query)


def draft_outcome(meeting: Meeting, kind: str, digest: str) -> Ready | Pending | None:
    """The stored draft of this content, or the last job for it if it has not succeeded."""
    if (cached := cached_draft(meeting.id, kind, digest)) is not None:
        return Ready(cached, meeting.code)
    return unfinished(latest_job(meeting.id, kind).where(RenderJob.source_digest == digest))


def latest_job(meeting_id: int, kind: str) -> Select:
    return (
        select(RenderJob)
        .where(RenderJob.meeting_id == meeting_id, RenderJob.kind == kind)
        .order_by(RenderJob.id.desc())
        .limit(1)
    )


def unfinished(query: Select) -> Pending | None:
    """The job, still under way or failed; None when there is none or it is done."""
    job = db.session.scalar(query)
    return Pending(job) if job is not None and job.status != "done" else None


def cached_draft(meeting_id: int, kind: str, digest: str) -> MeetingDocument | None:
    return db.session.scalar(
        select(MeetingDocument)
        .where(
            MeetingDocument.meeting_id == meeting_id,
            MeetingDocument.kind == kind,
            MeetingDocument.source_digest == digest,
            MeetingDocument.is_final.is_(False),
        )
        .order_by(MeetingDocument.id.desc())
        .limit(1)
    )


def is_frozen(meeting: Meeting, kind: str) -> bool:
    return kind in FINAL_KINDS and meeting.status == "finalised"


def final_document(meeting: Meeting, kind: str) -> MeetingDocument | None:
    """The archived document of the meeting's current finalisation (the newest one)."""
    return db.session.scalar(final_document_query(meeting, kind, select(MeetingDocument)))


def final_document_query(meeting: Meeting, kind: str, query: Select) -> Select:
    query = query.where(
        MeetingDocument.meeting_id == meeting.id,
        MeetingDocument.kind == kind,
        MeetingDocument.is_final.is_(True),
    )
    if meeting.finalised_at is not None:
        query = query.where(MeetingDocument.created_at >= meeting.finalised_at)
    return query.order_by(MeetingDocument.created_at.desc(), MeetingDocument.id.desc()).limit(1)


def job_state(job: RenderJob) -> str:
    """The job's status as a page shows it: a lost job is a failed one."""
    if job.status in ACTIVE and job.created_at < utcnow() - STALE_AFTER:
        return "failed"
    return job.status


def expire_lost_jobs(meeting_id: int, kind: str) -> None:
    """Mark the document's lost jobs failed, so that a late worker leaves them alone."""
    db.session.execute(
        update(RenderJob)
        .where(
            RenderJob.meeting_id == meeting_id,
            RenderJob.kind == kind,
            RenderJob.status.in_(ACTIVE),
            RenderJob.created_at < utcnow() - STALE_AFTER,
        )
        .values(status="failed", error="timeout", finished_at=utcnow())
    )
    db.session.commit()


def add_job(meeting_id: int, kind: str, digest: str, actor: User | None) -> RenderJob:
    """A queued job in the caller's transaction."""
    job = RenderJob(
        meeting_id=meeting_id,
        kind=kind,
        source_digest=digest,
        status="queued",
        progress=0,
        requested_by_id=actor.id if actor else None,
        created_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    return job


def new_job(meeting_id: int, kind: str, digest: str, actor: User | None) -> RenderJob:
    job = add_job(meeting_id, kind, digest, actor)
    db.session.commit()
    return job


# --- the two executors: this process, or RQ ---------------------------------------------


def submit(job_id: int, context: Any, *, here: bool = False) -> None:
    """Run the job right away in this process, or hand it to RQ when Redis is configured."""
    if here or not current_app.config["RAKOR_REDIS_URL"]:
        execute(job_id, context)
    else:
        enqueue(job_id, context)


def enqueue(job_id: int, context: Any) -> None:
    """Put the job on the RQ queue; with Redis down, render here rather than never."""
    from redis import Redis
    from rq import Queue

    config = current_app.config
    try:
        queue = Queue(
            config["RAKOR_DOCUMENT_QUEUE"], connection=Redis.from_url(config["RAKOR_REDIS_URL"])
        )
        queue.enqueue(
            run_render_job,
            job_id,
            context,
            job_timeout=int(STALE_AFTER.total_seconds()),
            result_ttl=0,
            failure_ttl=24 * 3600,
        )
    except Exception:
        log.exception("RQ enqueue failed; rendering job %s here", job_id)
        execute(job_id, context)


def run_render_job(job_id: int, context: Any) -> None:
    """What an RQ worker runs (`rq worker rakor-documents`).

    The worker has no Flask app of its own, so it makes one from the same
    environment as the web app (DATABASE_URL, SECRET_KEY...). Inside an app
    context (a test's SimpleWorker) that app is used.
    """
    if has_app_context():
        execute(job_id, context)
        return
    with worker_app().app_context():
        execute(job_id, context)


@cache
def worker_app() -> Flask:
    from app import create_app

    return create_app()


# --- the job itself --------------------------------------------------------------------


class ProgressWriter:
    """Writes a job's progress, at most every half second (the page polls every second)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last_value = 0
        self.last_time = 0.0

    def __call__(self, value: int) -> None:
        value = max(0, min(int(value), 99))
        now = time.monotonic()
        if value <= self.last_value or (now - self.last_time < 0.5 and value < 95):
            return
        self.last_value, self.last_time = value, now
        this_job = RenderJob.id == self.job_id
        db.session.execute(update(RenderJob).where(this_job).values(progress=value))
        db.session.commit()


def execute(job_id: int, context: Any) -> None:
    """Render the job's document from `context` and store it; a failure is kept on the job."""
    claimed = db.session.execute(
        update(RenderJob)
        .where(RenderJob.id == job_id, RenderJob.status == "queued")
        .values(status="running", started_at=utcnow(), progress=5)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return  # already taken by another worker, or gone
    job = db.session.get(RenderJob, job_id)
    try:
        document = render_and_store(job, context, ProgressWriter(job_id))
        job.document_id = document.id
        job.status = "done"
        job.progress = 100
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as error:
        log.exception("rendering job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(RenderJob, job_id)
        if job is None:  # the row is gone (the meeting was deleted meanwhile)
            return
        job.status = "failed"
        job.error = f"{type(error).__name__}: {error}"[:1000]
        job.finished_at = utcnow()
        db.session.commit()


def render_and_store(job: RenderJob, context: Any, progress: ProgressWriter) -> MeetingDocument:
    meeting = load_meeting(job.meeting_id)
    # The final documents of a finalised meeting are archived, once per finalisation.
    frozen = job.kind in FINAL_KINDS and context.meeting.is_final
    finalised_at = meeting.finalised_at
    reopened = meeting.status != "finalised" or (finalised_at and job.created_at < finalised_at)
    if frozen and reopened:
        # Queued for an earlier finalisation and run late: the record was reopened since,
        # and its content then may have been corrected. Never archived as final.
        raise RuntimeError("the record was reopened after this job was queued")
    if frozen and (existing := final_document(meeting, job.kind)) is not None:
        return existing
    progress(20)
    signature_area = ""
    if frozen:
        pdf, signature_area = archived_pdf(job, context, progress)
    else:
        pdf = document_pdf(context, digest=job.source_digest, progress=progress)
    progress(97)
    return store_document(
        meeting,
        job.kind,
        job.source_digest,
        pdf,
        final=frozen,
        by_id=job.requested_by_id,
        signature_area=signature_area,
    )


def archived_pdf(job: RenderJob, context: Any, progress: ProgressWriter) -> tuple[bytes, str]:
    """The final document's PDF/A, with room for its signers' stamps, and where that is."""
    # Imported here: app.signing's package loads its pages, whose services use this
    # module, and app.documents is loaded first (app/__init__.py).
    from app.signing.area import Area, area_height_mm, area_text, signer_count

    count = signer_count(job.kind, context)
    if count == 0:
        pdf = document_pdf(context, digest=job.source_digest, archive=True, progress=progress)
        return pdf, ""
    placed = final_pdf(
        context,
        digest=job.source_digest,
        signature_area_mm=area_height_mm(count),
        progress=progress,
    )
    area = Area(placed.page, placed.x1, placed.y1, placed.x2, placed.y2)
    return placed.pdf, area_text(area)


def store_document(
    meeting: Meeting,
    kind: str,
    digest: str,
    pdf: bytes,
    *,
    final: bool,
    by_id: int | None,
    signature_area: str = "",
) -> MeetingDocument:
    """Keep the PDF with the SHA-256 of its bytes; a new draft replaces the older drafts.

    `signature_area` (a final document's) is where its signatures' stamps go.
    """
    document = MeetingDocument(
        meeting_id=meeting.id,
        kind=kind,
        source_digest=digest,
        sha256=hashlib.sha256(pdf).hexdigest(),
        content=pdf,
        is_final=final,
        created_by_id=by_id,
        signature_area=signature_area,
    )
    db.session.add(document)
    db.session.flush()
    if final:
        actor = db.session.get(User, by_id) if by_id else None
        record(
            actor,
            "archive",
            document,
            after={"kind": kind, "sha256": document.sha256, "source_digest": digest},
            meeting_id=meeting.id,
        )
    else:
        discard_older_drafts(meeting.id, kind, keep=document.id)
    return document


def discard_older_drafts(meeting_id: int, kind: str, keep: int) -> None:
    older = select(MeetingDocument.id).where(
        MeetingDocument.meeting_id == meeting_id,
        MeetingDocument.kind == kind,
        MeetingDocument.is_final.is_(False),
        MeetingDocument.id != keep,
    )
    ids = list(db.session.scalars(older))
    if not ids:
        return
    db.session.execute(
        update(RenderJob).where(RenderJob.document_id.in_(ids)).values(document_id=None)
    )
    db.session.execute(delete(MeetingDocument).where(MeetingDocument.id.in_(ids)))
