"""The document settings page: kop, number pattern and Word template per kind of document."""

import zipfile
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import docx
import pytest
from PIL import Image

from app.documents.numbering import ROMAN_MONTHS
from app.extensions import db
from app.models import AuditEvent, DocumentSetting, Letterhead, Meeting
from tests.helpers import build_record, csrf_from, text

PAGE = "/admin/document-settings"


def city_today() -> date:
    """The date in the city (Asia/Jakarta), the one a document number carries."""
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def setting(app, kind: str) -> DocumentSetting | None:
    with app.app_context():
        row = db.session.scalar(db.select(DocumentSetting).filter_by(kind=kind))
        if row is not None:
            db.session.expunge(row)
        return row


def word_file(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    content = BytesIO()
    document.save(content)
    return content.getvalue()


def upload(client, kind: str, content: bytes, filename: str = "notulen-kota.docx"):
    return client.post(
        f"{PAGE}/{kind}/template",
        data={
            "csrf_token": csrf_from(client, PAGE),
            f"{kind}-template-template": (BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def save(client, kind: str, letterhead_kind: str, pattern: str):
    return client.post(
        f"{PAGE}/{kind}",
        data={
            "csrf_token": csrf_from(client, PAGE),
            f"{kind}-letterhead_kind": letterhead_kind,
            f"{kind}-number_pattern": pattern,
        },
    )


def docx_text(data: bytes) -> str:
    document = docx.Document(BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def setting_events(app) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent).filter_by(entity_type="DocumentSetting").order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def admin(login):
    return login("admin")


@pytest.fixture
def record(app, make_meeting):
    return build_record(app, make_meeting)


@pytest.mark.parametrize("role", ["viewer", "secretariat"])
def test_only_an_admin_opens_the_settings(login, role):
    client = login(role)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/minutes/template.docx").status_code == 403


def test_the_page_lists_every_kind_with_its_next_number(admin):
    page = text(admin.get(PAGE))
    for label in ("Notulen", "Ringkasan evaluasi", "Daftar hadir", "Berita acara kesepakatan",
                  "Laporan hasil rakor"):  # fmt: skip
        assert f">{label}</h2>" in page
    today = city_today()
    month = ROMAN_MONTHS[today.month - 1]
    assert f"Contoh nomor berikutnya: 000.1.4/1/Bappeda/{month}/{today.year}" in page
    assert f"Contoh nomor berikutnya: 000.1.4/1/BA/Bappeda/{month}/{today.year}" in page
    assert "Dokumen ini tidak diberi nomor." in page  # the evaluation summary
    assert "Dokumen Word untuk disunting sebelum ditandatangani" in page
    assert "Memakai template bawaan Rakor." in page


def test_kop_and_number_pattern_are_saved_and_audited(app, admin):
    response = save(admin, "berita_acara", "mayor", " 100.3.4/{seq}/BA/{month}/{year} ")
    assert response.status_code == 303
    row = setting(app, "berita_acara")
    assert (row.letterhead_kind, row.number_pattern) == ("mayor", "100.3.4/{seq}/BA/{month}/{year}")
    today = city_today()
    page = text(admin.get(PAGE))
    assert f"Contoh nomor berikutnya: 100.3.4/1/BA/{today.month:02d}/{today.year}" in page
    event = setting_events(app)[-1]
    assert event.action == "update"
    assert event.after["letterhead_kind"] == "mayor"
    assert event.before["number_pattern"] == "000.1.4/{seq}/BA/Bappeda/{month_roman}/{year}"


def test_saving_a_setting_unchanged_writes_no_audit_line(app, admin):
    pattern = "000.1.4/{seq}/Bappeda/{month_roman}/{year}"
    assert save(admin, "minutes", "agency", pattern).status_code == 303
    assert setting_events(app) == []
    assert save(admin, "minutes", "mayor", pattern).status_code == 303
    assert [event.action for event in setting_events(app)] == ["update"]


def test_an_empty_pattern_means_not_numbered(app, admin):
    assert save(admin, "laporan", "agency", "").status_code == 303
    assert setting(app, "laporan").number_pattern == ""


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("000.1.4/{nomor}/Bappeda", "Pola nomor memuat {nomor} yang tidak dikenal."),
        ("000.1.4/Bappeda/{year}", "Pola nomor harus memuat {seq}, nomor urut dokumen."),
        ("000.1.4/{seq/{year}", "Kurung kurawal pada pola nomor tidak berpasangan."),
        ("000.1.4/{seq}/Bappeda", "Pola nomor harus memuat {year}"),
        (
            "000.1.4/{seq}/BA/Bappeda/{month_roman}/{year}",
            "Pola nomor ini sudah dipakai Berita acara kesepakatan.",
        ),
    ],
)
def test_a_bad_pattern_is_refused_with_the_reason(app, admin, pattern, message):
    response = save(admin, "minutes", "mayor", pattern)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'value="{pattern}"' in page  # what was typed stays in the field
    row = setting(app, "minutes")
    assert row.number_pattern == "000.1.4/{seq}/Bappeda/{month_roman}/{year}"
    assert row.letterhead_kind == "agency"
    assert setting_events(app) == []


def test_a_missing_setting_row_is_created(app, admin):
    with app.app_context():
        db.session.execute(db.delete(DocumentSetting).filter_by(kind="evaluation"))
        db.session.commit()
    assert "Dokumen ini tidak diberi nomor." in text(admin.get(PAGE))
    assert save(admin, "evaluation", "mayor", "").status_code == 303
    assert setting(app, "evaluation").letterhead_kind == "mayor"
    assert setting_events(app)[-1].action == "create"


def test_a_custom_template_is_used_for_the_docx(app, admin, login, record):
    content = word_file("Templat Kota: {{ meeting.title }}, {{ meeting.date_long }}.")
    response = upload(admin, "minutes", content)
    assert response.status_code == 303
    row = setting(app, "minutes")
    assert (row.docx_template, row.docx_filename) == (content, "notulen-kota.docx")
    assert "Memakai template sendiri: notulen-kota.docx." in text(admin.get(PAGE))

    data = login("viewer").get(f"/admin/meetings/{record.meeting_id}/minutes.docx").data
    assert docx_text(data) == (
        "Templat Kota: Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024, "
        "Selasa, 23 Januari 2024."
    )
    # The template in use is the one to download; the log keeps its digest, not its bytes.
    assert admin.get(f"{PAGE}/minutes/template.docx").data == content
    event = setting_events(app)[-1]
    assert event.action == "upload_template"
    assert event.after["docx_filename"] == "notulen-kota.docx"
    assert event.after["docx_size"] == len(content)
    assert len(event.after["docx_sha256"]) == 64
    assert "docx_template" not in event.after


def test_reset_brings_back_the_default_template(app, admin, login, record):
    assert upload(admin, "minutes", word_file("Templat Kota: {{ title }}")).status_code == 303
    token = csrf_from(admin, PAGE)
    response = admin.post(f"{PAGE}/minutes/template/reset", data={"csrf_token": token})
    assert response.status_code == 303
    row = setting(app, "minutes")
    assert row.docx_template is None and row.docx_filename == ""
    data = login("viewer").get(f"/admin/meetings/{record.meeting_id}/minutes.docx").data
    assert "NOTULEN RAPAT" in docx_text(data)
    assert "Templat Kota" not in docx_text(data)
    with open("app/documents/word/minutes.docx", "rb") as default:
        assert admin.get(f"{PAGE}/minutes/template.docx").data == default.read()
    assert setting_events(app)[-1].action == "reset_template"


@pytest.mark.parametrize(
    ("placeholder", "message"),
    [
        ("{{ nama_rapat }}", "Isian {{ nama_rapat }} tidak dikenal."),
        ("{{ meeting.nama }}", "Isian {{ nama }} tidak dikenal."),
        ("{% for x in %}", "Penulisan isian atau perintah pada template salah"),
        # The sandbox: a template cannot reach past the values it is given.
        ("{{ fmt.count.__globals__ }}", "Template tidak dapat diisi"),
    ],
)
def test_a_template_that_does_not_fit_is_refused_and_not_stored(
    app, admin, record, placeholder, message
):
    content = word_file("Notulen {{ meeting.title }}", f"Tanggal {placeholder}")
    response = upload(admin, "minutes", content)
    assert response.status_code == 422
    assert message in text(response)
    assert setting(app, "minutes").docx_template is None
    assert setting_events(app) == []


def test_a_template_cannot_reach_the_files_through_the_kop_logo(app, admin, record, tmp_path):
    """The logo is a docxtpl object carrying the whole template, whose methods read and
    write files: none of its attributes is open to a template."""
    image = BytesIO()
    Image.new("RGB", (60, 60), (200, 30, 30)).save(image, format="PNG")
    with app.app_context():
        letterhead = db.session.scalar(db.select(Letterhead).filter_by(kind="agency"))
        letterhead.logo, letterhead.logo_mimetype = image.getvalue(), "image/png"
        db.session.commit()
    target = tmp_path / "written-by-a-template"
    content = word_file(f"X {{{{ kop_logo.tpl.write_xml('{target}') }}}} Y")
    response = upload(admin, "minutes", content)
    assert response.status_code == 422
    assert "Template tidak dapat diisi" in text(response)
    assert not target.exists()
    assert setting(app, "minutes").docx_template is None


def test_a_template_failing_on_another_meetings_data_answers_with_the_reason(
    app, admin, login, record, make_meeting
):
    # Accepted: the trial meeting has inputs. An empty meeting divides by zero.
    assert upload(admin, "minutes", word_file("{{ 100 // submissions_total }}")).status_code == 303
    empty = make_meeting(code="rakor-kosong")
    response = login("viewer").get(f"/admin/meetings/{empty.id}/minutes.docx")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/meetings/{empty.id}/minutes")


def test_without_any_meeting_a_template_is_tried_on_a_sample(app, admin):
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Meeting.id))) == 0
    response = upload(admin, "laporan", word_file("Laporan {{ meeting.title }} {{ nomor }}"))
    assert response.status_code == 422
    assert "Isian {{ nomor }} tidak dikenal." in text(response)
    content = word_file("Laporan {{ meeting.title }}, {{ signer.name }}")
    assert upload(admin, "laporan", content, "laporan.docx").status_code == 303
    assert setting(app, "laporan").docx_template == content


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"%PDF-1.7 bukan Word", "notulen.pdf", "Pilih berkas Word berakhiran .docx."),
        (b"bukan dokumen Word", "notulen.docx", "bukan dokumen Word (.docx) yang dapat dibuka"),
        (b"PK\x03\x04" + b"0" * (2 * 1024 * 1024), "besar.docx", "paling besar 2 MiB"),
    ],
)
def test_a_file_that_is_not_a_word_template_is_refused(app, admin, content, filename, message):
    response = upload(admin, "minutes", content, filename)
    assert response.status_code == 422
    assert message in text(response)
    assert setting(app, "minutes").docx_template is None


