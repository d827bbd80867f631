"""Rendering in the background, so a web worker never waits for WeasyPrint.

Asking for a PDF (`request_document`) builds the document's context and its
digest, which is cheap. A stored document with the same digest is served at
once: the cache holds until the content (or the templates) change. Otherwise
one RenderJob row is created (or an identical one already under way is
reused) and handed to an executor:

- by default a small thread pool inside the web process (one thread), which
  needs no other service;
- with `RAKOR_REDIS_URL` set, the RQ queue "rakor-documents" on Redis, worked by
  `rq worker -w app.reports.worker.DocumentWorker rakor-documents --url $RAKOR_REDIS_URL`,
  which calls
  `run_render_job(job_id)` with an app of its own;
- with `RAKOR_RENDER_SYNC` set (the CLI; the default under TESTING), right away
  in the caller.

The job row lives in the database, so whichever web worker answers the
progress poll sees the same progress, and whichever worker renders it.

A finalised meeting's minutes are different: the first render after
finalisation is archived (PDF/A-3b, `is_final`), and every later download
serves exactly those bytes; see finalise.py.
"""

import hashlib
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import Flask, current_app, has_app_context
from sqlalchemy import Select, delete, select, update

from app.audit import record
from app.extensions import db
from app.models import Meeting, MeetingDocument, User
from app.models.base import utcnow
from app.models.meeting import RenderJob
from app.reports.render import build_context, document_pdf
from app.reports.services import load_meeting

QUEUE_NAME = "rakor-documents"
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


def request_document(meeting_id: int, kind: str, actor: User | None) -> Ready | Pending:
    """The current document if it is stored, or the job that is rendering it."""
    meeting = load_meeting(meeting_id)
    frozen = is_frozen(meeting, kind)
    if frozen and (final := final_minutes(meeting)) is not None:
        return Ready(final, meeting.code)
    # A frozen record's digest cannot change any more: its job will archive it.
    _, digest = build_context(kind, meeting_id)
    if not frozen and (cached := cached_draft(meeting_id, kind, digest)) is not None:
        return Ready(cached, meeting.code)

    job = active_job(meeting, kind, digest)
    if job is None:
        job = new_job(meeting_id, kind, digest, actor)
        submit(job.id)
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


# --- executors -------------------------------------------------------------------------

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def thread_executor() -> ThreadPoolExecutor:
    """One rendering thread per web process, started on first use."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rakor-render")
        return _executor


def redis_url() -> str:
    return current_app.config.get("RAKOR_REDIS_URL") or os.environ.get("RAKOR_REDIS_URL", "")


def submit(job_id: int) -> None:
    app = current_app._get_current_object()
    # Tests render in the request unless they ask otherwise: no thread outlives a test.
    if app.config.get("RAKOR_RENDER_SYNC", app.testing):
        execute(job_id)
        return
    url = redis_url()
    if url:
        try:
            enqueue(url, job_id)
            return
        except Exception:  # Redis down: render here rather than never.
            log.exception("RQ enqueue failed; rendering job %s in a thread", job_id)
    thread_executor().submit(_run_in_thread, app, job_id)


def enqueue(url: str, job_id: int) -> None:
    from redis import Redis
    from rq import Queue

    queue = Queue(QUEUE_NAME, connection=Redis.from_url(url))
    queue.enqueue(
        "app.reports.jobs.run_render_job",
        job_id,
        job_timeout=int(STALE_AFTER.total_seconds()),
        result_ttl=0,
        failure_ttl=24 * 3600,
    )


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        execute(job_id)


def run_render_job(job_id: int) -> None:
    """The RQ entry point: `rq worker rakor-documents` calls this with the job's id.

    The worker has no Flask app of its own, so it makes one from the same
    environment as the web app (DATABASE_URL, SECRET_KEY...). Inside an app
    context (a test's SimpleWorker) that app is used.
    """
    if has_app_context():
        execute(job_id)
        return
    with worker_app().app_context():
        execute(job_id)


@cache
def worker_app() -> Flask:
    """The app of an RQ worker process, made once (app/reports/worker.py warms it up)."""
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


def execute(job_id: int) -> None:
    """Render the job's document and store it; a failure is kept on the job, never raised."""
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
        document = render_and_store(job, ProgressWriter(job_id))
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


def render_and_store(job: RenderJob, progress: ProgressWriter) -> MeetingDocument:
    meeting = load_meeting(job.meeting_id)
    frozen = is_frozen(meeting, job.kind)
    if frozen:
        existing = final_minutes(meeting)
        if existing is not None:
            return existing
    context, digest = build_context(job.kind, job.meeting_id)
    progress(20)
    pdf = document_pdf(context, digest=digest, archive=frozen, progress=progress)
    progress(97)
    return store_document(meeting, job.kind, digest, pdf, final=frozen, by_id=job.requested_by_id)


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
