"""Exports of a meeting's inputs: filters, personal data, and no formula ever runs."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from app.exports.services import neutralised
from app.extensions import db
from app.models import AuditEvent, Pillar, Submission
from tests.helpers import csrf_from, queue_url

WARNING = "Berisi data pribadi (nomor HP) — jangan disebarluaskan"
FORMULA_TITLE = '=HYPERLINK("http://x")'


def export_url(meeting_id: int, extension: str) -> str:
    return f"/admin/meetings/{meeting_id}/inputs.{extension}"


def personal_export(client, meeting_id: int, extension: str, query: str = ""):
    """The personal-data export as the queue's button sends it: a POST with the token."""
    token = csrf_from(client, queue_url(meeting_id))
    return client.post(export_url(meeting_id, extension) + query, data={"csrf_token": token})


def pillar_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Pillar.id).filter_by(code=code))


@pytest.fixture
def inputs(app, meeting, submit, valid_submission) -> dict[str, int]:
    """Three inputs: a P2 proposal, a P3 one whose title is a formula, and a P1 one that
    staff moved to P4, merged into the first and gave a reason beginning with a tab."""
    submit(meeting.code, valid_submission)
    submit(
        meeting.code,
        {**valid_submission, "pillar": str(pillar_id(app, "P3")), "title": FORMULA_TITLE},
    )
    submit(
        meeting.code,
        {
            **valid_submission,
            "pillar": str(pillar_id(app, "P1")),
            "title": "Bantuan sembako untuk lansia tunggal",
            "description": "+62 sekian lansia tunggal belum menerima sembako.",
            "phone": "+62 812 0000 1111",
        },
    )
    with app.app_context():
        first, formula, moved = db.session.scalars(
            db.select(Submission).order_by(Submission.id)
        ).all()
        first.submitted_at = datetime(2024, 1, 23, 2, 15, tzinfo=UTC)  # 09.15 WIB
        moved.pillar_id = pillar_id(app, "P4")
        moved.status = "merged"
        moved.merged_into_id = first.id
        moved.decision_reason = "\tsama dengan usulan Krapyak"
        db.session.commit()
        return {
            "first": first.receipt_code,
            "formula": formula.receipt_code,
            "moved": moved.receipt_code,
        }


def dashed(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_sheet(response):
    workbook = load_workbook(io.BytesIO(response.data))
    return workbook.worksheets[0]


def by_header(rows: list[list], header_index: int = 0) -> list[dict]:
    header = rows[header_index]
    return [dict(zip(header, row)) for row in rows[header_index + 1 :]]


# --- CSV ------------------------------------------------------------------------------------


def test_the_csv_has_a_bom_every_column_and_no_phone_numbers(app, login, meeting, inputs):
    response = login("viewer").get(export_url(meeting.id, "csv"))
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="masukan-rakor-uji.csv"' in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:3] == ["Kode tanda terima", "Waktu masuk (WIB)", "Nama"]
    assert "No HP" not in rows[0]
    text = response.get_data(as_text=True)
    assert "0812" not in text and "812 0000" not in text
    assert WARNING not in text

    records = {row["Kode tanda terima"]: row for row in by_header(rows)}
    assert len(records) == 3
    first = records[dashed(inputs["first"])]
    assert first["Waktu masuk (WIB)"] == "2024-01-23 09:15"
    assert first["Peran"] == "Lurah"
    assert first["Unit"] == "Krapyak"
    assert first["Jenis"] == "Usulan"
    assert first["Sasaran"] == "Pencari kerja"
    assert first["Penerima manfaat"] == "40"
    assert first["Biaya (Rp)"] == "75000000"
    assert first["Status"] == "Diterima, menunggu tinjauan"

    moved = records[dashed(inputs["moved"])]
    assert moved["Strategi"].startswith("P4 ")
    assert moved["Strategi semula (dari peserta)"].startswith("P1 ")
    assert moved["Digabung ke (kode)"] == dashed(inputs["first"])
    assert moved["Status"] == "Digabung dengan masukan serupa"
    assert moved["Alasan keputusan"] == "'\tsama dengan usulan Krapyak"
    assert moved["Uraian"] == "'+62 sekian lansia tunggal belum menerima sembako."


def test_a_formula_title_arrives_as_text_in_the_csv(app, login, meeting, inputs):
    rows = by_header(csv_rows(login("secretariat").get(export_url(meeting.id, "csv"))))
    [row] = [r for r in rows if r["Kode tanda terima"] == dashed(inputs["formula"])]
    assert row["Judul"] == "'" + FORMULA_TITLE


def test_a_csv_opened_with_semicolons_has_no_formula_cell(login, meeting, submit, valid_submission):
    fields = {**valid_submission, "title": "Uraian biasa;=1+1;@SUM(1;1)"}
    assert submit(meeting.code, fields).status_code == 303
    raw = login("secretariat").get(export_url(meeting.id, "csv")).get_data(as_text=True)
    assert "\"Uraian biasa;'=1+1;'@SUM(1;1)\"" in raw  # every field quoted
    for delimiter in (";", ","):
        for row in csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=delimiter):
            for cell in row:
                assert not cell.lstrip(" ").startswith(("=", "+", "-", "@")), (delimiter, cell)


