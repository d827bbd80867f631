"""Participants' phone numbers: seen by the secretariat and admin only, never in the
audit log, never in a document, and taken out in a file only by an audited POST."""

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from openpyxl import load_workbook
from sqlalchemy import Text, cast, select

from app.audit import PERSONAL_MARKER
from app.auth.access import PERSONAL_DATA, READ, WRITE
from app.extensions import db
from app.models import Attendee, AuditEvent, Submission
from tests.helpers import (
    build_record,
    csrf_from,
    detail_url,
    good_rows,
    make_app,
    make_pdf,
    pdf_text,
    queue_url,
    scratch_database,
    squeeze,
    upload,
    workbook_bytes,
)


def page_text(response) -> str:
    return response.get_data(as_text=True)


PHONE = "0812-2712-3456"  # the valid_submission fixture's number
OTHER_PHONE = "0857 4321 9876"


def record_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/record"


def export_url(meeting_id: int, extension: str) -> str:
    return f"/admin/meetings/{meeting_id}/inputs.{extension}"


def digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def shows(body: str, number: str) -> bool:
    """The number as typed, or its digits however they are spaced."""
    return number in body or digits(number) in squeeze(re.sub(r"[.\-]", "", body))


def xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def audit_log_text(app) -> str:
    """Every audit line's JSON as the database stores it."""
    with app.app_context():
        rows = db.session.execute(
            select(cast(AuditEvent.before, Text), cast(AuditEvent.after, Text))
        ).all()
    return "\n".join(str(value) for row in rows for value in row)


def personal_export_events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).filter_by(action="export_personal_data")))


@pytest.fixture
def submission_id(app, meeting, submit, valid_submission) -> int:
    assert submit(meeting.code, valid_submission).status_code == 303
    with app.app_context():
        return db.session.scalar(select(Submission.id))


@pytest.fixture
def attendee_id(app, meeting, submission_id) -> int:
    with app.app_context():
        attendee = Attendee(
            meeting_id=meeting.id,
            submission_id=submission_id,
            name="Agus Priyanto",
            unit="Krapyak",
            phone=PHONE,
        )
        db.session.add(attendee)
        db.session.commit()
        return attendee.id


def test_the_form_says_who_sees_the_number(client, meeting):
    page = page_text(client.get(f"/m/{meeting.code}"))
    assert "Hanya dilihat sekretariat rapat dan admin aplikasi" in page
    assert "tidak dicetak di dokumen rapat" in page


# --- who sees the number -------------------------------------------------------------------


def test_the_groups_of_roles():
    assert set(PERSONAL_DATA) == {"admin", "secretariat"}
    # Whoever edits an attendee sees the number the form carries.
    assert set(WRITE) <= set(PERSONAL_DATA) <= set(READ)


def test_a_viewer_sees_no_phone_number_on_any_staff_page(login, meeting, attendee_id):
    viewer = login("viewer")
    submission_id = 1
    for url in (
        queue_url(meeting.id),
        detail_url(meeting.id, submission_id),
        record_url(meeting.id),
        f"/admin/meetings/{meeting.id}",
        f"/admin/meetings/{meeting.id}/audit",
    ):
        response = viewer.get(url)
        assert response.status_code == 200, url
        body = page_text(response)
        assert not shows(body, PHONE), url
        assert "tel:" not in body, url
        assert "Nomor HP" not in body, url  # not even a hint of whether one was given
        assert "Ekspor dengan nomor HP" not in body, url


@pytest.mark.parametrize("role", ["secretariat", "admin"])
def test_secretariat_and_admin_see_the_number(login, meeting, attendee_id, role):
    client = login(role)
    detail = page_text(client.get(detail_url(meeting.id, 1)))
    assert PHONE in detail
    assert f'href="tel:{PHONE}"' in detail
    record = page_text(client.get(record_url(meeting.id)))
    assert "Nomor HP" in record and PHONE in record
    queue = page_text(client.get(queue_url(meeting.id)))
    assert "Ekspor dengan nomor HP (Excel)" in queue
    assert "Ekspor dengan nomor HP (CSV)" in queue


# --- exports -------------------------------------------------------------------------------


def test_a_viewer_gets_exports_without_numbers_and_is_refused_the_personal_one(
    app, login, meeting, submission_id
):
    viewer = login("viewer")
    token = csrf_from(viewer, queue_url(meeting.id))
    for extension in ("csv", "xlsx"):
        for query in ("", "?personal=1"):
            response = viewer.get(export_url(meeting.id, extension) + query)
            assert response.status_code == 200
            body = (
                response.get_data(as_text=True) if extension == "csv" else xlsx_text(response.data)
            )
            assert not shows(body, PHONE), (extension, query)
            assert "No HP" not in body
        refused = viewer.post(export_url(meeting.id, extension), data={"csrf_token": token})
        assert refused.status_code == 403
        assert not shows(refused.get_data(as_text=True), PHONE)
    assert personal_export_events(app) == []


