"""The user guide (docs/PANDUAN.md), walked in a real browser.

Each test follows one chapter of the guide the way its reader would: a participant
on a 360 px phone, the secretariat and the admin at a 1280 px desktop. Every step
asserts what the guide says the reader sees, so the guide cannot drift far from
the app without a test failing. The pictures in the guide come from these steps:
with RAKOR_GUIDE_SCREENSHOTS=1 they are written to docs/panduan/, otherwise to
pytest's temporary folder, so that a normal run changes no tracked file.
"""

import io
import os
import re
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from app.demo import AGENCIES
from app.documents import finalise
from app.extensions import db
from app.meetings import services as meeting_services
from app.models import Agency, Attendee, Kelurahan, Meeting, Pillar, Submission, User
from app.review import services as review_services
from app.submissions import services as submission_services
from tests.browser_helpers import (
    DTKS_KRAPYAK,
    DTKS_MEDONO,
    FISHING_BOATS,
    SUBMISSIONS,
    TITLE,
    choose_lurah_of_krapyak,
    count_submissions,
    english,
    fill_about_me,
    fill_my_input,
    filter_by_pillar,
    flash,
    look_up,
    main_text,
    queue_titles,
    receipt_code_after_sending,
    send,
    shown_code,
    sign_in,
    stored_submissions,
)
from tests.helpers import STAFF_EMAILS, STAFF_PASSWORD, load, ref_id

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
GUIDE_IMAGES = ROOT / "docs" / "panduan"

MEETING_TITLE = "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2025"
MEETING_CODE = "rakor2025"
# Typed once by the secretariat; shown in the room in groups of four, typed back by phone.
ACCESS_CODE = "PKL2RAKR2025"
SPOKEN_ACCESS_CODE = "PKL2-RAKR-2025"
AGENDA = [
    "Pembukaan dan arahan Wali Kota Pekalongan",
    "Penyampaian masukan peserta",
    "Kesepakatan tindak lanjut",
]
OPENING = (
    "Wali Kota Pekalongan membuka rapat dan meminta lurah, camat, OPD dan pemangku "
    "kepentingan menyampaikan masukan agar target angka kemiskinan 2025 tercapai."
)
DISCUSSION = "Sekretariat memaparkan capaian 2024 dan rencana kerja 2025."
CONCLUSIONS = "Pemutakhiran DTKS dilakukan setiap triwulan bersama ketua RT/RW."
STAFF_NAMES = {
    "admin": "Admin Bappeda",
    "secretariat": "Dian Permatasari",
    "viewer": "Pimpinan Rapat",
}
PDF_WAIT_MS = 60_000
STEP_WAIT_MS = 10_000


# --- pictures for the guide -----------------------------------------------------------------


@pytest.fixture
def pictures(tmp_path) -> Path:
    """Where the screenshots go: the guide's folder only when asked for."""
    if os.environ.get("RAKOR_GUIDE_SCREENSHOTS") == "1":
        GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
        return GUIDE_IMAGES
    return tmp_path


def picture(target, folder: Path, name: str, **options) -> Path:
    """Screenshot a page (the visible part) or one element, then shrink the PNG.

    A palette of 128 colours without dithering keeps text sharp and the files small
    (a screenful of the workspace is some 30 KB instead of 150 KB).
    """
    path = folder / f"{name}.png"
    target.screenshot(path=path, **options)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)
    return path


# --- data and helpers --------------------------------------------------------------------------


@pytest.fixture
def agencies(app) -> dict[str, int]:
    """The city agencies (OPD) an admin has entered as reference data."""
    with app.app_context():
        rows = [Agency(abbreviation=short, name=name) for short, name in AGENCIES[:8]]
        db.session.add_all(rows)
        db.session.commit()
        return {row.abbreviation: row.id for row in rows}


@pytest.fixture
def named_staff(app, staff) -> dict[str, int]:
    """The test accounts with the names of people a guide's reader would recognise."""
    with app.app_context():
        for role, name in STAFF_NAMES.items():
            db.session.get(User, staff[role]).name = name
        db.session.commit()
    return staff


def user_id(app, role: str) -> int:
    return ref_id(app, User, email=STAFF_EMAILS[role])


def send_input(app, meeting_id: int, key: str) -> int:
    """One of the workspace tests' inputs, sent through the public form's service."""
    pillar, ward, name, position, texts = SUBMISSIONS[key]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        ward_id = db.session.scalar(db.select(Kelurahan.id).filter_by(name=ward))
        data = submission_services.SubmissionData(
            submitter_name=name,
            role="lurah",
            position=position,
            kind="usulan",
            pillar_id=db.session.scalar(db.select(Pillar.id).filter_by(code=pillar)),
            title=texts["title"],
            description=texts["description"],
            kelurahan_id=ward_id,
            location_id=ward_id,
        )
        accepted = submission_services.submit(
            meeting, data, client_token=uuid.uuid4().hex, access_code=meeting.access_code or ""
        )
        return db.session.scalar(
            db.select(Submission.id).filter_by(receipt_code=accepted.receipt_code)
        )


def open_pdf(page, action, path_end: str):
    """Do `action` (a click) and wait for the PDF the browser then shows.

    A document not rendered yet first gets the progress page, which polls and then
    opens the PDF by itself; either way the browser ends on the PDF.
    """
    with page.expect_response(
        lambda response: (
            response.url.endswith(path_end)
            and response.status == 200
            and response.headers.get("content-type", "").startswith("application/pdf")
        ),
        timeout=PDF_WAIT_MS,
    ) as answer:
        action()
    return answer.value


