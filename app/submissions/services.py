"""Rules for taking a participant's input: the window, the access code, one record per send."""

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.domain import without_bidi_controls
from app.extensions import db
from app.models import (
    Agency,
    Attendee,
    Kecamatan,
    Kelurahan,
    Meeting,
    Pillar,
    Program,
    Submission,
    meeting_pillar,
)
from app.models.base import utcnow
from app.services import Refused, transaction

# No 0/O, 1/I/L: a code read aloud or copied from paper survives. 31^8 is about 2^40.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 8

# "late": closed, but within the meeting's grace period, so a send is still recorded,
# marked late. Only the public form takes input in that state; staff pages treat it as
# closed unless they say otherwise.
WindowState = Literal["open", "late", "not_yet_open", "closed"]
TAKES_INPUT = ("open", "late")

TYPED_FIELDS = ("submitter_name", "position", "title", "description", "organisation", "phone")


@dataclass(frozen=True)
class SubmissionData:
    """A valid form, as plain values. Ids are already checked against the form's lists."""

    submitter_name: str
    role: str
    position: str
    kind: str
    pillar_id: int
    title: str
    description: str
    target_group: str = "umum"
    kelurahan_id: int | None = None
    kecamatan_id: int | None = None
    agency_id: int | None = None
    organisation: str = ""
    phone: str = ""
    location_id: int | None = None
    program_id: int | None = None
    beneficiaries: int | None = None
    cost: int | None = None

    def __post_init__(self) -> None:
        # The forms drop them already (app/forms.py); here as well, as the last step before
        # storing, which both the web form and the paper import take.
        for name in TYPED_FIELDS:
            text = getattr(self, name)
            if text:
                object.__setattr__(self, name, without_bidi_controls(text))

    def values(self) -> dict:
        return dict(vars(self))

    def fingerprint(self) -> str:
        return json.dumps(self.values(), sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Accepted:
    submission_id: int
    receipt_code: str
    already_received: bool
    # The secret of the correction link, known only to this answer (its hash is stored);
    # None when the send had been recorded before.
    correction_token: str | None = None


class Choice(NamedTuple):
    id: int
    name: str


@dataclass(frozen=True)
class KecamatanChoice:
    """A kecamatan and its kelurahan, as the form lists them."""

    id: int
    name: str
    kelurahan: list[Choice]


@dataclass(frozen=True)
class FormChoices:
    """The reference data a meeting's form offers, as plain rows of the columns it shows.

    Pillars (id, code, name, description), agencies (id, abbreviation, name),
    programs (id, name): read-only values, not ORM objects, so the request's commit
    has nothing of them to expire.
    """

    pillars: list[Row]
    kecamatan: list[KecamatanChoice]
    agencies: list[Row]
    programs: list[Row]


# --- queries -----------------------------------------------------------------


def open_meetings_query(now: datetime) -> Select[tuple[Meeting]]:
    """Meetings taking input now or soon, soonest first."""
    return (
        select(Meeting)
        .where(Meeting.status == "open")
        .where(or_(Meeting.closes_at.is_(None), Meeting.closes_at > now))
        .order_by(Meeting.date, Meeting.start_time, Meeting.id)
    )


def public_meeting(code: str) -> Meeting | None:
    """A meeting the public may see: anything but a draft."""
    if "\x00" in code:  # PostgreSQL refuses NUL in a query; no meeting code has one
        return None
    return db.session.scalar(
        select(Meeting).where(Meeting.code == code.strip().lower(), Meeting.status != "draft")
    )


def form_choices(meeting: Meeting, *, english: bool = False) -> FormChoices:
    """What the meeting's form offers, the web form and the paper import alike.

    The meeting's own pillars still active, or every active pillar when it has none.
    `english` names strategies and programs in English where an English name is kept
    (the public form in English); the paper import matches the Indonesian names.
    """
    name = Pillar.name_en if english else Pillar.name
    description = Pillar.description_en if english else Pillar.description
    pillar = select(
        Pillar.id,
        Pillar.code,
        func.coalesce(func.nullif(name, ""), Pillar.name).label("name"),
        func.coalesce(func.nullif(description, ""), Pillar.description).label("description"),
    ).where(Pillar.retired_at.is_(None))
    chosen = (
        db.session.execute(
            pillar.join(meeting_pillar, meeting_pillar.c.pillar_id == Pillar.id)
            .where(meeting_pillar.c.meeting_id == meeting.id)
            .order_by(Pillar.position)
        ).all()
        or db.session.execute(pillar.order_by(Pillar.position, Pillar.code)).all()
    )
    program_name = Program.name_en if english else Program.name
    programs = db.session.execute(
        select(Program.id, func.coalesce(func.nullif(program_name, ""), Program.name).label("name"))
        .where(
            Program.active,
            or_(Program.pillar_id.is_(None), Program.pillar_id.in_([p.id for p in chosen])),
        )
        .order_by(Program.pillar_id, Program.name)
    ).all()
    kecamatan: dict[int, KecamatanChoice] = {}
    regions = (
        select(
            Kecamatan.id,
            Kecamatan.name,
            Kelurahan.id.label("kel_id"),
            Kelurahan.name.label("kel_name"),
        )
        .outerjoin(Kelurahan, Kelurahan.kecamatan_id == Kecamatan.id)
        .order_by(Kecamatan.code, Kelurahan.name)
    )
    for region in db.session.execute(regions):
        kec = kecamatan.setdefault(region.id, KecamatanChoice(region.id, region.name, []))
        if region.kel_id is not None:
            kec.kelurahan.append(Choice(region.kel_id, region.kel_name))
    agencies = db.session.execute(
        select(Agency.id, Agency.abbreviation, Agency.name)
        .where(Agency.active)
        .order_by(Agency.abbreviation)
    ).all()
    return FormChoices(list(chosen), list(kecamatan.values()), list(agencies), list(programs))


def window_state(meeting: Meeting, now: datetime) -> WindowState:
    if meeting.status == "finalised":
        return "closed"
    window_over = meeting.closes_at is not None and now >= meeting.closes_at
    if meeting.status == "closed" or (meeting.status == "open" and window_over):
        return "late" if in_grace_period(meeting, now) else "closed"
    if meeting.status != "open":
        return "not_yet_open"
    if meeting.opens_at is not None and now < meeting.opens_at:
        return "not_yet_open"
    return "open"


def in_grace_period(meeting: Meeting, now: datetime) -> bool:
    """Closed less than the meeting's grace minutes ago (a finalised one never is)."""
    closed = closed_since(meeting)
    grace = meeting.late_grace_minutes or 0
    return closed is not None and grace > 0 and now < closed + timedelta(minutes=grace)


def grace_ends(meeting: Meeting) -> datetime | None:
    """When late input stops being taken: the closing time plus the grace minutes."""
    closed = closed_since(meeting)
    if closed is None or not meeting.late_grace_minutes:
        return None
    return closed + timedelta(minutes=meeting.late_grace_minutes)


def closed_since(meeting: Meeting) -> datetime | None:
    """When input stopped: the scheduled end, or the moment staff closed it."""
    if meeting.closes_at and (meeting.closed_at is None or meeting.closes_at < meeting.closed_at):
        return meeting.closes_at
    return meeting.closed_at


def normalise_receipt_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_receipt_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def find_submission(receipt_code: str) -> Submission | None:
    code = normalise_receipt_code(receipt_code)
    if len(code) != RECEIPT_LENGTH:
        return None
    return db.session.scalar(
        select(Submission)
        .where(Submission.receipt_code == code)
        .options(
            joinedload(Submission.meeting),
            joinedload(Submission.pillar),
            joinedload(Submission.kelurahan),
            joinedload(Submission.kecamatan),
            joinedload(Submission.agency),
            joinedload(Submission.location),
            joinedload(Submission.program),
            joinedload(Submission.merged_into),
        )
    )


# --- the rule --------------------------------------------------------------------


# A phone may turn a typed "-" into another dash; those are left out too.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"


def compact_access_code(code: str) -> str:
    """The code as stored and compared: upper case, no spaces, no dashes."""
    return "".join(ch for ch in code if not ch.isspace() and ch not in DASHES).upper()


def access_code_matches(meeting: Meeting, given: str) -> bool:
    """Case, spaces and dashes do not count: "k7qm 2xab-9rtz" is K7QM-2XAB-9RTZ."""
    if not meeting.access_code:
        return True
    expected, typed = compact_access_code(meeting.access_code), compact_access_code(given)
    return hmac.compare_digest(expected.encode(), typed.encode())


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def idempotency_key(data: SubmissionData) -> str:
    """The same content from the same person in the same meeting is one submission.

    The key is the content alone (who, with what unit, and every answer, as the form
    normalised them), not the form load: a double tap, a reload of the POST, the back
    button then Kirim, or a fresh page with the same content all find the first send,
    while an edited send is a new input. The paper import keys its rows its own way
    (app/paper/services.py, "import:..."), so a web key never meets one of them.

    Keyed with the app's secret (HMAC), so the key reveals nothing of a name or a phone
    number to whoever holds the database or a backup: no guess can be tested against it
    (`flask privacy erase` replaces it as well).
    """
    secret = current_app.config["SECRET_KEY"].encode()
    message = f"web\n{data.fingerprint()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitee(meeting_id: int, invitation_token: str) -> Attendee | None:
    """The invitation line a personal link names, in this meeting only."""
    if not invitation_token or len(invitation_token) > 64 or "\x00" in invitation_token:
        return None
    return db.session.scalar(
        select(Attendee).filter_by(meeting_id=meeting_id, invitation_token=invitation_token)
    )


def submit(
    meeting: Meeting,
    data: SubmissionData,
    *,
    client_token: str = "",  # the form load's token: no longer part of the key
    access_code: str = "",
    invitation_token: str = "",
    now: datetime | None = None,
) -> Accepted:
    """Record one input, or return the one the same content already made.

    In the grace period after closing (window state "late") the input is recorded
    and marked late.
    """
    now = now or utcnow()
    state = window_state(meeting, now)
    code_matches = access_code_matches(meeting, access_code)
    key = idempotency_key(data)
    meeting_id = meeting.id  # read once: a rollback below expires the meeting
    if code_matches:
        # Sent before, even if the meeting has closed since: that send's receipt.
        existing = earlier_send(meeting_id, key)
        if existing is not None:
            return existing
    if state not in TAKES_INPUT:
        raise Refused(state)
    if not code_matches:
        raise Refused(
            "access_code",
            _l("Kode akses tidak cocok. Tanyakan di meja sekretariat."),
            field="access_code",
        )
    late = state == "late"
    for _attempt in range(5):
        try:
            return record_submission(meeting_id, data, key, now, invitation_token, late=late)
        except IntegrityError:
            # Either the same content arrived at the same moment (a double tap: the
            # unique (meeting, key) constraint), or, rarely, the receipt code collided:
            # the first answers, the second tries another code.
            existing = earlier_send(meeting_id, key)
            if existing is not None:
                return existing
    raise RuntimeError("could not allocate a unique receipt code")


def recorded_before(
    meeting: Meeting, data: SubmissionData, access_code: str = ""
) -> Accepted | None:
    """The input this content already made in the meeting, for a sender who knows the
    meeting's access code; None otherwise. Records nothing."""
    if not access_code_matches(meeting, access_code):
        return None
    return earlier_send(meeting.id, idempotency_key(data))


def earlier_send(meeting_id: int, key: str) -> Accepted | None:
    """The input the same content already made in this meeting, if any."""
    existing = db.session.execute(
        select(Submission.id, Submission.receipt_code).filter_by(
            meeting_id=meeting_id, idempotency_key=key
        )
    ).first()
    if existing is None:
        return None
    return Accepted(existing.id, existing.receipt_code, already_received=True)


@transaction
def record_submission(
    meeting_id: int,
    data: SubmissionData,
    key: str,
    now,
    invitation_token: str = "",
    *,
    late: bool = False,
) -> Accepted:
    correction_token = secrets.token_urlsafe(24)
    submission = Submission(
        meeting_id=meeting_id,
        receipt_code=new_receipt_code(),
        idempotency_key=key,
        source="web",
        submitted_pillar_id=data.pillar_id,
        submitted_at=now,
        late=late,
        correction_token_hash=token_hash(correction_token),
        **data.values(),
    )
    db.session.add(submission)
    db.session.flush()
    # Sent through an invitee's personal link: their line of the invitation list now
    # shows the input (the first one, if they send several).
    line = invitee(meeting_id, invitation_token)
    if line is not None and line.submission_id is None:
        line.submission_id = submission.id
    return Accepted(
        submission.id,
        submission.receipt_code,
        already_received=False,
        correction_token=correction_token,
    )
