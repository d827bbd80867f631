"""Themes and pillar suggestions in review: the pages, the queue's theme filter, the edits.

The inputs: three about one thing in other words (entok), three about another (PBI JKN),
and three that stand alone; computing finds two themes and leaves three inputs out.
"""

import csv
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.insight import services
from app.models import Meeting, Pillar, Submission, SubmissionInsight, Theme
from tests.helpers import (
    ENTOK,
    INPUTS,
    PBI,
    add_submission,
    audit_events,
    csrf_from,
    detail_url,
    queue_url,
    text,
    titles_in_queue,
)

ALONE = ("kapal", "jahit", "rob")


@pytest.fixture
def secretariat(login):
    return login("secretariat")


@pytest.fixture
def viewer(login):
    return login("viewer")


@pytest.fixture
def inputs(app, meeting) -> dict[str, int]:
    return {
        key: add_submission(app, meeting.id, minute=n, title=title, description=description)
        for n, (key, (title, description)) in enumerate(INPUTS.items())
    }


@pytest.fixture
def themed(app, meeting, inputs) -> dict[str, int]:
    """The inputs with their themes computed; also "entok" and "pbi": the two themes' ids."""
    with app.app_context():
        services.recompute(meeting.id)
    return {
        **inputs,
        "entok": theme_id_of(app, inputs["entok1"]),
        "pbi": theme_id_of(app, inputs["pbi1"]),
    }


def theme_id_of(app, submission_id: int) -> int | None:
    with app.app_context():
        insight = db.session.get(SubmissionInsight, submission_id)
        return insight.theme_id if insight else None


def themes_url(meeting_id: int) -> str:
    return f"/admin/meetings/{meeting_id}/themes"


def theme_url(meeting_id: int, theme_id: int) -> str:
    return f"{themes_url(meeting_id)}/{theme_id}"


def post_to_theme(client, meeting_id: int, theme_id: int, action: str, data: dict):
    """Send one of the theme page's forms, with the page's CSRF token."""
    token = csrf_from(client, theme_url(meeting_id, theme_id))
    return client.post(
        f"{theme_url(meeting_id, theme_id)}/{action}", data={"csrf_token": token, **data}
    )


def flashed(client, response) -> str:
    assert response.status_code == 303, text(response)[:300]
    return text(client.get(response.headers["Location"]))


