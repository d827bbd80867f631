"""Documents as jobs, the cache, and the frozen record.

- a GET serves a stored PDF or shows a page; only a POST (the button) starts a job;
- by default a job runs right away in the request that asks for the PDF;
- with RAKOR_REDIS_URL it goes to an RQ queue: the request gets a progress page (202)
  polled by JS, an RQ worker renders, then the PDF is served;
- a stored PDF is served until the content changes;
- finalising freezes the minutes: rendered once, from the record as it was finalised,
  as PDF/A-3a, stored with its SHA-256, served unchanged ever after; reopening needs
  an admin and a reason, both audited.
"""

import hashlib
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Meeting, MeetingDocument
from app.models.meeting import RenderJob
from tests.helpers import (
    build_record,
    csrf_from,
    get_pdf,
    hidden_value,
    make_pdf,
    pdf_reader,
    pdf_text,
    squeeze,
)


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def set_opening(app, meeting_id: int, text: str) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).opening = text
        db.session.commit()


# --- the embedded default: the job runs in the request -----------------------------------


def test_pdf_is_cached_until_the_content_changes(app, login, make_meeting):
    record = build_record(app, make_meeting)
    client = login("secretariat")
    url = f"/admin/meetings/{record.meeting_id}/minutes.pdf"
    first = make_pdf(client, url).data
    assert get_pdf(login("viewer"), url).data == first
    assert make_pdf(client, url).data == first
    assert count(app, RenderJob) == 1, "the second download came from the cache"

    set_opening(app, record.meeting_id, "Pembukaan yang sudah diperbaiki.")
    changed = make_pdf(client, url).data
    assert changed != first
    assert "Pembukaan yang sudah diperbaiki." in pdf_text(changed)
    assert count(app, RenderJob) == 2
    # The outdated draft is discarded; one draft per document is kept.
    assert count(app, MeetingDocument, MeetingDocument.kind == "minutes") == 1


