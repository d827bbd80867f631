"""Progress on a follow-up: a history of reports, and the state it gives on any day.

Every report, whichever way it arrives (a staff or focal point account, an agency's
update link, a row of an uploaded RTL workbook), is checked by `check_report` and added
by `add_entry`, which also repeats the latest entry on the follow-up itself (its status,
percent, note and day) so the register can filter on columns. Entries are never edited
or removed: a correction is a newer report.

A follow-up's state on a day is its latest entry reported on or before that day, and
"Belum dimulai" (open, 0 %) before its first report. The next meeting's notulen and
evaluation read it on their own date, so a later report never changes them.
"""

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.audit import record
from app.domain import (
    CLOSED_FOLLOW_UP_STATUSES,
    EVIDENCE_TYPES,
    FOLLOW_UP_STATUSES,
    PROGRESS_CHANNELS,
    PROGRESS_NOTE_MAX,
)
from app.extensions import db
from app.i18n import local_today
from app.models import AgencyLink, FollowUp, FollowUpProgress, Meeting, User, meeting_predecessor
from app.services import Refused, transaction

EVIDENCE_NAME_MAX = 200
# The channels an agency reports through: they report on open follow-ups only.
AGENCY_CHANNELS = ("focal", "link", "xlsx")
# Pillow refuses larger images as a possible decompression bomb; a phone photo is far below.
EVIDENCE_MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class Evidence:
    """An uploaded evidence file, checked: its bytes, its type read from them, its name."""

    content: bytes
    mimetype: str
    filename: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ProgressReport:
    status: str
    percent: int
    note: str = ""
    reported_on: date | None = None  # today (in the meeting's time zone) when not given
    evidence: Evidence | None = None
    # The form load or workbook row it came from: the same key twice adds one entry.
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ProgressState:
    """Where a follow-up stood on a day."""

    status: str
    percent: int
    note: str
    reported_on: date | None

    @property
    def label(self) -> str:
        return str(FOLLOW_UP_STATUSES.get(self.status, self.status))

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_FOLLOW_UP_STATUSES


NOT_STARTED = ProgressState("open", 0, "", None)


# --- the rules -------------------------------------------------------------------------


def check_evidence(content: bytes, filename: str) -> Evidence:
    """A PDF or a JPEG/PNG photo within the size limit, judged by its content."""
    limit = current_app.config["RAKOR_EVIDENCE_MAX_BYTES"]
    if not content:
        raise Refused("evidence_empty", _l("Berkas bukti kosong."), field="evidence")
    if len(content) > limit:
        raise Refused(
            "evidence_size",
            _l(
                "Berkas bukti paling besar %(size)s MB.",
                size=f"{limit / 1024 / 1024:.0f}",
            ),
            field="evidence",
        )
    mimetype = evidence_type(content)
    if mimetype is None:
        raise Refused(
            "evidence_type",
            _l("Bukti harus berupa berkas PDF atau foto (JPG atau PNG)."),
            field="evidence",
        )
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())[:EVIDENCE_NAME_MAX]
    return Evidence(content, mimetype, name or f"bukti.{EVIDENCE_TYPES[mimetype]}")


