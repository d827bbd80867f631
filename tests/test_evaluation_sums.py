"""The evaluation summary's figures a reader checks with a pencil.

The by-area lines add up to the number of inputs, a difference of two rates in
percent reads "poin persen", overdue follow-ups of earlier meetings are marked
and counted, estimated costs are summed, and the meeting page says which
indicator still lacks last year's actual.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.documents.evaluation import build_evaluation_context, missing_actuals
from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.models import (
    Agency,
    FollowUp,
    Indicator,
    IndicatorValue,
    Kecamatan,
    Submission,
)
from tests.helpers import Record, build_record, get_pdf, make_pdf, pdf_text


@pytest.fixture
def record(app, make_meeting) -> Record:
    """The shared record: a lurah's input about Krapyak (Pekalongan Utara), one about Medono
    (Pekalongan Barat), a camat's input for Pekalongan Barat as a whole, an OPD's and a
    stakeholder's without a place."""
    return build_record(app, make_meeting)


def set_costs(app, meeting_id: int, costs: dict[str, int | None]) -> None:
    """Costs by receipt code (the record's inputs are UJI00001..UJI00005)."""
    with app.app_context():
        for submission in db.session.scalars(
            select(Submission).where(Submission.meeting_id == meeting_id)
        ):
            submission.cost = costs.get(submission.receipt_code)
        db.session.commit()


@pytest.fixture
def earlier_meeting(app, make_meeting, record) -> int:
    """A meeting a year before with four follow-ups: one late and still in progress, one
    late but done, one late but cancelled, one whose deadline is after the evaluated
    meeting; each as reported before the evaluated meeting's date (23 January 2024)."""
    earlier = make_meeting(code="rakor-2023", date=date(2023, 1, 24), status="finalised")
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.abbreviation == "Dinkes"))
        reports = [
            (FollowUp(meeting_id=earlier.id, action="Pendataan ulang lansia tunggal",
                      agency_id=agency.id, deadline=date(2023, 6, 30)), "in_progress", 60),
            (FollowUp(meeting_id=earlier.id, action="Bedah 100 RTLH",
                      deadline=date(2023, 12, 31)), "done", 100),
            (FollowUp(meeting_id=earlier.id, action="Pasar murah keliling",
                      deadline=date(2023, 3, 1)), "cancelled", 0),
            (FollowUp(meeting_id=earlier.id, action="Pelatihan kerja 200 pemuda",
                      deadline=date(2024, 3, 31)), None, 0),
        ]  # fmt: skip
        for follow_up, status, percent in reports:
            db.session.add(follow_up)
            db.session.flush()
            if status:
                add_entry(
                    follow_up,
                    ProgressReport(status, percent, reported_on=date(2023, 11, 1)),
                    actor=None,
                    channel="staff",
                )
        db.session.commit()
    return earlier.id


def evaluation_pdf_text(login, meeting_id: int) -> str:
    url = f"/admin/meetings/{meeting_id}/evaluation.pdf"
    make_pdf(login("secretariat"), url)
    return pdf_text(get_pdf(login("viewer"), url).data)


def region_lines(text: str) -> str:
    """The by-area table's text, from its heading to the note below it."""
    start = text.index("Menurut wilayah")
    return text[start : text.index("Masukan dihitung pada kelurahan", start)]


# --- the by-area table ----------------------------------------------------------------


def test_the_area_lines_add_up_to_the_number_of_inputs(app, record):
    with app.app_context():
        context = build_evaluation_context(record.meeting_id)
    regions = {region.kecamatan: region for region in context.regions}
    utara, barat = regions["Pekalongan Utara"], regions["Pekalongan Barat"]
    assert {ward.label: ward.count for ward in utara.kelurahan} == {"Krapyak": 1}
    assert utara.kecamatan_level == 0 and utara.count == 1
    # The camat's input names no kelurahan: a line of its own under its kecamatan.
    assert {ward.label: ward.count for ward in barat.kelurahan} == {"Medono": 1}
    assert barat.kecamatan_level == 1 and barat.count == 2
    # The OPD's and the stakeholder's inputs name no area at all.
    assert context.without_region == 2
    lines = [ward.count for r in context.regions for ward in r.kelurahan]
    lines += [r.kecamatan_level for r in context.regions] + [context.without_region]
    assert sum(lines) == context.regions_total == context.submissions_total == 5
    assert sum(r.count for r in context.regions) + context.without_region == 5


def test_the_pdf_prints_the_kecamatan_level_and_city_level_lines_and_their_sum(login, record):
    text = evaluation_pdf_text(login, record.meeting_id)
    assert "Jumlah masukan : 5" in text or "Jumlah masukan: 5" in text
    table = region_lines(text)
    assert "Kec. Pekalongan Barat 2 Medono 1 Tingkat kecamatan 1 " in table
    assert "Kec. Pekalongan Utara 1 Krapyak 1 " in table
    assert "Kec. Pekalongan Timur 0" in table
    assert "Tanpa wilayah (tingkat kota) 2" in table
    assert table.rstrip().endswith("Jumlah 5")


