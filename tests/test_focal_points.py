"""An agency's focal point sees and changes its own agency's follow-ups, and nothing else.

Another agency's follow-up answers 404 on every follow-up route (as if it did not
exist); every other staff route answers 403 (tests/test_access_matrix.py walks them all).
"""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Agency, FollowUp, FollowUpProgress
from tests.helpers import add_submission, csrf_from, hidden_value, text

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def progress_count(app, follow_up_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(FollowUpProgress)
            .where(FollowUpProgress.follow_up_id == follow_up_id)
        )


@pytest.fixture
def agencies_work(app, meeting, focal_point) -> dict:
    """A follow-up of the focal point's agency (Disperkim), one of another agency (Dinsos)
    with a report carrying evidence, and one without an agency yet."""
    submission = add_submission(app, meeting.id, title="Rumah tidak layak huni di Krapyak")
    with app.app_context():
        other = Agency(abbreviation="Dinsos", name="Dinas Sosial")
        db.session.add(other)
        db.session.flush()
        own = FollowUp(
            meeting_id=meeting.id,
            submission_id=submission,
            action="Bedah rumah 25 unit di Krapyak",
            agency_id=focal_point["agency"],
        )
        theirs = FollowUp(
            meeting_id=meeting.id, action="Pemutakhiran DTKS tiap triwulan", agency_id=other.id
        )
        unassigned = FollowUp(meeting_id=meeting.id, action="Sosialisasi pola asuh anak")
        db.session.add_all([own, theirs, unassigned])
        db.session.flush()
        entry = FollowUpProgress(
            follow_up_id=theirs.id,
            reported_on=meeting.date,
            status="in_progress",
            percent=20,
            channel="staff",
            evidence=PDF,
            evidence_type="application/pdf",
            evidence_name="bukti.pdf",
            evidence_size=len(PDF),
        )
        db.session.add(entry)
        db.session.commit()
        return {
            "own": own.id,
            "theirs": theirs.id,
            "unassigned": unassigned.id,
            "their_entry": entry.id,
            "their_agency": other.id,
            "submission": submission,
            "meeting": meeting.id,
        }


def test_a_focal_point_starts_on_its_agencys_follow_ups_only(app, login, agencies_work):
    client = login("focal")
    page = text(client.get("/admin/follow-ups"))
    assert "Bedah rumah 25 unit di Krapyak" in page
    assert "Pemutakhiran DTKS tiap triwulan" not in page
    assert "Sosialisasi pola asuh anak" not in page
    assert re.search(r'id="result-count">\s*1 tindak lanjut', page)
    # The agency is fixed: named, not chosen; no "clear filters" while nothing is chosen.
    assert 'name="agency"' not in page
    assert "Disperkim" in page
    assert "Hapus saringan" not in page
    # No way round it through the address.
    widened = text(
        client.get("/admin/follow-ups", query_string={"agency": agencies_work["their_agency"]})
    )
    assert "Pemutakhiran DTKS tiap triwulan" not in widened
    assert "Bedah rumah 25 unit di Krapyak" in widened
    # The menu leads nowhere else.
    assert 'href="/admin/"' not in page and "/admin/meetings" not in page


