"""The daftar hadir as the documents print it.

Two uses: the minutes count the people present and attach their list; the printable
daftar hadir (kind "attendance") is the sheet passed round the room: those present,
then those invited, then numbered blank rows to fill by hand, to the end of the page.

Only presence counts: a line with a check-in time (`Attendee.checked_in_at`), made by
the participant's own check-in or ticked at the desk. Who sent input is another matter
and is never counted here.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from app import domain
from app.extensions import db
from app.models import Agency, Attendee, Kecamatan, Kelurahan, Submission

if TYPE_CHECKING:
    from app.documents.context import LetterheadView, MeetingView

# The blank sheet attached to minutes with nobody recorded present yet.
BLANK_SHEET_ROWS = 20
# The printable sheet ends with at least this many rows to fill by hand.
MIN_BLANK_ROWS = 10


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
    position: str  # jabatan
    unit: str  # instansi
    sex: str

    @property
    def position_unit(self) -> str:
        """'Kepala Bidang, Dinsos P2KB' in one column; the unit is left out when the
        position already names it ('Lurah Krapyak', not 'Lurah Krapyak, Krapyak')."""
        if self.unit and self.unit.casefold() not in self.position.casefold():
            return ", ".join(part for part in (self.position, self.unit) if part)
        return self.position or self.unit


@dataclass(frozen=True)
class AttendanceView:
    """The people present at a meeting as the minutes count and list them."""

    lines: tuple[AttendeeLine, ...]
    by_role: tuple[Tally, ...]
    total: int
    male: int
    female: int
    # The rows of the blank sheet attached while nobody is recorded present.
    blank_rows: tuple[AttendeeLine, ...]

    @property
    def sex_unknown(self) -> int:
        return self.total - self.male - self.female


def blank_line(number: int) -> AttendeeLine:
    return AttendeeLine(number, "", "", "", "")


def present_lines(meeting_id: int) -> list[tuple[AttendeeLine, str | None]]:
    """Those present, in the order they came, with the role of an input linked to them."""
    query = (
        select(Attendee.name, Attendee.position, Attendee.unit, Attendee.sex, Submission.role)
        .outerjoin(Submission, Submission.id == Attendee.submission_id)
        .where(Attendee.meeting_id == meeting_id, Attendee.checked_in_at.is_not(None))
        .order_by(Attendee.checked_in_at, Attendee.id)
    )
    return [
        (AttendeeLine(number, name, position or "", unit or "", sex or ""), role)
        for number, (name, position, unit, sex, role) in enumerate(db.session.execute(query), 1)
    ]


def attendance_view(meeting_id: int, rows: list | None = None) -> AttendanceView:
    """The people present and their count by sex and by role.

    `rows` (the meeting's inputs) is not read: presence is never derived from input.
    A line counts under the role of the input it is linked to, else the role its
    position or unit names (see `attendee_role`).
    """
    present = present_lines(meeting_id)
    roles: Counter[str] = Counter()
    role_of_unit: dict[str, str] | None = None
    for line, role in present:
        if role is None:
            role_of_unit = role_of_unit if role_of_unit is not None else unit_roles()
            role = attendee_role(line.position, line.unit, role_of_unit)
        roles[role] += 1
    tallies = [Tally(role, str(label), roles[role]) for role, label in domain.ROLES.items()]
    if roles.get("other"):
        tallies.append(Tally("other", "Lainnya", roles["other"]))
    lines = tuple(line for line, _role in present)
    sexes = Counter(line.sex for line in lines)
    return AttendanceView(
        lines=lines,
        by_role=tuple(t for t in tallies if t.count),
        total=len(lines),
        male=sexes["L"],
        female=sexes["P"],
        blank_rows=() if lines else tuple(blank_line(n) for n in range(1, BLANK_SHEET_ROWS + 1)),
    )


def unit_roles() -> dict[str, str]:
    """Names of kelurahan, kecamatan and agencies, lower-cased, with the role they stand for."""
    roles = {name.lower(): "lurah" for name in db.session.scalars(select(Kelurahan.name))}
    roles.update({name.lower(): "camat" for name in db.session.scalars(select(Kecamatan.name))})
    for abbreviation, name in db.session.execute(select(Agency.abbreviation, Agency.name)):
        roles[abbreviation.lower()] = roles[name.lower()] = "opd"
    return roles


def attendee_role(position: str, unit: str, role_of_unit: dict[str, str]) -> str:
    """The group of an attendee, from their position or unit.

    "Lurah ..." and "Camat ..." say it; otherwise a unit that is a kelurahan,
    kecamatan or agency does. Anyone else counts as "lainnya".
    """
    first_word = (position or "").strip().split(" ", 1)[0].lower()
    if first_word in ("lurah", "camat"):
        return first_word
    return role_of_unit.get((unit or "").strip().lower(), "other")


# --- the printable daftar hadir ------------------------------------------------------------


@dataclass(frozen=True)
class SheetLine:
    """A row of the printed sheet: someone present, someone invited, or a blank to fill."""

    number: int
    name: str = ""
    position: str = ""
    unit: str = ""
    sex: str = ""
    present: bool = False


@dataclass(frozen=True)
class AttendanceContext:
    kind: str
    letterhead: LetterheadView
    meeting: MeetingView
    present: tuple[SheetLine, ...]
    invited: tuple[SheetLine, ...]
    blank: tuple[SheetLine, ...]

    @property
    def title(self) -> str:
        return f"Daftar Hadir {self.meeting.title}"

    @property
    def rows(self) -> tuple[SheetLine, ...]:
        return self.present + self.invited + self.blank


def build_attendance_context(meeting_id: int) -> AttendanceContext:
    # Imported here: context.py imports this module for the minutes' attendance.
    from app.documents.context import letterhead_view, load_meeting, meeting_view
    from app.documents.formatting import document_locale

    with document_locale():
        meeting = load_meeting(meeting_id)
        query = (
            select(Attendee.name, Attendee.position, Attendee.unit, Attendee.sex)
            .where(Attendee.meeting_id == meeting_id)
            .add_columns(Attendee.checked_in_at.is_not(None).label("present"))
            .order_by(
                Attendee.checked_in_at.is_(None),
                Attendee.checked_in_at,
                Attendee.created_at,
                Attendee.id,
            )
        )
        people = db.session.execute(query).all()
        filled = tuple(
            SheetLine(number, name, position or "", unit or "", sex or "", bool(present))
            for number, (name, position, unit, sex, present) in enumerate(people, 1)
        )
        letterhead = letterhead_view("attendance")
        blank_count = blank_rows_to_end_page(filled, letterhead, meeting.title)
        blank = tuple(SheetLine(n) for n in range(len(filled) + 1, len(filled) + blank_count + 1))
        return AttendanceContext(
            kind="attendance",
            letterhead=letterhead,
            meeting=meeting_view(meeting),
            present=tuple(line for line in filled if line.present),
            invited=tuple(line for line in filled if not line.present),
            blank=blank,
        )


# How the sheet falls on paper, in millimetres, from static/css/report.css: the page's
# margins, the kop and the facts above the table, a row of 8 mm plus its padding, and
# about how many characters of 9.5 pt text a line of each column holds. Measured on the
# PDFs and rounded to the safe side: the last page may end a little short of its
# margin, never spill a few blank rows over onto a page of their own.
PAGE_HEIGHTS = {"A4": 297.0, "F4": 330.0}
PAGE_MARGINS = 18.0 + 20.0
FIRST_PAGE_MARGINS = 14.0 + 20.0
LOGO = 21.0
KOP_LINES = {"government": 5.6, "agency": 6.4, "address": 4.2, "contact": 4.2}
KOP_RULE = 4.6  # the padding, the double rule and the space under the kop
TITLE = 8.6  # "DAFTAR HADIR"
FACT_LINE = 5.7  # Acara, Hari/Tanggal, Waktu, Tempat: one line each, or more for a long title
FACTS_AFTER = 3.2  # the space between the facts and the table
TABLE_HEADER = 6.2  # repeated on every page
ROW = 9.6
TEXT_LINE = 4.52
CELL_PADDING = 1.6
SLACK = 1.0
TITLE_CHARS_PER_LINE = 65
COLUMN_CHARS = {"name": 26, "position": 13, "unit": 13}


def row_height(line: SheetLine) -> float:
    lines = max(
        wrapped_lines(line.name, COLUMN_CHARS["name"]),
        wrapped_lines(line.position, COLUMN_CHARS["position"]),
        wrapped_lines(line.unit, COLUMN_CHARS["unit"]),
    )
    return max(ROW, lines * TEXT_LINE + CELL_PADDING)


def wrapped_lines(text: str, width: int) -> int:
    """Lines a text takes in a column `width` characters wide, breaking between words
    (a word wider than the column breaks inside it)."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) <= width:
            used += 1 + len(word)
            continue
        if used:
            lines += 1
        chunks = max(1, math.ceil(len(word) / width))
        lines += chunks - 1
        used = len(word) - (chunks - 1) * width
    return lines


def head_of_first_page(letterhead: LetterheadView, title: str) -> float:
    """The kop, the title and the facts above the table, and the table's header."""
    text = sum(height for part, height in KOP_LINES.items() if getattr(letterhead, part))
    logo = LOGO if letterhead.logo_uri else 0.0
    # The Wali Kota's kop has the lambang above the office, the agency's beside it.
    stacked = getattr(letterhead, "kind", "agency") == "mayor"
    kop = logo + text if stacked else max(logo, text)
    title_lines = max(1, math.ceil(len(title) / TITLE_CHARS_PER_LINE))
    facts = (3 + title_lines) * FACT_LINE + FACTS_AFTER
    return kop + KOP_RULE + TITLE + facts + TABLE_HEADER


def blank_rows_to_end_page(filled: tuple[SheetLine, ...], letterhead: LetterheadView,
                           title: str) -> int:  # fmt: skip
    """At least MIN_BLANK_ROWS blank rows, and as many more as fill the last page."""
    page = PAGE_HEIGHTS.get(letterhead.page_size, PAGE_HEIGHTS["A4"])
    next_page = page - PAGE_MARGINS - TABLE_HEADER - SLACK
    room = page - FIRST_PAGE_MARGINS - head_of_first_page(letterhead, title) - SLACK
    for line in filled:
        height = row_height(line)
        if height > room:  # the row goes over to the next page
            room = next_page
        room -= height
    blanks = 0
    while blanks < MIN_BLANK_ROWS or room >= ROW:
        if room < ROW:
            room = next_page
        room -= ROW
        blanks += 1
    return blanks
