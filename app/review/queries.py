"""Reading for review: the queue's filters (shared with the exports), its pages, an input's page.

`ReviewFilters.from_args` reads the query string leniently: a value outside the
allow-lists is dropped, never an error, so a stale bookmark still opens. The review
list, the audit page and the exports all read their arguments here.

Every function here only reads; changes go through `app.review.services`.
"""

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Select, asc, desc, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.domain import KINDS, ROLES, SUBMISSION_STATUSES
from app.extensions import db
from app.models import (
    Agency,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Meeting,
    Pillar,
    Submission,
    SubmissionInsight,
    SubmissionNote,
    Theme,
    User,
)

SORTS = ("newest", "oldest", "pillar", "title", "submitter")
MAX_QUERY_LENGTH = 100
# The theme filter's value for the inputs in no theme (app/insight).
NO_THEME = "none"
# An id or a page number: ASCII digits only. str.isdigit() also takes "²" and "٣",
# which int() then refuses or reads as 3.
ID_DIGITS = re.compile(r"[0-9]{1,9}")
PAGE_DIGITS = re.compile(r"[0-9]{1,6}")


def small_number(text: str | None, digits: re.Pattern) -> int | None:
    """`text` as a positive number when it is nothing but a few digits 0-9, else None."""
    value = (text or "").strip()
    return int(value) or None if digits.fullmatch(value) else None


@dataclass(frozen=True)
class ReviewFilters:
    pillar_id: int | None = None
    kind: str | None = None
    role: str | None = None
    kecamatan_id: int | None = None
    kelurahan_id: int | None = None
    status: str | None = None
    q: str = ""
    sort: str = "newest"
    # Only the inputs that repeat one of an earlier meeting (app/review/repeats.py).
    repeated: bool = False
    # A theme's id (as text), or NO_THEME for the inputs in no theme (app/insight).
    theme: str = ""

    @classmethod
    def from_args(cls, args: Any) -> "ReviewFilters":
        def whole(name: str) -> int | None:
            return small_number(args.get(name), ID_DIGITS)

        def among(name: str, allowed) -> str | None:
            value = args.get(name) or ""
            return value if value in allowed else None

        return cls(
            pillar_id=whole("pillar"),
            kind=among("kind", KINDS),
            role=among("role", ROLES),
            kecamatan_id=whole("kecamatan"),
            kelurahan_id=whole("kelurahan"),
            status=among("status", SUBMISSION_STATUSES),
            # No one types a NUL, and PostgreSQL refuses one in the search pattern.
            q=(args.get("q") or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH],
            sort=among("sort", SORTS) or "newest",
            repeated=args.get("repeated") == "1",
            theme=theme_argument(args.get("theme")),
        )

    def to_args(self) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out)."""
        names = {"pillar_id": "pillar", "kecamatan_id": "kecamatan", "kelurahan_id": "kelurahan"}
        args = {}
        for key, value in asdict(self).items():
            if value in (None, "", False) or (key == "sort" and value == "newest"):
                continue
            args[names.get(key, key)] = "1" if value is True else str(value)
        return args

    def with_sort(self, sort: str) -> "ReviewFilters":
        return replace(self, sort=sort)

    @property
    def active(self) -> bool:
        return bool(replace(self, sort="newest").to_args())


def submissions_query(meeting_id: int, filters: ReviewFilters) -> Select[tuple[Submission]]:
    """The meeting's inputs matching `filters`, in the requested order."""
    query = select(Submission).where(Submission.meeting_id == meeting_id)
    if filters.pillar_id is not None:
        query = query.where(Submission.pillar_id == filters.pillar_id)
    if filters.kind:
        query = query.where(Submission.kind == filters.kind)
    if filters.role:
        query = query.where(Submission.role == filters.role)
    if filters.status:
        query = query.where(Submission.status == filters.status)
    if filters.repeated:
        query = query.where(Submission.id.in_(repeated_ids(meeting_id)))
    if filters.theme:
        # An input with no insight row yet (not computed) is in no theme either.
        query = query.outerjoin(
            SubmissionInsight, SubmissionInsight.submission_id == Submission.id
        ).where(
            SubmissionInsight.theme_id.is_(None)
            if filters.theme == NO_THEME
            else SubmissionInsight.theme_id == int(filters.theme)
        )
    if filters.kelurahan_id is not None:
        query = query.where(
            or_(
                Submission.kelurahan_id == filters.kelurahan_id,
                Submission.location_id == filters.kelurahan_id,
            )
        )
    if filters.kecamatan_id is not None:
        in_kecamatan = select(Kelurahan.id).where(Kelurahan.kecamatan_id == filters.kecamatan_id)
        query = query.where(
            or_(
                Submission.kecamatan_id == filters.kecamatan_id,
                Submission.kelurahan_id.in_(in_kecamatan),
                Submission.location_id.in_(in_kecamatan),
            )
        )
    if filters.q:
        pattern = f"%{escape_like(filters.q.lower())}%"
        query = query.where(
            or_(
                func.lower(Submission.title).like(pattern, escape="\\"),
                func.lower(Submission.description).like(pattern, escape="\\"),
                func.lower(Submission.submitter_name).like(pattern, escape="\\"),
                func.lower(Submission.organisation).like(pattern, escape="\\"),
                Submission.receipt_code == filters.q.upper().replace("-", ""),
            )
        )
    return query.order_by(*order_by(filters.sort))


