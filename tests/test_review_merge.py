"""Duplicates: suggestions, the meeting-wide groups, merging (originals kept) and undoing it."""

import re

import pytest

from app.extensions import db
from app.models import Kelurahan, Submission
from app.review import duplicates
from app.review.duplicates import Normaliser, Title, best_matches, similar_pairs
from tests.helpers import add_submission, audit_events, csrf_from, detail_url, load, post, text

DTKS_KRAPYAK = {
    "title": "Pemutakhiran data DTKS di Kelurahan Krapyak",
    "description": (
        "Banyak warga miskin di Krapyak belum masuk DTKS, sementara sebagian penerima sudah "
        "mampu. Mohon pemutakhiran data DTKS setiap triwulan bersama ketua RT/RW."
    ),
}
DTKS_MEDONO = {
    "title": "Pemutakhiran DTKS kelurahan Medono",
    "description": (
        "Warga miskin di Medono banyak yang belum terdata di DTKS. Kami mohon pemutakhiran "
        "DTKS dilakukan setiap tiga bulan dengan melibatkan ketua RT dan RW."
    ),
}
UNRELATED = {
    "title": "Pengadaan kapal motor 10 GT untuk kelompok nelayan",
    "description": (
        "Nelayan tradisional Padukuhan Kraton masih memakai perahu kecil sehingga tidak bisa "
        "melaut jauh. Kami mengusulkan bantuan kapal motor untuk dua kelompok nelayan."
    ),
}


def medono(app) -> dict:
    with app.app_context():
        kelurahan = db.session.scalar(db.select(Kelurahan.id).filter_by(name="Medono"))
    return {
        "submitter_name": "Rina Kurniasari",
        "position": "Lurah Medono",
        "kelurahan_id": kelurahan,
        "location_id": kelurahan,
    }


@pytest.fixture
def secretariat(login):
    return login("secretariat")


@pytest.fixture
def viewer(login):
    return login("viewer")


@pytest.fixture
def dtks(app, meeting) -> dict[str, int]:
    """The DTKS near-duplicates from two wards and one unrelated input."""
    return {
        "krapyak": add_submission(app, meeting.id, 1, **DTKS_KRAPYAK),
        "medono": add_submission(app, meeting.id, 2, **DTKS_MEDONO, **medono(app)),
        "unrelated": add_submission(
            app, meeting.id, 3, submitter_name="Suharto", position="Ketua HNSI", **UNRELATED
        ),
    }


def merge(client, meeting_id: int, primary: int, *originals: int):
    return post(client, meeting_id, primary, "merge", {"originals": list(originals)})


# --- normalising and scoring ------------------------------------------------------------------


def test_normalising_drops_case_punctuation_stop_words_and_place_names():
    normalise = Normaliser(["Krapyak", "Panjang Wetan", "Pekalongan"])
    assert normalise("Pemutakhiran data DTKS di Kelurahan Krapyak!") == "pemutakhiran data dtks"
    assert normalise("Rob   di  Panjang Wetan, Kota Pekalongan.") == "rob"
    # Only whole place names go: "panjang" alone is a word ("long"), not a ward.
    assert normalise("Tanggul panjang") == "tanggul panjang"
    assert normalise("Pelatihan bagi para pemuda") == "pelatihan pemuda"
    assert normalise("Bantuan untuk lansia dan disabilitas") == "lansia disabilitas"
    assert normalise("Kedai kopi café") == "kedai kopi cafe"


def test_the_near_duplicate_scores_above_the_threshold_and_the_unrelated_below():
    normalise = Normaliser(["Krapyak", "Medono", "Padukuhan Kraton"])
    others = [Title(2, normalise(DTKS_MEDONO["title"])), Title(3, normalise(UNRELATED["title"]))]
    descriptions = {
        2: normalise(DTKS_MEDONO["description"]),
        3: normalise(UNRELATED["description"]),
    }
    matches = best_matches(
        normalise(DTKS_KRAPYAK["title"]),
        normalise(DTKS_KRAPYAK["description"]),
        others,
        lambda ids: {i: descriptions[i] for i in ids},
    )
    assert [match_id for match_id, _score in matches] == [2]
    assert matches[0][1] >= duplicates.SIMILARITY_THRESHOLD


def test_pairs_across_the_meeting_find_the_duplicate_pair_only():
    normalise = Normaliser(["Krapyak", "Medono", "Padukuhan Kraton"])
    texts = [DTKS_KRAPYAK, DTKS_MEDONO, UNRELATED]
    titles = [Title(i, normalise(t["title"])) for i, t in enumerate(texts)]
    descriptions = {i: normalise(t["description"]) for i, t in enumerate(texts)}
    pairs = similar_pairs(titles, lambda ids: {i: descriptions[i] for i in ids})
    assert [(a, b) for a, b, _score in pairs] == [(0, 1)]


