"""Signing a final document, as staff do it: the order, each signer in turn, the download.

Signatures are made for real: with a seal (a PKCS#12 file from a certificate
authority made in the test, app/signing/pki.py) or through the stand-in of a BSrE
signing client (tests/signing_standin.py), and the downloaded PDF is validated with
pyHanko against that authority.
"""

import hashlib
import io
import logging
import re
import threading
import time
from html import unescape

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from app.auth.services import LOCK_AFTER_FAILURES
from app.extensions import db
from app.models import (
    AuditEvent,
    DocumentNumber,
    DocumentSigner,
    MeetingDocument,
    Signatory,
    User,
)
from app.services import Refused
from app.signing import services
from app.signing.pki import Authority
from tests.browser_helpers import describe, flash, serious_violations, sign_in
from tests.helpers import (
    SEAL_PASSWORD,
    STAFF_PASSWORD,
    build_record,
    csrf_from,
    hidden_value,
    pdf_text,
    text,
)
from tests.signing_standin import SigningStandIn

NIK = "3375010101900001"
PASSPHRASE = "passphrase-rahasia-uji-7291"
NOTETAKER = "Dian Permatasari"
CHAIR = "Achmad Afzan Arslan Djunaid"


@pytest.fixture
def standin():
    with SigningStandIn() as service:
        service.add_user(NIK, NOTETAKER, passphrase=PASSPHRASE)
        yield service


@pytest.fixture
def app_config(request, tmp_path, authority):
    """A seal signs, unless the test uses the stand-in of a remote signing service."""
    if "standin" in request.fixturenames:
        return request.getfixturevalue("standin").config()
    if getattr(request, "param", None) == "unconfigured":
        return {"RAKOR_SIGNING_MODE": ""}
    seal = authority.issue("Segel Elektronik Bappeda Kota Uji", "Pemerintah Kota Uji")
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(seal.pkcs12(SEAL_PASSWORD, [authority.root.certificate]))
    config = {
        "RAKOR_SIGNING_MODE": "seal",
        "RAKOR_SEAL_P12": str(p12),
        "RAKOR_SEAL_PASSWORD": SEAL_PASSWORD,
        "RAKOR_PUBLIC_URL": "https://rakor.uji.go.id",
    }
    if getattr(request, "param", None) == "production_without_public_url":
        config.update(RAKOR_ENV="production", RAKOR_PUBLIC_URL="")
    return config


# --- helpers -------------------------------------------------------------------------------


PARTIES = [
    # name, jabatan, instansi, acknowledges
    ("Ir. Bambang Sutejo, M.T.", "Kepala Bappeda", "Bappeda Kota Pekalongan", False),
    ("Sri Wahyuni, S.Sos.", "Kepala Dinas Sosial", "Dinsos P2KB", False),
    ("Achmad Afzan Arslan Djunaid", "Wali Kota Pekalongan", "", True),
]


def finalised_minutes(app, make_meeting, client, *, parties=()) -> tuple[int, int]:
    """A complete record finalised by `client`; (meeting id, its final notulen's id)."""
    record = build_record(app, make_meeting)
    with app.app_context():
        for position, (name, title, agency, acknowledges) in enumerate(parties, start=1):
            db.session.add(
                Signatory(
                    meeting_id=record.meeting_id,
                    position=position,
                    name=name,
                    title=title,
                    agency=agency,
                    acknowledges=acknowledges,
                )
            )
        db.session.commit()
    token = csrf_from(client, f"/admin/meetings/{record.meeting_id}/minutes")
    response = client.post(
        f"/admin/meetings/{record.meeting_id}/finalise", data={"csrf_token": token}
    )
    assert response.status_code == 302, text(response)[:500]
    return record.meeting_id, final_id(app, record.meeting_id, "minutes")


def final_id(app, meeting_id: int, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(MeetingDocument.id)
            .where(
                MeetingDocument.meeting_id == meeting_id,
                MeetingDocument.kind == kind,
                MeetingDocument.is_final.is_(True),
            )
            .order_by(MeetingDocument.id.desc())
            .limit(1)
        )


def signing_url(document_id: int) -> str:
    return f"/admin/documents/{document_id}/signing"