def pdf_words(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_of(page, response) -> bytes:
    """The PDF's bytes, fetched again with the browser's signed-in session.

    Chromium hands a PDF it shows to its built-in viewer, and Playwright then gets an
    empty body for that response.
    """
    fetched = page.request.get(response.url)
    assert fetched.ok, fetched.status
    return fetched.body()


def db_status(app, meeting_id: int) -> str:
    with app.app_context():
        status = db.session.get(Meeting, meeting_id).status
        db.session.remove()
    return status


def scroll_to(page, selector: str) -> None:
    """Bring an element to the top of the screen, as a reader scrolling to it would."""
    page.locator(selector).evaluate("element => element.scrollIntoView()")


def meeting_id_in(url: str) -> int:
    match = re.search(r"/admin/meetings/(\d+)", url)
    assert match, url
    return int(match.group(1))


# --- 1. participants ----------------------------------------------------------------------------


def test_the_participants_chapter(phone, make_meeting, app, staff, pictures):
    meeting = make_meeting(access_code="BATIK24")
    page = phone
    page.set_default_timeout(STEP_WAIT_MS)

    # The home page lists the meetings taking input; "Beri masukan" opens the form.
    page.goto("/")
    assert page.locator("h1").inner_text() == "Rapat yang menerima masukan"
    card = page.locator(".meeting-list .card")
    assert meeting.title in card.inner_text()
    picture(page.locator("main"), pictures, "peserta-beranda")
    card.get_by_role("link", name="Beri masukan").click()
    page.wait_for_url(re.compile(r"/m/rakor-uji$"))
    assert page.locator("h1").inner_text() == meeting.title
    assert page.get_by_label("Kode akses rapat").is_visible()
    access_field = page.locator("#access_code-field")
    assert "Kode yang ditampilkan di ruang rapat." in access_field.inner_text()
    scroll_to(page, "#form-title")
    picture(page, pictures, "peserta-formulir")

    # Choosing a role shows the one unit field that goes with it.
    page.get_by_label("Kode akses rapat").fill("BATIK")
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    assert page.locator("#unit_kecamatan").is_hidden()
    fill_my_input(page, title="")
    scroll_to(page, "#kind-field")
    assert page.get_by_role("radio", name="Usulan program atau kegiatan").is_checked()
    picture(page, pictures, "peserta-isian-masukan")

    # A forgotten title: the form comes back with a summary and every answer kept.
    send(page)
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Ada isian yang perlu diperbaiki" in summary.inner_text()
    assert "Judul singkat: Isi judul masukan." in summary.inner_text()
    assert page.get_by_label("Nama lengkap").input_value() == "Agus Priyanto"
    picture(page, pictures, "peserta-perlu-diperbaiki")

    # A wrong access code is named beside its field; nothing is recorded yet.
    page.get_by_label("Judul singkat").fill(TITLE)
    send(page)
    page.locator("#error-summary").wait_for()
    assert "Kode akses tidak cocok. Tanyakan di meja sekretariat." in access_field.inner_text()
    assert page.get_by_label("Judul singkat").input_value() == TITLE
    assert count_submissions(app) == 0
    picture(access_field, pictures, "peserta-kode-akses-salah")

    # Capitals or not, the right code lets the input through: the receipt.
    page.get_by_label("Kode akses rapat").fill("batik24")
    send(page)
    code = receipt_code_after_sending(page)
    receipt = page.locator("main").inner_text()
    assert "Terima kasih, masukan Anda sudah diterima" in receipt
    assert "Diterima, menunggu tinjauan" in receipt
    assert "Simpan atau foto kode ini." in receipt
    picture(page, pictures, "peserta-tanda-terima")

    # A code that does not exist.
    look_up(page, "ZZZZ-ZZZZ")
    assert "Kode ini tidak ditemukan. Periksa lagi huruf dan angkanya." in (
        page.locator("#receipt_code-field").inner_text()
    )

    # The secretariat decides; the participant sees the decision and its reason.
    [stored] = stored_submissions(app)
    with app.app_context():
        review_services.decide(
            db.session.get(Submission, stored.id),
            "accepted",
            "Diusulkan dalam rencana kerja Dinperinaker 2025.",
            db.session.get(User, user_id(app, "secretariat")),
        )
        db.session.remove()
    look_up(page, code.replace("-", "").lower())
    result = page.locator("section.result")
    assert code in result.get_by_role("heading").inner_text()
    status_lines = result.locator(".status").inner_text().splitlines()
    assert [line for line in status_lines if line.strip()] == [
        "Status: Disetujui",
        "Keterangan: Diusulkan dalam rencana kerja Dinperinaker 2025.",
    ]
    picture(page, pictures, "peserta-cek-status")

    # EN switches the pages to English, ID back.
    page.locator(".language").get_by_role("link", name=re.compile(r"^EN\b")).click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_role("button", name=english("Cek status")).is_visible()
    assert page.locator("h1").inner_text() == english("Cek status masukan")
    picture(page, pictures, "peserta-bahasa", clip={"x": 0, "y": 0, "width": 360, "height": 400})
    page.locator(".language").get_by_role("link", name=re.compile(r"^ID\b")).click()
    page.wait_for_function("document.documentElement.lang === 'id'")

    # Once the secretariat closes the intake, the form says so.
    with app.app_context():
        meeting_services.close_meeting(
            db.session.get(User, user_id(app, "secretariat")), db.session.get(Meeting, meeting.id)
        )
        db.session.remove()
    page.goto("/m/rakor-uji")
    closed = page.locator(".notice-closed")
    assert "Penerimaan masukan sudah ditutup" in closed.inner_text()
    assert page.get_by_role("button", name="Kirim masukan").count() == 0
    picture(page, pictures, "peserta-ditutup")


QUEUED = (
    "Belum terkirim: tidak ada jaringan. Masukan Anda tersimpan di ponsel ini dan akan"
    " dikirim otomatis saat jaringan kembali."
)
INVITEE_TOKEN = "Gd7pQ2wLx9Rk4mTb8vNc3sYh6jFa1eZu"


def wait_for_the_worker(page) -> None:
    page.evaluate(
        """() => new Promise(done => navigator.serviceWorker.controller ? done()
            : navigator.serviceWorker.addEventListener('controllerchange', done))"""
    )


def test_the_participants_chapter_when_something_goes_wrong(phone, make_meeting, app, pictures):
    """A2-A4 of the guide: the folded header, the privacy notice, the character count,
    the receipt's next steps and correction link, a send without network."""
    meeting = make_meeting()
    page = phone
    page.set_default_timeout(STEP_WAIT_MS)
    page.goto(f"/m/{meeting.code}")
    wait_for_the_worker(page)

    # The header shows the title and the day; the rest waits behind one tap.
    facts = page.locator("details.meeting-facts")
    assert facts.locator("summary").inner_text() == "Waktu, tempat, dan pimpinan rapat"
    assert not facts.locator("dl").is_visible()
    assert page.locator(".meeting-date").inner_text() == "Selasa, 23 Januari 2024"
    picture(page, pictures, "peserta-kepala-formulir")
    facts.locator("summary").click()
    assert "Ruang Jlamprang Setda Kota Pekalongan" in facts.locator("dl").inner_text()

    # The privacy notice: who sees the data and when it is erased, in sight; what is
    # asked, why, and whom to ask behind one tap; /privasi says the rest.
    notice = page.locator(".privacy-notice")
    assert "Data pribadi Anda: hanya dilihat sekretariat rapat dan admin aplikasi." in (
        notice.inner_text()
    )
    notice.locator("summary").click()
    assert "nomor HP tidak pernah dicetak" in notice.inner_text()
    privacy_link = notice.get_by_role("link", name="Selengkapnya tentang data pribadi")
    assert privacy_link.get_attribute("href").endswith("/privasi")
    picture(notice, pictures, "peserta-data-pribadi")

    # The count under a long text: over the limit it says by how much, and cuts nothing.
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)
    too_long = ("Pelatihan membatik bagi pencari kerja muda di Krapyak. " * 73)[:4012]
    description = page.get_by_label("Uraian")
    description.fill(too_long)
    count = page.locator("#description-count")
    assert count.inner_text() == "Kelebihan 12 karakter"
    assert description.input_value() == too_long
    picture(page.locator("#description-field"), pictures, "peserta-hitung-karakter")
    description.fill(too_long[:3990])
    assert count.inner_text() == "Sisa 10 karakter"

    # The receipt says what comes next and, on this phone only, offers the correction.
    send(page)
    code = receipt_code_after_sending(page)
    steps = page.locator("section.next-steps")
    assert "Langkah selanjutnya" in steps.inner_text()
    assert f"kode {code}" in steps.inner_text()
    assert steps.get_by_role("link", name="Ubah masukan ini").is_visible()
    assert "Agus Priyanto" not in page.locator("main").inner_text()
    picture(steps, pictures, "peserta-langkah-selanjutnya")

    # "Kirim masukan lain": the name and the unit are still there, the phone number not.
    page.get_by_role("link", name="Kirim masukan lain").click()
    page.wait_for_url(re.compile(rf"/m/{meeting.code}$"))
    page.locator("#identity-note").wait_for()
    assert page.get_by_label("Nama lengkap").input_value() == "Agus Priyanto"
    assert page.get_by_label("Nomor HP (tidak wajib)").input_value() == ""
    assert page.get_by_role("button", name="Lupakan data diri").is_visible()

    # No network at the moment of sending: the input waits on the phone, then goes once.
    wait_for_the_worker(page)
    fill_my_input(page, title="Pendampingan usaha batik rumahan")
    page.context.set_offline(True)
    send(page)
    state = page.locator("#send-state")
    expect(state).to_have_text(QUEUED)
    assert count_submissions(app) == 1
    state.scroll_into_view_if_needed()
    picture(page, pictures, "peserta-belum-terkirim")
    page.context.set_offline(False)
    expect(state).to_contain_text("Terkirim. Kode tanda terima Anda:", timeout=20_000)
    assert state.get_by_role("link", name="Lihat tanda terima").is_visible()
    assert count_submissions(app) == 2


