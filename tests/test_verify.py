"""Public verification: /verify (upload a PDF) and /verify/<sha256> (the QR code's address).

The meeting of tests/helpers.py is finalised by the secretariat, then its notulen is
signed for real (the seal path of app/signing/engine.py, certificates of a throwaway
certificate authority made here) and each signed version stored as Rakor stores it.
pyHanko validates against the trust roots and revocation list the app is configured
with: a valid file, a file changed after signing, a damaged signature, a certificate
from an unknown authority, a revoked one and an expired one each get their own answer.
The pages show only what the document prints, and the upload is limited in size and rate.
"""

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import pem
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from sqlalchemy import event, select

from app.documents.pdf import render_pdf
from app.extensions import db
from app.models import DocumentSigner, MeetingDocument
from app.signing.engine import seal_pdf
from app.signing.pki import Authority, Issued
from app.signing.stamp import Stamp
from app.signing.verify import MAX_REVISIONS, Report, verify_pdf
from tests.browser_helpers import (
    assert_fits_the_phone,
    describe,
    main_text,
    screenshot,
    serious_violations,
)
from tests.helpers import STAFF_EMAILS, build_record, csrf_from, hidden_value, text

P12_PASSWORD = "sandi-uji"
NOTETAKER = ("Dian Permatasari", "Analis Kebijakan Bappeda")
CHAIR = ("Achmad Afzan Arslan Djunaid", "Wali Kota Pekalongan")
# The names in the signers' certificates, which the document does not print (a seal's
# certificate names the institution): the pages show the printed names instead.
CERTIFICATE_NAMES = ("Segel Notulis Kota Uji", "Segel Pimpinan Kota Uji")
BOXES = [(0, 56.0, 60.0, 290.0, 130.0), (0, 305.0, 60.0, 539.0, 130.0)]
ORIGINAL = "Dokumen ini asli dan tidak berubah sejak ditandatangani"
CHANGED = "Berkas ini diubah setelah ditandatangani"
UNKNOWN = "Tidak dikenal: berkas ini bukan dokumen final Rakor"
UNTRUSTED = "Tanda tangan dokumen ini tidak dapat dipastikan keabsahannya"


@dataclass
class Trust:
    """The certificate authority the app trusts, and the files its settings name."""

    authority: Authority
    roots: Path
    crl: Path
    folder: Path

    def write_crl(self) -> None:
        self.crl.write_bytes(self.authority.crl())

    def p12(self, issued: Issued, name: str, chain_of: Authority | None = None) -> str:
        path = self.folder / f"{name}.p12"
        chain = [(chain_of or self.authority).root.certificate]
        path.write_bytes(issued.pkcs12(P12_PASSWORD, chain))
        return str(path)


@pytest.fixture
def trust(tmp_path) -> Trust:
    authority = Authority.create("Rakor Uji Root CA", "Rakor Uji")
    elsewhere = Authority.create("Otoritas Lain", "Rakor Uji")
    roots = tmp_path / "roots.pem"
    # Several certificates in one file, the one that matters not first.
    roots.write_bytes(elsewhere.root.pem() + authority.root.pem())
    trust = Trust(authority, roots, tmp_path / "roots.crl", tmp_path)
    trust.write_crl()
    return trust


@pytest.fixture
def app_config(request, trust) -> dict:
    return {
        "RAKOR_TRUST_ROOTS": str(trust.roots),
        "RAKOR_TRUST_CRLS": str(trust.crl),
        "RAKOR_VERIFY_FETCH_REVOCATION": False,
        **getattr(request, "param", {}),
    }


@pytest.fixture
def minutes(app, make_meeting, login) -> int:
    """The id of the notulen the secretariat finalised."""
    meeting_id = build_record(app, make_meeting).meeting_id
    secretariat = login("secretariat")
    token = csrf_from(secretariat, f"/admin/meetings/{meeting_id}/minutes")
    response = secretariat.post(
        f"/admin/meetings/{meeting_id}/finalise", data={"csrf_token": token}
    )
    assert response.status_code == 302, text(response)[:500]
    with app.app_context():
        document_id = db.session.scalar(
            select(MeetingDocument.id).filter_by(
                meeting_id=meeting_id, kind="minutes", is_final=True
            )
        )
    assert document_id is not None
    return document_id


