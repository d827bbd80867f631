"""Structured logs: one JSON line per request, every line carrying the request's id.

The id comes from the reverse proxy (`X-Request-ID`, nginx's `$request_id`) when it
looks like one, otherwise it is made here; it goes back in the response's
`X-Request-ID` header, so a participant's "it failed" can be found in the log.

No personal data: a request is logged by its route (`/receipt/<code>`, not the
code), never with its query string, body, client address or the user's e-mail;
a signed-in user appears as their numeric id. SQL parameters stay out of error
messages (`hide_parameters` on the engine, see `app.load_config`).
"""

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy.exc import DBAPIError

REQUEST_ID_HEADER = "X-Request-ID"
# What nginx's $request_id looks like (32 hex digits), or a UUID; anything else is replaced.
ACCEPTED_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")

request_log = logging.getLogger("rakor.request")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON, with the request id when there is a request."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = getattr(g, "request_id", None)
            entry["method"] = request.method
            entry["route"] = route()
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (gunicorn and test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def route() -> str:
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


# pyHanko logs every signature it cannot trust (an unknown authority, an expired
# certificate) as a warning with a traceback: on /verify that is an ordinary answer,
# which the page itself reports, not a fault of the server.
QUIET_LIBRARIES = ("pyhanko", "pyhanko_certvalidator")


def configure(app: Flask) -> None:
    """JSON lines on stderr for the app's and Rakor's loggers (not under the test runner)."""
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.ERROR)
    if app.config.get("RAKOR_LOG_FORMAT") == "json":
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        level = app.config.get("RAKOR_LOG_LEVEL", "INFO")
        for logger in (app.logger, logging.getLogger("rakor")):
            logger.handlers[:] = [handler]
            logger.setLevel(level)
            logger.propagate = False

    def log_exception(exc_info) -> None:
        # Flask's own message names the raw path, which may hold a receipt code.
        error = exc_info[1]
        if isinstance(error, DBAPIError):
            # The driver's message quotes the row ("Failing row contains (...)", a key's
            # value): the class, SQLSTATE, constraint and where it was raised are enough.
            original = error.orig
            fields = {
                "error_class": type(original).__name__,
                "sqlstate": getattr(original, "sqlstate", None),
                "constraint": getattr(getattr(original, "diag", None), "constraint_name", None),
                "error": "".join(traceback.format_tb(exc_info[2])),
            }
            app.logger.error("unhandled database error", extra={"fields": fields})
            return
        app.logger.error("unhandled exception", exc_info=exc_info)

    app.log_exception = log_exception

    def start_request() -> None:
        g.request_started = time.perf_counter()
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if ACCEPTED_REQUEST_ID.match(given) else uuid.uuid4().hex

    # First of all before-request functions: a request that CSRFProtect or the rate
    # limiter turns away is logged with its id too.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        if request_log.isEnabledFor(logging.INFO):
            started = getattr(g, "request_started", None)
            fields = {
                "method": request.method,
                "route": route(),
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                "bytes": response.calculate_content_length(),
            }
            user = g.get("_login_user")  # only if this request loaded it: no extra query
            if user is not None and getattr(user, "is_authenticated", False):
                fields["user_id"] = user.id
            # Made by hand: Logger.info would first walk the stack to find its caller,
            # on every request, for a file name and line no one reads here.
            record = request_log.makeRecord(
                request_log.name,
                logging.INFO,
                "app/logs.py",
                0,
                "request",
                (),
                None,
                extra={"fields": fields},
            )
            request_log.handle(record)
        return response
