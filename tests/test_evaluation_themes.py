"""The themes in the documents: the evaluation summary (PDF and DOCX) and the laporan.

The inputs are tests/test_themes.py's fixed set (two themes: the entok seedlings, here
four inputs, and the PBI JKN membership, three), placed in kelurahan so that each theme
has areas. What a reader looks for: each theme's name, its size, its pillar, its areas
and the input that represents it; the secretariat's own name once given.
"""

import json
from io import BytesIO
from pathlib import Path

import docx
import pytest

from app.extensions import db
from app.insight import services
from app.insight.need import import_need
from app.models import Kelurahan, Pillar, User
from tests.helpers import (
    ENTOK,
    INPUTS,
    PBI,
    add_submission,
    get_pdf,
    make_pdf,
    pdf_text,
    ref_id,
    squeeze,
)

# Where each input is about, and its pillar: entok seedlings are income (P2), PBI JKN
# membership is family assistance (P1).
PLACES = {"entok1": "Krapyak", "entok2": "Krapyak", "entok3": "Medono", "entok4": "Krapyak"}
PLACES |= dict.fromkeys(PBI, "Setono")
EXTRA_ENTOK = (
    "Pakan bibit entok bantuan kurang",
    "Bibit entok bantuan mati karena pakan kurang; perlu pendampingan peternak dan kandang.",
)


@pytest.fixture
def inputs(app, meeting) -> dict[str, int]:
    texts = {**INPUTS, "entok4": EXTRA_ENTOK}
    ids = {}
    for minute, (key, (title, description)) in enumerate(texts.items()):
        place = PLACES.get(key)
        ids[key] = add_submission(
            app,
            meeting.id,
            minute,
            title=title,
            description=description,
            pillar_id=ref_id(app, Pillar, code=pillar(key)),
            location_id=ref_id(app, Kelurahan, name=place) if place else None,
        )
    return ids


def pillar(key: str) -> str:
    return "P2" if key.startswith("entok") else "P1"


def themes_of(app, meeting_id: int) -> list[services.ThemeView]:
    with app.app_context():
        return sorted(services.document_themes(meeting_id), key=lambda theme: -theme.size)


def evaluation_pdf(login, meeting_id: int) -> str:
    url = f"/admin/meetings/{meeting_id}/evaluation.pdf"
    make_pdf(login("secretariat"), url)
    return pdf_text(get_pdf(login("viewer"), url).data)


def theme_part(text: str) -> str:
    """The evaluation's theme section: from its heading to the end."""
    return text[text.index("V. TEMA MASUKAN") :]  # headings print in capitals


def test_the_evaluation_pdf_shows_each_theme_with_its_size_and_representative(
    app, login, meeting, inputs
):
    entok, pbi = themes_of(app, meeting.id)
    assert (entok.size, pbi.size) == (4, 3)
    assert set(entok.member_ids) == {inputs[key] for key in (*ENTOK, "entok4")}

    part = theme_part(evaluation_pdf(login, meeting.id))
    assert "stemming bahasa Indonesia" in part
    assert "7 dari 10 masukan termasuk dalam suatu tema" in part
    for number, theme in enumerate((entok, pbi), start=1):
        # The row: number, label, size, then the pillars.
        row = squeeze(f"{number} {theme.label} {theme.size} {theme.pillars[0].label}")
        assert row in squeeze(part), theme.label
        assert squeeze(theme.representative_title) in squeeze(part)
    # The areas: entok in Pekalongan Utara (Krapyak, 3) and Barat (Medono, 1).
    assert "Pekalongan Utara 3" in part and "Pekalongan Barat 1" in part
    assert "Pekalongan Timur 3" in part


def test_a_theme_the_secretariat_renamed_prints_under_its_new_name(
    app, login, meeting, inputs, staff
):
    with app.app_context():
        services.recompute(meeting.id)
    before = theme_part(evaluation_pdf(login, meeting.id))
    entok = themes_of(app, meeting.id)[0]
    assert entok.id is not None and entok.label in before

    with app.app_context():
        secretariat = db.session.get(User, staff["secretariat"])
        services.rename_theme(meeting.id, entok.id, "Ternak entok bantuan gagal", secretariat)
    after = theme_part(evaluation_pdf(login, meeting.id))
    assert "Ternak entok bantuan gagal" in after
    # The words it was found by stay beside the secretariat's name.
    assert squeeze(", ".join(entok.terms)) in squeeze(after)
    assert "Ternak entok bantuan gagal" not in before