def test_the_invitations_section(desktop, make_meeting, app, named_staff, pictures):
    """B: the invitations page, one personal link per invitee and who has sent input."""
    meeting = make_meeting()
    with app.app_context():
        for name, position, unit, phone, token in (
            ("Agus Priyanto", "Lurah Krapyak", "Kel. Krapyak", "0812-2712-3456", INVITEE_TOKEN),
            (
                "Sri Wahyuni",
                "Camat Pekalongan Barat",
                "Kec. Pekalongan Barat",
                "0813-2500-7781",
                None,
            ),
        ):
            db.session.add(
                Attendee(
                    meeting_id=meeting.id,
                    source="invited",
                    name=name,
                    position=position,
                    unit=unit,
                    sex="L" if name.startswith("Agus") else "P",
                    phone=phone,
                    invitation_token=token,
                )
            )
        db.session.commit()
    page = desktop
    page.set_default_timeout(STEP_WAIT_MS)
    sign_in(page, "secretariat")
    page.goto(f"/admin/meetings/{meeting.id}")
    page.get_by_role("link", name="Undangan dan tautan pribadi").click()
    page.wait_for_url(re.compile(rf"/admin/meetings/{meeting.id}/invitations$"))
    main = main_text(page)
    assert "0 dari 2 undangan sudah mengirim masukan" in main
    assert "1 belum punya tautan" in main
    page.get_by_role("button", name="Buat tautan pribadi").click()
    page.wait_for_load_state()
    assert "belum punya tautan" not in main_text(page)
    assert "1 tautan pribadi dibuat." in main_text(page)
    links = page.locator("input.invitation-link")
    assert links.count() == 2
    assert links.first.input_value().endswith(f"/m/{meeting.code}?undangan={INVITEE_TOKEN}")
    assert page.get_by_role("button", name="Kirim lewat WhatsApp kepada Sri Wahyuni").is_visible()
    picture(page, pictures, "sekretariat-undangan")


# --- 2. the secretariat ----------------------------------------------------------------------


