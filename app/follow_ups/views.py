"""The follow-up register and a follow-up's own page (app/follow_ups/register.py reads)."""

from app.auth.access import FOLLOW_UP_READERS, role_required
from app.follow_ups import bp


@bp.get("/follow-ups")
@role_required(*FOLLOW_UP_READERS)
def register():
    return "", 204
