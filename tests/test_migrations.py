"""The Alembic history builds exactly the schema the models describe, on every database."""

import uuid
from datetime import date, time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Base, Meeting, Submission
from tests.helpers import make_app, scratch_database


@pytest.fixture
def freshly_migrated(database_url, tmp_path):
    """An app on a database of the same kind built by `db upgrade` alone.

    Not the run's shared database: a restore test rebuilds that one from a dump, and
    PostgreSQL words a CHECK constraint read back from a dump differently.
    """
    with scratch_database(database_url, tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            yield app
            db.engine.dispose()


def test_models_and_migrations_agree(freshly_migrated):
    with freshly_migrated.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"run `flask --app wsgi db migrate`: {differences}"


def check_constraints(connection, schema: str | None = None) -> dict[str, str]:
    """Every CHECK constraint's SQL as the database itself reports it, by name."""
    inspector = inspect(connection)
    return {
        f"{table}.{check['name']}": " ".join(check["sqltext"].split())
        for table in inspector.get_table_names(schema=schema)
        for check in inspector.get_check_constraints(table, schema=schema)
    }


def checks_the_models_create(connection, tmp_path) -> dict[str, str]:
    """The CHECK constraints of a schema built straight from the models, on the same kind
    of database, so that both sides are written by the same server."""
    if connection.dialect.name == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'models.sqlite'}")
        Base.metadata.create_all(engine)
        with engine.connect() as fresh:
            checks = check_constraints(fresh)
        engine.dispose()
        return checks
    schema = f"models_{uuid.uuid4().hex[:12]}"
    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        Base.metadata.create_all(connection.execution_options(schema_translate_map={None: schema}))
        return check_constraints(connection, schema=schema)
    finally:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.commit()


def test_the_migrations_build_every_check_constraint_the_models_declare(freshly_migrated, tmp_path):
    # Alembic's comparison above leaves CHECK constraints out: a value added to an
    # allow-list (a kind in domain.KINDS) needs a migration, or the database refuses it.
    with freshly_migrated.app_context(), db.engine.connect() as connection:
        migrated = check_constraints(connection)
        declared = checks_the_models_create(connection, tmp_path)
    assert len(declared) >= 10
    assert migrated == declared, "a CHECK constraint differs: write a migration for it"