# --- poin persen ----------------------------------------------------------------------


def test_differences_of_percentages_read_poin_persen(login, record):
    text = evaluation_pdf_text(login, record.meeting_id)
    # 2023: 6,81 against a target of 6,50.
    assert (
        "Realisasi 2023 sebesar 6,81 persen terhadap target 6,50 persen: "
        "selisih 0,31 poin persen di atas target (target belum tercapai)." in text
    )
    assert "Selisih (realisasi − target), poin persen" in text
    assert "Penurunan yang dicapai per tahun (poin persen): 2022: 0,59; 2023: 0,19" in text
    assert "rata-rata 0,39 poin persen per tahun" in text
    assert "masih dibutuhkan penurunan 0,92 poin persen, atau 0,31 poin persen per tahun" in text
    # No difference anywhere is called a percentage.
    difference = r"(selisih|penurunan|kenaikan|dibutuhkan|rata-rata|atau)\s+[−+-]?\d+,\d+ persen"
    assert re.findall(difference, text, re.I) == []


def test_the_indicator_sentences_are_in_the_context_for_every_format(app):
    """The PDF prints these fields; the DOCX can take the same words from the context."""
    from app.documents.evaluation import indicator_views
    from app.documents.formatting import document_locale

    with app.app_context(), document_locale():
        (indicator,) = indicator_views()
    assert indicator.difference_unit == "poin persen"
    assert indicator.gap_text == (
        "Realisasi 2023 sebesar 6,81 persen terhadap target 6,50 persen: "
        "selisih 0,31 poin persen di atas target (target belum tercapai)."
    )
    assert indicator.changes_text == (
        "Penurunan yang dicapai per tahun (poin persen): 2022: 0,59; 2023: 0,19 "
        "(rata-rata 0,39 poin persen per tahun)."
    )
    assert indicator.needed_text == (
        "Untuk mencapai target 5,89 persen pada 2026 dari realisasi 2023, masih dibutuhkan "
        "penurunan 0,92 poin persen, atau 0,31 poin persen per tahun."
    )


def test_an_indicator_counted_in_people_keeps_its_own_unit(app, login, record):
    with app.app_context():
        indicator = Indicator(name="Jumlah penduduk miskin", unit="ribu jiwa", position=2)
        indicator.values = [
            IndicatorValue(year=2022, target=22, actual=24),
            IndicatorValue(year=2023, target=21, actual=22),
        ]
        db.session.add(indicator)
        db.session.commit()
    text = evaluation_pdf_text(login, record.meeting_id)
    assert "Selisih (realisasi − target), ribu jiwa" in text
    assert "selisih 1,00 ribu jiwa di atas target" in text
    assert "1,00 poin persen" not in text


# --- earlier follow-ups: overdue ------------------------------------------------------


def test_overdue_follow_ups_are_marked_and_counted(app, login, record, earlier_meeting):
    with app.app_context():
        context = build_evaluation_context(record.meeting_id)
    overdue = {line.action[0]: line.overdue for line in context.earlier_follow_ups}
    assert overdue == {
        "Pendataan ulang lansia tunggal": True,
        "Bedah 100 RTLH": False,
        "Pasar murah keliling": False,
        "Pelatihan kerja 200 pemuda": False,
    }
    assert context.overdue_follow_ups == 1

    text = evaluation_pdf_text(login, record.meeting_id)
    assert "Terlambat: 1 dari 4 tindak lanjut" in text
    assert "sebelum tanggal rapat ini, 23 Januari 2024" in text
    assert "30 Juni 2023 Terlambat" in text
    # The count, the one marked line, the column of the two completion tables and the
    # note under them.
    assert text.count("Terlambat") == 5
    assert "Sedang berjalan, 60%" in text


# --- estimated costs ------------------------------------------------------------------