@pytest.fixture
def planned(app, minutes, staff) -> int:
    """The notulen with its two signers in order: the note-taker, then the chair."""
    with app.app_context():
        for position, (name, title), role in ((1, NOTETAKER, "notetaker"), (2, CHAIR, "chair")):
            db.session.add(
                DocumentSigner(
                    document_id=minutes,
                    position=position,
                    role=role,
                    name=name,
                    title=title,
                    user_id=staff["secretariat"],
                )
            )
        db.session.commit()
    return minutes


def original(app, document_id: int) -> tuple[bytes, str]:
    with app.app_context():
        document = db.session.get(MeetingDocument, document_id)
        return document.content, document.sha256


def latest(app, document_id: int) -> bytes:
    with app.app_context():
        signed = db.session.scalars(
            select(DocumentSigner.content)
            .where(DocumentSigner.document_id == document_id, DocumentSigner.sha256.is_not(None))
            .order_by(DocumentSigner.position.desc())
        ).first()
        return signed or db.session.get(MeetingDocument, document_id).content


def sign_next(app, trust: Trust, document_id: int, issued: Issued, chain_of=None) -> bytes:
    """Seal the document's latest version with `issued` and store it as the next signer's."""
    pdf = latest(app, document_id)
    _content, original_sha = original(app, document_id)
    with app.app_context():
        signer = db.session.scalars(
            select(DocumentSigner)
            .where(DocumentSigner.document_id == document_id, DocumentSigner.sha256.is_(None))
            .order_by(DocumentSigner.position)
        ).first()
        when = datetime.now(UTC)
        signed = seal_pdf(
            pdf,
            box=BOXES[signer.position - 1],
            stamp=Stamp(signer.name, signer.title, when, f"http://localhost/verify/{original_sha}"),
            reason="Menyetujui notulen rapat",
            p12_path=trust.p12(issued, f"signer-{signer.position}", chain_of),
            p12_password=P12_PASSWORD,
        )
        signer.signed_at = when
        signer.signed_by_id = signer.user_id
        signer.method = "seal"
        signer.field_name = signed.field_name
        signer.certificate_subject = signed.certificate_subject
        signer.certificate_issuer = signed.certificate_issuer
        signer.certificate_serial = signed.certificate_serial
        signer.content = signed.pdf
        signer.sha256 = hashlib.sha256(signed.pdf).hexdigest()
        db.session.commit()
    return signed.pdf


@pytest.fixture
def signers(trust) -> tuple[Issued, Issued]:
    return (
        trust.authority.issue(CERTIFICATE_NAMES[0], "Pemerintah Kota Uji"),
        trust.authority.issue(CERTIFICATE_NAMES[1], "Pemerintah Kota Uji"),
    )


@pytest.fixture
def signed_twice(app, trust, planned, signers) -> tuple[bytes, bytes]:
    """The notulen signed by both signers: the two stored versions."""
    first = sign_next(app, trust, planned, signers[0])
    second = sign_next(app, trust, planned, signers[1])
    assert second.startswith(first)
    return first, second


def check(app, pdf: bytes) -> Report:
    with app.app_context():
        return verify_pdf(pdf, app.config)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(client, data: bytes, filename: str = "notulen.pdf"):
    page = text(client.get("/verify"))
    return client.post(
        "/verify",
        data={"csrf_token": hidden_value(page, "csrf_token"), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def with_new_title(pdf: bytes) -> bytes:
    """`pdf` plus an incremental update that changes its title, as an editor would."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info = writer.trailer.raw_get("/Info")
    info.get_object()["/Title"] = generic.TextStringObject("Notulen (diperbaiki)")
    writer.mark_update(info)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def with_note(pdf: bytes) -> bytes:
    """`pdf` plus an incremental update that puts a note on its first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    note = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Text"),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(value) for value in (20, 20, 40, 40)]
                ),
                generic.NameObject("/Contents"): generic.TextStringObject("Sudah disetujui"),
            }
        )
    )
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), note])
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# --- the QR code's address ---------------------------------------------------------------


