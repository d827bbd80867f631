"""The follow-up register: every meeting's follow-ups, filtered, counted, paged, exported."""

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.extensions import db
from app.follow_ups.register import RegisterFilters, register_page, rows_query
from app.i18n import local_today
from app.models import Agency, FollowUp, FollowUpProgress, Pillar
from tests.helpers import add_submission, text

REGISTER = "/admin/follow-ups"


def add_agency(app, abbreviation: str, name: str = "") -> int:
    with app.app_context():
        agency = Agency(abbreviation=abbreviation, name=name or f"Dinas {abbreviation}")
        db.session.add(agency)
        db.session.commit()
        return agency.id


def add_follow_up(app, meeting_id: int, action: str, **fields) -> int:
    """A follow-up stored directly; `status`/`percent`/`reported_on` as a report would leave
    them (with the matching history entry, so the page and the register agree)."""
    with app.app_context():
        follow_up = FollowUp(meeting_id=meeting_id, action=action, **fields)
        db.session.add(follow_up)
        db.session.flush()
        if fields.get("reported_on"):
            db.session.add(
                FollowUpProgress(
                    follow_up_id=follow_up.id,
                    reported_on=fields["reported_on"],
                    status=fields.get("status", "open"),
                    percent=fields.get("percent", 0),
                    note=fields.get("progress_note", ""),
                    channel="staff",
                )
            )
        db.session.commit()
        return follow_up.id


def register_titles(html: str) -> list[str]:
    """The actions in the register's table, in order."""
    return re.findall(r'<a href="/admin/follow-ups/\d+">([^<]+)</a>', html)


def row_of(html: str, action: str) -> str:
    match = re.search(
        rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(action)}(?:(?!</tr>).)*</tr>", html, re.S
    )
    assert match, f"no row for {action!r}"
    return match.group(0)


@pytest.fixture
def two_meetings(app, make_meeting) -> dict:
    """Two meetings a year apart, two agencies, follow-ups with and without an input."""
    with app.app_context():
        today = local_today()
    old = make_meeting(code="rakor-2023", title="Rakor Kemiskinan 2023", date=date(2023, 2, 7))
    new = make_meeting(code="rakor-2024", title="Rakor Kemiskinan 2024", date=date(2024, 1, 23))
    dinsos = add_agency(app, "Dinsos", "Dinas Sosial")
    dinkes = add_agency(app, "Dinkes", "Dinas Kesehatan")
    with app.app_context():
        p2 = db.session.scalar(select(Pillar.id).filter_by(code="P2"))
    batik = add_submission(app, new.id, title="Pelatihan membatik pemuda", pillar_id=p2)
    ids = {
        "old": old.id,
        "new": new.id,
        "dinsos": dinsos,
        "dinkes": dinkes,
        "late": add_follow_up(
            app, old.id, "Pemutakhiran DTKS tiap triwulan", agency_id=dinsos,
            deadline=today - timedelta(days=30), status="in_progress", percent=40,
            reported_on=date(2023, 5, 2),
        ),
        "posyandu": add_follow_up(
            app, old.id, "Posyandu lansia di setiap RW", agency_id=dinkes,
            deadline=today - timedelta(days=60), status="done", percent=100,
            reported_on=date(2023, 9, 1),
        ),
        "batik": add_follow_up(
            app, new.id, "Pelatihan batik 40 pemuda", agency_id=dinsos, submission_id=batik,
            deadline=today + timedelta(days=90),
        ),
        "undated": add_follow_up(app, new.id, "Sosialisasi pola asuh anak", agency_id=dinkes),
    }  # fmt: skip
    return ids


