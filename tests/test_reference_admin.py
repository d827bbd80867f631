"""The admin's reference data: letterhead and logo, regions, agencies, pillars, programs."""

import io
import os

import pytest
from PIL import Image

from app.auth.access import ADMIN, READ
from app.extensions import db
from app.models import (
    Agency,
    AuditEvent,
    IndicatorValue,
    Kecamatan,
    Kelurahan,
    Letterhead,
    Pillar,
    Program,
    Submission,
)
from tests.helpers import csrf_from, hidden_value


def text(response) -> str:
    return response.get_data(as_text=True)


def post(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """POST like a browser: with the CSRF token of the page that holds the form."""
    token = csrf_from(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def audit_events(app, entity_type: str, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = db.select(AuditEvent).filter_by(entity_type=entity_type)
        if action is not None:
            query = query.filter_by(action=action)
        events = db.session.scalars(query.order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return events


def row(app, model, **criteria):
    with app.app_context():
        found = db.session.scalar(db.select(model).filter_by(**criteria))
        if found is not None:
            db.session.expunge(found)
        return found


def count(app, model, **criteria) -> int:
    with app.app_context():
        query = db.select(db.func.count()).select_from(model).filter_by(**criteria)
        return db.session.scalar(query)


def add(app, entity) -> int:
    with app.app_context():
        db.session.add(entity)
        db.session.commit()
        return entity.id


def public_form(client, meeting) -> str:
    return text(client.get(f"/m/{meeting.code}"))


@pytest.fixture
def admin(login):
    return login("admin")


@pytest.fixture
def agency_id(app) -> int:
    return add(app, Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial P2KB"))


def test_the_index_links_every_section(admin):
    page = text(admin.get("/admin/reference/"))
    for url in ("letterhead", "regions", "agencies", "pillars", "programs"):
        assert f'href="/admin/reference/{url}"' in page


# --- the letterhead -----------------------------------------------------------------------

LETTERHEAD = {
    "government": "Pemerintah Kota Batang",
    "agency": "Bappelitbangda",
    "address": "Jl. Veteran No. 1, Batang",
    "contact": "(0285) 391234 · bappeda@batangkab.go.id",
    "city": "Batang",
    "page_size": "F4",
}


def image_bytes(size=(120, 60), image_format="PNG", noise=False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (11, 93, 59))
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def upload(admin, content: bytes, filename: str = "logo.png", **fields):
    data = {**LETTERHEAD, **fields, "logo": (io.BytesIO(content), filename)}
    return post(admin, "/admin/reference/letterhead", data, content_type="multipart/form-data")


def test_the_letterhead_page_shows_the_current_kop(admin):
    page = text(admin.get("/admin/reference/letterhead"))
    assert 'value="Pemerintah Kota Pekalongan"' in page
    assert 'value="Badan Perencanaan Pembangunan Daerah"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "Belum ada logo" in page


def test_saving_the_letterhead_changes_the_row_and_is_audited(app, admin, staff):
    response = post(admin, "/admin/reference/letterhead", LETTERHEAD)
    assert response.status_code == 303
    assert "Kop surat disimpan." in text(admin.get(response.headers["Location"]))
    letterhead = row(app, Letterhead, kind="agency")
    assert letterhead.government == "Pemerintah Kota Batang"
    assert letterhead.page_size == "F4"
    assert letterhead.contact == "(0285) 391234 · bappeda@batangkab.go.id"
    (event,) = audit_events(app, "Letterhead", "update")
    assert event.user_id == staff["admin"]
    assert event.before["government"] == "Pemerintah Kota Pekalongan"
    assert event.after["government"] == "Pemerintah Kota Batang"
    assert event.before["page_size"] == "A4" and event.after["page_size"] == "F4"
    assert "logo_sha256" not in event.after  # no logo, no change in it


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"government": ""}, "Isi nama pemerintah daerah."),
        ({"agency": "  "}, "Isi nama instansi."),
        ({"page_size": "Letter"}, "Pilih ukuran kertas A4 atau F4."),
        ({"city": "x" * 101}, "Paling panjang 100 karakter."),
    ],
)
def test_a_refused_letterhead_keeps_what_was_typed(app, admin, fields, message):
    response = post(admin, "/admin/reference/letterhead", {**LETTERHEAD, **fields})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert "Ada isian yang perlu diperbaiki" in page
    assert 'value="Jl. Veteran No. 1, Batang"' in page
    assert row(app, Letterhead, kind="agency").government == "Pemerintah Kota Pekalongan"
    assert audit_events(app, "Letterhead") == []


def test_a_png_logo_is_stored_and_served_back_as_png(app, admin, login):
    logo = image_bytes()
    response = upload(admin, logo)
    assert response.status_code == 303
    letterhead = row(app, Letterhead, kind="agency")
    assert letterhead.logo == logo
    assert letterhead.logo_mimetype == "image/png"
    assert letterhead.government == "Pemerintah Kota Batang"

    served = admin.get("/admin/reference/letterhead/logo")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == logo
    assert 'src="/admin/reference/letterhead/logo"' in text(
        admin.get("/admin/reference/letterhead")
    )

    # Everyone on the staff may see the logo (it is printed on every document).
    for role in ("secretariat", "viewer"):
        assert login(role).get("/admin/reference/letterhead/logo").data == logo

    (event,) = audit_events(app, "Letterhead", "update")
    assert event.before["logo_sha256"] is None
    assert len(event.after["logo_sha256"]) == 64
    assert event.after["logo_mimetype"] == "image/png"


def test_a_jpeg_logo_is_served_as_jpeg(admin):
    assert upload(admin, image_bytes(image_format="JPEG"), "logo.jpg").status_code == 303
    served = admin.get("/admin/reference/letterhead/logo")
    assert served.mimetype == "image/jpeg"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Ini hanya teks biasa, bukan gambar.\n", "Berkas ini bukan gambar PNG atau JPEG."),
        (SVG, "Berkas ini bukan gambar PNG atau JPEG."),
        (HTML, "Berkas ini bukan gambar PNG atau JPEG."),
        (image_bytes(image_format="GIF"), "Berkas ini bukan gambar PNG atau JPEG."),
        (image_bytes()[:200], "Gambar logo rusak atau tidak lengkap."),
        (image_bytes(size=(2001, 10)), "paling besar 2000 × 2000 piksel"),
        (
            image_bytes(size=(700, 700), noise=True),
            "Berkas logo terlalu besar; paling besar 1 MiB.",
        ),
    ],
    ids=["text", "svg", "html", "gif", "truncated", "too-wide", "oversize"],
)
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(app, admin, content, message):
    response = upload(admin, content, "logo.png", government="Pemerintah Kota Tegal")
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'value="Pemerintah Kota Tegal"' in page
    letterhead = row(app, Letterhead, kind="agency")
    assert letterhead.logo is None
    # All or nothing: the other fields were not saved either.
    assert letterhead.government == "Pemerintah Kota Pekalongan"
    assert admin.get("/admin/reference/letterhead/logo").status_code == 404