def test_the_address_of_an_unsigned_final_document_names_it(app, client, minutes):
    _content, original_sha = original(app, minutes)
    response = client.get(f"/verify/{original_sha}")
    assert response.status_code == 200
    page = text(response)
    assert "Notulen Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024" in page
    assert "Selasa, 23 Januari 2024" in page
    assert "belum ditandatangani" in page
    assert original_sha in page
    assert response.headers["Cache-Control"] == "no-store"


def test_each_signed_version_has_its_page(app, client, planned, signed_twice):
    first, second = signed_twice
    _content, original_sha = original(app, planned)

    page = text(client.get(f"/verify/{sha(second)}"))
    assert ORIGINAL in page
    for name, title in (NOTETAKER, CHAIR):
        assert name in page
        assert title in page
    assert "Sesudah tanda tangan 1 dari 2" in page
    assert "Sesudah tanda tangan 2 dari 2" in page
    assert page.count("<strong>Sah</strong>") == 2
    assert "Versi ini sudah ditandatangani lagi" not in page

    page = text(client.get(f"/verify/{sha(first)}"))
    assert "Versi ini sudah ditandatangani lagi; versi terbaru:" in page
    assert f'href="/verify/{sha(second)}"' in page

    # The QR code carries the original's hash: its page validates the latest signatures.
    page = text(client.get(f"/verify/{original_sha}"))
    assert ORIGINAL in page
    assert page.count("<strong>Sah</strong>") == 2


def test_a_page_shows_nothing_the_document_does_not_print(app, client, planned, signed_twice):
    with app.app_context():
        serials = [
            row.certificate_serial
            for row in db.session.scalars(select(DocumentSigner).filter_by(document_id=planned))
        ]
    assert all(serials)
    pages = [text(client.get(f"/verify/{sha(version)}")) for version in signed_twice]
    pages.append(text(upload(client, signed_twice[1])))
    for page in pages:
        assert "@" not in page
        assert STAFF_EMAILS["secretariat"] not in page
        for serial in serials:  # uppercase hexadecimal as stored; any other spelling too
            for spelling in (serial, serial.lower(), str(int(serial, 16))):
                assert spelling not in page
        assert "Rakor Uji Root CA" not in page  # the issuer is not printed on the document


def signed_by(name: str, title: str) -> str:
    """How a signature's signer reads in the page's list of signatures."""
    return f"<dt>Ditandatangani oleh</dt><dd>{name}, {title}</dd>"


def test_signatures_name_the_signers_the_document_prints_not_their_certificates(
    app, client, trust, planned, signed_twice
):
    _content, original_sha = original(app, planned)
    pages = [text(client.get(f"/verify/{sha}")) for sha in (original_sha, sha(signed_twice[1]))]
    pages.append(text(upload(client, signed_twice[1])))
    for page in pages:
        assert signed_by(*NOTETAKER) in page
        assert signed_by(*CHAIR) in page
        for certificate_name in CERTIFICATE_NAMES:
            assert certificate_name not in page
        assert "tidak tercatat di Rakor" not in page

    # A signature added to a copy is not one Rakor stored: only its certificate names it.
    outsider = trust.authority.issue("Penanda Tangan Luar", "Bukan Rakor")
    with app.app_context():
        added = seal_pdf(
            signed_twice[1],
            box=(0, 56.0, 140.0, 290.0, 210.0),
            stamp=Stamp(*CHAIR, datetime.now(UTC), f"http://localhost/verify/{original_sha}"),
            reason="Menyetujui notulen rapat",
            p12_path=trust.p12(outsider, "outsider"),
            p12_password=P12_PASSWORD,
        ).pdf
    page = text(upload(client, added))
    assert CHANGED in page
    assert signed_by(*NOTETAKER) in page
    assert page.count(signed_by(*CHAIR)) == 1
    assert "Nama dalam sertifikat</dt><dd>Penanda Tangan Luar" in page
    assert page.count("tidak tercatat di Rakor") == 1
    for certificate_name in CERTIFICATE_NAMES:
        assert certificate_name not in page


def test_an_address_that_is_not_a_hash_is_not_found(client):
    assert client.get("/verify/abc").status_code == 404
    assert client.get("/verify/" + "g" * 64).status_code == 404