def save_order(client, document_id: int, users: list, positions: list | None = None):
    """Send the order form as shown, each line with its account and place."""
    page = text(client.get(signing_url(document_id)))
    data = {"csrf_token": hidden_value(page, "csrf_token")}
    for index, user_id in enumerate(users):
        data[f"signers-{index}-key"] = hidden_value(page, f"signers-{index}-key")
        data[f"signers-{index}-position"] = str((positions or range(1, 99))[index])
        data[f"signers-{index}-user"] = str(user_id) if user_id else ""
    return client.post(f"{signing_url(document_id)}/order", data=data)


def order_form(client, document_id: int, keys: list[str], users: list[int]) -> dict:
    """The order form's fields as a hand-made request would send them."""
    data = {"csrf_token": csrf_from(client, signing_url(document_id))}
    for index, (key, user_id) in enumerate(zip(keys, users, strict=True)):
        data[f"signers-{index}-key"] = key
        data[f"signers-{index}-position"] = str(index + 1)
        data[f"signers-{index}-user"] = str(user_id)
    return data


def sign(client, document_id: int, **fields):
    token = csrf_from(client, signing_url(document_id))
    return client.post(f"{signing_url(document_id)}/sign", data={"csrf_token": token, **fields})


def signers_of(app, document_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(DocumentSigner)
            .where(DocumentSigner.document_id == document_id)
            .order_by(DocumentSigner.position)
        )
        return [
            {
                "id": row.id,
                "position": row.position,
                "role": row.role,
                "name": row.name,
                "user_id": row.user_id,
                "signed_at": row.signed_at,
                "method": row.method,
                "sha256": row.sha256,
                "content": row.content,
                "certificate_subject": row.certificate_subject,
            }
            for row in rows
        ]


def original_of(app, document_id: int) -> bytes:
    with app.app_context():
        return db.session.get(MeetingDocument, document_id).content


def page_text(response) -> str:
    return page_text_of(text(response))