def test_saving_without_a_new_file_keeps_the_logo_and_remove_deletes_it(app, admin):
    logo = image_bytes()
    upload(admin, logo)
    assert post(admin, "/admin/reference/letterhead", LETTERHEAD).status_code == 303
    assert row(app, Letterhead, kind="agency").logo == logo

    url = "/admin/reference/letterhead/logo/remove"
    response = post(admin, url, {}, form_url="/admin/reference/letterhead")
    assert response.status_code == 303
    letterhead = row(app, Letterhead, kind="agency")
    assert letterhead.logo is None and letterhead.logo_mimetype is None
    assert admin.get("/admin/reference/letterhead/logo").status_code == 404
    (event,) = audit_events(app, "Letterhead", "remove_logo")
    assert event.before["logo_mimetype"] == "image/png"
    assert event.after == {"logo_mimetype": None, "logo_sha256": None, "logo_bytes": None}


# --- kecamatan and kelurahan ------------------------------------------------------------------


def test_the_regions_page_lists_kelurahan_under_their_kecamatan(admin):
    page = text(admin.get("/admin/reference/regions"))
    (north,) = [part for part in page.split("<section")[1:] if "Pekalongan Utara" in part]
    assert "Krapyak" in north
    assert "Medono" not in north  # that one is in Pekalongan Barat
    assert "33.75.01" in page


