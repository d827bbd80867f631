"""A stand-in for a BSrE signing client, for tests of the remote signing path.

The government's service cannot be reached from a test run, so this small HTTP
server implements the three endpoints of its API (version 2) that Rakor relies on,
signing and validating for real with pyHanko, with certificates from a throwaway
authority (app/signing/pki.py):

    POST /api/v2/sign/pdf    {"nik", "passphrase" | "totp", "signatureProperties": [...],
                              "file": [<base64 PDF>]}  ->  {"file": [<base64 signed PDF>]}
    POST /api/v2/seal/pdf    the same with "idSubscriber" and "totp" instead of the NIK
    POST /api/v2/verify/pdf  {"file": <base64 PDF>}  ->  {"conclusion", "signatureInformations"}

Every request needs HTTP Basic auth with the stand-in's client id and secret. The
signature goes on the page `page` (1-based) at `originX`/`originY` (its lower-left
corner in PDF points from the page's lower-left corner), `width` x `height`, with
`imageBase64` as its appearance. Errors answer as BSrE does: a non-2xx status and
JSON `{"error": "...", "status_code": ...}` ("Passphrase anda salah" for a wrong
passphrase, "TOTP tidak valid" for a wrong one-time code).

Use::

    with SigningStandIn() as service:
        certificate = service.add_user("3375010101900001", "Siti Aminah", passphrase="rahasia")
        app_config = service.config()          # RAKOR_SIGNING_MODE="remote", URL, credentials
        ...                                    # sign through Rakor
        assert len(service.requests) == 1      # what was asked, never the secrets

    service.behaviour = "slow"      # waits `service.delay` seconds, then signs
    service.behaviour = "not_pdf"   # answers 200 with an HTML page
    service.behaviour = "foreign_pdf"  # answers 200 with some other signed PDF
    service.behaviour = "changed_after_signing"  # bytes added after the signature
    service.behaviour = "changes_content"  # covers the first page in blue, in the
                                           # same update as its signature
    service.behaviour = "redirect"  # answers 307 to `service.redirect_to` (same path)
    service.behaviour = "error"     # answers `service.error_status` / `service.error_message`
    down_url()                      # an address where nothing listens (service down)

`service.authority` is the certificate authority of its users; `trust_files(folder)`
writes its root and revocation list for RAKOR_TRUST_ROOTS / RAKOR_TRUST_CRLS.
"""

import base64
import binascii
import contextlib
import io
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfWriter

from app.signing.engine import picture_style
from app.signing.pki import Authority, Issued

CLIENT_ID = "rakor-uji"
CLIENT_SECRET = "rahasia-klien-uji"


@dataclass
class Account:
    """A person (by NIK) or a seal (by idSubscriber) the stand-in signs for."""

    name: str
    issued: Issued
    passphrase: str = ""
    totp: str = ""

    def signer(self, chain) -> signers.SimpleSigner:
        p12 = self.issued.pkcs12("stand-in", [chain])
        return signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=b"stand-in")


