"""Paper input: the printable form, the XLSX template and the all-or-nothing import."""

import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.domain import MAX_BENEFICIARIES, TITLE_MAX
from app.extensions import db
from app.models import Agency, AuditEvent, Kecamatan, Kelurahan, Meeting, Program, Submission
from app.models.base import utcnow
from app.paper.services import COLUMNS
from tests.helpers import (
    EVALUATED_PROGRAM,
    HEADERS,
    csrf_from,
    good_rows,
    paper_url,
    submissions,
    upload,
    workbook_bytes,
)


@pytest.fixture
def agency(app) -> int:
    with app.app_context():
        agency = Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial P2KB")
        db.session.add(agency)
        db.session.commit()
        return agency.id


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- the printable form -----------------------------------------------------------------


def test_the_blank_form_is_an_a4_pdf_with_the_fields_and_the_qr_address(app, login, meeting):
    response = login("viewer").get(f"{paper_url(meeting.id)}/form.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert len(reader.pages) == 1
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024" in text
    assert "Selasa, 23 Januari 2024" in text
    assert "Usulan" in text
    for field in ("Nama lengkap", "Jabatan", "Uraian", "Sasaran", "Perkiraan biaya", "Lurah"):
        assert field in text
    assert "Pemberdayaan usaha ekonomi mikro dan kecil" in text
    assert "Penurunan jumlah kantong kemiskinan" in text
    assert "atau isi lewat HP" in text
    # The address may wrap inside its narrow corner; its characters are all there.
    assert "http://localhost/m/rakor-uji" in text.replace(" ", "")


def test_the_form_lists_only_the_meetings_pillars(app, login, make_meeting):
    meeting = make_meeting()
    with app.app_context():
        stored = db.session.get(Meeting, meeting.id)
        stored.pillars = stored.pillars[:2]
        db.session.commit()
    response = login("secretariat").get(f"{paper_url(meeting.id)}/form.pdf")
    text = " ".join(PdfReader(BytesIO(response.data)).pages[0].extract_text().split())
    assert "Peningkatan pendapatan masyarakat" in text
    assert "Penurunan jumlah kantong kemiskinan" not in text


# --- the template ----------------------------------------------------------------------


def test_the_template_has_the_columns_drop_downs_instructions_and_values(app, login, meeting):
    response = login("viewer").get(f"{paper_url(meeting.id)}/template.xlsx")
    assert response.status_code == 200
    assert "templat-masukan-rakor-uji.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.data))
    assert workbook.sheetnames == ["Masukan", "Petunjuk", "Pilihan"]
    data = workbook["Masukan"]
    assert [cell.value for cell in data[1]] == HEADERS

    validations = {
        str(v.sqref): v.formula1 for v in data.data_validations.dataValidation if v.type == "list"
    }
    values = workbook["Pilihan"]

    def listed(header: str) -> list[str]:
        column = HEADERS.index(header) + 1
        letter = data.cell(row=1, column=column).column_letter
        formula = validations[f"{letter}2:{letter}2001"]
        cells = values[formula.split("!")[1].replace("$", "")]
        return [row[0].value for row in cells]

    assert listed("Peran") == ["lurah", "camat", "opd", "stakeholder"]
    assert listed("Jenis") == ["usulan", "evaluasi", "kendala"]
    assert listed("Strategi (kode)") == ["P1", "P2", "P3", "P4"]
    assert "Krapyak" in listed("Lokasi (kelurahan)")
    assert len(listed("Lokasi (kelurahan)")) == 27
    assert "perempuan_kepala_keluarga" in listed("Sasaran")
    assert EVALUATED_PROGRAM in listed("Program")

    guide = [row[0] for row in workbook["Petunjuk"].iter_rows(values_only=True)]
    assert "Templat impor formulir kertas" in guide
    assert all(header in guide for header in HEADERS)


def test_the_filled_template_imports_as_downloaded(app, login, meeting):
    client = login("secretariat")
    template = load_workbook(BytesIO(client.get(f"{paper_url(meeting.id)}/template.xlsx").data))
    template["Masukan"].append(good_rows()[0])
    output = BytesIO()
    template.save(output)
    response = upload(client, meeting.id, output.getvalue())
    assert response.status_code == 303
    assert [s.title for s in submissions(app)] == [good_rows()[0][7]]


# --- the import -------------------------------------------------------------------------


def test_a_good_file_creates_paper_inputs_with_the_right_fields(app, login, meeting, agency):
    client = login("secretariat")
    before = utcnow()
    response = upload(client, meeting.id, workbook_bytes(good_rows()))
    assert response.status_code == 303
    assert response.headers["Location"] == paper_url(meeting.id)
    assert "4 masukan dari formulir kertas diimpor." in text_of(client.get(paper_url(meeting.id)))

    lurah, camat, opd, stakeholder = submissions(app)
    with app.app_context():
        krapyak = db.session.scalar(db.select(Kelurahan).filter_by(name="Krapyak"))
        kauman = db.session.scalar(db.select(Kelurahan).filter_by(name="Kauman"))
        utara = db.session.scalar(db.select(Kecamatan).filter_by(name="Pekalongan Utara"))
        program = db.session.scalar(db.select(Program).filter_by(name=EVALUATED_PROGRAM))
        pillar_codes = {s.id: s.pillar.code for s in db.session.scalars(db.select(Submission))}
        submitted_codes = {
            s.id: s.submitted_pillar.code for s in db.session.scalars(db.select(Submission))
        }
    for row in (lurah, camat, opd, stakeholder):
        assert row.source == "paper"
        assert row.meeting_id == meeting.id
        assert row.status == "received"
        assert len(row.receipt_code) == 8
        assert row.idempotency_key.startswith("import:")
        assert len(row.idempotency_key) == 64
        assert before - timedelta(seconds=1) <= row.submitted_at <= utcnow()
    assert len({row.receipt_code for row in (lurah, camat, opd, stakeholder)}) == 4

    assert (lurah.submitter_name, lurah.role, lurah.kelurahan_id) == (
        "Agus Priyanto",
        "lurah",
        krapyak.id,
    )
    assert lurah.phone == "0812 2712 3456"
    assert (lurah.kind, lurah.target_group, lurah.location_id) == (
        "usulan",
        "pencari_kerja",
        krapyak.id,
    )
    assert (lurah.beneficiaries, lurah.cost) == (40, 75_000_000)
    assert pillar_codes[lurah.id] == submitted_codes[lurah.id] == "P2"

    assert (camat.role, camat.kecamatan_id, camat.kind) == ("camat", utara.id, "evaluasi")
    assert camat.program_id == program.id
    assert pillar_codes[camat.id] == "P1"

    assert (opd.role, opd.agency_id, opd.kind) == ("opd", agency, "kendala")
    assert opd.target_group == "perempuan_kepala_keluarga"
    assert (opd.beneficiaries, opd.cost) == (1500, 2_500_000)

    assert (stakeholder.role, stakeholder.organisation) == ("stakeholder", "Universitas Pekalongan")
    assert stakeholder.kelurahan_id is None and stakeholder.agency_id is None
    assert stakeholder.location_id == kauman.id

    [event] = audit(app, "import_paper")
    assert event.meeting_id == meeting.id
    assert event.after["imported"] == 4
    assert event.after["already_imported"] == 0
    assert event.after["filename"] == "isian.xlsx"
    created = audit(app, "create")
    assert sorted(e.entity_id for e in created if e.entity_type == "Submission") == sorted(
        s.id for s in (lurah, camat, opd, stakeholder)
    )


def test_the_same_file_twice_creates_nothing_the_second_time(app, login, meeting, agency):
    client = login("secretariat")
    content = workbook_bytes(good_rows())
    assert upload(client, meeting.id, content).status_code == 303
    client.get(paper_url(meeting.id))  # the first import's messages
    response = upload(client, meeting.id, content)
    assert response.status_code == 303
    page = text_of(client.get(paper_url(meeting.id)))
    assert "0 masukan dari formulir kertas diimpor." in page
    assert "4 baris sudah pernah diimpor, dilewati" in page
    assert len(submissions(app)) == 4

    # A file with one new row and the old ones adds only the new one.
    extra = [*good_rows()[1], None]
    extra[7] = "Pemutakhiran data PBI per kelurahan"
    response = upload(client, meeting.id, workbook_bytes([*good_rows(), extra[:14]]))
    assert response.status_code == 303
    assert len(submissions(app)) == 5
    assert [e.after["imported"] for e in audit(app, "import_paper")] == [4, 0, 1]


def test_a_row_repeated_inside_one_file_is_imported_once(app, login, meeting, agency):
    client = login("secretariat")
    row = good_rows()[0]
    response = upload(client, meeting.id, workbook_bytes([row, list(row)]))
    assert response.status_code == 303
    assert len(submissions(app)) == 1
    assert "1 baris kembar di dalam berkas, dilewati." in text_of(client.get(paper_url(meeting.id)))


def test_bad_values_are_listed_row_by_row_and_nothing_is_imported(app, login, meeting, agency):
    rows = good_rows()
    rows[1][1] = "bupati"  # role
    rows[1][7] = "PBI"  # title too short
    rows[2][2] = "Dinas Tidak Ada"  # unknown agency
    rows[2][6] = "P9"  # unknown pillar
    rows[2][13] = "mahal"  # cost
    rows[3][11] = "Program Karangan"  # unknown program
    rows[3][4] = "nomor saya"  # phone
    rows.append([None, "lurah", None, None, None, "evaluasi", "P1", None, None] + [None] * 5)
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows))
    assert response.status_code == 422
    page = text_of(response)
    assert "Tidak ada yang diimpor" in page
    # The web form's own words (app/submissions/forms.py), under the file's headers.
    not_listed = "Pilihan tidak tersedia. Pilih dari daftar."
    expected = [
        ("3", "Peran", not_listed),
        ("3", "Judul", "Judul antara 5 dan 160 karakter."),
        ("4", "Unit", not_listed),
        ("4", "Strategi (kode)", not_listed),
        ("4", "Biaya (Rp)", "Tulis angka bulat saja, misalnya 1.500.000."),
        ("5", "No HP", "Tulis nomor HP dengan angka"),
        ("5", "Program", not_listed),
        ("6", "Nama", "Isi nama Anda."),
        ("6", "Unit", "Pilih kelurahan Anda."),
        ("6", "Jabatan", "Isi jabatan Anda."),
        ("6", "Program", "Untuk evaluasi, pilih program yang dievaluasi."),
        ("6", "Judul", "Isi judul masukan."),
        ("6", "Uraian", "Isi uraian masukan."),
    ]
    table = page.split('class="data import-errors"')[1].split("</table>")[0]
    cells = [
        [cell.strip() for cell in row.split("<td")[1:]]
        for row in table.split("<tbody>")[1].split("<tr>")[1:]
    ]
    found = [
        tuple(c.split(">", 1)[1].split("</td>")[0].replace("&#34;", '"') for c in row)
        for row in cells
    ]
    assert len(found) == len(expected)
    for (row, column, message), (got_row, got_column, got_message) in zip(expected, found):
        assert (got_row, got_column) == (row, column)
        assert message in got_message
    assert submissions(app) == []
    assert audit(app, "import_paper") == []


