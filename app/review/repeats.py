"""Inputs raised before: an input that repeats one, or a follow-up, of an earlier meeting.

A lurah who proposes again what was proposed last year is telling the meeting
something: the proposal was declined, or its follow-up has not got far. The review
screens mark such an input "Berulang" with what became of the earlier one, and the
notulen print it beside the input ("Diusulkan juga pada ... (status: ...)").

Earlier means the meetings this one follows (`Meeting.predecessors`); a meeting
that follows none is compared with every meeting dated before it.

The earlier side is every input of those meetings (a merged one stands for the
input it was merged into, whose decision and follow-up it shares) and every
follow-up agreed without an input (an action the meeting decided itself). Texts are
compared as duplicates.py compares them within a meeting: the same normaliser
(Indonesian function words, the city's place names and the words every input of a
poverty meeting contains dropped) and the same score, RapidFuzz's
`token_set_ratio` of the titles and of the descriptions, weighted 0.7 : 0.3.
REPEAT_THRESHOLD is higher than the duplicates' threshold: a year apart, the same
topic word ("DTKS", "rob", "entok") comes back in many different proposals, and a
mark that cries wolf is soon ignored. tests/test_repeats.py calibrates it on
requests a Pekalongan rakor gets a year apart: the same request in other words scores
79-87; a different proposal sharing a topic word scores 48-61 ("honor verifikator"
against "pemutakhiran DTKS", two kinds of "rob"), and one sharing a target group
and "pelatihan" 76 (sewing against fish processing for women heads of household).

The status of a follow-up is its state on the meeting's date
(`progress.states_on`), so the review screens and the notulen say the same, and a
report made after the meeting never changes what its record says.

Nothing is stored. The earlier side is read and normalised once per request (kept
on `flask.g`), then each input costs one RapidFuzz `extract` over the earlier
titles (C++), and reads only the descriptions of the titles close enough to count.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain import FOLLOW_UP_STATUSES, SUBMISSION_STATUSES, is_overdue
from app.extensions import db
from app.follow_ups import progress
from app.models import FollowUp, Meeting, Submission
from app.review.duplicates import Normaliser, Title, best_matches, city_normaliser

REPEAT_THRESHOLD = 77.0
# How many earlier items an input lists at most, best first.
REPEAT_LIMIT = 3


@dataclass(frozen=True)
class EarlierItem:
    """An input or a follow-up of an earlier meeting, with what became of it."""

    meeting_id: int
    meeting_title: str
    meeting_date: date
    title: str
    description: str
    # The input (None for a follow-up agreed without one) and its follow-up, if any.
    submission_id: int | None
    follow_up_id: int | None
    # The input's decision (SUBMISSION_STATUSES) when it has no follow-up.
    decision: str
    deadline: date | None = None


@dataclass(frozen=True)
class Repeat:
    """One earlier item an input repeats, and where it stood on this meeting's date."""

    submission_id: int
    earlier: EarlierItem
    score: float
    # The follow-up's status on the meeting's date, or the earlier input's decision.
    status: str
    status_label: str
    percent: int | None
    overdue: bool

    @property
    def meeting_title(self) -> str:
        return self.earlier.meeting_title

    @property
    def status_text(self) -> str:
        """'Sedang berjalan, 40%, terlambat', 'Selesai', 'Tidak dapat ditindaklanjuti'."""
        parts = [self.status_label]
        if self.percent is not None and self.status == "in_progress":
            parts.append(f"{self.percent}%")
        if self.overdue:
            parts.append(str(_l("terlambat")))
        return ", ".join(parts)

    @property
    def label(self) -> str:
        """'Diusulkan juga pada <meeting>: <status>', as the review screens show it."""
        return str(
            _l(
                "Diusulkan juga pada %(meeting)s: %(status)s",
                meeting=self.meeting_title,
                status=self.status_text,
            )
        )

    @property
    def minutes_line(self) -> str:
        """'Diusulkan juga pada <meeting> (status: <status>)', as the notulen print it."""
        return str(
            _l(
                "Diusulkan juga pada %(meeting)s (status: %(status)s)",
                meeting=self.meeting_title,
                status=self.status_text,
            )
        )


@dataclass
class EarlierSide:
    """The earlier meetings' items of one meeting, normalised once, and the answers so far."""

    meeting_id: int
    as_of: date
    items: list[EarlierItem]
    titles: list[Title]
    normalise: Normaliser
    found: dict[int, list[Repeat]] = field(default_factory=dict)
    # Every input of the meeting has been compared.
    complete: bool = False

    def describe(self, indexes: list[int]) -> dict[int, str]:
        return {i: self.normalise(self.items[i].description) for i in indexes}


# --- the earlier side ------------------------------------------------------------------


def earlier_meeting_ids(meeting: Meeting) -> list[int]:
    """The meetings this one follows; when none, every meeting dated before it."""
    followed = [m.id for m in meeting.predecessors if m.id != meeting.id]
    if followed:
        return followed
    return list(
        db.session.scalars(
            select(Meeting.id)
            .where(Meeting.date < meeting.date, Meeting.id != meeting.id)
            .order_by(Meeting.date.desc(), Meeting.id.desc())
        )
    )