@dataclass
class SigningStandIn:
    """The stand-in server; a context manager that serves on 127.0.0.1 in a daemon thread."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    behaviour: str = "normal"
    delay: float = 5.0
    error_status: int = 500
    error_message: str = "Internal server error"
    redirect_to: str = ""
    authority: Authority = field(default_factory=lambda: Authority.create("Stand-in BSrE CA"))
    users: dict[str, Account] = field(default_factory=dict)
    seals: dict[str, Account] = field(default_factory=dict)
    # One entry per request: path, NIK or idSubscriber, and the signature properties
    # (the image included). The passphrase and the one-time code are never kept.
    requests: list[dict] = field(default_factory=list)

    def add_user(self, nik: str, name: str, *, passphrase: str = "", totp: str = "") -> Issued:
        issued = self.authority.issue(name, "Stand-in")
        self.users[nik] = Account(name, issued, passphrase=passphrase, totp=totp)
        return issued

    def add_seal(self, id_subscriber: str, name: str, *, totp: str) -> Issued:
        issued = self.authority.issue(name, "Stand-in")
        self.seals[id_subscriber] = Account(name, issued, totp=totp)
        return issued

    # --- serving --------------------------------------------------------------------

    def start(self) -> "SigningStandIn":
        self.stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self.server.daemon_threads = True
        # A short poll: stopping the server at a test's end takes no longer than that.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # a "slow" answer stops waiting
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "SigningStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def config(self, timeout: int = 5) -> dict:
        """The app configuration that signs through this stand-in."""
        return {
            "RAKOR_SIGNING_MODE": "remote",
            "RAKOR_SIGNING_URL": self.url,
            "RAKOR_SIGNING_CLIENT_ID": self.client_id,
            "RAKOR_SIGNING_CLIENT_SECRET": self.client_secret,
            "RAKOR_SIGNING_TIMEOUT": timeout,
        }

    def trust_files(self, folder: Path) -> dict:
        """The authority's root (PEM) and revocation list (DER) as files, as configuration."""
        root, crl = Path(folder) / "standin-ca.pem", Path(folder) / "standin-ca.crl"
        root.write_bytes(self.authority.root.pem())
        crl.write_bytes(self.authority.crl())
        return {"RAKOR_TRUST_ROOTS": str(root), "RAKOR_TRUST_CRLS": str(crl)}

    def validation_context(self) -> ValidationContext:
        """A pyHanko context trusting exactly this stand-in's authority."""
        return ValidationContext(
            trust_roots=[asn1(self.authority.root.certificate)],
            crls=[self.authority.crl()],
            allow_fetching=False,
        )

    # --- the endpoints --------------------------------------------------------------

    def answer(self, path: str, body: dict) -> tuple[int, dict | bytes]:
        if path == "/api/v2/sign/pdf":
            account = self.users.get(str(body.get("nik", "")))
            self.requests.append(
                {
                    "path": path,
                    "nik": body.get("nik"),
                    "signatureProperties": body.get("signatureProperties"),
                }
            )
            if account is None:
                return 400, {"error": "NIK tidak terdaftar", "status_code": 1111}
            return self.sign(account, body)
        if path == "/api/v2/seal/pdf":
            account = self.seals.get(str(body.get("idSubscriber", "")))
            self.requests.append(
                {
                    "path": path,
                    "idSubscriber": body.get("idSubscriber"),
                    "signatureProperties": body.get("signatureProperties"),
                }
            )
            if account is None:
                return 400, {"error": "idSubscriber tidak terdaftar", "status_code": 1111}
            return self.sign(account, body)
        if path == "/api/v2/verify/pdf":
            self.requests.append({"path": path})
            return self.verify(body)
        return 404, {"error": "Not found", "status_code": 404}

    def sign(self, account: Account, body: dict) -> tuple[int, dict | bytes]:
        if "totp" in body:
            if not account.totp or body["totp"] != account.totp:
                return 400, {"error": "TOTP tidak valid", "status_code": 2031}
        elif not account.passphrase or body.get("passphrase") != account.passphrase:
            return 400, {"error": "Passphrase anda salah", "status_code": 2031}
        if self.behaviour == "error":
            return self.error_status, {"error": self.error_message, "status_code": 5000}
        if self.behaviour == "not_pdf":
            return 200, b"<!doctype html><html><body><h1>Gateway</h1></body></html>"
        if self.behaviour == "slow" and self.stopping.wait(self.delay):
            return 503, {"error": "Shutting down", "status_code": 503}
        files = body.get("file")
        properties = (body.get("signatureProperties") or [{}])[0]
        try:
            pdf = base64.b64decode(files[0], validate=True)
        except (TypeError, IndexError, binascii.Error, ValueError):
            return 400, {"error": "File tidak valid", "status_code": 2021}
        if self.behaviour == "foreign_pdf":
            pdf = blank_pdf()
        signed = self.sign_pdf(account, pdf, properties)
        if self.behaviour == "changed_after_signing":
            signed += b"\n% sesuatu ditambahkan setelah tanda tangan\n"
        return 200, {"file": [base64.b64encode(signed).decode("ascii")], "time": 1}

    def sign_pdf(self, account: Account, pdf: bytes, properties: dict) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        if self.behaviour == "changes_content":
            # A blue rectangle over the first page, written with the signature.
            blue = generic.StreamObject(stream_data=b"0 0 1 rg 0 0 9999 9999 re f")
            writer.add_stream_to_page(0, writer.add_object(blue))
        field_name = f"Signature{len(PdfFileReader(io.BytesIO(pdf)).embedded_signatures) + 1}"
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            name=account.name,
            reason=properties.get("reason") or None,
            location=properties.get("location") or None,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        field_spec = None
        style = None
        if properties.get("tampilan") == "VISIBLE":
            x, y = float(properties["originX"]), float(properties["originY"])
            width, height = float(properties["width"]), float(properties["height"])
            field_spec = fields.SigFieldSpec(
                field_name,
                on_page=int(properties.get("page", 1)) - 1,
                box=(x, y, x + width, y + height),
            )
            image = Image.open(io.BytesIO(base64.b64decode(properties["imageBase64"])))
            style = picture_style(image)
        else:
            field_spec = fields.SigFieldSpec(field_name)
        output = io.BytesIO()
        signers.PdfSigner(
            meta,
            signer=account.signer(self.authority.root.certificate),
            stamp_style=style,
            new_field_spec=field_spec,
        ).sign_pdf(writer, output=output)
        return output.getvalue()

    def verify(self, body: dict) -> tuple[int, dict]:
        file = body.get("file")
        if isinstance(file, list):
            file = file[0] if file else ""
        try:
            pdf = base64.b64decode(file or "", validate=True)
            signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        except Exception:
            return 400, {"error": "File tidak valid", "status_code": 2021}
        if not signatures:
            return 200, {"conclusion": "NO_SIGNATURE", "signatureInformations": []}
        informations = []
        for signature in signatures:
            status = validate_pdf_signature(signature, self.validation_context())
            informations.append(
                {
                    "fieldName": signature.field_name,
                    "signerName": signature.signer_cert.subject.native.get("common_name", ""),
                    "signatureDate": str(status.signer_reported_dt or ""),
                    "integrityValid": bool(status.intact and status.valid),
                    "certificateTrusted": bool(status.trusted),
                }
            )
        good = all(info["integrityValid"] and info["certificateTrusted"] for info in informations)
        return 200, {
            "conclusion": "VALID" if good else "INVALID",
            "signatureInformations": informations,
        }


