"""Documents are rendered by a job: one RenderJob row, run by one of two executors.

Asking for a PDF (`request_document`) builds the document's context and its
digest once. A stored document with the same digest is served at once: the
cache holds until the content (or the templates) change. Otherwise one
RenderJob row is created (or an identical one already under way is reused) and
the job is handed the context:

- by default (the embedded set-up, and always from the CLI) it runs right away
  in the caller: the request or the command waits for the PDF, and no other
  process or service is needed;
- with `RAKOR_REDIS_URL` set, it goes to the RQ queue `RAKOR_DOCUMENT_QUEUE`
  ("rakor-documents"), worked by `rq worker rakor-documents --url $RAKOR_REDIS_URL`,
  which calls `run_render_job(job_id, context)` with an app of its own; the
  request answers with a progress page at once.

The job row lives in the database, so whichever web worker answers the
progress poll sees the same progress, and whichever worker renders it.

A finalised meeting's minutes are different: the first render after
finalisation is archived (PDF/A-3b, `is_final`), and every later download
serves exactly those bytes; see finalise.py.
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
from app.documents.render import build_context, document_pdf
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


# --- asking for a document -----------------------------------------------------------


def request_document(
    meeting_id: int, kind: str, actor: User | None, *, here: bool = False
) -> Ready | Pending:
    """The current document if it is stored, or the job that is rendering it.

    `here` runs a new job in this process whatever the executor (the CLI waits anyway).
    """
    meeting = load_meeting(meeting_id)
    frozen = is_frozen(meeting, kind)
    if frozen and (final := final_minutes(meeting)) is not None:
        return Ready(final, meeting.code)
    # A frozen record's digest cannot change any more: its job will archive it.
    context, digest = build_context(kind, meeting_id)
    if not frozen and (cached := cached_draft(meeting_id, kind, digest)) is not None:
        return Ready(cached, meeting.code)

    job = active_job(meeting, kind, digest)
    if job is None:
        job = new_job(meeting_id, kind, digest, actor)
        submit(job.id, context, here=here)
        db.session.refresh(job)
    if job.status == "done" and job.document_id is not None:
        document = db.session.get(MeetingDocument, job.document_id)
        if document is not None:
            return Ready(document, meeting.code)
    return Pending(job)


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
    return kind == "minutes" and meeting.status == "finalised"


def final_minutes(meeting: Meeting) -> MeetingDocument | None:
    """The archived minutes of the meeting's current finalisation (the newest one)."""
    return db.session.scalar(final_minutes_query(meeting, select(MeetingDocument)))


def final_minutes_query(meeting: Meeting, query: Select) -> Select:
    query = query.where(
        MeetingDocument.meeting_id == meeting.id,
        MeetingDocument.kind == "minutes",
        MeetingDocument.is_final.is_(True),
    )
    if meeting.finalised_at is not None:
        query = query.where(MeetingDocument.created_at >= meeting.finalised_at)
    return query.order_by(MeetingDocument.created_at.desc(), MeetingDocument.id.desc()).limit(1)


def active_job(meeting: Meeting, kind: str, digest: str) -> RenderJob | None:
    """A job for the same content that is still queued or running, if not lost."""
    now = utcnow()
    query = select(RenderJob).where(
        RenderJob.meeting_id == meeting.id,
        RenderJob.kind == kind,
        RenderJob.source_digest == digest,
        RenderJob.status.in_(ACTIVE),
    )
    if is_frozen(meeting, kind) and meeting.finalised_at is not None:
        query = query.where(RenderJob.created_at >= meeting.finalised_at)
    for job in db.session.scalars(query.order_by(RenderJob.id.desc())):
        if job.created_at >= now - STALE_AFTER:
            return job
        job.status = "failed"
        job.error = "timeout"
        job.finished_at = now
    db.session.commit()
    return None


def new_job(meeting_id: int, kind: str, digest: str, actor: User | None) -> RenderJob:
    job = RenderJob(
        meeting_id=meeting_id,
        kind=kind,
        source_digest=digest,
        status="queued",
        progress=0,
        requested_by_id=actor.id if actor else None,
    )
    db.session.add(job)
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
    # The minutes of a finalised meeting are archived, once per finalisation.
    frozen = job.kind == "minutes" and context.meeting.is_final
    if frozen and (existing := final_minutes(meeting)) is not None:
        return existing
    progress(20)
    pdf = document_pdf(context, digest=job.source_digest, archive=frozen, progress=progress)
    progress(97)
    return store_document(
        meeting, job.kind, job.source_digest, pdf, final=frozen, by_id=job.requested_by_id
    )


def store_document(
    meeting: Meeting, kind: str, digest: str, pdf: bytes, *, final: bool, by_id: int | None
) -> MeetingDocument:
    """Keep the PDF with the SHA-256 of its bytes; a new draft replaces the older drafts."""
    document = MeetingDocument(
        meeting_id=meeting.id,
        kind=kind,
        source_digest=digest,
        sha256=hashlib.sha256(pdf).hexdigest(),
        content=pdf,
        is_final=final,
        created_by_id=by_id,
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
