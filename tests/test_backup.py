"""`flask backup` and `flask restore` on the database under test (SQLite or PostgreSQL)."""

import sqlite3
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import Submission


def titles(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Submission.title).order_by(Submission.title)))


def backup(runner, folder) -> object:
    result = runner.invoke(args=["backup", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    (written,) = [p for p in folder.iterdir() if p.name.startswith("rakor-")]
    assert f"Backup written: {written}" in result.output
    return written


@pytest.fixture
def two_submissions(app, submit, meeting, valid_submission) -> list[str]:
    for title in ("Pelatihan membatik untuk pemuda", "Perbaikan rumah tidak layak huni"):
        assert submit(meeting.code, {**valid_submission, "title": title}).status_code == 303
    return titles(app)


def test_a_backup_brings_back_what_was_lost_after_it(app, runner, two_submissions, tmp_path):
    written = backup(runner, tmp_path)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it holds phone numbers

    with app.app_context():
        db.session.execute(Submission.__table__.delete())
        db.session.commit()
    assert titles(app) == []

    safety = tmp_path / "safety"
    result = runner.invoke(args=["restore", str(written), "--safety-dir", str(safety), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert titles(app) == two_submissions
    # The database as it was before the restore (no input at all) was kept first.
    (kept,) = safety.iterdir()
    assert "A safety copy of the live database first" in result.output
    assert kept.suffix == written.suffix and kept.stat().st_size > 0


def test_a_restore_drill_fills_another_database_and_leaves_the_live_one(
    app, runner, two_submissions, tmp_path, migrated_database
):
    written = backup(runner, tmp_path)
    drill_url, cleanup = scratch_database(migrated_database, tmp_path)
    try:
        result = runner.invoke(args=["restore", str(written), "--into", drill_url, "--yes"])
        assert result.exit_code == 0, result.output
        engine = create_engine(drill_url)
        try:
            with engine.connect() as connection:
                restored = connection.scalars(
                    select(Submission.title).order_by(Submission.title)
                ).all()
                version = connection.scalar(text("SELECT version_num FROM alembic_version"))
        finally:
            engine.dispose()
        assert restored == two_submissions
        assert version
        assert titles(app) == two_submissions
    finally:
        cleanup()


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    app, runner, two_submissions, tmp_path, migrated_database
):
    kind = make_url(migrated_database).get_backend_name()
    suffix = ".sqlite" if kind == "sqlite" else ".dump"
    bogus = tmp_path / f"rakor-20240123T090000Z{suffix}"
    bogus.write_text("bukan cadangan\n")

    result = runner.invoke(
        args=["restore", str(bogus), "--safety-dir", str(tmp_path / "safety"), "--yes"]
    )

    assert result.exit_code != 0
    assert "Error:" in result.output
    assert titles(app) == two_submissions
    wrong_kind = tmp_path / "rakor.txt"
    wrong_kind.write_text("x")
    refused = runner.invoke(
        args=["restore", str(wrong_kind), "--safety-dir", str(tmp_path / "safety"), "--yes"]
    )
    assert f"is not a {kind} backup" in refused.output


def test_old_backups_beyond_keep_are_removed(app, runner, tmp_path, migrated_database):
    suffix = ".sqlite" if make_url(migrated_database).get_backend_name() == "sqlite" else ".dump"
    for day in ("20240101", "20240102", "20240103"):
        (tmp_path / f"rakor-{day}T000000Z{suffix}").write_text("old")
    result = runner.invoke(args=["backup", "-o", str(tmp_path), "--keep", "2"])
    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left[0] == f"rakor-20240103T000000Z{suffix}"
    assert len(left) == 2
    assert "Removed old backup" in result.output


def scratch_database(url: str, tmp_path):
    """An empty database of the same kind for a restore drill, and how to remove it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'drill.sqlite'}", lambda: None
    name = f"rakor_drill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return parsed.set(database=name).render_as_string(hide_password=False), cleanup


def test_counts_are_reported_for_a_sqlite_backup(app, runner, two_submissions, tmp_path):
    if db_kind(app) != "sqlite":
        pytest.skip("PostgreSQL backups are pg_dump archives; pg_restore --list reads them")
    result = runner.invoke(args=["backup", "-o", str(tmp_path)])
    assert "2 submission" in result.output


def db_kind(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_a_backup_without_a_folder_goes_to_the_configured_one(app, runner, tmp_path):
    app.config["RAKOR_BACKUP_DIR"] = str(tmp_path / "configured")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "configured").iterdir()
    assert f"Backup written: {written}" in result.output


# --- a backup of another schema is refused before anything changes ------------------------


@contextmanager
def live_database_changed(app, change: str, undo: str) -> Iterator[None]:
    """The live database with `change` applied for the moment of a backup."""
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(change))
        try:
            yield
        finally:
            db.session.remove()
            with db.engine.begin() as connection:
                connection.execute(text(undo))


def live_version(app) -> str:
    with app.app_context():
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def refused_restore(runner, backup_file, tmp_path):
    safety = tmp_path / "safety"
    result = runner.invoke(args=["restore", str(backup_file), "--safety-dir", str(safety), "--yes"])
    assert result.exit_code != 0
    assert not safety.exists()  # refused before the safety copy, let alone the restore
    return result


def test_a_backup_of_another_schema_version_is_refused_and_nothing_changes(
    app, runner, two_submissions, tmp_path
):
    head = live_version(app)
    with live_database_changed(
        app,
        "UPDATE alembic_version SET version_num = '0000older'",
        f"UPDATE alembic_version SET version_num = '{head}'",
    ):
        older = backup(runner, tmp_path / "older")
    with app.app_context():
        db.session.execute(Submission.__table__.delete().where(Submission.title.like("Perbaikan%")))
        db.session.commit()

    result = refused_restore(runner, older, tmp_path)

    assert f"holds schema version 0000older, but this code needs {head}" in result.output
    assert titles(app) == two_submissions[:1]
    assert live_version(app) == head


def test_a_backup_without_every_table_is_refused_and_nothing_changes(
    app, runner, two_submissions, tmp_path
):
    with live_database_changed(
        app,
        "ALTER TABLE follow_up RENAME TO follow_up_elsewhere",
        "ALTER TABLE follow_up_elsewhere RENAME TO follow_up",
    ):
        incomplete = backup(runner, tmp_path / "incomplete")

    result = refused_restore(runner, incomplete, tmp_path)

    assert "is not a complete Rakor backup: it lacks the tables follow_up." in result.output
    assert titles(app) == two_submissions


def test_another_applications_sqlite_file_with_an_alembic_version_is_refused(
    app, runner, two_submissions, tmp_path
):
    if db_kind(app) != "sqlite":
        pytest.skip("a SQLite file is refused by its name on PostgreSQL (the test above)")
    other = tmp_path / "rakor-20240123T090000Z.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    connection.execute("INSERT INTO alembic_version VALUES (?)", (live_version(app),))
    connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
    connection.commit()
    connection.close()

    result = refused_restore(runner, other, tmp_path)

    lacking = "is not a complete Rakor backup: it lacks the tables agency, agency_link, agenda_item"
    assert lacking in result.output
    assert titles(app) == two_submissions