def handler_for(service: SigningStandIn):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if service.behaviour == "redirect":
                service.requests.append({"path": self.path, "redirected": True})
                self.send_response(307)
                self.send_header("Location", service.redirect_to + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if not self.authorised():
                self.reply(401, {"error": "Unauthorized", "status_code": 401})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self.reply(400, {"error": "Bad request", "status_code": 400})
                return
            self.reply(*service.answer(self.path, body))

        def authorised(self) -> bool:
            expected = f"{service.client_id}:{service.client_secret}".encode()
            given = self.headers.get("Authorization", "")
            return given == "Basic " + base64.b64encode(expected).decode()

        def reply(self, status: int, content: dict | bytes) -> None:
            is_json = isinstance(content, dict)
            data = json.dumps(content).encode() if is_json else content
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if is_json else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # The client may have given up waiting (a time-out test).
            with contextlib.suppress(OSError):
                self.wfile.write(data)

        def log_message(self, format, *args) -> None:
            """Quiet: a test's output shows its own failures, not the stand-in's access log."""

    return Handler


def down_url() -> str:
    """The address of a port on 127.0.0.1 where nothing listens: a service that is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def blank_pdf() -> bytes:
    """A one-page PDF that is not Rakor's, for the "foreign_pdf" behaviour."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def asn1(certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
