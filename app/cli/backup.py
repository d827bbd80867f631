"""`flask --app wsgi backup` and `flask --app wsgi restore`: the database as one file.

SQLite is copied online with its own backup API (a consistent copy while the app
keeps taking input), then checked with `PRAGMA integrity_check`. PostgreSQL is
dumped with `pg_dump --format=custom` and restored with `pg_restore`, the
PostgreSQL way (docs/DEPLOY.md, "Backups"). Rendered documents, finalised
minutes included, live in the database, so the one file holds the whole record.

`restore --into` writes a backup into another database, for a restore drill that
leaves the live one alone; without it the live database is replaced (stop the
app first). Either way the backup is read first: it must hold this code's schema
(its alembic_version at the migrations' head, every table of the models), or
nothing is touched.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from app.extensions import db, migrate

BACKUP_PREFIX = "rakor-"
KEEP_EVERY_COPY = 1_000_000  # a safety copy prunes nothing
SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}
# Tables whose row counts a backup reports, so that an operator sees what it holds.
COUNTED = ("meeting", "submission", "user", "meeting_document")


def database_url() -> URL:
    # The engine's URL: Flask-SQLAlchemy resolves a relative SQLite path into instance/.
    return db.engine.url


@click.command("backup")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    show_default="RAKOR_BACKUP_DIR or instance/backups",
    help="Folder for the backup files.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=14,
    show_default=True,
    help="How many backups to keep in the folder; older ones are deleted.",
)
@with_appcontext
def backup_command(output_dir: Path | None, keep: int) -> None:
    """Write a consistent copy of the database to a new file, then prune old copies."""
    write_backup(output_dir or backup_dir(), keep)


def backup_dir() -> Path:
    return Path(current_app.config["RAKOR_BACKUP_DIR"])


def write_backup(output_dir: Path, keep: int) -> None:
    # The folder and every file in it, partial ones too, are the owner's only.
    previous_umask = os.umask(0o077)
    try:
        _write_backup(output_dir, keep)
    finally:
        os.umask(previous_umask)


def _write_backup(output_dir: Path, keep: int) -> None:
    url = database_url()
    kind = url.get_backend_name()
    if kind not in SUFFIXES:
        raise click.ClickException(f"Backups support SQLite and PostgreSQL, not {kind}.")
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = output_dir / f"{BACKUP_PREFIX}{stamp}{SUFFIXES[kind]}"
    if target.exists():
        raise click.ClickException(f"{target} exists already; try again in a second.")
    partial = target.with_name(target.name + ".partial")
    try:
        if kind == "sqlite":
            backup_sqlite(url, partial)
        else:
            run_tool(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)], url)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    os.chmod(target, 0o600)  # it holds participants' phone numbers (pg_dump's own mode aside)
    click.echo(f"Backup written: {target} ({target.stat().st_size:,} bytes)")
    if kind == "sqlite":
        click.echo("Holds: " + ", ".join(f"{n} {t}" for t, n in sqlite_counts(target).items()))
    for old in prune(output_dir, SUFFIXES[kind], keep):
        click.echo(f"Removed old backup: {old}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "into_url",
    envvar="RAKOR_RESTORE_INTO",
    help="Restore into this database URL instead of the app's (a restore drill); "
    "RAKOR_RESTORE_INTO keeps a password out of the process list.",
)
@click.option(
    "--safety-dir",
    type=click.Path(file_okay=False, path_type=Path),
    show_default="RAKOR_BACKUP_DIR or instance/backups",
    help="Where the live database is backed up first, before it is replaced.",
)
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(
    backup_file: Path, into_url: str | None, safety_dir: Path | None, yes: bool
) -> None:
    """Replace a database's content with a backup made by `flask backup`."""
    url = make_url(into_url) if into_url else database_url()
    kind = url.get_backend_name()
    if backup_file.suffix != SUFFIXES.get(kind):
        raise click.ClickException(
            f"{backup_file.name} is not a {kind} backup (expected a {SUFFIXES.get(kind)} file)."
        )
    if kind == "sqlite":
        check_sqlite(backup_file)
        version, tables = sqlite_schema(backup_file)
    else:
        version, tables = pg_archive_schema(backup_file)
    check_schema(backup_file, version, tables)
    if not yes:
        click.confirm(
            f"Replace everything in {url.render_as_string(hide_password=True)} with {backup_file}?",
            abort=True,
        )
    if not into_url:
        # A restore of the wrong file must be undoable: the database as it is, first.
        click.echo("A safety copy of the live database first:")
        write_backup(safety_dir or backup_dir(), keep=KEEP_EVERY_COPY)
        db.session.remove()
        db.engine.dispose()  # this process lets go of the database before it changes
    if kind == "sqlite":
        restore_sqlite(backup_file, Path(url.database))
        counts = ", ".join(f"{n} {t}" for t, n in sqlite_counts(Path(url.database)).items())
        click.echo(f"Restored {backup_file} -> {url.database} ({counts}).")
    else:
        run_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(backup_file),
            ],
            url,
            database_option="--dbname",
        )
        click.echo(f"Restored {backup_file} -> {url.render_as_string(hide_password=True)}.")


