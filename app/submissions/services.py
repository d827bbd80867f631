"""Rules for taking a participant's input: the window, the access code, one record per send."""

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Agency, Kecamatan, Meeting, Pillar, Program, Submission
from app.models.base import utcnow

# No 0/O, 1/I/L: a code read aloud or copied from paper survives. 31^8 is about 2^40.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 8

WindowState = Literal["open", "not_yet_open", "closed"]


class SubmissionRefused(Exception):
    """The meeting does not take this input; `field` names the form field to blame, if any."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class SubmissionData:
    """A valid form, as plain values. Ids are already checked against the allow-lists."""

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

    def fingerprint(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Accepted:
    submission: Submission
    already_received: bool


@dataclass(frozen=True)
class FormChoices:
    """The reference data a meeting's form offers."""

    pillars: list[Pillar]
    kecamatan: list[Kecamatan]
    agencies: list[Agency]
    programs: list[Program]


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
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.code == code.strip().lower(), Meeting.status != "draft")
        .options(selectinload(Meeting.pillars))
    )


def form_choices(meeting: Meeting) -> FormChoices:
    pillars = [p for p in meeting.pillars if p.is_active] or list(
        db.session.scalars(
            select(Pillar).where(Pillar.retired_at.is_(None)).order_by(Pillar.position, Pillar.code)
        )
    )
    kecamatan = list(
        db.session.scalars(
            select(Kecamatan).options(selectinload(Kecamatan.kelurahan)).order_by(Kecamatan.code)
        )
    )
    agencies = list(
        db.session.scalars(select(Agency).where(Agency.active).order_by(Agency.abbreviation))
    )
    pillar_ids = {p.id for p in pillars}
    programs = [
        program
        for program in db.session.scalars(
            select(Program).where(Program.active).order_by(Program.pillar_id, Program.name)
        )
        if program.pillar_id is None or program.pillar_id in pillar_ids
    ]
    return FormChoices(pillars, kecamatan, agencies, programs)


def window_state(meeting: Meeting, now: datetime) -> WindowState:
    if meeting.status in ("closed", "finalised"):
        return "closed"
    if meeting.status != "open":
        return "not_yet_open"
    if meeting.closes_at is not None and now >= meeting.closes_at:
        return "closed"
    if meeting.opens_at is not None and now < meeting.opens_at:
        return "not_yet_open"
    return "open"


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


def access_code_matches(meeting: Meeting, given: str) -> bool:
    if not meeting.access_code:
        return True
    expected = meeting.access_code.strip().upper().encode()
    return hmac.compare_digest(expected, given.strip().upper().encode())


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def idempotency_key(client_token: str, data: SubmissionData) -> str:
    """The same form load sending the same content is one submission.

    Content is part of the key so that a participant who goes back, edits and
    sends again is not silently answered with the receipt of the first send.
    """
    digest = hashlib.sha256(f"{client_token}\n{data.fingerprint()}".encode()).hexdigest()
    return digest


def submit(
    meeting: Meeting,
    data: SubmissionData,
    *,
    client_token: str,
    access_code: str = "",
    now: datetime | None = None,
    source: str = "web",
) -> Accepted:
    """Record one input, or return the one this very send already made."""
    now = now or utcnow()
    state = window_state(meeting, now)
    if state == "closed":
        raise SubmissionRefused("closed")
    if state == "not_yet_open":
        raise SubmissionRefused("not_yet_open")
    if not access_code_matches(meeting, access_code):
        raise SubmissionRefused("access_code", field="access_code")

    key = idempotency_key(client_token, data)
    existing = _by_idempotency_key(meeting.id, key)
    if existing is not None:
        return Accepted(existing, already_received=True)

    for _attempt in range(5):
        submission = Submission(
            meeting_id=meeting.id,
            receipt_code=new_receipt_code(),
            idempotency_key=key,
            source=source,
            submitted_pillar_id=data.pillar_id,
            submitted_at=now,
            **asdict(data),
        )
        db.session.add(submission)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            # Either a concurrent send of the same form won the race, or (rarely)
            # the receipt code collided; the first answers, the second retries.
            existing = _by_idempotency_key(meeting.id, key)
            if existing is not None:
                return Accepted(existing, already_received=True)
            continue
        return Accepted(submission, already_received=False)
    raise RuntimeError("could not allocate a unique receipt code")


def _by_idempotency_key(meeting_id: int, key: str) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(
            Submission.meeting_id == meeting_id, Submission.idempotency_key == key
        )
    )