def create_the_meeting(page, pictures) -> int:
    """Sign in, fill "Buat rapat", open the meeting for input; returns its id."""
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Masuk untuk sekretariat"
    for field in ("E-mail", "Kata sandi"):
        box = page.get_by_label(field).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 280, f"{field}: a field too small, {box}"
    picture(page.locator("main"), pictures, "sekretariat-masuk")
    sign_in(page, "secretariat")
    assert page.locator("h1").inner_text() == "Rapat"
    assert "Belum ada rapat." in main_text(page)

    page.get_by_role("link", name="Buat rapat").click()
    assert page.locator("h1").inner_text() == "Buat rapat"
    page.get_by_label("Nama rapat").fill(MEETING_TITLE)
    # Today: a participant checks in on the meeting's day only.
    page.get_by_label("Tanggal").fill(datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat())
    page.get_by_label("Waktu mulai").fill("09:00")
    page.get_by_label("Tempat").fill("Ruang Jlamprang Setda Kota Pekalongan")
    page.get_by_label("Nama pimpinan rapat").fill("Achmad Afzan Arslan Djunaid")
    page.get_by_label("Jabatan pimpinan rapat").fill("Wali Kota Pekalongan")
    page.get_by_label("Nama notulis").fill("Dian Permatasari, S.E., M.Si.")
    page.get_by_label("Jabatan notulis").fill("Analis Kebijakan Ahli Muda Bappeda")
    page.get_by_label("NIP notulis").fill("19850312 201001 2 015")
    page.get_by_label("Agenda (tidak wajib)").fill("\n".join(AGENDA))
    page.get_by_label("Kode akses (tidak wajib)").fill(ACCESS_CODE)
    page.get_by_label("Kode alamat publik").fill(MEETING_CODE)
    picture(page, pictures, "sekretariat-buat-rapat", full_page=True)
    page.get_by_role("button", name="Buat rapat").click()

    assert flash(page) == "Rapat dibuat sebagai draf. Periksa datanya, lalu buka untuk masukan."
    assert page.locator(".meeting-status .pill").inner_text() == "Draf"
    assert page.locator("ol.agenda-summary li").all_inner_texts() == AGENDA
    page.get_by_role("button", name="Buka untuk masukan").click()
    assert flash(page) == "Rapat dibuka untuk masukan."
    assert page.locator(".meeting-status .pill").inner_text() == "Dibuka untuk masukan"
    assert "Saat ini menerima masukan." in main_text(page)
    figure = page.locator(".qr-figure")
    assert figure.locator(".public-url").inner_text().endswith(f"/m/{MEETING_CODE}")
    assert figure.locator(".access-code").inner_text() == SPOKEN_ACCESS_CODE
    picture(page, pictures, "sekretariat-halaman-rapat")
    return meeting_id_in(page.url)


def watch_the_live_view(browser, live_server, phone, meeting_id: int, pictures) -> str:
    """The projector (its own computer, signed in) counts an input sent from a phone."""
    projector = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="id-ID", base_url=live_server
    )
    try:
        screen = projector.new_page()
        sign_in(screen, "secretariat")
        # The page refreshes itself every 5 seconds; the test moves its clock instead.
        screen.clock.install()
        screen.goto(f"/admin/meetings/{meeting_id}/live")
        total = screen.locator("[data-live-total]")
        assert total.inner_text() == "0"
        assert screen.locator("[data-live-newest]").inner_text() == "Belum ada masukan."

        phone.goto(f"/m/{MEETING_CODE}")
        phone.get_by_label("Kode akses rapat").fill(SPOKEN_ACCESS_CODE.lower())
        fill_about_me(phone, name="Siti Rahayu")
        choose_lurah_of_krapyak(phone)
        fill_my_input(phone)
        send(phone)
        receipt = receipt_code_after_sending(phone)

        screen.clock.run_for(5_000)
        expect(total).to_have_text("1")
        assert TITLE in screen.locator("[data-live-newest]").inner_text()
        by_role = screen.locator("[data-live-list=by_role]").inner_text()
        assert re.search(r"Lurah\s+1", by_role), by_role
        picture(screen, pictures, "sekretariat-tampilan-langsung")
    finally:
        projector.close()
    return receipt


