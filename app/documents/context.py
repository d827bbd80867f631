"""The documents' content: plain contexts built from the database.

A context is a tree of frozen dataclasses holding strings, numbers and dates,
never ORM objects, so the same context feeds the HTML preview, the PDF, the
CLI and an RQ worker (it travels with the job, pickled), and hashes to a stable
digest (`source_digest`): the cache key of a rendered PDF and the content
digest printed in the footer of the final minutes.

Each section costs one query, whatever the number of inputs: 5,000 inputs are
read as plain rows with their names joined in, never loaded one by one.
Labels from the vocabulary (roles, kinds, decisions) are resolved to strings
here, inside `document_locale()`, so the context is the same wherever it is
built. This module holds what both documents share and the minutes; the
evaluation summary is in evaluation.py.
"""

import base64
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from app import domain
from app.documents.attendance import AttendanceView, Tally, attendance_view
from app.documents.formatting import count as format_count
from app.documents.formatting import document_locale, paragraphs
from app.documents.numbering import issued_numbers
from app.extensions import db
from app.forms import nip_digits
from app.models import (
    Agency,
    DocumentSetting,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Letterhead,
    Meeting,
    Pillar,
    Submission,
    meeting_pillar,
)
from app.services import Refused

PAGE_SIZES = {"A4": "210mm 297mm", "F4": "215mm 330mm"}
# Above this many inputs the minutes list titles without the descriptions (see below).
FULL_TEXT_LIMIT = 200
# The logo reaches the renderer as a data: URI, the only kind of image it may load.
LOGO_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


# --- shared pieces ---------------------------------------------------------------


# Above these lengths a kop line steps down a font size (report.css: .long, .longer,
# .longest), so that it stays on one line beside the logo, in the about 143 mm left on
# an A4 page (a bold capital is about 0.68 em wide): "BADAN PERENCANAAN PEMBANGUNAN
# DAERAH" (36 characters) fits at the full 15 pt, "BADAN PERENCANAAN PEMBANGUNAN, RISET
# DAN INOVASI DAERAH" (55) at 10 pt.
AGENCY_LENGTHS = (36, 44, 52)
GOVERNMENT_LENGTHS = (48, 60)


@dataclass(frozen=True)
class LetterheadView:
    government: str
    agency: str
    address: str
    contact: str
    city: str
    logo_uri: str
    page_size: str
    kind: str = "agency"

    @property
    def agency_size(self) -> str:
        """'', 'long', 'longer' or 'longest': the CSS class that fits the agency line."""
        return size_class(self.agency, AGENCY_LENGTHS)

    @property
    def government_size(self) -> str:
        return size_class(self.government, GOVERNMENT_LENGTHS)

    @property
    def contact_parts(self) -> tuple[str, ...]:
        """The contact's segments ("Telepon (0285) 421093", "Faksimile ..."), each kept on
        one line: a comma, semicolon or middle dot separates them, and no line breaks
        inside a segment (after "Telepon" or inside a phone number)."""
        return unbreakable_parts(self.contact)


def size_class(text: str, lengths: tuple[int, ...]) -> str:
    names = ("long", "longer", "longest")
    size = ""
    for name, limit in zip(names, lengths, strict=False):
        if len(text) > limit:
            size = name
    return size


def unbreakable_parts(text: str, separators: str = ",;·|") -> tuple[str, ...]:
    parts = [text or ""]
    for separator in separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    return tuple(" ".join(part.split()).replace(" ", "\u00a0") for part in parts if part.strip())


@dataclass(frozen=True)
class MeetingView:
    id: int
    code: str
    title: str
    date: date
    start_time: time
    end_time: time | None
    venue: str
    status: str
    status_label: str
    chair_name: str
    chair_position: str
    chair_nip: str
    notetaker_name: str
    notetaker_position: str
    notetaker_nip: str
    finalised_at: datetime | None
    # The numbers the meeting's documents were given at finalisation, by document kind;
    # empty while the record is not final (a draft prints no number).
    numbers: dict[str, str] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        return self.status == "finalised"

    def number(self, kind: str) -> str:
        """'000.1.4/1/Bappeda/I/2024', or '' for a draft or a kind without numbering."""
        return self.numbers.get(kind, "")