# --- suggestions on an input's page ------------------------------------------------------------


def test_the_input_page_suggests_the_near_duplicate_not_the_unrelated_one(
    app, viewer, meeting, dtks
):
    page = text(viewer.get(detail_url(meeting.id, dtks["krapyak"])))
    similar = page.split('id="similar-title"')[1].split("</section>")[0]
    assert "Pemutakhiran DTKS kelurahan Medono" in similar
    assert "Rina Kurniasari" in similar
    assert "Pengadaan kapal motor" not in similar
    score = int(re.search(r'<td class="number">(\d+)</td>', similar).group(1))
    assert duplicates.SIMILARITY_THRESHOLD <= score <= 100


def test_suggestions_stay_within_the_meeting(app, viewer, meeting, make_meeting, dtks):
    other = make_meeting(code="lain")
    add_submission(app, other.id, **{**DTKS_MEDONO, "title": "Pemutakhiran DTKS di rapat lain"})
    page = text(viewer.get(detail_url(meeting.id, dtks["krapyak"])))
    assert "Pemutakhiran DTKS di rapat lain" not in page


def test_an_input_with_no_look_alike_says_so(app, viewer, meeting, dtks):
    page = text(viewer.get(detail_url(meeting.id, dtks["unrelated"])))
    assert "Tidak ada masukan lain yang mirip." in page


# --- merging ----------------------------------------------------------------------------------


def test_merging_keeps_every_original_and_lists_all_co_proposers(
    app, secretariat, meeting, dtks, staff
):
    before = {key: load(app, submission_id) for key, submission_id in dtks.items()}
    response = merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"])
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{detail_url(meeting.id, dtks['krapyak'])}#group")

    original = load(app, dtks["medono"])
    assert original.status == "merged"
    assert original.merged_into_id == dtks["krapyak"]
    # The participant's words and identity are untouched.
    for field in ("title", "description", "submitter_name", "position", "kelurahan_id"):
        assert getattr(original, field) == getattr(before["medono"], field), field
    primary = load(app, dtks["krapyak"])
    assert (primary.status, primary.merged_into_id) == ("received", None)
    assert primary.description == before["krapyak"].description

    page = text(secretariat.get(detail_url(meeting.id, dtks["krapyak"])))
    assert "1 masukan digabung ke masukan ini." in page
    group = page.split('id="group-title"')[1].split("</section>")[0]
    assert "Pengusul bersama (2)" in group
    assert "Agus Priyanto" in group and "Rina Kurniasari" in group
    assert "Pemutakhiran DTKS kelurahan Medono" in group  # the original title, shown as given

    # The queue marks the primary as having co-proposers.
    queue = text(secretariat.get(f"/admin/meetings/{meeting.id}/inputs"))
    assert "+1 pengusul lain (digabung)" in queue

    [merged] = audit_events(app, entity_type="Submission", entity_id=dtks["medono"])
    assert merged.action == "merge"
    assert merged.before == {"status": "received", "merged_into_id": None}
    assert merged.after == {"status": "merged", "merged_into_id": dtks["krapyak"]}
    assert merged.user_id == staff["secretariat"] and merged.meeting_id == meeting.id
    [on_primary] = audit_events(app, entity_type="Submission", entity_id=dtks["krapyak"])
    assert on_primary.action == "merge_primary"
    assert on_primary.after == {"originals": [original.receipt_code]}


def test_the_merged_original_points_to_its_primary(app, secretariat, meeting, dtks):
    merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"])
    page = text(secretariat.get(detail_url(meeting.id, dtks["medono"])))
    assert "Digabung dengan masukan serupa" in page
    assert f'href="{detail_url(meeting.id, dtks["krapyak"])}"' in page
    assert "Pemutakhiran DTKS kelurahan Medono" in page  # its own text is still shown
    assert "Simpan keputusan" not in page  # decided through the primary
    history = page.split("Riwayat perubahan")[1]
    assert "menggabungkan ke masukan lain" in history


def test_merging_several_originals_at_once(app, secretariat, meeting, dtks):
    third = add_submission(app, meeting.id, 4, title="DTKS belum mutakhir", submitter_name="Slamet")
    merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"], third)
    assert {load(app, i).merged_into_id for i in (dtks["medono"], third)} == {dtks["krapyak"]}
    group = text(secretariat.get(detail_url(meeting.id, dtks["krapyak"])))
    assert "Pengusul bersama (3)" in group and "Slamet" in group
    assert len(audit_events(app, action="merge")) == 2


