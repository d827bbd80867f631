"""Command-line tools: `flask --app wsgi seed | demo | users create | backup | restore |
privacy erase ...`."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.auth.services import MIN_PASSWORD_LENGTH
from app.cli.backup import backup_command, restore_command
from app.cli.privacy import privacy
from app.documents.cli import report
from app.domain import USER_ROLES


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(users)
    app.cli.add_command(report)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(themes_command)
    app.cli.add_command(privacy)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the reference data (pillars, regions, programs, indicators). Idempotent."""
    from app.seed import seed_reference_data

    counts = seed_reference_data()
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    click.echo(f"Reference data loaded: {summary}.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create the 2024 Pekalongan demo meeting and demo staff accounts. Idempotent."""
    config = current_app.config
    if config["RAKOR_ENV"] == "production" and not config["RAKOR_DEMO_PASSWORD"]:
        # The demo accounts' default password is printed in the README.
        raise click.ClickException(
            "refusing to create the demo accounts in production with the published password: "
            "use RAKOR_ENV=development, or set RAKOR_DEMO_PASSWORD for a throwaway database."
        )
    from app.demo import load_demo
    from app.seed import seed_reference_data

    seed_reference_data()
    meeting, logins = load_demo()
    click.echo(f"Demo meeting: {meeting.title} -> /m/{meeting.code}")
    for login in logins:
        click.echo(f"Demo login ({login.role}): {login.email} / {login.password}")


@click.command("themes")
@click.argument("meeting_code")
@with_appcontext
def themes_command(meeting_code: str) -> None:
    """Group a meeting's inputs into themes and suggest pillars (keeps the secretariat's edits)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.insight.services import recompute
    from app.models import Meeting

    meeting = db.session.scalar(select(Meeting).where(Meeting.code == meeting_code))
    if meeting is None:
        raise click.ClickException(f"no meeting with the code {meeting_code!r}")
    if meeting.status == "finalised":
        raise click.ClickException(
            f"{meeting.code} is finalised: its themes are part of its record; reopen it first"
        )
    result = recompute(meeting.id)
    click.echo(
        f"{meeting.title}: {result.themes} themes holding {result.themed_inputs} inputs; "
        f"{result.suggestions} pillar suggestions."
    )


users = AppGroup("users", help="Manage staff accounts.")

# Operators read the CLI in English, like its --help.
CLI_REFUSALS = {
    "email_invalid": "not a valid e-mail address",
    "email_taken": "a user with this e-mail already exists",
    "name_required": "a name is required",
    "role_invalid": "unknown role",
    "password_too_short": f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
    "password_too_common": "this password is too common",
}


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name as shown in the app.")
@click.option("--role", required=True, type=click.Choice(list(USER_ROLES)))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create a staff account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    from app.services import Refused
    from app.users.services import create_account

    try:
        user = create_account(None, email=email, name=name, role=role, password=password)
    except Refused as refused:
        raise click.ClickException(CLI_REFUSALS.get(refused.code, refused.code)) from refused
    click.echo(f"Created {user.role} {user.email}.")
