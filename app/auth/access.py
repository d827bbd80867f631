"""Who may do what on the staff side.

admin       everything, including users and reference data
secretariat prepares meetings, reviews input, writes the minutes
viewer      reads the dashboard and documents (the chair, the mayor's office)
focal       an agency's focal point: sees and reports on its own agency's follow-ups
            (the register, a follow-up's page, its RTL workbook), nothing else

Participants' phone numbers are personal data: only PERSONAL_DATA sees them, on
pages, in forms and in exports. Templates ask `sees_personal_data()`.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, url_for
from flask_login import current_user, login_required

from app.auth import bp
from app.extensions import db
from app.models import Agency, User

READ = ("admin", "secretariat", "viewer")
WRITE = ("admin", "secretariat")
ADMIN = ("admin",)
# The follow-up register and a follow-up's progress: every staff role reads them, a
# focal point its own agency's only (`agency_scope`); FOLLOW_UP_REPORTERS add progress.
FOLLOW_UP_READERS = (*READ, "focal")
FOLLOW_UP_REPORTERS = (*WRITE, "focal")
# Who sees phone numbers: the Bappeda secretariat staff. Everyone who may edit an
# attendee (WRITE) is in it, since the attendee form carries the number.
PERSONAL_DATA = ("admin", "secretariat")


def role_required(*roles: str) -> Callable:
    """Sign-in first (redirect to /login), then 403 unless the user has one of `roles`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the authorisation-matrix test
        return wrapped

    return decorator


# In templates as user_can_write(): a page whose view passes `can_write` keeps its own.
@bp.app_template_global("user_can_write")
def can_write() -> bool:
    return current_user.is_authenticated and current_user.role in WRITE


def is_admin() -> bool:
    return current_user.is_authenticated and current_user.role == "admin"


@bp.app_template_global()
def sees_personal_data() -> bool:
    return current_user.is_authenticated and current_user.role in PERSONAL_DATA


def agency_scope() -> int | None:
    """The one agency a signed-in focal point may see; None for every other role."""
    return current_user.agency_id if current_user.role == "focal" else None


@bp.app_template_global()
def focal_agency_label() -> str:
    """The agency a signed-in focal point reports for, as the staff bar names it."""
    agency = db.session.get(Agency, current_user.agency_id) if current_user.agency_id else None
    return agency.abbreviation if agency else ""


@bp.app_template_global("staff_home_url")
def home_url() -> str:
    """Where a signed-in account starts: the meetings, or a focal point's follow-ups."""
    if current_user.is_authenticated and current_user.role == "focal":
        return url_for("follow_ups.register")
    return url_for("meetings.index")


def current_actor() -> User:
    """The signed-in user as a row of this request's session, to hand to a service."""
    return db.session.get(User, current_user.id)