def test_the_register_lists_every_follow_up_by_deadline_with_its_state(login, two_meetings):
    page = text(login("viewer").get(REGISTER))
    # By deadline, the one without a deadline last.
    assert register_titles(page) == [
        "Posyandu lansia di setiap RW",
        "Pemutakhiran DTKS tiap triwulan",
        "Pelatihan batik 40 pemuda",
        "Sosialisasi pola asuh anak",
    ]
    late = row_of(page, "Pemutakhiran DTKS tiap triwulan")
    assert "Rakor Kemiskinan 2023" in late and "Selasa, 7 Februari 2023" in late
    assert "Dinsos" in late and "Sedang berjalan" in late and "40&nbsp;%" in late
    assert "Selasa, 2 Mei 2023" in late  # the last report
    assert "Terlambat" in late
    done = row_of(page, "Posyandu lansia di setiap RW")
    assert "Selesai" in done and "Terlambat" not in done  # past its deadline, but done
    batik = row_of(page, "Pelatihan batik 40 pemuda")
    assert "Belum dimulai" in batik and "Belum ada" in batik and "Terlambat" not in batik
    assert f'href="/admin/follow-ups/{two_meetings["batik"]}"' in batik
    assert "4 tindak lanjut" in page
    # The counts per status on top.
    counts = dict(
        (label, int(count))
        for count, label in re.findall(
            r'<span class="count">(\d+)</span> <span class="label">([^<]+)</span>', page
        )
    )
    assert counts == {"Belum dimulai": 2, "Sedang berjalan": 1, "Selesai": 1, "Dibatalkan": 0}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"agency": "dinsos"}, ["Pemutakhiran DTKS tiap triwulan", "Pelatihan batik 40 pemuda"]),
        ({"meeting": "old"}, ["Posyandu lansia di setiap RW", "Pemutakhiran DTKS tiap triwulan"]),
        ({"year": "2024"}, ["Pelatihan batik 40 pemuda", "Sosialisasi pola asuh anak"]),
        ({"pillar": "P2"}, ["Pelatihan batik 40 pemuda"]),
        (
            {"pillar": "none"},
            [
                "Posyandu lansia di setiap RW",
                "Pemutakhiran DTKS tiap triwulan",
                "Sosialisasi pola asuh anak",
            ],
        ),
        ({"status": "open"}, ["Pelatihan batik 40 pemuda", "Sosialisasi pola asuh anak"]),
        ({"overdue": "yes"}, ["Pemutakhiran DTKS tiap triwulan"]),
        ({"q": "BATIK"}, ["Pelatihan batik 40 pemuda"]),
        ({"q": "100%"}, []),  # a LIKE wildcard is a plain character
        ({"agency": "dinkes", "status": "done"}, ["Posyandu lansia di setiap RW"]),
    ],
)
def test_each_filter_narrows_the_register(app, login, two_meetings, args, expected):
    with app.app_context():
        p2 = db.session.scalar(select(Pillar.id).filter_by(code="P2"))
    names = {**{k: str(v) for k, v in two_meetings.items()}, "P2": str(p2)}
    query = {key: names.get(value, value) for key, value in args.items()}
    page = text(login("secretariat").get(REGISTER, query_string=query))
    assert register_titles(page) == expected
    assert f"{len(expected)} tindak lanjut" in page
    assert 'href="/admin/follow-ups">Hapus saringan</a>' in page
    # The export carries the same filters.
    export = re.search(r'href="(/admin/follow-ups\.xlsx[^"]*)"', page).group(1)
    for key, value in query.items():
        assert f"{key}=" in export, (key, value)
    if not expected:
        assert "Tidak ada tindak lanjut yang cocok dengan saringan ini." in page


def test_a_filter_value_that_makes_no_sense_is_ignored(login, two_meetings):
    page = text(
        login("viewer").get(
            REGISTER,
            query_string={"agency": "dinsos", "status": "lost", "year": "²⁰²⁴", "page": "x"},
        )
    )
    assert len(register_titles(page)) == 4
    assert "Hapus saringan" not in page


def test_the_counts_follow_the_other_filters_and_link_to_each_status(login, two_meetings):
    page = text(login("viewer").get(REGISTER, query_string={"agency": two_meetings["dinsos"]}))
    assert '<span class="count">1</span> <span class="label">Belum dimulai</span>' in page
    assert '<span class="count">1</span> <span class="label">Sedang berjalan</span>' in page
    assert '<span class="count">0</span> <span class="label">Selesai</span>' in page
    assert f'href="/admin/follow-ups?agency={two_meetings["dinsos"]}&amp;status=done"' in page


def test_an_empty_register_says_so(login):
    page = text(login("secretariat").get(REGISTER))
    assert "Belum ada tindak lanjut." in page
    assert "0 tindak lanjut" in page


