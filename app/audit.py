"""The audit log: who changed what, when, with the values before and after.

Services call `record` inside their own transaction, so the change and its
audit line are committed together or not at all.

Personal data (participants' phone numbers) never enters the log: `record` writes
PERSONAL_MARKER in place of any value of a PERSONAL_FIELDS key, at any depth, so a
line still says that the number was given, changed or removed, but not what it is.
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

from app.extensions import db
from app.models import AuditEvent, User

# Submission.phone and Attendee.phone, and the same key in any dict a service logs.
PERSONAL_FIELDS = frozenset({"phone"})
PERSONAL_MARKER = "•••"


def snapshot(entity: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The entity's column values as JSON-safe data (binary columns left out)."""
    mapper = inspect(entity).mapper
    names = fields or tuple(column.key for column in mapper.column_attrs)
    values = {}
    for name in names:
        value = getattr(entity, name)
        if isinstance(value, bytes):
            continue
        values[name] = to_json(value)
    return values


def to_json(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, so the log reads as a diff."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def record(
    actor: User | None,
    action: str,
    entity: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    meeting_id: int | None = None,
) -> AuditEvent:
    if entity is not None and getattr(entity, "id", None) is None:
        db.session.flush()
    before, after = without_unchanged_personal_data(before, after)
    event = AuditEvent(
        user_id=actor.id if actor else None,
        meeting_id=meeting_id,
        entity_type=type(entity).__name__ if entity is not None else "",
        entity_id=getattr(entity, "id", None),
        action=action,
        before=masked(before),
        after=masked(after),
    )
    db.session.add(event)
    return event


def without_unchanged_personal_data(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Whole snapshots on both sides: an unchanged phone number leaves the line, since
    masked it would look the same as a changed one."""
    if before is None or after is None:
        return before, after
    unchanged = {
        key
        for key in PERSONAL_FIELDS
        if key in before and key in after and before[key] == after[key]
    }
    if not unchanged:
        return before, after
    return (
        {key: value for key, value in before.items() if key not in unchanged},
        {key: value for key, value in after.items() if key not in unchanged},
    )


def masked(value: Any) -> Any:
    """`value` with every personal field's value replaced by the marker (an empty one
    stays empty, so "given" and "removed" still read)."""
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