def letterhead_kind_for(document_kind: str | None) -> str:
    """The kop a kind of document prints: its setting, else the agency's."""
    if document_kind is None:
        return "agency"
    chosen = db.session.scalar(
        select(DocumentSetting.letterhead_kind).where(DocumentSetting.kind == document_kind)
    )
    return chosen or "agency"


def letterhead_view(document_kind: str | None = None) -> LetterheadView:
    """The kop of a kind of document ("minutes", "berita_acara"...): the Wali Kota's
    (the lambang and the office, no agency line) when its setting says "mayor",
    otherwise the agency's. None means the agency's kop."""
    wanted = letterhead_kind_for(document_kind)
    rows = {row.kind: row for row in db.session.scalars(select(Letterhead))}
    letterhead = rows.get(wanted) or rows.get("agency") or next(iter(rows.values()), None)
    if letterhead is None:
        return LetterheadView("", "", "", "", "", "", "A4")
    logo_uri = ""
    if letterhead.logo and letterhead.logo_mimetype in LOGO_TYPES:
        encoded = base64.b64encode(letterhead.logo).decode("ascii")
        logo_uri = f"data:{letterhead.logo_mimetype};base64,{encoded}"
    return LetterheadView(
        government=letterhead.government,
        agency=letterhead.agency if letterhead.kind != "mayor" else "",
        address=letterhead.address,
        contact=letterhead.contact,
        city=letterhead.city,
        logo_uri=logo_uri,
        page_size=letterhead.page_size if letterhead.page_size in PAGE_SIZES else "A4",
        kind=letterhead.kind,
    )


def plain_nip(typed: str | None) -> str:
    """A NIP as its 18 digits when it is one, however it was typed (spaces, dots,
    dashes), so that every document groups it alike (formatting.nip); else as typed."""
    return nip_digits(typed or "") or (typed or "").strip()


def meeting_view(meeting: Meeting) -> MeetingView:
    return MeetingView(
        id=meeting.id,
        code=meeting.code,
        title=meeting.title,
        date=meeting.date,
        start_time=meeting.start_time,
        end_time=meeting.end_time,
        venue=meeting.venue,
        status=meeting.status,
        status_label=str(domain.MEETING_STATUSES.get(meeting.status, meeting.status)),
        chair_name=meeting.chair_name,
        chair_position=meeting.chair_position,
        chair_nip=plain_nip(meeting.chair_nip),
        notetaker_name=meeting.notetaker_name,
        notetaker_position=meeting.notetaker_position,
        notetaker_nip=plain_nip(meeting.notetaker_nip),
        finalised_at=meeting.finalised_at,
        numbers=issued_numbers(meeting.id) if meeting.status == "finalised" else {},
    )


def load_meeting(meeting_id: int, *, with_agenda: bool = False) -> Meeting:
    query = select(Meeting).where(Meeting.id == meeting_id)
    if with_agenda:
        query = query.options(selectinload(Meeting.agenda_items))
    meeting = db.session.scalar(query)
    if meeting is None:  # the views look it up first (404); a job may outlive it
        raise Refused("no_meeting")
    return meeting


# --- the inputs, read once as plain rows -----------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    """One submission as the documents need it, names already joined in."""

    id: int
    merged_into_id: int | None
    pillar_id: int
    receipt_code: str
    submitter_name: str
    role: str
    position: str
    unit: str
    kind: str
    title: str
    description: str
    kelurahan_id: int | None
    kecamatan_id: int | None
    location_id: int | None
    location: str
    program_id: int | None
    status: str
    decision_reason: str
    responsible_agency: str

    @property
    def proposer(self) -> str:
        """'Agus Priyanto (Lurah Krapyak)'; the unit is added when the position omits it.

        Once the name is erased (`flask privacy erase`), the position and unit alone.
        """
        position = self.position or str(domain.ROLES.get(self.role, self.role))
        if self.unit and self.unit.lower() not in position.lower():
            position = f"{position}, {self.unit}"
        if not self.submitter_name:
            return position
        return f"{self.submitter_name} ({position})"


