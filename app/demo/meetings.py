"""A demo meeting built from its JSON file, and the demo record closed and finalised.

Everything is written as the workspace would have left it (a review decision has
its time and reviewer, a follow-up its agency and deadline, a check-in its time on
the meeting's morning), except that the rows are written directly: the demo
describes a past, it does not replay it. Closing and finalising, the steps whose
rules matter, go through the services themselves.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from app.documents.finalise import finalise_minutes
from app.documents.numbering import issued_numbers
from app.domain import FINAL_KINDS, grouped_nip
from app.extensions import db
from app.meetings.services import close_meeting
from app.models import (
    Agency,
    AgendaItem,
    Attendee,
    AuditEvent,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Meeting,
    MeetingDocument,
    Pillar,
    Program,
    Signatory,
    Submission,
    User,
)
from app.services import Refused
from app.submissions.services import new_receipt_code

DEMO_TIMEZONE = ZoneInfo("Asia/Jakarta")


def local(day: date, clock: str) -> datetime:
    """A WIB wall-clock time on `day`, as the UTC datetime the database stores."""
    return datetime.combine(day, time.fromisoformat(clock), DEMO_TIMEZONE).astimezone(UTC)


def local_moment(text: str) -> datetime:
    """'2024-01-30T10:00' in WIB, as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=DEMO_TIMEZONE).astimezone(UTC)


def numbered(lines: list[str]) -> str:
    return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, start=1))


