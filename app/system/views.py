"""Health check and the language switch."""

from flask import current_app, jsonify, redirect, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, limiter
from app.i18n import LANGUAGE_COOKIE
from app.system import bp
from app.urls import safe_next

ONE_YEAR = 365 * 24 * 3600


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


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