def test_a_file_with_other_columns_is_refused_with_a_clear_message(app, login, meeting):
    headers = [h for h in HEADERS if h != "Jabatan"] + ["Catatan"]
    rows = [[*good_rows()[0][:3], *good_rows()[0][4:], "x"]]
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows, headers))
    assert response.status_code == 422
    page = text_of(response)
    assert "Kolom berkas tidak sesuai templat" in page
    assert "kolom yang tidak ada: Jabatan" in page
    assert "kolom yang tidak dikenal: Catatan" in page
    assert submissions(app) == []


def test_columns_in_another_order_and_case_are_accepted(app, login, meeting, agency):
    order = list(reversed(range(len(HEADERS))))
    headers = [HEADERS[i].upper() for i in order]
    rows = [[row[i] for i in order] for row in good_rows()]
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows, headers))
    assert response.status_code == 303
    assert len(submissions(app)) == 4


@pytest.mark.parametrize(
    "content",
    [
        b"Nama,Peran,Unit\nAgus,lurah,Krapyak\n",  # a CSV renamed .xlsx
        b"%PDF-1.7 not a workbook",
        b"PK\x03\x04 a broken zip",
    ],
)
def test_a_file_that_is_not_a_real_xlsx_is_refused(app, login, meeting, content):
    response = upload(login("secretariat"), meeting.id, content)
    assert response.status_code == 422
    assert "bukan berkas Excel (.xlsx) yang dapat dibaca" in text_of(response)
    assert submissions(app) == []