def test_an_admin_adds_and_renames_a_kecamatan(app, admin, staff):
    response = post(
        admin, "/admin/reference/kecamatan/new", {"code": "33.75.05", "name": "Pekalongan Tengah"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/reference/regions"
    kecamatan = row(app, Kecamatan, code="33.75.05")
    assert kecamatan.name == "Pekalongan Tengah"
    (created,) = audit_events(app, "Kecamatan", "create")
    assert created.after == {"id": kecamatan.id, "code": "33.75.05", "name": "Pekalongan Tengah"}
    assert created.user_id == staff["admin"]

    url = f"/admin/reference/kecamatan/{kecamatan.id}"
    assert 'value="Pekalongan Tengah"' in text(admin.get(url))
    assert post(admin, url, {"code": "33.75.05", "name": "Kota Tengah"}).status_code == 303
    assert row(app, Kecamatan, id=kecamatan.id).name == "Kota Tengah"
    (updated,) = audit_events(app, "Kecamatan", "update")
    assert (updated.before, updated.after) == (
        {"name": "Pekalongan Tengah"},
        {"name": "Kota Tengah"},
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "33.75.01"}, "Kode ini sudah dipakai."),
        ({"name": "pekalongan barat"}, "Nama ini sudah dipakai."),
        ({"code": ""}, "Isi kode kecamatan."),
    ],
)
def test_a_kecamatan_code_and_name_are_unique(app, admin, fields, message):
    data = {"code": "33.75.09", "name": "Kecamatan Baru", **fields}
    response = post(admin, "/admin/reference/kecamatan/new", data)
    assert response.status_code == 422
    assert message in text(response)
    assert 'value="' + data["name"] + '"' in text(response)
    assert count(app, Kecamatan) == 4
    assert audit_events(app, "Kecamatan") == []


def test_an_admin_adds_and_renames_a_kelurahan_shown_on_the_public_form(
    app, admin, client, meeting
):
    north = row(app, Kecamatan, name="Pekalongan Utara")
    form_url = f"/admin/reference/kelurahan/new?kecamatan={north.id}"
    assert f'selected value="{north.id}"' in text(admin.get(form_url))
    response = post(
        admin,
        "/admin/reference/kelurahan/new",
        {"kecamatan_id": str(north.id), "name": "Kandang Panjang Baru"},
        form_url=form_url,
    )
    assert response.status_code == 303
    created = row(app, Kelurahan, name="Kandang Panjang Baru")
    assert created.kecamatan_id == north.id
    (event,) = audit_events(app, "Kelurahan", "create")
    assert event.after["kecamatan_id"] == north.id
    assert "Kandang Panjang Baru" in public_form(client, meeting)

    krapyak = row(app, Kelurahan, name="Krapyak")
    url = f"/admin/reference/kelurahan/{krapyak.id}"
    data = {"kecamatan_id": str(north.id), "name": "Krapyak Lor"}
    assert post(admin, url, data).status_code == 303
    assert row(app, Kelurahan, id=krapyak.id).name == "Krapyak Lor"
    (event,) = audit_events(app, "Kelurahan", "update")
    assert (event.before, event.after) == ({"name": "Krapyak"}, {"name": "Krapyak Lor"})
    page = public_form(client, meeting)
    assert "Krapyak Lor" in page


def test_a_kelurahan_name_is_unique_within_its_kecamatan_only(app, admin):
    north = row(app, Kecamatan, name="Pekalongan Utara")
    west = row(app, Kecamatan, name="Pekalongan Barat")
    url = "/admin/reference/kelurahan/new"
    response = post(admin, url, {"kecamatan_id": str(north.id), "name": "krapyak"})
    assert response.status_code == 422
    assert "Nama ini sudah dipakai." in text(response)
    assert f'selected value="{north.id}"' in text(response)
    assert post(admin, url, {"kecamatan_id": str(west.id), "name": "Krapyak"}).status_code == 303
    assert count(app, Kelurahan, name="Krapyak") == 2


