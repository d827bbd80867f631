"""Rules for taking a participant's input: the window, the access code, one record per send."""

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Literal

from sqlalchemy import (
    Select,
    bindparam,
    insert,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import (
    Agency,
    Kecamatan,
    Meeting,
    Pillar,
    Program,
    ReferenceVersion,
    Submission,
    meeting_pillar,
)
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

    def values(self) -> dict:
        """The fields as a dict: `asdict` without its deep copy, which flat values don't need."""
        return dict(vars(self))

    def fingerprint(self) -> str:
        return content_fingerprint(self.values())


def content_fingerprint(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Accepted:
    submission_id: int
    receipt_code: str
    already_received: bool


@dataclass(frozen=True)
class FormChoices:
    """The reference data a meeting's form offers.

    `built` keeps what the view derives from it (the fields' choice lists, per
    language), so that it is built once per change of the data, not per request.
    """

    pillars: list[Pillar]
    kecamatan: list[Kecamatan]
    agencies: list[Agency]
    programs: list[Program]
    built: dict = field(default_factory=dict, compare=False, repr=False)


# --- queries -----------------------------------------------------------------


def open_meetings_query(now: datetime) -> Select[tuple[Meeting]]:
    """Meetings taking input now or soon, soonest first."""
    return (
        select(Meeting)
        .where(Meeting.status == "open")
        .where(or_(Meeting.closes_at.is_(None), Meeting.closes_at > now))
        .order_by(Meeting.date, Meeting.start_time, Meeting.id)
    )


def public_form(code: str) -> tuple[Meeting, FormChoices] | None:
    """A meeting the public may see (anything but a draft) and the choices its form offers.

    One query answers both: the meeting, and the token that tells whether the
    choices kept in memory are still those in the database (see below).
    """
    if "\x00" in code:  # PostgreSQL refuses NUL in a query; no meeting code has one
        return None
    # On PostgreSQL the public pages run without a transaction around their statements:
    # each read stands alone and the input's INSERT commits as it runs, so besides the
    # pool's pre-ping a send is two round trips instead of four (BEGIN, SELECT, INSERT,
    # COMMIT), and no connection sits idle in a transaction while Python works. Nothing
    # here needs two statements to agree: the insert is a single statement, and kept
    # choices check their own token. (SQLite takes no lock to read, and switching its
    # isolation level costs more than this saves.)
    session = db.session()
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    row = db.session.execute(_public_form_query(), {"code": code.strip().lower()}).one_or_none()
    if row is None:
        return None
    meeting, reference_token = row
    return meeting, form_choices(meeting.id, reference_token)


@cache
def _public_form_query() -> Select:
    # Built once: composing this statement costs more than running it.
    token = select(ReferenceVersion.token).where(ReferenceVersion.id == 1).scalar_subquery()
    return select(Meeting, token).where(
        Meeting.code == bindparam("code"), Meeting.status != "draft"
    )


# --- the form's choices, kept in memory ----------------------------------------------
#
# Every view and send of the form needs the reference data. Loading it as ORM
# objects on each request was a third of the cost of a submission, yet it
# changes rarely. It may change at any moment, though, from any process (an
# admin retires a pillar, renames a kelurahan), so the kept copy is checked on
# every request against `reference_version`, whose token database triggers
# renew with every change to those tables (migration 0003): a different token
# loads the choices again. No token (the row was deleted) keeps nothing.

_CHOICES_KEPT = 64  # meetings; a city has a handful open at a time

_kept_choices: dict[int, tuple[str, FormChoices]] = {}


def form_choices(meeting_id: int, reference_token: str | None) -> FormChoices:
    """The reference data the meeting's form offers, loaded again only when it changed.

    The objects are detached and shared between requests: read them, never change them.
    """
    kept = _kept_choices.get(meeting_id)
    if kept is not None and reference_token is not None and kept[0] == reference_token:
        return kept[1]
    choices = load_form_choices(meeting_id)
    if reference_token is not None:
        if len(_kept_choices) >= _CHOICES_KEPT:
            _kept_choices.clear()
        _kept_choices[meeting_id] = (reference_token, choices)
    return choices


def load_form_choices(meeting_id: int) -> FormChoices:
    chosen = db.session.scalars(
        select(Pillar)
        .join(meeting_pillar, meeting_pillar.c.pillar_id == Pillar.id)
        .where(meeting_pillar.c.meeting_id == meeting_id)
        .order_by(Pillar.position)
    )
    pillars = [p for p in chosen if p.is_active] or list(
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
    # Kept for later requests: out of this request's session, fully loaded, so that
    # its commit cannot expire them.
    kelurahan = [kel for kec in kecamatan for kel in kec.kelurahan]
    for row in (*pillars, *kecamatan, *kelurahan, *agencies, *programs):
        db.session.expunge(row)
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
    # One draw from the OS for the whole code rather than one per character (each draw
    # is a system call that lets go of the GIL); still uniform over all 31^8 codes.
    number = secrets.randbelow(len(RECEIPT_ALPHABET) ** RECEIPT_LENGTH)
    characters = []
    for _ in range(RECEIPT_LENGTH):
        number, digit = divmod(number, len(RECEIPT_ALPHABET))
        characters.append(RECEIPT_ALPHABET[digit])
    return "".join(characters)


def idempotency_key(client_token: str, values: dict) -> str:
    """The same form load sending the same content is one submission.

    Content is part of the key so that a participant who goes back, edits and
    sends again is not silently answered with the receipt of the first send.
    """
    content = content_fingerprint(values)
    return hashlib.sha256(f"{client_token}\n{content}".encode()).hexdigest()


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

    # No look-up first: the unique (meeting, key) constraint answers "sent before?" for
    # free on the insert, and a double send is rare. Saves a query on every input.
    # A plain INSERT rather than the ORM's unit of work: nothing else changes in this
    # transaction, and the flush machinery cost as much as the database's own work.
    values = data.values()
    key = idempotency_key(client_token, values)
    values = {
        **values,
        "meeting_id": meeting.id,
        "idempotency_key": key,
        "source": source,
        "submitted_pillar_id": data.pillar_id,
        "submitted_at": now,
    }
    for _attempt in range(5):
        receipt_code = new_receipt_code()
        try:
            result = db.session.execute(
                _insert_submission(), {**values, "receipt_code": receipt_code}
            )
            submission_id = result.inserted_primary_key[0]
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            # Either this very form was sent before (a double tap, a retry, a concurrent
            # send), or (rarely) the receipt code collided; the first answers, the
            # second retries.
            existing = _by_idempotency_key(values["meeting_id"], key)
            if existing is not None:
                return Accepted(existing.id, existing.receipt_code, already_received=True)
            continue
        return Accepted(submission_id, receipt_code, already_received=False)
    raise RuntimeError("could not allocate a unique receipt code")


@cache
def _insert_submission():
    return insert(Submission.__table__)


def _by_idempotency_key(meeting_id: int, key: str) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(
            Submission.meeting_id == meeting_id, Submission.idempotency_key == key
        )
    )
