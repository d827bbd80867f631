"""The admin's import of need per kelurahan: aggregates accepted, person-level data refused."""

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from app.models.insight import NeedDataset, NeedFigure
from tests.helpers import audit_events, csrf_from, text

NEED_URL = "/admin/need"
BOUNDARIES = Path(__file__).parent.parent / "app/reference_data/kelurahan-3375.geojson"
# (code, name as the boundary file spells it: "Kali Baros" for our "Kalibaros").
WARDS = [
    (feature["properties"]["kode"], feature["properties"]["nama"])
    for feature in json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
]
MEASURE = "Rumah tangga desil 1-2 DTSEN"


def csv_bytes(rows: list[list], header=("kode", "nama", "angka", "tahun", "sumber")) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode()


def every_ward(year: int = 2024, figure=lambda index: 100 + index) -> list[list]:
    return [[code, name, figure(i), year, "Bappeda"] for i, (code, name) in enumerate(WARDS)]


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def send(client, content: bytes, *, filename: str = "kebutuhan.csv", measure: str = MEASURE):
    return client.post(
        NEED_URL,
        data={
            "csrf_token": csrf_from(client, NEED_URL),
            "measure": measure,
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def stored(app) -> list[tuple[str, int, str, int, int]]:
    """(measure, year, source, kelurahan, total) of every dataset."""
    with app.app_context():
        rows = db.session.execute(
            select(
                NeedDataset.measure,
                NeedDataset.year,
                NeedDataset.source,
                db.func.count(NeedFigure.id),
                db.func.sum(NeedFigure.figure),
            )
            .join(NeedFigure, isouter=True)
            .group_by(NeedDataset.id)
        ).all()
        return [tuple(row) for row in rows]


@pytest.fixture
def admin(login):
    return login("admin")


def test_a_csv_of_every_kelurahan_is_stored_and_listed(app, admin):
    response = send(admin, csv_bytes(every_ward()))
    assert response.status_code == 303
    page = text(admin.get(response.headers["Location"]))
    total = sum(100 + i for i in range(27))
    assert "diimpor untuk 27 kelurahan" in page
    assert MEASURE in page and "Bappeda" in page and f"{total:,}".replace(",", ".") in page
    assert stored(app) == [(MEASURE, 2024, "Bappeda", 27, total)]
    (event,) = audit_events(app, entity_type="NeedDataset")
    assert event.action == "import"
    assert event.after["figures"]["Kalibaros"] == 100 + WARDS.index(("33.75.02.1012", "Kali Baros"))


def test_an_xlsx_with_english_headers_names_only_and_some_wards_missing(app, admin):
    rows = [["Name", "Figure", "Year", "Source"]]
    rows += [[name, 250, 2023, "BPS"] for _code, name in WARDS[:20]]
    response = send(admin, xlsx_bytes(rows), filename="need.xlsx", measure="Poor households")
    assert response.status_code == 303
    assert stored(app) == [("Poor households", 2023, "BPS", 20, 5000)]


@pytest.mark.parametrize(
    "header",
    [
        "NIK",
        "No. KK",
        "Nomor Kartu Keluarga",
        "Nama Kepala Keluarga",
        "Nama Penerima",
        "Tanggal Lahir",
        "Jenis Kelamin",
        "Alamat",
        "No HP",
    ],
)
def test_a_person_level_column_refuses_the_whole_file_naming_it(app, admin, header):
    rows = [[*row, "x"] for row in every_ward()]
    response = send(admin, csv_bytes(rows, ("kode", "nama", "angka", "tahun", "sumber", header)))
    assert response.status_code == 422
    page = text(response)
    assert f"Kolom F “{header}” berisi data perorangan" in page
    assert stored(app) == []


@pytest.mark.parametrize("as_xlsx", [False, True])
def test_a_sixteen_digit_number_refuses_the_file_without_repeating_it(app, admin, as_xlsx):
    rows = every_ward()
    rows[3][4] = 3375012345678901  # a NIK where the source should be
    if as_xlsx:
        content, filename = (
            xlsx_bytes([["kode", "nama", "angka", "tahun", "sumber"], *rows]),
            "k.xlsx",
        )
    else:
        content, filename = csv_bytes(rows), "k.csv"
    response = send(admin, content, filename=filename)
    assert response.status_code == 422
    page = text(response)
    assert "Baris 5, kolom E berisi angka 16 digit, seperti NIK atau nomor KK" in page
    assert "3375012345678901" not in page
    assert stored(app) == []


def far_right(header, value) -> bytes:
    """Every ward, with one more column at Z (the 26th) and nothing between."""
    gap = [None] * 20  # F..Y
    header_row = ["kode", "nama", "angka", "tahun", "sumber", *gap, header]
    return xlsx_bytes([header_row, *[[*row, *gap, value] for row in every_ward()]])


def test_a_person_level_column_far_to_the_right_of_an_xlsx_is_refused(app, admin):
    response = send(admin, far_right("NIK", "3375011234567890"), filename="k.xlsx")
    assert response.status_code == 422
    assert "Kolom Z “NIK” berisi data perorangan" in text(response)
    assert stored(app) == []


def test_a_sixteen_digit_number_far_to_the_right_of_an_xlsx_is_refused(app, admin):
    response = send(admin, far_right("kecamatan", 3375011234567890), filename="k.xlsx")
    assert response.status_code == 422
    assert "kolom Z berisi angka 16 digit" in text(response)
    assert stored(app) == []


def test_a_filled_cell_under_no_header_is_refused_naming_its_column(app, admin):
    response = send(admin, far_right(None, "Siti Aminah"), filename="k.xlsx")
    assert response.status_code == 422
    assert "Baris 2, kolom Z berisi isian, tetapi kolom itu tidak punya judul" in text(response)
    assert stored(app) == []


def test_bad_rows_are_each_named_and_nothing_is_stored(app, admin):
    rows = every_ward()
    rows[0][0] = "33.75.09.1001"  # row 2: no such code
    rows[1][2] = "-5"  # row 3
    rows[2][2] = "12,5"  # row 4
    rows[4] = list(rows[3])  # row 6 repeats row 5's kelurahan
    rows[5][3] = ""  # row 7: no year
    rows[6][3] = 2023  # row 8: another year
    rows[7][1] = "Krapyak"  # row 9: a name that is not the code's
    response = send(admin, csv_bytes(rows), measure="Rumah tangga miskin")
    assert response.status_code == 422
    page = text(response)
    expected = [
        "Baris 2: kode 33.75.09.1001 tidak dikenal.",
        "Baris 3: angka harus bilangan bulat 0 atau lebih.",
        "Baris 4: angka harus bilangan bulat 0 atau lebih.",
        f"Baris 6: kelurahan {WARDS[3][1]} sudah ada di baris 5.",
        "Baris 7: tahun kosong.",
        "Baris 8: tahun 2023 berbeda dengan tahun 2024 di baris 2.",
        f"Baris 9: nama Krapyak tidak sesuai kode {WARDS[7][0]} ({WARDS[7][1]}).",
    ]
    for message in expected:
        assert message in page
    assert "Berkas tidak diimpor" in page
    # What was typed stays in the form.
    assert 'value="Rumah tangga miskin"' in page
    assert stored(app) == []


def test_a_file_with_far_more_rows_than_kelurahan_is_refused(app, admin):
    rows = [[WARDS[i % 27][0], "", 1, 2024, ""] for i in range(60)]
    response = send(admin, csv_bytes(rows))
    assert response.status_code == 422
    assert "jauh lebih banyak dari jumlah kelurahan (27)" in text(response)
    assert stored(app) == []


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(app, admin):
    response = send(admin, b"PK\x03\x04 not a zip", filename="k.xlsx")
    assert response.status_code == 422
    assert "Berkas tidak dapat dibaca" in text(response)
    response = send(admin, csv_bytes(every_ward()), filename="k.pdf")
    assert response.status_code == 422
    assert stored(app) == []


def test_importing_the_same_measure_and_year_replaces_the_figures(app, admin):
    assert send(admin, csv_bytes(every_ward())).status_code == 303
    assert send(admin, csv_bytes(every_ward(figure=lambda i: 10))).status_code == 303
    assert send(admin, csv_bytes(every_ward(year=2025))).status_code == 303
    assert sorted(stored(app)) == [
        (MEASURE, 2024, "Bappeda", 27, 270),
        (MEASURE, 2025, "Bappeda", 27, sum(100 + i for i in range(27))),
    ]
    actions = [event.action for event in audit_events(app, entity_type="NeedDataset")]
    assert actions == ["import", "replace", "import"]


def test_an_admin_deletes_a_dataset(app, admin):
    send(admin, csv_bytes(every_ward()))
    with app.app_context():
        dataset_id = db.session.scalar(select(NeedDataset.id))
    response = admin.post(
        f"{NEED_URL}/{dataset_id}/delete", data={"csrf_token": csrf_from(admin, NEED_URL)}
    )
    assert response.status_code == 303
    assert "dihapus" in text(admin.get(NEED_URL))
    assert stored(app) == []
    with app.app_context():
        assert db.session.scalar(select(db.func.count(NeedFigure.id))) == 0
    assert audit_events(app, entity_type="NeedDataset")[-1].action == "delete"


@pytest.mark.parametrize("role", ["secretariat", "viewer"])
def test_only_an_admin_reaches_the_need_page(login, role):
    client = login(role)
    assert client.get(NEED_URL).status_code == 403


def test_the_import_form_carries_a_csrf_token_and_needs_it(app, admin):
    assert 'name="csrf_token"' in text(admin.get(NEED_URL))
    response = admin.post(
        NEED_URL,
        data={"measure": MEASURE, "file": (io.BytesIO(csv_bytes(every_ward())), "k.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert stored(app) == []


def test_the_reference_page_leads_to_the_need_page(admin):
    assert f'href="{NEED_URL}"' in text(admin.get("/admin/reference/"))