def test_the_database_enforces_the_allow_lists(app):
    with app.app_context():
        meeting = Meeting(
            code="x",
            title="x",
            date=date(2024, 1, 1),
            start_time=time(9),
            venue="x",
            status="arsip",
        )
        db.session.add(meeting)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_database_enforces_unique_receipt_codes_and_foreign_keys(app, meeting):
    def submission(**overrides):
        values = dict(
            meeting_id=meeting.id,
            receipt_code="ABCDEFGH",
            idempotency_key="k1",
            submitter_name="A",
            role="lurah",
            kind="usulan",
            submitted_pillar_id=1,
            pillar_id=1,
            title="Judul",
            description="Uraian",
        )
        values.update(overrides)
        return Submission(**values)

    with app.app_context():
        db.session.add(submission())
        db.session.commit()
        db.session.add(submission(idempotency_key="k2"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(submission(receipt_code="HGFEDCBA", idempotency_key="k3", pillar_id=999))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_documents_schema_downgrades_with_a_finalised_record_in_it(database_url, tmp_path):
    """Back to the schema before five kinds of document: the new kinds' documents and
    the jobs that stored them go, and so do invitations nobody took up."""
    with scratch_database(database_url, tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            connection = db.session.connection()
            connection.execute(
                text(
                    "INSERT INTO meeting (id, code, title, date, start_time, venue, status,"
                    " chair_name, chair_position, chair_nip, notetaker_name, notetaker_position,"
                    " notetaker_nip, opening, conclusions, report_basis, report_purpose,"
                    " recommendations, created_at, updated_at) VALUES (1, 'rakor', 'Rakor',"
                    " '2024-01-23', '09:00', 'Aula', 'finalised', '', '', '', '', '', '', '', '',"
                    " '', '', '', '2024-01-23 02:00:00+00', '2024-01-23 02:00:00+00')"
                )
            )
            for number, kind in enumerate(("minutes", "laporan"), start=1):
                connection.execute(
                    text(
                        "INSERT INTO meeting_document (id, meeting_id, kind, source_digest,"
                        " sha256, content, is_final, created_at) VALUES (:id, 1, :kind, 'd',"
                        " 's', :content, true, '2024-01-23 02:00:00+00')"
                    ),
                    {"id": number, "kind": kind, "content": b"%PDF"},
                )
                connection.execute(
                    text(
                        "INSERT INTO render_job (meeting_id, kind, source_digest, status,"
                        " progress, document_id, error, created_at) VALUES (1, :kind, 'd',"
                        " 'done', 100, :id, '', '2024-01-23 02:00:00+00')"
                    ),
                    {"id": number, "kind": kind},
                )
            for name, checked_in in (("Hadir", "'2024-01-23 01:50:00+00'"), ("Diundang", "NULL")):
                connection.execute(
                    text(
                        "INSERT INTO attendee (meeting_id, name, position, unit, phone, source,"
                        f" checked_in_at, created_at) VALUES (1, :name, '', '', '', 'desk',"
                        f" {checked_in}, '2024-01-23 01:00:00+00')"
                    ),
                    {"name": name},
                )
            db.session.commit()

            downgrade(revision="0006")

            with db.engine.connect() as fresh:
                kinds = fresh.scalars(text("SELECT kind FROM meeting_document")).all()
                jobs = fresh.scalars(text("SELECT kind FROM render_job")).all()
                names = fresh.scalars(text("SELECT name FROM attendee")).all()
            assert (kinds, jobs, names) == (["minutes"], ["minutes"], ["Hadir"])
            upgrade()
            db.engine.dispose()


def test_the_progress_each_follow_up_had_becomes_the_first_entry_of_its_history(
    database_url, tmp_path
):
    """Up to the follow-up cycle's schema: a follow-up that was done keeps "Selesai" and
    its note as a report dated the day it last changed; one never touched gets none."""
    with scratch_database(database_url, tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0008")
            connection = db.session.connection()
            connection.execute(
                text(
                    "INSERT INTO meeting (id, code, title, date, start_time, venue, status,"
                    " chair_name, chair_position, chair_nip, notetaker_name, notetaker_position,"
                    " notetaker_nip, opening, conclusions, report_basis, report_purpose,"
                    " recommendations, created_at, updated_at) VALUES (1, 'rakor', 'Rakor',"
                    " '2024-01-23', '09:00', 'Aula', 'closed', '', '', '', '', '', '', '', '',"
                    " '', '', '', '2024-01-23 02:00:00+00', '2024-01-23 02:00:00+00')"
                )
            )
            for ident, status, note, changed_at in (
                # 23.30 UTC is 06.30 WIB the next day: the report is dated 5 March.
                (1, "done", "Selesai diverifikasi.", "2024-03-04 23:30:00+00"),
                (2, "open", "", "2024-01-23 02:00:00+00"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO follow_up (id, meeting_id, action, status, progress_note,"
                        " created_at, updated_at) VALUES (:id, 1, 'Tindakan', :status, :note,"
                        " '2024-01-23 02:00:00+00', :changed)"
                    ),
                    {"id": ident, "status": status, "note": note, "changed": changed_at},
                )
            db.session.commit()

            upgrade()

            with db.engine.connect() as fresh:
                entries = fresh.execute(
                    text(
                        "SELECT follow_up_id, reported_on, status, percent, note, channel"
                        " FROM follow_up_progress"
                    )
                ).all()
                follow_ups = fresh.execute(
                    text("SELECT id, status, percent, reported_on FROM follow_up ORDER BY id")
                ).all()
            [(follow_up_id, day, status, percent, note, channel)] = entries
            assert (follow_up_id, str(day), status, percent, note, channel) == (
                1,
                "2024-03-05",
                "done",
                100,
                "Selesai diverifikasi.",
                "staff",
            )
            assert [(f[0], f[1], f[2], str(f[3]) if f[3] else None) for f in follow_ups] == [
                (1, "done", 100, "2024-03-05"),
                (2, "open", 0, None),
            ]
            downgrade(revision="0008")
            upgrade()
            db.engine.dispose()