def main_html(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


# --- the themes page ----------------------------------------------------------------------


def test_before_computing_the_page_says_so_and_offers_the_button(app, secretariat, meeting, inputs):
    page = text(secretariat.get(themes_url(meeting.id)))
    assert "Tema rapat ini belum dihitung." in page
    assert ">Hitung tema</button>" in page
    assert "tetap berlaku saat tema dihitung ulang" in page


def test_the_button_computes_the_themes_and_the_page_lists_them(app, secretariat, meeting, inputs):
    token = csrf_from(secretariat, themes_url(meeting.id))
    response = secretariat.post(f"{themes_url(meeting.id)}/recompute", data={"csrf_token": token})
    page = flashed(secretariat, response)
    assert "2 tema dari 6 masukan; 0 saran strategi." in page
    assert ">Hitung ulang tema</button>" in page
    assert "6 dari 9 masukan ada dalam tema" in page
    assert "Tanpa tema: 3 masukan" in page
    assert f'href="/admin/meetings/{meeting.id}/inputs?theme=none"' in page

    with app.app_context():
        themes = services.meeting_themes(meeting.id)
    assert [view.size for view in themes] == [3, 3]
    for view in themes:
        assert f'href="{theme_url(meeting.id, view.id)}">{view.name}</a>' in page
        assert f'href="/admin/meetings/{meeting.id}/inputs?theme={view.id}"' in page
        representative = detail_url(meeting.id, view.representative_id)
        assert f'<a href="{representative}">{view.representative_title}</a>' in page
    # Every input is a lurah's from Krapyak with pillar P1: the counts say so.
    assert '<span class="pill">P1</span> 3' in page
    assert [event.action for event in audit_events(app)] == ["recompute_themes"]


def test_the_recompute_message_groups_thousands(app, secretariat, meeting, inputs, monkeypatch):
    # Two thousand inputs take the engine a while; the message is what is checked here.
    monkeypatch.setattr(
        services, "recompute", lambda meeting_id, actor=None: services.Recomputed(11, 2000, 1500)
    )
    token = csrf_from(secretariat, themes_url(meeting.id))
    response = secretariat.post(f"{themes_url(meeting.id)}/recompute", data={"csrf_token": token})
    assert "11 tema dari 2.000 masukan; 1.500 saran strategi." in flashed(secretariat, response)


def test_input_after_computing_is_announced_until_recomputed(app, secretariat, meeting, themed):
    add_submission(app, meeting.id, minute=40, title="Bibit entok mati lagi")
    page = text(secretariat.get(themes_url(meeting.id)))
    assert "1 masukan baru belum masuk tema." in page
    assert "Tanpa tema: 4 masukan" in page


def test_a_viewer_reads_the_themes_without_the_button(app, viewer, meeting, themed):
    page = text(viewer.get(themes_url(meeting.id)))
    assert "Tanpa tema: 3 masukan" in page
    assert "<button" not in main_html(page)
    assert "<form" not in main_html(page)


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_filters_by_theme_and_names_each_rows_theme(app, viewer, meeting, themed):
    queue = text(viewer.get(queue_url(meeting.id), query_string={"theme": themed["entok"]}))
    assert sorted(titles_in_queue(queue)) == sorted(INPUTS[key][0] for key in ENTOK)
    assert "3 masukan cocok dengan saringan" in queue
    with app.app_context():
        entok = db.session.get(Theme, themed["entok"]).name
    link = f'<a href="{theme_url(meeting.id, themed["entok"])}">{entok}</a>'
    assert queue.count(link) == 3
    assert f'<option value="{themed["entok"]}" selected>' in queue

    alone = text(viewer.get(queue_url(meeting.id), query_string={"theme": "none"}))
    assert sorted(titles_in_queue(alone)) == sorted(INPUTS[key][0] for key in ALONE)
    assert '<option value="none" selected>' in alone

    # A stale or foreign theme id finds nothing; a word that is no id is no filter.
    assert "Tidak ada masukan yang cocok" in text(
        viewer.get(queue_url(meeting.id), query_string={"theme": "999"})
    )
    everything = text(viewer.get(queue_url(meeting.id), query_string={"theme": "abc"}))
    assert len(titles_in_queue(everything)) == 9


def test_an_input_not_yet_computed_counts_as_without_theme(app, viewer, meeting, themed):
    add_submission(app, meeting.id, minute=40, title="Masukan terlambat")
    alone = text(viewer.get(queue_url(meeting.id), query_string={"theme": "none"}))
    assert "Masukan terlambat" in titles_in_queue(alone)
    assert len(titles_in_queue(alone)) == 4


def test_the_exports_follow_the_theme_filter(app, secretariat, meeting, themed):
    response = secretariat.get(
        f"/admin/meetings/{meeting.id}/inputs.csv", query_string={"theme": themed["pbi"]}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(text(response).lstrip("\ufeff"))))
    assert sorted(row["Judul"] for row in rows) == sorted(INPUTS[key][0] for key in PBI)
    workbook = secretariat.get(
        f"/admin/meetings/{meeting.id}/inputs.xlsx", query_string={"theme": "none"}
    )
    assert workbook.status_code == 200


# --- a theme's page and its edits ------------------------------------------------------------


def test_a_theme_page_shows_its_inputs_side_by_side(app, viewer, meeting, themed):
    page = text(viewer.get(theme_url(meeting.id, themed["pbi"])))
    cards = re.findall(r'<li class="theme-card" id="input-(\d+)">', page)
    assert sorted(map(int, cards)) == sorted(themed[key] for key in PBI)
    for key in PBI:
        title, description = INPUTS[key]
        assert f'<a href="{detail_url(meeting.id, themed[key])}">{title}</a>' in page
        assert description in page  # the whole text
    assert page.count("<dt>Strategi pengusul</dt><dd>P1 · ") == 3
    assert "Belum ada saran" in page


