"""The audit log: who changed what, when, with the values before and after.

Services call `record` inside their own transaction, so the change and its
audit line are committed together or not at all.
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

from app.extensions import db
from app.models import AuditEvent, User


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
    event = AuditEvent(
        user_id=actor.id if actor else None,
        meeting_id=meeting_id,
        entity_type=type(entity).__name__ if entity is not None else "",
        entity_id=getattr(entity, "id", None),
        action=action,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