def test_the_csv_honours_the_review_filters(app, login, meeting, inputs):
    client = login("secretariat")
    p3 = pillar_id(app, "P3")
    rows = by_header(
        csv_rows(client.get(export_url(meeting.id, "csv"), query_string={"pillar": p3}))
    )
    assert [row["Kode tanda terima"] for row in rows] == [dashed(inputs["formula"])]

    rows = by_header(csv_rows(client.get(export_url(meeting.id, "csv") + "?status=merged")))
    assert [row["Kode tanda terima"] for row in rows] == [dashed(inputs["moved"])]

    rows = by_header(csv_rows(client.get(export_url(meeting.id, "csv") + "?q=sembako")))
    assert [row["Kode tanda terima"] for row in rows] == [dashed(inputs["moved"])]

    # The queue's own order: oldest first.
    rows = by_header(csv_rows(client.get(export_url(meeting.id, "csv") + "?sort=oldest")))
    assert rows[0]["Kode tanda terima"] == dashed(inputs["first"])
    for sort in ("newest", "pillar", "title", "submitter"):
        rows = by_header(csv_rows(client.get(export_url(meeting.id, "csv") + f"?sort={sort}")))
        assert len(rows) == 3, sort
    rows = by_header(csv_rows(client.get(export_url(meeting.id, "csv") + "?sort=pillar")))
    assert [row["Strategi"][:2] for row in rows] == ["P2", "P3", "P4"]


def test_the_csv_with_personal_data_says_so_and_is_audited(app, login, meeting, inputs, staff):
    response = personal_export(login("secretariat"), meeting.id, "csv", "?pillar=abc")
    assert response.status_code == 200
    assert (
        'filename="masukan-rakor-uji-data-pribadi.csv"' in response.headers["Content-Disposition"]
    )
    rows = csv_rows(response)
    assert rows[0] == [WARNING]
    records = by_header(rows, header_index=1)
    assert "No HP" in rows[1]
    phones = {row["Kode tanda terima"]: row["No HP"] for row in records}
    assert phones[dashed(inputs["first"])] == "0812-2712-3456"
    assert phones[dashed(inputs["moved"])] == "'+62 812 0000 1111"
    with app.app_context():
        [event] = db.session.scalars(
            db.select(AuditEvent).filter_by(action="export_personal_data")
        ).all()
        assert event.user_id == staff["secretariat"]
        assert event.meeting_id == meeting.id
        assert event.after == {"format": "csv", "filters": {}}


# --- XLSX -----------------------------------------------------------------------------------


