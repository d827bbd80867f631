"""A finalised meeting's record is frozen, and its final PDF is the record as finalised.

Every change of a meeting's content is tried through its own page as the
secretariat after finalising: each is refused with the one message and the
database is unchanged; after an admin's reopen the same change goes through.
The progress of a follow-up keeps moving after finalising (agencies report it
until the next meeting evaluates it). The final PDF is built at finalising, so
reference data changed before the render runs does not reach it. A GET of a
document page never starts a render nor stores a document.
"""

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from app.documents.finalise import ARCHIVED_KINDS
from app.extensions import db
from app.models import (
    Agency,
    AgendaItem,
    Attendee,
    FollowUp,
    Meeting,
    MeetingDocument,
    Pillar,
    Submission,
    SubmissionNote,
)
from app.models.meeting import RenderJob
from tests.helpers import (
    build_record,
    csrf_from,
    detail_url,
    get_pdf,
    hidden_value,
    pdf_text,
)

FINAL_MESSAGE = (
    "Notulen rapat ini sudah final. Perubahan hanya dapat dilakukan setelah admin "
    "membukanya kembali."
)


# --- the record, the ids it needs, and the doors to finalise and reopen it ------------------


@pytest.fixture
def record(app, make_meeting, login) -> dict:
    """The closed meeting of tests/helpers.py, the ids the changes below need, and the
    fingerprints of its texts as the minutes page gave them before finalising."""
    built = build_record(app, make_meeting)
    meeting_id = built.meeting_id
    with app.app_context():
        by_title = dict(
            db.session.execute(
                select(Submission.title, Submission.id).where(Submission.meeting_id == meeting_id)
            ).all()
        )
        agenda = db.session.scalars(
            select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id).order_by("position")
        ).all()
        ids = {
            "meeting": meeting_id,
            "inputs": {key: by_title[title] for key, title in built.titles.items()},
            "follow_up": db.session.scalar(select(FollowUp.id)),
            "attendee": db.session.scalar(select(Attendee.id).order_by(Attendee.id)),
            "agenda": agenda,
            "dinkes": db.session.scalar(select(Agency.id).filter_by(abbreviation="Dinkes")),
            "p3": db.session.scalar(select(Pillar.id).filter_by(code="P3")),
        }
    page = login("secretariat").get(f"/admin/meetings/{meeting_id}/record").get_data(as_text=True)
    ids["versions"] = hidden_value(page, "versions")
    return ids


def finalise(client, meeting_id: int):
    token = csrf_from(client, f"/admin/meetings/{meeting_id}/minutes")
    return client.post(f"/admin/meetings/{meeting_id}/finalise", data={"csrf_token": token})


def reopen(client, meeting_id: int):
    token = csrf_from(client, f"/admin/meetings/{meeting_id}/minutes")
    return client.post(
        f"/admin/meetings/{meeting_id}/reopen",
        data={"csrf_token": token, "reason": "Keputusan satu masukan perlu dibetulkan."},
    )


def content(app, meeting_id: int) -> dict:
    """Everything of the meeting a change below could touch, as plain values."""

    def rows(model, *columns) -> list[tuple]:
        query = select(*(getattr(model, c) for c in columns)).where(model.meeting_id == meeting_id)
        return sorted(tuple(row) for row in db.session.execute(query))

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        notes = db.session.scalar(
            select(func.count())
            .select_from(SubmissionNote)
            .join(Submission, Submission.id == SubmissionNote.submission_id)
            .where(Submission.meeting_id == meeting_id)
        )
        return {
            "meeting": {
                name: getattr(meeting, name)
                for name in ("title", "venue", "chair_name", "opening", "conclusions", "code")
            },
            "inputs": rows(
                Submission,
                "id",
                "status",
                "pillar_id",
                "merged_into_id",
                "decision_reason",
                "responsible_agency_id",
            ),
            "notes": notes,
            "follow_ups": rows(FollowUp, "id", "action", "agency_id", "deadline", "status"),
            "attendees": rows(
                Attendee, "id", "name", "position", "unit", "sex", "phone", "checked_in_at"
            ),
            "agenda": rows(AgendaItem, "id", "position", "title", "discussion"),
        }


# --- every change of the record, as the secretariat makes it --------------------------------


