"""The secretariat's workspace in a real browser, on a desktop screen.

Chromium (Debian's, through Playwright) signs in through the login form and
works the way the secretariat does: the meeting list, the review queue and its
filters, a decision, merging two near-duplicates and undoing it, the exports
with the queue's filters, the one with phone numbers through its button. A viewer
reads without a single edit control and without the phone-number buttons. axe-core
checks every workspace page for serious accessibility problems. With
RAKOR_SCREENSHOTS=1 the run also saves desktop screenshots to docs/screenshots/.
"""

import csv
import io
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from app.extensions import db
from app.models import Agency, AgendaItem, AuditEvent, Kelurahan, Pillar, Submission, User
from app.review import services as review_services
from app.submissions.services import new_receipt_code
from tests.browser_helpers import (
    BATIK_TRAINING,
    DTKS_KRAPYAK,
    DTKS_MEDONO,
    FISHING_BOATS,
    SUBMISSIONS,
    assert_fits_the_window,
    assert_header_is_tidy,
    describe,
    filter_by_pillar,
    flash,
    main_text,
    queue_titles,
    screenshot,
    serious_violations,
    shown_code,
    sign_in,
)
from tests.helpers import START, load, ref_id

pytestmark = pytest.mark.browser

KRAPYAK_PHONE = "0812-2712-3456"


# --- data ----------------------------------------------------------------------------------


def add_submission(app, meeting_id: int, minute: int, pillar: str, kelurahan: str, **fields) -> int:
    """An input stored directly (faster than the public form), `minute`s after the start."""
    with app.app_context():
        pillar_id = db.session.scalar(db.select(Pillar.id).filter_by(code=pillar))
        ward = db.session.scalar(db.select(Kelurahan.id).filter_by(name=kelurahan))
        submission = Submission(
            meeting_id=meeting_id,
            receipt_code=new_receipt_code(),
            idempotency_key=uuid.uuid4().hex,
            role="lurah",
            kelurahan_id=ward,
            location_id=ward,
            kind="usulan",
            submitted_pillar_id=pillar_id,
            pillar_id=pillar_id,
            submitted_at=START + timedelta(minutes=minute),
            **fields,
        )
        db.session.add(submission)
        db.session.commit()
        return submission.id


@pytest.fixture
def inputs(app, meeting) -> dict[str, int]:
    """Two near-duplicates about DTKS in strategy P1, and two unrelated inputs in P2."""
    ids = {}
    for minute, (key, (pillar, ward, name, position, texts)) in enumerate(SUBMISSIONS.items(), 1):
        ids[key] = add_submission(
            app, meeting.id, minute, pillar, ward, submitter_name=name, position=position, **texts
        )
    return ids


def assert_accessible(page, what: str, problems: list[str]) -> None:
    """Collect the page's serious problems, so one run reports every page at once."""
    violations = serious_violations(page)
    if violations:
        problems.append(f"axe on {what} ({page.url}):\n{describe(violations)}")


# --- 1. the secretariat's day --------------------------------------------------------------