def test_inputs_after_the_last_computation_are_counted_as_not_yet_in_a_theme(
    app, login, meeting, inputs
):
    with app.app_context():
        services.recompute(meeting.id)
    add_submission(app, meeting.id, 40, title="Rumah tidak layak huni di Degayu")
    part = theme_part(evaluation_pdf(login, meeting.id))
    assert "1 masukan yang masuk setelah tema terakhir dihitung belum termasuk" in part


def test_the_laporan_names_the_largest_theme_with_its_main_pillar(app, login, meeting, inputs):
    entok = themes_of(app, meeting.id)[0]
    url = f"/admin/meetings/{meeting.id}/laporan.pdf"
    text = pdf_text(make_pdf(login("secretariat"), url).data)
    part = text[text.index("D. Tema masukan") : text.index("IV. SIMPULAN")]
    assert "7 dari 10 masukan terkelompok dalam 2 tema" in part
    # The evaluation prints ten themes at most: the laporan says where the rest are.
    assert squeeze(
        "sepuluh tema terbesar ada di ringkasan evaluasi, dan seluruh tema di halaman Tema masukan."
    ) in squeeze(part)
    row = squeeze(f"1 {entok.label} 4 P2 · Peningkatan pendapatan masyarakat")
    assert row in squeeze(part)


def test_the_evaluation_docx_holds_the_theme_table(app, login, meeting, inputs):
    entok, pbi = themes_of(app, meeting.id)
    response = login("viewer").get(f"/admin/meetings/{meeting.id}/evaluation.docx")
    assert response.status_code == 200
    document = docx.Document(BytesIO(response.data))
    (table,) = [t for t in document.tables if t.rows[0].cells[-1].text == "Masukan yang mewakili"]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == [
        ["1", entok.label, "4", "P2 4", "Pekalongan Utara 3\nPekalongan Barat 1",
         entok.representative_title],
        ["2", pbi.label, "3", "P1 3", "Pekalongan Timur 3", pbi.representative_title],
    ]  # fmt: skip
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert any("7 dari 10 masukan termasuk dalam suatu tema" in p for p in paragraphs)


def test_the_laporan_docx_names_the_largest_themes(app, login, meeting, inputs):
    entok, pbi = themes_of(app, meeting.id)
    response = login("viewer").get(f"/admin/meetings/{meeting.id}/laporan.docx")
    document = docx.Document(BytesIO(response.data))
    (table,) = [t for t in document.tables if t.rows[0].cells[-1].text == "Strategi utama"]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert [row[:3] for row in rows] == [["1", entok.label, "4"], ["2", pbi.label, "3"]]
    assert rows[0][3].startswith("P2 · ") and rows[1][3].startswith("P1 · ")
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert any("seluruh tema di halaman Tema masukan." in p for p in paragraphs)


# Eleven subjects, two inputs each: eleven themes, one more than the evaluation lists.
SUBJECTS = [
    ("Bibit lele mati", "kolam lele bioflok butuh pakan pelet"),
    ("Kartu PBI JKN nonaktif", "kepesertaan BPJS kesehatan warga miskin dinonaktifkan"),
    ("Tanggul rob jebol", "air laut pasang merendam permukiman pesisir"),
    ("Beasiswa SMA putus sekolah", "biaya seragam sekolah siswa miskin"),
    ("Jamban sehat keluarga", "sanitasi septic tank komunal buang air"),
    ("Pelatihan menjahit konveksi", "mesin jahit bordir perempuan kepala keluarga"),
    ("Modal usaha warung kelontong", "pinjaman dana bergulir pedagang kecil"),
    ("Stunting balita posyandu", "makanan tambahan gizi anak timbang"),
    ("Lampu penerangan jalan gelap", "gang rawan kejahatan malam hari lampu mati"),
    ("Kapal nelayan rusak", "perahu motor jaring tangkap ikan laut"),
    ("Lansia terlantar sebatang kara", "panti jompo perawatan orang tua renta"),
]