def send(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_from(client, "/admin/"), **data})


def on_input(key: str, action: str, data: Callable[[dict], dict]):
    def change(client, ids):
        url = f"{detail_url(ids['meeting'], ids['inputs'][key])}/{action}"
        return send(client, url, data(ids))

    return change


def on_meeting(path: str, data: Callable[[dict], dict]):
    def change(client, ids):
        return send(client, f"/admin/meetings/{ids['meeting']}{path(ids)}", data(ids))

    return change


CHANGES = {
    "decision": on_input("batik", "decision", lambda ids: {"decision": "accepted", "reason": ""}),
    "pillar": on_input("batik", "pillar", lambda ids: {"pillar": ids["p3"]}),
    "follow-up assignment": on_input(
        "batik",
        "follow-up",
        lambda ids: {"agency": ids["dinkes"], "deadline": "2024-07-31", "action": "Pelatihan"},
    ),
    "note": on_input("batik", "notes", lambda ids: {"body": "Dibahas lagi bulan depan."}),
    "merge": on_input("dtks", "merge", lambda ids: {"originals": ids["inputs"]["umkm"]}),
    "unmerge": on_input("dtks2", "unmerge", lambda ids: {}),
    "merge from the duplicates page": on_meeting(
        lambda ids: "/duplicates/merge",
        lambda ids: {"primary": ids["inputs"]["pmt"], "originals": ids["inputs"]["batik"]},
    ),
    "texts of the record": on_meeting(
        lambda ids: "/record",
        lambda ids: {"versions": ids["versions"], "opening": "Pembukaan yang ditulis ulang."},
    ),
    "new follow-up": on_meeting(
        lambda ids: "/record/follow-ups",
        lambda ids: {
            "fu-action": "Rapat lanjutan DTKS",
            "fu-agency": "",
            "fu-deadline": "",
            "fu-status": "open",
            "fu-progress_note": "",
        },
    ),
    "follow-up action": on_meeting(
        lambda ids: f"/record/follow-ups/{ids['follow_up']}",
        lambda ids: {
            "action": "Perluas sasaran PMT ke seluruh ibu hamil",
            "agency": ids["dinkes"],
            "deadline": "2024-06-30",
            "status": "open",
            "progress_note": "",
        },
    ),
    "follow-up removal": on_meeting(
        lambda ids: f"/record/follow-ups/{ids['follow_up']}/remove", lambda ids: {}
    ),
    "new attendee": on_meeting(
        lambda ids: "/record/attendees",
        lambda ids: {
            "att-name": "Dewi Lestari",
            "att-position": "Ketua TP PKK",
            "att-unit": "TP PKK Kota Pekalongan",
            "att-sex": "P",
            "att-phone": "",
        },
    ),
    "attendee edit": on_meeting(
        lambda ids: f"/record/attendees/{ids['attendee']}",
        lambda ids: {
            "name": "Agus Priyanto, S.T.",
            "position": "Lurah",
            "unit": "Krapyak",
            "sex": "L",
            "phone": "",
        },
    ),
    "attendee removal": on_meeting(
        lambda ids: f"/record/attendees/{ids['attendee']}/remove", lambda ids: {}
    ),
    "attendee absent": on_meeting(
        lambda ids: f"/record/attendees/{ids['attendee']}/absent", lambda ids: {}
    ),
    "invitation list": on_meeting(
        lambda ids: "/record/attendees/invitation-list",
        lambda ids: {"people": "Sri Wahyuni; Camat; Tirto; P"},
    ),
    "new agenda item": on_meeting(lambda ids: "/agenda", lambda ids: {"new-title": "Penutup"}),
    "agenda item title": on_meeting(
        lambda ids: f"/agenda/{ids['agenda'][0]}",
        lambda ids: {f"item-{ids['agenda'][0]}-title": "Pembukaan oleh Wali Kota"},
    ),
    "agenda order": on_meeting(
        lambda ids: f"/agenda/{ids['agenda'][0]}/move", lambda ids: {"direction": "down"}
    ),
    "agenda item removal": on_meeting(
        lambda ids: f"/agenda/{ids['agenda'][0]}/delete",
        lambda ids: {f"delete-{ids['agenda'][0]}-confirm": "y"},
    ),
    "meeting data": on_meeting(
        lambda ids: "/edit",
        lambda ids: {
            "title": "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024",
            "date": "2024-01-23",
            "start_time": "09:00",
            "venue": "Aula Bappeda Kota Pekalongan",
            "code": "rakor-uji",
            "pillars": [],
        },
    ),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_finalised_record_refuses_each_change_until_an_admin_reopens_it(app, login, record, name):
    change = CHANGES[name]
    secretariat = login("secretariat")
    assert finalise(secretariat, record["meeting"]).status_code == 302
    frozen = content(app, record["meeting"])

    refused = change(secretariat, record)
    if refused.status_code in (302, 303):  # the meeting's own form sends back to its page
        refused = secretariat.get(refused.headers["Location"])
    assert FINAL_MESSAGE in refused.get_data(as_text=True), refused.status_code
    assert content(app, record["meeting"]) == frozen

    assert reopen(login("admin"), record["meeting"]).status_code == 302
    accepted = change(secretariat, record)
    assert accepted.status_code in (302, 303), accepted.get_data(as_text=True)[:2000]
    assert content(app, record["meeting"]) != frozen


def test_follow_up_progress_goes_on_after_finalising(app, login, record):
    secretariat = login("secretariat")
    finalise(secretariat, record["meeting"])
    base = f"/admin/meetings/{record['meeting']}/record/follow-ups/{record['follow_up']}"

    assert send(secretariat, f"{base}/status", {"status": "in_progress"}).status_code == 303
    progress = {
        "action": "Perluas sasaran PMT ke ibu hamil KEK",
        "agency": record["dinkes"],
        "deadline": "2024-06-30",
        "status": "done",
        "progress_note": "Sasaran diperluas per Maret 2024.",
    }
    assert send(secretariat, base, progress).status_code == 303
    with app.app_context():
        follow_up = db.session.get(FollowUp, record["follow_up"])
        assert (follow_up.status, follow_up.progress_note) == ("done", progress["progress_note"])
        assert follow_up.action == "Perluas sasaran PMT ke ibu hamil KEK"


# --- the final PDF is the record as it was finalised ----------------------------------------


def rename_pillar(admin, app, code: str, name: str) -> str:
    with app.app_context():
        pillar = db.session.scalar(select(Pillar).filter_by(code=code))
        data = {
            "code": code,
            "name": name,
            "name_en": pillar.name_en or "",
            "description": pillar.description or "",
            "position": str(pillar.position),
        }
        old_name = pillar.name
    response = send(admin, f"/admin/reference/pillars/{pillar.id}", data)
    assert response.status_code == 303
    return old_name


def test_the_final_pdf_keeps_the_pillar_name_of_the_moment_of_finalising(
    app, login, record, rq_queue
):
    from rq import SimpleWorker

    url = f"/admin/meetings/{record['meeting']}/minutes.pdf"
    finalise(login("secretariat"), record["meeting"])
    # One render per final document (the minutes, the berita acara, the laporan).
    assert rq_queue.count == len(ARCHIVED_KINDS), "finalising handed the renders to the queue"

    old_name = rename_pillar(login("admin"), app, "P1", "Strategi Pertama Yang Baru")
    waiting = login("viewer").get(url)
    assert waiting.status_code == 202 and "<progress" in waiting.get_data(as_text=True)
    with app.app_context():
        assert SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)

    text = pdf_text(get_pdf(login("viewer"), url).data)
    assert old_name in text
    assert "Strategi Pertama Yang Baru" not in text
    with app.app_context():
        minutes_jobs = select(func.count()).select_from(RenderJob).filter_by(kind="minutes")
        assert db.session.scalar(minutes_jobs) == 1