def submission_rows(meeting_id: int) -> list[SubmissionRow]:
    """Every input of the meeting in the order received, merged ones included (one query)."""
    unit_kelurahan = aliased(Kelurahan)
    unit_kecamatan = aliased(Kecamatan)
    unit_agency = aliased(Agency)
    place = aliased(Kelurahan)
    place_kecamatan = aliased(Kecamatan)
    responsible = aliased(Agency)
    query = (
        select(
            Submission.id,
            Submission.merged_into_id,
            Submission.pillar_id,
            Submission.receipt_code,
            Submission.submitter_name,
            Submission.role,
            Submission.position,
            Submission.organisation,
            unit_kelurahan.name,
            unit_kecamatan.name,
            unit_agency.abbreviation,
            Submission.kind,
            Submission.title,
            Submission.description,
            Submission.kelurahan_id,
            Submission.kecamatan_id,
            Submission.location_id,
            place.name,
            place_kecamatan.name,
            Submission.program_id,
            Submission.status,
            Submission.decision_reason,
            responsible.abbreviation,
        )
        .outerjoin(unit_kelurahan, unit_kelurahan.id == Submission.kelurahan_id)
        .outerjoin(unit_kecamatan, unit_kecamatan.id == Submission.kecamatan_id)
        .outerjoin(unit_agency, unit_agency.id == Submission.agency_id)
        .outerjoin(place, place.id == Submission.location_id)
        .outerjoin(place_kecamatan, place_kecamatan.id == place.kecamatan_id)
        .outerjoin(responsible, responsible.id == Submission.responsible_agency_id)
        .where(Submission.meeting_id == meeting_id)
        .order_by(Submission.submitted_at, Submission.id)
    )
    rows = []
    for row in db.session.execute(query):
        (sid, merged_into, pillar_id, code, name, role, position, organisation, kel_name,
         kec_name, agency_abbr, kind, title, description, kel_id, kec_id, loc_id, loc_name,
         loc_kec_name, program_id, status, reason, responsible_abbr) = row  # fmt: skip
        unit = {"lurah": kel_name, "camat": kec_name, "opd": agency_abbr}.get(role) or organisation
        location = f"{loc_name}, Kec. {loc_kec_name}" if loc_name and loc_kec_name else loc_name
        rows.append(
            SubmissionRow(
                id=sid,
                merged_into_id=merged_into,
                pillar_id=pillar_id,
                receipt_code=code,
                submitter_name=name,
                role=role,
                position=position or "",
                unit=unit or "",
                kind=kind,
                title=title,
                description=description,
                kelurahan_id=kel_id,
                kecamatan_id=kec_id,
                location_id=loc_id,
                location=location or "",
                program_id=program_id,
                status=status,
                decision_reason=(reason or "").strip(),
                responsible_agency=responsible_abbr or "",
            )
        )
    return rows


def primaries_and_merged(
    rows: list[SubmissionRow],
) -> tuple[list[SubmissionRow], dict[int, list[SubmissionRow]]]:
    """The inputs that stand on their own, and for each the inputs merged into it.

    A merge may point at an input that was itself merged later: every input is
    filed under the end of its chain. A chain that leaves the meeting or loops
    (data no screen should produce) leaves the input standing on its own.
    """
    by_id = {row.id: row for row in rows}

    def root_of(row: SubmissionRow) -> SubmissionRow:
        seen = {row.id}
        current = row
        while current.merged_into_id is not None:
            parent = by_id.get(current.merged_into_id)
            if parent is None or parent.id in seen:
                return current
            seen.add(parent.id)
            current = parent
        return current

    primaries: list[SubmissionRow] = []
    merged: dict[int, list[SubmissionRow]] = defaultdict(list)
    for row in rows:
        root = root_of(row)
        if root.id == row.id:
            primaries.append(row)
        else:
            merged[root.id].append(row)
    return primaries, merged


