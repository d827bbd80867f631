"""Agency update links: a bearer token that opens one agency's open follow-ups.

A token is `secrets.token_urlsafe(24)` (192 random bits). It expires (`expires_at`,
RAKOR_AGENCY_LINK_DAYS after it is made), can be revoked, and an expired or revoked
link answers exactly as one that never existed. An agency has at most one active link:
making a new one revokes the one before. Making and revoking are audited with the first
characters of the token only; every report made through a link is audited with the
link's id (app/follow_ups/progress.py).
"""

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import case, func, select

from app.audit import record
from app.domain import CLOSED_FOLLOW_UP_STATUSES
from app.extensions import db
from app.models import Agency, AgencyLink, FollowUp, FollowUpProgress, User
from app.models.base import utcnow
from app.services import transaction

TOKEN_BYTES = 24
# What token_urlsafe makes; anything else is not looked up at all.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The audit log names a link by this many characters of its token.
AUDIT_TOKEN_PREFIX = 6


def is_active(link: AgencyLink, now=None) -> bool:
    return link.revoked_at is None and link.expires_at > (now or utcnow())


def active_link(agency_id: int) -> AgencyLink | None:
    """The agency's link that opens its follow-ups now, if any."""
    now = utcnow()
    return db.session.scalar(
        select(AgencyLink)
        .where(
            AgencyLink.agency_id == agency_id,
            AgencyLink.revoked_at.is_(None),
            AgencyLink.expires_at > now,
        )
        .order_by(AgencyLink.id.desc())
        .limit(1)
    )


def active_links(agency_ids: list[int]) -> dict[int, AgencyLink]:
    """The working link of each of these agencies that has one, in one query."""
    now = utcnow()
    links: dict[int, AgencyLink] = {}
    for link in db.session.scalars(
        select(AgencyLink)
        .where(
            AgencyLink.agency_id.in_(agency_ids),
            AgencyLink.revoked_at.is_(None),
            AgencyLink.expires_at > now,
        )
        .order_by(AgencyLink.id)
    ):
        links[link.agency_id] = link  # the newest wins, as in active_link
    return links


def resolve(token: str) -> AgencyLink | None:
    """The active link with this token; None for a token that is malformed, unknown,
    revoked or expired, all alike."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    link = db.session.scalar(select(AgencyLink).where(AgencyLink.token == token))
    if link is None or not is_active(link):
        return None
    return link


def link_url(link: AgencyLink) -> str:
    """The absolute address of the link's page, from RAKOR_PUBLIC_URL when set."""
    base = current_app.config.get("RAKOR_PUBLIC_URL")
    if base:
        return f"{base.rstrip('/')}/tl/{link.token}"
    return url_for("agency_links.open_link", token=link.token, _external=True)


def audit_values(link: AgencyLink) -> dict:
    return {
        "agency_id": link.agency_id,
        "token": link.token[:AUDIT_TOKEN_PREFIX] + "…",
        "expires_at": link.expires_at.isoformat(),
    }


@transaction
def create_link(agency: Agency, actor: User | None, *, days: int | None = None) -> AgencyLink:
    """A new link for the agency; the one it had before stops working."""
    now = utcnow()
    for old in db.session.scalars(
        select(AgencyLink).where(AgencyLink.agency_id == agency.id, AgencyLink.revoked_at.is_(None))
    ):
        if old.expires_at > now:
            old.revoked_at, old.revoked_by_id = now, actor.id if actor else None
            record(actor, "revoke", old, before=audit_values(old), after={"revoked": True})
    lifetime = days if days is not None else current_app.config["RAKOR_AGENCY_LINK_DAYS"]
    link = AgencyLink(
        agency_id=agency.id,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        expires_at=now + timedelta(days=lifetime),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(link)
    db.session.flush()
    record(actor, "create", link, after=audit_values(link))
    return link


@transaction
def revoke_link(link: AgencyLink, actor: User | None) -> bool:
    """Stop the link now; False when it was already revoked."""
    if link.revoked_at is not None:
        return False
    link.revoked_at, link.revoked_by_id = utcnow(), actor.id if actor else None
    record(actor, "revoke", link, before=audit_values(link), after={"revoked": True})
    return True


# --- using a link -------------------------------------------------------------------------


def use_link(token: str) -> AgencyLink | None:
    """The active link with this token, its last use set to now and committed (so a
    refused report after it still leaves the use on record); None as `resolve` answers."""
    link = resolve(token)
    if link is None:
        return None
    link.last_used_at = utcnow()
    db.session.commit()
    return link


def link_follow_up(link: AgencyLink, follow_up_id: int) -> FollowUp | None:
    """A follow-up the link may report on: its agency's, and still open."""
    follow_up = db.session.get(FollowUp, follow_up_id)
    if (
        follow_up is None
        or follow_up.agency_id != link.agency_id
        or follow_up.status in CLOSED_FOLLOW_UP_STATUSES
    ):
        return None
    return follow_up


def recorded_through(link: AgencyLink, follow_up_id: int, key: str) -> bool:
    """This link already recorded the report with this form key on this follow-up."""
    if not key:
        return False
    return (
        db.session.scalar(
            select(FollowUpProgress.id).where(
                FollowUpProgress.follow_up_id == follow_up_id,
                FollowUpProgress.idempotency_key == key[:64],
                FollowUpProgress.link_id == link.id,
            )
        )
        is not None
    )


# --- the secretariat's overview ---------------------------------------------------------------


@dataclass(frozen=True)
class AgencyLinks:
    """One line of the overview: an agency, its awaited follow-ups, its working link."""

    agency: Agency
    open_count: int
    overdue_count: int
    link: AgencyLink | None


def overview(today: date) -> list[AgencyLinks]:
    """Every active agency, by abbreviation, with its open and overdue follow-ups and the
    link that works now (three queries whatever the number of agencies)."""
    overdue = case((FollowUp.deadline < today, 1), else_=0)
    counts = {
        agency_id: (open_count, overdue_count or 0)
        for agency_id, open_count, overdue_count in db.session.execute(
            select(FollowUp.agency_id, func.count(FollowUp.id), func.sum(overdue))
            .where(
                FollowUp.agency_id.is_not(None),
                FollowUp.status.not_in(CLOSED_FOLLOW_UP_STATUSES),
            )
            .group_by(FollowUp.agency_id)
        )
    }
    now = utcnow()
    links = {
        link.agency_id: link
        for link in db.session.scalars(
            select(AgencyLink)
            .where(AgencyLink.revoked_at.is_(None), AgencyLink.expires_at > now)
            .order_by(AgencyLink.id)
        )
    }
    agencies = db.session.scalars(
        select(Agency).where(Agency.active.is_(True)).order_by(func.lower(Agency.abbreviation))
    )
    return [
        AgencyLinks(
            agency=agency,
            open_count=counts.get(agency.id, (0, 0))[0],
            overdue_count=int(counts.get(agency.id, (0, 0))[1]),
            link=links.get(agency.id),
        )
        for agency in agencies
    ]
