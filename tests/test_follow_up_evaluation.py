"""The evaluation summary's "Tindak lanjut rapat sebelumnya": each earlier follow-up as it
stood on the evaluated meeting's date, counted by agency and by pillar."""

import io
from datetime import date

import pytest
from docx import Document
from sqlalchemy import select

from app.documents.evaluation import build_evaluation_context
from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.models import Agency, FollowUp, Meeting, Pillar
from tests.helpers import add_submission, get_pdf, make_pdf, pdf_text


def report(app, follow_up_id: int, status: str, percent: int, day: date, note: str = "") -> None:
    with app.app_context():
        follow_up = db.session.get(FollowUp, follow_up_id)
        entry = add_entry(
            follow_up,
            ProgressReport(status, percent, note=note, reported_on=day),
            actor=None,
            channel="staff",
        )
        assert entry is not None
        db.session.commit()


def add_follow_up(app, meeting_id: int, action: str, agency: str | None, **fields) -> int:
    with app.app_context():
        agency_id = None
        if agency:
            agency_id = db.session.scalar(select(Agency.id).where(Agency.abbreviation == agency))
            assert agency_id, agency
        follow_up = FollowUp(meeting_id=meeting_id, action=action, agency_id=agency_id, **fields)
        db.session.add(follow_up)
        db.session.commit()
        return follow_up.id


def pillar_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Pillar.id).where(Pillar.code == code))


@pytest.fixture
def cycle(app, make_meeting) -> dict:
    """The 2024 meeting (23 January 2024) and the 2023 one before it, with four follow-ups:
    - Dinkes, P1: in progress (40 %) on 1 June 2023, done on 1 February 2024 (after the
      2024 meeting), deadline 30 June 2023: overdue on the meeting's date;
    - Dinkes, P2: done on 1 December 2023;
    - Dinsos P2KB, P1: never reported, deadline 31 March 2024: not started, not overdue;
    - no agency, from no input: cancelled on 1 March 2023."""
    with app.app_context():
        db.session.add_all(
            [
                Agency(abbreviation="Dinkes", name="Dinas Kesehatan"),
                Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial"),
            ]
        )
        db.session.commit()
    earlier = make_meeting(code="rakor-2023", date=date(2023, 1, 24), status="finalised")
    current = make_meeting(code="rakor-2024", date=date(2024, 1, 23), status="closed")
    p1 = add_submission(app, earlier.id, pillar_id=pillar_id(app, "P1"))
    p2 = add_submission(app, earlier.id, minute=1, pillar_id=pillar_id(app, "P2"))
    lansia = add_follow_up(
        app, earlier.id, "Pendataan ulang lansia tunggal", "Dinkes",
        deadline=date(2023, 6, 30), submission_id=p1,
    )  # fmt: skip
    posyandu = add_follow_up(
        app, earlier.id, "Revitalisasi posyandu", "Dinkes",
        deadline=date(2023, 12, 31), submission_id=p2,
    )  # fmt: skip
    add_follow_up(
        app, earlier.id, "Pelatihan kerja 200 pemuda", "Dinsos P2KB",
        deadline=date(2024, 3, 31), submission_id=p1,
    )  # fmt: skip
    pasar = add_follow_up(app, earlier.id, "Pasar murah keliling", None, deadline=date(2023, 3, 1))
    report(app, lansia, "in_progress", 40, date(2023, 6, 1), note="Baru 3 kelurahan")
    report(app, lansia, "done", 100, date(2024, 2, 1), note="Semua kelurahan")
    report(app, posyandu, "done", 100, date(2023, 12, 1))
    report(app, pasar, "cancelled", 0, date(2023, 3, 1))
    return {"earlier": earlier.id, "current": current.id}


def evaluation_text(login, meeting_id: int) -> str:
    url = f"/admin/meetings/{meeting_id}/evaluation.pdf"
    make_pdf(login("secretariat"), url)
    return pdf_text(get_pdf(login("viewer"), url).data)


def test_a_follow_up_finished_after_the_meeting_prints_as_it_stood_that_day(login, cycle):
    text = evaluation_text(login, cycle["current"])
    item = text[text.index("Pendataan ulang lansia tunggal") :]
    item = item[: item.index("Revitalisasi posyandu")]
    assert "Sedang berjalan, 40%" in item
    assert "Baru 3 kelurahan" in item
    assert "Selesai" not in item
    assert "Semua kelurahan" not in text  # the note of the later report
    assert "Terlambat" in item  # past its deadline and not done on 23 January 2024