def test_the_register_pages_by_fifty_and_keeps_the_filters(app, login, meeting):
    agency = add_agency(app, "Dinsos")
    with app.app_context():
        db.session.add_all(
            FollowUp(
                meeting_id=meeting.id,
                action=f"Tindakan nomor {n:03d}",
                agency_id=agency,
                deadline=date(2024, 1, 1) + timedelta(days=n),
            )
            for n in range(120)
        )
        db.session.commit()
    client = login("viewer")
    first = text(client.get(REGISTER, query_string={"q": "tindakan"}))
    assert "120 tindak lanjut" in first and "menampilkan 1–50" in first
    assert register_titles(first)[0] == "Tindakan nomor 000"
    assert len(register_titles(first)) == 50
    assert 'href="/admin/follow-ups?page=2&amp;q=tindakan"' in first
    second = text(client.get(REGISTER, query_string={"q": "tindakan", "page": "2"}))
    assert register_titles(second)[0] == "Tindakan nomor 050"
    assert "menampilkan 51–100" in second
    past_the_end = text(client.get(REGISTER, query_string={"page": "99"}))
    assert register_titles(past_the_end)[-1] == "Tindakan nomor 119"


def test_a_page_costs_two_queries_for_any_number_of_rows(app, meeting):
    """One query for the page's rows (every column it shows joined in), one for the counts."""
    agency = add_agency(app, "Dinsos")
    with app.app_context():
        p1 = db.session.scalar(select(Pillar.id).filter_by(code="P1"))
    submission = add_submission(app, meeting.id, pillar_id=p1)
    with app.app_context():
        db.session.add_all(
            FollowUp(
                meeting_id=meeting.id,
                action=f"Tindakan {n}",
                agency_id=agency if n % 2 else None,
                submission_id=submission if n % 3 == 0 else None,
                deadline=date(2024, 3, 1) if n % 5 else None,
            )
            for n in range(60)
        )
        db.session.commit()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with app.test_request_context():
                page = register_page(RegisterFilters(pillar=str(p1), year=2024), local_today())
                rows = [
                    (row.action, row.agency, row.receipt_code, row.meeting_title)
                    for row in page.rows
                ]
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 2
    assert page.total == 20 and len(rows) == 20
    assert all(row[2] and row[3] == meeting.title for row in rows)


def test_the_query_sorts_without_a_deadline_last_on_every_database(app, meeting):
    add_follow_up(app, meeting.id, "Tanpa tenggat")
    add_follow_up(app, meeting.id, "Tenggat Juni", deadline=date(2024, 6, 1))
    add_follow_up(app, meeting.id, "Tenggat Maret", deadline=date(2024, 3, 1))
    with app.app_context():
        actions = [
            row.action
            for row in db.session.execute(rows_query(RegisterFilters(), date(2024, 1, 1)))
        ]
    assert actions == ["Tenggat Maret", "Tenggat Juni", "Tanpa tenggat"]


# --- the workbook -----------------------------------------------------------------------------


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.get_data()))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_workbook_holds_the_filtered_register_without_personal_data(app, login, two_meetings):
    rows = sheet_rows(login("viewer").get("/admin/follow-ups.xlsx"))
    assert rows[0] == [
        "No", "Rapat", "Tanggal rapat", "Tindak lanjut", "Perangkat daerah", "Tenggat",
        "Status", "Persen", "Terlambat", "Laporan terakhir", "Catatan kemajuan",
        "Kode masukan asal",
    ]  # fmt: skip
    assert [row[3] for row in rows[1:]] == [
        "Posyandu lansia di setiap RW",
        "Pemutakhiran DTKS tiap triwulan",
        "Pelatihan batik 40 pemuda",
        "Sosialisasi pola asuh anak",
    ]
    late = rows[2]
    assert late[0] == 2 and late[1] == "Rakor Kemiskinan 2023"
    assert late[2].date() == date(2023, 2, 7)
    assert late[4] == "Dinsos" and late[6] == "Sedang berjalan" and late[7] == 40
    assert late[8] == "Ya" and late[9].date() == date(2023, 5, 2)
    batik = rows[3]
    assert batik[8] == "Tidak" and batik[9] is None
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", batik[11])
    assert rows[4][5] is None and rows[4][11] is None
    # The input's submitter (a participant's name) is nowhere in the file.
    flat = repr(rows)
    assert "Agus Priyanto" not in flat

    filtered = sheet_rows(
        login("viewer").get("/admin/follow-ups.xlsx", query_string={"overdue": "yes"})
    )
    assert [row[3] for row in filtered[1:]] == ["Pemutakhiran DTKS tiap triwulan"]


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(app, login, meeting):
    add_follow_up(app, meeting.id, '=HYPERLINK("http://contoh.test","klik")')
    response = login("viewer").get("/admin/follow-ups.xlsx")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    cell = workbook.active["D2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://contoh.test","klik")'