def test_an_unknown_hash_says_so(client):
    response = client.get("/verify/" + "0" * 64)
    assert response.status_code == 404
    assert UNKNOWN in text(response)


def stored_pdf_reads(app, request, *args) -> list[str]:
    """The stored PDFs (which table's) the database was asked for during `request(*args)`."""
    reads = []

    def note(_connection, _cursor, statement, *_args):
        for table in ("meeting_document", "document_signer"):
            if f"{table}.content" in statement:
                reads.append(table)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert request(*args).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return reads


def test_looking_up_a_version_reads_only_the_pdf_it_validates(app, client, planned, signed_twice):
    _content, original_sha = original(app, planned)
    # The page of any version validates the latest one: that PDF alone is read.
    for address_sha in (original_sha, sha(signed_twice[0])):
        reads = stored_pdf_reads(app, client.get, f"/verify/{address_sha}")
        assert reads == ["document_signer"]
    # An uploaded file is looked up by its hash, and validated from its own bytes.
    assert stored_pdf_reads(app, upload, client, signed_twice[1]) == []


def test_a_document_finalised_again_is_superseded(app, client, minutes):
    content, original_sha = original(app, minutes)
    with app.app_context():
        old = db.session.get(MeetingDocument, minutes)
        newer = render_pdf("<html lang=id><title>Notulen</title><p>Diperbaiki</p>")
        db.session.add(
            MeetingDocument(
                meeting_id=old.meeting_id,
                kind="minutes",
                source_digest="0" * 64,
                sha256=sha(newer),
                content=newer,
                is_final=True,
                created_at=old.created_at + timedelta(hours=1),
            )
        )
        db.session.commit()
    assert "Dokumen ini sudah digantikan" in text(client.get(f"/verify/{original_sha}"))
    assert "Dokumen ini sudah digantikan" in text(upload(client, content))


# --- uploads -------------------------------------------------------------------------------


def test_the_upload_page_is_a_form(client):
    page = text(client.get("/verify"))
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".pdf,application/pdf"' in page
    assert 'name="csrf_token"' in page


def test_the_last_signed_version_is_original(app, client, planned, signed_twice):
    response = upload(client, signed_twice[1])
    assert response.status_code == 200
    page = text(response)
    assert ORIGINAL in page
    assert "Notulen" in page
    assert page.count("<strong>Sah</strong>") == 2
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unsigned_final_document_is_original_and_not_signed(app, client, minutes):
    content, _sha = original(app, minutes)
    page = text(upload(client, content))
    assert "Dokumen final ini asli dan belum ditandatangani" in page
    assert "Berkas ini tidak memuat tanda tangan elektronik" in page


ONLY_SIGNATURES = "Sesudahnya hanya ditambahkan tanda tangan lain, capnya, atau metadata."
CHANGED_AFTER = "Sesudahnya berkas diubah."


@pytest.mark.parametrize("change", [with_new_title, with_note], ids=["title", "note"])
def test_a_file_changed_after_signing_says_so(app, client, planned, signed_twice, change):
    changed = change(signed_twice[1])
    assert changed.startswith(signed_twice[1])
    page = text(upload(client, changed))
    assert CHANGED in page
    assert "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024" in page  # what it started as
    assert "berkas ini berawal dari versi ini" in page
    assert ORIGINAL not in page
    # pyHanko sees both signatures intact; after each came a revision that is not a
    # signature (a new title, a note), and the page says so of both.
    assert page.count("<strong>Sah</strong>") == 2
    with app.app_context():
        report = verify_pdf(changed, app.config)
    assert [check.changes_after for check in report.signatures] == ["other", "other"]
    assert page.count(CHANGED_AFTER) == 2
    assert ONLY_SIGNATURES not in page
    # The file as signed: after the first signature came the second, and only that.
    with app.app_context():
        report = verify_pdf(signed_twice[1], app.config)
    assert [check.changes_after for check in report.signatures] == ["signatures", "none"]
    assert ONLY_SIGNATURES in text(upload(client, signed_twice[1]))


