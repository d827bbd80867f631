"""One session per sign-in

Each sign-in of a staff account gets its own row in `user_session`, with a fresh
token that its cookie carries (OWASP ASVS V7.2.4); the account-wide
`user.session_token` goes.

Every cookie signed in before this upgrade carries an account-wide token that no
session row holds, so staff sign in again once. A downgrade gives each account a
new account-wide token: everyone signs in again then too.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:39:11.393630

"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


@contextmanager
def rebuilding_a_referenced_table() -> Iterator[None]:
    """On SQLite, foreign keys unenforced while a batch operation rebuilds `user`.

    SQLite drops a unique column by copying the table and dropping the old one, and
    with foreign keys enforced that drop fails on every row that names an account
    (audit lines, decisions, notes...). SQLite's documented procedure for such a
    change: foreign keys off outside the transaction, the change, a foreign key
    check, foreign keys on again. PostgreSQL alters the table in place.
    """
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    yield
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rows that refer to no row after the rebuild: {broken}")
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    # The old column first: its unique constraint has the name the new table's takes
    # (uq_user_session_token), and PostgreSQL keeps such names once per schema.
    with rebuilding_a_referenced_table(), op.batch_alter_table("user") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_session_token"), type_="unique")
        batch_op.drop_column("session_token")

    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_user_session_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token", name=op.f("uq_user_session_token")),
    )
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")

    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    connection = op.get_bind()
    for user_id in connection.scalars(sa.select(user.c.id)).all():
        connection.execute(
            sa.update(user)
            .where(user.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    with rebuilding_a_referenced_table(), op.batch_alter_table("user") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_user_session_token"), ["session_token"])
