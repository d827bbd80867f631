"""The daftar hadir as the documents print it, and the participants counted by role."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from app import domain
from app.extensions import db
from app.models import Agency, Attendee, Kecamatan, Kelurahan, Submission


@dataclass(frozen=True)
class Tally:
    """A labelled count: a role, a kind, a pillar, a kecamatan..."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class AttendeeLine:
    number: int
    name: str
    position_unit: str
    sex: str


@dataclass(frozen=True)
class AttendanceView:
    """The daftar hadir of a meeting as the minutes print it."""

    lines: tuple[AttendeeLine, ...]
    by_role: tuple[Tally, ...]
    total: int
    source: str  # "attendance", or "submissions" while no list exists


def attendance_view(meeting_id: int, rows: list) -> AttendanceView:
    lines, by_role, source = attendance(meeting_id, rows)
    return AttendanceView(lines, by_role, sum(t.count for t in by_role), source)


def attendance(
    meeting_id: int, rows: list
) -> tuple[tuple[AttendeeLine, ...], tuple[Tally, ...], str]:
    """The daftar hadir and the participant counts by role.

    With an attendance list, an attendee counts under the role of the input
    they are linked to ("lainnya" otherwise). Without one yet, the people who
    gave input are counted instead, once each, and the minutes say so.
    """
    query = (
        select(Attendee.name, Attendee.position, Attendee.unit, Attendee.sex, Submission.role)
        .outerjoin(Submission, Submission.id == Attendee.submission_id)
        .where(Attendee.meeting_id == meeting_id)
        .order_by(Attendee.created_at, Attendee.id)
    )
    lines = []
    roles: Counter[str] = Counter()
    role_of_unit: dict[str, str] | None = None
    for number, (name, position, unit, sex, role) in enumerate(db.session.execute(query), 1):
        position_unit = ", ".join(part for part in (position, unit) if part)
        lines.append(AttendeeLine(number, name, position_unit, sex or ""))
        if role is None:
            role_of_unit = role_of_unit if role_of_unit is not None else unit_roles()
            role = attendee_role(position, unit, role_of_unit)
        roles[role] += 1
    source = "attendance"
    if not lines:
        source = "submissions"
        people = {(row.role, row.submitter_name.strip().lower(), row.unit.lower()) for row in rows}
        roles = Counter(role for role, _, _ in people)
    tallies = [Tally(role, str(label), roles[role]) for role, label in domain.ROLES.items()]
    if roles.get("other"):
        tallies.append(Tally("other", "Lainnya", roles["other"]))
    return tuple(lines), tuple(t for t in tallies if t.count), source


def unit_roles() -> dict[str, str]:
    """Names of kelurahan, kecamatan and agencies, lower-cased, with the role they stand for."""
    roles = {name.lower(): "lurah" for name in db.session.scalars(select(Kelurahan.name))}
    roles.update({name.lower(): "camat" for name in db.session.scalars(select(Kecamatan.name))})
    for abbreviation, name in db.session.execute(select(Agency.abbreviation, Agency.name)):
        roles[abbreviation.lower()] = roles[name.lower()] = "opd"
    return roles


def attendee_role(position: str, unit: str, role_of_unit: dict[str, str]) -> str:
    """The group of an attendee typed in by hand, from their position or unit.

    "Lurah ..." and "Camat ..." say it; otherwise a unit that is a kelurahan,
    kecamatan or agency does. Anyone else counts as "lainnya".
    """
    first_word = (position or "").strip().split(" ", 1)[0].lower()
    if first_word in ("lurah", "camat"):
        return first_word
    return role_of_unit.get((unit or "").strip().lower(), "other")


def build_attendance_context(meeting_id: int):
    raise NotImplementedError