def test_a_personal_export_by_get_does_nothing(app, login, meeting, submission_id):
    # What a cross-site link or image could make a signed-in browser fetch.
    secretariat = login("secretariat")
    for extension in ("csv", "xlsx"):
        response = secretariat.get(export_url(meeting.id, extension) + "?personal=1")
        assert response.status_code == 200
        assert "-data-pribadi" not in response.headers["Content-Disposition"]
        body = response.get_data(as_text=True) if extension == "csv" else xlsx_text(response.data)
        assert not shows(body, PHONE)
    assert personal_export_events(app) == []


def test_a_personal_export_needs_the_forms_token(app, login, meeting, submission_id):
    secretariat = login("secretariat")
    for extension in ("csv", "xlsx"):
        response = secretariat.post(export_url(meeting.id, extension), data={})
        assert response.status_code == 400
        assert not shows(response.get_data(as_text=True), PHONE)
    assert personal_export_events(app) == []


@pytest.mark.parametrize("role", ["secretariat", "admin"])
def test_the_queues_button_posts_the_personal_export_and_it_is_audited(
    app, login, staff, meeting, submission_id, role
):
    client = login(role)
    queue = page_text(client.get(queue_url(meeting.id) + "?status=received"))
    # The button's form: a POST to the export, with the filters shown and the token.
    action = f"{export_url(meeting.id, 'csv')}?status=received"
    assert f'<form method="post" action="{action}">' in queue
    token = csrf_from(client, queue_url(meeting.id))
    response = client.post(action, data={"csrf_token": token})
    assert response.status_code == 200
    assert "masukan-rakor-uji-data-pribadi.csv" in response.headers["Content-Disposition"]
    assert PHONE in response.get_data(as_text=True)
    response = client.post(export_url(meeting.id, "xlsx"), data={"csrf_token": token})
    assert PHONE in xlsx_text(response.data)
    events = personal_export_events(app)
    assert [(event.user_id, event.after) for event in events] == [
        (staff[role], {"format": "csv", "filters": {"status": "received"}}),
        (staff[role], {"format": "xlsx", "filters": {}}),
    ]


# --- the audit log ---------------------------------------------------------------------------


def test_an_attendance_edit_logs_that_the_number_changed_but_not_the_number(
    app, login, meeting, attendee_id
):
    client = login("secretariat")
    token = csrf_from(client, record_url(meeting.id))
    base = f"{record_url(meeting.id)}/attendees"
    fields = {"csrf_token": token, "name": "Agus Priyanto", "position": "", "unit": "Krapyak"}

    response = client.post(f"{base}/{attendee_id}", data={**fields, "phone": OTHER_PHONE})
    assert response.status_code == 303
    # A change of name alone leaves the unchanged number out of the line.
    response = client.post(
        f"{base}/{attendee_id}",
        data={**fields, "name": "Agus Priyanto, S.E.", "phone": OTHER_PHONE},
    )
    assert response.status_code == 303
    response = client.post(f"{base}/{attendee_id}/remove", data={"csrf_token": token})
    assert response.status_code == 303

    with app.app_context():
        changed, renamed, removed = db.session.scalars(
            select(AuditEvent).filter_by(entity_type="Attendee").order_by(AuditEvent.id)
        ).all()
        assert (changed.before, changed.after) == (
            {"phone": PERSONAL_MARKER},
            {"phone": PERSONAL_MARKER},
        )
        assert "phone" not in renamed.before and "phone" not in renamed.after
        assert removed.before["phone"] == PERSONAL_MARKER
        assert removed.before["name"] == "Agus Priyanto, S.E."
    log = audit_log_text(app)
    for number in (PHONE, OTHER_PHONE):
        assert not shows(log, number)
    page = page_text(client.get(f"/admin/meetings/{meeting.id}/audit"))
    assert not shows(page, PHONE) and not shows(page, OTHER_PHONE)
    # The log page says the number changed, in words, without showing it.
    assert "Nomor HP" in page and PERSONAL_MARKER in page
    # A viewer does not learn even that.
    seen_by_viewer = page_text(login("viewer").get(f"/admin/meetings/{meeting.id}/audit"))
    assert "Agus Priyanto, S.E." in seen_by_viewer  # the lines are there
    assert "Nomor HP" not in seen_by_viewer and PERSONAL_MARKER not in seen_by_viewer


