"""The demo: what Rakor makes of a meeting, and a meeting under way.

Two meetings of Kota Pekalongan, their content in JSON files beside this one:

- `rakor2024.json`, the 2024 meeting as a finished record: every input reviewed
  (near-duplicates merged, follow-ups with an agency and a deadline), the
  discussion of each agenda item, the conclusions, the daftar hadir, the berita
  acara's signatories and the laporan's texts. It is then closed and finalised
  through the service the secretariat's "Finalkan" button uses, which numbers the
  documents and archives their PDFs.
- `rakor2025.json`, the next year's meeting, open for input and caught mid-meeting:
  fifteen inputs partly reviewed (three of them 2024 inputs in other words, which
  review marks "Berulang", and one whose participant chose a pillar the suggestions
  disagree with), a few check-ins, no conclusions yet. It follows the 2024
  meeting, so its notulen evaluate the 2024 follow-ups still open on its date.
- Both meetings' inputs grouped into themes, each with a pillar suggestion
  (app/insight), as the secretariat's "Hitung ulang tema" button makes them.
- `progress2024.json`, the year in between: progress reports on the 2024 follow-ups
  (progress.py), the focal point account of one agency, and an update link for another,
  which `flask demo` prints.

The 2024 record's note-taker and chair have accounts of their own, and with the
development settings the notulen and the berita acara are signed with a demo seal
the demo makes (signatures.py); the laporan waits for the chair to sign it.

`people.json` holds the officials (with their NIPs) and the name lists that give
the lurah the files do not name a name, always the same one. Unit, location and
program names match the reference CSVs; "minutes_after_start" counts from the
meeting's start; near-duplicate inputs are there on purpose (duplicate detection).

Idempotent: meetings are found by code, inputs by idempotency key, accounts by
e-mail; what a meeting already has (a text, an attendance list, signatories) is
kept, and a finalised record is not touched at all.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app.auth.services import find_user
from app.demo.meetings import complete_meeting, demo_meeting, finish_record, was_finalised
from app.demo.progress import add_progress, agency_link_line, focal_point_account, follow_earlier
from app.demo.signatures import prepare_demo_seal, sign_demo_record
from app.extensions import db
from app.insight import services as insight
from app.insight.need import import_need, need_datasets
from app.models import Agency, Meeting
from app.users.services import create_account

HERE = Path(__file__).parent
DEMO_MEETING_CODE = "rakor2024"
# Demo data only: `flask demo` is for a laptop, never for a real installation.
DEMO_PASSWORD_DEFAULT = "sekretariat-demo-2024"  # noqa: S105
SECRETARIAT_EMAIL = "sekretariat@rakor.test"
ADMIN_EMAIL = "admin@rakor.test"
# The 2024 record's signers: the note-taker works in the secretariat, the chair reads.
NOTETAKER_EMAIL = "notulis@rakor.test"
CHAIR_EMAIL = "pimpinan@rakor.test"


def read_json(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


CONTENT = read_json("rakor2024.json")
WORKSPACE = read_json("rakor2025.json")
PEOPLE = read_json("people.json")
MEETING: dict = CONTENT["meeting"]
AGENCIES: list[tuple[str, str]] = [(a["abbreviation"], a["name"]) for a in CONTENT["agencies"]]
SUBMISSIONS: list[dict] = CONTENT["submissions"]
WORKSPACE_MEETING_CODE: str = WORKSPACE["meeting"]["code"]
NEED_DEMO_MEASURE = "Rumah tangga desil 1-2 DTSEN (ilustrasi demo)"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    name: str


def load_demo(echo: Callable[[str], None] = click.echo) -> tuple[Meeting, list[DemoLogin]]:
    """Both meetings and the demo accounts; returns the meeting open for input.

    `echo` gets a line on the 2024 record: finalised (with its numbers), or why not;
    and one on each of its documents' signatures.
    """
    seed_agencies()
    logins = demo_accounts()
    focal_email, _password, focal_agency = focal_point_account(logins[0].password)
    logins.append(DemoLogin(focal_email, logins[0].password, "focal", focal_agency))
    db.session.commit()
    secretariat, admin = find_user(SECRETARIAT_EMAIL), find_user(ADMIN_EMAIL)
    prepare_demo_seal(echo)
    # Before the 2024 record is finalised, so its evaluation carries the map.
    demo_need(admin)

    record = demo_meeting(DEMO_MEETING_CODE, MEETING, PEOPLE)
    # A record an admin finalised and reopened is theirs to correct: not refilled.
    if not was_finalised(record.id):
        complete_meeting(record, CONTENT, PEOPLE, reviewer=secretariat)
        db.session.commit()
        # Before it is finalised: the record's evaluation and laporan print these themes.
        refresh_insight(record, secretariat)
    echo(finish_record(record.id, MEETING, admin))
    signers = {"notetaker": find_user(NOTETAKER_EMAIL), "chair": find_user(CHAIR_EMAIL)}
    sign_demo_record(record.id, {**signers, "admin": admin}, logins[0].password, echo)
    # After the record is finalised and signed: progress never renders it again.
    record = db.session.get(Meeting, record.id)
    add_progress(record, secretariat, find_user(focal_email))
    db.session.commit()
    echo(agency_link_line(secretariat))

    workspace = demo_meeting(WORKSPACE_MEETING_CODE, WORKSPACE["meeting"], PEOPLE)
    complete_meeting(workspace, WORKSPACE, PEOPLE, reviewer=secretariat)
    follow_earlier(workspace, record)
    db.session.commit()
    refresh_insight(workspace, secretariat)
    return workspace, logins


def refresh_insight(meeting: Meeting, secretariat) -> None:
    """Themes and pillar suggestions, as the secretariat's "Hitung ulang tema" makes them."""
    if not insight.computed(meeting.id) or insight.pending_inputs(meeting.id):
        insight.recompute(meeting.id, secretariat)


def demo_need(admin) -> None:
    """Illustrative need figures per kelurahan (need_demo.csv says so), imported once."""
    if not any(line.measure == NEED_DEMO_MEASURE for line in need_datasets()):
        import_need(admin, measure=NEED_DEMO_MEASURE, content=(HERE / "need_demo.csv").read_bytes())


def seed_agencies() -> None:
    existing = {a.abbreviation: a for a in db.session.scalars(select(Agency))}
    for abbreviation, name in AGENCIES:
        if abbreviation not in existing:
            db.session.add(Agency(abbreviation=abbreviation, name=name))
    db.session.flush()


def demo_accounts() -> list[DemoLogin]:
    password = current_app.config["RAKOR_DEMO_PASSWORD"] or DEMO_PASSWORD_DEFAULT
    wanted = [
        DemoLogin(SECRETARIAT_EMAIL, password, "secretariat", "Sekretariat Bappeda (demo)"),
        DemoLogin(ADMIN_EMAIL, password, "admin", "Admin (demo)"),
        DemoLogin(NOTETAKER_EMAIL, password, "secretariat", MEETING["notetaker_name"]),
        DemoLogin(CHAIR_EMAIL, password, "viewer", MEETING["chair_name"]),
    ]
    for login in wanted:
        if find_user(login.email) is None:
            create_account(
                None, email=login.email, name=login.name, role=login.role, password=login.password
            )
    return wanted
