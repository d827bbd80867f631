"""An agency's RTL workbook: downloaded with its open follow-ups, filled in Excel, uploaded
through a focal point's account or the agency's update link: every row, or none."""

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.agency_links import services as links
from app.extensions import db
from app.follow_ups import progress
from app.follow_ups import workbook as workbook_service
from app.follow_ups.progress import ProgressReport
from app.i18n import local_today
from app.models import Agency, AuditEvent, FollowUp, FollowUpProgress, User
from app.services import Refused
from tests.helpers import csrf_from, hidden_value, text

HEADER_ROW = 5
# The columns by number (1 = A).
ID, VERSION, STATUS, PERCENT, NOTE, DAY = 1, 2, 7, 8, 9, 10
COLUMNS = [
    "ID",
    "Versi laporan",
    "No",
    "Rapat",
    "Rencana tindak lanjut",
    "Tenggat",
    "Status",
    "Persentase",
    "Catatan kemajuan",
    "Tanggal keadaan",
]


@pytest.fixture
def app_config() -> dict:
    return {"RAKOR_AGENCY_LINK_RATE_LIMIT": "10000 per minute"}


# --- helpers -----------------------------------------------------------------------------------


def add_follow_up(app, meeting_id: int, agency_id: int, action: str, **fields) -> int:
    with app.app_context():
        follow_up = FollowUp(meeting_id=meeting_id, agency_id=agency_id, action=action, **fields)
        db.session.add(follow_up)
        db.session.commit()
        return follow_up.id


def entries(app) -> list[FollowUpProgress]:
    with app.app_context():
        rows = db.session.scalars(select(FollowUpProgress).order_by(FollowUpProgress.id)).all()
        db.session.expunge_all()
        return rows


def state(app, follow_up_id: int) -> tuple:
    with app.app_context():
        row = db.session.get(FollowUp, follow_up_id)
        return row.status, row.percent, row.progress_note


def agency_url(agency_id: int) -> str:
    return f"/admin/follow-ups/agency/{agency_id}"


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, text(response)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def rows_by_id(workbook) -> dict[int, int]:
    """Follow-up id -> its row number in the sheet."""
    sheet = workbook["RTL"]
    return {
        sheet.cell(row, 1).value: row
        for row in range(HEADER_ROW + 1, sheet.max_row + 1)
        if sheet.cell(row, 1).value is not None
    }


def fill(workbook, follow_up_id: int, status=None, percent=None, note=None, day=None) -> None:
    sheet = workbook["RTL"]
    row = rows_by_id(workbook)[follow_up_id]
    for column, value in ((STATUS, status), (PERCENT, percent), (NOTE, note), (DAY, day)):
        if value is not None:
            sheet.cell(row, column).value = value


