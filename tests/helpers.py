"""Helpers the test modules share; fixtures stay in conftest.py.

Plain functions and constants live here so that no test module imports another:
reading pages and forms, the app on a given database, the staff accounts, inputs
stored directly, the review pages, the XLSX template filled the way staff fill it,
a meeting's full record, and PDFs read back.
"""

import io
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import create_engine, make_url, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from app.models import (
    Agency,
    AgendaItem,
    Attendee,
    AuditEvent,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Meeting,
    Pillar,
    Program,
    Submission,
    UserSession,
)
from app.submissions.services import new_receipt_code

# --- pages and forms --------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden field {name} in the page"
    return match.group(1)


def option_value(html: str, label: str) -> str:
    """The value of the <option> or radio whose visible label is `label`."""
    match = re.search(rf'<option[^>]*value="([^"]*)"[^>]*>{re.escape(label)}</option>', html)
    if match:
        return match.group(1)
    match = re.search(rf'value="([^"]*)"[^>]*>\s*<label for="[^"]+">{re.escape(label)}', html, re.S)
    assert match, f"no option labelled {label!r}"
    return match.group(1)


def token_of(client) -> str | None:
    """The sign-in token the client's cookie carries (Flask-Login keeps it as _user_id)."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def session_tokens(app, user_id: int) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(UserSession.token).filter_by(user_id=user_id)))


def csrf_from(client, url: str) -> str:
    """The CSRF token of the form on `url`, as a browser would have it."""
    return hidden_value(client.get(url).get_data(as_text=True), "csrf_token")


# --- the app and its services -----------------------------------------------------------


def make_app(database_url: str, **overrides) -> Flask:
    """The app on `database_url` with the test configuration and generous rate limits."""
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
        "RAKOR_SUBMIT_RATE_LIMIT": "10000 per minute",
        "RAKOR_LOOKUP_RATE_LIMIT": "10000 per minute",
    }
    config.update(overrides)
    return create_app(config)


def private_postgresql_database(url: str) -> Iterator[str]:
    """A new database beside the one `url` names, for this run only; dropped afterwards.

    Without the right to create databases, the run uses `url` itself (and then two
    runs on that server must not overlap).
    """
    given = make_url(url)
    name = f"{given.database}_{uuid.uuid4().hex[:12]}"
    server = create_engine(given, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with server.connect() as connection:
            connection.execute(sql(f'CREATE DATABASE "{name}"'))
    except DBAPIError:
        server.dispose()
        yield url
        return
    try:
        yield given.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


# The machine's Redis, where tests that need one put queues and keys of their own.
REDIS_TEST_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def scratch_database(database_url: str, folder: Path) -> Iterator[str]:
    """An empty database of the run's kind for one test: a SQLite file in `folder`, or a
    new PostgreSQL database beside the run's, dropped afterwards."""
    if make_url(database_url).get_backend_name() != "postgresql":
        yield f"sqlite:///{folder / 'scratch.sqlite'}"
        return
    databases = private_postgresql_database(database_url)
    url = next(databases)
    if url == database_url:
        pytest.skip("no right to create a second database on this server")
    try:
        yield url
    finally:
        next(databases, None)


def redis_or_skip(url: str):
    """A connection to the machine's Redis at `url`; skipped without one, except in CI."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    connection = Redis.from_url(url)
    try:
        connection.ping()
    except RedisDown:
        if os.environ.get("CI") or os.environ.get("RAKOR_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required at {url}")
        pytest.skip(f"no Redis at {url}")
    return connection


# --- staff --------------------------------------------------------------------------------

STAFF_PASSWORD = "uji-sandi-rakor-2024"
STAFF_EMAILS = {
    "admin": "admin@uji.test",
    "secretariat": "sekretariat@uji.test",
    "viewer": "pimpinan@uji.test",
    # Made by the `focal_point` fixture, with its agency (the `staff` fixture makes the rest).
    "focal": "focal@uji.test",
}
# The agency the `focal_point` fixture's account reports for.
FOCAL_AGENCY = ("Disperkim", "Dinas Perumahan Rakyat dan Kawasan Permukiman")


def staff_routes(app) -> list[tuple]:
    """(rule, method, allowed roles) for every route under /admin/."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule, method, getattr(view, "allowed_roles", None)))
    return routes


def concrete_url(rule, meeting_id: int) -> str:
    """The rule with every <param> filled: the meeting's id for ids, a plain word otherwise."""
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        value = str(meeting_id) if converter == "int" or name.endswith("id") else "x"
        url = re.sub(rf"<[^>]*\b{name}>", value, url, count=1)
    return url


# --- inputs stored directly, and the review pages -----------------------------------------

