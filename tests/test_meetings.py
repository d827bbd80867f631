"""Preparing and running a meeting: the list, create and edit, the agenda, status, live intake."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.extensions import db
from app.models import AgendaItem, AuditEvent, FollowUp, Meeting, Pillar, Submission
from app.models.base import utcnow
from tests.helpers import csrf_from

NEW = "/admin/meetings/new"


def page_text(response) -> str:
    return response.get_data(as_text=True)


def url(meeting_id: int, rest: str = "") -> str:
    return f"/admin/meetings/{meeting_id}{rest}"


def stored_meeting(app, **where) -> Meeting | None:
    """The meeting row with its pillars and agenda loaded, detached from the session."""
    with app.app_context():
        meeting = db.session.scalar(db.select(Meeting).filter_by(**where))
        if meeting is not None:
            meeting.pillar_codes = [p.code for p in meeting.pillars]
            meeting.agenda = [(i.position, i.title, i.discussion) for i in meeting.agenda_items]
            db.session.expunge(meeting)
        return meeting


def meeting_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Meeting))


def audit_events(app, meeting_id: int | None = None) -> list[dict]:
    """Audit events of meeting work (the `staff` fixture's account creations left out)."""
    with app.app_context():
        query = (
            db.select(AuditEvent).where(AuditEvent.entity_type != "User").order_by(AuditEvent.id)
        )
        if meeting_id is not None:
            query = query.filter_by(meeting_id=meeting_id)
        return [
            {
                "user_id": e.user_id,
                "meeting_id": e.meeting_id,
                "entity": e.entity_type,
                "entity_id": e.entity_id,
                "action": e.action,
                "before": e.before,
                "after": e.after,
            }
            for e in db.session.scalars(query)
        ]


def pillar_ids(app) -> dict[str, int]:
    with app.app_context():
        return {p.code: p.id for p in db.session.scalars(db.select(Pillar))}


def agenda_items(app, meeting_id: int) -> list[tuple[int, int, str, str]]:
    """(id, position, title, discussion) in agenda order."""
    with app.app_context():
        items = db.session.scalars(
            db.select(AgendaItem).filter_by(meeting_id=meeting_id).order_by(AgendaItem.position)
        )
        return [(i.id, i.position, i.title, i.discussion) for i in items]


def add_agenda(app, meeting_id: int, *titles: str, discussion: str = "") -> list[int]:
    with app.app_context():
        items = [
            AgendaItem(meeting_id=meeting_id, position=n, title=t, discussion=discussion)
            for n, t in enumerate(titles, start=1)
        ]
        db.session.add_all(items)
        db.session.commit()
        return [item.id for item in items]


def meeting_form(client, form_url: str, **fields) -> dict:
    """A complete, valid meeting form as a browser sends it (pillar ids as a list)."""
    data = {
        "csrf_token": csrf_from(client, form_url),
        "title": "Rakor Penanggulangan Kemiskinan Triwulan II",
        "date": "2024-05-14",
        "start_time": "09:00",
        "end_time": "12:00",
        "venue": "Aula Bappeda Kota Pekalongan",
        "chair_name": "Dr. Sri Wahyuni",
        "chair_position": "Sekretaris Daerah",
        "chair_nip": "19700101 199003 1 001",
        "notetaker_name": "Budi Santoso",
        "notetaker_position": "Analis Perencanaan",
        "notetaker_nip": "198505052010011002",
        "opens_at": "2024-05-14T08:00",
        "closes_at": "2024-05-14T12:30",
        "access_code": "tw2x24pklrkz",
        "pillars": [],
        "code": "rakor-tw2",
    }
    data.update(fields)
    return data


def errors_of(html: str) -> dict[str, str]:
    """The message printed beside each field, by the field's id."""
    found = re.findall(
        r'<p class="field-error" id="([^"]+)-error">(?:<span[^>]*>[^<]*</span>)?\s*(.*?)</p>',
        html,
        re.S,
    )
    return {field_id: message.strip() for field_id, message in found}


# --- the list -------------------------------------------------------------------------------------


def test_the_list_offers_create_to_writers_and_links_every_meeting(login, meeting):
    page = page_text(login("secretariat").get("/admin/"))
    assert 'href="/admin/meetings/new"' in page
    assert "Buat rapat" in page
    assert f'href="/admin/meetings/{meeting.id}"' in page

    page = page_text(login("viewer").get("/admin/"))
    assert f'href="/admin/meetings/{meeting.id}"' in page
    assert "Buat rapat" not in page
    assert "/admin/meetings/new" not in page


def test_staff_pages_need_sign_in(client, meeting):
    for path in ("/admin/", url(meeting.id), url(meeting.id, "/live.json"), NEW):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# --- create ---------------------------------------------------------------------------------------


def test_creating_a_meeting_stores_every_field_in_draft_and_audits_it(app, login, staff):
    client = login("secretariat")
    ids = pillar_ids(app)
    data = meeting_form(
        client,
        NEW,
        pillars=[str(ids["P1"]), str(ids["P3"])],
        agenda="Pembukaan\n\n  Paparan capaian indikator  \nDiskusi usulan\n",
    )
    response = client.post(NEW, data=data)

    assert response.status_code == 303
    meeting = stored_meeting(app, code="rakor-tw2")
    assert response.headers["Location"] == url(meeting.id)
    assert meeting.status == "draft"
    assert meeting.title == "Rakor Penanggulangan Kemiskinan Triwulan II"
    assert meeting.date == date(2024, 5, 14)
    assert (meeting.start_time, meeting.end_time) == (time(9, 0), time(12, 0))
    assert meeting.venue == "Aula Bappeda Kota Pekalongan"
    assert (meeting.chair_name, meeting.chair_position, meeting.chair_nip) == (
        "Dr. Sri Wahyuni",
        "Sekretaris Daerah",
        "19700101 199003 1 001",
    )
    assert (meeting.notetaker_name, meeting.notetaker_nip) == (
        "Budi Santoso",
        "19850505 201001 1 002",
    )
    # 08:00 and 12:30 in Jakarta (UTC+7), stored as UTC.
    assert meeting.opens_at == datetime(2024, 5, 14, 1, 0, tzinfo=UTC)
    assert meeting.closes_at == datetime(2024, 5, 14, 5, 30, tzinfo=UTC)
    assert meeting.access_code == "TW2X24PKLRKZ"
    assert meeting.pillar_codes == ["P1", "P3"]
    assert meeting.agenda == [
        (1, "Pembukaan", ""),
        (2, "Paparan capaian indikator", ""),
        (3, "Diskusi usulan", ""),
    ]

    events = audit_events(app, meeting.id)
    created = [e for e in events if e["entity"] == "Meeting"]
    assert len(created) == 1
    assert created[0]["action"] == "create"
    assert created[0]["user_id"] == staff["secretariat"]
    assert created[0]["before"] is None
    assert created[0]["after"]["code"] == "rakor-tw2"
    assert created[0]["after"]["access_code"] == "TW2X24PKLRKZ"
    assert created[0]["after"]["pillars"] == ["P1", "P3"]
    assert created[0]["after"]["opens_at"] == "2024-05-14T01:00:00+00:00"
    assert [e["after"]["title"] for e in events if e["entity"] == "AgendaItem"] == [
        "Pembukaan",
        "Paparan capaian indikator",
        "Diskusi usulan",
    ]

    page = page_text(client.get(url(meeting.id)))
    assert "Rapat dibuat sebagai draf" in page
    assert "Selasa, 14 Mei 2024" in page
    assert "TW2X-24PK-LRKZ" in page  # read aloud in groups of four


def test_the_new_form_suggests_a_short_unambiguous_code_and_an_empty_one_is_generated(app, login):
    client = login("secretariat")
    page = page_text(client.get(NEW))
    suggested = re.search(r'name="code"[^>]*value="([^"]*)"', page).group(1)
    assert re.fullmatch(r"[23456789abcdefghjkmnpqrstuvwxyz]{6}", suggested)

    response = client.post(NEW, data=meeting_form(client, NEW, code="", agenda=""))
    assert response.status_code == 303
    with app.app_context():
        code = db.session.scalar(db.select(Meeting.code))
    assert re.fullmatch(r"[23456789abcdefghjkmnpqrstuvwxyz]{6}", code)


def test_no_pillar_ticked_means_every_active_pillar_on_the_public_form(app, client, login):
    secretariat = login("secretariat")
    data = meeting_form(secretariat, NEW, code="semua-pilar", opens_at="", closes_at="")
    assert secretariat.post(NEW, data=data).status_code == 303
    meeting = stored_meeting(app, code="semua-pilar")
    assert meeting.pillar_codes == []

    token = csrf_from(secretariat, NEW)
    response = secretariat.post(url(meeting.id, "/open"), data={"csrf_token": token})
    assert response.status_code == 303
    public = page_text(client.get("/m/semua-pilar"))
    for name in (
        "Pengurangan beban pengeluaran masyarakat berbasis keluarga",
        "Peningkatan pendapatan masyarakat berbasis pemberdayaan masyarakat",
        "Pemberdayaan usaha ekonomi mikro dan kecil",
        "Penurunan jumlah kantong kemiskinan",
    ):
        assert name in public


# --- validation -----------------------------------------------------------------------------------


def test_a_window_that_closes_before_it_opens_is_refused_and_everything_typed_is_kept(app, login):
    client = login("secretariat")
    data = meeting_form(
        client,
        NEW,
        title="Rakor <Khusus> Stunting",
        opens_at="2024-05-14T12:00",
        closes_at="2024-05-14T08:00",
    )
    response = client.post(NEW, data=data)

    assert response.status_code == 422
    page = page_text(response)
    assert errors_of(page)["closes_at"] == "Waktu tutup harus setelah waktu buka."
    assert 'id="error-summary"' in page
    assert 'href="#closes_at"' in page
    assert 'value="Rakor &lt;Khusus&gt; Stunting"' in page
    assert 'value="2024-05-14T12:00"' in page
    assert 'value="2024-05-14T08:00"' in page
    assert 'value="Aula Bappeda Kota Pekalongan"' in page
    assert 'value="rakor-tw2"' in page
    assert meeting_count(app) == 0
    assert audit_events(app) == []


def test_a_code_already_in_use_is_refused_on_create_and_on_edit(app, login, make_meeting):
    first = make_meeting(code="rakor-uji")
    other = make_meeting(code="rakor-lain", title="Rakor lain")
    client = login("secretariat")

    response = client.post(NEW, data=meeting_form(client, NEW, code="Rakor-Uji"))
    assert response.status_code == 422
    taken = "Kode ini sudah dipakai rapat lain. Pilih kode lain."
    assert errors_of(page_text(response))["code"] == taken
    assert meeting_count(app) == 2

    edit = url(other.id, "/edit")
    response = client.post(edit, data=meeting_form(client, edit, code="rakor-uji"))
    assert response.status_code == 422
    assert errors_of(page_text(response))["code"] == taken
    assert stored_meeting(app, id=other.id).code == "rakor-lain"
    assert stored_meeting(app, id=first.id).code == "rakor-uji"
    assert audit_events(app) == []


ACCESS_CODE_FORMAT = "Kode akses 12–20 huruf atau angka, boleh dipisah tanda hubung."


@pytest.mark.parametrize(
    ("access_code", "message"),
    [
        ("ABC", ACCESS_CODE_FORMAT),
        ("K7QM--2XAB-9RTZ", ACCESS_CODE_FORMAT),
        ("K7QM_2XAB_9RTZ", ACCESS_CODE_FORMAT),
        ("-K7QM2XAB9RTZ", ACCESS_CODE_FORMAT),
        ("A" * 21, ACCESS_CODE_FORMAT),
    ],
)
def test_an_access_code_outside_the_allow_list_is_refused(app, login, access_code, message):
    client = login("secretariat")
    response = client.post(NEW, data=meeting_form(client, NEW, access_code=access_code))
    assert response.status_code == 422
    page = page_text(response)
    assert errors_of(page)["access_code"] == message
    assert f'value="{access_code}"' in page
    assert meeting_count(app) == 0


NIP_FORMAT = "NIP terdiri atas 18 angka, misalnya 19850312 201001 2 015."


@pytest.mark.parametrize(
    "nip", ["1985031220100120150", "19850312 201001 2 01", "1985O312201001201S", "NIP-123"]
)
def test_a_nip_that_is_not_18_digits_is_refused_with_what_was_typed(app, login, nip):
    client = login("secretariat")
    response = client.post(NEW, data=meeting_form(client, NEW, notetaker_nip=nip))
    assert response.status_code == 422
    page = page_text(response)
    assert errors_of(page)["notetaker_nip"] == NIP_FORMAT
    assert f'value="{nip}"' in page
    assert meeting_count(app) == 0


@pytest.mark.parametrize(
    "nip", ["198503122010012015", "19850312 201001 2 015", "19850312.201001.2.015"]
)
def test_a_nip_of_18_digits_is_taken_however_it_is_grouped(app, login, nip):
    client = login("secretariat")
    response = client.post(NEW, data=meeting_form(client, NEW, notetaker_nip=nip))
    assert response.status_code == 303
    assert stored_meeting(app, code="rakor-tw2").notetaker_nip == "19850312 201001 2 015"


@pytest.mark.parametrize("code", ["ab", "rakor uji", "rakor_uji", "-rakor", "rakor/../x", "a" * 41])
def test_a_public_code_outside_the_allow_list_is_refused(app, login, code):
    client = login("secretariat")
    response = client.post(NEW, data=meeting_form(client, NEW, code=code))
    assert response.status_code == 422
    assert errors_of(page_text(response))["code"].startswith("Kode alamat 3–40 karakter")
    assert meeting_count(app) == 0


def test_missing_fields_and_bad_values_are_explained_in_indonesian(app, login):
    client = login("secretariat")
    data = meeting_form(
        client,
        NEW,
        title="",
        venue="   ",
        date="14/05/2024",
        start_time="10:00",
        end_time="09:00",
        chair_nip="NIP-123",
        opens_at="besok pagi",
        pillars=["99999"],
    )
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert errors_of(page_text(response)) == {
        "title": "Isi nama rapat.",
        "venue": "Isi tempat rapat.",
        "date": "Tulis tanggal seperti 2024-01-23.",
        "end_time": "Waktu selesai harus setelah waktu mulai.",
        "chair_nip": "NIP terdiri atas 18 angka, misalnya 19850312 201001 2 015.",
        "opens_at": "Tulis tanggal dan jam seperti 2024-01-23 08:00.",
        "pillars": "Pilihan tidak tersedia. Pilih dari daftar.",
    }
    assert meeting_count(app) == 0


# --- edit -----------------------------------------------------------------------------------------


def test_editing_shows_the_window_in_local_time_and_audits_only_what_changed(
    app, login, make_meeting, staff
):
    meeting = make_meeting(
        opens_at=datetime(2024, 1, 23, 1, 0, tzinfo=UTC),
        closes_at=datetime(2024, 1, 23, 5, 0, tzinfo=UTC),
        access_code="RAKOR24",
    )
    client = login("secretariat")
    edit = url(meeting.id, "/edit")
    page = page_text(client.get(edit))
    assert 'value="2024-01-23T08:00"' in page
    assert 'value="2024-01-23T12:00"' in page
    assert 'value="RAKOR24"' in page
    assert 'value="rakor-uji"' in page
    assert "Selasa" not in page  # the form shows ISO values, the page shows words

    ids = pillar_ids(app)
    data = meeting_form(
        client,
        edit,
        title=meeting.title,
        date="2024-01-23",
        start_time="09:00",
        end_time="",
        venue="Gedung Kanjengan",
        chair_name=meeting.chair_name,
        chair_position=meeting.chair_position,
        chair_nip="",
        notetaker_name="",
        notetaker_position="",
        notetaker_nip="",
        opens_at="2024-01-23T08:00",
        closes_at="2024-01-23T12:00",
        access_code="pkl2024rakor9",
        pillars=[str(ids[code]) for code in ("P1", "P2", "P3", "P4")],
        code="rakor-uji",
    )
    response = client.post(edit, data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == url(meeting.id)

    saved = stored_meeting(app, id=meeting.id)
    assert saved.venue == "Gedung Kanjengan"
    assert saved.access_code == "PKL2024RAKOR9"
    assert saved.opens_at == datetime(2024, 1, 23, 1, 0, tzinfo=UTC)
    assert saved.status == "open"

    events = audit_events(app, meeting.id)
    assert len(events) == 1
    assert events[0]["action"] == "update"
    assert events[0]["user_id"] == staff["secretariat"]
    assert events[0]["before"] == {"venue": meeting.venue, "access_code": "RAKOR24"}
    assert events[0]["after"] == {"venue": "Gedung Kanjengan", "access_code": "PKL2024RAKOR9"}

    # The same form again changes nothing and logs nothing.
    response = client.post(edit, data={**data, "csrf_token": csrf_from(client, edit)})
    assert response.status_code == 303
    assert "Tidak ada yang berubah." in page_text(client.get(url(meeting.id)))
    assert len(audit_events(app, meeting.id)) == 1


def test_changing_pillars_and_window_is_audited_with_before_and_after(app, login, make_meeting):
    meeting = make_meeting()
    client = login("admin")
    ids = pillar_ids(app)
    edit = url(meeting.id, "/edit")
    data = meeting_form(
        client,
        edit,
        pillars=[str(ids["P2"])],
        opens_at="",
        closes_at="2024-01-23T13:15",
        code="rakor-baru",
    )
    assert client.post(edit, data=data).status_code == 303
    saved = stored_meeting(app, id=meeting.id)
    assert saved.pillar_codes == ["P2"]
    assert saved.opens_at is None
    assert saved.closes_at == datetime(2024, 1, 23, 6, 15, tzinfo=UTC)
    assert saved.code == "rakor-baru"
    [event] = audit_events(app, meeting.id)
    assert event["before"]["pillars"] == ["P1", "P2", "P3", "P4"]
    assert event["after"]["pillars"] == ["P2"]
    assert event["before"]["closes_at"] is None
    assert event["after"]["closes_at"] == "2024-01-23T06:15:00+00:00"
    assert (event["before"]["code"], event["after"]["code"]) == ("rakor-uji", "rakor-baru")


def test_a_retired_pillar_keeps_its_link_when_the_meeting_is_edited(app, login, make_meeting):
    meeting = make_meeting()
    with app.app_context():
        p4 = db.session.scalar(db.select(Pillar).filter_by(code="P4"))
        p4.retired_at = utcnow()
        db.session.commit()
    client = login("secretariat")
    edit = url(meeting.id, "/edit")
    page = page_text(client.get(edit))
    assert "Penurunan jumlah kantong kemiskinan" not in page  # not offered any more
    ids = pillar_ids(app)
    data = meeting_form(client, edit, pillars=[str(ids["P1"])], code="rakor-uji")
    assert client.post(edit, data=data).status_code == 303
    assert stored_meeting(app, id=meeting.id).pillar_codes == ["P1", "P4"]


def test_a_finalised_meeting_cannot_be_edited_here(app, login, make_meeting):
    meeting = make_meeting(status="finalised")
    client = login("secretariat")
    edit = url(meeting.id, "/edit")
    response = client.get(edit)
    assert response.status_code == 303
    assert response.headers["Location"] == url(meeting.id)

    token = csrf_from(client, url(meeting.id, "/live"))
    response = client.post(edit, data=meeting_form(client, url(meeting.id, "/live"), venue="X"))
    assert response.status_code == 303
    assert stored_meeting(app, id=meeting.id).venue == meeting.venue

    for path in ("/open", "/close", "/draft"):
        response = client.post(url(meeting.id, path), data={"csrf_token": token})
        assert response.status_code == 409
    response = client.post(
        url(meeting.id, "/agenda"), data={"csrf_token": token, "new-title": "Tambahan"}
    )
    assert response.status_code == 409
    assert "sudah final" in page_text(response)
    assert agenda_items(app, meeting.id) == []
    assert stored_meeting(app, id=meeting.id).status == "finalised"
    assert audit_events(app) == []

    page = page_text(client.get(url(meeting.id)))
    assert "Ubah data rapat" not in page
    assert "Notulen rapat ini sudah final" in page


# --- who may do what ------------------------------------------------------------------------------


def test_a_viewer_gets_403_on_every_write_route_and_changes_nothing(app, login, meeting):
    [item_id] = add_agenda(app, meeting.id, "Pembukaan")
    viewer = login("viewer")
    token = csrf_from(viewer, url(meeting.id, "/live"))
    writes = [
        ("get", NEW, {}),
        ("post", NEW, {"title": "Rakor viewer"}),
        ("get", url(meeting.id, "/edit"), {}),
        ("post", url(meeting.id, "/edit"), {"venue": "X"}),
        ("get", url(meeting.id, "/agenda"), {}),
        ("post", url(meeting.id, "/agenda"), {"new-title": "Baru"}),
        ("post", url(meeting.id, f"/agenda/{item_id}"), {f"item-{item_id}-title": "Ganti"}),
        ("post", url(meeting.id, f"/agenda/{item_id}/move"), {"direction": "down"}),
        ("post", url(meeting.id, f"/agenda/{item_id}/delete"), {}),
        ("post", url(meeting.id, "/open"), {}),
        ("post", url(meeting.id, "/close"), {}),
        ("post", url(meeting.id, "/draft"), {}),
    ]
    for method, path, data in writes:
        if method == "get":
            response = viewer.get(path)
        else:
            response = viewer.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, (method, path)
    assert stored_meeting(app, id=meeting.id).status == "open"
    assert agenda_items(app, meeting.id) == [(item_id, 1, "Pembukaan", "")]
    assert meeting_count(app) == 1
    assert audit_events(app) == []


def test_a_viewer_reads_the_meeting_page_without_edit_buttons(login, meeting):
    page = page_text(login("viewer").get(url(meeting.id)))
    assert meeting.title in page
    assert "/poster.pdf" in page
    assert "/live" in page
    for writer_only in ("Ubah data rapat", "Atur agenda", "Tutup penerimaan masukan", "/edit"):
        assert writer_only not in page


def test_every_meetings_route_declares_its_roles(app):
    from app.auth.access import READ, WRITE

    expected_write = {
        "meetings.create",
        "meetings.edit",
        "meetings.agenda",
        "meetings.add_agenda_item",
        "meetings.rename_agenda_item",
        "meetings.move_agenda_item",
        "meetings.delete_agenda_item",
        "meetings.open_meeting",
        "meetings.close_meeting",
        "meetings.return_to_draft",
    }
    for endpoint, view in app.view_functions.items():
        if not endpoint.startswith("meetings."):
            continue
        roles = getattr(view, "allowed_roles", None)
        assert roles == (WRITE if endpoint in expected_write else READ), endpoint


# --- the agenda -----------------------------------------------------------------------------------


def test_agenda_items_are_added_renamed_moved_and_removed_keeping_discussions(
    app, login, meeting, staff
):
    first, second, third = add_agenda(app, meeting.id, "Pembukaan", "Paparan", "Diskusi")
    with app.app_context():
        db.session.get(AgendaItem, second).discussion = "Kepala Bappeda memaparkan capaian."
        db.session.commit()
    client = login("secretariat")
    agenda = url(meeting.id, "/agenda")
    page = page_text(client.get(agenda))
    assert 'value="Paparan"' in page
    token = csrf_from(client, agenda)

    response = client.post(agenda, data={"csrf_token": token, "new-title": "Penutup"})
    assert response.status_code == 303
    assert response.headers["Location"] == agenda

    response = client.post(
        url(meeting.id, f"/agenda/{second}"),
        data={"csrf_token": token, f"item-{second}-title": "Paparan capaian 2023"},
    )
    assert response.status_code == 303

    response = client.post(
        url(meeting.id, f"/agenda/{second}/move"), data={"csrf_token": token, "direction": "up"}
    )
    assert response.status_code == 303
    client.post(
        url(meeting.id, f"/agenda/{third}/move"), data={"csrf_token": token, "direction": "down"}
    )
    # Moving the first item up changes nothing.
    client.post(
        url(meeting.id, f"/agenda/{second}/move"), data={"csrf_token": token, "direction": "up"}
    )

    items = agenda_items(app, meeting.id)
    assert [(position, title) for _id, position, title, _d in items] == [
        (1, "Paparan capaian 2023"),
        (2, "Pembukaan"),
        (3, "Penutup"),
        (4, "Diskusi"),
    ]
    assert items[0][3] == "Kepala Bappeda memaparkan capaian."
    added = items[2][0]

    response = client.post(url(meeting.id, f"/agenda/{first}/delete"), data={"csrf_token": token})
    assert response.status_code == 303
    assert [(p, t) for _i, p, t, _d in agenda_items(app, meeting.id)] == [
        (1, "Paparan capaian 2023"),
        (2, "Penutup"),
        (3, "Diskusi"),
    ]

    events = [e for e in audit_events(app, meeting.id) if e["entity"] == "AgendaItem"]
    assert [(e["action"], e["entity_id"]) for e in events] == [
        ("create", added),
        ("update", second),
        ("move", second),
        ("move", third),
        ("delete", first),
    ]
    assert all(e["user_id"] == staff["secretariat"] for e in events)
    assert events[1]["before"] == {"title": "Paparan"}
    assert events[1]["after"] == {"title": "Paparan capaian 2023"}
    assert events[2]["before"] == {"position": 2} and events[2]["after"] == {"position": 1}
    assert events[4]["before"]["title"] == "Pembukaan"


def test_removing_an_item_with_a_discussion_needs_confirmation(app, login, meeting):
    [item_id] = add_agenda(app, meeting.id, "Paparan", discussion="Catatan pembahasan.")
    client = login("secretariat")
    agenda = url(meeting.id, "/agenda")
    token = csrf_from(client, agenda)

    response = client.post(url(meeting.id, f"/agenda/{item_id}/delete"), data={"csrf_token": token})
    assert response.status_code == 422
    assert "Centang konfirmasi" in page_text(response)
    assert len(agenda_items(app, meeting.id)) == 1

    response = client.post(
        url(meeting.id, f"/agenda/{item_id}/delete"),
        data={"csrf_token": token, f"delete-{item_id}-confirm": "y"},
    )
    assert response.status_code == 303
    assert agenda_items(app, meeting.id) == []
    [event] = audit_events(app, meeting.id)
    assert event["action"] == "delete"
    assert event["before"]["discussion"] == "Catatan pembahasan."


def test_an_empty_agenda_title_is_refused_and_the_rest_is_unchanged(app, login, meeting):
    [item_id] = add_agenda(app, meeting.id, "Pembukaan")
    client = login("secretariat")
    token = csrf_from(client, url(meeting.id, "/agenda"))
    response = client.post(
        url(meeting.id, f"/agenda/{item_id}"),
        data={"csrf_token": token, f"item-{item_id}-title": " "},
    )
    assert response.status_code == 422
    assert errors_of(page_text(response)) == {f"item-{item_id}-title": "Isi judul acara."}
    response = client.post(url(meeting.id, "/agenda"), data={"csrf_token": token, "new-title": ""})
    assert response.status_code == 422
    assert errors_of(page_text(response)) == {"new-title": "Isi judul acara."}
    assert agenda_items(app, meeting.id) == [(item_id, 1, "Pembukaan", "")]


def test_an_agenda_item_of_another_meeting_is_not_found(app, login, make_meeting):
    ours = make_meeting(code="rakor-kami")
    theirs = make_meeting(code="rakor-mereka")
    [their_item] = add_agenda(app, theirs.id, "Milik rapat lain")
    client = login("secretariat")
    token = csrf_from(client, url(ours.id, "/agenda"))
    for path, data in (
        (f"/agenda/{their_item}", {f"item-{their_item}-title": "Diambil alih"}),
        (f"/agenda/{their_item}/move", {"direction": "up"}),
        (f"/agenda/{their_item}/delete", {f"delete-{their_item}-confirm": "y"}),
    ):
        response = client.post(url(ours.id, path), data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    assert (
        client.post(
            url(ours.id, "/agenda/999999/move"), data={"csrf_token": token, "direction": "up"}
        ).status_code
        == 404
    )
    assert agenda_items(app, theirs.id) == [(their_item, 1, "Milik rapat lain", "")]
    assert audit_events(app) == []


def test_unknown_meetings_are_not_found(login):
    client = login("secretariat")
    for path in ("", "/edit", "/agenda", "/live", "/live.json", "/poster.pdf"):
        assert client.get(url(424242, path)).status_code == 404, path


# --- the meeting's life ---------------------------------------------------------------------------


def status_change(client, meeting_id: int, change: str):
    token = csrf_from(client, url(meeting_id, "/live"))
    return client.post(url(meeting_id, f"/{change}"), data={"csrf_token": token})


def test_a_meeting_goes_draft_open_closed_open_and_back_to_draft(app, client, login, make_meeting):
    meeting = make_meeting(status="draft")
    secretariat = login("secretariat")
    assert client.get("/m/rakor-uji").status_code == 404  # a draft is not public

    response = status_change(secretariat, meeting.id, "open")
    assert response.status_code == 303
    assert response.headers["Location"] == url(meeting.id)
    assert stored_meeting(app, id=meeting.id).status == "open"
    assert client.get("/m/rakor-uji").status_code == 200

    before_close = utcnow()
    assert status_change(secretariat, meeting.id, "close").status_code == 303
    closed = stored_meeting(app, id=meeting.id)
    assert closed.status == "closed"
    assert before_close <= closed.closed_at <= utcnow()
    assert "Penerimaan masukan sudah ditutup" in page_text(client.get("/m/rakor-uji"))

    assert status_change(secretariat, meeting.id, "open").status_code == 303
    reopened = stored_meeting(app, id=meeting.id)
    assert (reopened.status, reopened.closed_at) == ("open", None)

    assert status_change(secretariat, meeting.id, "draft").status_code == 303
    assert stored_meeting(app, id=meeting.id).status == "draft"

    events = audit_events(app, meeting.id)
    assert [e["action"] for e in events] == ["open", "close", "open", "return_to_draft"]
    assert events[0]["before"] == {"status": "draft"} and events[0]["after"] == {"status": "open"}
    assert events[1]["after"]["status"] == "closed"
    assert events[1]["after"]["closed_at"] == closed.closed_at.isoformat()
    assert events[2]["after"] == {"status": "open", "closed_at": None}


def test_a_meeting_with_input_cannot_go_back_to_draft(
    app, login, meeting, submit, valid_submission
):
    assert submit(meeting.code, valid_submission).status_code == 303
    client = login("secretariat")
    page = page_text(client.get(url(meeting.id)))
    assert "Kembalikan ke draf" not in page

    response = status_change(client, meeting.id, "draft")
    assert response.status_code == 409
    assert "tidak dapat dikembalikan ke draf" in page_text(response)
    assert stored_meeting(app, id=meeting.id).status == "open"
    assert audit_events(app) == []


def test_transitions_that_do_not_apply_are_refused(app, login, make_meeting):
    draft = make_meeting(status="draft", code="rakor-draf")
    opened = make_meeting(code="rakor-buka")
    client = login("secretariat")
    assert status_change(client, draft.id, "close").status_code == 409
    assert status_change(client, draft.id, "draft").status_code == 409
    assert status_change(client, opened.id, "open").status_code == 409
    assert stored_meeting(app, id=draft.id).status == "draft"
    assert stored_meeting(app, id=opened.id).status == "open"
    assert audit_events(app) == []


def test_a_meeting_whose_window_has_ended_is_not_reopened_until_the_window_moves(
    app, login, make_meeting
):
    meeting = make_meeting(status="closed", closes_at=utcnow() - timedelta(hours=1))
    client = login("secretariat")
    response = status_change(client, meeting.id, "open")
    assert response.status_code == 409
    assert "Waktu tutup masukan sudah lewat" in page_text(response)
    assert stored_meeting(app, id=meeting.id).status == "closed"


def test_a_get_does_not_change_the_status(app, login, meeting):
    client = login("secretariat")
    assert client.get(url(meeting.id, "/close")).status_code == 405
    assert stored_meeting(app, id=meeting.id).status == "open"


def test_a_status_change_without_csrf_token_is_refused(app, login, meeting):
    client = login("secretariat")
    assert client.post(url(meeting.id, "/close")).status_code == 400
    assert stored_meeting(app, id=meeting.id).status == "open"


# --- the meeting page -----------------------------------------------------------------------------


def test_the_meeting_page_shows_facts_window_counts_qr_and_access_code(
    app, login, make_meeting, submit, valid_submission
):
    meeting = make_meeting(
        access_code="PKL24",
        end_time=time(12, 0),
        notetaker_name="Budi Santoso",
        opens_at=datetime(2024, 1, 23, 1, 0, tzinfo=UTC),
        closes_at=utcnow() + timedelta(days=1),
    )
    add_agenda(app, meeting.id, "Pembukaan", "Paparan capaian")
    assert submit(meeting.code, {**valid_submission, "access_code": "pkl24"}).status_code == 303
    assert (
        submit(
            meeting.code, {**valid_submission, "access_code": "PKL24", "title": "Bedah rumah RTLH"}
        ).status_code
        == 303
    )
    with app.app_context():
        db.session.execute(
            db.update(Submission)
            .where(Submission.title == "Bedah rumah RTLH")
            .values(status="accepted")
        )
        db.session.commit()

    page = page_text(login("secretariat").get(url(meeting.id)))
    assert meeting.title in page
    assert "Selasa, 23 Januari 2024" in page
    assert "09.00 WIB – 12.00 WIB" in page
    assert "Ruang Jlamprang Setda Kota Pekalongan" in page
    assert "Achmad Afzan Arslan Djunaid, Wali Kota Pekalongan" in page
    assert "Budi Santoso" in page
    assert "Selasa, 23 Januari 2024 08.00 WIB" in page  # opens_at in local time
    assert "Dibuka untuk masukan" in page
    assert "Saat ini menerima masukan." in page
    assert page.count("PKL24") >= 2  # the facts and under the QR
    assert "http://localhost/m/rakor-uji" in page
    assert "<svg" in page and "<path" in page
    counts = re.search(r"<strong>(\d+)</strong> masukan diterima", page)
    assert counts and counts.group(1) == "2"
    assert re.search(r"Diterima, menunggu tinjauan</th><td[^>]*>1<", page)
    assert re.search(r"Disetujui</th><td[^>]*>1<", page)
    assert re.search(r"Digabung dengan masukan serupa</th><td[^>]*>0<", page)
    assert "<li>Pembukaan</li>" in page and "<li>Paparan capaian</li>" in page
    # The links to other areas' pages: none of their endpoints exist in this test app
    # unless they have been built; the block renders either way.
    assert 'id="links-title"' in page
    assert "Agus Priyanto" not in page


def test_the_meeting_page_links_its_work_and_every_document_in_each_form(login, meeting):
    page = page_text(login("secretariat").get(url(meeting.id)))
    work = page[page.index('id="links-title"') : page.index('id="documents-title"')]
    documents = page[page.index('id="documents-title"') :]
    base = f"/admin/meetings/{meeting.id}"
    for path in ("/inputs", "/record", "/record/attendees", "/parties", "/finalise", "/share"):
        assert f'href="{base}{path}"' in work, path
    for name in ("minutes", "evaluation", "attendance", "berita-acara", "laporan"):
        assert f'href="{base}/{name}"' in documents, name
        assert f'href="{base}/{name}.pdf"' in documents, name
        assert f'href="{base}/{name}.docx"' in documents, name
    for export in ("inputs.xlsx", "inputs-excel.csv", "inputs.csv", "rtl.xlsx"):
        assert f'href="{base}/{export}"' in documents, export


def test_user_text_is_escaped_on_the_meeting_page(app, login, make_meeting):
    meeting = make_meeting(title='<script>alert("x")</script>', venue="<b>Aula</b>")
    add_agenda(app, meeting.id, "<img src=x onerror=alert(1)>")
    page = page_text(login("viewer").get(url(meeting.id)))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<b>Aula</b>" not in page
    assert "<img src=x" not in page


# --- live intake ----------------------------------------------------------------------------------


@pytest.fixture
def three_submissions(app, meeting, submit, valid_submission):
    """Two inputs from a lurah (P2, usulan), one from an OPD (P3, kendala)."""
    from app.models import Agency

    with app.app_context():
        agency = db.session.scalar(db.select(Agency).order_by(Agency.id))
        if agency is None:
            agency = Agency(abbreviation="Dinsos", name="Dinas Sosial")
            db.session.add(agency)
            db.session.commit()
        agency_id = agency.id
    ids = pillar_ids(app)
    sent = [
        submit(meeting.code, valid_submission),
        submit(meeting.code, {**valid_submission, "title": "Posyandu lansia di Krapyak"}),
        submit(
            meeting.code,
            {
                **valid_submission,
                "submitter_name": "Siti Rahmawati",
                "phone": "0857-1111-2222",
                "role": "opd",
                "unit_kelurahan": "",
                "unit_agency": str(agency_id),
                "position": "Kepala Bidang",
                "kind": "kendala",
                "pillar": str(ids["P3"]),
                "title": "Data DTKS belum mutakhir",
            },
        ),
    ]
    assert [response.status_code for response in sent] == [303, 303, 303]
    return meeting


def counts_by_key(rows: list[dict]) -> dict[str, int]:
    return {row["key"]: row["count"] for row in rows}


def test_live_json_counts_the_inputs_by_pillar_kind_and_role(app, login, three_submissions):
    meeting = three_submissions
    response = login("viewer").get(url(meeting.id, "/live.json"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    data = response.get_json()

    assert data["meeting_id"] == meeting.id
    assert data["total"] == 3
    assert counts_by_key(data["by_pillar"]) == {"P1": 0, "P2": 2, "P3": 1, "P4": 0}
    assert counts_by_key(data["by_kind"]) == {"usulan": 2, "evaluasi": 0, "kendala": 1}
    assert counts_by_key(data["by_role"]) == {"lurah": 2, "camat": 0, "opd": 1, "stakeholder": 0}
    assert data["by_kind"][0]["label"] == "Usulan"
    assert [row["title"] for row in data["newest"]] == [
        "Data DTKS belum mutakhir",
        "Posyandu lansia di Krapyak",
        "Pelatihan membatik untuk pemuda putus sekolah",
    ]
    generated = datetime.fromisoformat(data["generated_at"])
    assert abs(generated - utcnow()) < timedelta(minutes=1)


def test_live_views_show_no_personal_data(app, login, three_submissions):
    meeting = three_submissions
    client = login("secretariat")
    body = client.get(url(meeting.id, "/live.json")).get_data(as_text=True)
    page = page_text(client.get(url(meeting.id, "/live")))
    for text in (body, page):
        for personal in (
            "Agus Priyanto",
            "Siti Rahmawati",
            "0812-2712-3456",
            "0857-1111-2222",
            "Lurah Krapyak",
            "Kepala Bidang",
        ):
            assert personal not in text
    data = json.loads(body)
    assert set(data) == {
        "meeting_id",
        "status",
        "total",
        "by_pillar",
        "by_kind",
        "by_role",
        "newest",
        "generated_at",
    }
    assert all(
        set(row) == {"title", "kind", "kind_label", "submitted_at"} for row in data["newest"]
    )


def test_the_live_page_shows_the_numbers_without_javascript(app, login, three_submissions):
    meeting = three_submissions
    page = page_text(login("viewer").get(url(meeting.id, "/live")))
    assert re.search(r"data-live-total>3<", page)
    assert "Data DTKS belum mutakhir" in page
    assert "Peningkatan pendapatan masyarakat berbasis pemberdayaan masyarakat" in page
    assert "<noscript>" in page and "muat ulang" in page
    assert f'data-live-url="/admin/meetings/{meeting.id}/live.json"' in page
    assert 'src="/static/js/live.js?v=' in page
    assert "<script>" not in page  # no inline script
    assert 'style="' not in page
    assert "http://localhost/m/rakor-uji" in page


def test_declined_and_merged_titles_leave_the_newest_list_but_still_count(
    app, login, three_submissions
):
    meeting = three_submissions
    with app.app_context():
        db.session.execute(
            db.update(Submission)
            .where(Submission.title == "Data DTKS belum mutakhir")
            .values(status="declined")
        )
        db.session.commit()
    data = login("viewer").get(url(meeting.id, "/live.json")).get_json()
    assert data["total"] == 3
    assert "Data DTKS belum mutakhir" not in [row["title"] for row in data["newest"]]


def test_the_newest_list_holds_ten_titles_and_counts_only_this_meeting(
    app, login, make_meeting, submit, valid_submission
):
    meeting = make_meeting(code="rakor-ini")
    other = make_meeting(code="rakor-itu")
    for n in range(12):
        response = submit(meeting.code, {**valid_submission, "title": f"Masukan nomor {n:02d}"})
        assert response.status_code == 303
    assert (
        submit(other.code, {**valid_submission, "title": "Masukan rapat lain"}).status_code == 303
    )

    data = login("viewer").get(url(meeting.id, "/live.json")).get_json()
    assert data["total"] == 12
    titles = [row["title"] for row in data["newest"]]
    assert len(titles) == 10
    assert titles[0] == "Masukan nomor 11"
    assert "Masukan nomor 01" not in titles
    assert "Masukan rapat lain" not in titles


# --- the access code ------------------------------------------------------------------------------


def test_a_new_access_code_must_be_long_enough_not_to_be_guessed(app, login):
    client = login("secretariat")
    response = client.post(NEW, data=meeting_form(client, NEW, access_code="PKL2024"))
    assert response.status_code == 422
    page = page_text(response)
    assert errors_of(page)["access_code"] == (
        "Kode akses paling sedikit 12 huruf atau angka, agar tidak dapat ditebak. "
        "Pakai kode acak yang disarankan, atau kosongkan bila tidak perlu."
    )
    assert 'value="PKL2024"' in page
    assert meeting_count(app) == 0


def test_the_form_suggests_a_random_access_code_of_twelve_unambiguous_characters(login):
    page = page_text(login("secretariat").get(NEW))
    suggested = re.search(r'id="access_code-suggestion">[^<]*: ([A-Z0-9]+)</p>', page).group(1)
    assert len(suggested) == 12
    assert not set(suggested) & set("01OIL")


# A code may be stored as it was typed, in small letters: it keeps working too.
@pytest.mark.parametrize("stored", ["RAKOR24", "rakor24"])
def test_a_short_access_code_stored_earlier_keeps_working(app, login, make_meeting, stored):
    meeting = make_meeting(access_code=stored)
    client = login("secretariat")
    edit = url(meeting.id, "/edit")
    data = meeting_form(
        client, edit, access_code=stored, code="rakor-uji", date="2024-01-23",
        opens_at="", closes_at="", venue="Gedung Kanjengan",
    )  # fmt: skip
    assert client.post(edit, data=data).status_code == 303
    saved = stored_meeting(app, id=meeting.id)
    assert (saved.venue, saved.access_code) == ("Gedung Kanjengan", "RAKOR24")
    assert "RAKOR24" in page_text(client.get(url(meeting.id)))


@pytest.mark.parametrize(
    "typed", ["K7QM-2XAB-9RTZ", "k7qm 2xab 9rtz", "k7qm2xab9rtz", "K7QM–2XAB–9RTZ"]
)
def test_the_access_code_is_typed_in_any_case_with_or_without_dashes_and_spaces(
    app, login, make_meeting, submit, valid_submission, typed
):
    meeting = make_meeting(access_code="K7QM2XAB9RTZ")
    page = page_text(login("viewer").get(url(meeting.id)))
    assert "K7QM-2XAB-9RTZ" in page  # shown in groups, to read aloud
    refused = submit(meeting.code, {**valid_submission, "access_code": "K7QM-2XAB-9RTX"})
    assert refused.status_code == 422
    assert submit(meeting.code, {**valid_submission, "access_code": typed}).status_code == 303


def test_an_access_code_typed_in_groups_is_kept_without_its_dashes(app, login):
    client = login("secretariat")
    response = client.post(NEW, data=meeting_form(client, NEW, access_code="k7qm-2xab-9rtz"))
    assert response.status_code == 303
    saved = stored_meeting(app)
    assert saved.access_code == "K7QM2XAB9RTZ"
    assert "K7QM-2XAB-9RTZ" in page_text(client.get(url(saved.id)))


# --- the meetings a meeting follows ----------------------------------------------------------


def add_follow_ups(app, meeting_id: int, *statuses: str) -> None:
    with app.app_context():
        for number, status in enumerate(statuses, start=1):
            db.session.add(
                FollowUp(meeting_id=meeting_id, action=f"Tindak lanjut {number}", status=status)
            )
        db.session.commit()


def predecessor_ids(app, meeting_id: int) -> list[int]:
    with app.app_context():
        return [m.id for m in db.session.get(Meeting, meeting_id).predecessors]


def test_a_new_meeting_offers_earlier_meetings_and_ticks_the_most_recent(app, login, make_meeting):
    older = make_meeting(code="rakor2023", title="Rakor Tahun 2023", date=date(2023, 1, 24))
    last = make_meeting(code="rakor2024", title="Rakor Tahun 2024", date=date(2024, 1, 23))
    add_follow_ups(app, last.id, "open", "in_progress", "done", "cancelled")
    page = page_text(login("secretariat").get(NEW))
    assert page.index("Rakor Tahun 2024") < page.index("Rakor Tahun 2023")  # most recent first
    assert "Rakor Tahun 2024 · Selasa, 23 Januari 2024 · 2 tindak lanjut belum selesai" in page
    ticked = re.findall(r'<input[^>]*name="predecessors"[^>]*>', page)
    assert [("checked" in tag, f'value="{last.id}"' in tag) for tag in ticked] == [
        (True, True),
        (False, False),
    ]
    assert older.id  # listed, not ticked


def test_a_meeting_that_follows_another_gets_the_evaluation_item_after_the_opening(
    app, login, make_meeting
):
    last = make_meeting(code="rakor2024", title="Rakor Tahun 2024", date=date(2024, 1, 23))
    client = login("secretariat")
    data = meeting_form(
        client, NEW, predecessors=[str(last.id)],
        agenda="Pembukaan oleh Kepala Bappeda\nPenyampaian masukan peserta\nKesepakatan",
    )  # fmt: skip
    assert client.post(NEW, data=data).status_code == 303
    saved = stored_meeting(app, code="rakor-tw2")
    assert predecessor_ids(app, saved.id) == [last.id]
    assert [title for _position, title, _text in saved.agenda] == [
        "Pembukaan oleh Kepala Bappeda",
        "Evaluasi tindak lanjut rapat sebelumnya",
        "Penyampaian masukan peserta",
        "Kesepakatan",
    ]
    created = [e for e in audit_events(app, saved.id) if e["entity"] == "Meeting"]
    assert created[0]["after"]["predecessors"] == [last.id]

    # Shown on the agenda page, with the earlier meeting linked.
    agenda = page_text(client.get(url(saved.id, "/agenda")))
    assert "Rapat sebelumnya yang dievaluasi" in agenda
    assert f'href="/admin/meetings/{last.id}"' in agenda


def test_an_agenda_without_opening_gets_the_item_first_and_never_twice(app, login, make_meeting):
    last = make_meeting(code="rakor2024", title="Rakor Tahun 2024", date=date(2024, 1, 23))
    draft = make_meeting(code="rakor-tw2", date=date(2024, 5, 14), status="draft")
    add_agenda(app, draft.id, "Paparan capaian", "Diskusi")
    client = login("secretariat")
    edit = url(draft.id, "/edit")
    data = meeting_form(client, edit, predecessors=[str(last.id)])
    assert client.post(edit, data=data).status_code == 303
    titles = [title for _id, _pos, title, _text in agenda_items(app, draft.id)]
    assert titles == ["Evaluasi tindak lanjut rapat sebelumnya", "Paparan capaian", "Diskusi"]
    events = audit_events(app, draft.id)
    update = next(e for e in events if e["entity"] == "Meeting" and e["action"] == "update")
    assert (update["before"]["predecessors"], update["after"]["predecessors"]) == ([], [last.id])
    assert any(e["entity"] == "AgendaItem" and e["action"] == "create" for e in events)

    # Saved again (another field changed): no second item.
    data = meeting_form(client, edit, predecessors=[str(last.id)], venue="Gedung Kanjengan")
    assert client.post(edit, data=data).status_code == 303
    assert len(agenda_items(app, draft.id)) == 3

    # Deleted by the secretariat, it does not come back when the form is saved again;
    # taking the predecessor away removes nothing from the agenda.
    item_id = agenda_items(app, draft.id)[0][0]
    delete = url(draft.id, f"/agenda/{item_id}/delete")
    token = csrf_from(client, url(draft.id, "/agenda"))
    assert client.post(delete, data={"csrf_token": token}).status_code == 303
    data = meeting_form(client, edit, predecessors=[str(last.id)], venue="Aula Bappeda")
    assert client.post(edit, data=data).status_code == 303
    assert len(agenda_items(app, draft.id)) == 2
    data = meeting_form(client, edit, predecessors=[])
    assert client.post(edit, data=data).status_code == 303
    assert predecessor_ids(app, draft.id) == []


def test_a_meeting_cannot_follow_a_later_meeting_or_itself(app, login, make_meeting):
    later = make_meeting(code="rakor2025", title="Rakor Tahun 2025", date=date(2025, 1, 21))
    client = login("secretariat")
    data = meeting_form(client, NEW, predecessors=[str(later.id)], venue="Gedung Kanjengan")
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    page = page_text(response)
    assert "Rapat sebelumnya harus bertanggal sebelum rapat ini" in errors_of(page)["predecessors"]
    assert 'value="Gedung Kanjengan"' in page  # what was typed stays
    assert stored_meeting(app, code="rakor-tw2") is None

    # On the edit form neither the meeting itself nor a later one is offered; sent anyway,
    # the choice is refused beside the field.
    edit = url(later.id, "/edit")
    earlier = make_meeting(code="rakor2024", title="Rakor Tahun 2024", date=date(2024, 1, 23))
    page = page_text(client.get(edit))
    assert f'name="predecessors" type="checkbox" value="{earlier.id}"' in page
    assert f'value="{later.id}"' not in re.findall(r'<input[^>]*name="predecessors"[^>]*>', page)
    for chosen in (later.id, 99999):
        data = meeting_form(
            client, edit, code="rakor2025", date="2025-01-21", predecessors=[chosen]
        )
        response = client.post(edit, data=data)
        assert response.status_code == 422
        assert "Pilihan tidak tersedia" in errors_of(page_text(response))["predecessors"]
    assert predecessor_ids(app, later.id) == []

    # Moving the meeting's date before the one it follows is refused too.
    data = meeting_form(
        client, edit, code="rakor2025", date="2024-01-01", predecessors=[str(earlier.id)]
    )
    response = client.post(edit, data=data)
    assert response.status_code == 422
    assert "Rakor Tahun 2024 tidak" in errors_of(page_text(response))["predecessors"]
    assert stored_meeting(app, id=later.id).date == date(2025, 1, 21)


def test_the_choice_is_frozen_with_the_finalised_record(app, login, make_meeting):
    earlier = make_meeting(code="rakor2024", title="Rakor Tahun 2024", date=date(2024, 1, 23))
    final = make_meeting(code="rakor2025", date=date(2025, 1, 21), status="finalised")
    client = login("secretariat")
    edit = url(final.id, "/edit")
    data = meeting_form(client, url(final.id), code="rakor2025", predecessors=[str(earlier.id)])
    response = client.post(edit, data=data)
    assert response.status_code == 303
    assert predecessor_ids(app, final.id) == []


def test_the_meeting_page_links_its_follow_ups_and_names_the_meetings_it_follows(
    app, login, make_meeting
):
    earlier = make_meeting(code="rakor-2023", title="Rakor Tahun 2023", date=date(2023, 1, 24))
    later = make_meeting(code="rakor-2024b", title="Rakor Tahun 2024")
    with app.app_context():
        db.session.get(Meeting, later.id).predecessors = [db.session.get(Meeting, earlier.id)]
        db.session.commit()
    page = page_text(login("viewer").get(f"/admin/meetings/{later.id}"))
    assert f'href="/admin/follow-ups?meeting={later.id}"' in page
    assert "Rapat ini mengevaluasi tindak lanjut:" in page
    assert f'href="/admin/meetings/{earlier.id}">Rakor Tahun 2023</a>' in page