def test_a_kelurahan_needs_a_kecamatan(app, admin):
    url = "/admin/reference/kelurahan/new"
    response = post(admin, url, {"kecamatan_id": "", "name": "Tanpa Kecamatan"})
    assert response.status_code == 422
    assert "Pilih kecamatan." in text(response)
    assert 'value="Tanpa Kecamatan"' in text(response)
    response = post(admin, url, {"kecamatan_id": "99999", "name": "Tanpa Kecamatan"})
    assert response.status_code == 422
    assert "Pilihan tidak tersedia" in text(response)
    assert row(app, Kelurahan, name="Tanpa Kecamatan") is None


# --- agencies -----------------------------------------------------------------------------


def test_an_admin_adds_edits_and_deactivates_an_agency(app, admin, client, meeting):
    response = post(
        admin,
        "/admin/reference/agencies/new",
        {"abbreviation": "Dinkes", "name": "Dinas Kesehatan"},
    )
    assert response.status_code == 303
    agency = row(app, Agency, abbreviation="Dinkes")
    assert agency.active
    assert "Dinas Kesehatan" in text(admin.get("/admin/reference/agencies"))
    (event,) = audit_events(app, "Agency", "create")
    assert event.after == {
        "id": agency.id,
        "abbreviation": "Dinkes",
        "name": "Dinas Kesehatan",
        "active": True,
    }
    assert "Dinkes (Dinas Kesehatan)" in public_form(client, meeting)

    url = f"/admin/reference/agencies/{agency.id}"
    data = {"abbreviation": "Dinkes", "name": "Dinas Kesehatan Kota"}
    assert post(admin, url, data).status_code == 303
    (event,) = audit_events(app, "Agency", "update")
    assert event.after == {"name": "Dinas Kesehatan Kota"}

    deactivate = f"{url}/deactivate"
    assert post(admin, deactivate, {}, form_url="/admin/reference/agencies").status_code == 303
    assert not row(app, Agency, id=agency.id).active
    (event,) = audit_events(app, "Agency", "deactivate")
    assert (event.before, event.after) == ({"active": True}, {"active": False})
    assert "Dinkes" not in public_form(client, meeting)
    listing = text(admin.get("/admin/reference/agencies"))
    assert f"{url}/reactivate" in listing and "Nonaktif" in listing

    assert post(admin, f"{url}/reactivate", {}, form_url=url).status_code == 303
    assert row(app, Agency, id=agency.id).active
    assert "Dinkes (Dinas Kesehatan Kota)" in public_form(client, meeting)


def test_an_agency_abbreviation_is_unique(app, admin, agency_id):
    response = post(
        admin,
        "/admin/reference/agencies/new",
        {"abbreviation": "DINSOS P2KB", "name": "Dinas yang sama"},
    )
    assert response.status_code == 422
    assert "Singkatan ini sudah dipakai." in text(response)
    assert 'value="Dinas yang sama"' in text(response)
    assert count(app, Agency) == 1


def test_an_agency_needs_both_names(app, admin, agency_id):
    url = f"/admin/reference/agencies/{agency_id}"
    response = post(admin, url, {"abbreviation": "Dinsos", "name": ""})
    assert response.status_code == 422
    assert "Isi nama lengkap perangkat daerah." in text(response)
    assert 'value="Dinsos"' in text(response)
    assert row(app, Agency, id=agency_id).abbreviation == "Dinsos P2KB"


# --- pillars ------------------------------------------------------------------------------


def test_the_pillar_list_counts_the_inputs_tagged_with_each(
    admin, meeting, submit, valid_submission
):
    submit(meeting.code, valid_submission)  # a P2 input
    page = text(admin.get("/admin/reference/pillars"))
    rows = {line.split("<td>")[1].split("</td>")[0]: line for line in page.split("<tr")[2:]}
    assert set(rows) == {"P1", "P2", "P3", "P4"}
    assert '<td class="number">1</td>' in rows["P2"]
    assert '<td class="number">0</td>' in rows["P1"]
    assert "Reducing poverty pockets" in rows["P4"]  # name_en
    assert "Permodalan, pinjaman dana bergulir" in rows["P3"]  # description


