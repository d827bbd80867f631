"""The link preview of a meeting: what WhatsApp shows when /m/<code> is shared.

The page names a picture the app draws (og:image, absolute, with its size and type);
the picture is a 1200 x 630 JPEG under 300 KB that any image library opens."""

import html
import io
import re
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

from app.extensions import db
from app.models import Meeting

ONE_MB = 1_000_000


def meta(page: str) -> dict[str, str]:
    """The page's <meta property|name=... content=...> tags, unescaped."""
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page)
    return {name: html.unescape(content) for name, content in found}


def preview_of(client, code: str) -> dict[str, str]:
    response = client.get(f"/m/{code}")
    assert response.status_code == 200
    return meta(response.get_data(as_text=True))


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def rename(app, meeting_id: int, title: str) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).title = title
        db.session.commit()


def test_the_meeting_page_names_its_picture_with_absolute_addresses(client, meeting):
    tags = preview_of(client, meeting.code)
    assert tags["og:url"] == f"http://localhost/m/{meeting.code}"
    assert re.fullmatch(
        rf"http://localhost/m/{meeting.code}/preview\.jpg\?v=[0-9a-f]{{16}}", tags["og:image"]
    )
    assert tags["og:image:type"] == "image/jpeg"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image"
    assert meeting.title in tags["og:image:alt"]
    assert tags["og:title"] == meeting.title
    assert "Selasa, 23 Januari 2024" in tags["og:description"]


def test_the_picture_is_a_small_1200_by_630_jpeg(client, meeting):
    address = preview_of(client, meeting.code)["og:image"]
    response = client.get(local(address))
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert len(response.data) < 300_000
    picture = Image.open(io.BytesIO(response.data))
    assert picture.format == "JPEG"
    assert picture.size == (1200, 630)
    picture.load()  # the whole file decodes, not only its header
    # Mostly white with the green band: a drawing, not an empty canvas.
    colours = picture.convert("RGB").getcolors(maxcolors=ONE_MB)
    assert len(colours) > 50


def test_the_picture_is_kept_and_revalidated_by_its_etag(client, meeting):
    address = local(preview_of(client, meeting.code)["og:image"])
    response = client.get(address)
    assert response.cache_control.public
    assert response.cache_control.max_age == 3600
    etag = response.headers["ETag"]
    again = client.get(address, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_head_answers_as_get_does_without_the_picture(client, meeting):
    got = client.get(f"/m/{meeting.code}/preview.jpg")
    head = client.head(f"/m/{meeting.code}/preview.jpg")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(got.data))


def test_a_new_title_gives_a_new_picture_at_a_new_address(app, client, meeting):
    before = preview_of(client, meeting.code)["og:image"]
    first = client.get(local(before))
    rename(app, meeting.id, "Rapat Koordinasi Evaluasi Program Tahun 2025")
    after = preview_of(client, meeting.code)["og:image"]
    assert after != before
    second = client.get(local(after))
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.data != first.data
    # The picture an app kept under the old ETag is replaced, not confirmed.
    assert (
        client.get(local(after), headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 200
    )


def test_drafts_and_unknown_codes_have_no_picture(client, make_meeting):
    draft = make_meeting(code="rakor-draf", status="draft")
    assert client.get(f"/m/{draft.code}/preview.jpg").status_code == 404
    assert client.get("/m/tidak-ada/preview.jpg").status_code == 404


def test_a_closed_meeting_keeps_its_picture(client, make_meeting):
    closed = make_meeting(code="rakor-tutup", status="closed", date=date(2024, 2, 1))
    assert client.get(f"/m/{closed.code}/preview.jpg").status_code == 200


@pytest.mark.parametrize("app_config", [{"RAKOR_PUBLIC_URL": "https://rakor.example.go.id/"}])
def test_the_public_address_setting_names_the_picture(client, meeting):
    tags = preview_of(client, meeting.code)
    assert tags["og:url"] == f"https://rakor.example.go.id/m/{meeting.code}"
    assert tags["og:image"].startswith(
        f"https://rakor.example.go.id/m/{meeting.code}/preview.jpg?v="
    )


def test_a_hostile_title_is_escaped_in_the_tags_and_drawn_in_the_picture(app, client, meeting):
    title = 'Rapat "uji" <script>alert(1)</script> & <b>tebal</b>'
    rename(app, meeting.id, title)
    page = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    tags = meta(page)
    assert tags["og:title"] == title
    assert title in tags["og:image:alt"]
    picture = client.get(local(tags["og:image"]))
    assert picture.status_code == 200
    assert Image.open(io.BytesIO(picture.data)).size == (1200, 630)


def test_a_very_long_title_still_fits_the_picture(app, client, meeting):
    # As long as the column holds (300 characters; PostgreSQL refuses more).
    rename(app, meeting.id, ("Rapat Koordinasi Penanggulangan Kemiskinan Ekstrem " * 12)[:300])
    address = preview_of(client, meeting.code)["og:image"]
    response = client.get(local(address))
    assert response.status_code == 200
    assert len(response.data) < 300_000
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)