def as_bytes(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload_as_staff(client, agency_id: int, content: bytes, filename: str = "rtl.xlsx"):
    token = csrf_from(client, agency_url(agency_id))
    return client.post(
        f"{agency_url(agency_id)}/rtl.xlsx",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def upload_through_link(client, token: str, content: bytes):
    page = text(client.get(f"/tl/{token}"))
    return client.post(
        f"/tl/{token}/rtl.xlsx",
        data={
            "csrf_token": hidden_value(page, "csrf_token"),
            "file": (io.BytesIO(content), "r.xlsx"),
        },
        content_type="multipart/form-data",
    )


@pytest.fixture
def rtl(app, make_meeting, focal_point) -> dict:
    """Disperkim (the focal point's agency) with two open follow-ups and a closed one;
    Dinkes with one of its own."""
    with app.app_context():
        today = local_today()
        dinkes = Agency(abbreviation="Dinkes", name="Dinas Kesehatan")
        db.session.add(dinkes)
        db.session.commit()
        other = dinkes.id
    meeting = make_meeting(code="rakor-2024", date=date(2024, 1, 23))
    agency = focal_point["agency"]
    ids = {
        "rtlh": add_follow_up(app, meeting.id, agency, "Bedah rumah 50 unit",
                              deadline=today + timedelta(days=30)),
        "sanitasi": add_follow_up(app, meeting.id, agency, "=HYPERLINK(\"http://x\")",
                                  deadline=today - timedelta(days=3), status="in_progress",
                                  percent=20, progress_note="@Survei awal"),
        "done": add_follow_up(app, meeting.id, agency, "Jamban sehat 20 unit", status="done",
                              percent=100),
        "other": add_follow_up(app, meeting.id, other, "PMT balita stunting"),
    }  # fmt: skip
    return {"agency": agency, "other_agency": other, "ids": ids, "focal_user": focal_point["user"]}


# --- the download -----------------------------------------------------------------------------


def test_the_download_holds_the_agencys_open_follow_ups_to_fill_in(login, rtl):
    workbook = download(login("focal"), f"{agency_url(rtl['agency'])}/rtl.xlsx")
    assert workbook.sheetnames == ["RTL"]
    sheet = workbook["RTL"]
    assert "Disperkim" in sheet["A1"].value
    assert sheet["A3"].value.startswith("Petunjuk")
    assert [cell.value for cell in sheet[HEADER_ROW]] == COLUMNS
    ids = rtl["ids"]
    # Open ones only, the nearest deadline first; not another agency's.
    assert list(rows_by_id(workbook)) == [ids["sanitasi"], ids["rtlh"]]
    row = rows_by_id(workbook)[ids["sanitasi"]]
    values = [sheet.cell(row, column).value for column in range(1, 11)]
    assert values[0] == ids["sanitasi"]
    assert values[1] == 0  # no progress report yet
    assert values[2] == 1
    assert values[6:9] == ["Sedang berjalan", 20, "@Survei awal"]
    assert values[9] is None
    # Text that looks like a formula stays text.
    assert sheet.cell(row, 5).data_type == "s"
    assert sheet.cell(row, 5).value == '=HYPERLINK("http://x")'
    assert sheet.cell(row, NOTE).data_type == "s"
    # The status is picked from a list of the Indonesian labels; the percent is 0-100.
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    status = next(v for ref, v in validations.items() if ref.startswith("G"))
    assert status.formula1 == '"Belum dimulai,Sedang berjalan,Selesai"'  # no cancelling
    percent = next(v for ref, v in validations.items() if ref.startswith("H"))
    assert (percent.type, percent.formula1, percent.formula2) == ("whole", "0", "100")
    # The ID and the version are locked; what the agency fills in is not.
    assert sheet.protection.sheet
    assert sheet.cell(row, ID).protection.locked
    assert sheet.cell(row, VERSION).protection.locked
    assert not sheet.cell(row, STATUS).protection.locked


def test_a_focal_point_reaches_its_own_agency_only(login, rtl):
    client = login("focal")
    other = rtl["other_agency"]
    assert client.get(agency_url(rtl["agency"])).status_code == 200
    assert client.get(agency_url(other)).status_code == 404
    assert client.get(f"{agency_url(other)}/rtl.xlsx").status_code == 404
    token = csrf_from(client, agency_url(rtl["agency"]))
    response = client.post(
        f"{agency_url(other)}/rtl.xlsx",
        data={"csrf_token": token, "file": (io.BytesIO(b"PK"), "r.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404


def test_a_viewer_downloads_but_does_not_upload(login, rtl):
    client = login("viewer")
    page = text(client.get(agency_url(rtl["agency"])))
    assert "Unduh berkas RTL" in page
    assert "Periksa dan unggah" not in page
    token = csrf_from(client, agency_url(rtl["agency"]))
    response = client.post(f"{agency_url(rtl['agency'])}/rtl.xlsx", data={"csrf_token": token})
    assert response.status_code == 403


# --- the upload --------------------------------------------------------------------------------


def test_an_upload_applies_the_changed_rows_and_counts_the_rest(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    fill(workbook, rtl["ids"]["rtlh"], status="sedang berjalan", percent="50%", note="Survei")
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "1 tindak lanjut diperbarui, 1 tanpa perubahan" in page
    assert state(app, rtl["ids"]["rtlh"]) == ("in_progress", 50, "Survei")
    assert state(app, rtl["ids"]["sanitasi"]) == ("in_progress", 20, "@Survei awal")
    [entry] = entries(app)
    assert entry.channel == "xlsx"
    assert entry.user_id == rtl["focal_user"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).filter_by(action="progress"))
        assert event.after["channel"] == "xlsx"
        assert event.user_id == rtl["focal_user"]


def test_the_same_file_twice_changes_nothing_the_second_time(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    fill(workbook, rtl["ids"]["rtlh"], status="Selesai", percent=100, note="Rampung")
    content = as_bytes(workbook)
    first = upload_as_staff(client, rtl["agency"], content)
    assert "1 tindak lanjut diperbarui" in text(client.get(first.headers["Location"]))
    second = upload_as_staff(client, rtl["agency"], content)
    assert second.status_code == 303
    assert "Tidak ada perubahan" in text(client.get(second.headers["Location"]))
    assert len(entries(app)) == 1
    assert state(app, rtl["ids"]["rtlh"]) == ("done", 100, "Rampung")


def test_a_file_left_as_downloaded_changes_nothing(app, login, rtl):
    client = login("focal")
    response = client.get(f"{agency_url(rtl['agency'])}/rtl.xlsx")
    upload = upload_as_staff(client, rtl["agency"], response.data)
    assert upload.status_code == 303
    assert "Tidak ada perubahan: 2 tindak lanjut" in text(client.get(upload.headers["Location"]))
    assert entries(app) == []


def test_one_wrong_row_applies_nothing_and_names_its_row(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    rows = rows_by_id(workbook)
    fill(workbook, rtl["ids"]["sanitasi"], percent=60, note="Berjalan baik")
    fill(workbook, rtl["ids"]["rtlh"], status="Sedang berjalan", percent=140)
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    html = text(response)
    assert f"Baris {rows[rtl['ids']['rtlh']]}, Persentase: Persentase antara 0 dan 100." in html
    assert "Tidak ada yang diperbarui" in html
    assert entries(app) == []
    assert state(app, rtl["ids"]["sanitasi"]) == ("in_progress", 20, "@Survei awal")


def test_a_row_against_the_progress_rules_is_named_too(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    row = rows_by_id(workbook)[rtl["ids"]["rtlh"]]
    fill(workbook, rtl["ids"]["rtlh"], status="Selesai", percent=80)
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert f"Baris {row}, Persentase: Tindak lanjut yang selesai berarti 100 persen." in text(
        response
    )
    assert entries(app) == []


def test_another_agencys_id_is_refused(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    row = rows_by_id(workbook)[rtl["ids"]["rtlh"]]
    fill(workbook, rtl["ids"]["sanitasi"], percent=70)
    workbook["RTL"].cell(row, ID).value = rtl["ids"]["other"]
    workbook["RTL"].cell(row, STATUS).value = "Selesai"
    workbook["RTL"].cell(row, PERCENT).value = 100
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert (
        f"Baris {row}, ID: ID {rtl['ids']['other']} bukan tindak lanjut perangkat daerah ini."
        in text(response)
    )
    assert entries(app) == []
    assert state(app, rtl["ids"]["other"])[0] == "open"


def test_an_id_twice_is_refused(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    rows = rows_by_id(workbook)
    first, second = sorted(rows.values())
    workbook["RTL"].cell(second, ID).value = workbook["RTL"].cell(first, ID).value
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert f"Baris {second}, ID:" in text(response)
    assert f"sudah ada di baris {first}" in text(response)


def test_statuses_and_percentages_are_read_as_people_type_them(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    fill(workbook, rtl["ids"]["rtlh"], status="in_progress", percent="35,0", note="Pondasi")
    fill(workbook, rtl["ids"]["sanitasi"], status="SEDANG BERJALAN", percent=0.45)
    cell = workbook["RTL"].cell(rows_by_id(workbook)[rtl["ids"]["sanitasi"]], PERCENT)
    cell.number_format = "0%"  # Excel stores a typed "45%" as 0.45
    with app.app_context():
        day = local_today() - timedelta(days=2)
    fill(workbook, rtl["ids"]["sanitasi"], day=day.strftime("%d/%m/%Y"))
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 303, text(response)[-2000:]
    assert state(app, rtl["ids"]["rtlh"]) == ("in_progress", 35, "Pondasi")
    assert state(app, rtl["ids"]["sanitasi"])[:2] == ("in_progress", 45)
    with app.app_context():
        reported = db.session.get(FollowUp, rtl["ids"]["sanitasi"]).reported_on
    assert reported == day


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Nama;Status\nBudi;Selesai\n", "bukan berkas Excel (.xlsx)"),
        (b"PK\x03\x04 not really a zip", "bukan berkas Excel (.xlsx)"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused(app, login, rtl, content, message):
    client = login("focal")
    response = upload_as_staff(client, rtl["agency"], content, filename="rtl.xlsx")
    assert response.status_code == 422
    assert message in text(response)
    assert entries(app) == []


def test_a_workbook_without_the_columns_is_refused(app, login, rtl):
    workbook = Workbook()
    workbook.active.append(["Nama", "Alamat"])
    workbook.active.append(["Budi", "Krapyak"])
    response = upload_as_staff(login("focal"), rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert "Baris judul kolom" in text(response)


def test_more_than_2000_rows_are_refused(app, login, rtl):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for _ in range(2001):
        sheet.append([rtl["ids"]["rtlh"], 0, 1, "", "", None, "Belum dimulai", 0, ""])
    response = upload_as_staff(login("focal"), rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert "lebih dari 2.000 baris" in text(response)
    assert entries(app) == []


def test_a_file_over_2_mb_is_refused(app, login, rtl):
    content = b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024)
    response = upload_as_staff(login("focal"), rtl["agency"], content)
    assert response.status_code == 422
    assert "Berkas lebih besar dari 2 MB" in text(response)


# --- through the agency's link -------------------------------------------------------------------


def test_the_link_downloads_and_uploads_the_same_workbook(app, client, rtl):
    with app.test_request_context():
        link = links.create_link(db.session.get(Agency, rtl["agency"]), None)
        token, link_id = link.token, link.id
    response = client.get(f"/tl/{token}/rtl.xlsx")
    assert response.headers["Cache-Control"] == "no-store"
    workbook = download(client, f"/tl/{token}/rtl.xlsx")
    fill(workbook, rtl["ids"]["rtlh"], status="Sedang berjalan", percent=10, note="Mulai")
    content = as_bytes(workbook)
    response = upload_through_link(client, token, content)
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "1 tindak lanjut diperbarui, 1 tanpa perubahan" in page
    [entry] = entries(app)
    assert (entry.channel, entry.link_id, entry.user_id) == ("xlsx", link_id, None)
    again = upload_through_link(client, token, content)
    assert "Tidak ada perubahan" in text(client.get(again.headers["Location"]))
    assert len(entries(app)) == 1


def test_a_wrong_row_through_the_link_shows_the_rows_on_the_link_page(app, client, rtl):
    with app.test_request_context():
        token = links.create_link(db.session.get(Agency, rtl["agency"]), None).token
    workbook = download(client, f"/tl/{token}/rtl.xlsx")
    row = rows_by_id(workbook)[rtl["ids"]["rtlh"]]
    fill(workbook, rtl["ids"]["rtlh"], status="Entah", percent=10)
    response = upload_through_link(client, token, as_bytes(workbook))
    assert response.status_code == 422
    html = text(response)
    assert re.search(rf"Baris {row}, Status: Pilihan tidak tersedia", html)
    assert "Bedah rumah 50 unit" in html  # still the agency's page
    assert entries(app) == []


def test_a_row_of_a_follow_up_closed_since_the_download_is_refused(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    row = rows_by_id(workbook)[rtl["ids"]["rtlh"]]
    with app.app_context():
        follow_up = db.session.get(FollowUp, rtl["ids"]["rtlh"])
        follow_up.status, follow_up.percent = "cancelled", 0
        db.session.commit()
    fill(workbook, rtl["ids"]["rtlh"], status="Sedang berjalan", percent=30)
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert f"Baris {row}, Status: Tindak lanjut ini sudah ditutup (Dibatalkan)" in text(response)
    assert entries(app) == []
    assert state(app, rtl["ids"]["rtlh"])[0] == "cancelled"


# --- a file filled while the secretariat reports too ---------------------------------------------


def report_as_staff(app, staff, follow_up_id: int, status: str, percent: int, note: str) -> int:
    """A progress report from the secretariat's account; returns the entry's id."""
    with app.test_request_context():
        follow_up = db.session.get(FollowUp, follow_up_id)
        user = db.session.get(User, staff["secretariat"])
        entry = progress.report_progress(
            follow_up,
            ProgressReport(status=status, percent=percent, note=note),
            actor=user,
            channel="staff",
        )
        return entry.id


def test_the_version_column_holds_the_latest_report_of_each_follow_up(app, login, rtl, staff):
    entry_id = report_as_staff(app, staff, rtl["ids"]["rtlh"], "in_progress", 40, "Pondasi")
    workbook = download(login("focal"), f"{agency_url(rtl['agency'])}/rtl.xlsx")
    sheet, rows = workbook["RTL"], rows_by_id(workbook)
    assert sheet.cell(rows[rtl["ids"]["rtlh"]], VERSION).value == entry_id
    assert sheet.cell(rows[rtl["ids"]["sanitasi"]], VERSION).value == 0


def test_an_untouched_file_does_not_revert_a_newer_report(app, login, rtl, staff):
    client = login("focal")
    content = client.get(f"{agency_url(rtl['agency'])}/rtl.xlsx").data
    report_as_staff(app, staff, rtl["ids"]["rtlh"], "in_progress", 60, "Pondasi selesai")
    response = upload_as_staff(client, rtl["agency"], content)
    assert response.status_code == 303, text(response)[-2000:]
    assert "Tidak ada perubahan: 2 tindak lanjut" in text(client.get(response.headers["Location"]))
    assert state(app, rtl["ids"]["rtlh"]) == ("in_progress", 60, "Pondasi selesai")
    assert [entry.channel for entry in entries(app)] == ["staff"]


def test_a_row_changed_after_a_newer_report_is_refused_and_nothing_applies(app, login, rtl, staff):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    rows = rows_by_id(workbook)
    report_as_staff(app, staff, rtl["ids"]["rtlh"], "in_progress", 60, "Pondasi selesai")
    report_as_staff(app, staff, rtl["ids"]["sanitasi"], "done", 100, "Rampung")
    fill(workbook, rtl["ids"]["rtlh"], status="Sedang berjalan", percent=30, note="Survei")
    fill(workbook, rtl["ids"]["sanitasi"], percent=50, note="Separuh")
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    html = text(response)
    # Every such row is named at once, not only the first one met while writing.
    assert (
        f"Baris {rows[rtl['ids']['rtlh']]}: sudah ada laporan kemajuan yang lebih baru sejak "
        "berkas diunduh (Sedang berjalan, 60 persen). Unduh berkas RTL yang baru."
    ) in html
    assert (
        f"Baris {rows[rtl['ids']['sanitasi']]}: sudah ada laporan kemajuan yang lebih baru "
        "sejak berkas diunduh (Selesai, 100 persen)."
    ) in html
    assert "Tidak ada yang diperbarui" in html
    assert state(app, rtl["ids"]["rtlh"]) == ("in_progress", 60, "Pondasi selesai")
    assert state(app, rtl["ids"]["sanitasi"]) == ("done", 100, "Rampung")
    assert len(entries(app)) == 2


def test_a_row_changed_after_its_own_report_still_applies(app, login, rtl, staff):
    """The version is the download's: a report before the download is no reason to refuse."""
    report_as_staff(app, staff, rtl["ids"]["rtlh"], "in_progress", 40, "Pondasi")
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    fill(workbook, rtl["ids"]["rtlh"], percent=70, note="Dinding")
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 303, text(response)[-2000:]
    assert state(app, rtl["ids"]["rtlh"]) == ("in_progress", 70, "Dinding")


def test_the_same_file_after_a_newer_report_still_changes_nothing(app, login, rtl, staff):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    fill(workbook, rtl["ids"]["rtlh"], status="Sedang berjalan", percent=30, note="Survei")
    content = as_bytes(workbook)
    first = upload_as_staff(client, rtl["agency"], content)
    assert "1 tindak lanjut diperbarui" in text(client.get(first.headers["Location"]))
    report_as_staff(app, staff, rtl["ids"]["rtlh"], "in_progress", 80, "Atap")
    second = upload_as_staff(client, rtl["agency"], content)
    assert second.status_code == 303, text(second)[-2000:]
    assert "Tidak ada perubahan" in text(client.get(second.headers["Location"]))
    assert state(app, rtl["ids"]["rtlh"]) == ("in_progress", 80, "Atap")
    assert [entry.channel for entry in entries(app)] == ["xlsx", "staff"]


@pytest.mark.parametrize("version", ["other", 987654, "abc", None])
def test_a_version_typed_over_is_refused(app, login, rtl, staff, version):
    other_entry = report_as_staff(app, staff, rtl["ids"]["sanitasi"], "in_progress", 30, "Uji")
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    row = rows_by_id(workbook)[rtl["ids"]["rtlh"]]
    workbook["RTL"].cell(row, VERSION).value = other_entry if version == "other" else version
    fill(workbook, rtl["ids"]["rtlh"], status="Sedang berjalan", percent=30, note="Survei")
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert f"Baris {row}, Versi laporan:" in text(response)
    assert "Unduh berkas RTL yang baru" in text(response)
    assert state(app, rtl["ids"]["rtlh"]) == ("open", 0, "")
    assert len(entries(app)) == 1


def test_a_file_without_the_version_column_asks_for_a_new_download(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    workbook["RTL"].delete_cols(VERSION)
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert "unduhan lama (tanpa kolom Versi laporan)" in text(response)
    assert "Unduh berkas RTL yang baru" in text(response)
    assert entries(app) == []


def test_a_report_between_the_check_and_the_write_refuses_the_file(app, rtl, staff):
    """Checking and writing are two steps: the write looks again, under the row lock."""
    with app.test_request_context():
        agency = db.session.get(Agency, rtl["agency"])
        content = workbook_service.agency_workbook(agency)
    workbook = load_workbook(io.BytesIO(content))
    fill(workbook, rtl["ids"]["rtlh"], status="Sedang berjalan", percent=30, note="Survei")
    content = as_bytes(workbook)
    with app.test_request_context():
        checked, errors = workbook_service.check_rows(
            rtl["agency"], workbook_service.read_rows(content), "ab" * 32, local_today()
        )
        assert errors == []
        db.session.rollback()
    report_as_staff(app, staff, rtl["ids"]["rtlh"], "in_progress", 60, "Pondasi selesai")
    with app.test_request_context():
        with pytest.raises(Refused) as refused:
            workbook_service.apply_rows(rtl["agency"], checked, actor=None, link=None)
        [error] = refused.value.details["errors"]
        assert "sudah ada laporan kemajuan yang lebih baru" in str(error)
    assert state(app, rtl["ids"]["rtlh"]) == ("in_progress", 60, "Pondasi selesai")
    assert len(entries(app)) == 1


def test_an_agency_cannot_cancel_through_the_file(app, login, rtl):
    client = login("focal")
    workbook = download(client, f"{agency_url(rtl['agency'])}/rtl.xlsx")
    row = rows_by_id(workbook)[rtl["ids"]["rtlh"]]
    fill(workbook, rtl["ids"]["rtlh"], status="Dibatalkan", percent=0, note="Tidak ada dana")
    response = upload_as_staff(client, rtl["agency"], as_bytes(workbook))
    assert response.status_code == 422
    assert f"Baris {row}, Status: Hanya sekretariat yang dapat membatalkan" in text(response)
    assert entries(app) == []
