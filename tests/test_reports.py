"""The official record as a reader gets it: the minutes and the evaluation summary.

Every PDF is read back with pypdf and checked for what a person would look for:
the title, the date in Indonesian, the counts per pillar, each input, the
signatures, the indicator figures ("6,94"), "Halaman 1 dari N", the metadata.
The render runs in the request (the embedded default); the cache, the RQ
queue and the frozen record are in test_reports_jobs.py.
"""

import base64
import hashlib
import re
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.models import FollowUp, Letterhead, Meeting, MeetingDocument, Pillar, Program, Submission
from app.models.meeting import RenderJob
from tests.helpers import (
    Record,
    build_record,
    get_pdf,
    make_pdf,
    pdf_reader,
    pdf_text,
    squeeze,
)

# A 1 x 1 PNG: the letterhead logo arrives from the database as a data: URI.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def record(app, make_meeting) -> Record:
    return build_record(app, make_meeting)


def viewer_pdf(login, url: str):
    """The secretariat presses the button (a POST makes the PDF); a viewer then reads it."""
    make_pdf(login("secretariat"), url)
    return get_pdf(login("viewer"), url)


# --- the minutes ---------------------------------------------------------------------


def test_minutes_pdf_reads_like_the_record(login, record):
    response = viewer_pdf(login, f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    data = response.data
    text = pdf_text(data)
    reader = pdf_reader(data)

    assert "NOTULEN RAPAT" in text
    assert "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024" in text
    assert "Selasa, 23 Januari 2024" in text
    assert "09.00 WIB s.d. selesai" in text
    assert "Ruang Jlamprang Setda Kota Pekalongan" in text
    assert "Wali Kota membuka rapat." in text and "Arahan Wali Kota." in text
    assert "1. DTKS dimutakhirkan tiap triwulan." in text
    # Participants counted by role from the attendance list: by the linked input, else by
    # the unit typed (a kecamatan), else "Lainnya".
    assert "3 orang: L 2, P 1 (Lurah 1, Camat 1, Lainnya 1); daftar hadir terlampir" in text
    # Counts per pillar: the merged input counts under its primary's pillar.
    assert "— 3 masukan" in text  # P1: dtks, its merged twin, pmt
    assert text.count("— 1 masukan") == 2  # P2 and P3
    for key, title in record.titles.items():
        if key != "dtks2":
            assert title in text, title
    # Follow-up with its agency and deadline; signatures with names and NIP.
    assert "Perluas sasaran PMT ke ibu hamil KEK" in text
    assert "Dinkes" in text and "30 Juni 2024" in text
    for expected in (
        "Notulis",
        "Pimpinan Rapat",
        "Dian Permatasari",
        "NIP. 19850312 201001 2 015",
        "Achmad Afzan Arslan Djunaid",
        "NIP. 19700101 199003 1 001",
        "Pekalongan, 23 Januari 2024",
    ):
        assert expected in text, expected
    # The attendance list, on a page of its own at the end.
    last_page = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
    assert "Lampiran: Daftar Hadir".upper() in last_page.upper()
    assert "Siti Aminah" in last_page and "Staf Bappeda P" in last_page
    # "Halaman X dari Y" on every page.
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert f"Halaman {number} dari {pages}" in re.sub(r"\s+", " ", page.extract_text())
    # The file is served as notulen-<code>.pdf with its hash.
    assert "notulen-rakor-uji.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(data).hexdigest()


def test_minutes_metadata_title_author_language(login, record):
    data = viewer_pdf(login, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    reader = pdf_reader(data)
    assert reader.metadata.title == (
        "Notulen Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024"
    )
    assert reader.metadata.author == "Badan Perencanaan Pembangunan Daerah"
    assert reader.trailer["/Root"]["/Lang"] == "id"


def test_merged_input_appears_under_its_primary_with_every_proposer(login, record):
    data = viewer_pdf(login, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    text = pdf_text(data)
    assert record.merged_title not in text
    assert "Dari: Agus Priyanto (Lurah Krapyak); Rina Kurniasari (Lurah Medono)" in text
    assert "digabung dari UJI00002" in text
    # Four items are listed for five inputs.
    assert "Masukan yang diterima: 5." in text and "tercatat 4 butir" in text


def test_minutes_preview_is_the_same_document(login, record):
    page = login("viewer").get(f"/admin/meetings/{record.meeting_id}/minutes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="report report-minutes"' in html
    assert "Selasa, 23 Januari 2024" in html
    assert record.titles["pmt"] in html
    assert "Dian Permatasari" in html
    # A viewer may read the record but gets no buttons that change it.
    assert "Finalkan notulen" not in html and "Buka kembali" not in html
    assert "style=" not in html and "<script>" not in html


def test_secretariat_sees_the_finalise_button_on_a_closed_meeting(login, record):
    html = (
        login("secretariat")
        .get(f"/admin/meetings/{record.meeting_id}/minutes")
        .get_data(as_text=True)
    )
    assert "Finalkan notulen" in html


def test_minutes_of_an_unknown_meeting_is_404(login):
    client = login("viewer")
    assert client.get("/admin/meetings/9999/minutes").status_code == 404
    assert client.get("/admin/meetings/9999/minutes.pdf").status_code == 404
    assert client.get("/admin/meetings/9999/evaluation.pdf").status_code == 404


def test_documents_need_a_sign_in(client, record):
    response = client.get(f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_f4_page_size_and_logo_from_the_letterhead(app, login, record):
    with app.app_context():
        letterhead = db.session.scalar(select(Letterhead))
        letterhead.page_size = "F4"
        letterhead.logo = TINY_PNG
        letterhead.logo_mimetype = "image/png"
        db.session.commit()
    data = viewer_pdf(login, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    first = pdf_reader(data).pages[0]
    width_mm = float(first.mediabox.width) * 25.4 / 72
    height_mm = float(first.mediabox.height) * 25.4 / 72
    assert round(width_mm) == 215 and round(height_mm) == 330
    images = [
        obj for obj in first["/Resources"]["/XObject"].values()
        if obj.get_object()["/Subtype"] == "/Image"
    ]  # fmt: skip
    assert images, "the logo is drawn on the first page"


def test_full_texts_give_way_to_titles_in_a_very_large_meeting(app, login, record):
    app.config["RAKOR_MINUTES_FULL_TEXT_LIMIT"] = 3
    data = viewer_pdf(login, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    text = pdf_text(data)
    assert record.titles["pmt"] in text
    assert "Uraian pmt lokal" not in text
    assert "notulen ini memuat judulnya saja" in text


# --- the evaluation summary --------------------------------------------------------------


@pytest.fixture
def earlier_meeting(app, make_meeting, record) -> int:
    """A meeting a year earlier whose follow-ups this one evaluates."""
    earlier = make_meeting(code="rakor-2023", date=date(2023, 1, 24), status="finalised")
    with app.test_request_context():
        bedah = FollowUp(meeting_id=earlier.id, action="Bedah 100 RTLH")
        pelatihan = FollowUp(meeting_id=earlier.id, action="Pelatihan kerja 200 pemuda")
        db.session.add_all([bedah, pelatihan])
        db.session.flush()
        # Reported before the evaluated meeting (23 January 2024), so they count there.
        reports = [
            (bedah, ProgressReport("done", 100, note="Selesai Desember 2023.")),
            (pelatihan, ProgressReport("in_progress", 50)),
        ]
        for follow_up, report in reports:
            dated = replace(report, reported_on=date(2023, 12, 20))
            add_entry(follow_up, dated, actor=None, channel="staff")
        db.session.commit()
    return earlier.id


def test_evaluation_pdf_reads_like_the_summary(login, record, earlier_meeting):
    response = viewer_pdf(login, f"/admin/meetings/{record.meeting_id}/evaluation.pdf")
    assert "evaluasi-rakor-uji.pdf" in response.headers["Content-Disposition"]
    data = response.data
    text = pdf_text(data)
    reader = pdf_reader(data)
    assert reader.metadata.title.startswith("Ringkasan Evaluasi Rapat Koordinasi")
    assert "RINGKASAN EVALUASI" in text
    assert "Selasa, 23 Januari 2024" in text
    # The seeded indicator: target against actual per year, with the gap.
    assert "Persentase penduduk miskin (P0) (persen)" in text
    for figure in ("6,94", "7,59", "6,71", "7,00", "6,50", "6,81", "6,29", "6,09", "5,89"):
        assert figure in text, figure
    assert "+0,65" in text  # 2021: 7,59 against 6,94
    # The decrease achieved (7,59 -> 7,00 -> 6,81) and the decrease still needed to 5,89.
    assert "2022: 0,59; 2023: 0,19" in text
    assert "masih dibutuhkan penurunan 0,92 poin persen, atau 0,31 poin persen per tahun" in text
    # Input counted by pillar, kind, region; the program and its feedback.
    assert "Usulan" in text and "Evaluasi" in text and "Kendala" in text
    assert "Pekalongan Utara" in text  # Krapyak and Medono lie there
    assert record.titles["pmt"] in text
    # Earlier follow-ups and how far each got.
    assert "Bedah 100 RTLH" in text and "Selesai Desember 2023." in text
    assert "Sedang berjalan" in text
    for number, page in enumerate(reader.pages, start=1):
        assert f"Halaman {number} dari {len(reader.pages)}" in page.extract_text()


def test_evaluation_chart_is_the_same_svg_in_the_page_and_the_pdf(app, login, record):
    from app.documents.render import build_context, document_html

    html = (
        login("viewer")
        .get(f"/admin/meetings/{record.meeting_id}/evaluation")
        .get_data(as_text=True)
    )
    page_charts = re.findall(r"<svg .*?</svg>", html, re.S)
    with app.app_context():
        context, digest = build_context("evaluation", record.meeting_id)
        pdf_html = document_html(context, digest=digest)
    pdf_charts = re.findall(r"<svg .*?</svg>", pdf_html, re.S)
    assert page_charts and page_charts == pdf_charts
    trend = page_charts[0]
    assert "Realisasi" in trend and "Target" in trend and "6,94" in trend
    assert 'role="img"' in trend and "style=" not in trend


def test_an_evaluation_without_similar_inputs_says_it_has_no_theme(login, record):
    """The record's five inputs are on five subjects: no two make a theme.

    The themes themselves are checked in test_evaluation_themes.py."""
    html = (
        login("viewer")
        .get(f"/admin/meetings/{record.meeting_id}/evaluation")
        .get_data(as_text=True)
    )
    assert "V. Tema Masukan" in html
    assert "Belum ada tema: tidak ada dua masukan yang cukup mirip." in html


def test_indicator_progress_arithmetic(app):
    from app.documents.evaluation import indicator_views

    with app.app_context():
        (indicator,) = indicator_views()
    assert [change.achieved for change in indicator.changes] == [Decimal("0.59"), Decimal("0.19")]
    assert indicator.remaining_change == Decimal("0.92")
    assert indicator.yearly_change_needed == Decimal("0.31")
    assert indicator.average_change_achieved == Decimal("0.39")
    assert indicator.years[0].gap == Decimal("0.65")


# --- rendering outside a request: the CLI -----------------------------------------------


def test_cli_writes_both_documents(runner, record, tmp_path):
    minutes = tmp_path / "notulen.pdf"
    result = runner.invoke(args=["report", "minutes", record.code, "-o", str(minutes)])
    assert result.exit_code == 0, result.output
    assert "Selasa, 23 Januari 2024" in pdf_text(minutes.read_bytes())
    assert hashlib.sha256(minutes.read_bytes()).hexdigest() in result.output

    evaluation = tmp_path / "evaluasi.pdf"
    result = runner.invoke(
        args=["report", "evaluation", str(record.meeting_id), "--output", str(evaluation)]
    )
    assert result.exit_code == 0, result.output
    assert "6,94" in pdf_text(evaluation.read_bytes())


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("attendance", "DAFTAR HADIR"),
        ("berita-acara", "BERITA ACARA KESEPAKATAN"),
        ("laporan", "LAPORAN"),
    ],
)
def test_cli_writes_the_other_documents(runner, record, tmp_path, command, words):
    output = tmp_path / f"{command}.pdf"
    result = runner.invoke(args=["report", command, record.code, "-o", str(output)])
    assert result.exit_code == 0, result.output
    text = pdf_text(output.read_bytes())
    assert words in text and "Selasa" in text


def test_cli_refuses_an_unknown_meeting(runner, tmp_path):
    result = runner.invoke(args=["report", "minutes", "tidak-ada", "-o", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert "No meeting" in result.output
    assert not (tmp_path / "x").exists()


def test_documents_render_with_only_an_app_context(app, record):
    """No request, no logged-in user: what a worker process has."""
    from app.documents.render import build_context, document_pdf

    with app.app_context():
        context, digest = build_context("minutes", record.meeting_id)
        data = document_pdf(context, digest=digest)
    assert "Selasa, 23 Januari 2024" in pdf_text(data)


# --- hostile input -----------------------------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):
        Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A loopback HTTP server: any fetch the renderer makes would land here."""
    Recorder.requests = []
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def hostile_payloads(base: str) -> dict[str, str]:
    return {
        "img": '<img src="file:///etc/passwd">',
        "attach": '<link rel="attachment" href="file:///etc/passwd">',
        "style": f"<style>@import url({base}/x.css);</style>",
        "svg": f'<svg><image href="{base}/y.png"/></svg>',
        "remote": f'<img src="{base}/z.png">',
    }


def test_hostile_input_is_literal_text_and_nothing_is_fetched(
    app, login, make_meeting, listener, monkeypatch
):
    from app.documents.pdf import StaticOnlyFetcher

    fetched = []
    original_fetch = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original_fetch(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    payloads = hostile_payloads(listener)
    meeting = make_meeting(status="closed")
    with app.app_context():
        pillar = db.session.scalar(select(Pillar).filter_by(code="P1"))
        program = db.session.scalar(select(Program).order_by(Program.id).limit(1))
        for number, (key, payload) in enumerate(payloads.items(), start=1):
            db.session.add(
                Submission(
                    meeting_id=meeting.id,
                    receipt_code=f"EVIL{number:04d}",
                    idempotency_key=f"evil-{key}",
                    submitter_name=f"Penguji {payload}",
                    role="stakeholder",
                    organisation="Lembaga",
                    kind="evaluasi",
                    submitted_pillar_id=pillar.id,
                    pillar_id=pillar.id,
                    title=payload,
                    description=f"Uraian {payload}",
                    program_id=program.id,
                    status="accepted",
                    decision_reason=payload,
                )
            )
        row = db.session.get(Meeting, meeting.id)
        row.opening = payloads["style"]
        row.conclusions = payloads["attach"]
        db.session.commit()

    client = login("viewer")
    for kind in ("minutes", "evaluation"):
        html = client.get(f"/admin/meetings/{meeting.id}/{kind}").get_data(as_text=True)
        assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
        assert '<img src="file:///etc/passwd">' not in html
        assert '<link rel="attachment"' not in html
        assert "<style>@import" not in html
        assert f'<image href="{listener}' not in html

        data = viewer_pdf(login, f"/admin/meetings/{meeting.id}/{kind}.pdf").data
        text = squeeze(pdf_text(data))
        for key, payload in payloads.items():
            assert squeeze(payload) in text, (kind, key)
        assert squeeze(f"Uraian {payloads['img']}") in text, kind
        assert b"/EmbeddedFile" not in data and b"/FileAttachment" not in data
        assert b"/Filespec" not in data

    assert Recorder.requests == []
    # The renderer asked for nothing but the app's own stylesheet (and data: URIs).
    assert fetched, "the stylesheet is fetched through the restricted fetcher"
    for url in fetched:
        assert url.startswith("data:") or url.endswith("/static/css/report.css"), url


def test_hostile_indicator_name_is_escaped_inside_the_chart(app, login, record):
    from app.models import Indicator

    with app.app_context():
        indicator = db.session.scalar(select(Indicator))
        indicator.name = '<svg onload="alert(1)">Indeks</svg>'
        db.session.commit()
    html = (
        login("viewer")
        .get(f"/admin/meetings/{record.meeting_id}/evaluation")
        .get_data(as_text=True)
    )
    assert 'onload="alert(1)"' not in html
    assert "&lt;svg onload=&#34;alert(1)&#34;&gt;Indeks&lt;/svg&gt;" in html


def test_a_render_job_row_is_kept_for_each_render(app, login, record):
    viewer_pdf(login, f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    with app.app_context():
        job = db.session.scalar(select(RenderJob))
        document = db.session.get(MeetingDocument, job.document_id)
        assert job.status == "done" and job.progress == 100
        assert document.kind == "minutes" and not document.is_final
        assert document.sha256 == hashlib.sha256(document.content).hexdigest()