def test_the_state_on_the_meeting_day_is_in_the_context(app, cycle):
    with app.app_context():
        context = build_evaluation_context(cycle["current"])
    lines = {line.action[0]: line for line in context.earlier_follow_ups}
    assert (
        lines["Pendataan ulang lansia tunggal"].status,
        lines["Pendataan ulang lansia tunggal"].percent,
    ) == ("in_progress", 40)
    assert lines["Pendataan ulang lansia tunggal"].overdue
    assert (lines["Revitalisasi posyandu"].status, lines["Revitalisasi posyandu"].percent) == (
        "done",
        100,
    )
    assert not lines["Revitalisasi posyandu"].overdue
    assert lines["Pelatihan kerja 200 pemuda"].status == "open"
    assert not lines["Pelatihan kerja 200 pemuda"].overdue
    assert lines["Pasar murah keliling"].status == "cancelled"


def test_counts_by_agency_and_by_pillar_add_up(app, cycle):
    with app.app_context():
        completion = build_evaluation_context(cycle["current"]).completion
    agencies = {line.label: line for line in completion.by_agency}
    assert set(agencies) == {"Dinkes", "Dinsos P2KB", "Tanpa penanggung jawab"}
    dinkes = agencies["Dinkes"]
    assert (dinkes.done, dinkes.in_progress, dinkes.open, dinkes.overdue) == (1, 1, 0, 1)
    assert (dinkes.total, dinkes.percent_done) == (2, 50)
    assert agencies["Dinsos P2KB"].open == 1
    assert agencies["Tanpa penanggung jawab"].cancelled == 1
    pillars = {line.label.split(" · ")[0]: line for line in completion.by_pillar}
    assert set(pillars) == {"P1", "P2", "Tanpa strategi"}
    assert (pillars["P1"].in_progress, pillars["P1"].open, pillars["P1"].total) == (1, 1, 2)
    assert (pillars["P2"].done, pillars["P2"].percent_done) == (1, 100)
    assert pillars["Tanpa strategi"].cancelled == 1
    for lines in (completion.by_agency, completion.by_pillar):
        for field in ("done", "in_progress", "open", "cancelled", "overdue", "total"):
            assert sum(getattr(line, field) for line in lines) == getattr(completion.total, field)
    total = completion.total
    assert (total.done, total.in_progress, total.open, total.cancelled) == (1, 1, 1, 1)
    assert (total.total, total.overdue, total.percent_done) == (4, 1, 33)


def test_the_pdf_prints_both_tables_with_their_sums(login, cycle):
    text = evaluation_text(login, cycle["current"])
    # Selesai, Sedang berjalan, Belum dimulai, Terlambat, Dibatalkan, Jumlah, Persen selesai.
    assert text.count("Persen") >= 2 and "{}" not in text  # the last column's header
    assert "Dinkes 1 1 0 1 0 2 50%" in text
    assert "Dinsos P2KB 0 0 1 0 0 1 0%" in text
    assert "Tanpa penanggung jawab 0 0 0 0 1 1 0%" in text
    assert "Tanpa strategi 0 0 0 0 1 1 0%" in text
    assert text.count("Jumlah 1 1 1 1 1 4 33%") == 2
    # The charts: a bar per agency and per pillar, its label and its total beside it.
    assert "Tanpa penanggung jawab 1 " in text
    assert "Dinkes 2 " in text


def test_only_the_predecessors_follow_ups_when_the_meeting_names_them(app, make_meeting, cycle):
    other = make_meeting(code="rakor-khusus", date=date(2023, 8, 1), status="finalised")
    add_follow_up(app, other.id, "Bantuan seragam sekolah", "Dinkes")
    with app.app_context():
        db.session.get(Meeting, cycle["current"]).predecessors = [
            db.session.get(Meeting, cycle["earlier"])
        ]
        db.session.commit()
        context = build_evaluation_context(cycle["current"])
    actions = {line.action[0] for line in context.earlier_follow_ups}
    assert "Bantuan seragam sekolah" not in actions
    assert len(actions) == 4 and context.completion.from_predecessors
    with app.app_context():
        db.session.get(Meeting, cycle["current"]).predecessors = []
        db.session.commit()
        context = build_evaluation_context(cycle["current"])
    assert "Bantuan seragam sekolah" in {line.action[0] for line in context.earlier_follow_ups}


def test_the_docx_has_the_same_tables_and_states(login, cycle):
    response = login("viewer").get(f"/admin/meetings/{cycle['current']}/evaluation.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["Dinkes", "1", "1", "0", "1", "0", "2", "50%"] in rows
    assert ["Tanpa strategi", "0", "0", "0", "0", "1", "1", "0%"] in rows
    assert rows.count(["Jumlah", "1", "1", "1", "1", "1", "4", "33%"]) == 2
    lansia = next(row for row in rows if row[1] == "Pendataan ulang lansia tunggal")
    assert lansia[4].startswith("Sedang berjalan, 40%")
    assert "Selesai" not in lansia[4]
