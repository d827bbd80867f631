"""Signing through a remote service with the BSrE signing client's API.

The service is the stand-in of tests/signing_standin.py, which signs and checks
passphrases for real. The signer's secret is sent once, never retried, never
logged; whatever goes wrong, nothing half-signed comes back.
"""

import base64
import io
import logging
import time
from datetime import UTC, datetime

import pytest
import requests
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from app.documents.pdf import render_pdf
from app.signing.engine import SigningFailed, remote_sign_pdf, sign_with_config
from app.signing.stamp import Stamp
from tests.signing_standin import SigningStandIn, down_url

NIK = "3375016502800002"
PASSPHRASE = "Passphrase-Rahasia-Uji#7"
TOTP = "482913"
BOX = (0, 305.0, 60.0, 539.0, 140.0)
STAMP = Stamp(
    signer_name="Achmad Afzan Arslan Djunaid",
    signer_title="Wali Kota Pekalongan",
    signed_at=datetime(2024, 1, 23, 6, 0, tzinfo=UTC),
    verify_url="https://rakor.example.go.id/verify/" + "c" * 64,
)


@pytest.fixture(scope="module")
def final_pdf() -> bytes:
    html = '<html lang="id"><head><title>Berita Acara Uji</title></head><body><p>Isi.</p></body>'
    return render_pdf(html, pdf_variant="pdf/a-3a")


@pytest.fixture
def service():
    with SigningStandIn() as stand_in:
        stand_in.add_user(NIK, "Achmad Afzan Arslan Djunaid", passphrase=PASSPHRASE, totp=TOTP)
        yield stand_in


def sign(app, pdf: bytes, service_url: str, *, timeout: float = 5, **secret):
    secret = secret or {"passphrase": PASSPHRASE}
    with app.app_context():
        return remote_sign_pdf(
            pdf,
            box=BOX,
            stamp=STAMP,
            reason="Menyetujui berita acara",
            nik=NIK,
            base_url=service_url,
            client_id="rakor-uji",
            client_secret="rahasia-klien-uji",
            timeout=timeout,
            **secret,
        )


def test_the_service_signs_with_the_signers_own_certificate(app, service, final_pdf):
    signed = sign(app, final_pdf, service.url)

    assert signed.pdf.startswith(final_pdf)
    signatures = PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures
    assert len(signatures) == 1
    status = validate_pdf_signature(signatures[0], service.validation_context())
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    certificate = service.users[NIK].issued.certificate
    assert signatures[0].signer_cert.serial_number == certificate.serial_number
    assert signed.certificate_serial == format(certificate.serial_number, "X")
    assert "Achmad Afzan Arslan Djunaid" in signed.certificate_subject
    assert signed.certificate_name == "Achmad Afzan Arslan Djunaid"
    assert signed.field_name == signatures[0].field_name

    (request,) = service.requests
    assert request["nik"] == NIK
    (properties,) = request["signatureProperties"]
    assert properties["tampilan"] == "VISIBLE"
    assert properties["page"] == 1
    assert (properties["originX"], properties["originY"]) == (305.0, 60.0)
    assert (properties["width"], properties["height"]) == (234.0, 80.0)
    assert properties["imageBase64"]


def test_a_one_time_code_signs_too(app, service, final_pdf):
    signed = sign(app, final_pdf, service.url, totp=TOTP)

    assert len(PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures) == 1


def test_a_second_signer_signs_the_first_signers_version(app, service, final_pdf):
    first = sign(app, final_pdf, service.url)
    second = sign(app, first.pdf, service.url, totp=TOTP)

    assert second.pdf.startswith(first.pdf)
    signatures = PdfFileReader(io.BytesIO(second.pdf)).embedded_signatures
    statuses = [validate_pdf_signature(s, service.validation_context()) for s in signatures]
    assert all(status.bottom_line for status in statuses)
    assert [status.coverage for status in statuses] == [
        SignatureCoverageLevel.ENTIRE_REVISION,
        SignatureCoverageLevel.ENTIRE_FILE,
    ]


def test_a_wrong_passphrase_is_said_plainly_and_asked_once(app, service, final_pdf):
    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url, passphrase="salah-ketik")

    assert str(failure.value.message) == (
        "Passphrase atau kode OTP salah. Tidak ada yang ditandatangani."
    )
    assert len(service.requests) == 1  # no automatic retry


def test_a_wrong_one_time_code_is_said_plainly(app, service, final_pdf):
    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url, totp="000000")

    assert "Passphrase atau kode OTP salah" in str(failure.value.message)
    assert len(service.requests) == 1


def test_the_services_own_reason_reaches_the_signer(app, service, final_pdf):
    service.users.clear()

    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url)

    assert "menolak permintaan: NIK tidak terdaftar" in str(failure.value.message)


def test_wrong_client_credentials_name_the_settings(app, service, final_pdf):
    service.client_secret = "rahasia-lain"

    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url)

    assert "RAKOR_SIGNING_CLIENT_SECRET" in str(failure.value.message)


def test_a_service_that_is_down_signs_nothing(app, final_pdf):
    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, down_url())

    assert "tidak dapat dihubungi" in str(failure.value.message)