def lines_of(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "\n".join(value)


# --- the meeting ------------------------------------------------------------------------


def demo_meeting(code: str, spec: dict, people: dict) -> Meeting:
    """The meeting with this code, created open for input when it does not exist yet."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.code == code))
    if meeting is not None:
        return meeting
    chair, notetaker = signers(spec, people["officials"])
    meeting = Meeting(
        code=code,
        title=spec["title"],
        date=date.fromisoformat(spec["date"]),
        start_time=time.fromisoformat(spec["start_time"]),
        end_time=time.fromisoformat(spec["end_time"]) if spec.get("end_time") else None,
        venue=spec["venue"],
        # Open with no closing time: the form takes input until someone closes it.
        status="open",
        chair_name=chair["name"],
        chair_position=chair["title"],
        chair_nip=grouped_nip(chair["nip"]),
        notetaker_name=notetaker["name"],
        notetaker_position=notetaker["title"],
        notetaker_nip=grouped_nip(notetaker["nip"]),
    )
    meeting.agenda_items = [
        AgendaItem(position=position, title=title)
        for position, title in enumerate(spec["agenda"], start=1)
    ]
    meeting.pillars = list(db.session.scalars(select(Pillar).order_by(Pillar.position)))
    db.session.add(meeting)
    db.session.flush()
    return meeting


def signers(spec: dict, officials: dict) -> tuple[dict, dict]:
    """The chair and the note-taker: named in the meeting, or officials of people.json."""
    if "chair" in spec:
        return officials[spec["chair"]], officials[spec["notetaker"]]
    return (
        {"name": spec["chair_name"], "title": spec["chair_position"], "nip": spec["chair_nip"]},
        {
            "name": spec["notetaker_name"],
            "title": spec["notetaker_position"],
            "nip": spec["notetaker_nip"],
        },
    )


def complete_meeting(meeting: Meeting, content: dict, people: dict, reviewer: User) -> None:
    """Add what the meeting lacks from its file; a finalised record is left as it is."""
    if meeting.status == "finalised":
        return
    spec = content["meeting"]
    fill_texts(meeting, spec)
    delay = timedelta(minutes=spec["review_delay_minutes"])
    submissions = add_submissions(meeting, content["submissions"], reviewer, delay)
    add_meeting_follow_ups(meeting, content.get("follow_ups", []))
    if "attendance" in content:
        add_attendance(meeting, content["attendance"], submissions, people)
    add_signatories(meeting, content.get("signatories", []), people["officials"])
    db.session.flush()


def fill_texts(meeting: Meeting, spec: dict) -> None:
    """Texts the meeting has none of yet: what a note-taker typed is never overwritten."""
    texts = {
        "opening": spec.get("opening", ""),
        "conclusions": numbered(spec.get("conclusions", [])),
        # One rule a line: the laporan numbers them itself.
        "report_basis": lines_of(spec.get("report_basis", [])),
        "report_purpose": lines_of(spec.get("report_purpose", "")),
        "recommendations": numbered(spec.get("recommendations", [])),
    }
    for field, text in texts.items():
        if text and not (getattr(meeting, field) or "").strip():
            setattr(meeting, field, text)
    if meeting.end_time is None and spec.get("end_time"):
        meeting.end_time = time.fromisoformat(spec["end_time"])
    discussions = spec.get("discussions", [])
    for item, paragraphs in zip(meeting.agenda_items, discussions, strict=False):
        if not (item.discussion or "").strip():
            item.discussion = lines_of(paragraphs)


# --- the inputs and their review --------------------------------------------------------


def add_submissions(
    meeting: Meeting, items: list[dict], reviewer: User, delay: timedelta
) -> dict[int, Submission]:
    """The inputs by their number in the file; missing ones added, unreviewed ones decided
    `delay` after they came in (the afternoon after the meeting, or during it)."""
    existing = {
        s.idempotency_key: s
        for s in db.session.scalars(select(Submission).where(Submission.meeting_id == meeting.id))
    }
    pillars = {p.code: p.id for p in db.session.scalars(select(Pillar))}
    kecamatan = {k.name: k.id for k in db.session.scalars(select(Kecamatan))}
    kelurahan = {k.name: k.id for k in db.session.scalars(select(Kelurahan))}
    agencies = {a.abbreviation: a.id for a in db.session.scalars(select(Agency))}
    programs = {p.name: p.id for p in db.session.scalars(select(Program))}
    start = local(meeting.date, meeting.start_time.isoformat(timespec="minutes"))

    by_number: dict[int, Submission] = {}
    for number, item in enumerate(items, start=1):
        key = f"demo-{number:03d}"
        if key in existing:
            by_number[number] = existing[key]
            continue
        role, unit = item["role"], item["unit"]
        submission = Submission(
            meeting_id=meeting.id,
            receipt_code=new_receipt_code(),
            idempotency_key=key,
            source="web",
            submitter_name=item["submitter_name"],
            role=role,
            kelurahan_id=kelurahan[unit] if role == "lurah" else None,
            kecamatan_id=kecamatan[unit] if role == "camat" else None,
            agency_id=agencies[unit] if role == "opd" else None,
            organisation=unit if role == "stakeholder" else "",
            position=item["position"],
            phone=item["phone"],
            kind=item["kind"],
            submitted_pillar_id=pillars[item["pillar"]],
            pillar_id=pillars[item["pillar"]],
            title=item["title"],
            description=item["description"],
            location_id=kelurahan[item["location"]] if item["location"] else None,
            target_group=item["target_group"],
            program_id=programs[item["program"]] if item["program"] else None,
            beneficiaries=item["beneficiaries"],
            cost=item["cost"],
            submitted_at=start + timedelta(minutes=item["minutes_after_start"]),
            status="received",
        )
        db.session.add(submission)
        by_number[number] = submission
    db.session.flush()

    for number, item in enumerate(items, start=1):
        submission = by_number[number]
        if submission.status == "received" and item["status"] != "received":
            review(submission, item, by_number, agencies, reviewer, delay)
        if "follow_up" in item:
            ensure_follow_up(submission, item["follow_up"], agencies)
    return by_number


def review(
    submission: Submission,
    item: dict,
    by_number: dict[int, Submission],
    agencies: dict[str, int],
    reviewer: User,
    delay: timedelta,
) -> None:
    """The decision the file gives, as the review screens would have stored it."""
    if item["status"] == "merged":
        # A merge keeps the input's words and links it to the one it repeats.
        submission.status = "merged"
        submission.merged_into_id = by_number[item["merged_into"]].id
        return
    submission.status = item["status"]
    submission.decision_reason = item["decision_reason"]
    submission.decided_at = submission.submitted_at + delay
    submission.decided_by_id = reviewer.id
    if "follow_up" in item:
        submission.responsible_agency_id = agencies[item["follow_up"]["agency"]]


def ensure_follow_up(submission: Submission, spec: dict, agencies: dict[str, int]) -> None:
    """The input's follow-up; one made without an agency (an older demo) gets one."""
    agency_id = agencies[spec["agency"]]
    deadline = date.fromisoformat(spec["deadline"])
    follow_up = db.session.scalar(
        select(FollowUp).where(FollowUp.submission_id == submission.id).order_by(FollowUp.id)
    )
    if follow_up is None:
        # As assigning a follow-up on the review screen does: the input becomes "follow_up".
        submission.status = "follow_up"
        db.session.add(
            FollowUp(
                meeting_id=submission.meeting_id,
                submission_id=submission.id,
                action=spec["action"],
                agency_id=agency_id,
                deadline=deadline,
                status="open",
            )
        )
    elif follow_up.agency_id is None:
        follow_up.action, follow_up.agency_id, follow_up.deadline = (
            spec["action"],
            agency_id,
            deadline,
        )
    if submission.responsible_agency_id is None:
        submission.responsible_agency_id = agency_id


def add_meeting_follow_ups(meeting: Meeting, specs: list[dict]) -> None:
    """Follow-ups the meeting agreed that answer no single input (a direction, a plan)."""
    agencies = {a.abbreviation: a.id for a in db.session.scalars(select(Agency))}
    known = set(
        db.session.scalars(
            select(FollowUp.action).where(
                FollowUp.meeting_id == meeting.id, FollowUp.submission_id.is_(None)
            )
        )
    )
    for spec in specs:
        if spec["action"] not in known:
            db.session.add(
                FollowUp(
                    meeting_id=meeting.id,
                    action=spec["action"],
                    agency_id=agencies[spec["agency"]],
                    deadline=date.fromisoformat(spec["deadline"]),
                    status="open",
                )
            )


# --- the daftar hadir and the signatories ------------------------------------------------


class NameList:
    """Names for people the files do not name, from people.json's lists: always the same.

    The k-th name of a sex takes its first name, second name and degree from the lists
    at different strides, so names vary, and skips any name the demo already uses.
    """

    def __init__(self, lists: dict, taken: set[str]):
        self.lists = lists
        self.taken = {name.split(",")[0].strip() for name in taken}
        self.counters = {"L": 0, "P": 0}

    def next(self, sex: str) -> str:
        pool, degrees = self.lists[sex], self.lists["degrees"]
        while True:
            k = self.counters[sex]
            self.counters[sex] += 1
            first = pool["first"][k % len(pool["first"])]
            second = pool["second"][(k * 3 + 1) % len(pool["second"])]
            name = f"{first} {second}"
            if name not in self.taken:
                self.taken.add(name)
                return f"{name}, {degrees[(k * 5 + 2) % len(degrees)]}"


def unit_of(submission: Submission) -> str:
    """The instansi of a daftar hadir line: the kelurahan or kecamatan in full, an agency
    by the short name everyone in the room writes."""
    if submission.role == "lurah" and submission.kelurahan:
        return f"Kelurahan {submission.kelurahan.name}"
    if submission.role == "camat" and submission.kecamatan:
        return f"Kecamatan {submission.kecamatan.name}"
    if submission.role == "opd" and submission.agency:
        return submission.agency.abbreviation
    return submission.organisation


def add_attendance(
    meeting: Meeting, spec: dict, submissions: dict[int, Submission], people: dict
) -> None:
    """The daftar hadir, once: every seat checked in between the first and last time given.

    Arrival order is shuffled with the meeting's code as seed, so it is the same on every
    machine; the list reads in order of arrival, as a paper daftar hadir does.
    """
    if db.session.scalar(select(exists().where(Attendee.meeting_id == meeting.id))):
        return
    officials = people["officials"]
    taken = {s.submitter_name for s in submissions.values()}
    taken |= {o["name"] for o in officials.values()}
    names = NameList(people["generated_names"], taken)
    lines = [
        {
            **person_at(seat, submissions, officials, names),
            "source": seat.get("source", spec["source"]),
        }
        for seat in spec["seats"]
    ]
    first = local(meeting.date, spec["first_check_in"])
    last = local(meeting.date, spec["last_check_in"])
    order = list(range(len(lines)))
    random.Random(meeting.code).shuffle(order)
    span, gaps = int((last - first).total_seconds()), max(len(lines) - 1, 1)
    arrivals = sorted(zip(order, lines, strict=True), key=lambda pair: pair[0])
    for rank, line in arrivals:
        moment = first + timedelta(seconds=round(span * rank / gaps))
        db.session.add(
            Attendee(meeting_id=meeting.id, checked_in_at=moment, created_at=moment, **line)
        )


def person_at(
    seat: dict, submissions: dict[int, Submission], officials: dict, names: NameList
) -> dict:
    """Who sits in a seat: the author of an input, an official, or a name from the lists."""
    submission = submissions.get(seat.get("submission", 0))
    if submission is not None:
        return {
            "name": submission.submitter_name,
            "position": seat.get("position", submission.position),
            "unit": seat.get("unit", unit_of(submission)),
            "sex": seat["sex"],
            "submission_id": submission.id,
        }
    if "official" in seat:
        official = officials[seat["official"]]
        return {
            "name": official["name"],
            "position": seat["position"],
            "unit": seat.get("unit", official["agency"]),
            "sex": official["sex"],
        }
    return {
        "name": names.next(seat["sex"]),
        "position": seat["position"],
        "unit": seat["unit"],
        "sex": seat["sex"],
    }


def add_signatories(meeting: Meeting, specs: list[dict], officials: dict) -> None:
    """The berita acara's parties, then who acknowledges it ("Mengetahui"), once."""
    if not specs or db.session.scalar(select(exists().where(Signatory.meeting_id == meeting.id))):
        return
    for position, spec in enumerate(specs, start=1):
        official = officials[spec["official"]]
        db.session.add(
            Signatory(
                meeting_id=meeting.id,
                position=position,
                name=official["name"],
                title=official["title"],
                agency=official["agency"],
                nip=grouped_nip(official["nip"]),
                acknowledges=spec["acknowledges"],
            )
        )


# --- closing and finalising the record ----------------------------------------------------


def finish_record(meeting_id: int, spec: dict, admin: User) -> str:
    """Close the record and finalise it as the admin; one line saying how it ended.

    A refusal (the record lacks something finalising requires) leaves the meeting
    closed and is reported, never raised: `make run` goes on. A record an admin
    finalised and reopened since is left for them to finalise again.
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting.status == "open":
        close_meeting(admin, meeting, now=local_moment(spec["closed_at"]))
    if meeting.status == "finalised":
        return finalised_line(meeting)
    if meeting.status != "closed":
        return f"Demo record {meeting.code} is a {meeting.status}: not finalised."
    if was_finalised(meeting.id):
        return f"Demo record {meeting.code} was reopened by an admin: left closed."
    try:
        finalise_minutes(meeting.id, admin, now=local_moment(spec["finalised_at"]))
    except Refused as refusal:
        return f"Demo record {meeting.code} left closed, not finalised: {refusal}"
    except Exception as error:  # a bug elsewhere must not stop `make run`
        db.session.rollback()
        return f"Demo record {meeting.code} left closed, finalising failed: {error!r}"
    db.session.expire_all()
    return finalised_line(db.session.get(Meeting, meeting_id))


def was_finalised(meeting_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    AuditEvent.entity_type == "Meeting",
                    AuditEvent.entity_id == meeting_id,
                    AuditEvent.action == "finalise",
                )
            )
        )
    )


def finalised_line(meeting: Meeting) -> str:
    """'Finalised record: <title> -> /admin/meetings/1, numbers ...'; says what failed."""
    numbers = issued_numbers(meeting.id)
    archived = set(
        db.session.scalars(
            select(MeetingDocument.kind).where(
                MeetingDocument.meeting_id == meeting.id, MeetingDocument.is_final.is_(True)
            )
        )
    )
    line = f"Finalised record: {meeting.title} -> /admin/meetings/{meeting.id}"
    if numbers:
        line += " (" + ", ".join(numbers[kind] for kind in FINAL_KINDS if kind in numbers) + ")"
    missing = [kind for kind in FINAL_KINDS if kind not in archived]
    if missing:
        line += f"; PDF not rendered yet: {', '.join(missing)}"
    return line