def review_the_inputs(page, app, meeting_id: int, ids: dict, agencies: dict, pictures) -> None:
    krapyak, boats = load(app, ids["krapyak"]), load(app, ids["boats"])
    page.goto(f"/admin/meetings/{meeting_id}")
    assert "4 masukan diterima" in main_text(page)
    page.get_by_role("link", name="Tinjau masukan").click()
    assert page.locator("h1").inner_text() == "Daftar masukan"
    assert page.locator("#result-count").inner_text().startswith("4 masukan")
    picture(page, pictures, "sekretariat-daftar-masukan")
    filter_by_pillar(page, ref_id(app, Pillar, code="P1"))
    assert page.locator("#result-count").inner_text().startswith("2 masukan cocok dengan saringan")
    assert sorted(queue_titles(page)) == sorted([DTKS_KRAPYAK["title"], DTKS_MEDONO["title"]])

    # A decision with its reason, then the agency responsible and a deadline.
    page.get_by_role("link", name=DTKS_KRAPYAK["title"]).click()
    assert shown_code(krapyak.receipt_code) in page.locator(".eyebrow").inner_text()
    page.get_by_label("Setujui", exact=True).check()
    page.get_by_label("Alasan atau keterangan").fill("Masuk rencana kerja Dinsos P2KB 2025.")
    decision_column = page.locator("section[aria-labelledby=decision-title]")
    picture(decision_column, pictures, "sekretariat-putuskan")
    page.get_by_role("button", name="Simpan keputusan").click()
    assert flash(page) == "Keputusan disimpan."
    assert page.locator("h1 + p .pill").inner_text() == "Disetujui"
    page.get_by_label("Perangkat daerah penanggung jawab").select_option(
        str(agencies["Dinsos P2KB"])
    )
    page.get_by_role("textbox", name="Batas waktu").fill("2025-06-30")
    assert (
        page.get_by_role("textbox", name="Tindak lanjut", exact=True).input_value()
        == DTKS_KRAPYAK["title"]
    )
    page.get_by_role("button", name="Catat tindak lanjut").click()
    assert flash(page) == "Tindak lanjut dicatat."
    assert page.locator("h1 + p .pill").inner_text() == "Ditindaklanjuti"
    follow_ups = page.locator("section[aria-labelledby=follow-ups-title] tbody")
    assert "Dinsos P2KB" in follow_ups.inner_text()

    # Another input: a better pillar, then declined; a decline needs its reason.
    page.get_by_role("link", name="← Daftar masukan").click()
    page.get_by_role("link", name=FISHING_BOATS["title"]).click()
    page.get_by_role("combobox", name="Strategi", exact=True).select_option(
        label="P3 · Pemberdayaan usaha ekonomi mikro dan kecil"
    )
    page.get_by_role("button", name="Simpan strategi").click()
    assert flash(page) == "Strategi diubah."
    assert "Diubah sekretariat" in main_text(page)
    page.get_by_label("Tidak dapat ditindaklanjuti (tulis alasannya)").check()
    page.get_by_role("button", name="Simpan keputusan").click()
    summary = page.locator("#error-summary")
    assert "Tulis alasan mengapa masukan ini tidak dapat ditindaklanjuti." in summary.inner_text()
    page.get_by_label("Alasan atau keterangan").fill("Sudah dianggarkan DKP lewat DAK 2025.")
    page.get_by_role("button", name="Simpan keputusan").click()
    assert flash(page) == "Keputusan disimpan."
    declined = load(app, boats.id)
    assert (declined.status, declined.pillar_id) == ("declined", ref_id(app, Pillar, code="P3"))

    # Near-duplicates: merged into one, then the merge undone.
    page.locator(".review-nav").get_by_role("link", name="Masukan serupa").click()
    assert page.locator("h1").inner_text() == "Masukan serupa"
    group = page.locator("section.duplicate-group")
    expect(group).to_have_count(1)
    assert DTKS_MEDONO["title"] in group.inner_text()
    picture(page, pictures, "sekretariat-masukan-serupa")
    group.get_by_label(f"Jadikan {shown_code(krapyak.receipt_code)} masukan utama").check()
    page.get_by_role("button", name=re.compile("Gabungkan yang dicentang")).click()
    assert flash(page) == f"1 masukan digabung ke masukan {shown_code(krapyak.receipt_code)}."
    co_proposers = page.locator("table.co-proposer-list")
    assert co_proposers.locator("caption").inner_text() == "Pengusul bersama (2)"
    picture(page.locator("#group"), pictures, "sekretariat-pengusul-bersama")
    assert load(app, ids["medono"]).status == "merged"
    page.once("dialog", lambda dialog: dialog.accept())
    co_proposers.get_by_role("button", name=re.compile("^Batalkan penggabungan")).click()
    page.wait_for_load_state()
    assert flash(page) == "Penggabungan dibatalkan."
    assert load(app, ids["medono"]).status == "received"

    # Every change is in the meeting's log.
    page.locator(".review-nav").get_by_role("link", name="Log perubahan").click()
    assert page.locator("h1").inner_text() == "Log perubahan"
    assert STAFF_NAMES["secretariat"] in page.locator("table.audit").inner_text()


def write_the_record(page, phone, meeting_id: int, agencies: dict, pictures) -> None:
    page.goto(f"/admin/meetings/{meeting_id}")
    page.get_by_role("link", name="Isi notulen").click()
    assert page.locator("h1").inner_text() == "Isi notulen"
    page.get_by_role("textbox", name="Pembukaan", exact=True).fill(OPENING)
    page.get_by_role("textbox", name=f"Pembahasan acara 1: {AGENDA[0]}").fill(DISCUSSION)
    assert page.get_by_role("textbox", name=f"Pembahasan acara 3: {AGENDA[2]}").input_value() == ""
    page.get_by_role("textbox", name="Kesimpulan").fill(CONCLUSIONS)
    page.get_by_role("button", name="Simpan isi notulen").click()
    assert flash(page) == "Isi notulen disimpan."
    assert page.get_by_role("textbox", name="Pembukaan", exact=True).input_value() == OPENING
    scroll_to(page, ".site-header")
    picture(page, pictures, "sekretariat-isi-notulen")

    # The follow-up set on the input is listed; one more is added by hand.
    follow_ups = page.locator("section[aria-labelledby=tindak-lanjut]")
    assert "Dari masukan" in follow_ups.locator("tbody").inner_text()
    follow_ups.get_by_role("textbox", name="Tindakan", exact=True).fill(
        "Menyusun jadwal pemutakhiran DTKS triwulanan bersama kelurahan."
    )
    follow_ups.get_by_label("Perangkat daerah penanggung jawab").select_option(
        str(agencies["Bappeda"])
    )
    follow_ups.get_by_role("textbox", name="Tenggat (tidak wajib)").fill("2025-03-31")
    page.get_by_role("button", name="Tambah tindak lanjut").click()
    assert flash(page) == "Tindak lanjut ditambahkan."
    expect(follow_ups.locator("tbody tr")).to_have_count(2)
    picture(follow_ups.locator(".table-wrap"), pictures, "sekretariat-tindak-lanjut")

    # The daftar hadir: who was there, apart from who sent input. A participant checks
    # in on a phone from the poster's second QR code; no access code is asked.
    attendance = page.locator("section[aria-labelledby=daftar-hadir]")
    assert "Daftar hadir masih kosong." in attendance.inner_text()
    phone.goto(f"/m/{MEETING_CODE}/hadir")
    phone.get_by_role("button", name="Catat kehadiran").click()
    assert "Isi nama Anda." in phone.locator("#error-summary").inner_text()
    phone.get_by_label("Nama lengkap").fill("Rina Kurniasari")
    phone.get_by_label("Jabatan").fill("Lurah Medono")
    phone.get_by_label("Instansi atau unit").fill("Kelurahan Medono")
    phone.get_by_label("Perempuan").check()
    picture(phone, pictures, "peserta-daftar-hadir", full_page=True)
    phone.get_by_role("button", name="Catat kehadiran").click()
    assert phone.locator("h1").inner_text() == "Terima kasih, kehadiran Anda tercatat"

    # At the desk: someone invited, ticked when they arrive, and someone added by hand.
    page.reload()
    link = "Buka daftar hadir untuk menandai dan menambah peserta"
    page.locator("section[aria-labelledby=daftar-hadir]").get_by_role("link", name=link).click()
    assert page.locator("h1").inner_text() == "Daftar hadir"
    page.get_by_role("textbox", name="Nama", exact=True).fill("Sri Wahyuni")
    page.get_by_role("textbox", name="Jabatan", exact=True).fill("Camat Pekalongan Utara")
    page.get_by_role("textbox", name="Instansi atau unit").fill("Kecamatan Pekalongan Utara")
    page.get_by_label("Perempuan").check()
    page.get_by_role("button", name="Tambah sebagai undangan").click()
    assert flash(page) == "Undangan ditambahkan ke daftar hadir."
    page.get_by_role("textbox", name="Nama", exact=True).fill("Drs. Bambang Susilo")
    page.get_by_role("textbox", name="Jabatan", exact=True).fill("Kepala Bappeda")
    page.get_by_role("textbox", name="Instansi atau unit").fill("Bappeda Kota Pekalongan")
    page.get_by_label("Laki-laki").check()
    page.get_by_role("button", name="Tambah peserta").click()
    assert flash(page) == "Peserta ditambahkan."
    assert "2 hadir" in main_text(page) and "1 belum hadir" in main_text(page)
    page.get_by_role("button", name="Hadir Sri Wahyuni", exact=True).click()
    assert flash(page) == "Sri Wahyuni dicatat hadir."
    rows = page.locator("table.attendance-desk tbody tr")
    expect(rows).to_have_count(3)
    assert "Drs. Bambang Susilo" in rows.first.inner_text()  # in the order of names
    assert "Mengisi sendiri" in rows.filter(has_text="Rina Kurniasari").inner_text()
    assert "Diundang" in rows.filter(has_text="Sri Wahyuni").inner_text()
    picture(page.locator(".table-wrap"), pictures, "sekretariat-daftar-hadir")


