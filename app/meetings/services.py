"""Rules for meetings: listing, creating, editing, opening and closing."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import Meeting, Submission


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    inputs: int


def meetings_overview() -> list[MeetingRow]:
    """Every meeting, newest first, with its number of inputs (merged ones included)."""
    counts = (
        select(Submission.meeting_id, func.count().label("inputs"))
        .group_by(Submission.meeting_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Meeting, func.coalesce(counts.c.inputs, 0))
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    )
    return [MeetingRow(meeting, inputs) for meeting, inputs in rows]