# --- what a backup holds ---------------------------------------------------------------


def check_schema(backup_file: Path, version: str | None, tables: set[str]) -> None:
    """Refuse a backup that is not of this code's schema, before anything is replaced.

    A backup of another Rakor version (older or newer) would leave a database the
    running code misreads; one without Rakor's tables is some other application's.
    """
    if version is None:
        raise click.ClickException(
            f"{backup_file} is not a Rakor backup (no alembic_version with one version)."
        )
    head = head_revision()
    if version != head:
        raise click.ClickException(
            f"{backup_file} holds schema version {version}, but this code needs {head}. "
            "Restore it with the Rakor release that wrote it (then update the code and "
            "run `flask db upgrade`), or choose a backup of this release."
        )
    missing = sorted(set(db.metadata.tables) - tables)
    if missing:
        raise click.ClickException(
            f"{backup_file} is not a complete Rakor backup: "
            f"it lacks the tables {', '.join(missing)}."
        )


def head_revision() -> str:
    """The schema version this code's migrations end at."""
    return ScriptDirectory.from_config(migrate.get_config()).get_current_head()


# --- SQLite ------------------------------------------------------------------------


def backup_sqlite(url: URL, target: Path) -> None:
    source = sqlite3.connect(url.database, timeout=15)
    try:
        copy = sqlite3.connect(target)
        try:
            # Page by page, letting writers in between; a write during the copy restarts
            # the remaining steps, so the copy is always one consistent state.
            source.backup(copy, pages=1024)
            # One self-contained file: no -wal or -shm beside it (the app turns WAL
            # back on when it opens a restored database).
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    check_sqlite(target)


def check_sqlite(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            has_schema = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a readable SQLite database: {error}") from error
    if verdict != "ok":
        raise click.ClickException(f"{path} failed its integrity check: {verdict}")
    if not has_schema:
        raise click.ClickException(f"{path} is not a Rakor database (no alembic_version).")


def sqlite_schema(path: Path) -> tuple[str | None, set[str]]:
    """The backup's alembic_version (None without one) and its tables."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "alembic_version" not in tables:
            return None, tables
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        connection.close()
    return (versions[0][0] if len(versions) == 1 else None), tables


def restore_sqlite(backup_file: Path, database: Path) -> None:
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        # A new file (a drill's) is the owner's only from the start, as the app's is.
        previous_umask = os.umask(0o077)
        try:
            target = sqlite3.connect(database, timeout=15)
        finally:
            os.umask(previous_umask)
        try:
            source.backup(target)  # one step: the target changes in a single transaction
        finally:
            target.close()
    finally:
        source.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in COUNTED
        }
    finally:
        connection.close()


# --- PostgreSQL ----------------------------------------------------------------------


# `pg_restore --list`: "215; 1259 16388 TABLE public meeting rakor" (TABLE DATA aside).
ARCHIVE_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ", re.MULTILINE)


def pg_archive_schema(path: Path) -> tuple[str | None, set[str]]:
    """The archive's alembic_version (None without one) and its tables, read by pg_restore.

    Nothing is restored: without --dbname pg_restore only prints the archive.
    """
    tables = set(ARCHIVE_TABLE.findall(read_archive(["--list", str(path)])))
    if "alembic_version" not in tables:
        return None, tables
    script = read_archive(["--data-only", "--table=alembic_version", "--file=-", str(path)])
    # COPY public.alembic_version (version_num) FROM stdin;  then one row per line, then \.
    rows = re.search(r"^COPY \S*alembic_version .*?;\n(.*?)^\\\.$", script, re.M | re.S)
    versions = rows.group(1).splitlines() if rows else []
    return (versions[0] if len(versions) == 1 else None), tables


def read_archive(arguments: list[str]) -> str:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise click.ClickException(
            "pg_restore is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(  # noqa: S603 (fixed tool, a file the operator named)
        [pg_restore, *arguments], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise click.ClickException(
            f"{arguments[-1]} is not a readable pg_dump archive: {result.stderr.strip()}"
        )
    return result.stdout


def run_tool(command: list[str], url: URL, database_option: str = "--dbname") -> None:
    """Run pg_dump/pg_restore against `url`; the password goes by environment, not argv."""
    tool = command[0]
    if shutil.which(tool) is None:
        raise click.ClickException(
            f"{tool} is not installed (Debian: apt-get install postgresql-client)."
        )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    libpq = url.set(drivername="postgresql", password=None)
    target = libpq.render_as_string(hide_password=False)
    result = subprocess.run(  # noqa: S603 (fixed tool, URL from the app's own config)
        [*command, f"{database_option}={target}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise click.ClickException(f"{tool} failed: {result.stderr.strip()}")


def prune(folder: Path, suffix: str, keep: int) -> list[Path]:
    backups = sorted(folder.glob(f"{BACKUP_PREFIX}*{suffix}"))
    old = backups[:-keep]
    for path in old:
        path.unlink()
    return old
