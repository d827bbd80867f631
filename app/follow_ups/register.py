"""Reading the follow-up register: every meeting's follow-ups, filtered, counted, a page at a
time or whole as a workbook, and one follow-up with its progress history.

`RegisterFilters.from_args` reads the query string leniently (a value outside the
allow-lists is dropped, so a stale bookmark still opens); `rows_query` and
`counts_query` turn the filters into two `select()`s: the rows, and the number of
follow-ups per status. A page costs those two queries whatever its size, at 50,000
follow-ups too: the rows are narrow columns joined in one statement, sorted the way the
deadline index is (`deadline` ascending, no deadline last).

A focal point's scope (its agency) replaces whatever agency the arguments name, so no
address shows it another agency's follow-up. Everything here only reads; progress is
written by `app/follow_ups/progress.py`.
"""

import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, and_, func, select

from app.domain import CLOSED_FOLLOW_UP_STATUSES, FOLLOW_UP_STATUSES, is_overdue
from app.exports.cells import write_only_cell, write_only_text_cell
from app.extensions import db
from app.models import (
    Agency,
    AgencyLink,
    FollowUp,
    FollowUpProgress,
    Meeting,
    Pillar,
    Submission,
    User,
)
from app.review.queries import Page
from app.submissions.services import format_receipt_code

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100
# "pillar=none": follow-ups agreed without a participant's input behind them.
NO_PILLAR = "none"
# Ids, years and page numbers: ASCII digits only (str.isdigit() also takes "²").
ID_DIGITS = re.compile(r"[0-9]{1,9}")
YEAR_DIGITS = re.compile(r"[0-9]{4}")
PAGE_DIGITS = re.compile(r"[0-9]{1,6}")


def small_number(text: str | None, digits: re.Pattern) -> int | None:
    value = (text or "").strip()
    return int(value) or None if digits.fullmatch(value) else None


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class RegisterFilters:
    agency_id: int | None = None
    meeting_id: int | None = None
    year: int | None = None
    pillar: str = ""  # a pillar's id, NO_PILLAR, or "" for every pillar
    status: str = ""
    overdue: bool = False
    q: str = ""
    # A focal point's agency: always applied, never an argument, so no address widens it.
    scope: int | None = None

    @classmethod
    def from_args(cls, args: Any, *, scope: int | None = None) -> "RegisterFilters":
        """The filters the query string names, within `scope` (a focal point's agency)."""
        pillar = (args.get("pillar") or "").strip()
        if pillar != NO_PILLAR:
            pillar_id = small_number(pillar, ID_DIGITS)
            pillar = str(pillar_id) if pillar_id else ""
        status = args.get("status") or ""
        return cls(
            agency_id=None if scope is not None else small_number(args.get("agency"), ID_DIGITS),
            meeting_id=small_number(args.get("meeting"), ID_DIGITS),
            year=small_number(args.get("year"), YEAR_DIGITS),
            pillar=pillar,
            status=status if status in FOLLOW_UP_STATUSES else "",
            overdue=(args.get("overdue") or "") in ("yes", "1", "ya"),
            # No one types a NUL, and PostgreSQL refuses one in the search pattern.
            q=(args.get("q") or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH],
            scope=scope,
        )

    def to_args(self) -> dict[str, str]:
        """The chosen filters as query-string arguments (empty ones and the scope left out)."""
        names = {"agency_id": "agency", "meeting_id": "meeting"}
        args = {}
        for key, value in asdict(self).items():
            if key == "scope" or value in (None, "", False):
                continue
            args[names.get(key, key)] = "yes" if value is True else str(value)
        return args

    def with_status(self, status: str) -> "RegisterFilters":
        return replace(self, status=status)

    @property
    def active(self) -> bool:
        """Whether the user chose any filter (a focal point's scope is not a choice)."""
        return bool(self.to_args())


# --- the queries -------------------------------------------------------------------------


# The statuses still awaited, named rather than "not closed": then the (status, deadline)
# index holds every overdue follow-up, in two short ranges.
AWAITED_STATUSES = tuple(s for s in FOLLOW_UP_STATUSES if s not in CLOSED_FOLLOW_UP_STATUSES)


