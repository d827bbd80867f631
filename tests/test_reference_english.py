"""Strategies and programs in English: shipped in the reference data, loaded by `flask seed`
(also into a database seeded before they existed), edited by the admin, and shown on the
public form to a participant who chose English."""

import html

import pytest

from app.extensions import db
from app.models import Pillar, Program
from tests.helpers import csrf_from


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_from(client, url), **data})


def in_english(client, code: str) -> str:
    client.get("/bahasa/en")
    return page_text(client.get(f"/m/{code}"))


@pytest.fixture
def admin(login):
    return login("admin")


def test_the_form_in_english_names_strategies_and_programs_in_english(client, meeting):
    page = in_english(client, meeting.code)
    assert "Raising income through community empowerment" in page
    assert "Integrated family-based social assistance: food, health, education" in page
    assert "Muscovy ducklings for rearing" in page  # a program of P2
    assert "Supplementary feeding (PMT) for children at risk of stunting" in page
    assert "Peningkatan pendapatan masyarakat berbasis pemberdayaan masyarakat" not in page
    assert "Bantuan bibit entok" not in page
    assert "Bantuan sosial terpadu berbasis keluarga" not in page


def test_the_form_in_indonesian_keeps_the_indonesian_names(client, meeting):
    page = page_text(client.get(f"/m/{meeting.code}"))
    assert "Peningkatan pendapatan masyarakat berbasis pemberdayaan masyarakat" in page
    assert "Bantuan bibit entok" in page
    assert "Muscovy ducklings" not in page
    assert "Raising income" not in page


def test_every_shipped_strategy_and_program_has_its_english_text(app):
    with app.app_context():
        pillars = db.session.scalars(db.select(Pillar)).all()
        programs = db.session.scalars(db.select(Program)).all()
    assert len(pillars) == 4 and len(programs) == 12
    assert all(p.name_en and p.description_en for p in pillars)
    assert all(p.name_en and p.name_en != p.name for p in programs)


def test_seed_fills_the_english_texts_of_an_earlier_database_and_keeps_the_admins(app, runner):
    with app.app_context():
        for pillar in db.session.scalars(db.select(Pillar)):
            pillar.description_en = ""
        for program in db.session.scalars(db.select(Program)):
            program.name_en = ""
        chilli = db.session.scalar(db.select(Program).filter_by(name="Bantuan bibit cabai"))
        chilli.name_en = "Chili plants for home gardens"
        db.session.commit()

    for _ in range(2):  # idempotent
        result = runner.invoke(args=["seed"])
        assert result.exit_code == 0, result.output

    with app.app_context():
        p3 = db.session.scalar(db.select(Pillar).filter_by(code="P3"))
        assert p3.description_en.startswith("Business capital, revolving-fund loans")
        names = dict(db.session.execute(db.select(Program.name, Program.name_en)).all())
    assert names["Pelatihan kerja"] == "Job training"
    assert names["Bantuan bibit cabai"] == "Chili plants for home gardens"
    assert len(names) == 12


def test_the_admin_edits_a_programs_english_name_and_the_english_form_shows_it(
    app, admin, client, meeting
):
    with app.app_context():
        program = db.session.scalar(db.select(Program).filter_by(name="Pelatihan kerja"))
        program_id, pillar_id = program.id, program.pillar_id
    url = f"/admin/reference/programs/{program_id}"
    form = page_text(admin.get(url))
    assert "Nama program (bahasa Inggris)" in form
    assert 'value="Job training"' in form
    response = post(
        admin,
        url,
        {
            "name": "Pelatihan kerja",
            "name_en": "Vocational training <for jobseekers>",
            "pillar_id": str(pillar_id),
            "agency_id": "",
        },
    )
    assert response.status_code == 303
    assert "Vocational training &lt;for jobseekers&gt;" in admin.get(
        "/admin/reference/programs"
    ).get_data(as_text=True)
    assert "Vocational training <for jobseekers>" in in_english(client, meeting.code)
    with app.app_context():
        assert db.session.get(Program, program_id).name_en == "Vocational training <for jobseekers>"


def test_the_admin_edits_a_strategys_english_description(app, admin, client, meeting):
    with app.app_context():
        pillar = db.session.scalar(db.select(Pillar).filter_by(code="P3"))
        pillar_id = pillar.id
    url = f"/admin/reference/pillars/{pillar_id}"
    form = page_text(admin.get(url))
    assert "Uraian (bahasa Inggris)" in form
    assert "Business capital, revolving-fund loans" in form
    data = {
        "code": "P3",
        "name": "Pemberdayaan usaha ekonomi mikro dan kecil",
        "name_en": "Helping micro and small businesses grow",
        "description": "Permodalan, pinjaman dana bergulir.",
        "description_en": "Start-up capital and revolving loans.",
        "position": "3",
    }
    assert post(admin, url, data).status_code == 303
    listing = page_text(admin.get("/admin/reference/pillars"))
    assert "Start-up capital and revolving loans." in listing
    english = in_english(client, meeting.code)
    assert "Helping micro and small businesses grow" in english
    assert "Start-up capital and revolving loans." in english


def test_an_empty_english_name_falls_back_to_the_indonesian_one(app, admin, client, meeting):
    with app.app_context():
        program = db.session.scalar(db.select(Program).filter_by(name="Bantuan bibit cabai"))
        program_id, pillar_id = program.id, program.pillar_id
    data = {"name": "Bantuan bibit cabai", "name_en": "", "pillar_id": str(pillar_id)}
    response = post(admin, f"/admin/reference/programs/{program_id}", {**data, "agency_id": ""})
    assert response.status_code == 303
    assert "Bantuan bibit cabai" in in_english(client, meeting.code)


def test_a_too_long_english_description_is_refused_with_everything_kept(app, admin):
    with app.app_context():
        pillar_id = db.session.scalar(db.select(Pillar.id).filter_by(code="P1"))
    url = f"/admin/reference/pillars/{pillar_id}"
    data = {
        "code": "P1",
        "name": "Nama baru strategi",
        "name_en": "New name",
        "description": "",
        "description_en": "x" * 2001,
        "position": "1",
    }
    response = post(admin, url, data)
    assert response.status_code == 422
    body = page_text(response)
    assert "Paling panjang 2000 karakter." in body
    assert 'value="Nama baru strategi"' in body
    with app.app_context():
        assert db.session.get(Pillar, pillar_id).name != "Nama baru strategi"
