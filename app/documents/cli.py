"""`flask --app wsgi report KIND MEETING -o FILE`: the documents from the shell.

KIND is minutes, evaluation, attendance, berita-acara or laporan. The same path
as a download: the stored document when it is current (always the archived one
for a finalised record), otherwise rendered right here (even
when an RQ queue is configured) and stored, so the next download is instant.
MEETING is the meeting's id or its public code (e.g. rakor2024).
"""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.documents import jobs
from app.extensions import db
from app.models import Meeting
from app.signing import services as signing

report = AppGroup("report", help="Render a meeting's official documents (PDF).")


def find_meeting_id(meeting: str) -> int:
    query = select(Meeting.id).where(Meeting.code == meeting.strip().lower())
    if meeting.isdigit():
        query = select(Meeting.id).where(Meeting.id == int(meeting))
    meeting_id = db.session.scalar(query)
    if meeting_id is None:
        raise click.ClickException(f"No meeting {meeting!r} (give its id or its code).")
    return meeting_id


def write_document(kind: str, meeting: str, output: Path) -> None:
    meeting_id = find_meeting_id(meeting)
    outcome = jobs.start_document(meeting_id, kind, None, here=True)
    if isinstance(outcome, jobs.Pending):
        raise click.ClickException(f"Rendering failed: {outcome.job.error or outcome.job.status}")
    document = outcome.document
    # A final document is written as it is served: its latest signed version.
    content, sha256 = signing.latest_version(document)
    output.write_bytes(content)
    state = "final (archived)" if document.is_final else "draft"
    click.echo(f"Wrote {output} ({len(content):,} bytes, {state}).")
    click.echo(f"SHA-256 of the file: {sha256}")
    click.echo(f"Content digest:      {document.source_digest}")


# command name -> (document kind, what it writes)
COMMANDS = {
    "minutes": ("minutes", "The minutes (notulen) of MEETING as PDF."),
    "evaluation": ("evaluation", "The evaluation summary of MEETING as PDF."),
    "attendance": ("attendance", "The printable daftar hadir of MEETING as PDF."),
    "berita-acara": ("berita_acara", "The berita acara kesepakatan of MEETING as PDF."),
    "laporan": ("laporan", "The laporan hasil rakor of MEETING as PDF."),
}


def document_command(name: str, kind: str, summary: str) -> None:
    """`flask report NAME MEETING -o FILE`, one per kind of document."""

    @report.command(name, help=summary)
    @click.argument("meeting")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  required=True, help="Where to write the PDF.")  # fmt: skip
    def command(meeting: str, output: Path) -> None:
        write_document(kind, meeting, output)


for command_name, (document_kind, summary) in COMMANDS.items():
    document_command(command_name, document_kind, summary)
