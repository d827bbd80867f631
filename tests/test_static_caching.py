"""Static files: pages link them by version, and a versioned file is kept for a year.

A phone on a slow network loads the stylesheet once; after a change the page links a
new address, so nobody keeps an old stylesheet."""

import hashlib
import re
from pathlib import Path

from app.static_versions import StaticVersions
from config import BASE_DIR

STATIC = BASE_DIR / "static"


def linked(page: str, suffix: str) -> str:
    """The address of the first stylesheet or script of the page ending in `suffix`."""
    found = re.search(rf'(?:href|src)="(/static/[^"]*{re.escape(suffix)}\?v=[0-9a-f]+)"', page)
    assert found, f"no versioned {suffix} in the page"
    return found.group(1)


def content_version(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:12]


def test_the_public_form_links_its_stylesheet_by_content_version(client, meeting):
    page = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    address = linked(page, "css/app.css")
    assert address == f"/static/css/app.css?v={content_version('css/app.css')}"


def test_a_versioned_stylesheet_is_kept_for_a_year_without_revalidation(client, meeting):
    page = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    response = client.get(linked(page, "css/app.css"))
    assert response.status_code == 200
    assert response.data == (STATIC / "css/app.css").read_bytes()
    assert response.cache_control.max_age >= 365 * 24 * 3600
    assert response.cache_control.immutable
    assert response.cache_control.public
    assert response.mimetype == "text/css"


def test_a_staff_pages_scripts_are_versioned_too(login, meeting):
    page = login("secretariat").get(f"/admin/meetings/{meeting.id}/live").get_data(as_text=True)
    address = linked(page, "js/live.js")
    response = login("viewer").get(address)
    assert response.status_code == 200
    assert response.cache_control.max_age >= 365 * 24 * 3600
    # A static file is the same for everyone: no "no-store" for a signed-in account.
    assert not response.cache_control.no_store


def test_an_unversioned_or_outdated_address_is_revalidated(client):
    for address in ("/static/css/app.css", "/static/css/app.css?v=0123456789ab"):
        response = client.get(address)
        assert response.status_code == 200
        assert response.cache_control.max_age is None, address
        assert not response.cache_control.immutable, address
        assert response.headers.get("ETag"), address
        etag = response.headers["ETag"]
        again = client.get(address, headers={"If-None-Match": etag})
        assert again.status_code == 304, address


def test_a_changed_file_gets_a_new_version(tmp_path: Path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body { color: #000; }\n")
    versions = StaticVersions(str(tmp_path))
    first = versions.version("css/site.css")
    assert first == versions.version("css/site.css")
    sheet.write_text("body { color: #111; margin: 0; }\n")
    second = versions.version("css/site.css")
    assert second and second != first
    assert versions.version("css/missing.css") is None
    assert versions.version("../outside.css") is None