def overdue_clause(as_of: date):
    """`app.domain.is_overdue` in SQL: past the deadline and still awaited."""
    return and_(FollowUp.status.in_(AWAITED_STATUSES), FollowUp.deadline < as_of)


def conditions(filters: RegisterFilters, as_of: date, *, with_status: bool = True) -> list:
    """The WHERE clauses on follow_up; the year and the pillar as sub-selects, so the
    count needs no join."""
    where = []
    if filters.scope is not None:
        where.append(FollowUp.agency_id == filters.scope)
    if filters.agency_id is not None:
        where.append(FollowUp.agency_id == filters.agency_id)
    if filters.meeting_id is not None:
        where.append(FollowUp.meeting_id == filters.meeting_id)
    if filters.year is not None:
        # A handful of meetings a year: their ids, rather than a join on every row.
        in_year = select(Meeting.id).where(
            Meeting.date >= date(filters.year, 1, 1), Meeting.date <= date(filters.year, 12, 31)
        )
        where.append(FollowUp.meeting_id.in_(in_year))
    if filters.pillar == NO_PILLAR:
        where.append(FollowUp.submission_id.is_(None))
    elif filters.pillar:
        of_pillar = select(Submission.id).where(Submission.pillar_id == int(filters.pillar))
        where.append(FollowUp.submission_id.in_(of_pillar))
    if with_status and filters.status:
        where.append(FollowUp.status == filters.status)
    if filters.overdue:
        where.append(overdue_clause(as_of))
    if filters.q:
        pattern = f"%{escape_like(filters.q.lower())}%"
        where.append(func.lower(FollowUp.action).like(pattern, escape="\\"))
    return where


COLUMNS = (
    FollowUp.id,
    FollowUp.action,
    FollowUp.deadline,
    FollowUp.status,
    FollowUp.percent,
    FollowUp.reported_on,
    FollowUp.progress_note,
    Meeting.id.label("meeting_id"),
    Meeting.title.label("meeting_title"),
    Meeting.date.label("meeting_date"),
    Agency.abbreviation.label("agency"),
    Agency.name.label("agency_name"),
    Submission.receipt_code,
)


def in_register_order(query: Select, filters: RegisterFilters | None = None) -> Select:
    """By deadline, none last, then id.

    NULLS LAST is how both databases keep a plain ascending index on deadline, so with
    no filter, or with an agency or a status (each indexed with the deadline), a page is
    read off an index in order, whatever else is filtered. A meeting, a year, a pillar,
    overdue or words alone pick follow-ups that lie far apart along the deadline (an old
    meeting's are done, a new one's come last): walking the deadline index would pass
    most follow-ups to find a page. For those the same order is written as an expression
    no index serves, so the database collects the matches through their own index and
    sorts only them.
    """
    if (
        filters is not None
        and not (filters.agency_id or filters.scope or filters.status)
        and (filters.meeting_id or filters.year or filters.pillar or filters.overdue or filters.q)
    ):
        return query.order_by(FollowUp.deadline.is_(None), FollowUp.deadline, FollowUp.id)
    return query.order_by(FollowUp.deadline.asc().nulls_last(), FollowUp.id)


def with_columns(query: Select) -> Select:
    """`query` on follow_up with what a row shows joined in: its meeting, agency, input."""
    return (
        query.join(Meeting, Meeting.id == FollowUp.meeting_id)
        .outerjoin(Agency, Agency.id == FollowUp.agency_id)
        .outerjoin(Submission, Submission.id == FollowUp.submission_id)
    )


def rows_query(filters: RegisterFilters, as_of: date) -> Select:
    """Every matching row (plain columns, no ORM objects), by deadline, none last, then id."""
    return in_register_order(with_columns(select(*COLUMNS)).where(*conditions(filters, as_of)))


def page_query(filters: RegisterFilters, as_of: date, number: int, size: int = PAGE_SIZE) -> Select:
    """One page of `rows_query`, in one statement: the page's ids are picked on follow_up
    alone (its indexes, no joins), then only those rows are joined, so a deep page costs
    about what the first does."""
    ids = (
        in_register_order(select(FollowUp.id).where(*conditions(filters, as_of)), filters)
        .limit(size)
        .offset((number - 1) * size)
        .subquery()
    )
    query = with_columns(select(*COLUMNS).join(ids, ids.c.id == FollowUp.id))
    return in_register_order(query)