def test_a_zip_that_unpacks_to_too_much_is_refused(app, admin):
    content = BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b" " * (51 * 1024 * 1024))
    assert len(content.getvalue()) < 2 * 1024 * 1024
    response = upload(admin, "minutes", content.getvalue(), "bom.docx")
    assert response.status_code == 422
    assert "Isi template terlalu besar setelah dibuka" in text(response)
    assert setting(app, "minutes").docx_template is None


def test_an_upload_without_a_file_is_refused(app, admin):
    response = admin.post(
        f"{PAGE}/minutes/template",
        data={"csrf_token": csrf_from(admin, PAGE)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Pilih berkas template .docx." in text(response)


def test_an_unknown_kind_is_404(admin):
    assert admin.get(f"{PAGE}/surat/template.docx").status_code == 404
    assert save(admin, "surat", "agency", "{seq}").status_code == 404


@pytest.mark.parametrize("kind", ["minutes", "evaluation", "attendance", "berita_acara", "laporan"])
def test_each_default_template_is_accepted_back(app, admin, kind):
    """What an admin downloads and uploads unchanged fits, on a sample when no meeting exists."""
    default = admin.get(f"{PAGE}/{kind}/template.docx")
    assert default.status_code == 200
    assert upload(admin, kind, default.data, f"{kind}.docx").status_code == 303
    assert setting(app, kind).docx_template == default.data


def test_the_kop_chosen_for_a_kind_heads_its_docx(app, admin, login, record):
    assert save(admin, "berita_acara", "mayor", "").status_code == 303
    viewer = login("viewer")
    agreement = docx_lines_of(viewer.get(f"/admin/meetings/{record.meeting_id}/berita-acara.docx"))
    minutes = docx_lines_of(viewer.get(f"/admin/meetings/{record.meeting_id}/minutes.docx"))
    assert agreement[0].startswith(" | WALI KOTA PEKALONGAN")
    assert "BADAN PERENCANAAN PEMBANGUNAN DAERAH" not in agreement[0]
    assert "PEMERINTAH KOTA PEKALONGAN\nBADAN PERENCANAAN PEMBANGUNAN DAERAH" in minutes[0]


def docx_lines_of(response) -> list[str]:
    """The kop (the first table's row) and the paragraphs."""
    assert response.status_code == 200
    document = docx.Document(BytesIO(response.data))
    kop = " | ".join(cell.text for cell in document.tables[0].rows[0].cells)
    return [kop, *(paragraph.text for paragraph in document.paragraphs)]
