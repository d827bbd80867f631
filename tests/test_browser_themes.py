"""Themes in a real browser, on a desktop screen: the secretariat computes a meeting's
themes, opens one, renames it and moves an input out of it. axe-core checks the themes
page and the theme page for serious accessibility problems. With RAKOR_SCREENSHOTS=1 the
run also saves both pages to docs/screenshots/."""

import re

import pytest

from app.extensions import db
from app.models import Kelurahan, SubmissionInsight, Theme
from tests.browser_helpers import (
    assert_fits_the_window,
    describe,
    flash,
    screenshot,
    serious_violations,
    sign_in,
)
from tests.helpers import add_submission

pytestmark = pytest.mark.browser

# Two groups of three re-worded inputs (two themes) and one that stands alone.
INPUTS = [
    (
        "Bibit entok banyak mati sebelum besar",
        "Bantuan bibit entok di kelurahan kami banyak mati karena pakan kurang dan kandang "
        "tidak layak; perlu pendampingan peternak.",
    ),
    (
        "Bantuan bibit entok perlu pendampingan pakan",
        "Bibit entok yang dibagikan mati sebelum dijual; peternak butuh bantuan pakan dan "
        "kandang serta pendampingan.",
    ),
    (
        "Bibit entog mati, pakan dan kandang kurang",
        "Banyak bibit entog bantuan mati karena pakannya kurang; mohon pendampingan peternak "
        "dan perbaikan kandang.",
    ),
    (
        "Peserta PBI JKN nonaktif saat berobat",
        "Warga miskin baru tahu kepesertaan PBI JKN nonaktif ketika berobat ke puskesmas dan "
        "harus membayar sebagai pasien umum.",
    ),
    (
        "Kepesertaan PBI JKN warga miskin dinonaktifkan",
        "Banyak peserta PBI JKN dinonaktifkan tanpa pemberitahuan sehingga tidak bisa berobat "
        "di puskesmas; perlu reaktivasi cepat.",
    ),
    (
        "Reaktivasi PBI JKN yang nonaktif",
        "Peserta PBI JKN yang nonaktif baru tahu saat berobat; mohon reaktivasi lewat "
        "kelurahan agar tidak membayar sebagai pasien umum.",
    ),
    (
        "Tanggul penahan rob di permukiman pesisir",
        "Rob masuk setiap hari ke rumah warga di RW 01 sampai RW 04; perlu tanggul dan "
        "peninggian jalan.",
    ),
]
# A secretariat's name with a long compound word: it must wrap, not push the page sideways.
LONG_NAME = "Kepesertaan PBI-JKN-nonaktif-dan-reaktivasi-lewat-kelurahan-setempat"


@pytest.fixture
def inputs(app, meeting) -> list[int]:
    with app.app_context():
        wards = list(db.session.scalars(db.select(Kelurahan.id).order_by(Kelurahan.name)))
    return [
        add_submission(
            app, meeting.id, n, title=title, description=text, location_id=wards[n % len(wards)]
        )
        for n, (title, text) in enumerate(INPUTS)
    ]


def assert_accessible(page, what: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"axe on {what} ({page.url}):\n{describe(violations)}"


def test_the_secretariat_computes_renames_and_moves(desktop, app, staff, meeting, inputs):
    page = desktop
    sign_in(page, "secretariat")
    page.goto(f"/admin/meetings/{meeting.id}/inputs")
    page.locator(".review-nav").get_by_role("link", name="Tema", exact=True).click()
    page.wait_for_url(re.compile(r"/themes$"))
    assert "Tema rapat ini belum dihitung." in page.locator("main").inner_text()

    page.get_by_role("button", name="Hitung tema").click()
    assert "2 tema dari 6 masukan" in flash(page)
    rows = page.locator("table.themes tbody tr")
    assert rows.count() == 2
    assert "Tanpa tema: 1 masukan" in page.locator("#theme-count").inner_text()
    assert_fits_the_window(page)
    assert_accessible(page, "the themes page")
    screenshot(page, "themes")

    pbi_row = rows.filter(has_text="Peserta PBI JKN")
    pbi_row.locator("td.theme-name a").first.click()
    page.wait_for_url(re.compile(r"/themes/\d+$"))
    theme_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator("li.theme-card").count() == 3

    page.get_by_label("Nama tema", exact=True).fill(LONG_NAME)
    page.get_by_role("button", name="Simpan nama").click()
    assert "Nama tema disimpan" in flash(page)
    assert page.locator("h1").inner_text() == LONG_NAME

    card = page.locator("li.theme-card").filter(has_text="Reaktivasi PBI JKN yang nonaktif")
    card.get_by_label(re.compile("^Pindahkan ke tema")).select_option(label="Tanpa tema")
    card.get_by_role("button", name=re.compile("^Pindahkan")).click()
    assert "Masukan dipindahkan ke “Tanpa tema”." in flash(page)
    assert page.locator("li.theme-card").count() == 2
    assert_fits_the_window(page)
    assert_accessible(page, "the theme page")
    screenshot(page, "theme")

    with app.app_context():
        assert db.session.get(Theme, theme_id).custom_label == LONG_NAME
        moved = db.session.get(SubmissionInsight, inputs[5])
        assert (moved.theme_id, moved.theme_pinned) == (None, True)

    # The queue names the theme on each of its rows and filters by it.
    page.get_by_role("link", name="Lihat di daftar masukan").click()
    page.wait_for_url(re.compile(rf"theme={theme_id}"))
    assert page.locator("table.queue .row-theme").all_inner_texts() == [f"Tema: {LONG_NAME}"] * 2
    assert_fits_the_window(page)