def test_merging_into_a_merged_input_is_refused(app, secretariat, meeting, dtks):
    merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"])
    response = merge(secretariat, meeting.id, dtks["medono"], dtks["unrelated"])
    assert response.status_code == 422
    code = load(app, dtks["krapyak"]).receipt_code
    assert f"Gabungkan ke masukan {code[:4]}-{code[4:]} saja." in text(response)
    assert load(app, dtks["unrelated"]).status == "received"


def test_an_input_already_merged_or_holding_a_group_cannot_become_an_original(
    app, secretariat, meeting, dtks
):
    merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"])
    response = merge(secretariat, meeting.id, dtks["unrelated"], dtks["medono"])
    assert response.status_code == 422
    assert "sudah digabung ke masukan lain" in text(response)
    response = merge(secretariat, meeting.id, dtks["unrelated"], dtks["krapyak"])
    assert response.status_code == 422
    assert "sudah menjadi masukan utama bagi masukan lain" in text(response)
    assert load(app, dtks["krapyak"]).merged_into_id is None
    assert load(app, dtks["unrelated"]).status == "received"


def test_merging_needs_at_least_one_other_input(app, secretariat, meeting, dtks):
    response = post(secretariat, meeting.id, dtks["krapyak"], "merge", {})
    assert response.status_code == 422
    assert "Centang minimal satu masukan." in text(response)
    response = merge(secretariat, meeting.id, dtks["krapyak"], dtks["krapyak"])
    assert response.status_code == 422
    assert "Centang minimal satu masukan lain." in text(response)
    assert audit_events(app) == []


def test_a_merged_input_cannot_be_decided(app, secretariat, meeting, dtks):
    merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"])
    response = post(secretariat, meeting.id, dtks["medono"], "decision", {"decision": "accepted"})
    assert response.status_code == 422
    assert "Masukan ini sudah digabung." in text(response)
    assert load(app, dtks["medono"]).status == "merged"


# --- undoing a merge ------------------------------------------------------------------------------