def theme_argument(text: str | None) -> str:
    """The ?theme= argument: NO_THEME, a theme id as plain digits, or "" for anything else."""
    if text == NO_THEME:
        return NO_THEME
    theme_id = small_number(text, ID_DIGITS)
    return str(theme_id) if theme_id else ""


def repeated_ids(meeting_id: int) -> list[int]:
    # Imported here: repeats.py reads the duplicates' normaliser, which imports this module.
    from app.review.repeats import repeats_for

    meeting = db.session.get(Meeting, meeting_id)
    return sorted(repeats_for(meeting)) if meeting is not None else []


def order_by(sort: str) -> list:
    if sort == "oldest":
        return [asc(Submission.submitted_at), asc(Submission.id)]
    if sort == "pillar":
        pillar = aliased(Pillar)
        position = select(pillar.position).where(pillar.id == Submission.pillar_id)
        return [position.scalar_subquery(), desc(Submission.submitted_at), desc(Submission.id)]
    if sort == "title":
        return [func.lower(Submission.title), Submission.id]
    if sort == "submitter":
        return [func.lower(Submission.submitter_name), Submission.id]
    return [desc(Submission.submitted_at), desc(Submission.id)]


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- the queue page --------------------------------------------------------------------

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    """One page of a longer list: the rows shown and enough to draw the page links."""

    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """The position (from 1) of the first row shown, 0 when the list is empty."""
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.size, self.total)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and a few around this one; None is a gap."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        links: list[int | None] = []
        for number in numbers:
            if links and number - (links[-1] or 0) > 1:
                links.append(None)
            links.append(number)
        return links


def page_number(args: Any) -> int:
    """The ?page= argument, leniently: anything that is not a small positive number is 1."""
    return small_number(args.get("page"), PAGE_DIGITS) or 1


@dataclass(frozen=True)
class QueueRow:
    submission: Submission
    # How many inputs were merged into this one (their submitters are co-proposers).
    merged_count: int
    # The input's theme (app/insight): (id, name), or None when it is in no theme.
    theme: tuple[int, str] | None = None


@dataclass(frozen=True)
class FilterOptions:
    """What the filter form offers: every pillar (retired ones too, old input keeps them)."""

    pillars: list[Pillar]
    kecamatan: list[Kecamatan]


def count_query(meeting_id: int, filters: ReviewFilters) -> Select[tuple[int]]:
    """How many inputs match `filters`: the same WHERE as the list, without ordering."""
    matching = submissions_query(meeting_id, filters).order_by(None).subquery()
    return select(func.count()).select_from(matching)