def test_a_zip_that_is_not_a_workbook_is_refused(app, login, meeting):
    output = BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("readme.txt", "bukan excel")
    response = upload(login("secretariat"), meeting.id, output.getvalue())
    assert response.status_code == 422
    assert "bukan berkas Excel (.xlsx) yang dapat dibaca" in text_of(response)


def test_only_xlsx_files_are_taken(app, login, meeting):
    response = upload(login("secretariat"), meeting.id, workbook_bytes(good_rows()), "isian.xls")
    assert response.status_code == 422
    assert "Hanya berkas Excel .xlsx yang dapat diimpor." in text_of(response)
    response = login("secretariat").post(
        f"{paper_url(meeting.id)}/import",
        data={"csrf_token": csrf_from(login("secretariat"), paper_url(meeting.id))},
    )
    assert response.status_code in (400, 422)
    assert submissions(app) == []


def test_a_file_over_5_mib_is_refused(app, login, meeting):
    content = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)
    response = upload(login("secretariat"), meeting.id, content)
    assert response.status_code == 422
    assert "Berkas lebih besar dari 5 MB" in text_of(response)


def test_more_than_2000_rows_are_refused(app, login, meeting, agency):
    row = good_rows()[0]
    rows = [[*row[:7], f"Usulan nomor {n:04d}", *row[8:]] for n in range(2001)]
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows))
    assert response.status_code == 422
    page = text_of(response)
    assert "lebih dari 2.000 baris masukan: baris 2002 melewati batas itu" in page
    assert submissions(app) == []


