"""Friendly error pages in the user's language; never a stack trace."""

from flask import current_app, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InternalError, OperationalError
from werkzeug.exceptions import HTTPException

from app.errors import bp
from app.extensions import db

# PostgreSQL's read_only_sql_transaction: a write to a read-only database or a hot
# standby. psycopg reports it as an InternalError, not an OperationalError.
READ_ONLY_SQLSTATE = "25006"


def error_page(status: int, title: str, message: str, retry_after: str | None = None):
    body = render_template("errors/error.html", status=status, title=title, message=message)
    headers = {"Retry-After": retry_after} if retry_after else {}
    return body, status, headers


@bp.app_errorhandler(CSRFError)
def csrf_error(_error):
    return error_page(
        400,
        _("Formulir kedaluwarsa"),
        _("Halaman ini sudah terlalu lama terbuka. Muat ulang halaman lalu coba lagi."),
    )


@bp.app_errorhandler(404)
def not_found(_error):
    return error_page(
        404, _("Halaman tidak ditemukan"), _("Periksa kembali alamat yang Anda buka.")
    )


@bp.app_errorhandler(403)
def forbidden(_error):
    """A staff page the signed-in role may not open: say so, and lead back to its own start."""
    return error_page(
        403,
        _("Halaman ini bukan untuk akun Anda"),
        _("Peran akun Anda tidak mencakup halaman ini. Kembali ke halaman awal akun Anda."),
    )


@bp.app_errorhandler(413)
def too_large(_error):
    return error_page(
        413,
        _("Kiriman terlalu besar"),
        _(
            "Yang dikirim melebihi batas ukuran. Persingkat uraian, atau pilih berkas "
            "yang lebih kecil, lalu kirim lagi."
        ),
    )


@bp.app_errorhandler(429)
def too_many_requests(_error):
    if request.endpoint == "submissions.meeting":
        return error_page(
            429,
            _("Terlalu banyak kiriman"),
            _(
                "Terlalu banyak kiriman dari perangkat atau jaringan ini dalam waktu singkat. "
                "Tunggu sebentar, lalu coba lagi. Isian yang sudah mendapat kode tanda terima aman."
            ),
            retry_after="60",
        )
    return error_page(
        429,
        _("Terlalu banyak permintaan"),
        _(
            "Terlalu banyak permintaan dari perangkat atau jaringan ini dalam waktu singkat. "
            "Tunggu sebentar, lalu coba lagi."
        ),
        retry_after="60",
    )


@bp.app_errorhandler(OperationalError)
def database_unavailable(error):
    # The driver's error class says which (unreachable, read-only...); its message may
    # quote the statement, so it stays out of the log (app/logs.py).
    current_app.logger.warning(
        "database unavailable: %s", type(getattr(error, "orig", error)).__name__
    )
    db.session.rollback()
    # The page must render without the database: Flask-Login's context processor would
    # load the signed-in user (a query). The user loader answers "nobody" for this one
    # page (app/__init__.py); the session cookie is untouched.
    g.database_unavailable = True
    return error_page(
        503,
        _("Layanan sedang tidak tersedia"),
        _("Basis data tidak dapat dihubungi. Coba lagi beberapa saat lagi."),
        retry_after="30",
    )


@bp.app_errorhandler(InternalError)
def database_read_only(error: InternalError):
    if getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
        return database_unavailable(error)
    raise error  # any other InternalError is a bug: logged, and answered by the 500 page


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    return error_page(
        error.code or 500, _("Permintaan tidak dapat diproses"), _("Silakan coba lagi.")
    )


@bp.app_errorhandler(500)
def server_error(_error):
    db.session.rollback()
    return error_page(
        500,
        _("Terjadi kesalahan"),
        _("Terjadi kesalahan di server. Tim sekretariat sudah dapat melihatnya di catatan sistem."),
    )