def queue_page(meeting_id: int, filters: ReviewFilters, number: int) -> Page:
    """One page of the review queue, rows loaded with everything they show (no per-row query).

    Five queries whatever the page size: the count; the page's ids (sorting narrow
    rows, not whole inputs with their long descriptions); those inputs with their
    many-to-one relations joined in; the number of inputs merged into each; and
    their themes' names.
    A text search gets the count and the ids from one query (see `searched_page`).
    """
    number = max(number, 1)
    if filters.q:
        total, number, ids = searched_page(meeting_id, filters, number)
    else:
        total = db.session.scalar(count_query(meeting_id, filters)) or 0
        number = min(number, max(1, -(-total // PAGE_SIZE)))
        ids = list(db.session.scalars(page_ids_query(meeting_id, filters, number)))
    loaded = {s.id: s for s in meeting_submissions(meeting_id, ids)}
    merged = merged_counts(ids)
    themes = theme_names(ids)
    rows = [QueueRow(loaded[i], merged.get(i, 0), themes.get(i)) for i in ids if i in loaded]
    return Page(rows, number, PAGE_SIZE, total)


def page_ids_query(meeting_id: int, filters: ReviewFilters, number: int) -> Select:
    """The ids of page `number` of the inputs matching `filters`, in order."""
    return (
        submissions_query(meeting_id, filters)
        .with_only_columns(Submission.id)
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    )


def searched_page(meeting_id: int, filters: ReviewFilters, number: int) -> tuple[int, int, list]:
    """(total, page number, ids) for a text search, the texts read once where possible.

    A search reads every input's title and description, the count as much as the
    page. `count(*) OVER ()` gives the total beside each of the page's ids, so one
    query does both. (Without a search the count is an index lookup and the ids
    query stops after one page; a window function there would read every row.)
    Only a page past the end comes back empty: then the count, and the last page.
    """
    query = page_ids_query(meeting_id, filters, number).add_columns(func.count().over())
    rows = db.session.execute(query).all()
    if rows:
        return rows[0][1], number, [row[0] for row in rows]
    if number == 1:
        return 0, 1, []
    total = db.session.scalar(count_query(meeting_id, filters)) or 0
    number = max(1, -(-total // PAGE_SIZE))
    return total, number, list(db.session.scalars(page_ids_query(meeting_id, filters, number)))


def row_loading() -> list:
    """Loader options for everything a row of the queue shows."""
    return [
        joinedload(Submission.pillar),
        joinedload(Submission.kelurahan),
        joinedload(Submission.kecamatan),
        joinedload(Submission.agency),
        joinedload(Submission.merged_into),
    ]


def merged_counts(submission_ids: list[int]) -> dict[int, int]:
    if not submission_ids:
        return {}
    rows = db.session.execute(
        select(Submission.merged_into_id, func.count())
        .where(Submission.merged_into_id.in_(submission_ids))
        .group_by(Submission.merged_into_id)
    )
    return {primary_id: count for primary_id, count in rows}


def theme_names(submission_ids: list[int]) -> dict[int, tuple[int, str]]:
    """(theme id, name) of each of these inputs that is in a theme."""
    if not submission_ids:
        return {}
    rows = db.session.execute(
        select(SubmissionInsight.submission_id, Theme.id, Theme.custom_label, Theme.label)
        .join(Theme, Theme.id == SubmissionInsight.theme_id)
        .where(SubmissionInsight.submission_id.in_(submission_ids))
    )
    return {sid: (theme_id, custom or label) for sid, theme_id, custom, label in rows}


def filter_options() -> FilterOptions:
    pillars = list(db.session.scalars(select(Pillar).order_by(Pillar.position, Pillar.code)))
    kecamatan = list(
        db.session.scalars(
            select(Kecamatan).options(selectinload(Kecamatan.kelurahan)).order_by(Kecamatan.code)
        )
    )
    return FilterOptions(pillars, kecamatan)


# --- one input's page ------------------------------------------------------------------


def meeting_submission(meeting_id: int, submission_id: int) -> Submission | None:
    """The input, only if it belongs to this meeting (another meeting's id is "not found")."""
    return db.session.scalar(
        select(Submission)
        .where(Submission.id == submission_id, Submission.meeting_id == meeting_id)
        .options(
            joinedload(Submission.pillar),
            joinedload(Submission.submitted_pillar),
            joinedload(Submission.kelurahan),
            joinedload(Submission.kecamatan),
            joinedload(Submission.agency),
            joinedload(Submission.location),
            joinedload(Submission.program),
            joinedload(Submission.responsible_agency),
            joinedload(Submission.merged_into),
        )
    )


def meeting_submissions(meeting_id: int, submission_ids: list[int]) -> list[Submission]:
    """Those of `submission_ids` that belong to the meeting, with what a row shows."""
    if not submission_ids:
        return []
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.meeting_id == meeting_id, Submission.id.in_(submission_ids))
            .options(*row_loading())
        )
    )


@dataclass(frozen=True)
class NoteRow:
    note: SubmissionNote
    author_name: str


@dataclass(frozen=True)
class MergeGroup:
    """A primary input and the originals merged into it; every submitter is a co-proposer."""

    primary: Submission
    originals: list[Submission]

    @property
    def submitters(self) -> list[Submission]:
        return [self.primary, *self.originals]


def follow_ups_of(submission_id: int) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.submission_id == submission_id)
            .options(joinedload(FollowUp.agency))
            .order_by(FollowUp.created_at, FollowUp.id)
        )
    )


def notes_of(submission_id: int) -> list[NoteRow]:
    rows = db.session.execute(
        select(SubmissionNote, User.name)
        .outerjoin(User, User.id == SubmissionNote.author_id)
        .where(SubmissionNote.submission_id == submission_id)
        .order_by(SubmissionNote.created_at.desc(), SubmissionNote.id.desc())
    )
    return [NoteRow(note, name or "") for note, name in rows]


def merge_group_of(submission: Submission) -> MergeGroup | None:
    """The group the input is part of, as primary or as a merged original; None if alone."""
    primary = submission.merged_into if submission.merged_into_id else submission
    if primary is None:
        return None
    originals = list(
        db.session.scalars(
            select(Submission)
            .where(Submission.merged_into_id == primary.id)
            .options(*row_loading())
            .order_by(Submission.submitted_at, Submission.id)
        )
    )
    if not originals and primary is submission:
        return None
    return MergeGroup(primary, originals)


def active_pillars(meeting: Meeting) -> list[Pillar]:
    """The pillars an input may be moved to: the meeting's active ones, else every active one.

    The same rule as the participant's form, so a reviewed input never lands on a
    pillar the meeting's minutes do not list.
    """
    chosen = [p for p in meeting.pillars if p.is_active]
    if chosen:
        return chosen
    return list(
        db.session.scalars(
            select(Pillar).where(Pillar.retired_at.is_(None)).order_by(Pillar.position, Pillar.code)
        )
    )


def active_agencies() -> list[Agency]:
    return list(
        db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.abbreviation))
    )
