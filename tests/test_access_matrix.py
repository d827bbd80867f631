"""The whole authorisation matrix: every /admin route for every kind of visitor.

Routes are read from the app's URL map, so a new staff route is covered the day
it is added, and a staff view without `role_required` fails the first test.
"""

import pytest

from app.auth.access import ADMIN, FOLLOW_UP_READERS, FOLLOW_UP_REPORTERS, READ, WRITE
from tests.helpers import concrete_url, csrf_from, staff_routes

# "focal": an agency's focal point (the `focal_point` fixture's account).
ROLES = ("viewer", "secretariat", "admin", "focal")


def test_every_staff_route_checks_the_role(app):
    unchecked = [
        f"{method} {rule.rule}" for rule, method, roles in staff_routes(app) if roles is None
    ]
    assert unchecked == []
    assert len(staff_routes(app)) >= 1


# A viewer (a chair, an official who only reads) signs the final documents that bear
# their name: the one change a viewer makes, and only in their own turn (the service
# checks the account and the order; tests/test_signing_flow.py).
VIEWER_POSTS = {"/admin/documents/<int:document_id>/signing/sign"}


def test_write_routes_are_never_open_to_viewers(app):
    writes = [(rule, method, roles) for rule, method, roles in staff_routes(app) if method != "GET"]
    assert len(writes) >= 10  # meetings, review, minutes, documents, users, reference data...
    assert {rule.rule for rule, _method, _roles in writes} >= VIEWER_POSTS
    for rule, method, roles in writes:
        if rule.rule in VIEWER_POSTS:
            continue
        assert "viewer" not in roles, f"{method} {rule.rule} lets a viewer change data"


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(app, client, meeting):
    for rule, method, _roles in staff_routes(app):
        response = client.open(concrete_url(rule, meeting.id), method=method)
        if method == "GET":
            assert response.status_code == 302, f"{method} {rule.rule}"
            assert response.headers["Location"].startswith("/login"), f"{method} {rule.rule}"
        else:
            # Without a session there is no CSRF token either: refused before anything runs.
            assert response.status_code in (302, 400), f"{method} {rule.rule}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_routes(app, login, meeting, role, request):
    if role == "focal":
        request.getfixturevalue("focal_point")
    client = login(role)
    # Every role's start page carries the sign-out form, and with it a CSRF token.
    token = csrf_from(client, "/admin/follow-ups")
    for rule, method, roles in staff_routes(app):
        url = concrete_url(rule, meeting.id)
        data = {"csrf_token": token} if method != "GET" else None
        response = client.open(url, method=method, data=data)
        response.close()  # a streamed export ends its request here, not when collected
        where = f"{role}: {method} {rule.rule} -> {response.status_code}"
        if role in roles:
            assert response.status_code != 403, where
            assert not response.headers.get("Location", "").startswith("/login"), where
            assert response.status_code < 500, where
        else:
            assert response.status_code == 403, where


def test_posts_without_a_csrf_token_are_refused(app, login, meeting):
    client = login("admin")
    for rule, method, _roles in staff_routes(app):
        if method == "GET":
            continue
        response = client.open(concrete_url(rule, meeting.id), method=method, data={})
        assert response.status_code == 400, f"{method} {rule.rule}"
        assert "Formulir kedaluwarsa" in response.get_data(as_text=True)


def test_role_groups_are_nested():
    assert set(ADMIN) <= set(WRITE) <= set(READ)
    assert set(FOLLOW_UP_REPORTERS) <= set(FOLLOW_UP_READERS)
    assert "focal" not in READ


def test_a_focal_point_reaches_only_the_follow_up_routes(app):
    """A focal point sees its agency's follow-ups and nothing else of the staff side."""
    focal = sorted(
        {rule.rule for rule, _method, roles in staff_routes(app) if roles and "focal" in roles}
    )
    assert "/admin/follow-ups" in focal
    assert "/admin/follow-ups/<int:follow_up_id>/progress" in focal
    outside = [rule for rule in focal if not rule.startswith("/admin/follow-ups")]
    assert outside == []


def test_themes_are_read_by_every_staff_role_and_edited_by_the_secretariat(app):
    """The theme pages and the pillar check (app/insight/views.py)."""
    routes = {
        (rule.rule, method): set(roles)
        for rule, method, roles in staff_routes(app)
        if "/themes" in rule.rule or rule.rule.endswith("/pillar-check")
    }
    meeting = "/admin/meetings/<int:meeting_id>"
    theme = f"{meeting}/themes/<int:theme_id>"
    assert routes == {
        (f"{meeting}/themes", "GET"): set(READ),
        (theme, "GET"): set(READ),
        (f"{meeting}/pillar-check", "GET"): set(READ),
        (f"{meeting}/themes/recompute", "POST"): set(WRITE),
        (f"{theme}/rename", "POST"): set(WRITE),
        (f"{theme}/move", "POST"): set(WRITE),
        (f"{theme}/merge", "POST"): set(WRITE),
    }


def test_need_data_is_the_admins_and_voice_against_need_every_readers(app):
    allowed = {(rule.rule, method): roles for rule, method, roles in staff_routes(app)}
    assert allowed[("/admin/need", "GET")] == ADMIN
    assert allowed[("/admin/need", "POST")] == ADMIN
    assert allowed[("/admin/need/<int:dataset_id>/delete", "POST")] == ADMIN
    assert allowed[("/admin/meetings/<int:meeting_id>/voice", "GET")] == READ


def test_invitations_are_the_secretariats_alone(app):
    """Personal links and phone numbers (app/attendance/invitation_views.py): WRITE only."""
    routes = {
        (rule.rule, method): set(roles)
        for rule, method, roles in staff_routes(app)
        if "/invitations" in rule.rule
    }
    page = "/admin/meetings/<int:meeting_id>/invitations"
    line = f"{page}/<int:attendee_id>"
    assert routes == {
        (page, "GET"): set(WRITE),
        (f"{page}/template.xlsx", "GET"): set(WRITE),
        (f"{page}/import", "POST"): set(WRITE),
        (f"{page}/links", "POST"): set(WRITE),
        (f"{page}/cards", "GET"): set(WRITE),
        (f"{line}/sent", "POST"): set(WRITE),
        (f"{line}/unsent", "POST"): set(WRITE),
        (f"{line}/whatsapp", "POST"): set(WRITE),
    }
