"""Admins keep the poverty indicators by form and by CSV import."""

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Indicator, IndicatorValue
from app.reference.indicators import parse_figure
from tests.helpers import csrf_from, make_pdf, pdf_text

P0 = "Persentase penduduk miskin (P0)"


def value_of(app, year: int, name: str = P0) -> IndicatorValue | None:
    with app.app_context():
        query = (
            select(IndicatorValue)
            .join(Indicator)
            .where(Indicator.name == name, IndicatorValue.year == year)
        )
        value = db.session.scalar(query)
        if value is not None:
            db.session.expunge(value)
        return value


def values_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(IndicatorValue))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("6,94", Decimal("6.94")),
        ("6.94", Decimal("6.94")),
        (" 6,5 ", Decimal("6.5")),
        ("1.500,25", Decimal("1500.25")),
        ("1.500.000", Decimal("1500000")),
        ("-0,31", Decimal("-0.31")),
        ("", None),
    ],
)
def test_figures_take_a_decimal_comma_or_dot(typed, expected):
    assert parse_figure(typed) == expected


@pytest.mark.parametrize("typed", ["enam", "6,9,4", "6,941", "1e3", "99999999999"])
def test_figures_that_are_not_numbers_are_refused(app, typed):
    with app.test_request_context(), pytest.raises(ValueError):
        parse_figure(typed)


def test_only_an_admin_opens_the_indicators(login):
    assert login("secretariat").get("/admin/indicators").status_code == 403
    assert login("viewer").get("/admin/indicators").status_code == 403
    page = login("admin").get("/admin/indicators")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert P0 in html and 'value="6,94"' in html and 'value="7,59"' in html


def form_url(app, year: int) -> tuple[str, str]:
    value = value_of(app, year)
    return f"/admin/indicators/values/{value.id}", f"v{value.id}"


def test_admin_corrects_a_year(app, login, staff):
    client = login("admin")
    url, prefix = form_url(app, 2023)
    token = csrf_from(client, "/admin/indicators")
    response = client.post(
        url,
        data={
            "csrf_token": token,
            f"{prefix}-year": "2023",
            f"{prefix}-target": "6,5",
            f"{prefix}-actual": "6,80",
            f"{prefix}-source": "BPS Kota Pekalongan 2024",
        },
    )
    assert response.status_code == 302
    value = value_of(app, 2023)
    assert value.actual == Decimal("6.80") and value.source == "BPS Kota Pekalongan 2024"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).filter_by(entity_type="IndicatorValue"))
        assert event.user_id == staff["admin"] and event.action == "update"
        assert event.before["actual"] == "6.81" and event.after["actual"] == "6.80"


def test_a_wrong_figure_is_shown_beside_its_field_and_kept(app, login):
    client = login("admin")
    url, prefix = form_url(app, 2023)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, "/admin/indicators"),
            f"{prefix}-year": "2023",
            f"{prefix}-target": "enam koma lima",
            f"{prefix}-actual": "6,81",
            f"{prefix}-source": "",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tulis angka, misalnya 6,94." in html
    assert f'id="{prefix}-target-error"' in html
    assert 'value="enam koma lima"' in html
    assert "Ada isian yang perlu diperbaiki" in html
    assert value_of(app, 2023).target == Decimal("6.50")


def test_admin_adds_a_year_but_not_twice(app, login):
    client = login("admin")
    indicator_id = value_of(app, 2023).indicator_id
    fields = {
        "new-indicator": str(indicator_id),
        "new-new_name": "",
        "new-unit": "",
        "new-year": "2027",
        "new-target": "5,70",
        "new-actual": "",
        "new-source": "RPJMD",
    }
    token = csrf_from(client, "/admin/indicators")
    response = client.post("/admin/indicators/values", data={"csrf_token": token, **fields})
    assert response.status_code == 302
    assert value_of(app, 2027).target == Decimal("5.70")

    response = client.post("/admin/indicators/values", data={"csrf_token": token, **fields})
    assert response.status_code == 422
    assert "Tahun 2027 sudah ada untuk indikator ini." in response.get_data(as_text=True)