def test_costs_are_summed_by_pillar_and_by_area(app, login, record):
    set_costs(
        app,
        record.meeting_id,
        {
            "UJI00001": 1_500_000,  # P1, Krapyak (Pekalongan Utara)
            "UJI00002": 250_000,  # P1 (merged into the first), Medono (Pekalongan Barat)
            "UJI00003": None,  # P1, OPD: no cost given
            "UJI00004": 12_000_000,  # P2, the camat of Pekalongan Barat
            "UJI00005": 3_000_000,  # P3, a stakeholder, no place
        },
    )
    with app.app_context():
        costs = build_evaluation_context(record.meeting_id).costs
    assert (costs.inputs, costs.total) == (4, 16_750_000)
    by_pillar = {line.label.split(" ")[0]: (line.inputs, line.total) for line in costs.by_pillar}
    assert by_pillar == {
        "P1": (2, 1_750_000),
        "P2": (1, 12_000_000),
        "P3": (1, 3_000_000),
        "P4": (0, 0),
    }
    by_area = {line.label: (line.inputs, line.total) for line in costs.by_area}
    assert by_area["Pekalongan Utara"] == (1, 1_500_000)
    assert by_area["Pekalongan Barat"] == (2, 12_250_000)
    assert by_area["Pekalongan Timur"] == (0, 0)
    assert by_area["Tanpa wilayah (tingkat kota)"] == (1, 3_000_000)
    assert sum(total for _, total in by_area.values()) == costs.total

    text = evaluation_pdf_text(login, record.meeting_id)
    assert "4 dari 5 masukan mencantumkan perkiraan biaya, seluruhnya Rp 16.750.000" in text
    assert "P1 · Pengurangan" in text
    assert "Rp 1.750.000" in text and "Rp 12.250.000" in text
    assert "Penurunan jumlah kantong kemiskinan 0 Rp 0 Jumlah 4 Rp 16.750.000" in text
    assert "Tanpa wilayah (tingkat kota) 1 Rp 3.000.000 Jumlah 4 Rp 16.750.000" in text


def test_no_cost_given_says_so(login, record):
    text = evaluation_pdf_text(login, record.meeting_id)
    assert "Belum ada masukan yang mencantumkan perkiraan biaya." in text


# --- the meeting page: last year's actual still missing --------------------------------


def test_missing_actuals_names_the_indicators_without_last_years_figure(app, make_meeting):
    meeting_2024 = make_meeting(code="rakor-2024", date=date(2024, 1, 23))
    meeting_2025 = make_meeting(code="rakor-2025", date=date(2025, 1, 21))
    with app.app_context():
        # The seeded rate has its 2023 actual (6,81) and only a target for 2024.
        assert missing_actuals(meeting_2024.id) == []
        assert missing_actuals(meeting_2025.id) == ["Persentase penduduk miskin (P0)"]
        db.session.add(Indicator(name="Indeks kedalaman kemiskinan (P1)", position=5))
        db.session.commit()
        assert missing_actuals(meeting_2024.id) == ["Indeks kedalaman kemiskinan (P1)"]
        value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.year == 2024))
        value.actual = 6.10
        db.session.commit()
        assert missing_actuals(meeting_2025.id) == ["Indeks kedalaman kemiskinan (P1)"]
        assert missing_actuals(999_999) == []


def meeting_page_with(login, meeting_id: int, role: str) -> str:
    """The meeting page as the role sees it."""
    return login(role).get(f"/admin/meetings/{meeting_id}").get_data(as_text=True)


def test_the_meeting_page_names_the_missing_actual_and_links_the_admin_to_it(
    app, login, make_meeting
):
    later = make_meeting(code="rakor-2025", date=date(2025, 1, 21))
    html = meeting_page_with(login, later.id, "admin")
    assert "Realisasi 2024 belum diisi" in html
    assert "Persentase penduduk miskin (P0)" in html
    assert 'href="/admin/indicators"' in html
    # Staff who may not open the indicator page are told whom to ask instead of a dead link.
    html = meeting_page_with(login, later.id, "secretariat")
    assert "Realisasi 2024 belum diisi" in html and 'href="/admin/indicators"' not in html
    assert "admin" in html.split("Realisasi 2024 belum diisi")[1][:400]


def test_the_meeting_page_has_no_notice_when_the_actual_is_entered(app, login, meeting):
    assert "Realisasi 2023 belum diisi" not in meeting_page_with(login, meeting.id, "admin")


def test_nothing_is_still_needed_once_the_final_target_is_reached(app, login, record):
    """An actual below the final target: the summary says the target is reached, and
    prints no negative decrease "still needed"."""
    with app.app_context():
        value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.year == 2023))
        value.actual = Decimal("5.80")
        db.session.commit()
    from app.documents.evaluation import indicator_views
    from app.documents.formatting import document_locale

    with app.app_context(), document_locale():
        (indicator,) = indicator_views()
    assert indicator.yearly_change_needed is None
    assert indicator.needed_text == "Realisasi 2023 sudah mencapai target 2026 (5,89 persen)."
    text = evaluation_pdf_text(login, record.meeting_id)
    assert "sudah mencapai target 2026" in text and "masih dibutuhkan penurunan" not in text


def test_kecamatan_lookup_is_by_name_order(app, record):
    """The table follows the kecamatan in name order, the order of the reference list."""
    with app.app_context():
        names = list(db.session.scalars(select(Kecamatan.name).order_by(Kecamatan.name)))
        context = build_evaluation_context(record.meeting_id)
    assert [region.kecamatan for region in context.regions] == names