def test_undoing_a_merge_restores_the_status_it_had(app, secretariat, meeting, dtks):
    post(secretariat, meeting.id, dtks["medono"], "decision", {"decision": "accepted"})
    merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"])
    assert load(app, dtks["medono"]).status == "merged"

    # The button on the primary's page brings the reviewer back there.
    token = csrf_from(secretariat, detail_url(meeting.id, dtks["krapyak"]))
    response = secretariat.post(
        f"{detail_url(meeting.id, dtks['medono'])}/unmerge",
        data={"csrf_token": token, "back_to": dtks["krapyak"]},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{detail_url(meeting.id, dtks['krapyak'])}#group")

    restored = load(app, dtks["medono"])
    assert (restored.status, restored.merged_into_id) == ("accepted", None)
    [undone] = audit_events(app, action="unmerge")
    assert undone.entity_id == dtks["medono"]
    assert undone.before == {"status": "merged", "merged_into_id": dtks["krapyak"]}
    assert undone.after == {"status": "accepted", "merged_into_id": None}
    [on_primary] = audit_events(app, action="unmerge_primary")
    assert on_primary.entity_id == dtks["krapyak"]

    page = text(secretariat.get(detail_url(meeting.id, dtks["krapyak"])))
    assert "Masukan ini tidak digabung dengan masukan lain." in page
    history = page.split("Riwayat perubahan")[1]
    assert "melepas masukan dari gabungan" in history


def test_undo_after_merge_undo_and_merge_again_restores_the_latest_status(
    app, secretariat, meeting, dtks
):
    merge(secretariat, meeting.id, dtks["krapyak"], dtks["medono"])
    post(secretariat, meeting.id, dtks["medono"], "unmerge", {})
    reason = "Di luar kewenangan kota."
    post(
        secretariat,
        meeting.id,
        dtks["medono"],
        "decision",
        {"decision": "declined", "reason": reason},
    )
    merge(secretariat, meeting.id, dtks["unrelated"], dtks["medono"])
    post(secretariat, meeting.id, dtks["medono"], "unmerge", {})
    restored = load(app, dtks["medono"])
    assert (restored.status, restored.decision_reason) == ("declined", reason)


def test_undoing_an_input_that_is_not_merged_is_refused(app, secretariat, meeting, dtks):
    response = post(secretariat, meeting.id, dtks["medono"], "unmerge", {})
    assert response.status_code == 409
    assert "Masukan ini tidak sedang digabung." in text(response)
    assert audit_events(app) == []


def test_an_input_merged_without_a_log_line_goes_back_to_received(app, secretariat, meeting):
    primary = add_submission(app, meeting.id, 1, title="Utama")
    imported = add_submission(app, meeting.id, 2, status="merged", merged_into_id=primary)
    post(secretariat, meeting.id, imported, "unmerge", {})
    assert (load(app, imported).status, load(app, imported).merged_into_id) == ("received", None)


# --- the meeting-wide duplicates page ----------------------------------------------------------


def test_the_duplicates_page_groups_look_alikes_and_merges_a_group(app, secretariat, meeting, dtks):
    url = f"/admin/meetings/{meeting.id}/duplicates"
    page = text(secretariat.get(url))
    assert "Kelompok 1" in page and "Kelompok 2" not in page
    group = page.split("Kelompok 1")[1]
    assert "Pemutakhiran data DTKS di Kelurahan Krapyak" in group
    assert "Pemutakhiran DTKS kelurahan Medono" in group
    assert "Pengadaan kapal motor" not in page
    # The oldest member is offered as the primary.
    assert re.search(rf'name="primary" value="{dtks["krapyak"]}"[^>]*checked', group)

    token = csrf_from(secretariat, url)
    response = secretariat.post(
        f"{url}/merge",
        data={
            "csrf_token": token,
            "primary": dtks["krapyak"],
            "originals": [dtks["krapyak"], dtks["medono"]],
        },
    )
    assert response.status_code == 303
    assert load(app, dtks["medono"]).merged_into_id == dtks["krapyak"]
    # Merged inputs are no longer offered.
    assert "Tidak ditemukan masukan yang mirip." in text(secretariat.get(url))


def test_the_duplicates_page_refuses_an_empty_choice_with_422(app, secretariat, meeting, dtks):
    url = f"/admin/meetings/{meeting.id}/duplicates"
    token = csrf_from(secretariat, url)
    response = secretariat.post(f"{url}/merge", data={"csrf_token": token})
    assert response.status_code == 422
    page = text(response)
    assert "Pilih masukan utama." in page and "Centang minimal satu masukan." in page
    response = secretariat.post(
        f"{url}/merge", data={"csrf_token": token, "primary": "x", "originals": "1"}
    )
    assert response.status_code == 422


def test_the_duplicates_page_404s_on_another_meetings_input(
    app, secretariat, meeting, make_meeting, dtks
):
    other = make_meeting(code="lain")
    foreign = add_submission(app, other.id, **DTKS_MEDONO)
    url = f"/admin/meetings/{meeting.id}/duplicates"
    token = csrf_from(secretariat, url)
    for primary, originals in ((foreign, [dtks["krapyak"]]), (dtks["krapyak"], [foreign])):
        response = secretariat.post(
            f"{url}/merge", data={"csrf_token": token, "primary": primary, "originals": originals}
        )
        assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(Submission).filter_by(status="merged")) is None


def test_a_viewer_reads_the_duplicates_page_without_merge_controls(app, viewer, meeting, dtks):
    page = text(viewer.get(f"/admin/meetings/{meeting.id}/duplicates"))
    assert "Kelompok 1" in page
    assert 'name="primary"' not in page and "Gabungkan yang dicentang" not in page


def test_the_duplicates_page_offers_the_earliest_input_as_primary(app, viewer, meeting):
    # Stored first but sent later (a paper form typed in afterwards): time decides, not id.
    later = add_submission(app, meeting.id, 30, **DTKS_KRAPYAK)
    earlier = add_submission(app, meeting.id, 5, **DTKS_MEDONO, **medono(app))
    with app.app_context():
        assert later < earlier
    page = text(viewer.get(f"/admin/meetings/{meeting.id}/duplicates"))
    assert "Kelompok 1" in page
    # A viewer sees no radios; check the order of the rows instead, oldest first.
    group = page.split("Kelompok 1")[1]
    assert group.index("Pemutakhiran DTKS kelurahan Medono") < group.index(
        "Pemutakhiran data DTKS di Kelurahan Krapyak"
    )


def test_the_duplicates_page_checks_the_earliest_input_as_primary(app, secretariat, meeting):
    later = add_submission(app, meeting.id, 30, **DTKS_KRAPYAK)
    earlier = add_submission(app, meeting.id, 5, **DTKS_MEDONO, **medono(app))
    page = text(secretariat.get(f"/admin/meetings/{meeting.id}/duplicates"))
    assert re.search(rf'name="primary" value="{earlier}"[^>]*checked', page)
    assert not re.search(rf'name="primary" value="{later}"[^>]*checked', page)