START = datetime(2024, 1, 23, 2, 0, tzinfo=UTC)  # 09.00 WIB


def ref_id(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(db.select(model.id).filter_by(**where))


def add_submission(app, meeting_id: int, minute: int = 0, **fields) -> int:
    """An input stored directly (faster than the public form), `minute`s after the start."""
    with app.app_context():
        p1 = db.session.scalar(db.select(Pillar.id).filter_by(code="P1"))
        krapyak = db.session.scalar(db.select(Kelurahan.id).filter_by(name="Krapyak"))
        values = {
            "meeting_id": meeting_id,
            "receipt_code": new_receipt_code(),
            "idempotency_key": uuid.uuid4().hex,
            "submitter_name": "Agus Priyanto",
            "role": "lurah",
            "kelurahan_id": krapyak,
            "position": "Lurah Krapyak",
            "kind": "usulan",
            "submitted_pillar_id": p1,
            "pillar_id": p1,
            "title": "Pelatihan membatik untuk pemuda putus sekolah",
            "description": "Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05.",
            "submitted_at": START + timedelta(minutes=minute),
        }
        values.update(fields)
        if "pillar_id" in fields and "submitted_pillar_id" not in fields:
            values["submitted_pillar_id"] = fields["pillar_id"]
        submission = Submission(**values)
        db.session.add(submission)
        db.session.commit()
        return submission.id


def load(app, submission_id: int) -> Submission:
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        db.session.expunge(submission)
        db.session.remove()
        return submission


def submissions(app) -> list[Submission]:
    """Every stored input, oldest first."""
    with app.app_context():
        rows = db.session.scalars(db.select(Submission).order_by(Submission.id)).all()
        db.session.expunge_all()
        return rows


def audit_events(app, **where) -> list[AuditEvent]:
    """The audit events of review work (the `staff` fixture's account creations left out)."""
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent)
            .filter_by(**where)
            .where(AuditEvent.entity_type != "User")
            .order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


def titles_in_queue(html: str) -> list[str]:
    """The titles of the queue's rows, in order."""
    return re.findall(r'<a href="/admin/meetings/\d+/inputs/\d+">([^<]+)</a>', html)


def queue_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/inputs"


