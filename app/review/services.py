"""Rules for reviewing input: pillar, decision, follow-up, notes, merging duplicates.

Each function is one change in one transaction, with its audit line, and each
first checks that the meeting's minutes are not final (one guard for every
change of a meeting's content: app/documents/finalise.py). The
participant's own words (title, description, the submitted pillar) are never
touched: review changes `pillar_id`, `status`, the decision and the links.

A merge keeps every original: the original gets status "merged" and a link to
its primary, nothing else. Groups stay one level deep (an original always points
at a primary that is not itself merged), so every co-proposer is found in one step
and undoing one merge never disturbs another.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import changed, record, snapshot
from app.documents.finalise import check_not_final
from app.extensions import db
from app.models import Agency, AuditEvent, FollowUp, Submission, SubmissionNote, User
from app.models.base import utcnow
from app.review import duplicates, history, queries
from app.review.queries import active_pillars
from app.services import Refused, transaction

# The decisions staff can take; "received" takes a decision back.
DECISIONS = ("accepted", "follow_up", "declined", "received")
REASON_MAX = 2000
NOTE_MAX = 4000
ACTION_MAX = 2000

DECISION_FIELDS = ("status", "decision_reason")
ASSIGN_FIELDS = ("status", "responsible_agency_id")
MERGE_FIELDS = ("status", "merged_into_id")
FOLLOW_UP_FIELDS = ("submission_id", "action", "agency_id", "deadline", "status")


def too_long(field: str, limit: int) -> Refused:
    return Refused(
        f"{field}_too_long", _l("Paling panjang %(max)d karakter.", max=limit), field=field
    )


def submission_merged() -> Refused:
    message = _l(
        "Masukan ini sudah digabung. Putuskan masukan utamanya, atau batalkan penggabungan."
    )
    return Refused("submission_merged", message)


# --- the input's page -------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionPage:
    """Everything around one input that its page shows (the input itself is loaded already)."""

    follow_ups: list[FollowUp]
    notes: list[queries.NoteRow]
    group: queries.MergeGroup | None
    suggestions: list[duplicates.Suggestion]
    history: list[history.Entry]


def submission_page(submission: Submission) -> SubmissionPage:
    return SubmissionPage(
        follow_ups=queries.follow_ups_of(submission.id),
        notes=queries.notes_of(submission.id),
        group=queries.merge_group_of(submission),
        # A merged input is represented by its primary: look for duplicates there.
        suggestions=[] if submission.merged_into_id else duplicates.suggestions_for(submission),
        history=history.submission_history(submission),
    )


# --- pillar ----------------------------------------------------------------------------


@transaction
def change_pillar(submission: Submission, pillar_id: int, actor: User) -> bool:
    """Move the input to another active pillar; False when it is already there."""
    check_not_final(submission.meeting_id)
    _lock(submission)
    allowed = {pillar.id for pillar in active_pillars(submission.meeting)}
    if pillar_id not in allowed:
        message = _l("Strategi ini tidak aktif atau tidak dipakai rapat ini.")
        raise Refused("pillar_not_allowed", message, field="pillar")
    if submission.pillar_id == pillar_id:
        return False
    before = {"pillar_id": submission.pillar_id}
    submission.pillar_id = pillar_id
    record(
        actor,
        "change_pillar",
        submission,
        before=before,
        after={"pillar_id": pillar_id},
        meeting_id=submission.meeting_id,
    )
    return True


# --- decision --------------------------------------------------------------------------


@transaction
def decide(
    submission: Submission,
    decision: str,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> bool:
    """Accept, follow up, decline (a reason is required) or take the decision back.

    Returns False when nothing changes.
    """
    check_not_final(submission.meeting_id)
    _lock(submission)
    reason = reason.strip()
    if decision not in DECISIONS:
        message = _l("Pilihan tidak tersedia. Pilih dari daftar.")
        raise Refused("decision_not_allowed", message, field="decision")
    if submission.status == "merged":
        raise submission_merged()
    if decision == "declined" and not reason:
        message = _l("Tulis alasan mengapa masukan ini tidak dapat ditindaklanjuti.")
        raise Refused("reason_required", message, field="reason")
    if len(reason) > REASON_MAX:
        raise too_long("reason", REASON_MAX)

    before = snapshot(submission, DECISION_FIELDS)
    if decision == "received":
        # Back in the queue: no decision, so no reason and no decider either.
        submission.status, submission.decision_reason = "received", ""
        submission.decided_at = submission.decided_by_id = None
    else:
        submission.status, submission.decision_reason = decision, reason
    old, new = changed(before, snapshot(submission, DECISION_FIELDS))
    if not new:
        return False
    if decision != "received":
        submission.decided_at = now or utcnow()
        submission.decided_by_id = actor.id
    record(actor, "decide", submission, before=old, after=new, meeting_id=submission.meeting_id)
    return True


# --- follow-up -------------------------------------------------------------------------


@transaction
def assign_follow_up(
    submission: Submission,
    agency_id: int,
    deadline: date,
    action: str,
    actor: User,
    now: datetime | None = None,
) -> FollowUp:
    """Make the agency responsible, by a deadline: a FollowUp row, status "follow_up"."""
    check_not_final(submission.meeting_id)
    _lock(submission)
    action = action.strip()
    if submission.status == "merged":
        raise submission_merged()
    agency = db.session.get(Agency, agency_id)
    if agency is None or not agency.active:
        message = _l("Perangkat daerah ini tidak aktif. Pilih yang lain.")
        raise Refused("agency_not_allowed", message, field="agency")
    if not action:
        raise Refused("action_required", _l("Tulis tindak lanjutnya."), field="action")
    if len(action) > ACTION_MAX:
        raise too_long("action", ACTION_MAX)

    follow_up = FollowUp(
        meeting_id=submission.meeting_id,
        submission_id=submission.id,
        action=action,
        agency_id=agency.id,
        deadline=deadline,
        status="open",
    )
    db.session.add(follow_up)
    before = snapshot(submission, ASSIGN_FIELDS)
    if submission.status != "follow_up":
        submission.decided_at = now or utcnow()
        submission.decided_by_id = actor.id
    submission.status = "follow_up"
    submission.responsible_agency_id = agency.id
    db.session.flush()
    record(
        actor,
        "create",
        follow_up,
        after=snapshot(follow_up, FOLLOW_UP_FIELDS),
        meeting_id=submission.meeting_id,
    )
    old, new = changed(before, snapshot(submission, ASSIGN_FIELDS))
    if new:
        record(actor, "assign", submission, before=old, after=new, meeting_id=submission.meeting_id)
    return follow_up


# --- notes -----------------------------------------------------------------------------


@transaction
def add_note(submission: Submission, body: str, actor: User) -> SubmissionNote:
    check_not_final(submission.meeting_id)
    body = body.strip()
    if not body:
        raise Refused("note_required", _l("Tulis catatannya."), field="body")
    if len(body) > NOTE_MAX:
        raise too_long("body", NOTE_MAX)
    note = SubmissionNote(submission_id=submission.id, author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    record(
        actor,
        "create",
        note,
        after={"submission_id": submission.id, "body": body},
        meeting_id=submission.meeting_id,
    )
    return note


# --- merging duplicates ----------------------------------------------------------------


@transaction
def merge(primary: Submission, original_ids: list[int], actor: User) -> list[Submission]:
    """Merge the originals into `primary`: status "merged", link to the primary, text kept.

    Refused when the primary is itself merged (merge into its primary instead), when
    an original is already merged, or when an original is the primary of other inputs
    (merge into it, or undo those merges first). Ids outside the meeting: code "not_found".
    """
    check_not_final(primary.meeting_id)
    _lock(primary)
    wanted = sorted({i for i in original_ids if i != primary.id})
    if not wanted:
        message = _l("Centang minimal satu masukan lain.")
        raise Refused("nothing_to_merge", message, field="originals")
    if primary.merged_into_id is not None:
        primary_of_primary = db.session.get(Submission, primary.merged_into_id)
        message = _l(
            "Masukan ini sudah digabung ke %(receipt_code)s. "
            "Gabungkan ke masukan %(receipt_code)s saja.",
            receipt_code=history.format_receipt(primary_of_primary.receipt_code),
        )
        raise Refused("primary_merged", message)
    originals = list(
        db.session.scalars(
            select(Submission)
            .where(Submission.meeting_id == primary.meeting_id, Submission.id.in_(wanted))
            .order_by(Submission.id)
            .with_for_update(of=Submission)
        )
    )
    if len(originals) != len(wanted):
        raise Refused("not_found")
    for original in originals:
        if original.merged_into_id is not None:
            message = _l(
                "Masukan %(receipt_code)s sudah digabung ke masukan lain.",
                receipt_code=history.format_receipt(original.receipt_code),
            )
            raise Refused("already_merged", message, field="originals")
    has_originals = set(
        db.session.scalars(
            select(Submission.merged_into_id).where(Submission.merged_into_id.in_(wanted))
        )
    )
    for original in originals:
        if original.id in has_originals:
            message = _l(
                "Masukan %(receipt_code)s sudah menjadi masukan utama bagi masukan lain. "
                "Jadikan %(receipt_code)s masukan utama, atau batalkan dulu penggabungannya.",
                receipt_code=history.format_receipt(original.receipt_code),
            )
            raise Refused("original_is_primary", message, field="originals")

    for original in originals:
        # `before` keeps the status the original had: undoing the merge restores it.
        before = snapshot(original, MERGE_FIELDS)
        original.status = "merged"
        original.merged_into_id = primary.id
        record(
            actor,
            "merge",
            original,
            before=before,
            after=snapshot(original, MERGE_FIELDS),
            meeting_id=primary.meeting_id,
        )
    # On the primary too, so its own history says who joined it.
    record(
        actor,
        "merge_primary",
        primary,
        after={"originals": [original.receipt_code for original in originals]},
        meeting_id=primary.meeting_id,
    )
    return originals


@transaction
def undo_merge(original: Submission, actor: User) -> Submission:
    """Take one original out of its group, back to the status it had before the merge."""
    check_not_final(original.meeting_id)
    _lock(original)
    if original.merged_into_id is None:
        raise Refused("not_merged", _l("Masukan ini tidak sedang digabung."))
    primary = db.session.get(Submission, original.merged_into_id)
    before = snapshot(original, MERGE_FIELDS)
    original.status = status_before_merge(original)
    original.merged_into_id = None
    record(
        actor,
        "unmerge",
        original,
        before=before,
        after=snapshot(original, MERGE_FIELDS),
        meeting_id=original.meeting_id,
    )
    record(
        actor,
        "unmerge_primary",
        primary,
        after={"original": original.receipt_code},
        meeting_id=original.meeting_id,
    )
    return original


def status_before_merge(original: Submission) -> str:
    """The status saved in the `before` of the input's latest merge, "received" if none.

    An input merged some other way (an import, an old database) has no such line;
    "received" puts it back in the queue for a fresh decision.
    """
    before = db.session.scalar(
        select(AuditEvent.before)
        .where(
            AuditEvent.entity_type == "Submission",
            AuditEvent.entity_id == original.id,
            AuditEvent.action == "merge",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    status = (before or {}).get("status")
    return status if status in DECISIONS else "received"


def _lock(submission: Submission) -> None:
    """Lock the row until commit (PostgreSQL; SQLite writes one at a time anyway), re-read it.

    The lock is taken with a narrow SELECT: PostgreSQL refuses FOR UPDATE on the
    outer joins the page's eager loading adds. Once locked, the refresh sees the
    latest committed values, so two reviewers never interleave their changes.
    """
    db.session.execute(
        select(Submission.id).where(Submission.id == submission.id).with_for_update()
    )
    db.session.refresh(submission)