def test_the_xlsx_has_the_columns_and_no_phone_numbers(app, login, meeting, inputs):
    response = login("viewer").get(export_url(meeting.id, "xlsx"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "masukan-rakor-uji.xlsx" in response.headers["Content-Disposition"]
    sheet = xlsx_sheet(response)
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Kode tanda terima"
    assert "No HP" not in rows[0]
    assert WARNING not in [cell for row in rows for cell in row]
    records = {row["Kode tanda terima"]: row for row in by_header(rows)}
    first = records[dashed(inputs["first"])]
    assert first["Waktu masuk (WIB)"] == datetime(2024, 1, 23, 9, 15)
    assert first["Biaya (Rp)"] == 75_000_000
    assert first["Penerima manfaat"] == 40
    assert records[dashed(inputs["moved"])]["Digabung ke (kode)"] == dashed(inputs["first"])


def test_a_formula_title_is_a_string_cell_in_the_xlsx(app, login, meeting, inputs):
    sheet = xlsx_sheet(login("secretariat").get(export_url(meeting.id, "xlsx")))
    header = [cell.value for cell in sheet[1]]
    title_column = header.index("Judul")
    [cell] = [
        row[title_column]
        for row in sheet.iter_rows(min_row=2)
        if row[0].value == dashed(inputs["formula"])
    ]
    assert cell.value == FORMULA_TITLE  # as typed: the cell's type keeps it text
    assert cell.data_type == "s"
    reason_column = header.index("Alasan keputusan")
    [reason] = [
        row[reason_column]
        for row in sheet.iter_rows(min_row=2)
        if row[0].value == dashed(inputs["moved"])
    ]
    assert reason.value == "\tsama dengan usulan Krapyak"
    assert reason.data_type == "s"


def test_the_xlsx_honours_the_review_filters(app, login, meeting, inputs):
    response = login("viewer").get(
        export_url(meeting.id, "xlsx"), query_string={"pillar": pillar_id(app, "P2")}
    )
    rows = [list(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]
    assert [row[0] for row in rows[1:]] == [dashed(inputs["first"])]


def test_the_xlsx_with_personal_data_says_so_first(app, login, meeting, inputs):
    response = personal_export(login("admin"), meeting.id, "xlsx")
    assert "masukan-rakor-uji-data-pribadi.xlsx" in response.headers["Content-Disposition"]
    rows = [list(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]
    assert rows[0][0] == WARNING
    assert "No HP" in rows[1]
    phones = {row["Kode tanda terima"]: row["No HP"] for row in by_header(rows, 1)}
    assert phones[dashed(inputs["first"])] == "0812-2712-3456"
    with app.app_context():
        events = db.session.scalars(
            db.select(AuditEvent).filter_by(action="export_personal_data")
        ).all()
        assert [event.after["format"] for event in events] == ["xlsx"]


def test_text_with_control_characters_still_exports(app, login, meeting, inputs):
    with app.app_context():
        submission = db.session.scalar(
            db.select(Submission).filter_by(receipt_code=inputs["first"])
        )
        submission.decision_reason = "tab\there, vertical\x0btab, #N/A"
        submission.title = "#N/A"
        db.session.commit()
    sheet = xlsx_sheet(login("secretariat").get(export_url(meeting.id, "xlsx")))
    header = [cell.value for cell in sheet[1]]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[0].value == dashed(inputs["first"])]
    assert row[header.index("Alasan keputusan")].value == "tab\there, verticaltab, #N/A"
    assert row[header.index("Judul")].value == "#N/A"
    assert row[header.index("Judul")].data_type == "s"


def test_an_empty_selection_gives_just_the_header(app, login, meeting):
    rows = csv_rows(login("secretariat").get(export_url(meeting.id, "csv")))
    assert len(rows) == 1
    rows = list(xlsx_sheet(login("secretariat").get(export_url(meeting.id, "xlsx"))).values)
    assert len(rows) == 1


# --- who may download -----------------------------------------------------------------------


def test_every_staff_role_may_download_and_anonymous_visitors_sign_in(app, client, login, meeting):
    for role in ("viewer", "secretariat", "admin"):
        staff_client = login(role)
        for extension in ("csv", "xlsx"):
            response = staff_client.get(export_url(meeting.id, extension))
            assert response.status_code == 200, (role, extension)
            assert response.data  # the whole body is sent
    for extension in ("csv", "xlsx"):
        response = client.get(export_url(meeting.id, extension))
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert client.get(export_url(999_999, extension)).status_code == 302


def test_only_secretariat_and_admin_take_the_phone_numbers(app, client, login, meeting, inputs):
    for role in ("secretariat", "admin"):
        for extension in ("csv", "xlsx"):
            response = personal_export(login(role), meeting.id, extension)
            assert response.status_code == 200, (role, extension)
            assert "-data-pribadi" in response.headers["Content-Disposition"]
    viewer = login("viewer")
    for extension in ("csv", "xlsx"):
        assert personal_export(viewer, meeting.id, extension).status_code == 403
        # Without a session there is no token either: refused before anything runs.
        assert client.post(export_url(meeting.id, extension)).status_code in (302, 400)
    with app.app_context():
        events = db.session.scalars(
            db.select(AuditEvent).filter_by(action="export_personal_data")
        ).all()
        assert len(events) == 4  # the refused ones wrote nothing


def test_an_unknown_meeting_is_not_found(login):
    assert login("secretariat").get(export_url(999_999, "csv")).status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+62", "'+62"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("biasa = aman", "biasa = aman"),
        ("Uraian biasa;=1+1;@SUM(1;1)", "Uraian biasa;'=1+1;'@SUM(1;1)"),
        ("a, -5 KK", "a, '-5 KK"),
        (1500, 1500),
    ],
)
def test_neutralised(text, expected):
    assert neutralised(text) == expected