def pillar_views() -> dict[int, Pillar]:
    return {p.id: p for p in db.session.scalars(select(Pillar).order_by(Pillar.position))}


def meeting_pillar_ids(meeting_id: int) -> list[int]:
    query = (
        select(meeting_pillar.c.pillar_id)
        .join(Pillar, Pillar.id == meeting_pillar.c.pillar_id)
        .where(meeting_pillar.c.meeting_id == meeting_id)
        .order_by(Pillar.position)
    )
    return list(db.session.scalars(query))


def pillar_order(meeting_id: int, pillars: dict[int, Pillar], used: set[int]) -> list[int]:
    """The meeting's pillars in their order, then any other pillar that input carries."""
    order = [pid for pid in meeting_pillar_ids(meeting_id) if pid in pillars]
    extra = sorted((pid for pid in used if pid not in order), key=lambda pid: pillars[pid].position)
    return order + extra


def status_label(status: str) -> str:
    return str(domain.SUBMISSION_STATUSES.get(status, status))


# --- the minutes -----------------------------------------------------------------


@dataclass(frozen=True)
class AgendaView:
    number: int
    title: str
    discussion: tuple[str, ...]


@dataclass(frozen=True)
class SubmissionLine:
    """An input as the minutes list it: the merged ones ride along as co-proposers."""

    number: int
    receipt_code: str
    kind: str
    title: str
    description: tuple[str, ...]
    proposers: tuple[str, ...]
    location: str
    decision: str
    decision_reason: str
    responsible_agency: str
    merged_codes: tuple[str, ...]
    # "Diusulkan juga pada <earlier meeting> (status: ...)": what it repeats
    # (app/review/repeats.py).
    repeats: tuple[str, ...] = ()


@dataclass(frozen=True)
class PillarSection:
    code: str
    name: str
    retired: bool
    submissions: tuple[SubmissionLine, ...]
    count: int
    by_role: tuple[int, ...]


@dataclass(frozen=True)
class FollowUpLine:
    number: int
    action: tuple[str, ...]
    agency: str
    deadline: date | None
    status: str


@dataclass(frozen=True)
class CarriedOverLine:
    """A follow-up of a meeting this one follows, still open on this meeting's date, as it
    stood that day."""

    number: int
    meeting_title: str
    action: tuple[str, ...]
    agency: str
    deadline: date | None
    status: str
    percent: int
    # "Sedang berjalan, 40%": the status and, while work goes on, how far it got.
    progress: str
    overdue: bool


@dataclass(frozen=True)
class MinutesContext:
    kind: str
    letterhead: LetterheadView
    meeting: MeetingView
    attendance: AttendanceView
    opening: tuple[str, ...]
    agenda: tuple[AgendaView, ...]
    roles: tuple[Tally, ...]
    pillars: tuple[PillarSection, ...]
    submissions_total: int
    items_total: int
    conclusions: tuple[str, ...]
    follow_ups: tuple[FollowUpLine, ...]
    full_text: bool
    # The meetings this one follows, and their follow-ups still open on its date.
    predecessors: tuple[str, ...] = ()
    carried_over: tuple[CarriedOverLine, ...] = ()
    carried_over_summary: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"Notulen {self.meeting.title}"

    @property
    def sections(self) -> dict[str, str]:
        """The numbers of the sections that follow the input: a meeting that follows
        earlier ones gets "Evaluasi Tindak Lanjut Rapat Sebelumnya" before its own."""
        if self.predecessors:
            return {"carried_over": "IV", "conclusions": "V", "follow_ups": "VI"}
        return {"carried_over": "", "conclusions": "IV", "follow_ups": "V"}


