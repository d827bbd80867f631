"""Steps in a real browser that the browser tests share (Playwright pages).

The participant's steps on a phone, the secretariat's on a desktop, axe-core's
serious problems, and screenshots for the docs (only with RAKOR_SCREENSHOTS=1).
"""

import os
import re

from axe_playwright_python.sync_playwright import Axe
from babel.support import Translations
from sqlalchemy import func, select

from app.extensions import db
from app.models import Submission
from config import BASE_DIR
from tests.helpers import STAFF_EMAILS, STAFF_PASSWORD

SCREENSHOTS = BASE_DIR / "docs" / "screenshots"
PHONE_WIDTH = 360
DESKTOP_WIDTH = 1280
FORM = "/m/rakor-uji"
RECEIPT_URL = re.compile(r"/receipt/([A-Z0-9]{8})$")

TITLE = "Pelatihan membatik untuk pemuda putus sekolah"
DESCRIPTION = "Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05 Krapyak."
PHONE_NUMBER = "0812-2712-3456"
PILLAR_P2 = "Peningkatan pendapatan masyarakat berbasis pemberdayaan masyarakat"

UNIT_LABELS = {
    "lurah": "Kelurahan (untuk lurah)",
    "camat": "Kecamatan (untuk camat)",
    "opd": "Perangkat daerah (untuk OPD)",
    "stakeholder": "Lembaga atau organisasi (untuk pemangku kepentingan)",
}
UNIT_FIELD_IDS = {
    "lurah": "unit_kelurahan",
    "camat": "unit_kecamatan",
    "opd": "unit_agency",
    "stakeholder": "unit_organisation",
}


DTKS_KRAPYAK = {
    "title": "Pemutakhiran data DTKS Kelurahan Krapyak",
    "description": (
        "Banyak warga miskin di Krapyak belum masuk DTKS, sementara sebagian penerima sudah "
        "mampu. Mohon pemutakhiran data DTKS setiap triwulan bersama ketua RT/RW."
    ),
}
DTKS_MEDONO = {
    "title": "Pemutakhiran DTKS di Kelurahan Medono",
    "description": (
        "Warga miskin di Medono banyak yang belum terdata di DTKS. Kami mohon pemutakhiran "
        "DTKS dilakukan setiap tiga bulan dengan melibatkan ketua RT dan RW."
    ),
}
FISHING_BOATS = {
    "title": "Pengadaan kapal motor 10 GT untuk kelompok nelayan",
    "description": (
        "Nelayan tradisional Padukuhan Kraton masih memakai perahu kecil sehingga tidak bisa "
        "melaut jauh. Kami mengusulkan bantuan kapal motor untuk dua kelompok nelayan."
    ),
}
BATIK_TRAINING = {
    "title": "Pelatihan membatik untuk pemuda putus sekolah",
    "description": "Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05 Krapyak.",
}


# Key: (strategy, kelurahan, submitter, position, title and description); one minute apart.
SUBMISSIONS = {
    "krapyak": ("P1", "Krapyak", "Agus Priyanto", "Lurah Krapyak", DTKS_KRAPYAK),
    "medono": ("P1", "Medono", "Rina Kurniasari", "Lurah Medono", DTKS_MEDONO),
    "boats": ("P2", "Padukuhan Kraton", "Suharto", "Lurah Padukuhan Kraton", FISHING_BOATS),
    "batik": ("P2", "Krapyak", "Siti Rahayu", "Sekretaris Kelurahan", BATIK_TRAINING),
}