def test_an_admin_edits_a_pillar(app, admin, staff):
    pillar = row(app, Pillar, code="P4")
    url = f"/admin/reference/pillars/{pillar.id}"
    assert 'value="Penurunan jumlah kantong kemiskinan"' in text(admin.get(url))
    data = {
        "code": "P4",
        "name": "Penghapusan kantong kemiskinan",
        "name_en": "Eliminating poverty pockets",
        "description": "Program lain.",
        "position": "4",
    }
    assert post(admin, url, data).status_code == 303
    edited = row(app, Pillar, id=pillar.id)
    assert edited.name == "Penghapusan kantong kemiskinan"
    assert edited.description == "Program lain."
    (event,) = audit_events(app, "Pillar", "update")
    assert event.before["name"] == "Penurunan jumlah kantong kemiskinan"
    assert event.after["name"] == "Penghapusan kantong kemiskinan"
    assert "code" not in event.after  # unchanged


def test_an_admin_adds_a_pillar_at_the_end(app, admin):
    page = text(admin.get("/admin/reference/pillars/new"))
    assert 'name="position" required type="number" value="5"' in page
    data = {"code": "P5", "name": "Perlindungan sosial adaptif", "name_en": "", "position": "5"}
    assert (
        post(admin, "/admin/reference/pillars/new", {**data, "description": ""}).status_code == 303
    )
    created = row(app, Pillar, code="P5")
    assert created.position == 5 and created.retired_at is None
    (event,) = audit_events(app, "Pillar", "create")
    assert event.after["code"] == "P5"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "p1"}, "Kode ini sudah dipakai."),
        ({"name": ""}, "Isi nama strategi."),
        ({"position": "pertama"}, "Tulis angka bulat saja."),
        ({"position": "-1"}, "Urutan antara 0 dan 999."),
        # Digits other than 0-9: int() reads "٣" as 3 and refuses "²" in English.
        ({"position": "٣"}, "Tulis angka bulat saja."),
        ({"position": "²"}, "Tulis angka bulat saja."),
        ({"position": "1_0"}, "Tulis angka bulat saja."),
    ],
)
def test_a_refused_pillar_keeps_what_was_typed(app, admin, fields, message):
    data = {
        "code": "P5",
        "name": "Strategi baru",
        "name_en": "New strategy",
        "description": "Uraian strategi baru",
        "position": "5",
        **fields,
    }
    response = post(admin, "/admin/reference/pillars/new", data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'value="New strategy"' in page and "Uraian strategi baru" in page
    assert count(app, Pillar) == 4


def test_a_retired_pillar_keeps_old_tags_and_leaves_the_form(
    app, admin, client, meeting, submit, valid_submission
):
    submit(meeting.code, valid_submission)
    pillar = row(app, Pillar, code="P2")
    assert pillar.name in public_form(client, meeting)

    url = f"/admin/reference/pillars/{pillar.id}/retire"
    response = post(admin, url, {}, form_url="/admin/reference/pillars")
    assert response.status_code == 303
    assert row(app, Pillar, id=pillar.id).retired_at is not None
    (event,) = audit_events(app, "Pillar", "retire")
    assert event.before == {"retired_at": None}
    assert event.after["retired_at"]
    # The input keeps its tag; the form stops offering the pillar.
    assert count(app, Submission, pillar_id=pillar.id) == 1
    assert pillar.name not in public_form(client, meeting)
    listing = text(admin.get("/admin/reference/pillars"))
    assert "Tidak dipakai sejak" in listing

    url = f"/admin/reference/pillars/{pillar.id}/unretire"
    assert post(admin, url, {}, form_url="/admin/reference/pillars").status_code == 303
    assert row(app, Pillar, id=pillar.id).retired_at is None
    (event,) = audit_events(app, "Pillar", "unretire")
    assert event.after == {"retired_at": None}
    assert pillar.name in public_form(client, meeting)


# --- programs -----------------------------------------------------------------------------


def test_the_program_list_shows_programs_with_their_pillar(admin):
    page = text(admin.get("/admin/reference/programs"))
    assert "Bantuan iuran PBI JKN" in page
    assert "P1 · Pengurangan beban pengeluaran masyarakat berbasis keluarga" in page


def test_an_admin_adds_edits_and_deactivates_a_program(app, admin, client, meeting, agency_id):
    p3 = row(app, Pillar, code="P3")
    data = {"name": "Kredit usaha mikro tanpa agunan", "pillar_id": str(p3.id), "agency_id": ""}
    response = post(admin, "/admin/reference/programs/new", data)
    assert response.status_code == 303
    program = row(app, Program, name="Kredit usaha mikro tanpa agunan")
    assert program.pillar_id == p3.id and program.agency_id is None and program.active
    (event,) = audit_events(app, "Program", "create")
    assert event.after["pillar_id"] == p3.id
    assert "Kredit usaha mikro tanpa agunan" in public_form(client, meeting)

    url = f"/admin/reference/programs/{program.id}"
    data = {**data, "agency_id": str(agency_id)}
    assert post(admin, url, data).status_code == 303
    assert row(app, Program, id=program.id).agency_id == agency_id
    (event,) = audit_events(app, "Program", "update")
    assert (event.before, event.after) == ({"agency_id": None}, {"agency_id": agency_id})
    assert "Dinsos P2KB" in text(admin.get("/admin/reference/programs"))

    response = post(admin, f"{url}/deactivate", {}, form_url="/admin/reference/programs")
    assert response.status_code == 303
    assert not row(app, Program, id=program.id).active
    (event,) = audit_events(app, "Program", "deactivate")
    assert event.after == {"active": False}
    assert "Kredit usaha mikro tanpa agunan" not in public_form(client, meeting)

    response = post(admin, f"{url}/reactivate", {}, form_url="/admin/reference/programs")
    assert response.status_code == 303
    assert row(app, Program, id=program.id).active


def test_a_program_keeps_its_retired_pillar_and_inactive_agency_when_edited(app, admin, agency_id):
    p1 = row(app, Pillar, code="P1")
    program = row(app, Program, name="Bantuan iuran PBI JKN")
    with app.app_context():
        db.session.get(Program, program.id).agency_id = agency_id
        db.session.get(Agency, agency_id).active = False
        db.session.get(Pillar, p1.id).retired_at = db.func.now()
        db.session.commit()
    url = f"/admin/reference/programs/{program.id}"
    page = text(admin.get(url))
    assert f'selected value="{p1.id}"' in page
    assert f'selected value="{agency_id}"' in page
    data = {
        "name": "Bantuan iuran PBI JKN Kota",
        "pillar_id": str(p1.id),
        "agency_id": str(agency_id),
    }
    assert post(admin, url, data).status_code == 303
    edited = row(app, Program, id=program.id)
    assert (edited.name, edited.pillar_id, edited.agency_id) == (data["name"], p1.id, agency_id)
    # A new program is not offered the retired pillar.
    assert f'value="{p1.id}"' not in text(admin.get("/admin/reference/programs/new"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pillar_id": ""}, "Pilih strategi."),
        ({"pillar_id": "99999"}, "Pilihan tidak tersedia"),
        ({"name": "bantuan iuran pbi jkn"}, "Nama ini sudah dipakai."),
        ({"name": ""}, "Isi nama program."),
    ],
)
def test_a_refused_program_keeps_what_was_typed(app, admin, agency_id, fields, message):
    p2 = row(app, Pillar, code="P2")
    data = {"name": "Program baru", "pillar_id": str(p2.id), "agency_id": str(agency_id), **fields}
    before = count(app, Program)
    response = post(admin, "/admin/reference/programs/new", data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'selected value="{agency_id}"' in page
    assert hidden_value(page, "name") == data["name"]
    assert count(app, Program) == before


# --- who may do what -------------------------------------------------------------------------


@pytest.fixture
def reference_routes(app, agency_id) -> list[tuple[str, str]]:
    with app.app_context():
        kecamatan = db.session.scalar(db.select(Kecamatan.id).limit(1))
        kelurahan = db.session.scalar(db.select(Kelurahan.id).limit(1))
        pillar = db.session.scalar(db.select(Pillar.id).limit(1))
        program = db.session.scalar(db.select(Program.id).limit(1))
        value = db.session.scalar(db.select(IndicatorValue.id).limit(1))
    base = "/admin/reference"
    routes = [
        ("GET", f"{base}/"),
        ("GET", f"{base}/letterhead"),
        ("POST", f"{base}/letterhead"),
        ("POST", f"{base}/letterhead/logo/remove"),
        ("GET", f"{base}/regions"),
    ]
    for path in (
        "kecamatan/new",
        f"kecamatan/{kecamatan}",
        "kelurahan/new",
        f"kelurahan/{kelurahan}",
        "agencies/new",
        f"agencies/{agency_id}",
        "pillars/new",
        f"pillars/{pillar}",
        "programs/new",
        f"programs/{program}",
    ):
        routes += [("GET", f"{base}/{path}"), ("POST", f"{base}/{path}")]
    routes += [("GET", f"{base}/{page}") for page in ("agencies", "pillars", "programs")]
    routes += [
        ("POST", f"{base}/agencies/{agency_id}/deactivate"),
        ("POST", f"{base}/agencies/{agency_id}/reactivate"),
        ("POST", f"{base}/pillars/{pillar}/retire"),
        ("POST", f"{base}/pillars/{pillar}/unretire"),
        ("POST", f"{base}/programs/{program}/deactivate"),
        ("POST", f"{base}/programs/{program}/reactivate"),
        # The indicators keep their own URLs beside the reference data.
        ("GET", "/admin/indicators"),
        ("POST", "/admin/indicators/values"),
        ("POST", f"/admin/indicators/values/{value}"),
        ("POST", f"/admin/indicators/values/{value}/delete"),
        ("POST", "/admin/indicators/import"),
    ]
    return routes


def test_every_reference_route_is_for_admins_only_except_the_logo(app, reference_routes):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("reference.")]
    assert "reference.index" in {rule.endpoint for rule in rules}
    for rule in rules:
        expected = READ if rule.endpoint == "reference.letterhead_logo" else ADMIN
        assert app.view_functions[rule.endpoint].allowed_roles == expected, rule.endpoint
    # The list the role tests walk through covers every route but the logo.
    walked = {(method, url) for method, url in reference_routes}
    adapter = app.url_map.bind("localhost")
    reached = {adapter.match(url, method=method)[0] for method, url in walked}
    assert reached == {rule.endpoint for rule in rules} - {"reference.letterhead_logo"}


def reference_state(app) -> tuple:
    """Everything a refused request must leave as it was."""
    with app.app_context():
        return (
            db.session.scalar(db.select(Letterhead.government)),
            tuple(db.session.scalars(db.select(Agency.active).order_by(Agency.id))),
            tuple(db.session.scalars(db.select(Pillar.retired_at).order_by(Pillar.id))),
            tuple(db.session.scalars(db.select(Program.active).order_by(Program.id))),
            db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)),
        )