def test_a_viewer_sees_no_edit_controls_and_cannot_post(app, viewer, secretariat, meeting, themed):
    page = main_html(text(viewer.get(theme_url(meeting.id, themed["pbi"]))))
    for control in ("<form", "<button", "<select", "<input"):
        assert control not in page, control
    token = csrf_from(viewer, themes_url(meeting.id))
    for action, data in (
        ("rename", {"name": "Nama dari pembaca"}),
        ("move", {"submission_id": themed["pbi1"], "target": "none"}),
        ("merge", {"themes": themed["entok"]}),
    ):
        url = f"{theme_url(meeting.id, themed['pbi'])}/{action}"
        response = viewer.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 403, action
    response = viewer.post(f"{themes_url(meeting.id)}/recompute", data={"csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Theme, themed["pbi"]).custom_label == ""
    assert theme_id_of(app, themed["pbi1"]) == themed["pbi"]


def test_renaming_a_theme_and_back_to_its_computed_name(app, secretariat, meeting, themed):
    response = post_to_theme(
        secretariat, meeting.id, themed["pbi"], "rename", {"name": "  Kepesertaan   JKN  "}
    )
    page = flashed(secretariat, response)
    assert "Nama tema disimpan: “Kepesertaan JKN”." in page
    assert '<h1 class="theme-title">Kepesertaan JKN</h1>' in page
    with app.app_context():
        theme = db.session.get(Theme, themed["pbi"])
        label = theme.label
        assert theme.custom_label == "Kepesertaan JKN"
    assert f"hasil hitungan: {label}" in page
    assert 'value="Kepesertaan JKN"' in page
    [event] = audit_events(app, action="rename_theme")
    assert event.after == {"custom_label": "Kepesertaan JKN"}

    # The themes page and the queue use the name too.
    assert ">Kepesertaan JKN</a>" in text(secretariat.get(themes_url(meeting.id)))

    page = flashed(
        secretariat, post_to_theme(secretariat, meeting.id, themed["pbi"], "rename", {"name": ""})
    )
    assert f'<h1 class="theme-title">{label}</h1>' in page
    with app.app_context():
        assert db.session.get(Theme, themed["pbi"]).custom_label == ""


def test_a_name_too_long_is_refused_and_kept(app, secretariat, meeting, themed):
    name = "Tema " + "sangat panjang " * 10
    response = post_to_theme(secretariat, meeting.id, themed["pbi"], "rename", {"name": name})
    assert response.status_code == 422
    page = text(response)
    assert "Nama tema paling banyak 120 karakter." in page
    assert f'value="{name}"' in page
    with app.app_context():
        assert db.session.get(Theme, themed["pbi"]).custom_label == ""


def test_moving_an_input_to_another_theme_and_out_of_every_theme(app, secretariat, meeting, themed):
    response = post_to_theme(
        secretariat,
        meeting.id,
        themed["pbi"],
        "move",
        {"submission_id": themed["pbi3"], "target": str(themed["entok"])},
    )
    page = flashed(secretariat, response)
    assert "Masukan dipindahkan ke “" in page
    assert f'id="input-{themed["pbi3"]}"' not in page  # no longer on the PBI theme's page
    with app.app_context():
        insight = db.session.get(SubmissionInsight, themed["pbi3"])
        assert (insight.theme_id, insight.theme_pinned) == (themed["entok"], True)
    entok_page = text(secretariat.get(theme_url(meeting.id, themed["entok"])))
    assert f'id="input-{themed["pbi3"]}"' in entok_page
    assert "dipilih sekretariat" in entok_page

    post_to_theme(
        secretariat,
        meeting.id,
        themed["pbi"],
        "move",
        {"submission_id": themed["pbi2"], "target": "none"},
    )
    with app.app_context():
        insight = db.session.get(SubmissionInsight, themed["pbi2"])
        assert (insight.theme_id, insight.theme_pinned) == (None, True)
        services.recompute(meeting.id)  # the choices stay
    assert theme_id_of(app, themed["pbi3"]) == themed["entok"]
    assert theme_id_of(app, themed["pbi2"]) is None
    moves = audit_events(app, action="move_to_theme")
    assert [event.after["theme_id"] for event in moves] == [themed["entok"], None]


def test_a_move_without_a_target_points_at_the_card(app, secretariat, meeting, themed):
    response = post_to_theme(
        secretariat, meeting.id, themed["pbi"], "move", {"submission_id": themed["pbi1"]}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Pilih tema tujuan." in page
    assert f'href="#move-{themed["pbi1"]}-target"' in page
    assert theme_id_of(app, themed["pbi1"]) == themed["pbi"]


def test_an_input_of_another_meeting_cannot_be_moved(
    app, secretariat, make_meeting, meeting, themed
):
    other = make_meeting(code="lain2025", title="Rapat lain")
    stranger = add_submission(app, other.id, title="Masukan rapat lain")
    response = post_to_theme(
        secretariat,
        meeting.id,
        themed["pbi"],
        "move",
        {"submission_id": stranger, "target": "none"},
    )
    assert response.status_code == 404
    assert theme_id_of(app, stranger) is None
    assert secretariat.get(theme_url(other.id, themed["pbi"])).status_code == 404


def test_merging_themes(app, secretariat, meeting, themed):
    response = post_to_theme(
        secretariat, meeting.id, themed["entok"], "merge", {"themes": str(themed["pbi"])}
    )
    page = flashed(secretariat, response)
    assert "Tema digabung ke “" in page
    cards = re.findall(r'<li class="theme-card" id="input-(\d+)">', page)
    assert sorted(map(int, cards)) == sorted(themed[key] for key in ENTOK | PBI)
    with app.app_context():
        assert db.session.get(Theme, themed["pbi"]) is None
    [event] = audit_events(app, action="merge_themes")
    assert event.after["theme_id"] == themed["entok"]
    assert secretariat.get(theme_url(meeting.id, themed["pbi"])).status_code == 404


def test_a_merge_with_nothing_checked_is_refused(app, secretariat, meeting, themed):
    response = post_to_theme(secretariat, meeting.id, themed["entok"], "merge", {})
    assert response.status_code == 422
    assert "Pilih paling sedikit satu tema lain untuk digabung." in text(response)
    assert audit_events(app, action="merge_themes") == []


def test_a_finalised_meeting_refuses_an_edit_and_keeps_the_page(app, secretariat, meeting, themed):
    token = csrf_from(secretariat, theme_url(meeting.id, themed["pbi"]))
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "finalised"
        db.session.commit()
    page = text(secretariat.get(theme_url(meeting.id, themed["pbi"])))
    assert "Notulen rapat ini sudah final." in page
    assert "<form" not in main_html(page)
    themes_page = text(secretariat.get(themes_url(meeting.id)))
    assert "Tema hanya dapat diubah atau dihitung ulang setelah admin" in themes_page
    assert "<button" not in main_html(themes_page)

    response = secretariat.post(
        f"{theme_url(meeting.id, themed['pbi'])}/rename",
        data={"csrf_token": token, "name": "Nama setelah final"},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Notulen rapat ini sudah final. Perubahan hanya dapat dilakukan" in page
    assert 'value="Nama setelah final"' in page
    with app.app_context():
        assert db.session.get(Theme, themed["pbi"]).custom_label == ""
    assert audit_events(app, action="rename_theme") == []


def test_recomputing_a_finalised_meeting_is_refused_with_a_message(
    app, secretariat, meeting, inputs
):
    token = csrf_from(secretariat, themes_url(meeting.id))
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "finalised"
        db.session.commit()
    response = secretariat.post(f"{themes_url(meeting.id)}/recompute", data={"csrf_token": token})
    assert response.headers["Location"].endswith(themes_url(meeting.id))
    assert "Notulen rapat ini sudah final" in flashed(secretariat, response)
    with app.app_context():
        assert db.session.scalars(select(Theme)).all() == []
    assert audit_events(app, action="recompute_themes") == []


def put_in_theme(app, theme_id: int, submission_ids: list[int]) -> None:
    with app.app_context():
        for submission_id in submission_ids:
            db.session.add(
                SubmissionInsight(submission_id=submission_id, theme_id=theme_id, theme_pinned=True)
            )
        db.session.commit()


def test_a_large_theme_shows_fifty_cards_a_page_and_counts_the_indonesian_way(
    app, viewer, meeting, themed
):
    more = [
        add_submission(app, meeting.id, minute=100 + n, title=f"Reaktivasi PBI nomor {n}")
        for n in range(1_000)
    ]
    put_in_theme(app, themed["pbi"], more)
    url = theme_url(meeting.id, themed["pbi"])
    page = text(viewer.get(url))
    cards = re.findall(r'<li class="theme-card" id="input-(\d+)">', page)
    assert len(cards) == 50
    assert int(cards[0]) == themed["pbi1"]  # oldest first
    assert "1.003 masukan" in page
    assert "Halaman 1 dari 21" in page
    assert f'href="{url}?page=2" rel="next"' in page

    last = text(viewer.get(url, query_string={"page": 21}))
    cards = re.findall(r'<li class="theme-card" id="input-(\d+)">', last)
    assert [int(card) for card in cards] == more[-3:]
    assert 'rel="next"' not in last


def test_a_move_from_a_later_page_comes_back_to_that_page(app, secretariat, meeting, themed):
    more = [add_submission(app, meeting.id, minute=100 + n) for n in range(60)]
    put_in_theme(app, themed["pbi"], more)
    url = theme_url(meeting.id, themed["pbi"])
    page = text(secretariat.get(url, query_string={"page": 2}))
    assert f'action="{url}/move?page=2"' in page
    token = csrf_from(secretariat, url)
    response = secretariat.post(
        f"{url}/move?page=2",
        data={"csrf_token": token, "submission_id": more[-1], "target": "none"},
    )
    assert response.headers["Location"].endswith(f"{url}?page=2")
    assert theme_id_of(app, more[-1]) is None
    # Refused (no target), the page comes back with the card that was sent.
    response = secretariat.post(
        f"{url}/move?page=2", data={"csrf_token": token, "submission_id": more[-2]}
    )
    assert response.status_code == 422
    assert f'id="input-{more[-2]}"' in text(response)


def test_the_audit_log_reads_the_theme_edits_in_words(app, secretariat, meeting, inputs):
    token = csrf_from(secretariat, themes_url(meeting.id))
    secretariat.post(f"{themes_url(meeting.id)}/recompute", data={"csrf_token": token})
    pbi, entok = theme_id_of(app, inputs["pbi1"]), theme_id_of(app, inputs["entok1"])
    post_to_theme(secretariat, meeting.id, pbi, "rename", {"name": "Kepesertaan JKN"})
    post_to_theme(
        secretariat, meeting.id, pbi, "move", {"submission_id": inputs["pbi3"], "target": "none"}
    )
    post_to_theme(secretariat, meeting.id, pbi, "merge", {"themes": entok})
    page = main_html(text(secretariat.get(f"/admin/meetings/{meeting.id}/audit")))
    for words in (
        "menghitung ulang tema",
        "mengganti nama tema",
        "memindahkan masukan ke tema",
        '<span class="change-field">Nama tema:</span>',
        '<span class="change-after">Kepesertaan JKN</span>',
        '<span class="change-field">Dipilih sekretariat:</span>',
        "menggabungkan tema",
        "Masukan dalam tema",
    ):
        assert words in page, words
    for code in ("recompute_themes", "rename_theme", "merge_themes", "custom_label"):
        assert code not in page, code
    assert "None" not in page


def test_posts_without_a_csrf_token_are_refused(app, secretariat, meeting, themed):
    for action, data in (
        ("rename", {"name": "Tanpa token"}),
        ("move", {"submission_id": themed["pbi1"], "target": "none"}),
        ("merge", {"themes": themed["entok"]}),
    ):
        response = secretariat.post(f"{theme_url(meeting.id, themed['pbi'])}/{action}", data=data)
        assert response.status_code == 400, action
    assert secretariat.post(f"{themes_url(meeting.id)}/recompute").status_code == 400
    with app.app_context():
        assert db.session.get(Theme, themed["pbi"]).custom_label == ""
    assert theme_id_of(app, themed["pbi1"]) == themed["pbi"]


# --- pillar suggestions --------------------------------------------------------------------------


@pytest.fixture
def mistagged(app, meeting) -> int:
    """Twelve reviewed examples over P1 (health) and P2 (work), and a health input the
    participant tagged P2 that nobody has reviewed; suggestions computed."""
    with app.app_context():
        p1, p2 = (db.session.scalar(select(Pillar.id).filter_by(code=c)) for c in ("P1", "P2"))
    health = [INPUTS[key] for key in ("pbi1", "pbi3")] * 3
    work = [INPUTS["jahit"], INPUTS["kapal"]] * 3 + [INPUTS["entok1"]] * 3
    for n, (title, description) in enumerate(health):
        add_submission(
            app,
            meeting.id,
            n,
            title=title,
            description=description,
            pillar_id=p1,
            status="accepted",
        )
    for n, (title, description) in enumerate(work):
        add_submission(
            app,
            meeting.id,
            20 + n,
            title=title,
            description=description,
            pillar_id=p2,
            status="accepted",
        )
    title, description = INPUTS["pbi2"]
    wrong = add_submission(app, meeting.id, 40, title=title, description=description, pillar_id=p2)
    with app.app_context():
        services.recompute(meeting.id)
    return wrong


def pillars_of(app) -> dict[int, int]:
    with app.app_context():
        return dict(db.session.execute(select(Submission.id, Submission.pillar_id)).all())


def test_the_pillar_check_lists_a_mistagged_input_and_changes_nothing(
    app, viewer, meeting, mistagged
):
    before = pillars_of(app)
    url = f"/admin/meetings/{meeting.id}/pillar-check"
    page = text(viewer.get(url))
    assert "keyakinan 60 % atau lebih" in page
    assert f'<a href="{detail_url(meeting.id, mistagged)}">{INPUTS["pbi2"][0]}</a>' in page
    row = page.split(f'{detail_url(meeting.id, mistagged)}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<span class="pill">(P\d)</span>', row)
    assert cells == ["P2", "P2", "P1"]  # submitted, current, suggested
    assert "Diterima, menunggu tinjauan" in row

    unreviewed = text(viewer.get(url, query_string={"unreviewed": "1"}))
    assert detail_url(meeting.id, mistagged) in unreviewed
    assert 'id="filter-unreviewed" name="unreviewed" value="1" checked' in unreviewed
    statuses = re.findall(r'<span class="pill status-(\w+)">', unreviewed)
    assert statuses and set(statuses) == {"received"}
    assert pillars_of(app) == before


def test_an_inputs_page_shows_the_suggestion_and_offers_it_in_the_pillar_form(
    app, secretariat, meeting, mistagged
):
    before = pillars_of(app)
    with app.app_context():
        insight = db.session.get(SubmissionInsight, mistagged)
        percent = round(insight.suggestion_confidence * 100)
        p1 = db.session.get(Pillar, insight.suggested_pillar_id)
    page = text(secretariat.get(detail_url(meeting.id, mistagged)))
    assert f"Saran strategi: P1 · {p1.name} (keyakinan {percent} %)" in page
    assert "Saran tidak mengubah apa pun dengan sendirinya." in page
    offer = f"{detail_url(meeting.id, mistagged)}?use=suggestion#pillar-form-title"
    assert offer in page

    page = text(
        secretariat.get(detail_url(meeting.id, mistagged), query_string={"use": "suggestion"})
    )
    assert f'<option selected value="{p1.id}">' in page
    assert "tekan Simpan strategi untuk memakainya" in page
    assert pillars_of(app) == before


def test_an_inputs_page_says_why_there_is_no_suggestion(app, viewer, meeting, inputs):
    page = text(viewer.get(detail_url(meeting.id, inputs["kapal"])))
    assert "tema dan saran belum dihitung untuk masukan ini" in page
    with app.app_context():
        services.recompute(meeting.id)
    page = text(viewer.get(detail_url(meeting.id, inputs["kapal"])))
    assert "belum cukup masukan yang sudah ditinjau sekretariat" in page
    assert "paling sedikit 12" in page
    page = text(viewer.get(detail_url(meeting.id, inputs["pbi1"])))
    theme = theme_id_of(app, inputs["pbi1"])
    assert f'<a href="{theme_url(meeting.id, theme)}">' in page
