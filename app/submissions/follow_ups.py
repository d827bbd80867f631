"""What the public may read about follow-ups: an input's own, and a meeting's account.

Public pages, so only what the government agreed and reported in general terms: the
action, the responsible agency, the deadline, the state (status, percent, the day of
the latest report) and whether it is late. Never the progress note (it may name
people, households or addresses), never who reported, never who submitted the input
it came from (UU 27/2022 on personal data; docs/SECURITY.md).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.documents.evaluation import CompletionLine
from app.domain import FOLLOW_UP_STATUSES, is_overdue
from app.extensions import db
from app.models import FollowUp, Meeting, Pillar, Submission


@dataclass(frozen=True)
class PublicFollowUp:
    action: str
    agency: str  # the agency's full name; "" when none is assigned yet
    deadline: date | None
    status: str
    percent: int
    reported_on: date | None  # the day of the latest report; None before any
    overdue: bool
    pillar: str = ""

    @property
    def status_label(self) -> str:
        return str(FOLLOW_UP_STATUSES.get(self.status, self.status))


@dataclass(frozen=True)
class Accountability:
    items: tuple[PublicFollowUp, ...]
    by_pillar: tuple[CompletionLine, ...]
    by_agency: tuple[CompletionLine, ...]
    total: CompletionLine
    as_of: date


def public_view(follow_up: FollowUp, today: date, pillar: str = "") -> PublicFollowUp:
    # Deliberately no progress_note and no user or submitter: see the module's docstring.
    return PublicFollowUp(
        action=follow_up.action.strip(),
        agency=follow_up.agency.name if follow_up.agency else "",
        deadline=follow_up.deadline,
        status=follow_up.status,
        percent=follow_up.percent,
        reported_on=follow_up.reported_on,
        overdue=is_overdue(follow_up.deadline, follow_up.status, today),
        pillar=pillar,
    )


def submission_follow_ups(submission: Submission, today: date) -> list[PublicFollowUp]:
    """The follow-ups agreed on this input, or on the input it was merged into (the two
    were discussed together)."""
    ids = [submission.id]
    if submission.merged_into_id:
        ids.append(submission.merged_into_id)
    query = (
        select(FollowUp)
        .where(FollowUp.submission_id.in_(ids))
        .options(joinedload(FollowUp.agency))
        .order_by(FollowUp.id)
    )
    return [public_view(follow_up, today) for follow_up in db.session.scalars(query)]


def meeting_accountability(meeting: Meeting, today: date) -> Accountability:
    """The meeting's follow-ups as they stand today, counted by pillar and by agency."""
    query = (
        select(FollowUp, Pillar.code, Pillar.name, Pillar.position)
        .outerjoin(Submission, Submission.id == FollowUp.submission_id)
        .outerjoin(Pillar, Pillar.id == Submission.pillar_id)
        .where(FollowUp.meeting_id == meeting.id)
        .options(joinedload(FollowUp.agency))
        .order_by(
            Pillar.position.is_(None),
            Pillar.position,
            FollowUp.deadline.is_(None),
            FollowUp.deadline,
            FollowUp.id,
        )
    )
    items = [
        public_view(follow_up, today, f"{code} · {name}" if code else "")
        for follow_up, code, name, _position in db.session.execute(query)
    ]
    return Accountability(
        items=tuple(items),
        by_pillar=tallies(items, lambda item: item.pillar, _("Tanpa strategi"), keep_order=True),
        by_agency=tallies(items, lambda item: item.agency, _("Belum ditentukan")),
        total=tally(_("Jumlah"), items),
        as_of=today,
    )


def tally(label: str, items: list[PublicFollowUp]) -> CompletionLine:
    counts = Counter(item.status for item in items)
    return CompletionLine(
        label=label,
        done=counts.get("done", 0),
        in_progress=counts.get("in_progress", 0),
        open=counts.get("open", 0),
        cancelled=counts.get("cancelled", 0),
        overdue=sum(1 for item in items if item.overdue),
    )


def tallies(items, key, none_label: str, *, keep_order: bool = False) -> tuple[CompletionLine, ...]:
    """One line per group, in the items' order (pillars) or by name (agencies), then the
    items without one."""
    groups: dict[str, list[PublicFollowUp]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    labels = [label for label in groups if label]
    if not keep_order:
        labels.sort()
    lines = [tally(label, groups[label]) for label in labels]
    if "" in groups:
        lines.append(tally(none_label, groups[""]))
    return tuple(lines)