def build_minutes_context(meeting_id: int, *, full_text_limit: int | None = None) -> MinutesContext:
    """The minutes as plain data.

    Each input's own words (its description) are printed when the meeting has
    at most `full_text_limit` inputs (RAKOR_MINUTES_FULL_TEXT_LIMIT, 200 by
    default). A meeting with more gets a list of titles, which is what a reader
    can use at that size and keeps the PDF quick to make; the minutes say where
    the full texts are (the review screens and the Excel export).
    """
    if full_text_limit is None:
        full_text_limit = current_app.config.get("RAKOR_MINUTES_FULL_TEXT_LIMIT", FULL_TEXT_LIMIT)
    with document_locale():
        meeting = load_meeting(meeting_id, with_agenda=True)
        rows = submission_rows(meeting_id)
        full_text = len(rows) <= full_text_limit
        pillars = pillar_views()
        repeated = repeat_lines(meeting)
        sections = pillar_sections(meeting_id, rows, pillars, full_text=full_text, repeats=repeated)
        items_total = sum(len(s.submissions) for s in sections)
        carried_over, carried_over_summary = carried_over_lines(meeting)
        return MinutesContext(
            kind="minutes",
            letterhead=letterhead_view("minutes"),
            meeting=meeting_view(meeting),
            attendance=attendance_view(meeting_id, rows),
            opening=paragraphs(meeting.opening),
            agenda=tuple(
                AgendaView(number, item.title, paragraphs(item.discussion))
                for number, item in enumerate(meeting.agenda_items, start=1)
            ),
            roles=tuple(
                Tally(role, str(label), sum(section.by_role[index] for section in sections))
                for index, (role, label) in enumerate(domain.ROLES.items())
            ),
            pillars=sections,
            submissions_total=len(rows),
            items_total=items_total,
            conclusions=paragraphs(meeting.conclusions),
            follow_ups=follow_up_lines(meeting_id),
            full_text=full_text,
            predecessors=tuple(earlier.title for earlier in meeting.predecessors),
            carried_over=carried_over,
            carried_over_summary=carried_over_summary,
        )


def pillar_sections(
    meeting_id: int,
    rows: list[SubmissionRow],
    pillars: dict[int, Pillar],
    *,
    full_text: bool = True,
    repeats: dict[int, tuple[str, ...]] | None = None,
) -> tuple[PillarSection, ...]:
    primaries, merged = primaries_and_merged(rows)
    by_pillar: dict[int, list[SubmissionRow]] = defaultdict(list)
    for row in primaries:
        by_pillar[row.pillar_id].append(row)
    roles = list(domain.ROLES)
    sections = []
    number = 0
    for pillar_id in pillar_order(meeting_id, pillars, set(by_pillar)):
        pillar = pillars[pillar_id]
        lines = []
        role_counts = Counter()
        for row in by_pillar.get(pillar_id, []):
            number += 1
            others = merged.get(row.id, [])
            for member in (row, *others):
                role_counts[member.role] += 1
            lines.append(
                SubmissionLine(
                    number=number,
                    receipt_code=row.receipt_code,
                    kind=str(domain.KIND_SHORT.get(row.kind, row.kind)),
                    title=row.title,
                    description=paragraphs(row.description) if full_text else (),
                    proposers=tuple(member.proposer for member in (row, *others)),
                    location=row.location,
                    decision=status_label(row.status),
                    decision_reason=row.decision_reason,
                    responsible_agency=row.responsible_agency,
                    merged_codes=tuple(member.receipt_code for member in others),
                    repeats=(repeats or {}).get(row.id, ()),
                )
            )
        sections.append(
            PillarSection(
                code=pillar.code,
                name=pillar.name,
                retired=pillar.retired_at is not None,
                submissions=tuple(lines),
                count=sum(role_counts.values()),
                by_role=tuple(role_counts.get(role, 0) for role in roles),
            )
        )
    return tuple(sections)


def follow_up_lines(meeting_id: int) -> tuple[FollowUpLine, ...]:
    query = (
        select(FollowUp.action, Agency.abbreviation, FollowUp.deadline, FollowUp.status)
        .outerjoin(Agency, Agency.id == FollowUp.agency_id)
        .where(FollowUp.meeting_id == meeting_id)
        .order_by(FollowUp.deadline.is_(None), FollowUp.deadline, FollowUp.id)
    )
    return tuple(
        FollowUpLine(
            number=number,
            action=paragraphs(action),
            agency=abbreviation or "",
            deadline=deadline,
            status=str(domain.FOLLOW_UP_STATUSES.get(status, status)),
        )
        for number, (action, abbreviation, deadline, status) in enumerate(
            db.session.execute(query), start=1
        )
    )