def test_a_decision_refused_after_finalising_is_not_in_the_final_pdf(app, login, record):
    secretariat = login("secretariat")
    finalise(secretariat, record["meeting"])
    url = f"{detail_url(record['meeting'], record['inputs']['batik'])}/decision"
    send(secretariat, url, {"decision": "declined", "reason": "Ditolak sesudah final."})
    text = pdf_text(get_pdf(secretariat, f"/admin/meetings/{record['meeting']}/minutes.pdf").data)
    assert "Pelatihan membatik bagi pemuda" in text
    assert "Ditolak sesudah final." not in text


# --- a GET never renders -------------------------------------------------------------------


def rows_made(app) -> tuple[int, int]:
    with app.app_context():
        jobs = db.session.scalar(select(func.count()).select_from(RenderJob))
        documents = db.session.scalar(select(func.count()).select_from(MeetingDocument))
        return jobs, documents


@pytest.mark.parametrize("status", ["closed", "finalised"])
def test_a_get_of_a_document_never_starts_a_render(app, login, record, status):
    meeting_id = record["meeting"]
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = status  # final, but no PDF stored yet
        db.session.commit()
    for role in ("viewer", "secretariat", "admin"):
        client = login(role)
        for path in ("minutes.pdf", "evaluation.pdf", "minutes", "evaluation"):
            response = client.get(f"/admin/meetings/{meeting_id}/{path}")
            assert response.status_code == 200, (role, path)
            assert response.mimetype == "text/html"
    assert rows_made(app) == (0, 0)

    # The page offers the button to writers; a POST without its token changes nothing.
    page = login("secretariat").get(f"/admin/meetings/{meeting_id}/minutes.pdf")
    assert "Buat PDF" in page.get_data(as_text=True)
    assert "Buat PDF" not in login("viewer").get(f"/admin/meetings/{meeting_id}/minutes.pdf").text
    assert login("secretariat").post(f"/admin/meetings/{meeting_id}/minutes.pdf").status_code == 400
    assert rows_made(app) == (0, 0)

    # One press of the button, and the PDF is there for everyone.
    made = send(login("secretariat"), f"/admin/meetings/{meeting_id}/minutes.pdf", {})
    assert made.status_code == 303
    assert get_pdf(login("viewer"), made.headers["Location"]).data.startswith(b"%PDF-")
    assert rows_made(app) == (1, 1)