def test_the_secretariat_reviews_merges_undoes_and_exports(desktop, app, staff, meeting, inputs):
    page = desktop
    krapyak, medono = load(app, inputs["krapyak"]), load(app, inputs["medono"])
    p1 = ref_id(app, Pillar, code="P1")
    with app.app_context():
        db.session.get(Submission, krapyak.id).phone = KRAPYAK_PHONE
        db.session.commit()

    sign_in(page, "secretariat")
    assert page.locator("h1").inner_text() == "Rapat"
    page.get_by_role("link", name=meeting.title).click()
    assert page.locator("h1").inner_text() == meeting.title
    assert "4 masukan diterima" in main_text(page)
    assert page.get_by_role("link", name="Ubah data rapat").is_visible()
    assert_header_is_tidy(page)
    screenshot(page, "workspace-meeting")

    # The queue, then only strategy P1.
    page.get_by_role("link", name="Tinjau masukan").click()
    assert page.locator("h1").inner_text() == "Daftar masukan"
    assert page.locator("#result-count").inner_text().startswith("4 masukan")
    assert queue_titles(page) == [
        BATIK_TRAINING["title"],
        FISHING_BOATS["title"],
        DTKS_MEDONO["title"],
        DTKS_KRAPYAK["title"],
    ]
    screenshot(page, "workspace-queue")
    filter_by_pillar(page, p1)
    assert page.locator("#result-count").inner_text().startswith("2 masukan cocok dengan saringan")
    assert queue_titles(page) == [DTKS_MEDONO["title"], DTKS_KRAPYAK["title"]]
    assert page.get_by_label("Strategi", exact=True).input_value() == str(p1)

    # A decision on the Krapyak input.
    page.get_by_role("link", name=DTKS_KRAPYAK["title"]).click()
    assert page.locator("h1").inner_text() == DTKS_KRAPYAK["title"]
    assert shown_code(krapyak.receipt_code) in page.locator(".eyebrow").inner_text()
    similar = page.locator("#similar table")
    assert DTKS_MEDONO["title"] in similar.inner_text()
    assert FISHING_BOATS["title"] not in similar.inner_text()
    page.get_by_label("Setujui", exact=True).check()
    page.get_by_label("Alasan atau keterangan").fill("Masuk rencana kerja Dinsos 2024.")
    page.get_by_role("button", name="Simpan keputusan").click()
    assert flash(page) == "Keputusan disimpan."
    assert page.locator("h1 + p .pill").inner_text() == "Disetujui"
    decided = load(app, krapyak.id)
    assert (decided.status, decided.decision_reason) == (
        "accepted",
        "Masuk rencana kerja Dinsos 2024.",
    )
    assert decided.decided_by_id == staff["secretariat"]

    # The duplicates page groups the two DTKS inputs; Krapyak becomes the primary.
    page.locator(".review-nav").get_by_role("link", name="Masukan serupa").click()
    assert page.locator("h1").inner_text() == "Masukan serupa"
    groups = page.locator("section.duplicate-group")
    expect(groups).to_have_count(1)
    group_text = groups.first.inner_text()
    assert DTKS_KRAPYAK["title"] in group_text and DTKS_MEDONO["title"] in group_text
    assert FISHING_BOATS["title"] not in group_text
    groups.first.get_by_label(f"Jadikan {shown_code(krapyak.receipt_code)} masukan utama").check()
    page.get_by_role("button", name=re.compile("Gabungkan yang dicentang")).click()

    page.wait_for_url(re.compile(rf"/inputs/{krapyak.id}#group$"))
    assert flash(page) == f"1 masukan digabung ke masukan {shown_code(krapyak.receipt_code)}."
    co_proposers = page.locator("table.co-proposer-list")
    assert co_proposers.locator("caption").inner_text() == "Pengusul bersama (2)"
    names = co_proposers.locator("tbody tr td:first-child").all_inner_texts()
    assert [name.splitlines()[0] for name in names] == ["Agus Priyanto", "Rina Kurniasari"]
    merged = load(app, medono.id)
    assert (merged.status, merged.merged_into_id) == ("merged", krapyak.id)
    assert merged.title == DTKS_MEDONO["title"], "the original text is kept"
    screenshot(page, "workspace-input")

    # Undo: the Medono input is on its own again.
    page.once("dialog", lambda dialog: dialog.accept())
    co_proposers.get_by_role("button", name=re.compile("^Batalkan penggabungan")).click()
    page.wait_for_load_state()
    assert flash(page) == "Penggabungan dibatalkan."
    assert "Masukan ini tidak digabung dengan masukan lain." in main_text(page)
    restored = load(app, medono.id)
    assert (restored.status, restored.merged_into_id) == ("received", None)

    # Export what the filtered queue shows.
    page.get_by_role("link", name="← Daftar masukan").click()
    filter_by_pillar(page, p1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ekspor masukan (Excel)").click()
    download = download_info.value
    assert download.suggested_filename == "masukan-rakor-uji.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    for column in ("Kode tanda terima", "Nama", "Strategi", "Judul", "Status"):
        assert column in header
    assert "No HP" not in header, "phone numbers only in a personal-data export"
    by_title = {row[header.index("Judul")]: dict(zip(header, row)) for row in rows}
    assert set(by_title) == {DTKS_KRAPYAK["title"], DTKS_MEDONO["title"]}
    assert by_title[DTKS_KRAPYAK["title"]]["Status"] == "Disetujui"
    assert by_title[DTKS_KRAPYAK["title"]]["Kode tanda terima"] == shown_code(krapyak.receipt_code)
    assert by_title[DTKS_MEDONO["title"]]["Status"] == "Diterima, menunggu tinjauan"
    assert by_title[DTKS_MEDONO["title"]]["Nama"] == "Rina Kurniasari"
    assert not by_title[DTKS_MEDONO["title"]]["Digabung ke (kode)"]
    assert all(row["Strategi"].startswith("P1 ") for row in by_title.values())

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ekspor masukan (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "masukan-rakor-uji.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[0] == "Kode tanda terima"
    assert sorted(row[header.index("Judul")] for row in rows) == sorted(
        [DTKS_KRAPYAK["title"], DTKS_MEDONO["title"]]
    )
    assert "No HP" not in header

    # With phone numbers: a button (a POST with the form's token), and the download audited.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Ekspor dengan nomor HP (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "masukan-rakor-uji-data-pribadi.csv"
    raw = Path(download.path()).read_bytes().decode("utf-8-sig")
    warning, header, *rows = list(csv.reader(io.StringIO(raw)))
    assert warning == ["Berisi data pribadi (nomor HP) — jangan disebarluaskan"]
    by_title = {row[header.index("Judul")]: row for row in rows}
    assert set(by_title) == {DTKS_KRAPYAK["title"], DTKS_MEDONO["title"]}
    assert by_title[DTKS_KRAPYAK["title"]][header.index("No HP")] == KRAPYAK_PHONE
    with app.app_context():
        [event] = db.session.scalars(
            db.select(AuditEvent).filter_by(action="export_personal_data")
        ).all()
        assert (event.user_id, event.after) == (
            staff["secretariat"],
            {"format": "csv", "filters": {"pillar": str(p1)}},
        )


# --- 2. a viewer only reads -------------------------------------------------------------------


def assert_no_edit_controls(page) -> None:
    """Nothing in the page's content that changes data: no buttons, fields or choices."""
    controls = page.locator(
        "main button, main textarea, main select, main input:not([type=hidden])"
    ).evaluate_all(
        "elements => elements"
        ".filter(el => !el.closest('form[role=search]'))"
        ".map(el => el.outerHTML.slice(0, 120))"
    )
    assert controls == [], f"a viewer sees edit controls on {page.url}: {controls}"


def test_a_viewer_reads_without_edit_controls_and_signs_out(desktop, app, staff, meeting, inputs):
    page = desktop
    sign_in(page, "viewer")
    assert page.locator(".staff-user").inner_text().endswith("Pimpinan (hanya baca)")
    assert page.get_by_role("link", name="Buat rapat").count() == 0
    page.get_by_role("link", name=meeting.title).click()
    assert page.get_by_role("link", name="Ubah data rapat").count() == 0
    assert_no_edit_controls(page)

    page.get_by_role("link", name="Tinjau masukan").click()
    assert len(queue_titles(page)) == 4
    # The filter form is for reading: its only button applies the filters.
    assert page.locator("main button").all_inner_texts() == ["Terapkan"]
    assert_no_edit_controls(page)

    page.get_by_role("link", name=DTKS_KRAPYAK["title"]).click()
    assert page.locator("h1").inner_text() == DTKS_KRAPYAK["title"]
    assert DTKS_MEDONO["title"] in page.locator("#similar").inner_text()
    for label in ("Simpan keputusan", "Simpan strategi", "Catat tindak lanjut", "Simpan catatan"):
        assert page.get_by_role("button", name=label).count() == 0, label
    assert page.get_by_text("Putuskan", exact=True).count() == 0
    assert "Nomor HP" not in main_text(page), "personal data: secretariat and admin only"
    assert_no_edit_controls(page)

    page.locator(".review-nav").get_by_role("link", name="Masukan serupa").click()
    expect(page.locator("section.duplicate-group")).to_have_count(1)
    assert_no_edit_controls(page)

    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert flash(page) == "Anda sudah keluar."
    assert page.get_by_label("E-mail").is_visible()
    page.goto("/admin/")
    assert re.search(r"/login(\?|$)", page.url), page.url
    assert page.locator("h1").inner_text() == "Masuk untuk sekretariat"
    # Nothing changed while the viewer looked around.
    assert load(app, inputs["krapyak"]).status == "received"


# --- 3. accessibility --------------------------------------------------------------------------


@pytest.fixture
def busy_meeting(app, staff, meeting, inputs) -> dict:
    """The meeting with an agenda, a decision and a follow-up: every page has its tables."""
    with app.app_context():
        db.session.add_all(
            [
                AgendaItem(meeting_id=meeting.id, position=1, title="Pembukaan"),
                AgendaItem(meeting_id=meeting.id, position=2, title="Pembahasan masukan"),
            ]
        )
        db.session.commit()
        actor = db.session.get(User, staff["secretariat"])
        boats = db.session.get(Submission, inputs["boats"])
        review_services.decide(boats, "accepted", "", actor)
        agency = Agency(abbreviation="Dinsos-P2KB", name="Dinas Sosial, PPKB")
        db.session.add(agency)
        db.session.commit()
        review_services.assign_follow_up(
            boats, agency.id, date(2024, 6, 30), "Usulkan ke APBD Perubahan 2024", actor
        )
        db.session.remove()
    return {"meeting": meeting, **inputs}


def test_the_workspace_pages_have_no_serious_accessibility_problems(desktop, busy_meeting):
    page = desktop
    meeting_id = busy_meeting["meeting"].id
    base = f"/admin/meetings/{meeting_id}"
    problems: list[str] = []

    page.goto("/login")
    assert_accessible(page, "the login page", problems)
    sign_in(page, "admin")
    assert_accessible(page, "the meeting list", problems)

    page.goto(base)
    assert page.locator(".qr svg").is_visible()
    assert_accessible(page, "the meeting page", problems)

    page.goto(f"{base}/edit")
    page.get_by_label("Nama rapat").fill("")
    page.get_by_role("button", name="Simpan perubahan").click()
    page.locator("#error-summary").wait_for()
    assert "Isi nama rapat." in page.locator("#title-field .field-error").inner_text()
    assert_accessible(page, "the meeting form with an error", problems)

    pages = [
        (f"{base}/inputs", "the review queue", "table.queue"),
        (f"{base}/inputs/{busy_meeting['krapyak']}", "an input's page", "#similar table"),
        (f"{base}/duplicates", "the duplicates page", "section.duplicate-group"),
        (f"{base}/audit", "the audit log", "table.audit"),
        (f"{base}/record", "the minutes content", "form.record-form"),
        (f"{base}/paper", "the paper form page", "ol.paper-steps"),
        (f"{base}/minutes", "the minutes preview", "nav.document-nav"),
        (f"{base}/finalise", "the finalise checks", "ul.check-blockers"),
        (f"{base}/live", "the live view", ".live-number"),
        ("/admin/users/", "the users list", "table.data"),
        ("/admin/reference/", "the reference index", "h1"),
    ]
    for url, what, landmark in pages:
        page.goto(url)
        assert page.locator(landmark).first.is_visible(), f"{what}: no {landmark}"
        assert_fits_the_window(page)
        assert_accessible(page, what, problems)

    assert not problems, "\n\n".join(problems)
