"""The submission benchmark's baseline: the simplest Flask view that inserts a row.

Same stack as Rakor (Flask, Flask-SQLAlchemy, the same engine settings and SQLite
pragmas, the same gunicorn configuration), none of its rules: a POST inserts its
`title` and answers 303 to a page that reads the row back, the way Rakor answers
with the receipt. Measurement scaffolding, not part of the product: its table is
made with `create_all` in the benchmark's throwaway database.

    gunicorn --config deploy/gunicorn.conf.py bench.baseline_app:app   (DATABASE_URL set)
"""

import os
from datetime import UTC, datetime

from flask import Flask, abort, redirect, request
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
    # The pragmas of app/__init__.py, so that SQLite is compared like for like.
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "busy_timeout=15000",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_app(database_url: str) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    # The engine options app/__init__.py's load_config sets for the same URL.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = (
        {"pool_pre_ping": True}
        if database_url.startswith("postgresql")
        else {"connect_args": {"timeout": 15}}
    )
    db.init_app(app)

    @app.post("/insert")
    def insert():
        row = BaselineRow(title=request.form.get("title", "")[:160], created_at=datetime.now(UTC))
        db.session.add(row)
        db.session.commit()
        return redirect(f"/row/{row.id}", code=303)

    @app.get("/row/<int:row_id>")
    def show(row_id: int):
        row = db.session.get(BaselineRow, row_id) or abort(404)
        return f"{row.id} {row.title}\n"

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def create_table(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()


app = make_app(os.environ.get("DATABASE_URL", "sqlite://"))