def test_admin_starts_a_new_indicator(app, login):
    client = login("admin")
    response = client.post(
        "/admin/indicators/values",
        data={
            "csrf_token": csrf_from(client, "/admin/indicators"),
            "new-indicator": "",
            "new-new_name": "Indeks kedalaman kemiskinan (P1)",
            "new-unit": "indeks",
            "new-year": "2023",
            "new-target": "1,10",
            "new-actual": "1,02",
            "new-source": "BPS",
        },
    )
    assert response.status_code == 302
    value = value_of(app, 2023, "Indeks kedalaman kemiskinan (P1)")
    assert value.actual == Decimal("1.02")


def test_admin_removes_a_year(app, login):
    client = login("admin")
    value = value_of(app, 2026)
    response = client.post(
        f"/admin/indicators/values/{value.id}/delete",
        data={"csrf_token": csrf_from(client, "/admin/indicators")},
    )
    assert response.status_code == 302
    assert value_of(app, 2026) is None
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).filter_by(action="delete")).before["year"] == 2026
        )


def upload(client, content: bytes, name: str = "indikator.csv"):
    return client.post(
        "/admin/indicators/import",
        data={
            "csrf_token": csrf_from(client, "/admin/indicators"),
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def test_csv_import_updates_and_adds_rows(app, login):
    client = login("admin")
    # Semicolons and decimal commas, as a spreadsheet in Indonesian saves them.
    content = (
        "indicator;unit;year;target;actual;source\n"
        f"{P0};persen;2023;6,50;6,79;BPS 2024\n"
        f"{P0};persen;2024;6,29;6,55;BPS 2025\n"
        "Tingkat pengangguran terbuka;persen;2023;5,00;5,21;BPS\n"
    ).encode()
    response = upload(client, content)
    assert response.status_code == 302
    page = client.get("/admin/indicators").get_data(as_text=True)
    assert "Impor selesai: 1 baris baru, 2 baris diperbarui." in page
    assert value_of(app, 2023).actual == Decimal("6.79")
    assert value_of(app, 2024).actual == Decimal("6.55")
    assert value_of(app, 2023, "Tingkat pengangguran terbuka").target == Decimal("5.00")


def test_csv_import_keeps_figures_an_empty_cell_does_not_give(app, login):
    client = login("admin")
    content = f"indicator,unit,year,target,actual,source\n{P0},persen,2022,6.71,,\n".encode()
    assert upload(client, content).status_code == 302
    assert value_of(app, 2022).actual == Decimal("7.00")


def test_csv_with_a_bad_row_imports_nothing(app, login):
    client = login("admin")
    before = values_count(app)
    content = (
        "indicator,unit,year,target,actual,source\n"
        f"{P0},persen,2023,6.50,6.10,BPS\n"
        f"{P0},persen,dua ribu,6.50,,BPS\n"
        ",persen,2024,x,,\n"
    ).encode()
    response = upload(client, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Berkas tidak diimpor" in html
    assert "baris 3" in html and "baris 4" in html
    assert "Kolom indicator kosong." in html
    assert values_count(app) == before
    assert value_of(app, 2023).actual == Decimal("6.81")


def test_csv_needs_its_header(app, login):
    response = upload(login("admin"), b"a,b,c\n1,2,3\n")
    assert response.status_code == 422
    assert "Baris judul harus berisi kolom" in response.get_data(as_text=True)


def test_the_evaluation_uses_the_figures_admins_keep(app, login, make_meeting):
    meeting = make_meeting()
    client = login("admin")
    url, prefix = form_url(app, 2024)
    client.post(
        url,
        data={
            "csrf_token": csrf_from(client, "/admin/indicators"),
            f"{prefix}-year": "2024",
            f"{prefix}-target": "6,29",
            f"{prefix}-actual": "6,42",
            f"{prefix}-source": "BPS",
        },
    )
    # The button on the PDF's page makes it (a POST); the GET then serves it.
    pdf_url = f"/admin/meetings/{meeting.id}/evaluation.pdf"
    text = pdf_text(make_pdf(client, pdf_url).data)
    assert "6,42" in text and "+0,13" in text
