"""Rakor: participant input for coordination meetings, turned into the official record."""

import logging
import os
from pathlib import Path

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app import logs, security, static_versions
from config import BASE_DIR, CONFIGS, config_for_environment, default_database_url


def create_app(test_config: dict | None = None) -> Flask:
    # Flask with versioned static files kept for a year (app/static_versions.py).
    app = static_versions.Rakor(
        __name__,
        instance_path=str(BASE_DIR / "instance"),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_commands(app)
    security.register(app)
    static_versions.register(app)
    logs.configure(app)
    if app.config["RAKOR_PROXY_COUNT"]:
        hops = app.config["RAKOR_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(CONFIGS["testing"] if test_config else config_for_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = default_database_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set (or RAKOR_ENV=development for local use).")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    # A failed statement's message would otherwise carry its values (names, phone
    # numbers) into the logs.
    options.setdefault("hide_parameters", True)
    if uri.startswith("postgresql"):
        # Survive a database restart without restarting the app.
        options.setdefault("pool_pre_ping", True)
    elif uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 15})


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    """The file private, WAL for concurrent readers, enforced foreign keys, a busy timeout."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    for _seq, schema, path in cursor.execute("PRAGMA database_list").fetchall():
        if schema == "main" and path:  # "" for an in-memory database
            keep_owner_only(Path(path))
    # After the chmod: SQLite creates -wal and -shm with the database file's mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def keep_owner_only(database: Path) -> None:
    """The SQLite file and its -wal/-shm readable by their owner only (0600).

    The database holds participants' names and phone numbers. sqlite3 creates it with
    the process umask (0644 under the usual 022), whoever starts the app: gunicorn,
    `flask db upgrade` or `make run`. The systemd units set UMask=0077 as well.
    """
    for path in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except FileNotFoundError:
            continue
        except PermissionError:
            # Another account's file (a read-only look with the CLI): its owner decides.
            logging.getLogger(__name__).warning("cannot make %s private", path)


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman itu.")
    login_manager.login_message_category = "info"

    from app.auth.services import signed_in_user
    from app.models import User

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        """The cookie keeps the token of one sign-in (User.get_id), not the account's id."""
        if g.get("database_unavailable"):
            return None  # the 503 page renders for an anonymous visitor, with no query
        return signed_in_user(session_token)


def register_blueprints(app: Flask) -> None:
    from app import (
        agency_links,
        attendance,
        auth,
        documents,
        errors,
        exports,
        follow_ups,
        insight,
        meetings,
        minutes,
        paper,
        reference,
        review,
        share,
        signing,
        submissions,
        system,
        users,
        verify,
    )

    # Public and staff routes together; each route spells its whole path.
    for area in (errors, system, submissions, auth, attendance, share, verify, agency_links):
        app.register_blueprint(area.bp)
    # The secretariat's workspace, everything under /admin/.
    for area in (
        meetings,
        review,
        minutes,
        documents,
        signing,
        paper,
        exports,
        follow_ups,
        insight,
        users,
        reference,
    ):
        app.register_blueprint(area.bp, url_prefix="/admin")


def register_template_helpers(app: Flask) -> None:
    from app import i18n

    i18n.register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