def test_a_slow_service_times_out_when_the_signer_was_told_it_would(app, service, final_pdf):
    service.behaviour = "slow"
    service.delay = 10

    started = time.monotonic()
    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url, timeout=1)
    waited = time.monotonic() - started

    assert "tidak menjawab dalam 1 detik" in str(failure.value.message)
    assert waited < 4
    assert len(service.requests) == 1


def test_an_error_of_the_service_signs_nothing(app, service, final_pdf):
    service.behaviour = "error"
    service.error_status = 500

    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url)

    assert "status 500" in str(failure.value.message)
    assert len(service.requests) == 1


def test_a_reply_that_is_not_a_pdf_is_refused(app, service, final_pdf):
    service.behaviour = "not_pdf"

    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url)

    assert "tidak mengembalikan dokumen PDF" in str(failure.value.message)


def test_a_reply_that_is_some_other_signed_pdf_is_refused(app, service, final_pdf):
    service.behaviour = "foreign_pdf"

    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url)

    assert "bukan dokumen ini" in str(failure.value.message)


def test_a_reply_changed_after_its_signature_is_refused(app, service, final_pdf):
    service.behaviour = "changed_after_signing"

    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url)

    assert "bukan dokumen ini" in str(failure.value.message)


def test_a_service_that_changes_the_page_with_its_signature_is_refused(app, service, final_pdf):
    """The update holds one intact signature over the whole file, and also covers the
    page in blue: a signature does not make a changed document Rakor's."""
    service.behaviour = "changes_content"

    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url)

    assert "bukan dokumen ini dengan satu tanda tangan baru" in str(failure.value.message)


def test_a_later_signature_that_changes_the_page_is_refused_too(app, service, final_pdf):
    first = sign(app, final_pdf, service.url)
    service.behaviour = "changes_content"

    with pytest.raises(SigningFailed) as failure:
        sign(app, first.pdf, service.url)

    assert "bukan dokumen ini dengan satu tanda tangan baru" in str(failure.value.message)
    service.behaviour = "normal"
    assert sign(app, first.pdf, service.url).pdf.startswith(first.pdf)


def test_a_redirect_is_not_followed_and_signs_nothing(app, service, final_pdf):
    """A 307 would make the client send the NIK and the passphrase again, elsewhere."""
    with SigningStandIn() as elsewhere:
        elsewhere.add_user(NIK, "Achmad Afzan Arslan Djunaid", passphrase=PASSPHRASE)
        service.behaviour = "redirect"
        service.redirect_to = elsewhere.url

        with pytest.raises(SigningFailed) as failure:
            sign(app, final_pdf, service.url)

        assert elsewhere.requests == []
    assert "status 307" in str(failure.value.message)
    assert "Tidak ada yang ditandatangani" in str(failure.value.message)


def test_the_secret_is_in_no_log_record_and_no_message(app, service, final_pdf, caplog):
    caplog.set_level(logging.DEBUG)

    sign(app, final_pdf, service.url)
    with pytest.raises(SigningFailed) as failure:
        sign(app, final_pdf, service.url, passphrase=PASSPHRASE + "x")

    engine_records = [r for r in caplog.records if r.name == "app.signing.engine"]
    assert len(engine_records) >= 2, "the signing path logs what happened"
    for record in caplog.records:
        text = record.getMessage()
        assert PASSPHRASE not in text
        assert NIK not in text
    assert PASSPHRASE not in str(failure.value) and PASSPHRASE not in str(failure.value.message)


def test_signing_by_configuration_goes_to_the_configured_service(app, service, final_pdf):
    with app.app_context():
        signed = sign_with_config(
            final_pdf,
            box=BOX,
            stamp=STAMP,
            reason="Menyetujui",
            config=service.config(),
            nik=NIK,
            passphrase=PASSPHRASE,
        )

    assert signed.pdf.startswith(final_pdf)
    assert len(service.requests) == 1


def test_the_stand_in_seals_and_verifies_as_documented(app, service, final_pdf):
    """Other tests rely on the stand-in's seal and verify endpoints: they answer as documented."""
    service.add_seal("seal-uji", "Segel Kota Uji", totp="135790")
    auth = (service.client_id, service.client_secret)
    sealed = requests.post(
        f"{service.url}/api/v2/seal/pdf",
        json={
            "idSubscriber": "seal-uji",
            "totp": "135790",
            "signatureProperties": [{"tampilan": "INVISIBLE"}],
            "file": [base64.b64encode(final_pdf).decode()],
        },
        auth=auth,
        timeout=10,
    )
    assert sealed.status_code == 200
    sealed_pdf = sealed.json()["file"][0]

    verdicts = [
        requests.post(
            f"{service.url}/api/v2/verify/pdf", json={"file": file}, auth=auth, timeout=10
        ).json()
        for file in (sealed_pdf, base64.b64encode(final_pdf).decode())
    ]
    assert verdicts[0]["conclusion"] == "VALID"
    assert verdicts[0]["signatureInformations"][0]["signerName"] == "Segel Kota Uji"
    assert verdicts[1] == {"conclusion": "NO_SIGNATURE", "signatureInformations": []}