def counts_query(filters: RegisterFilters, as_of: date) -> Select:
    """How many follow-ups of each status match the other filters, as one row in the order
    of FOLLOW_UP_STATUSES: the figures on top of the page, and (summed over the chosen
    status) the total.

    Counts with FILTER rather than GROUP BY status: grouping leads SQLite to walk the
    (status, deadline) index over every follow-up, where a meeting's or an agency's are
    reached through their own index."""
    return select(
        *(
            func.count(FollowUp.id).filter(FollowUp.status == status)
            for status in FOLLOW_UP_STATUSES
        )
    ).where(*conditions(filters, as_of, with_status=False))


# --- a page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    id: int
    action: str
    deadline: date | None
    status: str
    percent: int
    reported_on: date | None
    progress_note: str
    meeting_id: int
    meeting_title: str
    meeting_date: date
    agency: str
    agency_name: str
    receipt_code: str
    overdue: bool

    @property
    def status_label(self) -> str:
        return str(FOLLOW_UP_STATUSES.get(self.status, self.status))


def register_rows(query: Select, as_of: date) -> Iterator[RegisterRow]:
    for row in db.session.execute(query):
        yield RegisterRow(
            id=row.id,
            action=row.action,
            deadline=row.deadline,
            status=row.status,
            percent=row.percent,
            reported_on=row.reported_on,
            progress_note=row.progress_note or "",
            meeting_id=row.meeting_id,
            meeting_title=row.meeting_title,
            meeting_date=row.meeting_date,
            agency=row.agency or "",
            agency_name=row.agency_name or "",
            receipt_code=format_receipt_code(row.receipt_code) if row.receipt_code else "",
            overdue=is_overdue(row.deadline, row.status, as_of),
        )


@dataclass(frozen=True)
class RegisterPage(Page):
    """A page of the register (the review queue's paging), with the counts per status."""

    # Follow-ups per status under every filter but the status: {status: count}.
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> list[RegisterRow]:
        return self.items


def page_number(args: Any) -> int:
    return small_number(args.get("page"), PAGE_DIGITS) or 1