PAPER_ROW = [
    "Dewi Lestari",
    "stakeholder",
    "BPS Kota Pekalongan",
    "Statistisi Ahli Muda",
    None,
    "kendala",
    "P4",
    "Data kemiskinan mikro belum diperbarui",
    "Banyak keluarga miskin baru belum masuk data terpadu tahun ini.",
    None,
    "umum",
    None,
    None,
    None,
]


def enter_paper_forms(page, app, meeting_id: int, tmp_path: Path, pictures) -> None:
    page.goto(f"/admin/meetings/{meeting_id}")
    page.get_by_role("link", name="Masukan dari formulir kertas").click()
    assert page.locator("h1").inner_text() == "Masukan dari formulir kertas"
    picture(page, pictures, "sekretariat-formulir-kertas")

    blank = open_pdf(
        page, lambda: page.get_by_role("link", name="Unduh formulir (PDF)").click(), "/form.pdf"
    )
    assert MEETING_TITLE in pdf_words(pdf_of(page, blank))
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh templat (XLSX)").click()
    assert download.value.suggested_filename == f"templat-masukan-{MEETING_CODE}.xlsx"
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    workbook = load_workbook(template)
    assert workbook.sheetnames == ["Masukan", "Petunjuk", "Pilihan"]
    sheet = workbook["Masukan"]
    sheet.append(PAPER_ROW)
    sheet.append(["Sutrisno", "kades", *PAPER_ROW[2:6], "P2", "Bantuan bibit lele", "Lele"])
    filled = tmp_path / "isian.xlsx"
    workbook.save(filled)

    # One bad row: nothing is imported and each mistake is named by row and column.
    upload = page.get_by_label("Berkas templat yang sudah diisi (.xlsx)")
    upload.set_input_files(filled)
    page.get_by_role("button", name="Periksa dan impor").click()
    errors = page.locator("#import-errors")
    assert "Tidak ada yang diimpor" in errors.inner_text()
    problems = page.locator("table.import-errors tbody tr").all_inner_texts()
    assert "3\tPeran\tPilihan tidak tersedia. Pilih dari daftar." in problems
    assert "3\tUraian\tUraian antara 10 dan 4000 karakter." in problems
    assert count_submissions(app) == 4
    picture(page.locator("ol.paper-steps > li").nth(2), pictures, "sekretariat-impor-gagal")

    # The row corrected in the file, the whole file imported again.
    sheet.delete_rows(3)
    sheet.append(
        [
            "Sutrisno",
            "lurah",
            "Krapyak",
            "Ketua RW 05",
            None,
            "usulan",
            "P2",
            "Bantuan bibit lele untuk kelompok warga",
            "Kelompok warga RW 05 siap membudidayakan lele di lahan kosong.",
        ]
    )
    workbook.save(filled)
    upload.set_input_files(filled)
    page.get_by_role("button", name="Periksa dan impor").click()
    assert flash(page) == "2 masukan dari formulir kertas diimpor."
    assert "Masukan dari formulir kertas yang sudah tercatat: 2." in main_text(page)
    assert count_submissions(app) == 6


def export_the_inputs(page, meeting_id: int) -> None:
    page.goto(f"/admin/meetings/{meeting_id}/inputs")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ekspor masukan (Excel)").click()
    assert download.value.suggested_filename == f"masukan-{MEETING_CODE}.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Kode tanda terima"
    assert len(rows) == 6
    titles = {row[header.index("Judul")] for row in rows}
    assert "Data kemiskinan mikro belum diperbarui" in titles


