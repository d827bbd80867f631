"""Reviewing input: the queue (filters, search, sort, pages), an input's page and its changes."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import (
    Agency,
    AuditEvent,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Pillar,
    Submission,
    SubmissionNote,
)
from app.models.base import utcnow
from tests.helpers import (
    START,
    add_submission,
    audit_events,
    csrf_from,
    detail_url,
    load,
    post,
    queue_url,
    ref_id,
    text,
    titles_in_queue,
)


@pytest.fixture
def secretariat(login):
    return login("secretariat")


@pytest.fixture
def viewer(login):
    return login("viewer")


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_shows_each_input_with_what_a_reviewer_needs(app, viewer, meeting):
    submission_id = add_submission(
        app, meeting.id, title="Pemutakhiran DTKS setiap triwulan", receipt_code="K7QM2XPA"
    )
    page = text(viewer.get(queue_url(meeting.id)))
    assert "K7QM-2XPA" in page
    assert "Selasa, 23 Januari 2024 09.00 WIB" in page
    assert "Agus Priyanto" in page and "Lurah · Krapyak" in page
    assert "Usulan" in page
    assert "P1" in page
    assert f'<a href="/admin/meetings/{meeting.id}/inputs/{submission_id}">' in page
    assert "Pemutakhiran DTKS setiap triwulan" in page
    assert "Diterima, menunggu tinjauan" in page
    assert "1 masukan" in page and "Halaman 1 dari 1" in page


def test_the_queue_shows_only_this_meetings_inputs(app, viewer, meeting, make_meeting):
    other = make_meeting(code="lain")
    add_submission(app, meeting.id, title="Masukan rapat ini")
    add_submission(app, other.id, title="Masukan rapat lain")
    assert titles_in_queue(text(viewer.get(queue_url(meeting.id)))) == ["Masukan rapat ini"]


@pytest.fixture
def varied_submissions(app, meeting):
    """Inputs that differ in one respect each from the first ("Dasar")."""
    p2 = ref_id(app, Pillar, code="P2")
    medono = ref_id(app, Kelurahan, name="Medono")
    timur = ref_id(app, Kecamatan, name="Pekalongan Timur")
    dinsos = None
    with app.app_context():
        agency = Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial P2KB")
        db.session.add(agency)
        db.session.commit()
        dinsos = agency.id
    add_submission(app, meeting.id, 1, title="Dasar")
    add_submission(app, meeting.id, 2, title="Strategi dua", pillar_id=p2)
    add_submission(app, meeting.id, 3, title="Sebuah kendala", kind="kendala")
    add_submission(
        app,
        meeting.id,
        4,
        title="Dari OPD",
        role="opd",
        kelurahan_id=None,
        agency_id=dinsos,
        location_id=None,
    )
    add_submission(app, meeting.id, 5, title="Di Medono", kelurahan_id=medono, location_id=medono)
    add_submission(
        app, meeting.id, 6, title="Dari camat", role="camat", kelurahan_id=None, kecamatan_id=timur
    )
    add_submission(app, meeting.id, 7, title="Sudah disetujui", status="accepted")
    return {"p2": p2, "medono": medono, "timur": timur}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("pillar={p2}", ["Strategi dua"]),
        ("kind=kendala", ["Sebuah kendala"]),
        ("role=opd", ["Dari OPD"]),
        ("role=camat", ["Dari camat"]),
        ("kelurahan={medono}", ["Di Medono"]),
        ("kecamatan={timur}", ["Dari camat"]),
        ("status=accepted", ["Sudah disetujui"]),
        ("status=accepted&kind=kendala", []),
    ],
)
def test_each_filter_narrows_the_queue(viewer, meeting, varied_submissions, args, expected):
    page = text(viewer.get(f"{queue_url(meeting.id)}?{args.format(**varied_submissions)}"))
    assert titles_in_queue(page) == expected
    if expected:
        assert f"{len(expected)} masukan cocok dengan saringan" in page
    else:
        assert "Tidak ada masukan yang cocok dengan saringan ini." in page


def test_without_filters_every_input_is_listed_newest_first(viewer, meeting, varied_submissions):
    page = text(viewer.get(queue_url(meeting.id)))
    assert titles_in_queue(page) == [
        "Sudah disetujui",
        "Dari camat",
        "Di Medono",
        "Dari OPD",
        "Sebuah kendala",
        "Strategi dua",
        "Dasar",
    ]


def test_a_stale_or_tampered_filter_is_ignored(viewer, meeting, varied_submissions):
    response = viewer.get(f"{queue_url(meeting.id)}?kind=rahasia&pillar=abc&page=zz&sort=x")
    assert response.status_code == 200
    assert len(titles_in_queue(text(response))) == 7


def test_search_finds_title_description_submitter_and_receipt_code(app, viewer, meeting):
    add_submission(app, meeting.id, 1, title="Bedah rumah nelayan", receipt_code="AAAA2222")
    add_submission(app, meeting.id, 2, title="Lain", description="Sembako untuk lansia di RW 03.")
    add_submission(app, meeting.id, 3, title="Dari Bu Rina", submitter_name="Rina Kurniasari")
    add_submission(app, meeting.id, 4, title="Tidak relevan sama sekali")
    for query, expected in [
        ("NELAYAN", ["Bedah rumah nelayan"]),
        ("sembako", ["Lain"]),
        ("kurniasari", ["Dari Bu Rina"]),
        ("aaaa-2222", ["Bedah rumah nelayan"]),
        ("100%_", []),
    ]:
        page = text(viewer.get(queue_url(meeting.id), query_string={"q": query}))
        assert titles_in_queue(page) == expected, query
    page = text(viewer.get(queue_url(meeting.id), query_string={"q": "nelayan"}))
    assert 'value="nelayan"' in page  # the search box keeps what was typed


def test_sorting(app, viewer, meeting):
    add_submission(app, meeting.id, 1, title="Beta", submitter_name="Citra")
    add_submission(app, meeting.id, 2, title="alfa", submitter_name="Budi")
    add_submission(app, meeting.id, 3, title="Gamma", submitter_name="Ani")
    url = queue_url(meeting.id)
    assert titles_in_queue(text(viewer.get(url))) == ["Gamma", "alfa", "Beta"]
    assert titles_in_queue(text(viewer.get(f"{url}?sort=oldest"))) == ["Beta", "alfa", "Gamma"]
    assert titles_in_queue(text(viewer.get(f"{url}?sort=title"))) == ["alfa", "Beta", "Gamma"]
    assert titles_in_queue(text(viewer.get(f"{url}?sort=submitter"))) == ["Gamma", "alfa", "Beta"]


def test_sorting_by_pillar_follows_the_pillar_order(app, viewer, meeting):
    add_submission(app, meeting.id, 1, title="Di P3", pillar_id=ref_id(app, Pillar, code="P3"))
    add_submission(app, meeting.id, 2, title="Di P1", pillar_id=ref_id(app, Pillar, code="P1"))
    add_submission(app, meeting.id, 3, title="Di P2", pillar_id=ref_id(app, Pillar, code="P2"))
    page = text(viewer.get(f"{queue_url(meeting.id)}?sort=pillar"))
    assert titles_in_queue(page) == ["Di P1", "Di P2", "Di P3"]


def test_pages_of_fifty_with_filters_kept_in_the_links(app, viewer, meeting):
    for minute in range(60):
        add_submission(app, meeting.id, minute, title=f"Usulan nomor {minute:02d}")
    add_submission(app, meeting.id, 99, title="Bukan usulan", kind="kendala")

    first = text(viewer.get(f"{queue_url(meeting.id)}?kind=usulan&sort=oldest"))
    assert len(titles_in_queue(first)) == 50
    assert titles_in_queue(first)[0] == "Usulan nomor 00"
    assert "60 masukan cocok dengan saringan" in first
    assert "Halaman 1 dari 2" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert "kind=usulan" in next_link and "sort=oldest" in next_link and "page=2" in next_link

    second = text(viewer.get(next_link))
    assert titles_in_queue(second) == [f"Usulan nomor {minute}" for minute in range(50, 60)]
    assert "Halaman 2 dari 2" in second
    assert "menampilkan 51–60" in second


def test_a_page_past_the_end_shows_the_last_page(app, viewer, meeting):
    add_submission(app, meeting.id, title="Satu-satunya")
    page = text(viewer.get(f"{queue_url(meeting.id)}?page=9"))
    assert titles_in_queue(page) == ["Satu-satunya"]


def test_the_sort_links_keep_the_filters(app, viewer, meeting):
    add_submission(app, meeting.id, title="Apa saja")
    page = text(viewer.get(f"{queue_url(meeting.id)}?kind=usulan&q=apa"))
    links = re.findall(r'href="(/admin/meetings/\d+/inputs\?[^"]*sort=title[^"]*)"', page)
    assert links and "kind=usulan" in links[0] and "q=apa" in links[0]


def count_queries(app, client, url: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_queue_makes_the_same_few_queries_for_3_or_50_rows(app, viewer, meeting):
    opd = ref_id(app, Agency, abbreviation="Bappeda")
    if opd is None:
        with app.app_context():
            db.session.add(Agency(abbreviation="Bappeda", name="Bappeda"))
            db.session.commit()
        opd = ref_id(app, Agency, abbreviation="Bappeda")
    primary = add_submission(app, meeting.id, 0, title="Utama")
    add_submission(app, meeting.id, 1, status="merged", merged_into_id=primary)
    add_submission(app, meeting.id, 2, role="opd", kelurahan_id=None, agency_id=opd)
    few = count_queries(app, viewer, queue_url(meeting.id))
    for minute in range(3, 60):
        role = ("lurah", "opd", "stakeholder")[minute % 3]
        add_submission(
            app,
            meeting.id,
            minute,
            role=role,
            kelurahan_id=None if role != "lurah" else ref_id(app, Kelurahan, name="Medono"),
            agency_id=opd if role == "opd" else None,
            organisation="PKK" if role == "stakeholder" else "",
            status="merged" if minute % 5 == 0 else "received",
            merged_into_id=primary if minute % 5 == 0 else None,
        )
    many = count_queries(app, viewer, queue_url(meeting.id))
    assert many == few


def test_the_queue_of_an_unknown_meeting_is_not_found(viewer):
    assert viewer.get(queue_url(999)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, meeting):
    response = client.get(queue_url(meeting.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- an input's page -------------------------------------------------------------------------


def test_the_input_page_shows_everything_given_including_the_phone(
    app, submit, meeting, valid_submission, secretariat
):
    # The phone number is for the secretariat and admins (tests/test_personal_data.py
    # checks that a viewer does not see it).
    assert submit(meeting.code, valid_submission).status_code == 303
    with app.app_context():
        stored = db.session.scalar(db.select(Submission))
        submission_id, code = stored.id, stored.receipt_code
    page = text(secretariat.get(detail_url(meeting.id, submission_id)))
    assert f"{code[:4]}-{code[4:]}" in page
    for shown in (
        "Agus Priyanto",
        "Lurah Krapyak",
        "0812-2712-3456",
        "Pelatihan membatik untuk pemuda putus sekolah",
        "Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05.",
        "Pencari kerja",
        "40 orang",
        "Rp 75.000.000",
        "Usulan program atau kegiatan",
        "Strategi pilihan pengusul",
    ):
        assert shown in page, shown


def test_a_viewer_sees_no_edit_forms(app, viewer, meeting):
    submission_id = add_submission(app, meeting.id)
    page = text(viewer.get(detail_url(meeting.id, submission_id)))
    assert "Simpan keputusan" not in page
    assert "Simpan strategi" not in page
    assert "Catat tindak lanjut" not in page
    assert "Simpan catatan" not in page


def test_the_secretariat_sees_the_edit_forms(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    page = text(secretariat.get(detail_url(meeting.id, submission_id)))
    for button in ("Simpan keputusan", "Simpan strategi", "Catat tindak lanjut", "Simpan catatan"):
        assert button in page


WRITE_ACTIONS = ["pillar", "decision", "follow-up", "notes", "merge", "unmerge"]


def test_an_input_of_another_meeting_is_not_found_anywhere(app, secretariat, meeting, make_meeting):
    other = make_meeting(code="lain")
    foreign = add_submission(app, other.id, title="Masukan rapat lain")
    mine = add_submission(app, meeting.id)
    assert secretariat.get(detail_url(meeting.id, foreign)).status_code == 404
    token = csrf_from(secretariat, detail_url(meeting.id, mine))
    for action in WRITE_ACTIONS:
        response = secretariat.post(
            f"{detail_url(meeting.id, foreign)}/{action}",
            data={"csrf_token": token, "decision": "accepted", "body": "x", "originals": mine},
        )
        assert response.status_code == 404, action
    # Nor can another meeting's input be merged into one of ours.
    response = secretariat.post(
        f"{detail_url(meeting.id, mine)}/merge", data={"csrf_token": token, "originals": foreign}
    )
    assert response.status_code == 404
    assert load(app, foreign).status == "received"
    assert audit_events(app) == []


def test_a_viewer_gets_403_on_every_change(app, viewer, meeting):
    submission_id = add_submission(app, meeting.id)
    token = csrf_from(viewer, detail_url(meeting.id, submission_id))
    for action in WRITE_ACTIONS:
        response = viewer.post(
            f"{detail_url(meeting.id, submission_id)}/{action}",
            data={"csrf_token": token, "decision": "accepted"},
        )
        assert response.status_code == 403, action
    response = viewer.post(
        f"/admin/meetings/{meeting.id}/duplicates/merge",
        data={"csrf_token": token, "primary": submission_id},
    )
    assert response.status_code == 403
    assert load(app, submission_id).status == "received"
    assert audit_events(app) == []


def test_a_change_without_csrf_token_is_refused(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    response = secretariat.post(
        f"{detail_url(meeting.id, submission_id)}/decision", data={"decision": "accepted"}
    )
    assert response.status_code == 400
    assert load(app, submission_id).status == "received"


# --- pillar ---------------------------------------------------------------------------------


def test_changing_the_pillar_keeps_the_submitted_one_and_is_audited(
    app, secretariat, meeting, staff
):
    submission_id = add_submission(app, meeting.id)
    p1, p3 = ref_id(app, Pillar, code="P1"), ref_id(app, Pillar, code="P3")
    response = post(secretariat, meeting.id, submission_id, "pillar", {"pillar": p3})
    assert response.status_code == 303
    assert response.headers["Location"] == detail_url(meeting.id, submission_id)
    stored = load(app, submission_id)
    assert (stored.pillar_id, stored.submitted_pillar_id) == (p3, p1)
    [change] = audit_events(app, entity_type="Submission", entity_id=submission_id)
    assert change.action == "change_pillar"
    assert (change.before, change.after) == ({"pillar_id": p1}, {"pillar_id": p3})
    assert change.user_id == staff["secretariat"]
    assert change.meeting_id == meeting.id

    page = text(secretariat.get(detail_url(meeting.id, submission_id)))
    assert "Strategi diubah." in page
    assert "Diubah sekretariat" in page
    history = page.split("Riwayat perubahan")[1]
    assert "Uji secretariat" in history
    assert "mengubah strategi" in history
    assert re.search(r"P1 Pengurangan.*→.*P3 ", history, re.S)


def test_a_retired_pillar_cannot_be_chosen(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    with app.app_context():
        p4 = db.session.scalar(db.select(Pillar).filter_by(code="P4"))
        p4.retired_at = utcnow()
        db.session.commit()
        p4_id = p4.id
    response = post(secretariat, meeting.id, submission_id, "pillar", {"pillar": p4_id})
    assert response.status_code == 422
    assert "Pilihan tidak tersedia" in text(response)
    assert load(app, submission_id).pillar_id != p4_id
    assert audit_events(app) == []


# --- decisions ------------------------------------------------------------------------------


def test_accepting_records_who_and_when_and_is_audited(app, secretariat, meeting, staff):
    submission_id = add_submission(app, meeting.id)
    response = post(
        secretariat, meeting.id, submission_id, "decision", {"decision": "accepted", "reason": ""}
    )
    assert response.status_code == 303
    stored = load(app, submission_id)
    assert stored.status == "accepted"
    assert stored.decided_by_id == staff["secretariat"]
    assert stored.decided_at is not None
    [change] = audit_events(app, entity_type="Submission")
    assert change.action == "decide"
    assert change.before == {"status": "received"}
    assert change.after == {"status": "accepted"}


def test_declining_without_a_reason_is_refused_with_a_message(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    response = post(
        secretariat, meeting.id, submission_id, "decision", {"decision": "declined", "reason": "  "}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Tulis alasan mengapa masukan ini tidak dapat ditindaklanjuti." in page
    assert "Ada isian yang perlu diperbaiki" in page
    assert re.search(r'value="declined"[^>]*checked|checked[^>]*value="declined"', page)
    assert load(app, submission_id).status == "received"
    assert audit_events(app) == []


def test_declining_with_a_reason_and_going_back_to_received(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    reason = "Sudah tercakup program Dinsos P2KB tahun berjalan."
    post(
        secretariat,
        meeting.id,
        submission_id,
        "decision",
        {"decision": "declined", "reason": reason},
    )
    stored = load(app, submission_id)
    assert (stored.status, stored.decision_reason) == ("declined", reason)

    post(secretariat, meeting.id, submission_id, "decision", {"decision": "received", "reason": ""})
    stored = load(app, submission_id)
    assert (stored.status, stored.decision_reason) == ("received", "")
    assert stored.decided_at is None and stored.decided_by_id is None

    declined, back = audit_events(app, entity_type="Submission")
    assert declined.after == {"status": "declined", "decision_reason": reason}
    assert back.before == {"status": "declined", "decision_reason": reason}
    assert back.after == {"status": "received", "decision_reason": ""}


def test_an_unknown_decision_is_refused(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    response = post(secretariat, meeting.id, submission_id, "decision", {"decision": "merged"})
    assert response.status_code == 422
    assert load(app, submission_id).status == "received"


def test_the_same_decision_twice_is_logged_once(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    for _ in range(2):
        post(secretariat, meeting.id, submission_id, "decision", {"decision": "accepted"})
    assert len(audit_events(app, action="decide")) == 1


# --- follow-up --------------------------------------------------------------------------------


@pytest.fixture
def agencies(app) -> dict[str, int]:
    with app.app_context():
        active = Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial P2KB")
        retired = Agency(abbreviation="Lama", name="Dinas yang dibubarkan", active=False)
        db.session.add_all([active, retired])
        db.session.commit()
        return {"active": active.id, "retired": retired.id}


def test_assigning_an_agency_and_deadline_creates_a_follow_up(
    app, secretariat, meeting, agencies, staff
):
    submission_id = add_submission(app, meeting.id, title="Verifikasi DTKS triwulanan")
    page = text(secretariat.get(detail_url(meeting.id, submission_id)))
    # The action starts as the input's title, ready to edit.
    assert re.search(r'<textarea[^>]*name="action"[^>]*>\s*Verifikasi DTKS triwulanan', page)

    response = post(
        secretariat,
        meeting.id,
        submission_id,
        "follow-up",
        {
            "agency": agencies["active"],
            "deadline": "2024-06-30",
            "action": "Verifikasi dan validasi DTKS setiap triwulan",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        follow_up = db.session.scalar(db.select(FollowUp))
        assert follow_up.meeting_id == meeting.id
        assert follow_up.submission_id == submission_id
        assert follow_up.agency_id == agencies["active"]
        assert follow_up.deadline == date(2024, 6, 30)
        assert follow_up.action == "Verifikasi dan validasi DTKS setiap triwulan"
        follow_up_id = follow_up.id
    stored = load(app, submission_id)
    assert stored.status == "follow_up"
    assert stored.responsible_agency_id == agencies["active"]
    assert stored.title == "Verifikasi DTKS triwulanan"  # the participant's words stay

    [created] = audit_events(app, entity_type="FollowUp")
    assert created.entity_id == follow_up_id and created.action == "create"
    assert created.after["deadline"] == "2024-06-30"
    assert created.after["agency_id"] == agencies["active"]
    [assigned] = audit_events(app, entity_type="Submission")
    assert assigned.before == {"status": "received", "responsible_agency_id": None}
    assert assigned.after == {"status": "follow_up", "responsible_agency_id": agencies["active"]}

    page = text(secretariat.get(detail_url(meeting.id, submission_id)))
    assert "Verifikasi dan validasi DTKS setiap triwulan" in page
    assert "Minggu, 30 Juni 2024" in page
    history = page.split("Riwayat perubahan")[1]
    assert "Tindak lanjut" in history and "30 Juni 2024" in history
    assert "Dinsos P2KB" in history


def test_a_follow_up_needs_an_active_agency_and_a_real_date(app, secretariat, meeting, agencies):
    submission_id = add_submission(app, meeting.id)
    response = post(
        secretariat,
        meeting.id,
        submission_id,
        "follow-up",
        {"agency": agencies["retired"], "deadline": "31-02-2024", "action": "Sesuatu"},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Pilihan tidak tersedia" in page
    assert "Tulis tanggal seperti 30-06-2024." in page
    assert 'value="31-02-2024"' in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(db.select(FollowUp)) is None
    assert load(app, submission_id).status == "received"


def test_a_deadline_typed_the_indonesian_way_is_understood(app, secretariat, meeting, agencies):
    submission_id = add_submission(app, meeting.id)
    post(
        secretariat,
        meeting.id,
        submission_id,
        "follow-up",
        {"agency": agencies["active"], "deadline": "30/06/2024", "action": "Tindakan"},
    )
    with app.app_context():
        assert db.session.scalar(db.select(FollowUp.deadline)) == date(2024, 6, 30)


# --- notes ---------------------------------------------------------------------------------


def test_a_note_is_kept_with_its_author_and_audited(app, secretariat, meeting, staff):
    submission_id = add_submission(app, meeting.id)
    response = post(
        secretariat,
        meeting.id,
        submission_id,
        "notes",
        {"body": "Konfirmasi ke lurah via telepon."},
    )
    assert response.status_code == 303
    with app.app_context():
        note = db.session.scalar(db.select(SubmissionNote))
        assert note.submission_id == submission_id and note.author_id == staff["secretariat"]
        note_id = note.id
    [created] = audit_events(app, entity_type="SubmissionNote")
    assert created.entity_id == note_id
    assert created.after == {
        "submission_id": submission_id,
        "body": "Konfirmasi ke lurah via telepon.",
    }
    page = text(secretariat.get(detail_url(meeting.id, submission_id)))
    notes = page.split('id="notes-title"')[1]
    assert "Konfirmasi ke lurah via telepon." in notes and "Uji secretariat" in notes
    assert "Catatan masukan" in page.split("Riwayat perubahan")[1]


def test_an_empty_note_is_refused(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id)
    response = post(secretariat, meeting.id, submission_id, "notes", {"body": "   "})
    assert response.status_code == 422
    assert "Tulis catatannya." in text(response)


def test_user_text_is_escaped(app, secretariat, meeting):
    submission_id = add_submission(app, meeting.id, title="<script>alert(1)</script> judul")
    post(secretariat, meeting.id, submission_id, "notes", {"body": "<b>tebal</b>"})
    for url in (queue_url(meeting.id), detail_url(meeting.id, submission_id)):
        page = text(secretariat.get(url))
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>tebal</b>" not in text(secretariat.get(detail_url(meeting.id, submission_id)))


# --- the audit log ----------------------------------------------------------------------------


def test_the_meeting_audit_log_lists_every_change_newest_first(app, secretariat, viewer, meeting):
    submission_id = add_submission(app, meeting.id, receipt_code="K7QM2XPA")
    post(secretariat, meeting.id, submission_id, "decision", {"decision": "accepted"})
    post(secretariat, meeting.id, submission_id, "notes", {"body": "Catatan pertama"})
    page = text(viewer.get(f"/admin/meetings/{meeting.id}/audit"))
    assert "2 catatan" in page
    rows = page.split("<tbody>")[1]
    assert rows.index("Catatan pertama") < rows.index("Disetujui")
    assert "Uji secretariat" in rows
    assert "memutuskan" in rows
    assert re.search(r"Diterima, menunggu tinjauan</span>.*→.*Disetujui", rows, re.S)
    assert f'href="{detail_url(meeting.id, submission_id)}" class="code">K7QM-2XPA</a>' in rows


def test_the_audit_log_is_paginated_and_per_meeting(
    app, secretariat, viewer, meeting, make_meeting
):
    other = make_meeting(code="lain")
    submission_id = add_submission(app, meeting.id)
    foreign = add_submission(app, other.id)
    with app.app_context():
        for number in range(55):
            db.session.add(
                AuditEvent(
                    meeting_id=meeting.id,
                    entity_type="Submission",
                    entity_id=submission_id,
                    action="update",
                    after={"title": f"Perubahan {number:02d}"},
                    occurred_at=START + timedelta(minutes=number),
                )
            )
        db.session.add(
            AuditEvent(
                meeting_id=other.id,
                entity_type="Submission",
                entity_id=foreign,
                action="update",
                after={"title": "Rapat lain"},
            )
        )
        db.session.commit()
    first = text(viewer.get(f"/admin/meetings/{meeting.id}/audit"))
    assert "55 catatan" in first and "Halaman 1 dari 2" in first
    assert "Perubahan 54" in first and "Perubahan 04" not in first
    assert "Rapat lain" not in first
    second = text(viewer.get(f"/admin/meetings/{meeting.id}/audit?page=2"))
    assert "Perubahan 04" in second and "Perubahan 05" not in second