def evidence_type(content: bytes) -> str | None:
    """The file's type from its bytes: a PDF's header and end, or an image Pillow reads."""
    if content.startswith(b"%PDF-"):
        return "application/pdf" if b"%%EOF" in content[-2048:] else None
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format not in ("JPEG", "PNG"):
                return None
            width, height = image.size
            if width * height > EVIDENCE_MAX_PIXELS:
                return None
            image.verify()
            return "image/jpeg" if image.format == "JPEG" else "image/png"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def check_report(follow_up: FollowUp, report: ProgressReport, today: date) -> None:
    """The rules every report obeys, whichever way it came; raises Refused on the field."""
    if report.status not in FOLLOW_UP_STATUSES:
        raise Refused("status", _l("Pilih status dari daftar."), field="status")
    if not 0 <= report.percent <= 100:
        raise Refused("percent", _l("Persentase antara 0 dan 100."), field="percent")
    if report.status == "done" and report.percent != 100:
        raise Refused(
            "percent_done", _l("Tindak lanjut yang selesai berarti 100 persen."), field="percent"
        )
    if report.status == "open" and report.percent != 0:
        raise Refused(
            "percent_open",
            _l("Tindak lanjut yang belum dimulai berarti 0 persen; pilih Sedang berjalan."),
            field="percent",
        )
    if report.status == "in_progress" and report.percent == 100:
        raise Refused(
            "percent_in_progress",
            _l("100 persen berarti selesai: pilih status Selesai."),
            field="percent",
        )
    if len(report.note) > PROGRESS_NOTE_MAX:
        raise Refused(
            "note_length",
            _l("Paling panjang %(max)d karakter.", max=PROGRESS_NOTE_MAX),
            field="note",
        )
    day = report.reported_on or today
    if day > today:
        raise Refused(
            "reported_on_future",
            _l("Tanggal keadaan tidak boleh di masa depan."),
            field="reported_on",
        )
    meeting = db.session.get(Meeting, follow_up.meeting_id)
    # A day typed by hand is not before the meeting; today may be (while preparing it).
    if report.reported_on is not None and day < meeting.date:
        raise Refused(
            "reported_on_early",
            _l("Tanggal keadaan tidak boleh sebelum tanggal rapat."),
            field="reported_on",
        )
    settled = settled_until(meeting)
    if settled is not None and day <= settled.date:
        raise Refused(
            "reported_on_settled",
            _l(
                "Keadaan sampai %(date)s sudah tercatat final pada %(meeting)s: tanggal "
                "keadaan harus sesudahnya.",
                date=format_date(settled.date, "d MMMM y"),
                meeting=settled.title,
            ),
            field="reported_on",
        )


def settled_until(meeting: Meeting) -> Meeting | None:
    """The latest finalised meeting that evaluated this meeting's follow-ups (one that
    follows it, or one dated after it that names no meeting it follows): their state up to
    its date is part of that record, so no report may be dated on or before it."""
    followers = select(meeting_predecessor.c.meeting_id).where(
        meeting_predecessor.c.earlier_id == meeting.id
    )
    following_any = select(meeting_predecessor.c.meeting_id)
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.status == "finalised",
            Meeting.date > meeting.date,
            or_(Meeting.id.in_(followers), Meeting.id.not_in(following_any)),
        )
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(1)
    )


def check_channel(follow_up: FollowUp, report: ProgressReport, channel: str) -> None:
    """What only the secretariat decides: cancelling a follow-up, and reopening a closed
    one. An agency (its focal point, its link, its workbook) reports on open ones."""
    if channel not in AGENCY_CHANNELS:
        return
    if follow_up.status in CLOSED_FOLLOW_UP_STATUSES:
        raise Refused(
            "closed",
            _l(
                "Tindak lanjut ini sudah ditutup (%(status)s): hanya sekretariat yang dapat "
                "membukanya kembali.",
                status=FOLLOW_UP_STATUSES[follow_up.status],
            ),
            field="status",
        )
    if report.status == "cancelled":
        raise Refused(
            "cancel_by_agency",
            _l("Hanya sekretariat yang dapat membatalkan tindak lanjut."),
            field="status",
        )


def unchanged(follow_up: FollowUp, report: ProgressReport) -> bool:
    """The report says what the follow-up already says, and brings no evidence."""
    return (
        report.evidence is None
        and follow_up.status == report.status
        and follow_up.percent == report.percent
        and (follow_up.progress_note or "").strip() == report.note.strip()
    )


# --- writing ---------------------------------------------------------------------------


