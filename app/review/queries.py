"""The filters of the review queue, shared by the queue and the exports.

`ReviewFilters.from_args` reads the query string leniently: a value outside the
allow-lists is dropped, never an error, so a stale bookmark still opens.
"""

from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Select, asc, desc, func, or_, select
from sqlalchemy.orm import aliased

from app.domain import KINDS, ROLES, SUBMISSION_STATUSES
from app.models import Kelurahan, Pillar, Submission

SORTS = ("newest", "oldest", "pillar", "title", "submitter")
MAX_QUERY_LENGTH = 100


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

    @classmethod
    def from_args(cls, args: Any) -> "ReviewFilters":
        def whole(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

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
            q=(args.get("q") or "").strip()[:MAX_QUERY_LENGTH],
            sort=among("sort", SORTS) or "newest",
        )

    def to_args(self) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out)."""
        names = {"pillar_id": "pillar", "kecamatan_id": "kecamatan", "kelurahan_id": "kelurahan"}
        args = {}
        for key, value in asdict(self).items():
            if value in (None, "") or (key == "sort" and value == "newest"):
                continue
            args[names.get(key, key)] = str(value)
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
