"""The demo: the 2024 Pekalongan meeting with realistic input, and demo staff accounts.

The meeting's content lives in `rakor2024.json` beside this file: the meeting, the
city agencies (OPD) and the participants' inputs. Unit, location and program names
match the reference CSVs; in an input, "minutes_after_start" counts from the
meeting's start time, and near-duplicate pairs are there on purpose (for duplicate
detection in review).

Idempotent: the meeting is found by its code, each input by its idempotency key,
each account by its e-mail, so running it again changes nothing.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.auth.services import find_user
from app.extensions import db
from app.models import (
    Agency,
    AgendaItem,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Meeting,
    Pillar,
    Program,
    Submission,
)
from app.submissions.services import new_receipt_code
from app.users.services import create_account

DEMO_MEETING_CODE = "rakor2024"
DEMO_TIMEZONE = ZoneInfo("Asia/Jakarta")
# Demo data only: `flask demo` is for a laptop, never for a real installation.
DEMO_PASSWORD_DEFAULT = "sekretariat-demo-2024"  # noqa: S105

CONTENT = json.loads((Path(__file__).parent / "rakor2024.json").read_text(encoding="utf-8"))
MEETING: dict = CONTENT["meeting"]
AGENCIES: list[tuple[str, str]] = [(a["abbreviation"], a["name"]) for a in CONTENT["agencies"]]
SUBMISSIONS: list[dict] = CONTENT["submissions"]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str


def load_demo() -> tuple[Meeting, list[DemoLogin]]:
    seed_agencies()
    meeting = demo_meeting()
    add_submissions(meeting)
    logins = demo_accounts()
    db.session.commit()
    return meeting, logins


def seed_agencies() -> None:
    existing = {a.abbreviation: a for a in db.session.scalars(select(Agency))}
    for abbreviation, name in AGENCIES:
        if abbreviation not in existing:
            db.session.add(Agency(abbreviation=abbreviation, name=name))
    db.session.flush()


def demo_meeting() -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.code == DEMO_MEETING_CODE))
    if meeting is not None:
        return meeting
    meeting = Meeting(
        code=DEMO_MEETING_CODE,
        title=MEETING["title"],
        date=date.fromisoformat(MEETING["date"]),
        start_time=time.fromisoformat(MEETING["start_time"]),
        venue=MEETING["venue"],
        # The demo stays open so a newcomer can try the form from a phone.
        status="open",
        chair_name=MEETING["chair_name"],
        chair_position=MEETING["chair_position"],
        chair_nip=MEETING["chair_nip"],
        notetaker_name=MEETING["notetaker_name"],
        notetaker_position=MEETING["notetaker_position"],
        notetaker_nip=MEETING["notetaker_nip"],
        opening=MEETING["opening"],
    )
    meeting.agenda_items = [
        AgendaItem(position=position, title=title)
        for position, title in enumerate(MEETING["agenda"], start=1)
    ]
    meeting.pillars = list(db.session.scalars(select(Pillar).order_by(Pillar.position)))
    db.session.add(meeting)
    db.session.flush()
    return meeting


def add_submissions(meeting: Meeting) -> None:
    known = set(
        db.session.scalars(
            select(Submission.idempotency_key).where(Submission.meeting_id == meeting.id)
        )
    )
    pillars = {p.code: p.id for p in db.session.scalars(select(Pillar))}
    kecamatan = {k.name: k.id for k in db.session.scalars(select(Kecamatan))}
    kelurahan = {k.name: k.id for k in db.session.scalars(select(Kelurahan))}
    agencies = {a.abbreviation: a.id for a in db.session.scalars(select(Agency))}
    programs = {p.name: p.id for p in db.session.scalars(select(Program))}
    start = datetime.combine(meeting.date, meeting.start_time, DEMO_TIMEZONE).astimezone(UTC)

    for number, item in enumerate(SUBMISSIONS, start=1):
        key = f"demo-{number:03d}"
        if key in known:
            continue
        role, unit = item["role"], item["unit"]
        submitted_at = start + timedelta(minutes=item["minutes_after_start"])
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
            location_id=kelurahan.get(item["location"]) if item["location"] else None,
            target_group=item["target_group"],
            program_id=programs.get(item["program"]) if item["program"] else None,
            beneficiaries=item["beneficiaries"],
            cost=item["cost"],
            submitted_at=submitted_at,
            status=item["status"],
            decision_reason=item["decision_reason"],
            decided_at=submitted_at + timedelta(hours=4) if item["status"] != "received" else None,
        )
        db.session.add(submission)
        if item["status"] == "follow_up":
            db.session.flush()
            db.session.add(
                FollowUp(
                    meeting_id=meeting.id,
                    submission_id=submission.id,
                    action=item["title"],
                    agency_id=agencies.get(item["unit"]) if role == "opd" else None,
                    deadline=date(meeting.date.year, 6, 30),
                )
            )
    db.session.flush()


def demo_accounts() -> list[DemoLogin]:
    password = current_app.config["RAKOR_DEMO_PASSWORD"] or DEMO_PASSWORD_DEFAULT
    wanted = [
        DemoLogin("sekretariat@rakor.test", password, "secretariat"),
        DemoLogin("admin@rakor.test", password, "admin"),
    ]
    for login in wanted:
        if find_user(login.email) is None:
            name = "Sekretariat Bappeda (demo)" if login.role == "secretariat" else "Admin (demo)"
            create_account(
                None, email=login.email, name=name, role=login.role, password=login.password
            )
    return wanted
