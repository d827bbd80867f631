"""`flask demo` signs the 2024 record: its notulen and berita acara with the demo seal.

The demo seal is made the way `flask demo` makes it on a laptop (a certificate
authority of its own, the seal, an empty revocation list), here in a temporary
folder the app is configured with. After the demo, every signature of the two
documents validates for real (pyHanko) against that authority, their QR target
answers, the laporan waits for the chair's demo account, and a second run signs
nothing more.
"""

import io
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from app.demo.signatures import DEMO_CA_NAME, DEMO_SEAL_NAME, create_demo_seal
from app.documents import jobs
from app.extensions import db
from app.models import DocumentSigner, Meeting, User
from app.signing.services import latest_version

SEAL_PASSWORD = "sandi-segel-demo-uji"
DEMO_PASSWORD = "sekretariat-demo-2024"


@pytest.fixture(scope="module")
def demo_seal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-seal")
    assert create_demo_seal(folder, SEAL_PASSWORD)
    return folder


@pytest.fixture
def app_config(demo_seal) -> dict:
    return {
        "RAKOR_SIGNING_MODE": "seal",
        "RAKOR_SEAL_P12": str(demo_seal / "seal.p12"),
        "RAKOR_SEAL_PASSWORD": SEAL_PASSWORD,
        "RAKOR_TRUST_ROOTS": str(demo_seal / "ca.pem"),
        "RAKOR_TRUST_CRLS": str(demo_seal / "ca.crl"),
    }


def run_demo(runner) -> str:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def trusting(folder) -> ValidationContext:
    root = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))],
        crls=[(folder / "ca.crl").read_bytes()],
        allow_fetching=False,
    )


def signed_documents(app) -> dict:
    """Per final kind of the 2024 record: its signers and its latest version."""
    with app.app_context():
        meeting = db.session.scalar(db.select(Meeting).filter_by(code="rakor2024"))
        found = {}
        for kind in ("minutes", "berita_acara", "laporan"):
            document = jobs.final_document(meeting, kind)
            signers = [
                (row.name, row.role, row.signed_at is not None, row.sha256, email_of(row.user_id))
                for row in document.signers
            ]
            found[kind] = (document.sha256, signers, latest_version(document)[0])
        return found


def qr_targets(pdf: bytes, folder: Path) -> list[str]:
    """The addresses of the QR codes printed on the last page, read as a phone reads them."""
    source = folder / "signed.pdf"
    source.write_bytes(pdf)
    pages = len(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"])
    picture = folder / "last"
    last = str(pages)
    command = ["pdftoppm", "-png", "-r", "150", "-singlefile", "-f", last, "-l", last]
    subprocess.run([*command, str(source), str(picture)], check=True)
    found = zxingcpp.read_barcodes(Image.open(picture.with_suffix(".png")))
    return [code.text for code in found if code.format == zxingcpp.BarcodeFormat.QRCode]


def email_of(user_id: int | None) -> str | None:
    return db.session.get(User, user_id).email if user_id else None


def test_the_demo_seal_is_made_once_and_never_over_existing_files(tmp_path):
    folder = tmp_path / "demo-seal"
    assert create_demo_seal(folder, SEAL_PASSWORD)
    made = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert set(made) == {"seal.p12", "ca.pem", "ca.crl"}
    key, certificate, chain = pkcs12.load_key_and_certificates(
        made["seal.p12"], SEAL_PASSWORD.encode()
    )
    assert key is not None
    assert DEMO_SEAL_NAME in certificate.subject.rfc4514_string()
    assert DEMO_CA_NAME in certificate.issuer.rfc4514_string()
    root = x509.load_pem_x509_certificate(made["ca.pem"])
    assert root.subject == certificate.issuer and [c.subject for c in chain] == [root.subject]
    crl = x509.load_der_x509_crl(made["ca.crl"])
    assert crl.issuer == root.subject and len(crl) == 0

    assert not create_demo_seal(folder, "another-password")
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == made
    # A lone authority certificate is left alone too: a new seal would not match it.
    other = tmp_path / "other"
    other.mkdir()
    (other / "ca.pem").write_bytes(made["ca.pem"])
    assert not create_demo_seal(other, SEAL_PASSWORD)
    assert [path.name for path in other.iterdir()] == ["ca.pem"]


def test_the_demo_signs_the_notulen_and_berita_acara_and_leaves_the_laporan_to_the_chair(
    app, runner, client, demo_seal, tmp_path
):
    output = run_demo(runner)
    assert "Demo login (secretariat): notulis@rakor.test / " + DEMO_PASSWORD in output
    assert "Demo login (viewer): pimpinan@rakor.test / " + DEMO_PASSWORD in output
    documents = signed_documents(app)

    minutes_signers = documents["minutes"][1]
    assert [(name, role, email) for name, role, _, _, email in minutes_signers] == [
        ("Dian Permatasari, S.E., M.Si.", "notetaker", "notulis@rakor.test"),
        ("Achmad Afzan Arslan Djunaid", "chair", "pimpinan@rakor.test"),
    ]
    agreement_signers = documents["berita_acara"][1]
    assert [role for _, role, _, _, _ in agreement_signers] == ["party"] * 3 + ["acknowledger"]
    assert agreement_signers[-1][0] == "Achmad Afzan Arslan Djunaid"
    assert agreement_signers[-1][4] == "pimpinan@rakor.test"

    for kind in ("minutes", "berita_acara"):
        original, signers, latest = documents[kind]
        assert all(signed for _, _, signed, _, _ in signers), kind
        signatures = PdfFileReader(io.BytesIO(latest)).embedded_signatures
        assert len(signatures) == len(signers), kind
        for signature in signatures:
            status = validate_pdf_signature(signature, trusting(demo_seal))
            assert status.intact and status.valid and status.trusted, (kind, status)
            assert DEMO_SEAL_NAME in status.signing_cert.subject.human_friendly
        # Each stamp's QR code, decoded from the rendered page, leads to the original's
        # verification page, which names the document and its signers.
        targets = qr_targets(latest, tmp_path)
        assert len(targets) == len(signers), kind
        assert {urlsplit(target).path for target in targets} == {f"/verify/{original}"}
        page = client.get(urlsplit(targets[0]).path)
        assert page.status_code == 200, kind
        text = page.get_data(as_text=True)
        assert "Rapat Koordinasi Penanggulangan Kemiskinan Kota Pekalongan Tahun 2024" in text
        assert all(name in text for name, _, _, _, _ in signers), kind

    laporan = documents["laporan"][1]
    assert len(laporan) == 1
    _name, role, signed, _sha, email = laporan[0]
    assert (role, signed, email) == ("signer", False, "pimpinan@rakor.test")
    with app.app_context():
        chair = db.session.scalar(db.select(User).filter_by(email="pimpinan@rakor.test"))
        assert chair.role == "viewer" and chair.name == "Achmad Afzan Arslan Djunaid"


def test_a_second_demo_run_signs_nothing_more(app, runner):
    run_demo(runner)
    first = signed_documents(app)
    again = run_demo(runner)
    assert "already signed" in again
    assert signed_documents(app) == first
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(DocumentSigner)) == 7