def repeat_lines(meeting: Meeting) -> dict[int, tuple[str, ...]]:
    """{input id: "Diusulkan juga pada ... (status: ...)"} for the inputs that repeat one of
    an earlier meeting, the status as it stood on this meeting's date."""
    # Imported here: the review package reaches the follow-ups, whose views reach this module.
    from app.review.repeats import repeats_for

    return {
        submission_id: tuple(repeat.minutes_line for repeat in found)
        for submission_id, found in repeats_for(meeting, fresh=True).items()
    }


def carried_over_lines(meeting: Meeting) -> tuple[tuple[CarriedOverLine, ...], tuple[str, ...]]:
    """The follow-ups of the meetings this one follows that were still open (not done, not
    cancelled) at the end of its date, each as it stood that day; and per earlier meeting
    one sentence counting where all its follow-ups stood.

    The state is that of `progress.states_on(ids, meeting.date)`: a report made after
    the meeting never changes its notulen, and one done before it is not carried over.
    """
    from app.follow_ups.progress import states_on

    earlier = list(meeting.predecessors)
    if not earlier:
        return (), ()
    query = (
        select(
            FollowUp.id,
            FollowUp.meeting_id,
            FollowUp.action,
            Agency.abbreviation,
            FollowUp.deadline,
        )
        .outerjoin(Agency, Agency.id == FollowUp.agency_id)
        .where(FollowUp.meeting_id.in_([m.id for m in earlier]))
        .order_by(FollowUp.deadline.is_(None), FollowUp.deadline, FollowUp.id)
    )
    rows = db.session.execute(query).all()
    states = states_on([row.id for row in rows], meeting.date)
    titles = {m.id: m.title for m in earlier}
    lines = []
    tallies: dict[int, Counter] = {m.id: Counter() for m in earlier}
    for row in rows:
        state = states[row.id]
        tallies[row.meeting_id][state.status] += 1
        if state.closed:
            continue
        label = str(domain.FOLLOW_UP_STATUSES.get(state.status, state.status))
        lines.append(
            CarriedOverLine(
                number=len(lines) + 1,
                meeting_title=titles[row.meeting_id],
                action=paragraphs(row.action),
                agency=row.abbreviation or "",
                deadline=row.deadline,
                status=label,
                percent=state.percent,
                progress=f"{label}, {state.percent}%" if state.status == "in_progress" else label,
                overdue=domain.is_overdue(row.deadline, state.status, meeting.date),
            )
        )
    summary = tuple(carried_over_sentence(m.title, tallies[m.id]) for m in earlier)
    return tuple(lines), summary


def carried_over_sentence(title: str, tally: Counter) -> str:
    """'Dari 12 tindak lanjut <meeting>, 5 selesai, 4 sedang berjalan, 3 belum dimulai pada
    tanggal rapat.' (and how many were cancelled, when any)."""
    text = _(
        "Dari %(total)s tindak lanjut %(meeting)s, %(done)s selesai, %(going)s sedang berjalan, "
        "%(waiting)s belum dimulai",
        total=format_count(sum(tally.values())),
        meeting=title,
        done=format_count(tally["done"]),
        going=format_count(tally["in_progress"]),
        waiting=format_count(tally["open"]),
    )
    if tally["cancelled"]:
        text += _(", %(cancelled)s dibatalkan", cancelled=format_count(tally["cancelled"]))
    return text + " " + _("pada tanggal rapat.")


# --- the digest ------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def context_json(context: Any) -> str:
    return json.dumps(asdict(context), sort_keys=True, ensure_ascii=False, default=_json_default)


def source_digest(context: Any, template_version: str) -> str:
    """SHA-256 of the context and the templates that draw it: same digest, same document."""
    digest = hashlib.sha256()
    digest.update(template_version.encode())
    digest.update(b"\n")
    digest.update(context_json(context).encode())
    return digest.hexdigest()
