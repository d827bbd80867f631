"""The input form's page as the server writes it: the marks of fields an earlier answer
makes required, the limits stated under the long fields (no HTML cut), the words the
page's script shows, and the service worker's address."""

import json
import re

import lxml.html


def page_of(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def one(page, element_id: str):
    return page.get_element_by_id(element_id.removeprefix("#"))


def mark_shown(page, field_id: str) -> bool:
    mark = one(page, f"{field_id}-field").find(".//label/span[@class='required']")
    assert mark is not None, f"{field_id} has no required mark"
    return "hidden" not in mark.attrib


def test_a_form_sent_back_marks_the_unit_of_the_chosen_role(submit, meeting, valid_submission):
    answer = submit(meeting.code, valid_submission, role="camat", kind="evaluasi")
    assert answer.status_code == 422
    page = page_of(answer)
    assert mark_shown(page, "unit_kecamatan")
    assert one(page, "#unit_kecamatan").get("aria-required") == "true"
    for other in ("unit_kelurahan", "unit_agency", "unit_organisation"):
        assert not mark_shown(page, other)
        assert one(page, f"#{other}").get("aria-required") is None
    assert mark_shown(page, "program")
    assert one(page, "#program").get("aria-required") == "true"


def test_a_fresh_form_marks_no_conditional_field(client, meeting):
    page = page_of(client.get(f"/m/{meeting.code}"))
    for field_id in ("unit_kelurahan", "unit_kecamatan", "unit_agency", "program"):
        assert not mark_shown(page, field_id)


def test_the_long_fields_state_their_limit_and_cut_nothing(client, meeting):
    page = page_of(client.get(f"/m/{meeting.code}"))
    for field_id, limit, said in (("title", "160", "160"), ("description", "4000", "4.000")):
        control = one(page, f"#{field_id}")
        assert control.get("maxlength") is None
        assert control.get("data-maxchars") == limit
        assert f"{field_id}-count" in control.get("aria-describedby").split()
        assert one(page, f"#{field_id}-count").text_content().strip() == (
            f"Paling banyak {said} karakter."
        )


def test_the_script_words_come_in_the_page_language(client, meeting):
    client.get("/bahasa/en")
    html = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    texts = json.loads(one(lxml.html.fromstring(html), "#form-texts").text)
    assert texts["countOver"] == "You have {n} characters too many"
    assert texts["queued"].startswith("Not sent yet: no network.")
    assert texts["serviceWorker"] == "/sw.js"


def test_the_service_worker_is_served_from_the_root_and_never_kept_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert re.search(r'addEventListener\("fetch"', response.get_data(as_text=True))