def test_a_flipped_byte_breaks_the_signature(app, client, planned, signed_twice):
    first, second = signed_twice
    damaged = bytearray(second)
    damaged[len(first) + 100] ^= 0x01  # inside the second signature's signed range
    report = check(app, bytes(damaged))
    assert report.verdict == "changed"
    assert [check.intact for check in report.signatures] == [True, False]
    page = text(upload(client, bytes(damaged)))
    assert CHANGED in page
    assert "Tidak utuh" in page


def with_revisions(pdf: bytes, count: int) -> bytes:
    """`pdf` plus `count` tiny incremental updates, each changing its title."""
    for number in range(count):
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        info = writer.trailer.raw_get("/Info")
        info.get_object()["/Title"] = generic.TextStringObject(f"Notulen {number}")
        writer.mark_update(info)
        output = io.BytesIO()
        writer.write(output)
        pdf = output.getvalue()
    return pdf


def test_a_file_with_many_revisions_is_checked_without_comparing_each(
    app, client, planned, signed_twice
):
    """Comparing every revision after each signature costs the square of their number:
    past MAX_REVISIONS the signatures are validated alone, and the file is changed."""
    many = with_revisions(signed_twice[1], 3 * MAX_REVISIONS)
    report = check(app, many)
    assert report.revisions > MAX_REVISIONS
    assert not report.revisions_reviewed
    assert report.verdict == "changed"
    assert [(c.intact, c.changes_after) for c in report.signatures] == [(True, "not_reviewed")] * 2
    page = text(upload(client, many))
    assert CHANGED in page
    assert f"memuat {report.revisions} revisi, terlalu banyak untuk diperiksa" in page
    assert page.count("perubahannya tidak diperiksa satu per satu") == 2
    assert signed_by(*NOTETAKER) in page and signed_by(*CHAIR) in page


def test_a_signature_from_an_untrusted_authority(app, client, trust, planned):
    stranger = Authority.create("Otoritas Tak Dikenal", "Bukan Rakor")
    signed = sign_next(
        app, trust, planned, stranger.issue(NOTETAKER[0], "Bukan Rakor"), chain_of=stranger
    )
    report = check(app, signed)
    assert report.verdict == "untrusted"
    (signature,) = report.signatures
    assert signature.intact and not signature.trusted and signature.untrusted_issuer
    page = text(upload(client, signed))
    assert UNTRUSTED in page
    assert "tidak diterbitkan oleh penyelenggara sertifikasi yang dipercaya" in page


def test_a_revoked_certificate_in_the_configured_list(app, client, trust, planned, signers):
    signed = sign_next(app, trust, planned, signers[0])
    assert check(app, signed).verdict == "original"
    trust.authority.revoke(signers[0])
    trust.write_crl()
    report = check(app, signed)
    assert report.verdict == "untrusted"
    assert report.signatures[0].revoked
    page = text(upload(client, signed))
    assert UNTRUSTED in page
    assert "Sertifikat dicabut" in page


def test_an_expired_certificate(app, client, trust, planned):
    now = datetime.now(UTC)
    expired = trust.authority.issue(
        NOTETAKER[0], not_before=now - timedelta(days=400), not_after=now - timedelta(days=1)
    )
    signed = sign_next(app, trust, planned, expired)
    report = check(app, signed)
    assert report.verdict == "untrusted"
    assert report.signatures[0].expired
    assert "Sertifikat kedaluwarsa" in text(upload(client, signed))


def test_a_pdf_rakor_never_made_is_unknown(app, client, minutes):
    other = render_pdf("<html lang=id><title>Surat</title><p>Surat undangan lain.</p>")
    response = upload(client, other)
    assert response.status_code == 200
    assert UNKNOWN in text(response)


def test_a_file_that_is_not_a_pdf_is_refused(client):
    response = upload(client, b"PK\x03\x04 bukan pdf", filename="notulen.pdf")
    assert response.status_code == 422
    assert "Berkas ini bukan PDF yang dapat dibaca" in text(response)


