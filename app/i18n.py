"""Language choice and Indonesian formatting for pages and documents.

Indonesian is the default; a visible switch sets a cookie that remembers English.
Dates and numbers follow the active locale ("Selasa, 23 Januari 2024", "6,94",
"Rp 1.500.000" in Indonesian).
"""

from datetime import UTC, date, datetime, time

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale, to_user_timezone

from app import domain

LANGUAGE_COOKIE = "rakor_lang"


def local_today() -> date:
    """Today where the meeting is held (WIB by default), not on the server's clock."""
    return to_user_timezone(datetime.now(UTC)).date()


def select_locale() -> str:
    if not has_request_context():  # the CLI, a background job: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in current_app.config["RAKOR_LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def long_date(value: date | None) -> str:
    """'Selasa, 23 Januari 2024'."""
    return format_date(value, "EEEE, d MMMM y") if value else ""


def clock_time(value: time | None) -> str:
    """'09.00 WIB' in Indonesian, '09:00 WIB' in English."""
    if value is None:
        return ""
    separator = "." if str(get_locale()) == "id" else ":"
    zone = current_app.config["RAKOR_TIMEZONE_LABEL"]
    return f"{value.hour:02d}{separator}{value.minute:02d} {zone}"


def local_datetime(value: datetime | None) -> str:
    """A UTC timestamp shown in the meeting's timezone: 'Selasa, 23 Januari 2024 10.15 WIB'."""
    if value is None:
        return ""
    zone = current_app.config["RAKOR_TIMEZONE_LABEL"]
    pattern = "EEEE, d MMMM y HH.mm" if str(get_locale()) == "id" else "EEEE, d MMMM y HH:mm"
    return f"{format_datetime(value, pattern)} {zone}"


def number(value: int | float | None) -> str:
    """'1.500' or '6,94' in Indonesian."""
    return "" if value is None else format_decimal(value)


def rupiah(value: int | None) -> str:
    return "" if value is None else f"Rp {format_decimal(value)}"


def register(app: Flask) -> None:
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(clock_time, "clock_time")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(number, "number")
    app.add_template_filter(rupiah, "rupiah")

    @app.context_processor
    def vocabulary() -> dict:
        return {
            "current_locale": str(get_locale()),
            "ROLES": domain.ROLES,
            "KINDS": domain.KINDS,
            "KIND_SHORT": domain.KIND_SHORT,
            "TARGET_GROUPS": domain.TARGET_GROUPS,
            "SUBMISSION_STATUSES": domain.SUBMISSION_STATUSES,
            "MEETING_STATUSES": domain.MEETING_STATUSES,
            "FOLLOW_UP_STATUSES": domain.FOLLOW_UP_STATUSES,
            "USER_ROLES": domain.USER_ROLES,
            "SEXES": domain.SEXES,
        }