def test_evaluation_is_cached_apart_from_the_minutes(app, login, make_meeting):
    record = build_record(app, make_meeting)
    client = login("secretariat")
    make_pdf(client, f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    make_pdf(client, f"/admin/meetings/{record.meeting_id}/evaluation.pdf")
    make_pdf(client, f"/admin/meetings/{record.meeting_id}/evaluation.pdf")
    assert count(app, MeetingDocument) == 2
    assert count(app, RenderJob) == 2


def test_a_failed_render_is_reported_and_retried(app, login, make_meeting, monkeypatch):
    from app.documents import jobs

    record = build_record(app, make_meeting)

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint tidak tersedia")

    monkeypatch.setattr(jobs, "document_pdf", broken)
    client = login("secretariat")
    page = make_pdf(client, f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Gagal membuat PDF" in html and "Buat PDF" in html
    with app.app_context():
        job = db.session.scalar(select(RenderJob))
        assert job.status == "failed" and "WeasyPrint tidak tersedia" in job.error
    status = client.get(f"/admin/meetings/{record.meeting_id}/jobs/{job.id}.json").get_json()
    assert status["status"] == "failed"

    monkeypatch.undo()
    make_pdf(client, f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    assert count(app, RenderJob, RenderJob.status == "done") == 1


def test_job_status_belongs_to_its_meeting(app, login, make_meeting):
    record = build_record(app, make_meeting)
    other = make_meeting(code="rakor-lain")
    make_pdf(login("secretariat"), f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    client = login("viewer")
    with app.app_context():
        job_id = db.session.scalar(select(RenderJob.id))
    assert client.get(f"/admin/meetings/{other.id}/jobs/{job_id}.json").status_code == 404
    assert client.get(f"/admin/meetings/{record.meeting_id}/jobs/999.json").status_code == 404
    assert client.get(f"/admin/meetings/{record.meeting_id}/jobs/{job_id}.json").status_code == 200


def test_a_lost_job_is_replaced(app, login, make_meeting):
    """A job that never finished (its worker died) is not waited on forever."""
    from datetime import timedelta

    from app.documents.render import build_context
    from app.models.base import utcnow

    record = build_record(app, make_meeting)
    with app.app_context():
        _, digest = build_context("minutes", record.meeting_id)
        db.session.add(
            RenderJob(
                meeting_id=record.meeting_id, kind="minutes", source_digest=digest,
                status="running", progress=40, created_at=utcnow() - timedelta(hours=1),
            )
        )  # fmt: skip
        db.session.commit()
    url = f"/admin/meetings/{record.meeting_id}/minutes.pdf"
    page = login("viewer").get(url)
    assert page.status_code == 200 and "Gagal membuat PDF" in page.get_data(as_text=True)
    make_pdf(login("secretariat"), url)
    with app.app_context():
        statuses = sorted(db.session.scalars(select(RenderJob.status)))
    assert statuses == ["done", "failed"]


# --- RQ on Redis ---------------------------------------------------------------------------


def poll(client, meeting_id: int, job_id: int) -> dict:
    return client.get(f"/admin/meetings/{meeting_id}/jobs/{job_id}.json").get_json()


def test_with_redis_the_request_gets_a_progress_page_and_a_worker_renders(
    app, login, make_meeting, rq_queue
):
    from rq import SimpleWorker

    record = build_record(app, make_meeting)
    client = login("secretariat")
    url = f"/admin/meetings/{record.meeting_id}/evaluation.pdf"
    page = make_pdf(client, url)
    assert page.status_code == 202
    html = page.get_data(as_text=True)
    assert "<progress" in html and 'max="100"' in html
    assert "js/render-progress.js" in html and "<script>" not in html
    assert "Muat ulang" in html and 'http-equiv="refresh"' not in html
    job_id = int(re.search(r'data-poll-url="[^"]*/jobs/(\d+)\.json"', html).group(1))
    assert poll(client, record.meeting_id, job_id)["status"] == "queued"
    # A second click while it waits joins the same job; a viewer sees its progress.
    assert make_pdf(client, url).status_code == 202
    assert login("viewer").get(url).status_code == 202
    assert rq_queue.count == 1, "the web process only enqueued the job"

    with app.app_context():
        assert SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)
    status = poll(client, record.meeting_id, job_id)
    assert status["status"] == "done" and status["progress"] == 100
    assert status["done_url"] == url
    assert rq_queue.count == 0 and count(app, RenderJob) == 1
    assert "6,94" in pdf_text(get_pdf(client, url).data)


def test_without_redis_reachable_the_request_renders(app, login, make_meeting):
    app.config["RAKOR_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    record = build_record(app, make_meeting)
    data = make_pdf(login("secretariat"), f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    assert "Selasa, 23 Januari 2024" in pdf_text(data)


# --- finalising --------------------------------------------------------------------------


final_minutes = MeetingDocument.is_final.is_(True) & (MeetingDocument.kind == "minutes")


def finalise(client, meeting_id: int):
    token = csrf_from(client, f"/admin/meetings/{meeting_id}/minutes")
    return client.post(f"/admin/meetings/{meeting_id}/finalise", data={"csrf_token": token})


def reopen(client, meeting_id: int, reason: str):
    page = client.get(f"/admin/meetings/{meeting_id}/minutes").get_data(as_text=True)
    token = hidden_value(page, "csrf_token")
    return client.post(
        f"/admin/meetings/{meeting_id}/reopen", data={"csrf_token": token, "reason": reason}
    )


def test_finalising_freezes_the_minutes(app, login, make_meeting, staff):
    record = build_record(app, make_meeting)
    client = login("secretariat")
    response = finalise(client, record.meeting_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    with app.app_context():
        meeting = db.session.get(Meeting, record.meeting_id)
        assert meeting.status == "finalised"
        assert meeting.finalised_by_id == staff["secretariat"] and meeting.finalised_at
        event = db.session.scalar(select(AuditEvent).filter_by(action="finalise"))
        assert event.user_id == staff["secretariat"] and event.meeting_id == record.meeting_id
        assert event.before["status"] == "closed" and event.after["status"] == "finalised"

    served = get_pdf(client, f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    data = served.data
    with app.app_context():
        stored = db.session.scalar(select(MeetingDocument).filter_by(is_final=True, kind="minutes"))
        assert stored.content == data
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        archived = db.session.scalar(
            select(AuditEvent).filter_by(action="archive", entity_id=stored.id)
        )
        assert archived.after["sha256"] == stored.sha256
    assert served.headers["X-Content-SHA256"] == stored.sha256
    # PDF/A-3a: the XMP metadata names part 3, conformance A (tagged, as level B and more).
    reader = pdf_reader(data)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")A", xmp)
    assert "/OutputIntents" in reader.trailer["/Root"]
    # The footer prints the content digest (a file cannot hold its own hash).
    text = pdf_text(data)
    assert f"SHA-256isi:{stored.source_digest}" in squeeze(text)
    assert stored.source_digest != stored.sha256
    assert "Notulen final" in text and "DRAF" not in text

    # Whatever happens to the data afterwards, the same bytes are served.
    set_opening(app, record.meeting_id, "Diubah setelah final.")
    again = get_pdf(login("viewer"), f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    assert again == data
    assert count(app, MeetingDocument, final_minutes) == 1

    # The minutes page shows the file's hash.
    page = client.get(f"/admin/meetings/{record.meeting_id}/minutes").get_data(as_text=True)
    assert stored.sha256 in page and stored.source_digest in page
    assert "Finalkan notulen" not in page


def test_only_a_closed_meeting_can_be_finalised(app, login, make_meeting):
    record = build_record(app, make_meeting, status="open")
    client = login("secretariat")
    response = finalise(client, record.meeting_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/meetings/{record.meeting_id}/finalise")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rapat belum ditutup." in page
    with app.app_context():
        assert db.session.get(Meeting, record.meeting_id).status == "open"


def test_a_viewer_cannot_finalise_and_a_post_needs_its_token(app, login, make_meeting):
    record = build_record(app, make_meeting)
    viewer = login("viewer")
    token = csrf_from(viewer, f"/admin/meetings/{record.meeting_id}/minutes")
    response = viewer.post(
        f"/admin/meetings/{record.meeting_id}/finalise", data={"csrf_token": token}
    )
    assert response.status_code == 403
    secretariat = login("secretariat")
    assert secretariat.post(f"/admin/meetings/{record.meeting_id}/finalise").status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, record.meeting_id).status == "closed"


def test_reopening_needs_an_admin_and_a_reason(app, login, make_meeting, staff):
    record = build_record(app, make_meeting)
    secretariat = login("secretariat")
    finalise(secretariat, record.meeting_id)
    final = get_pdf(secretariat, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data

    # Not for the secretariat: no form, and a POST is refused.
    page = secretariat.get(f"/admin/meetings/{record.meeting_id}/minutes").get_data(as_text=True)
    assert "Buka kembali notulen" not in page
    token = hidden_value(page, "csrf_token")
    response = secretariat.post(
        f"/admin/meetings/{record.meeting_id}/reopen", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403

    admin = login("admin")
    response = reopen(admin, record.meeting_id, "   ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tulis alasan membuka kembali notulen." in html
    assert "Ada isian yang perlu diperbaiki" in html and 'id="reason-error"' in html
    with app.app_context():
        assert db.session.get(Meeting, record.meeting_id).status == "finalised"

    response = reopen(admin, record.meeting_id, "Salah ketik nama pimpinan rapat.")
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, record.meeting_id)
        assert meeting.status == "closed" and meeting.finalised_at is None
        event = db.session.scalar(select(AuditEvent).filter_by(action="reopen"))
        assert event.user_id == staff["admin"]
        assert event.after["reason"] == "Salah ketik nama pimpinan rapat."
        assert event.before["status"] == "finalised"

    # A draft again, while the archived final stays stored.
    set_opening(app, record.meeting_id, "Pembukaan setelah dibuka kembali.")
    draft = make_pdf(admin, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    assert draft != final and "DRAF" in pdf_text(draft)
    assert count(app, MeetingDocument, final_minutes) == 1

    # Finalised again: the newest final is the one served.
    finalise(admin, record.meeting_id)
    newest = get_pdf(admin, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    assert newest != final and "Pembukaan setelah dibuka kembali." in pdf_text(newest)
    assert count(app, MeetingDocument, final_minutes) == 2
    assert get_pdf(admin, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data == newest


def test_the_cli_serves_the_archived_final(app, login, make_meeting, tmp_path):
    record = build_record(app, make_meeting)
    client = login("secretariat")
    finalise(client, record.meeting_id)
    final = get_pdf(client, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    out = tmp_path / "final.pdf"
    result = app.test_cli_runner().invoke(args=["report", "minutes", record.code, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == final
    assert "final (archived)" in result.output
