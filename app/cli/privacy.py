"""`flask --app wsgi privacy erase`: participants' names and phone numbers, erased on time.

UU 27/2022 on personal data protection: personal data is kept no longer than its
purpose needs. RAKOR_PERSONAL_DATA_DAYS after a meeting's date, its inputs lose the
sender's name and phone number (the input itself stays, as part of the meeting's
record), and its attendance lines lose their phone number and personal invitation
link. Attendance names stay: the signed daftar hadir is part of the official record,
as a finalised meeting's stored PDF documents are.

Idempotent: an input already erased is not touched again. A systemd timer runs it
daily (deploy/systemd/rakor-privacy.timer).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import String, cast, delete, func, literal, or_, select, update

from app.audit import record
from app.extensions import db
from app.i18n import local_today
from app.models import Attendee, Meeting, MeetingDocument, RenderJob, Submission
from app.models.base import utcnow
from app.services import transaction

privacy = AppGroup("privacy", help="Participants' personal data.")


@dataclass(frozen=True)
class MeetingErasure:
    submissions: int = 0
    attendee_phones: int = 0
    invitation_links: int = 0


@dataclass(frozen=True)
class Erasure:
    cutoff: date  # meetings dated before this day
    by_meeting: dict[int, MeetingErasure]

    @property
    def meetings(self) -> int:
        return len(self.by_meeting)

    @property
    def submissions(self) -> int:
        return sum(line.submissions for line in self.by_meeting.values())

    @property
    def attendee_phones(self) -> int:
        return sum(line.attendee_phones for line in self.by_meeting.values())

    @property
    def invitation_links(self) -> int:
        return sum(line.invitation_links for line in self.by_meeting.values())


def old_meetings(cutoff: date):
    return select(Meeting.id).where(Meeting.date < cutoff)


def submissions_to_erase(cutoff: date):
    """Inputs of old meetings not yet erased (or given a name or phone again since)."""
    return (
        select(Submission.id)
        .where(Submission.meeting_id.in_(old_meetings(cutoff)))
        .where(
            or_(
                Submission.personal_data_erased_at.is_(None),
                Submission.submitter_name != "",
                Submission.phone != "",
            )
        )
    )


def attendees_with_phones(cutoff: date):
    return (
        select(Attendee.id)
        .where(Attendee.meeting_id.in_(old_meetings(cutoff)))
        .where(Attendee.phone != "")
    )


def attendees_with_links(cutoff: date):
    return (
        select(Attendee.id)
        .where(Attendee.meeting_id.in_(old_meetings(cutoff)))
        .where(Attendee.invitation_token.is_not(None))
    )


def counts_by_meeting(entity, ids) -> dict[int, int]:
    query = (
        select(entity.meeting_id, func.count())
        .where(entity.id.in_(ids))
        .group_by(entity.meeting_id)
    )
    return {meeting_id: number for meeting_id, number in db.session.execute(query)}


def plan(cutoff: date) -> Erasure:
    """What an erasure with this cutoff would change, changing nothing."""
    submissions = counts_by_meeting(Submission, submissions_to_erase(cutoff))
    phones = counts_by_meeting(Attendee, attendees_with_phones(cutoff))
    links = counts_by_meeting(Attendee, attendees_with_links(cutoff))
    by_meeting = {
        meeting_id: MeetingErasure(
            submissions=submissions.get(meeting_id, 0),
            attendee_phones=phones.get(meeting_id, 0),
            invitation_links=links.get(meeting_id, 0),
        )
        for meeting_id in sorted({*submissions, *phones, *links})
    }
    return Erasure(cutoff=cutoff, by_meeting=by_meeting)


@transaction
def erase_personal_data(cutoff: date, now: datetime | None = None) -> Erasure:
    """Erase the personal fields of every meeting dated before `cutoff`, in one transaction.

    One audit line per meeting touched, with counts only: the log never holds the
    names and numbers it says were erased.
    """
    now = now or utcnow()
    planned = plan(cutoff)
    if not planned.by_meeting:
        return planned
    # Subqueries, not id lists: a city's years of inputs would pass SQLite's variable limit.
    db.session.execute(
        update(Submission)
        .where(Submission.id.in_(submissions_to_erase(cutoff)))
        .values(
            submitter_name="",
            phone="",
            personal_data_erased_at=func.coalesce(Submission.personal_data_erased_at, now),
            # The duplicate key was made from the name and phone too: it goes with them.
            idempotency_key=literal("erased:", String) + cast(Submission.id, String),
        )
        .execution_options(synchronize_session=False)
    )
    # Draft documents name the proposers; a finalised meeting's signed record stays.
    drafts = select(MeetingDocument.id).where(
        MeetingDocument.meeting_id.in_(old_meetings(cutoff)), MeetingDocument.is_final.is_(False)
    )
    db.session.execute(
        delete(RenderJob)
        .where(RenderJob.document_id.in_(drafts))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(MeetingDocument)
        .where(MeetingDocument.id.in_(drafts))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Attendee)
        .where(Attendee.id.in_(attendees_with_phones(cutoff)))
        .values(phone="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Attendee)
        .where(Attendee.id.in_(attendees_with_links(cutoff)))
        .values(invitation_token=None)
        .execution_options(synchronize_session=False)
    )
    for meeting_id, line in planned.by_meeting.items():
        record(
            None,
            "erase_personal_data",
            db.session.get(Meeting, meeting_id),
            after={
                "cutoff": cutoff.isoformat(),
                "submissions": line.submissions,
                "attendee_phones": line.attendee_phones,
                "invitation_links": line.invitation_links,
            },
            meeting_id=meeting_id,
        )
    return planned


def cutoff_for(days: int, today: date) -> date:
    """Meetings dated before this day are more than `days` days ago."""
    return today - timedelta(days=days)


@privacy.command("erase")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    show_default="RAKOR_PERSONAL_DATA_DAYS",
    help="Erase for meetings dated more than this many days ago; 0 erases nothing.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
def erase_command(days: int | None, dry_run: bool) -> None:
    """Erase submitters' names and phones, and attendees' phones and invitation links,
    of meetings older than the retention period. The inputs themselves stay."""
    if days is None:
        days = current_app.config["RAKOR_PERSONAL_DATA_DAYS"]
    if days <= 0:
        click.echo("Retention is 0 days (RAKOR_PERSONAL_DATA_DAYS): personal data is kept.")
        return
    cutoff = cutoff_for(days, local_today())
    result = plan(cutoff) if dry_run else erase_personal_data(cutoff)
    verb = "Would erase" if dry_run else "Erased"
    click.echo(
        f"{verb} personal data of meetings dated before {cutoff.isoformat()} "
        f"(more than {days} days ago): {result.submissions} inputs' names and phones, "
        f"{result.attendee_phones} attendees' phones, {result.invitation_links} invitation "
        f"links, in {result.meetings} meetings."
    )
    if not result.by_meeting:
        click.echo("Nothing to erase.")
