"""The benchmark's baseline: a bare insert endpoint on the same stack as Rakor.

Flask and Flask-SQLAlchemy on the same database, with the engine tuned the way
Rakor tunes its own (SQLite pragmas and busy timeout; pre-ping on PostgreSQL),
served by the same gunicorn configuration. One POST inserts one row from a form
field and answers 303, which is the floor any real form handler stands on.

This is measurement scaffolding, not part of the product: the table is made
with `create_all` in the throwaway benchmark database.
"""

import os
from datetime import UTC, datetime

from flask import Flask, redirect, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BaselineRow(Base):
    __tablename__ = "bench_baseline"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    # The same pragmas as app/__init__.py, so SQLite is compared like for like.
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_options(database_url: str) -> dict:
    """The engine options Rakor's `load_config` sets for the same URL."""
    if database_url.startswith("postgresql"):
        return {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {}


def make_app(database_url: str) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(database_url)
    db.init_app(app)

    @app.get("/")
    def index():
        return "baseline\n"

    @app.post("/insert")
    def insert():
        row = BaselineRow(title=request.form.get("title", "")[:160], created_at=datetime.now(UTC))
        db.session.add(row)
        db.session.commit()
        return redirect(f"/row/{row.id}", code=303)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def create_table(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()


# gunicorn imports `baseline_app:app`; the benchmark sets DATABASE_URL.
app = make_app(os.environ.get("DATABASE_URL", "sqlite://"))
