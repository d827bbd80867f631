"""Health check and the language switch."""

from flask import current_app, jsonify, redirect, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.extensions import db, limiter
from app.i18n import LANGUAGE_COOKIE
from app.system import bp
from app.urls import safe_next

ONE_YEAR = 365 * 24 * 3600


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 when the database answers and takes writes; 503 otherwise (for load balancers)."""
    try:
        state = database_state()
    except SQLAlchemyError:
        db.session.rollback()
        state = "unreachable"
    if state != "ok":
        current_app.logger.warning("health check: database %s", state)
        return jsonify(status="error", database=state), 503
    return jsonify(status="ok", database="ok")


def database_state() -> str:
    """Either "ok", or "read_only" when the database answers but would refuse new input."""
    if db.engine.dialect.name == "postgresql":
        # A read-only default, or a standby after a failover.
        read_only = db.session.scalar(text("SELECT current_setting('transaction_read_only')"))
        return "read_only" if read_only == "on" else "ok"
    # SQLite: a write that changes nothing, rolled back; a read-only file refuses it.
    try:
        db.session.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except OperationalError as error:
        db.session.rollback()
        message = str(error.orig).replace("-", "").replace(" ", "")
        if "readonly" in message:
            return "read_only"
        if "locked" in message or "busy" in message:
            return "ok"  # another connection is writing (an import): busy, not down
        raise
    db.session.rollback()
    return "ok"


@bp.get("/bahasa/<lang>")
def set_language(lang: str):
    response = redirect(safe_next(request.args.get("next"), url_for("submissions.index")))
    if lang in current_app.config["RAKOR_LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=ONE_YEAR,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