def add_entry(
    follow_up: FollowUp,
    report: ProgressReport,
    *,
    actor: User | None,
    channel: str,
    link: AgencyLink | None = None,
    skip_unchanged: bool = False,
) -> FollowUpProgress | None:
    """Add one report inside the caller's transaction; None when it adds nothing (the
    same form load or row again, or, with `skip_unchanged`, nothing new to say)."""
    if channel not in PROGRESS_CHANNELS:
        raise ValueError(f"unknown progress channel {channel!r}")
    today = local_today()
    if report.idempotency_key and db.session.scalar(
        select(FollowUpProgress.id).where(
            FollowUpProgress.follow_up_id == follow_up.id,
            FollowUpProgress.idempotency_key == report.idempotency_key,
        )
    ):
        return None
    check_channel(follow_up, report, channel)
    check_report(follow_up, report, today)
    if skip_unchanged and unchanged(follow_up, report):
        return None
    evidence = report.evidence
    entry = FollowUpProgress(
        follow_up_id=follow_up.id,
        reported_on=report.reported_on or today,
        status=report.status,
        percent=report.percent,
        note=report.note.strip(),
        channel=channel,
        user_id=actor.id if actor else None,
        link_id=link.id if link else None,
        idempotency_key=report.idempotency_key,
        evidence=evidence.content if evidence else None,
        evidence_type=evidence.mimetype if evidence else "",
        evidence_name=evidence.filename if evidence else "",
        evidence_size=len(evidence.content) if evidence else None,
        evidence_sha256=evidence.sha256 if evidence else "",
    )
    db.session.add(entry)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return None  # the same key, sent twice at once: the other one was kept
    before = {
        "status": follow_up.status,
        "percent": follow_up.percent,
        "note": follow_up.progress_note or "",
    }
    repeat_latest(follow_up)
    record(
        actor,
        "progress",
        follow_up,
        before=before,
        after={
            "entry_id": entry.id,
            "reported_on": entry.reported_on.isoformat(),
            "status": entry.status,
            "percent": entry.percent,
            "note": entry.note,
            "channel": channel,
            "link_id": entry.link_id,
            "evidence_sha256": entry.evidence_sha256 or None,
        },
        meeting_id=follow_up.meeting_id,
    )
    return entry


def repeat_latest(follow_up: FollowUp) -> None:
    """Copy the latest entry (by day, then by order of arrival) onto the follow-up."""
    latest = db.session.execute(
        select(
            FollowUpProgress.status,
            FollowUpProgress.percent,
            FollowUpProgress.note,
            FollowUpProgress.reported_on,
        )
        .where(FollowUpProgress.follow_up_id == follow_up.id)
        .order_by(FollowUpProgress.reported_on.desc(), FollowUpProgress.id.desc())
        .limit(1)
    ).first()
    state = ProgressState(*latest) if latest else NOT_STARTED
    follow_up.status = state.status
    follow_up.percent = state.percent
    follow_up.progress_note = state.note
    follow_up.reported_on = state.reported_on


def status_report(follow_up: FollowUp, status: str, note: str) -> ProgressReport:
    """A report that only sets a status and a note (the minutes' follow-up form): the
    percent follows the status, keeping what was reported while work goes on."""
    if status == "done":
        percent = 100
    elif status == "open":
        percent = 0
    else:
        percent = follow_up.percent if follow_up.percent < 100 else 0
    return ProgressReport(status=status, percent=percent, note=note)


@transaction
def report_progress(
    follow_up: FollowUp,
    report: ProgressReport,
    *,
    actor: User | None,
    channel: str,
    link: AgencyLink | None = None,
) -> FollowUpProgress | None:
    """One report from a form: checked, added, audited and committed, or refused."""
    locked = db.session.get(FollowUp, follow_up.id, with_for_update=True, populate_existing=True)
    return add_entry(locked, report, actor=actor, channel=channel, link=link)


# --- reading ---------------------------------------------------------------------------


def states_on(follow_up_ids: Iterable[int], day: date) -> dict[int, ProgressState]:
    """Where each follow-up stood at the end of `day` (NOT_STARTED before any report)."""
    ids = list(follow_up_ids)
    states = dict.fromkeys(ids, NOT_STARTED)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.session.execute(
            select(
                FollowUpProgress.follow_up_id,
                FollowUpProgress.status,
                FollowUpProgress.percent,
                FollowUpProgress.note,
                FollowUpProgress.reported_on,
            )
            .where(FollowUpProgress.follow_up_id.in_(chunk), FollowUpProgress.reported_on <= day)
            .order_by(
                FollowUpProgress.follow_up_id,
                FollowUpProgress.reported_on,
                FollowUpProgress.id,
            )
        )
        for follow_up_id, status, percent, note, reported_on in rows:
            states[follow_up_id] = ProgressState(status, percent, note, reported_on)
    return states


def history(follow_up_id: int) -> list[FollowUpProgress]:
    """Every report on the follow-up, newest first (without the evidence's bytes)."""
    return list(
        db.session.scalars(
            select(FollowUpProgress)
            .where(FollowUpProgress.follow_up_id == follow_up_id)
            .order_by(FollowUpProgress.reported_on.desc(), FollowUpProgress.id.desc())
        )
    )