def test_a_file_without_rows_is_refused(app, login, meeting):
    response = upload(login("secretariat"), meeting.id, workbook_bytes([]))
    assert response.status_code == 422
    assert "tidak berisi baris masukan" in text_of(response)


def test_a_finalised_meeting_takes_no_import(app, login, meeting, agency):
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "finalised"
        db.session.commit()
    response = upload(login("secretariat"), meeting.id, workbook_bytes(good_rows()))
    assert response.status_code == 422
    assert "sudah final" in text_of(response)
    assert submissions(app) == []


def test_a_viewer_sees_the_downloads_but_cannot_import(app, login, meeting, agency):
    client = login("viewer")
    page = text_of(client.get(paper_url(meeting.id)))
    assert "Unduh formulir (PDF)" in page
    assert "Unduh templat (XLSX)" in page
    assert 'type="file"' not in page
    response = upload(client, meeting.id, workbook_bytes(good_rows()))
    assert response.status_code == 403
    assert submissions(app) == []


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    for path in ("", "/form.pdf", "/template.xlsx"):
        response = client.get(f"{paper_url(meeting.id)}{path}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        # "²" passes str.isdigit; the file's own check once let it through to a 500.
        ("beneficiaries", "²", "Tulis angka bulat saja, misalnya 1.500.000."),
        ("cost", "1.500,5", "Tulis angka bulat saja, misalnya 1.500.000."),
        ("beneficiaries", str(MAX_BENEFICIARIES + 1), "Angka ini terlalu besar."),
        (
            "title",
            "x" * (TITLE_MAX + 1),
            f"Judul paling panjang {TITLE_MAX} karakter; sekarang 161.",
        ),
        ("phone", "nomor saya", "Tulis nomor HP dengan angka, misalnya 0812 3456 7890."),
    ],
)
def test_the_file_and_the_web_form_refuse_a_value_with_the_same_words(
    app, login, submit, meeting, valid_submission, key, typed, message
):
    web = submit(meeting.code, dict(valid_submission, **{key: typed}))
    assert web.status_code == 422
    assert message in text_of(web)

    rows = good_rows()[:1]
    rows[0][[column.key for column in COLUMNS].index(key)] = typed
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows))
    assert response.status_code == 422
    assert message in text_of(response)
    assert submissions(app) == []
