"""Voice against need per kelurahan: the shares, the order, the map and where they are shown."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.insight.geo import ward_map_svg
from app.insight.need import import_need
from app.insight.voice import voice_and_need
from app.models import Kelurahan, User
from tests.helpers import add_submission, get_pdf, make_pdf, pdf_text, squeeze, text

BOUNDARIES = Path(__file__).parent.parent / "app/reference_data/kelurahan-3375.geojson"
CODES = {
    feature["properties"]["nama"]: feature["properties"]["kode"]
    for feature in json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
}
SVG = "{http://www.w3.org/2000/svg}"
# Need: Krapyak 1.400 households, Medono none in the file, every other kelurahan 100.
# City total 1.400 + 25 x 100 = 3.900.
FIGURES = {name: 100 for name in CODES if name != "Medono"} | {"Krapyak": 1400}


def need_csv(figures: dict[str, int], year: int = 2024) -> bytes:
    lines = ["kode,nama,angka,tahun,sumber"]
    lines += [f"{CODES[name]},{name},{figure},{year},Bappeda" for name, figure in figures.items()]
    return ("\n".join(lines) + "\n").encode()


def import_as_admin(app, staff, measure: str, content: bytes) -> int:
    with app.app_context():
        admin = db.session.get(User, staff["admin"])
        return import_need(admin, measure=measure, content=content).id


def kelurahan_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Kelurahan.id).filter_by(name=name))


@pytest.fixture
def voiced(app, staff, meeting):
    """The need figures above and five inputs: by place Krapyak 1, Medono 3 (two with a
    cost), Degayu 1; one more names no place. Every submitter is the lurah of Krapyak,
    but one, the lurah of Degayu."""
    dataset_id = import_as_admin(app, staff, "Rumah tangga desil 1-2", need_csv(FIGURES))
    krapyak, medono, degayu = (kelurahan_id(app, n) for n in ("Krapyak", "Medono", "Degayu"))
    add_submission(app, meeting.id, 1, location_id=krapyak)
    add_submission(app, meeting.id, 2, location_id=medono, cost=2_000_000)
    add_submission(app, meeting.id, 3, location_id=medono, cost=500_000)
    add_submission(app, meeting.id, 4, location_id=medono)
    add_submission(app, meeting.id, 5, location_id=degayu, kelurahan_id=degayu)
    add_submission(app, meeting.id, 6, location_id=None)
    return dataset_id


def test_shares_and_gaps_put_the_most_under_heard_first(app, meeting, voiced):
    with app.app_context():
        voice = voice_and_need(meeting.id)
    assert (voice.dataset_id, voice.need_total) == (voiced, 3900)
    assert (voice.place_total, voice.submitter_total) == (5, 6)
    wards = {ward.name: ward for ward in voice.wards}
    krapyak, degayu, medono = wards["Krapyak"], wards["Degayu"], wards["Medono"]
    assert krapyak.need_share == pytest.approx(100 * 1400 / 3900)
    assert (krapyak.place_inputs, krapyak.place_share) == (1, pytest.approx(20.0))
    assert (krapyak.submitter_inputs, krapyak.submitter_share) == (5, pytest.approx(100 * 5 / 6))
    assert krapyak.gap == pytest.approx(100 * 1400 / 3900 - 20)
    assert degayu.gap == pytest.approx(100 * 100 / 3900 - 20)
    assert (medono.need, medono.place_inputs, medono.cost, medono.cost_inputs) == (
        None,
        3,
        2_500_000,
        2,
    )
    order = [ward.name for ward in voice.wards]
    assert len(order) == 27
    # Krapyak (+15,9), then the 24 unheard wards (+2,56 each, by name), Degayu, and
    # Medono last: without a figure it cannot be placed against need.
    assert order[0] == "Krapyak"
    assert order[1:25] == sorted(order[1:25])
    assert order[-2:] == ["Degayu", "Medono"]
    assert [w.gap for w in voice.wards[:-1]] == sorted(
        (w.gap for w in voice.wards[:-1]), reverse=True
    )


def test_the_default_dataset_is_the_latest_year_not_after_the_meeting(app, staff, meeting):
    with app.app_context():
        assert voice_and_need(meeting.id) is None  # nothing imported yet
    later = import_as_admin(app, staff, "Rumah tangga miskin", need_csv(FIGURES, 2025))
    with app.app_context():
        assert voice_and_need(meeting.id).dataset_id == later  # only one: the latest
    earlier = import_as_admin(app, staff, "Rumah tangga miskin", need_csv(FIGURES, 2022))
    same_year = import_as_admin(app, staff, "Desil 1", need_csv(FIGURES, 2022))
    with app.app_context():
        # The meeting is in 2024: 2022 it is, the more recent import of two as wide.
        assert voice_and_need(meeting.id).dataset_id == same_year
        assert voice_and_need(meeting.id, earlier).dataset_id == earlier


def test_a_narrower_measure_imported_later_does_not_become_the_default(app, staff, meeting):
    citywide = import_as_admin(app, staff, "Rumah tangga desil 1-2", need_csv(FIGURES))
    two_wards = {"Krapyak": 40, "Degayu": 12}
    import_as_admin(app, staff, "Nelayan buruh", need_csv(two_wards))
    with app.app_context():
        assert voice_and_need(meeting.id).dataset_id == citywide


def test_the_map_has_one_named_shape_per_kelurahan(app, meeting, voiced):
    with app.app_context():
        voice = voice_and_need(meeting.id)
        svg = ward_map_svg(voice, title="Peta <uji>")
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img" and root.get("aria-label") == "Peta <uji>"
    assert root.get("viewBox") and root.get("width") is None
    paths = root.findall(f"{SVG}path")
    assert len(paths) == 27
    names = {path.findtext(f"{SVG}title"): path for path in paths}
    assert set(names) == {ward.name for ward in voice.wards}  # "Kalibaros", as our regions say
    assert names["Krapyak"].get("data-code") == "33.75.03.1002"
    assert "gap-1" in names["Krapyak"].get("class")
    assert "gap-none" in names["Medono"].get("class")
    assert "gap-5" in names["Degayu"].get("class")
    words = [node.text for node in root.iter(f"{SVG}text")]
    # The key turns the numbers on the shapes into names; the legend names every class.
    assert words[words.index("Krapyak") - 1] == "1"
    assert words[words.index("Medono *") - 1] == "27"
    assert "Tanpa data kebutuhan" in words
    assert "Jauh kurang terdengar: +3 poin atau lebih" in words
    # Drawn from the app's own boundaries: no tile, image or link to fetch.
    assert not [node for node in root.iter() if any("href" in key for key in node.attrib)]
    assert "url(http" not in str(svg) and "<image" not in str(svg)


def test_the_page_shows_the_table_and_the_map(app, login, meeting, voiced):
    page = text(login("viewer").get(f"/admin/meetings/{meeting.id}/voice"))
    assert "Suara dan kebutuhan" in page
    assert "Rumah tangga desil 1-2" in page and "3.900" in page
    assert "<td>Pekalongan Utara</td>" in page
    assert "+15,90" in page  # Krapyak: 35,90 % of the need, 20,00 % of the inputs by place
    assert "Rp&nbsp;2.500.000 (2)" in page  # Medono's costs
    assert "tanpa data" in page
    assert page.count('<path d="') == 27


def test_the_page_offers_each_dataset_and_shows_the_chosen_one(app, staff, login, meeting, voiced):
    other = import_as_admin(app, staff, "Rumah tangga miskin", need_csv({"Degayu": 7}, 2024))
    client = login("secretariat")
    page = text(client.get(f"/admin/meetings/{meeting.id}/voice?dataset={other}"))
    assert f'<option value="{other}" selected>Rumah tangga miskin (2024)</option>' in page
    assert "seluruhnya 7 untuk kota" in page
    assert client.get(f"/admin/meetings/{meeting.id}/voice?dataset=999").status_code == 404


def test_the_meeting_page_links_the_voice_page(login, meeting):
    page = text(login("viewer").get(f"/admin/meetings/{meeting.id}"))
    assert f'href="/admin/meetings/{meeting.id}/voice"' in page


def test_the_evaluation_pdf_holds_the_table(login, meeting, voiced):
    url = f"/admin/meetings/{meeting.id}/evaluation.pdf"
    make_pdf(login("secretariat"), url)
    words = pdf_text(get_pdf(login("viewer"), url).data)
    assert "Suara dan kebutuhan per kelurahan" in words
    table = squeeze(words[words.index("Suara dan kebutuhan per kelurahan") :])
    # Krapyak first, with its need, share, inputs and gap; Medono without data last.
    assert squeeze("1 Krapyak Pekalongan Utara 1.400 35,90 1 (20,00) 5 (83,33) +15,90") in table
    assert squeeze("Medono Pekalongan Barat tanpa data") in table
    assert squeeze("Rp 2.500.000 (2)") in table
    assert "Jumlah3.900100,0056" in table


def test_without_need_data_the_evaluation_says_so(login, meeting):
    url = f"/admin/meetings/{meeting.id}/evaluation.pdf"
    make_pdf(login("secretariat"), url)
    words = pdf_text(get_pdf(login("viewer"), url).data)
    assert "Belum ada data kebutuhan per kelurahan yang diimpor" in words
