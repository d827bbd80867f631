"""Indonesian by default, English on request, and no string left untranslated."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_an_english_translation():
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle, locale="en")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if m.pluralizable else m.string)
    }
    missing = sorted(source_messages() - translated)
    assert missing == [], f"run `make extract-messages` and translate: {missing}"


def test_indonesian_is_the_default(client, meeting):
    page = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Kirim masukan" in page
    assert "Selasa, 23 Januari 2024" in page


def test_english_is_chosen_with_the_switch_and_remembered(client, meeting):
    switch = client.get(f"/bahasa/en?next=/m/{meeting.code}")
    assert switch.status_code == 302
    assert switch.headers["Location"] == f"/m/{meeting.code}"
    page = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Send input" in page
    assert "Tuesday, 23 January 2024" in page
    assert "09:00 WIB" in page
    # The switch back is on every page.
    assert "/bahasa/id?next=" in page
    client.get("/bahasa/id")
    assert "Kirim masukan" in client.get(f"/m/{meeting.code}").get_data(as_text=True)


def test_the_switch_only_redirects_within_the_site(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "evil"):
        response = client.get("/bahasa/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/bahasa/fr")
    assert "rakor_lang" not in response.headers.get("Set-Cookie", "")