@pytest.mark.parametrize("role", ["secretariat", "viewer"])
def test_secretariat_and_viewer_are_refused_every_reference_route(
    app, login, reference_routes, role
):
    before = reference_state(app)
    client = login(role)
    token = csrf_from(client, "/admin/")
    for method, url in reference_routes:
        if method == "GET":
            response = client.get(url)
        else:
            data = {
                "csrf_token": token,
                **LETTERHEAD,
                "code": "X9",
                "name": "X",
                "abbreviation": "X",
            }
            response = client.post(url, data=data)
        assert response.status_code == 403, (method, url)
    assert reference_state(app) == before


def test_a_stranger_is_sent_to_sign_in(client, reference_routes):
    token = hidden_value(text(client.get("/login")), "csrf_token")
    routes = [*reference_routes, ("GET", "/admin/reference/letterhead/logo")]
    for method, url in routes:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)


def test_a_post_without_the_csrf_token_is_refused(app, admin, reference_routes):
    before = reference_state(app)
    posts = [url for method, url in reference_routes if method == "POST"]
    assert posts
    for url in posts:
        response = admin.post(url, data={**LETTERHEAD, "code": "X9", "name": "X"})
        assert response.status_code == 400, url
        assert "Formulir kedaluwarsa" in text(response)
    assert reference_state(app) == before


def test_the_staff_menu_links_reference_data_for_admins_only(login):
    assert 'href="/admin/reference/"' in text(login("admin").get("/admin/"))
    assert 'href="/admin/reference/"' not in text(login("viewer").get("/admin/"))