def test_a_focal_points_workbook_holds_its_agency_only(app, login, agencies_work):
    response = login("focal").get(
        "/admin/follow-ups.xlsx", query_string={"agency": agencies_work["their_agency"]}
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == ["Bedah rumah 25 unit di Krapyak"]


def test_a_focal_point_reports_on_its_own_follow_up(app, login, agencies_work, focal_point):
    client = login("focal")
    url = f"/admin/follow-ups/{agencies_work['own']}"
    page = text(client.get(url))
    assert "Laporkan kemajuan" in page
    # Where it came from, as words: the meeting and input pages are the secretariat's.
    assert "Rumah tidak layak huni di Krapyak" in page
    assert "/admin/meetings/" not in page
    response = client.post(
        f"{url}/progress",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "idempotency_key": hidden_value(page, "idempotency_key"),
            "status": "in_progress",
            "percent": "40",
            "note": "10 dari 25 rumah selesai dibedah.",
            "evidence": (io.BytesIO(PDF), "berita-acara.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        entry = db.session.scalar(
            select(FollowUpProgress).where(FollowUpProgress.follow_up_id == agencies_work["own"])
        )
        assert (entry.channel, entry.user_id, entry.percent) == ("focal", focal_point["user"], 40)
        entry_id = entry.id
    history = text(client.get(url)).split('id="riwayat"', 1)[1]
    assert "Akun focal point" in history and "Uji focal point" in history
    assert "10 dari 25 rumah selesai dibedah." in history
    download = client.get(f"{url}/evidence/{entry_id}")
    assert download.status_code == 200 and download.get_data() == PDF


def follow_up_urls(app, ids: dict) -> list[tuple[str, str, tuple]]:
    """Every follow_ups route that names a follow-up, an entry or an agency, filled with the
    other agency's: (method, url, allowed roles)."""
    values = {
        "follow_up_id": ids["theirs"],
        "entry_id": ids["their_entry"],
        "agency_id": ids["their_agency"],
        "meeting_id": ids["meeting"],  # a staff route kept with the follow-ups: 403
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("follow_ups.") or not rule.arguments:
            continue
        assert rule.arguments <= set(values), rule.rule  # a new kind of id: name it above
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<[^>]*\b{name}>", str(values[name]), url)
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", ())
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, url, roles))
    return urls


def test_another_agencys_follow_up_is_not_found_on_every_follow_up_route(app, login, agencies_work):
    client = login("focal")
    token = csrf_from(client, "/admin/follow-ups")
    walked = follow_up_urls(app, agencies_work)
    assert ("POST", f"/admin/follow-ups/{agencies_work['theirs']}/progress") in [
        (method, url) for method, url, _roles in walked
    ]
    for method, url, roles in walked:
        data = None
        if method == "POST":
            data = {"csrf_token": token, "status": "done", "percent": "100", "note": "Selesai."}
        response = client.open(url, method=method, data=data)
        expected = 404 if "focal" in roles else 403
        assert response.status_code == expected, (method, url, response.status_code)
    # Nothing was added to the other agency's follow-up, and it is as it was.
    assert progress_count(app, agencies_work["theirs"]) == 1
    with app.app_context():
        theirs = db.session.get(FollowUp, agencies_work["theirs"])
        assert (theirs.status, theirs.percent) == ("open", 0)
    # Nor to one without an agency yet.
    response = client.get(f"/admin/follow-ups/{agencies_work['unassigned']}")
    assert response.status_code == 404


def test_the_secretariat_still_sees_every_agencys_follow_up(login, agencies_work):
    client = login("secretariat")
    for key in ("own", "theirs", "unassigned"):
        assert client.get(f"/admin/follow-ups/{agencies_work[key]}").status_code == 200
    page = text(client.get("/admin/follow-ups"))
    assert re.search(r'id="result-count">\s*3 tindak lanjut', page)


def test_a_focal_point_is_refused_the_rest_of_the_staff_side(login, agencies_work, meeting):
    client = login("focal")
    for url in (
        "/admin/",
        f"/admin/meetings/{meeting.id}",
        f"/admin/meetings/{meeting.id}/inputs/{agencies_work['submission']}",
        "/admin/users/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_staff_page_tells_a_focal_point_it_is_not_for_its_account(app, login, agencies_work):
    client = login("focal")
    response = client.get(f"/admin/meetings/{agencies_work['meeting']}")
    page = text(response)
    assert response.status_code == 403
    assert "Halaman ini bukan untuk akun Anda" in page
    assert 'href="/admin/follow-ups">Ke halaman awal akun Anda</a>' in page


def test_a_focal_points_register_offers_its_workbook_and_only_its_meetings(
    app, login, make_meeting, agencies_work, focal_point
):
    make_meeting(code="rakor-lain", title="Rapat Lain Tanpa Disperkim")
    client = login("focal")
    page = text(client.get("/admin/follow-ups"))
    workbook_page = f"/admin/follow-ups/agency/{focal_point['agency']}"
    assert f'href="{workbook_page}"' in page
    assert "Rapat Lain Tanpa Disperkim" not in page
    assert "Pengingat dan surat permintaan laporan" not in page
    staff_page = text(login("secretariat").get("/admin/follow-ups"))
    assert "Rapat Lain Tanpa Disperkim" in staff_page
    assert 'href="/admin/follow-ups/reminders"' in staff_page
    assert 'href="/admin/agency-links"' in staff_page


def test_a_focal_point_reports_on_open_follow_ups_only_and_never_cancels(app, login, agencies_work):
    client = login("focal")
    own = f"/admin/follow-ups/{agencies_work['own']}"
    page = text(client.get(own))
    assert 'value="cancelled"' not in page
    token = csrf_from(client, own)
    cancel = {"csrf_token": token, "status": "cancelled", "percent": "0", "note": ""}
    assert client.post(f"{own}/progress", data=cancel).status_code == 422
    secretariat = login("secretariat")
    done = {"csrf_token": csrf_from(secretariat, own), "status": "done", "percent": "100"}
    assert secretariat.post(f"{own}/progress", data=done).status_code == 303
    page = text(client.get(own))
    assert "hanya sekretariat yang dapat membukanya kembali" in page
    assert 'action="' + own + '/progress"' not in page
    reopen = {"csrf_token": token, "status": "in_progress", "percent": "50", "note": ""}
    assert client.post(f"{own}/progress", data=reopen).status_code == 422
    assert progress_count(app, agencies_work["own"]) == 1