def page_text_of(html: str) -> str:
    """What a reader sees of the page: its words, whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def validation_context(authority: Authority) -> ValidationContext:
    root = asn1_x509.Certificate.load(authority.root.certificate.public_bytes(Encoding.DER))
    return ValidationContext(trust_roots=[root], crls=[authority.crl()], allow_fetching=False)


def audit_text(app) -> str:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent))
        return " ".join(f"{event.action} {event.before} {event.after}" for event in events)


# --- the seal: the whole flow ----------------------------------------------------------------


def test_the_notetaker_then_the_chair_sign_and_the_download_carries_both(
    app, login, staff, make_meeting, authority
):
    secretariat, viewer, admin = login("secretariat"), login("viewer"), login("admin")
    meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    original = original_of(app, document_id)

    page = page_text(secretariat.get(signing_url(document_id)))
    assert "Ditandatangani 0 dari 2" in page
    assert page.index(NOTETAKER) < page.index(CHAIR)
    assert f"berikutnya: {NOTETAKER}" in page

    # Two signers in the same place: refused, with what was chosen kept.
    refused = save_order(
        secretariat, document_id, [staff["secretariat"], staff["viewer"]], positions=[1, 1]
    )
    assert refused.status_code == 422
    assert "nomor urut yang berbeda" in page_text(refused)
    assert f'<option selected value="{staff["viewer"]}"' in text(refused)
    assert signers_of(app, document_id) == []
    # A viewer cannot set the order.
    typed = order_form(viewer, document_id, ["new-1", "new-2"], [staff["viewer"]] * 2)
    assert viewer.post(f"{signing_url(document_id)}/order", data=typed).status_code == 403

    saved = save_order(secretariat, document_id, [staff["secretariat"], staff["viewer"]])
    assert saved.status_code == 303
    rows = signers_of(app, document_id)
    assert [(row["role"], row["name"], row["user_id"]) for row in rows] == [
        ("notetaker", NOTETAKER, staff["secretariat"]),
        ("chair", CHAIR, staff["viewer"]),
    ]

    # "Tanda tangan saya": the notulen waits for the note-taker's account, not the chair's.
    assert "Rapat Koordinasi Penanggulangan" in page_text(secretariat.get("/admin/signing"))
    assert "Tidak ada dokumen yang menunggu" in page_text(viewer.get("/admin/signing"))

    # The chair out of turn, an account that is not the signer's: refused, nothing changes.
    early = sign(viewer, document_id, signer_id=rows[1]["id"], password=STAFF_PASSWORD)
    assert early.status_code == 403
    assert f"masih menunggu tanda tangan {NOTETAKER}" in page_text(early)
    stranger = sign(admin, document_id, signer_id=rows[0]["id"], password=STAFF_PASSWORD)
    assert stranger.status_code == 403
    assert "bukan untuk akun Anda" in page_text(stranger)
    # The right account with a wrong password: a message, nothing signed.
    wrong = sign(secretariat, document_id, signer_id=rows[0]["id"], password="bukan-sandinya")
    assert wrong.status_code == 422
    assert "Kata sandi akun Anda salah" in page_text(wrong)
    assert "bukan-sandinya" not in text(wrong)
    assert signers_of(app, document_id) == rows

    first = sign(secretariat, document_id, signer_id=rows[0]["id"], password=STAFF_PASSWORD)
    assert first.status_code == 303, page_text(first)[:800]
    notetaker, chair = signers_of(app, document_id)
    assert notetaker["signed_at"] is not None and notetaker["method"] == "seal"
    assert notetaker["sha256"] == hashlib.sha256(notetaker["content"]).hexdigest()
    assert notetaker["content"].startswith(original)
    assert "Segel Elektronik Bappeda" in notetaker["certificate_subject"]
    assert chair["signed_at"] is None

    # The order is fixed from the first signature on.
    # (the page no longer offers the form; one sent anyway is refused)
    typed = order_form(secretariat, document_id, [str(notetaker["id"]), str(chair["id"])],
                       [staff["admin"], staff["viewer"]])  # fmt: skip
    late = secretariat.post(f"{signing_url(document_id)}/order", data=typed)
    assert late.status_code == 409
    assert "Urutan tidak dapat diubah lagi" in page_text(late)
    assert signers_of(app, document_id)[0]["user_id"] == staff["secretariat"]

    # Now the chair's turn: the viewer sees it in the menu and on "Tanda tangan saya".
    waiting = viewer.get("/admin/signing")
    assert "Tanda tangan (1 menunggu Anda )" in page_text(waiting)
    assert "Rapat Koordinasi Penanggulangan" in page_text(waiting)
    assert "Tidak ada dokumen yang menunggu" in page_text(secretariat.get("/admin/signing"))
    second = sign(viewer, document_id, signer_id=chair["id"], password=STAFF_PASSWORD)
    assert second.status_code == 303, page_text(second)[:800]
    notetaker, chair = signers_of(app, document_id)
    assert chair["content"].startswith(notetaker["content"])
    assert chair["sha256"] == hashlib.sha256(chair["content"]).hexdigest()

    html = text(secretariat.get(signing_url(document_id)))
    assert "Ditandatangani 2 dari 2" in page_text_of(html)
    for sha256 in (hashlib.sha256(original).hexdigest(), notetaker["sha256"], chair["sha256"]):
        assert sha256 in page_text_of(html)
    verify = f"https://rakor.uji.go.id/verify/{hashlib.sha256(original).hexdigest()}"
    assert f'href="{verify}"' in html
    meeting_page = page_text(secretariat.get(f"/admin/meetings/{meeting_id}"))
    assert "Ditandatangani 2 dari 2" in meeting_page
    assert "Ditandatangani 0 dari" in meeting_page  # the berita acara and the laporan

    # The download serves the last version; pyHanko finds both signatures valid.
    download = secretariat.get(f"/admin/meetings/{meeting_id}/minutes.pdf")
    assert download.status_code == 200
    assert download.data == chair["content"]
    assert download.headers["X-Content-SHA256"] == chair["sha256"]
    signatures = PdfFileReader(io.BytesIO(download.data)).embedded_signatures
    assert len(signatures) == 2
    for signature in signatures:
        status = validate_pdf_signature(signature, validation_context(authority))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()

    # So does a share link.
    token = csrf_from(secretariat, f"/admin/meetings/{meeting_id}/share")
    secretariat.post(
        f"/admin/meetings/{meeting_id}/share", data={"csrf_token": token, "kind": "minutes"}
    )
    address = re.search(r'value="http://localhost(/d/[^"]+)"', text(secretariat.get(
        f"/admin/meetings/{meeting_id}/share"))).group(1)  # fmt: skip
    shared = app.test_client().get(address)
    assert shared.data == chair["content"]
    assert shared.headers["X-Content-SHA256"] == chair["sha256"]

    audit = audit_text(app)
    assert audit.count("document.signed") == 2
    assert chair["sha256"] in audit
    assert STAFF_PASSWORD not in audit


def test_two_clicks_at_once_sign_once(app, login, staff, make_meeting):
    """The document's row is locked for the whole step: the second waits, then finds the
    turn taken, and the stored version carries one signature."""
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    row = signers_of(app, document_id)[0]
    outcomes = []

    def click() -> None:
        with app.app_context():
            actor = db.session.get(User, staff["secretariat"])
            try:
                services.sign_document(row["id"], actor, password=STAFF_PASSWORD)
                outcomes.append("signed")
            except Refused as refused:
                outcomes.append(refused.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already_signed", "signed"]
    content = signers_of(app, document_id)[0]["content"]
    assert len(PdfFileReader(io.BytesIO(content)).embedded_signatures) == 1


def test_a_document_without_a_signature_area_is_refused(app, login, staff, make_meeting):
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    with app.app_context():  # as a document finalised before signing existed
        db.session.get(MeetingDocument, document_id).signature_area = ""
        db.session.commit()
    row = signers_of(app, document_id)[0]
    assert "tanpa ruang tanda tangan" in page_text(secretariat.get(signing_url(document_id)))

    refused = sign(secretariat, document_id, signer_id=row["id"], password=STAFF_PASSWORD)
    assert refused.status_code == 409
    assert "Minta admin membuka kembali notulen" in page_text(refused)
    assert signers_of(app, document_id)[0]["signed_at"] is None


def test_wrong_passwords_at_signing_lock_the_account_as_at_sign_in(app, login, staff, make_meeting):
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    row = signers_of(app, document_id)[0]
    for _attempt in range(LOCK_AFTER_FAILURES - 1):
        wrong = sign(secretariat, document_id, signer_id=row["id"], password="tebakan")
        assert wrong.status_code == 422
    locked = sign(secretariat, document_id, signer_id=row["id"], password="tebakan")
    assert locked.status_code == 303
    assert locked.headers["Location"].endswith("/login")
    assert secretariat.get("/admin/signing").headers["Location"].startswith("/login")
    assert signers_of(app, document_id)[0]["signed_at"] is None
    assert "signing_locked" in audit_text(app)


@pytest.mark.parametrize("app_config", ["unconfigured"], indirect=True)
def test_signing_without_a_configured_method_is_refused(app, login, staff, make_meeting):
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    row = signers_of(app, document_id)[0]
    assert "belum diatur" in page_text(secretariat.get(signing_url(document_id)))

    refused = sign(secretariat, document_id, signer_id=row["id"], password=STAFF_PASSWORD)
    assert refused.status_code == 409
    assert "Tanda tangan elektronik belum diatur" in page_text(refused)
    assert signers_of(app, document_id)[0]["signed_at"] is None


def test_the_berita_acara_is_signed_by_its_parties_then_mengetahui(app, login, staff, make_meeting):
    secretariat = login("secretariat")
    meeting_id, _minutes = finalised_minutes(app, make_meeting, secretariat, parties=PARTIES)
    agreement = final_id(app, meeting_id, "berita_acara")
    printed = pdf_text(original_of(app, agreement))

    page = page_text(secretariat.get(signing_url(agreement)))
    assert "Ditandatangani 0 dari 3" in page
    expected = [
        (PARTIES[0][0], "Kepala Bappeda, Bappeda Kota Pekalongan", "Pihak"),
        (PARTIES[1][0], "Kepala Dinas Sosial, Dinsos P2KB", "Pihak"),
        (PARTIES[2][0], "Wali Kota Pekalongan", "Mengetahui"),
    ]
    places = [page.index(f"{name} {title} {role}") for name, title, role in expected]
    assert places == sorted(places)
    for name, _title, _role in expected:
        assert name in printed  # the names the document prints
    laporan = page_text(secretariat.get(signing_url(final_id(app, meeting_id, "laporan"))))
    assert f"{PARTIES[0][0]} Kepala Bappeda Penanda tangan" in laporan
    assert "Ditandatangani 0 dari 1" in laporan

    # The secretariat puts the Wali Kota first: the order is theirs to set.
    assert save_order(
        secretariat, agreement, [staff["secretariat"], None, staff["viewer"]], positions=[2, 3, 1]
    ).status_code == 303  # fmt: skip
    rows = signers_of(app, agreement)
    assert [(row["name"], row["role"]) for row in rows] == [
        (PARTIES[2][0], "acknowledger"),
        (PARTIES[0][0], "party"),
        (PARTIES[1][0], "party"),
    ]
    viewer = login("viewer")
    signed = sign(viewer, agreement, signer_id=rows[0]["id"], password=STAFF_PASSWORD)
    assert signed.status_code == 303, page_text(signed)[:800]
    content = signers_of(app, agreement)[0]["content"]
    signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[0]
    with app.app_context():
        number = db.session.scalar(
            select(DocumentNumber.number).where(
                DocumentNumber.meeting_id == meeting_id, DocumentNumber.kind == "berita_acara"
            )
        )
    reason = f"Mengetahui — Berita acara kesepakatan {number}".strip()
    assert signature.sig_object["/Reason"] == reason
    meeting_page = page_text(secretariat.get(f"/admin/meetings/{meeting_id}"))
    assert (
        f"Ditandatangani 1 dari 3 Berita acara kesepakatan · berikutnya: {PARTIES[0][0]}"
        in meeting_page
    )


def test_a_reopened_record_takes_its_documents_off_the_signers_list(
    app, login, staff, make_meeting
):
    secretariat, admin = login("secretariat"), login("admin")
    meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    assert "Rapat Koordinasi Penanggulangan" in page_text(secretariat.get("/admin/signing"))

    token = csrf_from(admin, f"/admin/meetings/{meeting_id}/minutes")
    reopened = admin.post(
        f"/admin/meetings/{meeting_id}/reopen",
        data={"csrf_token": token, "reason": "Nama notulis salah ketik."},
    )
    assert reopened.status_code == 302
    assert "Tidak ada dokumen yang menunggu" in page_text(secretariat.get("/admin/signing"))
    row = signers_of(app, document_id)[0]
    refused = sign(secretariat, document_id, signer_id=row["id"], password=STAFF_PASSWORD)
    assert refused.status_code == 409
    assert "bukan dokumen final yang berlaku" in page_text(refused)
    assert signers_of(app, document_id)[0]["signed_at"] is None


# --- a remote signing service ------------------------------------------------------------


def test_remote_signing_with_the_signers_passphrase(
    app, login, staff, make_meeting, standin, caplog
):
    caplog.set_level(logging.DEBUG)
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    row = signers_of(app, document_id)[0]

    form = text(secretariat.get(signing_url(document_id)))
    assert re.search(r'<input[^>]*name="nik"[^>]*inputmode="numeric"', form) or re.search(
        r'<input[^>]*inputmode="numeric"[^>]*name="nik"', form
    )
    assert re.search(r'<input[^>]*autocomplete="off"[^>]*name="passphrase"', form) or re.search(
        r'<input[^>]*name="passphrase"[^>]*autocomplete="off"', form
    )

    bad_nik = sign(secretariat, document_id, signer_id=row["id"], nik="1234", passphrase="x")
    assert bad_nik.status_code == 422
    assert "NIK terdiri atas 16 angka" in page_text(bad_nik)

    wrong = sign(secretariat, document_id, signer_id=row["id"], nik=NIK, passphrase="salah-1")
    assert wrong.status_code == 409
    assert "Passphrase atau kode OTP salah" in page_text(wrong)
    assert NIK not in text(wrong)  # neither the NIK nor a secret goes back into the page
    assert "salah-1" not in text(wrong)
    assert signers_of(app, document_id)[0]["signed_at"] is None

    signed = sign(secretariat, document_id, signer_id=row["id"], nik=NIK, passphrase=PASSPHRASE)
    assert signed.status_code == 303, page_text(signed)[:800]
    notetaker = signers_of(app, document_id)[0]
    assert notetaker["method"] == "remote"
    assert NOTETAKER in notetaker["certificate_subject"]
    signature = PdfFileReader(io.BytesIO(notetaker["content"])).embedded_signatures[-1]
    status = validate_pdf_signature(signature, standin.validation_context())
    assert status.intact and status.valid and status.trusted

    # The passphrase and the NIK reached the service once each try, and nothing else.
    logged = " ".join(record.getMessage() for record in caplog.records)
    for secret in (PASSPHRASE, "salah-1"):
        assert secret not in logged
        assert secret not in audit_text(app)
    assert NIK not in audit_text(app)
    with app.app_context():
        stored = db.session.scalars(select(DocumentSigner.certificate_subject)).all()
    assert all(PASSPHRASE not in value and NIK not in value for value in stored)


def test_a_signature_under_another_signers_printed_name_is_refused(
    app, login, staff, make_meeting, standin
):
    """The secretariat holds both turns; the note-taker's NIK cannot sign the chair's."""
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"]] * 2).status_code == 303
    notetaker, chair = signers_of(app, document_id)
    mine = sign(secretariat, document_id, signer_id=notetaker["id"], nik=NIK, passphrase=PASSPHRASE)
    assert mine.status_code == 303, page_text(mine)[:800]

    theirs = sign(secretariat, document_id, signer_id=chair["id"], nik=NIK, passphrase=PASSPHRASE)

    assert theirs.status_code == 422
    assert (
        f"Sertifikat elektronik dari NIK ini atas nama {NOTETAKER}, sedangkan dokumen "
        f"mencantumkan {CHAIR} pada giliran ini. Tidak ada yang disimpan"
    ) in page_text(theirs)
    assert signers_of(app, document_id)[1]["signed_at"] is None
    assert audit_text(app).count("document.signed") == 1


def test_titles_and_degrees_around_the_certificates_name_do_not_matter(
    app, login, staff, make_meeting, standin
):
    standin.add_user("3375010101900009", "DR. DIAN PERMATASARI, S.E., M.Si.", passphrase="p-9")
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    row = signers_of(app, document_id)[0]

    signed = sign(secretariat, document_id, signer_id=row["id"], nik="3375010101900009",
                  passphrase="p-9")  # fmt: skip

    assert signed.status_code == 303, page_text(signed)[:800]
    assert "DIAN PERMATASARI" in signers_of(app, document_id)[0]["certificate_subject"]


@pytest.mark.parametrize(
    ("printed", "certificate", "same"),
    [
        ("Ir. Bambang Sutejo, M.T.", "BAMBANG SUTEJO", True),
        ("Hj. Sri Wahyuni, S.Sos.", "Sri Wahyuni S.Sos.", True),
        ("dr. Siti Aminah", "Drs. H. Siti Aminah, M.Si.", True),
        ("Ma'ruf Amin", "MARUF AMIN", True),
        ("drg. Siti Aminah", "SITI AMINAH", True),
        ("Ns. Rina Kartika, S.Kep.", "RINA KARTIKA", True),
        ("Apt. Dewi Lestari, S.Farm.", "DEWI LESTARI", True),
        ("Budi Santoso SH MH", "BUDI SANTOSO", True),
        ("Muhammad Iqbal Lc.", "MUHAMMAD IQBAL", True),
        ("Nur-Aini", "NUR AINI", True),
        ("Dian Permatasari", "Dian Permata", False),
        ("Dian Permatasari", "Permatasari Dian", False),
        ("Dian Permatasari", "", False),
    ],
)
def test_names_are_compared_without_titles_case_or_punctuation(printed, certificate, same):
    assert services.same_person(printed, certificate) is same


def test_the_database_stays_writable_while_the_service_signs_and_a_reopen_wins(
    app, login, staff, make_meeting, standin
):
    """No transaction is open while the service works: an admin reopens the record then
    (SQLite would otherwise refuse every write until the service answered), and the
    signature that comes back afterwards is not stored."""
    standin.behaviour, standin.delay = "slow", 3
    secretariat, admin = login("secretariat"), login("admin")
    meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    row = signers_of(app, document_id)[0]
    outcomes = []

    def click() -> None:
        with app.app_context():
            actor = db.session.get(User, staff["secretariat"])
            try:
                services.sign_document(row["id"], actor, nik=NIK, passphrase=PASSPHRASE)
                outcomes.append("signed")
            except Refused as refused:
                outcomes.append(str(refused))
            finally:
                db.session.remove()

    signing = threading.Thread(target=click)
    signing.start()
    for _wait in range(200):
        if standin.requests:
            break
        time.sleep(0.05)
    assert standin.requests, "the service was asked"
    token = csrf_from(admin, f"/admin/meetings/{meeting_id}/minutes")
    reopened = admin.post(
        f"/admin/meetings/{meeting_id}/reopen",
        data={"csrf_token": token, "reason": "Nama notulis salah ketik."},
    )
    assert reopened.status_code == 302
    assert signing.is_alive(), "the reopen had to wait for the signing service"
    signing.join(timeout=30)

    assert len(outcomes) == 1 and "bukan dokumen final yang berlaku" in outcomes[0]
    assert signers_of(app, document_id)[0]["signed_at"] is None
    assert "document.signed" not in audit_text(app)


@pytest.mark.parametrize("app_config", ["production_without_public_url"], indirect=True)
def test_a_production_server_without_its_public_address_signs_nothing(
    app, login, staff, make_meeting
):
    """The QR code keeps its address for good: not the host name a request happened to use."""
    secretariat = login("secretariat")
    _meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert save_order(secretariat, document_id, [staff["secretariat"], None]).status_code == 303
    row = signers_of(app, document_id)[0]
    page = secretariat.get(signing_url(document_id))
    assert "RAKOR_PUBLIC_URL) belum diatur" in page_text(page)
    assert 'name="password"' not in text(page)

    refused = sign(secretariat, document_id, signer_id=row["id"], password=STAFF_PASSWORD)

    assert refused.status_code == 409
    assert "Tidak ada yang ditandatangani; minta admin mengaturnya" in page_text(refused)
    assert signers_of(app, document_id)[0]["signed_at"] is None


# --- in the browser --------------------------------------------------------------------------


def test_the_chair_signs_from_the_menu_in_the_browser(app, login, staff, make_meeting, desktop):
    secretariat = login("secretariat")
    meeting_id, document_id = finalised_minutes(app, make_meeting, secretariat)
    assert (
        save_order(secretariat, document_id, [staff["viewer"], staff["viewer"]]).status_code == 303
    )

    sign_in(desktop, "viewer")
    desktop.locator(".staff-nav").get_by_role(
        "link", name=re.compile(r"^Tanda tangan \(1 menunggu Anda")
    ).click()
    assert serious_violations(desktop) == [], describe(serious_violations(desktop))
    desktop.get_by_role("link", name="Tandatangani Notulen").click()
    assert serious_violations(desktop) == [], describe(serious_violations(desktop))
    password = desktop.get_by_label("Kata sandi akun Anda")
    assert password.get_attribute("autocomplete") == "current-password"
    password.fill(STAFF_PASSWORD)
    desktop.get_by_role("button", name="Tandatangani").click()
    assert "Dokumen ditandatangani" in flash(desktop)
    assert "Ditandatangani 1 dari 2" in desktop.locator("main").inner_text()
    # The same account signs the next turn too: the chair's, here.
    desktop.get_by_label("Kata sandi akun Anda").fill(STAFF_PASSWORD)
    desktop.get_by_role("button", name="Tandatangani").click()
    assert "Ditandatangani 2 dari 2" in desktop.locator("main").inner_text()
    assert desktop.get_by_role("link", name="Tanda tangan", exact=True).count() == 1

    desktop.goto(f"/admin/meetings/{meeting_id}")
    row = desktop.get_by_role("row", name=re.compile("^Notulen"))
    assert "Ditandatangani 2 dari 2" in row.inner_text()
