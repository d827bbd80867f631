"""Audit log without phone numbers

Audit lines written before app/audit.py masked personal data may hold participants'
phone numbers (a paper import logged each whole input, an attendance edit its
number before and after). Each such value becomes the marker "•••", as
`app.audit.record` writes it now; an unchanged number in a line that logs both
sides leaves that line. The numbers cannot come back: downgrade leaves the rows as
they are.

The rule is written out here rather than imported, so this migration keeps doing
what it does today whatever app/audit.py becomes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:52:06.226226

"""

from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PERSONAL_FIELDS = ("phone",)
PERSONAL_MARKER = "•••"
BATCH = 500

audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)


def masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: mask(item) if key in PERSONAL_FIELDS else masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def mask(value: Any) -> Any:
    return PERSONAL_MARKER if value not in (None, "") else value


def scrubbed(before: Any, after: Any) -> tuple[Any, Any]:
    if isinstance(before, dict) and isinstance(after, dict):
        unchanged = {
            key
            for key in PERSONAL_FIELDS
            if key in before and key in after and before[key] == after[key]
        }
        before = {key: value for key, value in before.items() if key not in unchanged}
        after = {key: value for key, value in after.items() if key not in unchanged}
    return masked(before), masked(after)


def upgrade():
    connection = op.get_bind()
    # Only lines whose JSON text names a personal field at all; the JSON itself is read
    # and rewritten in Python, the same way on SQLite and PostgreSQL.
    mentions = sa.or_(
        *(
            sa.cast(column, sa.Text).like(f'%"{field}"%')
            for column in (audit_event.c.before, audit_event.c.after)
            for field in PERSONAL_FIELDS
        )
    )
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(audit_event.c.id, audit_event.c.before, audit_event.c.after)
            .where(mentions, audit_event.c.id > last_id)
            .order_by(audit_event.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            before, after = scrubbed(row.before, row.after)
            values = {
                name: new
                for name, old, new in (("before", row.before, before), ("after", row.after, after))
                if new != old
            }
            if values:
                connection.execute(
                    sa.update(audit_event).where(audit_event.c.id == row.id).values(**values)
                )
        last_id = rows[-1].id


def downgrade():
    # The numbers are gone for good; the marked lines are still valid audit lines.
    pass
