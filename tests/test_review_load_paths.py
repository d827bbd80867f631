"""The queue's text search (count and page from one query) and the live counts (one GROUP BY).

Both were reshaped for speed with 10,000 inputs (bench/review_load.py); these tests hold
them to what a reviewer and the projector saw before: the same totals, pages and counts.
"""

import re

from app.models import Agency, Pillar
from tests.helpers import add_submission, queue_url, ref_id, text, titles_in_queue


def add_search_submissions(app, meeting_id: int) -> list[str]:
    """60 inputs that mention DTKS (in the title, the description or the name), 5 that do not.

    Returns the matching titles, newest first.
    """
    matching = []
    for minute in range(60):
        title = f"Usulan {minute:02d}"
        where = minute % 3
        add_submission(
            app,
            meeting_id,
            minute,
            title=f"{title} pemutakhiran DTKS" if where == 0 else title,
            description="Data dtks belum mutakhir." if where == 1 else "Pelatihan membatik.",
            organisation="Forum Dtks" if where == 2 else "",
        )
        matching.append(f"{title} pemutakhiran DTKS" if where == 0 else title)
    for minute in range(60, 65):
        add_submission(app, meeting_id, minute, title=f"Lain {minute}", organisation="PKK")
    return list(reversed(matching))


def test_a_search_counts_every_match_and_pages_them(app, login, meeting, make_meeting):
    viewer = login("viewer")
    newest_first = add_search_submissions(app, meeting.id)
    other = make_meeting(code="rakor-lain")
    add_submission(app, other.id, title="Rapat lain: DTKS")

    first = text(viewer.get(queue_url(meeting.id), query_string={"q": "dtks"}))
    assert "60 masukan cocok dengan saringan" in first
    assert "Halaman 1 dari 2" in first
    assert titles_in_queue(first) == newest_first[:50]

    second = text(viewer.get(queue_url(meeting.id), query_string={"q": "dtks", "page": "2"}))
    assert "60 masukan cocok dengan saringan" in second
    assert "menampilkan 51–60" in second
    assert titles_in_queue(second) == newest_first[50:]


def test_a_search_sorted_by_title(app, login, meeting):
    viewer = login("viewer")
    newest_first = add_search_submissions(app, meeting.id)
    page = text(viewer.get(queue_url(meeting.id), query_string={"q": "DTKS", "sort": "title"}))
    assert "60 masukan cocok dengan saringan" in page
    assert titles_in_queue(page) == sorted(newest_first, key=str.lower)[:50]


def test_a_search_page_past_the_end_shows_the_last_page(app, login, meeting):
    viewer = login("viewer")
    newest_first = add_search_submissions(app, meeting.id)
    page = text(viewer.get(queue_url(meeting.id), query_string={"q": "dtks", "page": "9"}))
    assert "Halaman 2 dari 2" in page
    assert "menampilkan 51–60" in page
    assert titles_in_queue(page) == newest_first[50:]


def test_a_search_with_a_filter_counts_only_what_both_match(app, login, meeting):
    viewer = login("viewer")
    add_search_submissions(app, meeting.id)
    add_submission(app, meeting.id, 70, title="Kendala DTKS", kind="kendala")
    page = text(viewer.get(queue_url(meeting.id), query_string={"q": "dtks", "kind": "kendala"}))
    assert "1 masukan cocok dengan saringan" in page
    assert titles_in_queue(page) == ["Kendala DTKS"]


def test_a_search_without_a_match_on_any_page(app, login, meeting):
    viewer = login("viewer")
    add_search_submissions(app, meeting.id)
    for page_number in ("1", "3"):
        page = text(
            viewer.get(queue_url(meeting.id), query_string={"q": "tidak-ada", "page": page_number})
        )
        assert "0 masukan cocok dengan saringan" in page
        assert "Tidak ada masukan yang cocok dengan saringan ini." in page
        assert titles_in_queue(page) == []


def counts(rows: list[dict]) -> dict[str, int]:
    return {row["key"]: row["count"] for row in rows}


def test_live_counts_add_up_across_pillar_kind_and_role(app, login, meeting, make_meeting):
    """Inputs whose pillar, kind and role combine differently: each dimension adds them up."""
    p1 = ref_id(app, Pillar, code="P1")
    p2 = ref_id(app, Pillar, code="P2")
    opd = ref_id(app, Agency, abbreviation="Bappeda")
    if opd is None:
        from app.extensions import db

        with app.app_context():
            db.session.add(Agency(abbreviation="Bappeda", name="Bappeda"))
            db.session.commit()
        opd = ref_id(app, Agency, abbreviation="Bappeda")
    as_opd = {"role": "opd", "kelurahan_id": None, "agency_id": opd}
    add_submission(app, meeting.id, 1, pillar_id=p1, kind="usulan")
    add_submission(app, meeting.id, 2, pillar_id=p1, kind="kendala")
    add_submission(app, meeting.id, 3, pillar_id=p2, kind="usulan", **as_opd)
    add_submission(app, meeting.id, 4, pillar_id=p2, kind="usulan")
    add_submission(app, meeting.id, 5, pillar_id=p2, kind="evaluasi", status="merged")
    other = make_meeting(code="rakor-lain")
    add_submission(app, other.id, 6, pillar_id=p1, kind="kendala", **as_opd)

    data = login("viewer").get(f"/admin/meetings/{meeting.id}/live.json").get_json()
    assert data["total"] == 5
    assert counts(data["by_pillar"]) == {"P1": 2, "P2": 3, "P3": 0, "P4": 0}
    assert counts(data["by_kind"]) == {"usulan": 3, "evaluasi": 1, "kendala": 1}
    assert counts(data["by_role"]) == {"lurah": 4, "camat": 0, "opd": 1, "stakeholder": 0}

    page = text(login("viewer").get(f"/admin/meetings/{meeting.id}/live"))
    assert re.search(r"data-live-total>5<", page)