def earlier_items(meeting_ids: list[int]) -> list[EarlierItem]:
    """Every input of those meetings and every follow-up agreed without an input.

    Two queries. An input merged into another is kept (its own words may be the
    closer match) with the decision and follow-up of the input it was merged into.
    """
    if not meeting_ids:
        return []
    meetings = {
        m.id: m for m in db.session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids)))
    }
    inputs = db.session.execute(
        select(
            Submission.id,
            Submission.meeting_id,
            Submission.merged_into_id,
            Submission.title,
            Submission.description,
            Submission.status,
        )
        .where(Submission.meeting_id.in_(meeting_ids))
        .order_by(Submission.meeting_id, Submission.id)
    ).all()
    follow_ups = db.session.execute(
        select(
            FollowUp.id,
            FollowUp.meeting_id,
            FollowUp.submission_id,
            FollowUp.action,
            FollowUp.deadline,
        )
        .where(FollowUp.meeting_id.in_(meeting_ids))
        .order_by(FollowUp.id)
    ).all()
    first_follow_up: dict[int, tuple[int, date | None]] = {}
    for follow_up_id, _meeting_id, submission_id, _action, deadline in follow_ups:
        if submission_id is not None:
            first_follow_up.setdefault(submission_id, (follow_up_id, deadline))
    merged_into = {row.id: row.merged_into_id for row in inputs}
    status_of = {row.id: row.status for row in inputs}

    def primary(submission_id: int) -> int:
        seen = {submission_id}
        current = submission_id
        while merged_into.get(current) is not None and merged_into[current] not in seen:
            current = merged_into[current]
            seen.add(current)
        return current

    items = []
    for row in inputs:
        meeting = meetings[row.meeting_id]
        root = primary(row.id)
        follow_up_id, deadline = first_follow_up.get(root, (None, None))
        items.append(
            EarlierItem(
                meeting_id=meeting.id,
                meeting_title=meeting.title,
                meeting_date=meeting.date,
                title=row.title,
                description=row.description,
                submission_id=row.id,
                follow_up_id=follow_up_id,
                decision=status_of.get(root, row.status),
                deadline=deadline,
            )
        )
    for follow_up_id, meeting_id, submission_id, action, deadline in follow_ups:
        if submission_id is None:
            meeting = meetings[meeting_id]
            items.append(
                EarlierItem(
                    meeting_id=meeting.id,
                    meeting_title=meeting.title,
                    meeting_date=meeting.date,
                    title=action,
                    description=action,
                    submission_id=None,
                    follow_up_id=follow_up_id,
                    decision="follow_up",
                    deadline=deadline,
                )
            )
    return items


def earlier_side(meeting: Meeting, *, fresh: bool = False) -> EarlierSide:
    """The earlier side of this meeting, built once per request (`fresh`: built anew, for
    a document, which a worker may build in a long-lived app context)."""
    cache = g.setdefault("review_repeats", {})
    side = None if fresh else cache.get(meeting.id)
    if side is None:
        normalise = city_normaliser()
        items = earlier_items(earlier_meeting_ids(meeting))
        titles = [Title(index, normalise(item.title)) for index, item in enumerate(items)]
        side = EarlierSide(meeting.id, meeting.date, items, titles, normalise)
        if not fresh:
            cache[meeting.id] = side
    return side


# --- matching --------------------------------------------------------------------------


def repeats_for(
    meeting: Meeting, submission_ids: Iterable[int] | None = None, *, fresh: bool = False
) -> dict[int, list]:
    """{input id: [Repeat, best first]} for those inputs of the meeting (all when None);
    inputs that repeat nothing are left out. `fresh`: see `earlier_side`."""
    side = earlier_side(meeting, fresh=fresh)
    ids = None if submission_ids is None else list(submission_ids)
    if not side.complete and (ids is None or any(i not in side.found for i in ids)):
        match(meeting, side, ids)
    keys = side.found if ids is None else ids
    return {i: side.found[i] for i in keys if side.found.get(i)}


def match(meeting: Meeting, side: EarlierSide, ids: list[int] | None) -> None:
    """Compare the inputs not compared yet (those of `ids`, or all) with the earlier side."""
    query = select(Submission.id, Submission.title, Submission.description).where(
        Submission.meeting_id == meeting.id
    )
    if ids is not None:
        todo = [i for i in ids if i not in side.found]
        query = query.where(Submission.id.in_(todo))
    rows = db.session.execute(query).all() if side.items else []
    matched: dict[int, list[tuple[int, float]]] = {}
    for row in rows:
        if row.id not in side.found:
            matched[row.id] = best_matches(
                side.normalise(row.title),
                side.normalise(row.description),
                side.titles,
                side.describe,
                limit=REPEAT_LIMIT,
                threshold=REPEAT_THRESHOLD,
            )
    follow_up_ids = {
        side.items[index].follow_up_id
        for found in matched.values()
        for index, _score in found
        if side.items[index].follow_up_id is not None
    }
    states = progress.states_on(sorted(follow_up_ids), side.as_of) if follow_up_ids else {}
    for submission_id, found in matched.items():
        side.found[submission_id] = [
            repeat_of(submission_id, side.items[index], score, states, side.as_of)
            for index, score in found
        ]
    for submission_id in ids or ():
        side.found.setdefault(submission_id, [])
    side.complete = side.complete or ids is None or not side.items


def repeat_of(
    submission_id: int,
    item: EarlierItem,
    score: float,
    states: dict[int, progress.ProgressState],
    as_of: date,
) -> Repeat:
    if item.follow_up_id is not None:
        state = states.get(item.follow_up_id, progress.NOT_STARTED)
        return Repeat(
            submission_id=submission_id,
            earlier=item,
            score=score,
            status=state.status,
            status_label=str(FOLLOW_UP_STATUSES.get(state.status, state.status)),
            percent=state.percent,
            overdue=is_overdue(item.deadline, state.status, as_of),
        )
    return Repeat(
        submission_id=submission_id,
        earlier=item,
        score=score,
        status=item.decision,
        status_label=str(SUBMISSION_STATUSES.get(item.decision, item.decision)),
        percent=None,
        overdue=False,
    )


def repeated_ids(meeting: Meeting) -> list[int]:
    """The meeting's inputs that repeat something earlier (the queue's "berulang" filter)."""
    return sorted(repeats_for(meeting))
