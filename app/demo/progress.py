"""The year between the demo's two meetings: progress on the 2024 follow-ups, and the
accounts and link the agencies report through.

`progress2024.json` holds the reports, dated between the 2024 and the 2025 meeting
(and a few after), so that the 2025 notulen show a mix on their date: done,
in progress, not started, overdue, cancelled. They are added through
`progress.add_entry`, the one way every report is stored, with a key per report,
so a second `flask demo` adds nothing. The finalised 2024 record is never rendered
again: its stored, signed documents stay byte for byte what they were.

The 2025 meeting follows the 2024 one (`Meeting.predecessors`), and so gets the
agenda item that evaluates its follow-ups, unless its agenda has one already.
"""

import json
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.agency_links.services import active_link, create_link
from app.auth.services import find_user
from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.meetings.services import add_carried_over_item
from app.models import Agency, FollowUp, Meeting, Submission, User
from app.users.services import create_account

HERE = Path(__file__).parent
PROGRESS: dict = json.loads((HERE / "progress2024.json").read_text(encoding="utf-8"))
# `make run` serves here; the link is printed whole so it can be opened from the terminal.
DEMO_BASE_URL = "http://127.0.0.1:5000"


def focal_point_account(password: str) -> tuple[str, str, str]:
    """The focal point account of the agency in progress2024.json: (email, password, agency)."""
    spec = PROGRESS["focal_point"]
    if find_user(spec["email"]) is None:
        agency_id = db.session.scalar(
            select(Agency.id).where(Agency.abbreviation == spec["agency"])
        )
        create_account(
            None,
            email=spec["email"],
            name=spec["name"],
            role="focal",
            password=password,
            agency_id=agency_id,
        )
    return spec["email"], password, spec["agency"]


def follow_up_of(meeting: Meeting, spec: dict) -> FollowUp | None:
    """The follow-up a spec names: by its input's number in the file, or by its action."""
    if "input" in spec:
        submission_id = db.session.scalar(
            select(Submission.id).where(
                Submission.meeting_id == meeting.id,
                Submission.idempotency_key == f"demo-{spec['input']:03d}",
            )
        )
        query = select(FollowUp).where(FollowUp.submission_id == submission_id)
    else:
        query = select(FollowUp).where(
            FollowUp.meeting_id == meeting.id,
            FollowUp.submission_id.is_(None),
            FollowUp.action.startswith(spec["action"]),
        )
    return db.session.scalar(query.order_by(FollowUp.id).limit(1))


def add_progress(meeting: Meeting, secretariat: User, focal: User) -> int:
    """The reports of progress2024.json not stored yet; returns how many were added."""
    added = 0
    for spec in PROGRESS["follow_ups"]:
        follow_up = follow_up_of(meeting, spec)
        if follow_up is None:  # a record an admin reopened and changed: left as it is
            continue
        for number, report in enumerate(spec["reports"], start=1):
            channel = report["channel"]
            actor = focal if channel == "focal" else secretariat
            entry = add_entry(
                follow_up,
                ProgressReport(
                    status=report["status"],
                    percent=report["percent"],
                    note=report["note"],
                    reported_on=date.fromisoformat(report["on"]),
                    idempotency_key=f"demo-progress-{number}",
                ),
                actor=actor,
                channel=channel,
            )
            added += entry is not None
    return added


def follow_earlier(meeting: Meeting, earlier: Meeting) -> None:
    """The 2025 meeting follows the 2024 one, unless someone chose otherwise already."""
    if not meeting.predecessors and meeting.status != "finalised":
        meeting.predecessors = [earlier]
        add_carried_over_item(meeting)


def agency_link_line(actor: User) -> str:
    """The link agency's update link (made once, kept while active), as a line to print."""
    abbreviation = PROGRESS["link_agency"]
    agency = db.session.scalar(select(Agency).where(Agency.abbreviation == abbreviation))
    if agency is None:
        return f"Demo agency update link: no agency {abbreviation}."
    link = active_link(agency.id) or create_link(agency, actor)
    base = current_app.config.get("RAKOR_PUBLIC_URL") or DEMO_BASE_URL
    return f"Demo agency update link ({abbreviation}): {base.rstrip('/')}/tl/{link.token}"
