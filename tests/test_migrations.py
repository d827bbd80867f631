"""The Alembic history builds exactly the schema the models describe, on every database."""

from datetime import date, time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Base, Meeting, Submission


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"run `flask --app wsgi db migrate`: {differences}"


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
