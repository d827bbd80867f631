"""The follow-up cycle after a meeting: the register of every meeting's follow-ups, their
progress history and evidence, the agencies' focal points, update links and RTL
workbooks, and the reminders the secretariat sends.

`progress.py` is the one place that writes progress: every channel (a staff account,
an agency's link, an uploaded workbook) goes through it.
"""

from flask import Blueprint

bp = Blueprint("follow_ups", __name__)

from app.follow_ups import reminders, views, workbook_views  # noqa: E402,F401
