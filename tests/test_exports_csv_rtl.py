"""Exports an Indonesian office opens as they are: the CSV for Excel in Indonesian
(semicolons, decimal comma), the follow-ups in the workbook and as CSV, and the RTL
matrix per agency. Every file is read back the way a spreadsheet would read it."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.exports.cells import EXCEL_CSV, PLAIN_CSV, csv_text
from app.extensions import db
from app.models import Agency, FollowUp, Submission
from tests.helpers import Record, build_record, csrf_from, queue_url, text

PHONE = "0812-2712-3456"
PMT_CODE = "UJI0-0003"  # the record's OPD input, receipt code UJI00003 as printed


@pytest.fixture
def record(app, make_meeting) -> Record:
    """The shared record, its inputs with a phone number and a cost, and four follow-ups:
    the PMT one (Dinkes, deadline 30 June 2024, open: overdue by now), one done for
    Dinsos P2KB, one for Dinsos P2KB due in 2999, and one no agency was given yet."""
    made = build_record(app, make_meeting)
    with app.app_context():
        for submission in db.session.scalars(select(Submission)):
            submission.phone = PHONE
            submission.cost = 1_500_000
            submission.description += " Sasaran; 40 KK, biaya 7,5 juta."
        dinsos = db.session.scalar(select(Agency).where(Agency.abbreviation == "Dinsos P2KB"))
        db.session.add_all(
            [
                FollowUp(meeting_id=made.meeting_id, action="Pemutakhiran DTKS triwulan I",
                         agency_id=dinsos.id, deadline=date(2024, 3, 31), status="done",
                         progress_note="Selesai, 1.200 KK diverifikasi."),
                FollowUp(meeting_id=made.meeting_id, action="=HYPERLINK(\"http://x\")",
                         agency_id=dinsos.id, deadline=date(2999, 12, 31), status="in_progress"),
                FollowUp(meeting_id=made.meeting_id, action="Kajian kantong kemiskinan",
                         status="open"),
            ]
        )  # fmt: skip
        db.session.commit()
    return made


def url(meeting_id: int, name: str) -> str:
    return f"/admin/meetings/{meeting_id}/{name}"


def csv_records(response, delimiter: str) -> tuple[list[str], list[dict[str, str]]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff"), "no BOM: Excel would not read UTF-8"
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def workbook(response):
    assert response.status_code == 200, text(response)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def table(sheet, header_row: int) -> list[dict]:
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- the CSV for Excel in Indonesian ------------------------------------------------------


def test_the_excel_csv_has_semicolons_a_bom_and_the_same_columns(login, record):
    viewer = login("viewer")
    response = viewer.get(url(record.meeting_id, "inputs-excel.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert 'filename="masukan-rakor-uji-excel.csv"' in disposition
    header, rows = csv_records(response, ";")
    plain_header, plain_rows = csv_records(viewer.get(url(record.meeting_id, "inputs.csv")), ",")
    assert header == plain_header
    assert header[:3] == ["Kode tanda terima", "Waktu masuk (WIB)", "Nama"]
    assert len(rows) == len(plain_rows) == 5
    by_code = {row["Kode tanda terima"]: row for row in rows}
    pmt = by_code[PMT_CODE]
    assert pmt["Judul"] == record.titles["pmt"]
    # A semicolon inside a text stays inside its cell.
    assert pmt["Uraian"].endswith("Sasaran; 40 KK, biaya 7,5 juta.")
    # Whole rupiah without a thousands mark: a number in any Excel.
    assert pmt["Biaya (Rp)"] == "1500000"
    # The comma file, the stable interface for other tools, is unchanged.
    assert plain_rows[0]["Biaya (Rp)"] == "1500000"
    assert ";" not in plain_header[0] and "," not in header[0]


def test_fractions_get_a_decimal_comma_only_in_the_excel_dialect():
    assert csv_text(Decimal("6.94"), EXCEL_CSV) == "6,94"
    assert csv_text(Decimal("6.94"), PLAIN_CSV) == "6.94"
    assert csv_text(0.5, EXCEL_CSV) == "0,5"
    assert csv_text(1_500_000, EXCEL_CSV) == "1500000"
    assert csv_text(date(2024, 6, 30), EXCEL_CSV) == "2024-06-30"


def test_the_excel_csv_never_gives_a_viewer_phone_numbers(app, client, login, record):
    body = text(login("viewer").get(url(record.meeting_id, "inputs-excel.csv")))
    assert "0812" not in body and "No HP" not in body
    # The personal-data file is a POST for secretariat and admin, audited like the others.
    viewer = login("viewer")
    token = csrf_from(viewer, queue_url(record.meeting_id))
    refused = viewer.post(url(record.meeting_id, "inputs-excel.csv"), data={"csrf_token": token})
    assert refused.status_code == 403
    secretariat = login("secretariat")
    token = csrf_from(secretariat, queue_url(record.meeting_id))
    response = secretariat.post(
        url(record.meeting_id, "inputs-excel.csv"), data={"csrf_token": token}
    )
    assert response.status_code == 200
    assert "masukan-rakor-uji-excel-data-pribadi.csv" in response.headers["Content-Disposition"]
    lines = text(response)[1:].splitlines()
    assert lines[0].startswith('"Berisi data pribadi')
    header = next(csv.reader([lines[1]], delimiter=";"))
    assert "No HP" in header
    assert PHONE in text(response)


def test_the_queue_offers_both_csv_files_with_a_hint(login, record):
    page = text(login("viewer").get(queue_url(record.meeting_id)))
    assert f"/admin/meetings/{record.meeting_id}/inputs-excel.csv" in page
    assert f"/admin/meetings/{record.meeting_id}/inputs.csv" in page
    assert "Ekspor masukan (CSV untuk Excel)" in page and "Ekspor masukan (CSV)" in page
    assert "pilih CSV untuk Excel (titik koma, koma desimal)" in page
    assert "personal_submissions" not in page and "dengan nomor HP" not in page


# --- the follow-ups in the workbook and as CSV --------------------------------------------


def test_the_inputs_workbook_has_a_follow_up_sheet(login, record):
    book = workbook(login("viewer").get(url(record.meeting_id, "inputs.xlsx")))
    assert book.sheetnames == ["Masukan", "Tindak lanjut"]
    rows = table(book["Tindak lanjut"], 1)
    assert [row["Tindak lanjut"] for row in rows] == [
        "Perluas sasaran PMT ke ibu hamil KEK",
        "Pemutakhiran DTKS triwulan I",
        '=HYPERLINK("http://x")',
        "Kajian kantong kemiskinan",
    ]
    pmt, dtks, formula, study = rows
    assert pmt["No"] == 1 and pmt["Penanggung jawab"] == "Dinkes"
    assert pmt["Tenggat"].date() == date(2024, 6, 30)
    assert pmt["Status"] == "Belum dimulai" and pmt["Terlambat"] == "Ya"
    assert pmt["Kode masukan asal"] == PMT_CODE
    assert pmt["Judul masukan asal"] == record.titles["pmt"]
    assert dtks["Status"] == "Selesai" and dtks["Terlambat"] is None
    assert dtks["Catatan kemajuan"] == "Selesai, 1.200 KK diverifikasi."
    assert formula["Terlambat"] is None  # due in 2999
    assert study["Penanggung jawab"] is None and study["Tenggat"] is None
    cell = book["Tindak lanjut"]["B4"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("name", "delimiter"), [("follow-ups.csv", ","), ("follow-ups-excel.csv", ";")]
)
def test_the_follow_ups_csv_in_both_dialects(login, record, name, delimiter):
    response = login("viewer").get(url(record.meeting_id, name))
    assert response.status_code == 200
    stem = name.removesuffix(".csv").replace("follow-ups", "tindak-lanjut-rakor-uji")
    assert f'filename="{stem}.csv"' in response.headers["Content-Disposition"]
    header, rows = csv_records(response, delimiter)
    assert header == [
        "No",
        "Tindak lanjut",
        "Penanggung jawab",
        "Tenggat",
        "Status",
        "Terlambat",
        "Catatan kemajuan",
        "Kode masukan asal",
        "Judul masukan asal",
    ]
    assert len(rows) == 4
    assert rows[0]["Tenggat"] == "2024-06-30" and rows[0]["Terlambat"] == "Ya"
    assert rows[1]["Catatan kemajuan"] == "Selesai, 1.200 KK diverifikasi."
    assert rows[2]["Tindak lanjut"] == '\'=HYPERLINK("http://x")'  # never a formula
    assert rows[3]["Penanggung jawab"] == "" and rows[3]["Tenggat"] == ""


# --- the RTL matrix -----------------------------------------------------------------------


def test_the_rtl_matrix_has_a_summary_and_a_sheet_per_agency(login, record):
    response = login("viewer").get(url(record.meeting_id, "rtl.xlsx"))
    assert "filename=rtl-rakor-uji.xlsx" in response.headers["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == ["Ringkasan", "Dinkes", "Dinsos P2KB", "Belum ditetapkan"]

    summary = book["Ringkasan"]
    assert summary["A1"].value == "MATRIKS RENCANA TINDAK LANJUT (RTL)"
    assert "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024" in summary["A2"].value
    counts = {
        row["Penanggung jawab"]: (
            row["Jumlah tindak lanjut"],
            row["Selesai"],
            row["Terlambat"],
        )
        for row in table(summary, 5)
    }
    assert counts == {
        "Dinkes": (1, 0, 1),
        "Dinsos P2KB": (2, 1, 0),
        "Belum ditetapkan": (1, 0, 0),
        "Jumlah": (4, 1, 1),
    }

    dinkes = book["Dinkes"]
    assert dinkes["A1"].value == "RENCANA TINDAK LANJUT"
    assert dinkes["A2"].value == "Penanggung jawab: Dinas Kesehatan (Dinkes)"
    (line,) = table(dinkes, 5)
    assert list(line) == [
        "No",
        "Rencana tindak lanjut",
        "Masukan asal",
        "Tenggat",
        "Status",
        "Keterangan",
    ]
    assert line["No"] == 1
    assert line["Rencana tindak lanjut"] == "Perluas sasaran PMT ke ibu hamil KEK"
    assert line["Masukan asal"] == f"{PMT_CODE} — {record.titles['pmt']}"
    assert line["Tenggat"].date() == date(2024, 6, 30)
    assert dinkes["D6"].number_format == "dd/mm/yyyy"
    assert line["Status"] == "Belum dimulai"
    assert line["Keterangan"] == "Terlambat"

    dinsos = table(book["Dinsos P2KB"], 5)
    assert [row["No"] for row in dinsos] == [1, 2]
    assert dinsos[0]["Keterangan"] == "Selesai, 1.200 KK diverifikasi."
    assert book["Dinsos P2KB"]["B7"].data_type == "s"  # the formula-looking action
    # Each agency's part prints on its own, landscape, its header on every page.
    assert book["Dinkes"].page_setup.orientation == "landscape"
    assert book["Dinkes"].print_title_rows == "$5:$5"


def test_an_agency_abbreviation_a_sheet_cannot_be_named_still_gets_its_sheet(app, login, record):
    with app.app_context():
        db.session.add(Agency(abbreviation="Disperkim/PU*", name="Dinas Perumahan"))
        db.session.add(Agency(abbreviation="Disperkim-PU-", name="Dinas PU"))
        db.session.flush()
        for abbreviation in ("Disperkim/PU*", "Disperkim-PU-"):
            agency = db.session.scalar(select(Agency).where(Agency.abbreviation == abbreviation))
            db.session.add(
                FollowUp(meeting_id=record.meeting_id, action="RTLH", agency_id=agency.id)
            )
        db.session.commit()
    book = workbook(login("viewer").get(url(record.meeting_id, "rtl.xlsx")))
    assert "Disperkim-PU-" in book.sheetnames and "Disperkim-PU- (2)" in book.sheetnames
    assert book["Disperkim-PU-"]["A2"].value.startswith("Penanggung jawab: Dinas")


def test_a_meeting_without_follow_ups_gives_an_empty_matrix(login, meeting):
    book = workbook(login("viewer").get(url(meeting.id, "rtl.xlsx")))
    assert book.sheetnames == ["Ringkasan"]
    assert table(book["Ringkasan"], 5) == [
        {
            "No": None,
            "Penanggung jawab": "Jumlah",
            "Nama perangkat daerah": None,
            "Jumlah tindak lanjut": 0,
            "Selesai": 0,
            "Terlambat": 0,
        }
    ]


def everything_in(response) -> str:
    """The file's text as a reader sees it: the CSV as is, every cell of a workbook."""
    if response.mimetype == "text/csv":
        return text(response)
    book = load_workbook(io.BytesIO(response.data))
    return " ".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )


# --- who may download -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["inputs-excel.csv", "follow-ups.csv", "follow-ups-excel.csv", "rtl.xlsx"]
)
def test_every_staff_role_reads_and_anonymous_visitors_sign_in(client, login, record, name):
    for role in ("viewer", "secretariat", "admin"):
        response = login(role).get(url(record.meeting_id, name))
        assert response.status_code == 200, role
        assert PHONE not in everything_in(response)
    response = client.get(url(record.meeting_id, name))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert login("viewer").get(url(999_999, name)).status_code == 404