def detail_url(meeting_id: int, submission_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/inputs/{submission_id}"


def post(client, meeting_id: int, submission_id: int, action: str, data: dict):
    """Send one of the input page's forms, with the page's CSRF token."""
    token = csrf_from(client, detail_url(meeting_id, submission_id))
    return client.post(
        f"{detail_url(meeting_id, submission_id)}/{action}", data={"csrf_token": token, **data}
    )


# --- paper forms typed into the XLSX template ---------------------------------------------

HEADERS = [
    "Nama",
    "Peran",
    "Unit",
    "Jabatan",
    "No HP",
    "Jenis",
    "Strategi (kode)",
    "Judul",
    "Uraian",
    "Lokasi (kelurahan)",
    "Sasaran",
    "Program",
    "Penerima manfaat",
    "Biaya (Rp)",
]
EVALUATED_PROGRAM = "Bantuan iuran PBI JKN"


def paper_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/paper"


def good_rows() -> list[list]:
    """Four filled paper forms, one per role, typed the way staff type them."""
    return [
        [
            "Agus Priyanto",
            "lurah",
            "Krapyak",
            "Lurah Krapyak",
            "0812 2712 3456",
            "usulan",
            "P2",
            "Pelatihan membatik untuk pemuda putus sekolah",
            "Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05.",
            "Krapyak",
            "pencari_kerja",
            None,
            40,
            "Rp 75.000.000",
        ],
        [
            "Sri Wahyuni",
            "Camat",
            "Pekalongan Utara",
            "Camat",
            None,
            "Evaluasi",
            "p1",
            "Data penerima PBI belum mutakhir",
            "Banyak warga miskin baru belum masuk daftar penerima iuran PBI JKN.",
            None,
            "umum",
            EVALUATED_PROGRAM,
            None,
            None,
        ],
        [
            "Siti Rahayu",
            "opd",
            "dinsos p2kb",
            "Kepala Bidang Rehabilitasi Sosial",
            None,
            "kendala",
            "P4",
            "Kebiasaan konsumtif rumah tangga miskin",
            "Pengelolaan keuangan rumah tangga penerima bantuan masih lemah.",
            None,
            "Perempuan kepala keluarga",
            None,
            1500,
            2500000.0,
        ],
        [
            "Dr. Bambang Susilo",
            "stakeholder",
            "Universitas Pekalongan",
            "Dosen",
            None,
            "usulan",
            "P3",
            "Pendampingan pemasaran daring UMKM batik",
            "Mahasiswa KKN mendampingi 100 UMKM batik memasarkan produk secara daring.",
            "Kauman",
            "umkm",
            None,
            100,
            None,
        ],
    ]


def workbook_bytes(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, meeting_id: int, content: bytes, filename: str = "isian.xlsx"):
    token = csrf_from(client, paper_url(meeting_id))
    return client.post(
        f"{paper_url(meeting_id)}/import",
        data={"csrf_token": token, "file": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


# --- the record a meeting leaves ------------------------------------------------------


@dataclass(frozen=True)
class Record:
    meeting_id: int
    code: str
    titles: dict[str, str]  # key -> input title
    merged_title: str


SUBMISSIONS = [
    # key, pillar, role, name, position, unit, kind, title, status, location
    ("dtks", "P1", "lurah", "Agus Priyanto", "Lurah Krapyak", "Krapyak", "usulan",
     "Pemutakhiran DTKS setiap triwulan", "accepted", "Krapyak"),
    ("dtks2", "P1", "lurah", "Rina Kurniasari", "Lurah Medono", "Medono", "usulan",
     "Verifikasi DTKS berkala di kelurahan", "merged", "Medono"),
    ("pmt", "P1", "opd", "Ratna Dewi", "Kepala Bidang Kesmas", "Dinkes", "evaluasi",
     "PMT lokal menaikkan berat badan balita", "follow_up", None),
    ("batik", "P2", "camat", "Budi Santoso", "Camat Pekalongan Barat", "Pekalongan Barat",
     "usulan", "Pelatihan membatik bagi pemuda", "received", None),
    ("umkm", "P3", "stakeholder", "Sari Wulandari", "Ketua", "PKK Kota", "kendala",
     "Modal usaha mikro sulit diakses", "declined", None),
]  # fmt: skip


def build_record(app, make_meeting, *, status: str = "closed", code: str = "rakor-uji") -> Record:
    """A meeting with everything the minutes print, made directly with the models."""
    meeting = make_meeting(
        code=code,
        status=status,
        chair_nip="19700101 199003 1 001",
        notetaker_name="Dian Permatasari",
        notetaker_position="Analis Kebijakan Bappeda",
        notetaker_nip="19850312 201001 2 015",
    )
    with app.app_context():
        row = db.session.get(Meeting, meeting.id)
        row.opening = "Wali Kota membuka rapat.\nAngka kemiskinan 2023 sebesar 6,81 persen."
        row.conclusions = "1. DTKS dimutakhirkan tiap triwulan.\n2. PMT dilanjutkan."
        row.agenda_items = [
            AgendaItem(position=1, title="Pembukaan", discussion="Arahan Wali Kota."),
            AgendaItem(position=2, title="Evaluasi capaian", discussion="Capaian dibahas."),
        ]
        pillars = {p.code: p for p in db.session.scalars(select(Pillar))}
        dinkes = Agency(abbreviation="Dinkes", name="Dinas Kesehatan")
        dinsos = Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial")
        db.session.add_all([dinkes, dinsos])
        db.session.flush()
        kelurahan = {k.name: k for k in db.session.scalars(select(Kelurahan))}
        kecamatan = {k.name: k for k in db.session.scalars(select(Kecamatan))}
        program = db.session.scalar(select(Program).order_by(Program.id).limit(1))
        made = {}
        for number, item in enumerate(SUBMISSIONS, start=1):
            key, pillar, role, name, position, unit, kind, title, status_, place = item
            submission = Submission(
                meeting_id=meeting.id,
                receipt_code=f"UJI{number:05d}",
                idempotency_key=f"uji-{key}",
                submitter_name=name,
                role=role,
                kelurahan_id=kelurahan[unit].id if role == "lurah" else None,
                kecamatan_id=kecamatan[unit].id if role == "camat" else None,
                agency_id=dinkes.id if role == "opd" else None,
                organisation=unit if role == "stakeholder" else "",
                position=position,
                kind=kind,
                submitted_pillar_id=pillars[pillar].id,
                pillar_id=pillars[pillar].id,
                title=title,
                description=f"Uraian {title.lower()}.",
                location_id=kelurahan[place].id if place else None,
                program_id=program.id if kind == "evaluasi" else None,
                status=status_,
                decision_reason="Disepakati Bappeda." if status_ == "accepted" else "",
                responsible_agency_id=dinsos.id if status_ == "accepted" else None,
            )
            db.session.add(submission)
            db.session.flush()
            made[key] = submission
        made["dtks2"].merged_into_id = made["dtks"].id
        db.session.add_all(
            [
                FollowUp(
                    meeting_id=meeting.id,
                    submission_id=made["pmt"].id,
                    action="Perluas sasaran PMT ke ibu hamil KEK",
                    agency_id=dinkes.id,
                    deadline=date(2024, 6, 30),
                ),
                Attendee(
                    meeting_id=meeting.id,
                    submission_id=made["dtks"].id,
                    name="Agus Priyanto",
                    position="Lurah",
                    unit="Krapyak",
                    sex="L",
                    checked_in_at=START - timedelta(minutes=55),
                ),
                Attendee(
                    meeting_id=meeting.id,
                    name="Hendra Wijaya",
                    position="Sekretaris Kecamatan",
                    unit="Pekalongan Barat",
                    sex="L",
                    checked_in_at=START - timedelta(minutes=50),
                ),
                Attendee(
                    meeting_id=meeting.id,
                    name="Siti Aminah",
                    position="Staf",
                    unit="Bappeda",
                    sex="P",
                    checked_in_at=START - timedelta(minutes=45),
                ),
            ]
        )
        db.session.commit()
        return Record(
            meeting_id=meeting.id,
            code=code,
            titles={key: made[key].title for key in made},
            merged_title=made["dtks2"].title,
        )


# --- reading PDFs back -----------------------------------------------------------------


def pdf_reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All the text, whitespace collapsed, the way a reader searches it."""
    text = " ".join(page.extract_text() or "" for page in pdf_reader(data).pages)
    return re.sub(r"\s+", " ", text)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def make_pdf(client, url: str):
    """Press the document's button (a POST makes the PDF), then open the address it leads to:
    the PDF, or the progress page of a job on the queue."""
    response = client.post(url, data={"csrf_token": csrf_from(client, "/admin/")})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith(url)
    return client.get(url)


def get_pdf(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response


# The password of the seals the tests make (conftest `seal_file`).
SEAL_PASSWORD = "sandi-segel-uji"


def finalise(client, meeting_id: int) -> None:
    """Finalise a closed meeting as the secretariat does, from its minutes page."""
    token = csrf_from(client, f"/admin/meetings/{meeting_id}/minutes")
    response = client.post(f"/admin/meetings/{meeting_id}/finalise", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


# Inputs for themes: the same request in other words, with typos and spelling variants
# (ENTOK, PBI: one theme each), and proposals on other subjects (no theme).
# key: (title, description)
INPUTS = {
    "entok1": (
        "Bibit entok banyak mati sebelum besar",
        "Bantuan bibit entok di kelurahan kami banyak mati karena pakan kurang dan kandang "
        "tidak layak; perlu pendampingan peternak.",
    ),
    "entok2": (
        "Bantuan bibit entok perlu pendampingan pakan",
        "Bibit entok yang dibagikan mati sebelum dijual; peternak butuh bantuan pakan dan "
        "kandang serta pendampingan.",
    ),
    "entok3": (
        "Bibit entog mati, pakan dan kandang kurang",  # "entog": a spelling variant
        "Banyak bibit entog bantuan mati karena pakannya kurang; mohon pendampingan peternak "
        "dan perbaikan kandang.",
    ),
    "pbi1": (
        "Peserta PBI JKN nonaktif saat berobat",
        "Warga miskin baru tahu kepesertaan PBI JKN nonaktif ketika berobat ke puskesmas dan "
        "harus membayar sebagai pasien umum.",
    ),
    "pbi2": (
        "Kepesertaan PBI JKN warga miskin dinonaktifkan",
        "Banyak peserta PBI JKN dinonaktifkan tanpa pemberitahuan sehingga tidak bisa berobat "
        "di puskesmas; perlu reaktivasi cepat.",
    ),
    "pbi3": (
        "Reaktivasi PBI JKN yang nonaktif",
        "Peserta PBI JKN yang nonaktif baru tahu saat berobat; mohon reaktivasi lewat "
        "kelurahan agar tidak membayar sebagai pasien umum.",
    ),
    "kapal": (
        "Pengadaan kapal motor untuk kelompok nelayan",
        "Dua unit kapal motor 10 GT beserta alat tangkap untuk kelompok nelayan buruh di "
        "Padukuhan Kraton.",
    ),
    "jahit": (
        "Pelatihan menjahit bagi perempuan kepala keluarga",
        "Perempuan kepala keluarga membutuhkan keterampilan menjahit dan bordir agar dapat "
        "bekerja dari rumah.",
    ),
    "rob": (
        "Tanggul penahan rob di permukiman pesisir",
        "Rob masuk setiap hari ke rumah warga di RW 01 sampai RW 04; perlu tanggul dan "
        "peninggian jalan.",
    ),
}
ENTOK = {"entok1", "entok2", "entok3"}
PBI = {"pbi1", "pbi2", "pbi3"}