def close_and_finalise(page, app, meeting_id: int, pictures) -> None:
    page.goto(f"/admin/meetings/{meeting_id}")
    page.get_by_role("button", name="Tutup penerimaan masukan").click()
    assert flash(page) == "Penerimaan masukan ditutup."
    assert "Saat ini tidak menerima masukan." in main_text(page)

    # Each document has its preview, its PDF and its Word draft in "Dokumen rapat".
    documents = page.locator("section.meeting-documents")
    assert documents.locator("tbody th").all_inner_texts() == [
        "Notulen",
        "Ringkasan evaluasi",
        "Daftar hadir",
        "Berita acara kesepakatan",
        "Laporan hasil rakor",
    ]
    assert documents.get_by_role("link", name="Word Notulen", exact=True).is_visible()
    picture(documents, pictures, "sekretariat-dokumen-rapat")
    documents.get_by_role("link", name="Pratinjau Notulen", exact=True).click()
    assert page.locator("main > h1").inner_text() == "Pratinjau notulen"
    preview = page.locator("article.report").inner_text()
    assert OPENING in preview and CONCLUSIONS in preview
    state = page.locator("section.record-state")
    assert state.get_by_role("link", name="Finalkan notulen").is_visible()
    picture(page, pictures, "sekretariat-pratinjau-notulen")

    draft = open_pdf(
        page, lambda: page.get_by_role("button", name="Unduh PDF").click(), "/minutes.pdf"
    )
    words = pdf_words(pdf_of(page, draft))
    assert "NOTULEN" in words and OPENING in words and "Drs. Bambang Susilo" in words
    page.wait_for_timeout(1_500)  # the viewer draws the first page
    picture(page, pictures, "sekretariat-notulen-pdf")
    page.go_back()

    # The other documents are a click away in the preview's document bar.
    document_nav = page.locator("nav.document-nav")
    document_nav.get_by_role("link", name="Ringkasan evaluasi", exact=True).click()
    assert page.locator("main > h1").inner_text() == "Pratinjau ringkasan evaluasi"
    summary = open_pdf(
        page, lambda: page.get_by_role("button", name="Unduh PDF").click(), "/evaluation.pdf"
    )
    assert "RINGKASAN EVALUASI" in pdf_words(pdf_of(page, summary))
    page.go_back()
    document_nav.get_by_role("link", name="Notulen", exact=True).click()
    assert page.locator("main > h1").inner_text() == "Pratinjau notulen"

    # Finalising starts with its checks: nothing required is missing, two things to look at.
    state.get_by_role("link", name="Finalkan notulen").click()
    assert page.locator("main h1").inner_text() == "Finalkan notulen"
    blockers = page.locator("section[aria-labelledby=blockers-title]")
    assert "Semua yang wajib sudah lengkap." in blockers.inner_text()
    warnings = page.locator("ul.check-warnings li").all_inner_texts()
    assert any("masukan belum ditinjau" in line for line in warnings), warnings
    assert any(
        line.startswith("2 susunan acara belum punya catatan pembahasan.") for line in warnings
    ), warnings
    assert not any("tercatat hadir" in line for line in warnings), warnings
    picture(page, pictures, "sekretariat-finalkan-periksa")

    final = open_pdf(
        page,
        lambda: page.get_by_role("button", name="Ya, finalkan notulen").click(),
        "/minutes.pdf",
    )
    sha256 = final.headers["x-content-sha256"]
    page.goto(f"/admin/meetings/{meeting_id}/minutes")
    state = page.locator("section.record-state")
    assert "Final sejak" in state.inner_text()
    assert sha256 in state.locator("dl.hashes").inner_text()
    assert page.get_by_role("button", name="Buka kembali notulen").count() == 0
    picture(state, pictures, "sekretariat-notulen-final")
    assert db_status(app, meeting_id) == "finalised"

    page.goto(f"/admin/meetings/{meeting_id}")
    assert "Notulen rapat ini sudah final. Data rapat tidak dapat diubah lagi." in main_text(page)
    assert page.get_by_role("link", name="Ubah data rapat").count() == 0


def test_the_secretariats_chapter(
    desktop,
    phone,
    browser,
    live_server,
    app,
    named_staff,
    agencies,
    tmp_path,
    pictures,
):
    page = desktop
    page.set_default_timeout(STEP_WAIT_MS)
    meeting_id = create_the_meeting(page, pictures)

    poster = open_pdf(
        page,
        lambda: page.get_by_role("link", name="Unduh poster kode QR (PDF)").click(),
        "/poster.pdf",
    )
    words = pdf_words(pdf_of(page, poster))
    assert f"/m/{MEETING_CODE}" in words.replace(" ", "") and SPOKEN_ACCESS_CODE in words
    page.go_back()

    watch_the_live_view(browser, live_server, phone, meeting_id, pictures)
    ids = {key: send_input(app, meeting_id, key) for key in ("krapyak", "medono", "boats")}
    review_the_inputs(page, app, meeting_id, ids, agencies, pictures)
    write_the_record(page, phone, meeting_id, agencies, pictures)
    enter_paper_forms(page, app, meeting_id, tmp_path, pictures)
    export_the_inputs(page, meeting_id)
    close_and_finalise(page, app, meeting_id, pictures)


def test_every_role_changes_its_own_password(
    desktop,
    named_staff,
    pictures,
):
    page = desktop
    page.set_default_timeout(STEP_WAIT_MS)
    sign_in(page, "viewer")
    page.locator(".staff-nav").get_by_role("link", name="Ganti kata sandi").click()
    assert page.locator("h1").inner_text() == "Ganti kata sandi"

    def fill(current: str, new: str) -> None:
        page.get_by_label(re.compile(r"^Kata sandi sekarang")).fill(current)
        page.get_by_label(re.compile(r"^Kata sandi baru")).fill(new)
        page.get_by_label(re.compile(r"^Ulangi kata sandi baru")).fill(new)
        page.get_by_role("button", name="Simpan kata sandi baru").click()

    fill("sandi-yang-lupa", "gedung-jlamprang-lantai-3")
    assert "Kata sandi sekarang salah." in main_text(page)
    assert page.get_by_label(re.compile(r"^Kata sandi baru")).input_value() == ""
    picture(page, pictures, "staf-ganti-kata-sandi")

    fill(STAFF_PASSWORD, "gedung-jlamprang-lantai-3")
    assert flash(page) == "Kata sandi Anda sudah diganti. Sesi di perangkat lain diakhiri."
    assert page.locator("h1").inner_text() == "Rapat"


# --- 3. the admin ------------------------------------------------------------------------------