def test_a_damaged_pdf_never_breaks_the_page(app, client):
    response = upload(client, b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n")
    assert response.status_code == 422
    assert "Berkas ini bukan PDF yang dapat dibaca" in text(response)


def test_an_empty_upload_asks_for_a_file(client):
    page = text(client.get("/verify"))
    response = client.post("/verify", data={"csrf_token": hidden_value(page, "csrf_token")})
    assert response.status_code == 422
    assert "Pilih berkas PDF yang akan diperiksa" in text(response)


@pytest.mark.parametrize("app_config", [{"RAKOR_VERIFY_MAX_BYTES": 4096}], indirect=True)
def test_a_file_over_the_limit_is_refused_in_words(client):
    response = upload(client, b"%PDF-1.7\n" + b"0" * 30_000)
    assert response.status_code == 413
    assert "Berkas terlalu besar. Paling besar 4 KB." in text(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("app_config", [{"RAKOR_VERIFY_RATE_LIMIT": "2 per minute"}], indirect=True)
def test_lookups_and_uploads_are_rate_limited(client):
    assert client.get("/verify/" + "0" * 64).status_code == 404
    assert upload(client, b"bukan pdf").status_code == 422
    response = client.get("/verify/" + "0" * 64)
    assert response.status_code == 429
    assert "Terlalu banyak permintaan" in text(response)
    assert client.get("/verify").status_code == 200  # the form itself stays open


def test_an_upload_without_its_token_is_refused(app, client, minutes):
    content, _sha = original(app, minutes)
    response = client.post(
        "/verify",
        data={"file": (io.BytesIO(content), "notulen.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Dokumen final ini asli" not in text(response)


# --- the operator's settings ---------------------------------------------------------------


def test_revocation_lists_in_pem_count_and_a_missing_file_is_skipped(
    app, trust, planned, signers, tmp_path
):
    signed = sign_next(app, trust, planned, signers[0])
    trust.authority.revoke(signers[0])
    listed = tmp_path / "revoked.pem"
    listed.write_bytes(pem.armor("X509 CRL", trust.authority.crl()))
    settings = {
        "RAKOR_TRUST_ROOTS": f"{tmp_path / 'missing.pem'}:{trust.roots}",
        "RAKOR_TRUST_CRLS": f"{tmp_path / 'missing.crl'}:{listed}",
    }
    with app.app_context():
        assert verify_pdf(signed, settings).signatures[0].revoked


def test_without_trust_roots_no_signature_is_trusted(app, trust, planned, signers):
    """No fallback to the operating system's roots: an operator trusts authorities by name."""
    signed = sign_next(app, trust, planned, signers[0])
    with app.app_context():
        report = verify_pdf(signed, {"RAKOR_TRUST_ROOTS": "", "RAKOR_TRUST_CRLS": ""})
    assert report.verdict == "untrusted"
    assert report.signatures[0].intact and report.signatures[0].untrusted_issuer


# --- on a phone (last: see in_own_thread) ---------------------------------------------------


def in_own_thread(function, *args):
    """Playwright's synchronous API keeps its event loop running in the test's thread,
    and pyHanko's synchronous calls start one of their own (asyncio.run): sign elsewhere.
    The app answers the browser from the live server's threads, where this never arises."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def sign_both(app, trust: Trust, document_id: int, signers: tuple[Issued, Issued]) -> bytes:
    sign_next(app, trust, document_id, signers[0])
    return sign_next(app, trust, document_id, signers[1])


def test_a_citizen_checks_a_signed_document_on_a_phone(
    app, phone, trust, planned, signers, tmp_path
):
    """The QR code's page and an upload, on a 360 px phone: readable, no sideways
    scrolling, no serious accessibility problem."""
    latest_version = in_own_thread(sign_both, app, trust, planned, signers)
    _content, original_sha = original(app, planned)
    phone.goto(f"/verify/{original_sha}")
    assert ORIGINAL in main_text(phone)
    assert_fits_the_phone(phone)
    assert serious_violations(phone) == [], describe(serious_violations(phone))
    screenshot(phone, "verify-document-phone")

    changed = tmp_path / "notulen-ditandatangani.pdf"
    changed.write_bytes(with_note(latest_version))
    phone.goto("/verify")
    phone.set_input_files("#file", str(changed))
    phone.get_by_role("button", name="Periksa berkas").click()
    phone.wait_for_load_state("load")
    assert CHANGED in main_text(phone)
    assert_fits_the_phone(phone)
    assert serious_violations(phone) == [], describe(serious_violations(phone))
    screenshot(phone, "verify-upload-phone")