def test_adding_a_person_at_the_desk_logs_no_number(app, login, meeting):
    client = login("secretariat")
    desk = f"{record_url(meeting.id)}/attendees"
    fields = {"name": "Agus Priyanto", "position": "Lurah", "unit": "Krapyak", "sex": "L"}
    data = {f"att-{key}": value for key, value in {**fields, "phone": PHONE}.items()}
    for action in ("", "/invite"):
        response = client.post(
            f"{desk}{action}", data={"csrf_token": csrf_from(client, desk), **data}
        )
        assert response.status_code == 303
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).filter_by(entity_type="Attendee")).all()
        assert [event.after["phone"] for event in events] == [PERSONAL_MARKER] * 2
        assert db.session.scalars(select(Attendee.phone)).all() == [PHONE] * 2  # the list keeps it
    assert not shows(audit_log_text(app), PHONE)


def test_a_paper_import_logs_no_number(app, login, meeting):
    client = login("secretariat")
    lurah, _camat, _opd, university = good_rows()
    response = upload(client, meeting.id, workbook_bytes([lurah, university]))
    assert response.status_code == 303, page_text(response)[:500]
    with app.app_context():
        phones = db.session.scalars(select(Submission.phone).order_by(Submission.id)).all()
        assert phones == ["0812 2712 3456", ""]  # the input itself keeps it
    assert not shows(audit_log_text(app), "0812 2712 3456")


# --- documents ---------------------------------------------------------------------------------


def test_no_document_prints_a_phone_number(app, login, make_meeting):
    record = build_record(app, make_meeting)
    with app.app_context():
        for row in db.session.scalars(select(Submission)):
            row.phone = PHONE
        for row in db.session.scalars(select(Attendee)):
            row.phone = OTHER_PHONE
        db.session.commit()
    client = login("secretariat")
    base = f"/admin/meetings/{record.meeting_id}"
    for name in ("minutes", "evaluation"):
        pdf = pdf_text(make_pdf(client, f"{base}/{name}.pdf").data)
        assert "Agus Priyanto" in pdf or name == "evaluation"
        preview = client.get(f"{base}/{name}")
        assert preview.status_code == 200
        for body in (pdf, page_text(preview)):
            assert not shows(body, PHONE), name
            assert not shows(body, OTHER_PHONE), name


# --- the migration that scrubs the old lines --------------------------------------------------


@pytest.fixture
def scratch_database_url(database_url, tmp_path) -> Iterator[str]:
    with scratch_database(database_url, tmp_path) as url:
        yield url


def test_the_migration_scrubs_numbers_from_existing_audit_lines(scratch_database_url):
    app = make_app(scratch_database_url)
    lines = {
        # A paper import's whole input, an attendance edit, a name-only edit that
        # logged the whole row, and a line about something else.
        1: ("Submission", None, {"title": "Judul", "phone": PHONE, "cost": "5"}),
        2: ("Attendee", {"phone": PHONE}, {"phone": OTHER_PHONE}),
        3: ("Attendee", {"name": "A", "phone": PHONE}, {"name": "B", "phone": PHONE}),
        4: ("Meeting", {"status": "open"}, {"status": "closed"}),
        5: ("Meeting", None, {"rows": [{"phone": OTHER_PHONE, "name": "C"}], "phone": ""}),
    }
    with app.app_context():
        upgrade(revision="0004")
        audit_event = AuditEvent.__table__
        with db.engine.begin() as connection:
            for key, (entity, before, after) in lines.items():
                connection.execute(
                    audit_event.insert().values(
                        id=key,
                        occurred_at=datetime(2024, 1, 23, 2, 0, tzinfo=UTC),
                        entity_type=entity,
                        action="update",
                        before=before,
                        after=after,
                    )
                )
        upgrade(revision="0005")
        with db.engine.connect() as connection:
            stored = {
                row.id: (row.before, row.after)
                for row in connection.execute(select(audit_event).order_by(audit_event.c.id))
            }
            raw = " ".join(
                str(value)
                for row in connection.execute(
                    select(cast(audit_event.c.before, Text), cast(audit_event.c.after, Text))
                )
                for value in row
            )
        db.engine.dispose()
    marker = PERSONAL_MARKER
    assert stored == {
        1: (None, {"title": "Judul", "phone": marker, "cost": "5"}),
        2: ({"phone": marker}, {"phone": marker}),
        3: ({"name": "A"}, {"name": "B"}),
        4: ({"status": "open"}, {"status": "closed"}),
        5: (None, {"rows": [{"phone": marker, "name": "C"}], "phone": ""}),
    }
    assert not shows(raw, PHONE) and not shows(raw, OTHER_PHONE)