@pytest.fixture
def finalised_meeting(app, make_meeting, named_staff) -> Meeting:
    """A meeting with one input and a complete record, closed and its minutes finalised
    by the secretariat. The Wali Kota, an elected official, signs without a NIP."""
    meeting = make_meeting(
        chair_nip="",
        notetaker_name="Dian Permatasari, S.E., M.Si.",
        notetaker_position="Analis Kebijakan Ahli Muda Bappeda",
        notetaker_nip="198503122010012015",
        conclusions=CONCLUSIONS,
    )
    send_input(app, meeting.id, "krapyak")
    with app.app_context():
        secretariat = db.session.get(User, named_staff["secretariat"])
        meeting_services.close_meeting(secretariat, db.session.get(Meeting, meeting.id))
        finalise.finalise_minutes(meeting.id, secretariat)
        db.session.remove()
    return meeting


def test_the_admins_chapter(
    desktop,
    app,
    finalised_meeting,
    pictures,
):
    page = desktop
    page.set_default_timeout(STEP_WAIT_MS)
    meeting_id = finalised_meeting.id
    sign_in(page, "admin")
    menu = page.locator(".staff-nav").inner_text()
    for item in ("Rapat", "Pengguna", "Data referensi", "Indikator"):
        assert item in menu

    # Reopening final minutes takes a reason; the old final PDF stays stored.
    page.goto(f"/admin/meetings/{meeting_id}/minutes")
    state = page.locator("section.record-state")
    assert "Final sejak" in state.inner_text()
    reason = page.get_by_role("textbox", name="Alasan membuka kembali")
    reason.fill("Nama pimpinan rapat salah ketik; diperbaiki lalu difinalkan lagi.")
    picture(state, pictures, "admin-buka-kembali")
    reason.fill("")
    page.get_by_role("button", name="Buka kembali notulen").click()
    assert "Tulis alasan membuka kembali notulen." in page.locator("#error-summary").inner_text()
    assert db_status(app, meeting_id) == "finalised"
    reason.fill("Nama pimpinan rapat salah ketik; diperbaiki lalu difinalkan lagi.")
    page.get_by_role("button", name="Buka kembali notulen").click()
    assert flash(page) == "Notulen dibuka kembali. PDF final yang lama tetap tersimpan."
    assert state.get_by_role("link", name="Finalkan notulen").is_visible()
    assert db_status(app, meeting_id) == "closed"

    # A new staff account.
    page.locator(".staff-nav").get_by_role("link", name="Pengguna").click()
    assert page.locator("h1").inner_text() == "Pengguna"
    page.get_by_role("link", name="Tambah pengguna").click()
    page.get_by_role("textbox", name="E-mail").fill("notulis@bappeda.example.go.id")
    page.get_by_role("textbox", name="Nama").fill("Rina Kurniasari")
    page.get_by_label("Sekretariat", exact=True).check()
    page.get_by_label(re.compile(r"^Kata sandi")).fill("rapat-koordinasi-2025")
    page.get_by_label(re.compile(r"^Ulangi kata sandi")).fill("rapat-koordinasi-2025")
    page.get_by_role("button", name="Buat akun").click()
    assert flash(page) == "Akun notulis@bappeda.example.go.id dibuat."
    row = page.locator("table.data tbody tr").filter(has_text="notulis@bappeda.example.go.id")
    assert "Sekretariat" in row.inner_text() and "Belum pernah" in row.inner_text()
    picture(page, pictures, "admin-pengguna")

    # Reference data: the letterhead printed on the documents, and a new agency.
    page.locator(".staff-nav").get_by_role("link", name="Data referensi").click()
    assert page.locator("h1").inner_text() == "Data referensi"
    picture(page, pictures, "admin-data-referensi")
    page.get_by_role("link", name="Kop surat").click()
    page.get_by_role("textbox", name="Alamat").fill("Jl. Sriwijaya No. 44 Pekalongan")
    page.get_by_label("F4 (215 × 330 mm)").check()
    page.get_by_role("button", name="Simpan kop surat").click()
    assert flash(page) == "Kop surat disimpan."
    assert page.get_by_role("textbox", name="Alamat").input_value() == (
        "Jl. Sriwijaya No. 44 Pekalongan"
    )
    assert page.get_by_label("F4 (215 × 330 mm)").is_checked()
    scroll_to(page, ".site-header")
    picture(page, pictures, "admin-kop-surat")

    page.locator(".breadcrumb").get_by_role("link", name="Data referensi").click()
    page.get_by_role("link", name="Perangkat daerah (OPD)").click()
    page.get_by_role("link", name="Tambah perangkat daerah").click()
    page.get_by_role("textbox", name="Singkatan").fill("DKP")
    page.get_by_role("textbox", name="Nama lengkap").fill("Dinas Kelautan dan Perikanan")
    page.get_by_role("button", name="Simpan", exact=True).click()
    assert flash(page) == "Perangkat daerah disimpan."
    assert "Dinas Kelautan dan Perikanan" in page.locator("table.data").inner_text()

    page.locator(".breadcrumb").get_by_role("link", name="Data referensi").click()
    page.get_by_role("link", name="Strategi").click()
    pillars = page.locator("table.data tbody tr")
    expect(pillars).to_have_count(4)
    assert pillars.first.get_by_role("button", name=re.compile("^Berhenti memakai")).is_visible()

    # The poverty indicators the evaluation summary reads.
    page.locator(".staff-nav").get_by_role("link", name="Indikator").click()
    assert page.locator("h1").inner_text() == "Indikator kemiskinan"
    year_2021 = page.locator(".indicator-row").filter(
        has=page.get_by_role("group", name="Tahun 2021")
    )
    assert year_2021.get_by_role("textbox", name="Target").input_value() == "6,94"
    assert year_2021.get_by_role("textbox", name="Realisasi").input_value() == "7,59"
    picture(page, pictures, "admin-indikator")
    year_2024 = page.locator(".indicator-row").filter(
        has=page.get_by_role("group", name="Tahun 2024")
    )
    year_2024.get_by_role("textbox", name="Realisasi").fill("6,20")
    year_2024.get_by_role("button", name=re.compile("^Simpan")).click()
    assert flash(page) == "Angka indikator disimpan."