@pytest.mark.parametrize("app_config", [{"RAKOR_LOOKUP_RATE_LIMIT": "3 per minute"}])
def test_guessing_codes_is_rate_limited_but_a_real_picture_is_not_counted(client, meeting):
    # Only misses count: the real meeting's picture, asked for again and again, opens.
    real = [client.get(f"/m/{meeting.code}/preview.jpg").status_code for _ in range(5)]
    assert real == [200] * 5
    statuses = [client.get(f"/m/tebakan-{n}/preview.jpg").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


# --- the WhatsApp button of the secretariat's meeting page ---------------------------------


def whatsapp_text(page: str) -> str:
    found = re.search(r'href="https://wa\.me/\?text=([^"]+)"', page)
    assert found, "no WhatsApp button on the meeting page"
    return unquote(html.unescape(found.group(1)))


def test_the_meeting_page_sends_the_form_link_on_whatsapp(login, make_meeting):
    meeting = make_meeting(access_code="JLAMPRANG")
    page = login("secretariat").get(f"/admin/meetings/{meeting.id}").get_data(as_text=True)
    assert "Kirim tautan formulir lewat WhatsApp" in page
    text = whatsapp_text(page)
    assert text == (
        "Sampaikan masukan untuk Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024, "
        f"Selasa, 23 Januari 2024, lewat formulir ini: http://localhost/m/{meeting.code}"
    )
    assert "JLAMPRANG" not in text  # the access code is for the room


def test_the_whatsapp_text_stays_indonesian_on_an_english_staff_page(login, meeting):
    viewer = login("viewer")
    viewer.get("/bahasa/en")
    page = viewer.get(f"/admin/meetings/{meeting.id}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert whatsapp_text(page).startswith("Sampaikan masukan untuk ")


def test_a_hostile_title_is_encoded_in_the_whatsapp_link(app, login, meeting):
    rename(app, meeting.id, 'Rapat "uji" <b>&</b> #1?')
    page = login("secretariat").get(f"/admin/meetings/{meeting.id}").get_data(as_text=True)
    href = re.search(r'href="(https://wa\.me/\?text=[^"]+)"', page).group(1)
    assert re.fullmatch(r"https://wa\.me/\?text=[A-Za-z0-9%._~-]+", href)
    assert 'Rapat "uji" <b>&</b> #1?' in whatsapp_text(page)


def test_a_draft_offers_no_whatsapp_link_yet(login, make_meeting):
    draft = make_meeting(code="rakor-draf", status="draft")
    page = login("secretariat").get(f"/admin/meetings/{draft.id}").get_data(as_text=True)
    assert "wa.me" not in page
    assert "Alamat ini baru bisa dibuka peserta setelah rapat dibuka untuk masukan." in page


def test_the_picture_never_shows_the_access_code(app, make_meeting):
    """The code is for the people in the room; the picture travels with every share."""
    from app.submissions.preview import preview_text

    made = make_meeting(code="rakor-kode", access_code="K7QM-2XAB-9RTZ")
    with app.test_request_context():
        meeting = db.session.get(Meeting, made.id)
        shown = "\n".join(
            getattr(preview_text(meeting), name)
            for name in ("eyebrow", "title", "when", "venue", "action", "address")
        )
    assert "Ruang Jlamprang" in shown and "rakor-kode" in shown
    assert "K7QM" not in shown and "2XAB" not in shown