axe = Axe()


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot for the docs, only when RAKOR_SCREENSHOTS=1."""
    if os.environ.get("RAKOR_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


# --- the participant, on a phone ---------------------------------------------------------


# Each layout check waits for the page's load event first: measured before the stylesheet
# applies, elements sit stacked in the browser's default layout.


def assert_fits_the_phone(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width}px on a 360px phone"


def tap_choice(page, field: str, label: str) -> None:
    """Tap the label of one radio button in the fieldset of `field`."""
    page.locator(f"#{field}-field label").filter(has_text=label).click()


def fill_about_me(page, *, name: str = "Agus Priyanto") -> None:
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("Jabatan").fill("Lurah Krapyak")
    page.get_by_label("Nomor HP (tidak wajib)").fill(PHONE_NUMBER)


def choose_lurah_of_krapyak(page) -> None:
    tap_choice(page, "role", "Lurah")
    page.get_by_label(UNIT_LABELS["lurah"]).select_option(label="Krapyak")


def fill_my_input(page, *, title: str = TITLE) -> None:
    tap_choice(page, "kind", "Usulan program atau kegiatan")
    tap_choice(page, "pillar", PILLAR_P2)
    page.get_by_label("Judul singkat").fill(title)
    page.get_by_label("Uraian").fill(DESCRIPTION)
    page.get_by_label("Lokasi (kelurahan, tidak wajib)").select_option(label="Krapyak")
    page.get_by_label("Sasaran").select_option(label="Pencari kerja")
    page.get_by_label("Perkiraan penerima manfaat").fill("40")
    page.get_by_label("Perkiraan biaya dalam rupiah").fill("Rp 75.000.000")


def send(page) -> None:
    page.get_by_role("button", name="Kirim masukan").click()


def receipt_code_after_sending(page) -> str:
    """Wait for the receipt page; return the code as shown (XXXX-XXXX)."""
    page.wait_for_url(RECEIPT_URL)
    shown = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", shown), shown
    assert RECEIPT_URL.search(page.url).group(1) == shown.replace("-", "")
    return shown


def assert_no_phone_number(page) -> None:
    html = page.content()
    for form in (PHONE_NUMBER, PHONE_NUMBER.replace("-", ""), "2712-3456"):
        assert form not in html, f"the phone number ({form}) is shown on {page.url}"


def look_up(page, code: str) -> None:
    page.goto("/status")
    page.get_by_label("Kode tanda terima").fill(code)
    page.get_by_role("button", name="Cek status").click()
    page.wait_for_load_state()


def stored_submissions(app) -> list[Submission]:
    with app.app_context():
        rows = list(db.session.scalars(select(Submission).order_by(Submission.id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def count_submissions(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Submission))
        db.session.remove()
    return count


def english(message: str) -> str:
    """The English catalog's text for `message` (the message itself while untranslated)."""
    catalog = Translations.load(str(BASE_DIR / "app" / "translations"), ["en"], "messages")
    return catalog.gettext(message)


# --- the secretariat, on a desktop --------------------------------------------------------


def shown_code(receipt_code: str) -> str:
    return f"{receipt_code[:4]}-{receipt_code[4:]}"


def sign_in(page, role: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(STAFF_EMAILS[role])
    page.get_by_label("Kata sandi").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def main_text(page) -> str:
    # A click on a link returns once the new page starts; read it when it has loaded.
    page.wait_for_load_state()
    return page.locator("main").inner_text()


def flash(page) -> str:
    page.wait_for_load_state()
    return page.locator("main .notice[role=status]").inner_text()


def queue_titles(page) -> list[str]:
    page.wait_for_load_state()
    return page.locator("table.queue tbody tr td:nth-child(6) a").all_inner_texts()


def filter_by_pillar(page, pillar_id: int) -> None:
    page.get_by_label("Strategi", exact=True).select_option(str(pillar_id))
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url(re.compile(rf"[?&]pillar={pillar_id}\b"))


def assert_fits_the_window(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP_WIDTH, f"{page.url} scrolls sideways: {width}px in a 1280px window"


def assert_header_is_tidy(page) -> None:
    """The sign-out button and the language switch do not touch."""
    page.wait_for_load_state("load")  # before the stylesheet applies, the two sit stacked
    sign_out = page.get_by_role("button", name="Keluar").bounding_box()
    language = page.locator(".language").bounding_box()
    gap = language["x"] - (sign_out["x"] + sign_out["width"])
    assert gap >= 8, f"only {gap:.0f}px between Keluar and the language switch"


# --- accessibility ---------------------------------------------------------------------


def serious_violations(page) -> list[dict]:
    results = axe.run(page)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return "\n".join(lines)