def test_the_review_pages_of_a_finalised_meeting_offer_no_change(app, login, record):
    secretariat = login("secretariat")
    meeting_id, input_id = record["meeting"], record["inputs"]["batik"]
    detail = detail_url(meeting_id, input_id)
    before = secretariat.get(detail).get_data(as_text=True)
    assert f'action="{detail}/decision"' in before and f'action="{detail}/notes"' in before

    assert finalise(secretariat, meeting_id).status_code == 302
    page = secretariat.get(detail).get_data(as_text=True)
    assert FINAL_MESSAGE in page
    for action in ("pillar", "decision", "follow-up", "notes", "merge"):
        assert f'action="{detail}/{action}' not in page, action
    duplicates = secretariat.get(f"/admin/meetings/{meeting_id}/duplicates").get_data(as_text=True)
    assert 'method="post"' not in duplicates.split("<main", 1)[1]


def test_a_note_refused_by_the_final_record_comes_back_with_its_words(app, login, record):
    secretariat = login("secretariat")
    detail = detail_url(record["meeting"], record["inputs"]["batik"])
    token = csrf_from(secretariat, detail)
    assert finalise(secretariat, record["meeting"]).status_code == 302
    note = "Dinas Perdagangan menyanggupi pelatihan pada triwulan kedua."
    refused = secretariat.post(f"{detail}/notes", data={"csrf_token": token, "body": note})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert note in page
    assert page.count(FINAL_MESSAGE) == 1


def test_a_render_queued_before_a_reopen_never_becomes_the_final_pdf(app, login, record, rq_queue):
    from rq import SimpleWorker

    meeting_id = record["meeting"]
    url = f"/admin/meetings/{meeting_id}/minutes.pdf"
    finalise(login("secretariat"), meeting_id)
    assert reopen(login("admin"), meeting_id).status_code == 302
    with app.app_context():
        db.session.get(Meeting, meeting_id).opening = "Pembukaan yang sudah dibetulkan."
        db.session.commit()
    finalise(login("secretariat"), meeting_id)
    # The first finalisation's renders had not run yet.
    assert rq_queue.count == 2 * len(ARCHIVED_KINDS)
    with app.app_context():
        assert SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)
        statuses = db.session.scalars(
            select(RenderJob.status).filter_by(kind="minutes").order_by(RenderJob.id)
        ).all()
    assert statuses == ["failed", "done"]
    assert "Pembukaan yang sudah dibetulkan." in pdf_text(get_pdf(login("viewer"), url).data)