def test_the_evaluation_lists_the_ten_largest_of_more_themes(app, login, meeting):
    for number, (title, words) in enumerate(SUBJECTS):
        for copy in range(2):
            add_submission(
                app,
                meeting.id,
                2 * number + copy,
                title=title,
                description=f"{title}: {words}." if copy else f"{words}, {title.lower()}.",
            )
    with app.app_context():
        assert len(services.document_themes(meeting.id)) == 11
    html = login("viewer").get(f"/admin/meetings/{meeting.id}/evaluation").get_data(as_text=True)
    assert "Ditampilkan 10 tema terbesar dari 11 tema." in html
    assert html.count('<td class="no">') == 10


# --- the voice-and-need table in the evaluation DOCX -------------------------------------

BOUNDARIES = Path(__file__).parent.parent / "app/reference_data/kelurahan-3375.geojson"


def need_csv() -> bytes:
    """Every kelurahan 100 households but Krapyak 1.400, and Medono left out: 3.900 in all."""
    features = json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
    lines = ["kode,nama,angka,tahun,sumber"]
    for feature in features:
        code, name = feature["properties"]["kode"], feature["properties"]["nama"]
        if name != "Medono":
            lines.append(f"{code},{name},{1400 if name == 'Krapyak' else 100},2024,Bappeda")
    return ("\n".join(lines) + "\n").encode()


def evaluation_docx(login, meeting_id: int) -> docx.document.Document:
    response = login("viewer").get(f"/admin/meetings/{meeting_id}/evaluation.docx")
    assert response.status_code == 200
    return docx.Document(BytesIO(response.data))


def test_the_evaluation_docx_holds_the_voice_and_need_table(app, login, meeting, inputs, staff):
    with app.app_context():
        import_need(
            db.session.get(User, staff["admin"]),
            measure="Rumah tangga desil 1-2",
            content=need_csv(),
        )
    document = evaluation_docx(login, meeting.id)
    (table,) = [t for t in document.tables if t.rows[0].cells[-1].text.startswith("Perkiraan")]
    header = [cell.text for cell in table.rows[0].cells]
    assert header[4:8] == [
        "Bagian kebutuhan (%)",
        "Masukan menurut lokasi (%)",
        "Masukan menurut pengusul (%)",
        "Selisih (poin persen)",
    ]
    rows = {row.cells[1].text: [cell.text for cell in row.cells] for row in table.rows[1:]}
    # Krapyak: 1.400 of 3.900 households (35,90 %), 3 of the 7 placed inputs (42,86 %),
    # and every input's submitter is the lurah of Krapyak.
    assert rows["Krapyak"][2:8] == [
        "Pekalongan Utara", "1.400", "35,90", "3 (42,86)", "10 (100,00)", "−6,96",
    ]  # fmt: skip
    assert rows["Medono"][3:6] == ["tanpa data", "—", "1 (14,29)"]
    # Those never named by an input and with need come first: the most under-heard.
    first = [cell.text for cell in table.rows[1].cells]
    assert first[0] == "1" and first[5] == "0 (0,00)" and first[7] == "+2,56"
    assert rows["Jumlah"][3:7] == ["3.900", "100,00", "7", "10"]
    paragraphs = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Kebutuhan: Rumah tangga desil 1-2, tahun 2024 (sumber: Bappeda)" in paragraphs
    assert "Peta kelurahan menurut selisih ini ada pada ringkasan evaluasi berbentuk PDF." in (
        paragraphs
    )


def test_without_need_figures_the_evaluation_docx_says_so(app, login, meeting, inputs):
    paragraphs = [paragraph.text for paragraph in evaluation_docx(login, meeting.id).paragraphs]
    assert any(p.startswith("Belum ada data kebutuhan per kelurahan") for p in paragraphs)