def register_page(
    filters: RegisterFilters, as_of: date, number: int = 1, size: int = PAGE_SIZE
) -> RegisterPage:
    """One page of the register: two queries, the counts per status and the page's rows.
    A page number past the end shows the last page."""
    counts = db.session.execute(counts_query(filters, as_of)).one()
    by_status = {
        status: count or 0 for status, count in zip(FOLLOW_UP_STATUSES, counts, strict=True)
    }
    total = by_status.get(filters.status, 0) if filters.status else sum(by_status.values())
    pages = max(1, -(-total // size))
    number = min(max(number, 1), pages)
    rows = list(register_rows(page_query(filters, as_of, number, size), as_of))
    return RegisterPage(rows, number, size, total, by_status)


@dataclass(frozen=True)
class FilterOptions:
    agencies: list[Agency]
    meetings: list[Meeting]
    years: list[int]
    pillars: list[Pillar]


def filter_options(scope: int | None = None) -> FilterOptions:
    """What the filter lists offer: every agency, meeting, meeting year and pillar; for a
    focal point (`scope`), only the meetings that gave its agency a follow-up."""
    meetings_query = select(Meeting).order_by(Meeting.date.desc(), Meeting.id)
    if scope is not None:
        agreed = select(FollowUp.meeting_id).where(FollowUp.agency_id == scope)
        meetings_query = meetings_query.where(Meeting.id.in_(agreed))
    meetings = list(db.session.scalars(meetings_query))
    return FilterOptions(
        agencies=list(db.session.scalars(select(Agency).order_by(Agency.abbreviation))),
        meetings=meetings,
        years=sorted({meeting.date.year for meeting in meetings}, reverse=True),
        pillars=list(db.session.scalars(select(Pillar).order_by(Pillar.position, Pillar.id))),
    )


# --- the workbook ------------------------------------------------------------------------

# The workbook's columns: (header, width).
XLSX_COLUMNS = (
    (_l("No"), 6),
    (_l("Rapat"), 36),
    (_l("Tanggal rapat"), 14),
    (_l("Tindak lanjut"), 60),
    (_l("Perangkat daerah"), 18),
    (_l("Tenggat"), 14),
    (_l("Status"), 16),
    (_l("Persen"), 9),
    (_l("Terlambat"), 11),
    (_l("Laporan terakhir"), 16),
    (_l("Catatan kemajuan"), 50),
    (_l("Kode masukan asal"), 16),
)


def register_xlsx(filters: RegisterFilters, as_of: date) -> IO[bytes]:
    """The filtered register, every row, in openpyxl's write-only mode, in a temporary file.

    Follow-ups carry no personal data (no participant's name or number), so every role
    that reads the register gets the same columns.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Tindak lanjut"))
    for index, (_header, width) in enumerate(XLSX_COLUMNS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append(
        [write_only_text_cell(sheet, str(header), font=bold) for header, _w in XLSX_COLUMNS]
    )
    yes, no = _("Ya"), _("Tidak")
    query = rows_query(filters, as_of).execution_options(yield_per=1000)
    for number, row in enumerate(register_rows(query, as_of), start=1):
        values = [
            number,
            row.meeting_title,
            row.meeting_date,
            row.action,
            row.agency,
            row.deadline,
            row.status_label,
            row.percent,
            yes if row.overdue else no,
            row.reported_on,
            row.progress_note,
            row.receipt_code,
        ]
        sheet.append([write_only_cell(sheet, value) for value in values])
    # Closed by the response once sent; small files never touch the disk.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def xlsx_filename(as_of: date) -> str:
    return f"tindak-lanjut-{as_of.isoformat()}.xlsx"


# --- one follow-up -----------------------------------------------------------------------


def follow_up_in_scope(follow_up_id: int, scope: int | None) -> FollowUp | None:
    """The follow-up, or None when there is none or it is another agency's than `scope`'s."""
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or (scope is not None and follow_up.agency_id != scope):
        return None
    return follow_up


@dataclass(frozen=True)
class HistoryEntry:
    entry: FollowUpProgress
    reporter: str  # a staff account's name, or "Tautan pembaruan <agency>"

    @property
    def status_label(self) -> str:
        return str(FOLLOW_UP_STATUSES.get(self.entry.status, self.entry.status))


def history_of(follow_up: FollowUp) -> list[HistoryEntry]:
    """Every report, newest first, with who made it (no evidence bytes)."""
    entries = list(
        db.session.scalars(
            select(FollowUpProgress)
            .where(FollowUpProgress.follow_up_id == follow_up.id)
            .order_by(FollowUpProgress.reported_on.desc(), FollowUpProgress.id.desc())
        )
    )
    user_ids = {entry.user_id for entry in entries if entry.user_id is not None}
    link_ids = {entry.link_id for entry in entries if entry.link_id is not None}
    names: dict[int, str] = {}
    if user_ids:
        names = dict(
            db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()
        )
    # A link (and a workbook sent through it) speaks for the agency it was made for.
    link_agencies: dict[int, str] = {}
    if link_ids:
        link_agencies = dict(
            db.session.execute(
                select(AgencyLink.id, Agency.abbreviation)
                .join(Agency, Agency.id == AgencyLink.agency_id)
                .where(AgencyLink.id.in_(link_ids))
            ).all()
        )
    result = []
    for entry in entries:
        if entry.link_id is not None:
            agency = link_agencies.get(entry.link_id, "")
            reporter = _("Tautan pembaruan %(agency)s", agency=agency).strip()
        else:
            reporter = names.get(entry.user_id, "") or "—"
        result.append(HistoryEntry(entry, reporter))
    return result


def evidence_of(follow_up: FollowUp, entry_id: int) -> FollowUpProgress | None:
    """The follow-up's report `entry_id` with its evidence bytes, or None (another
    follow-up's report, or one without evidence)."""
    entry = db.session.get(FollowUpProgress, entry_id)
    if entry is None or entry.follow_up_id != follow_up.id or not entry.evidence_type:
        return None
    return entry if entry.evidence is not None else None


def overdue_now(follow_up: FollowUp, as_of: date) -> bool:
    return is_overdue(follow_up.deadline, follow_up.status, as_of)
