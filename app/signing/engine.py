"""Adding one PAdES signature with its visible stamp to a final PDF.

Two ways, chosen by the operator (config RAKOR_SIGNING_MODE, docs/SIGNING.md):

- "seal": pyHanko signs here with the institution's seal, a PKCS#12 file whose
  path and password come from the environment (RAKOR_SEAL_P12, RAKOR_SEAL_PASSWORD).
- "remote": a signing service with the API of BSrE's signing client (version 2)
  signs with the signer's own certificate, unlocked by the passphrase or one-time
  code the signer types at that moment.

The remote request, as Rakor sends it (the shape public BSrE client code uses):

    POST {RAKOR_SIGNING_URL}/api/v2/sign/pdf
    Authorization: Basic base64(RAKOR_SIGNING_CLIENT_ID:RAKOR_SIGNING_CLIENT_SECRET)
    Content-Type: application/json
    {"nik": "<the signer's NIK>",
     "passphrase": "<typed by the signer>"      (or "totp": "<one-time code>"),
     "signatureProperties": [{"tampilan": "VISIBLE",
                              "imageBase64": "<the stamp, PNG>",
                              "page": <1-based page number>,
                              "originX": <x1>, "originY": <y1>,
                              "width": <x2 - x1>, "height": <y2 - y1>,
                              "location": "", "reason": "<reason>"}],
     "file": ["<the PDF, base64>"]}

    200: {"file": ["<the signed PDF, base64>"], ...}
    otherwise: {"error": "<the service's message>", ...} (status 4xx or 5xx)

Coordinates are PDF points (1/72 inch). originX/originY is the lower-left corner
of the stamp measured from the lower-left corner of the page, which is PDF's own
user space and the rectangle convention of the PDF library the BSrE client is
built on; it is also the convention of `MeetingDocument.signature_area`, so the
box goes through unchanged. Rakor logs where the service actually put the stamp
when it differs, for an operator whose service measures from elsewhere.

What comes back is checked before anyone stores it (both ways): it must be the PDF
that was sent plus one incremental update holding exactly one new PAdES signature,
intact and covering the whole file, and the update may change nothing a reader sees
except by adding signature fields and their stamps (`update_only_signs`). Anything
else is refused with `SigningFailed` and nothing is signed. The request is never
retried automatically (a passphrase typed once is used once) nor redirected (a 307
would carry the NIK and the passphrase to another address: a redirect is refused as
a faulty service), and neither the passphrase, the one-time code, the NIK nor the
file is ever logged.
"""

import base64
import binascii
import io
import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from flask_babel import lazy_gettext as _l
from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from app.signing.stamp import Stamp, stamp_png

logger = logging.getLogger(__name__)

FIELD_PREFIX = "Tandatangan"
PADES_SUBFILTER = "/ETSI.CAdES.detached"
SIGN_PATH = "/api/v2/sign/pdf"

# (page from 0, x1, y1, x2, y2) in PDF points from the page's lower-left corner.
Box = tuple[int, float, float, float, float]


class SigningFailed(Exception):
    """Nothing was signed; `message` says why, in words for the person signing."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Signed:
    """The PDF with one more signature, and the certificate that made it.

    The subject and issuer read as pyHanko prints them ("Common Name: ...; Country: ID");
    the serial number is uppercase hexadecimal; `certificate_name` is the subject's
    common name alone (the person a personal certificate was issued to).
    """

    pdf: bytes
    field_name: str
    certificate_subject: str
    certificate_issuer: str
    certificate_serial: str
    certificate_name: str = ""


# --- the institution's seal -----------------------------------------------------------


def seal_pdf(
    pdf: bytes,
    *,
    box: Box,
    stamp: Stamp,
    reason: str,
    p12_path: str,
    p12_password: str,
) -> Signed:
    """`pdf` signed with the seal in `p12_path`, its stamp drawn in `box`."""
    signer = load_seal(p12_path, p12_password)
    page, x1, y1, x2, y2 = box
    before = signature_count(pdf)
    field_name = f"{FIELD_PREFIX}{before + 1}"
    picture = Image.open(io.BytesIO(stamp_png(stamp, x2 - x1, y2 - y1)))
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        name=stamp.signer_name,
        reason=reason,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    style = picture_style(picture)
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(field_name, on_page=page, box=(x1, y1, x2, y2)),
    )
    output = io.BytesIO()
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output)
    return checked(pdf, output.getvalue(), box=box)


def picture_style(picture: Image.Image) -> StaticStampStyle:
    """The stamp picture filling the field, and nothing else.

    A static style draws no text, so the appearance refers to no font: PDF/A forbids
    fonts that are not embedded, and a text style would bring in a standard one.
    """
    return StaticStampStyle(
        background=PdfImage(picture),
        background_opacity=1,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def load_seal(p12_path: str, p12_password: str) -> signers.SimpleSigner:
    if not p12_path or not os.path.isfile(p12_path):
        raise SigningFailed(
            _l(
                "Berkas segel elektronik (PKCS#12) tidak ditemukan. Operator perlu "
                "memeriksa RAKOR_SEAL_P12. Tidak ada yang ditandatangani."
            )
        )
    with open(p12_path, "rb") as p12_file:
        data = p12_file.read()
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=p12_password.encode() or None
        )
    except ValueError:
        # The cause names neither the password nor the file's contents; it is left out anyway.
        raise SigningFailed(
            _l(
                "Berkas segel elektronik tidak dapat dibuka: kata sandinya salah atau "
                "berkasnya rusak. Operator perlu memeriksa RAKOR_SEAL_PASSWORD dan "
                "RAKOR_SEAL_P12. Tidak ada yang ditandatangani."
            )
        ) from None


# --- a remote signing service ---------------------------------------------------------


def remote_sign_pdf(
    pdf: bytes,
    *,
    box: Box,
    stamp: Stamp,
    reason: str,
    nik: str,
    passphrase: str = "",
    totp: str = "",
    base_url: str,
    client_id: str,
    client_secret: str,
    timeout: float,
) -> Signed:
    """`pdf` signed by the remote service with the certificate of the signer `nik`."""
    if not base_url:
        raise not_configured()
    page, x1, y1, x2, y2 = box
    image = base64.b64encode(stamp_png(stamp, x2 - x1, y2 - y1)).decode("ascii")
    body = {
        "nik": nik,
        "signatureProperties": [
            {
                "tampilan": "VISIBLE",
                "imageBase64": image,
                "page": page + 1,
                "originX": x1,
                "originY": y1,
                "width": x2 - x1,
                "height": y2 - y1,
                "location": "",
                "reason": reason,
            }
        ],
        "file": [base64.b64encode(pdf).decode("ascii")],
    }
    if totp:
        body["totp"] = totp
    else:
        body["passphrase"] = passphrase
    url = base_url.rstrip("/") + SIGN_PATH
    started = time.monotonic()
    try:
        # One attempt only: requests retries nothing by default, and a signature
        # made twice, or a passphrase tried twice against a lockout, is worse than
        # asking the signer again.
        # No redirects either: a 307 or 308 would send the NIK and the passphrase on to
        # an address nobody configured. A 3xx answer is a faulty service (`refusal`).
        response = requests.post(
            url,
            json=body,
            auth=(client_id, client_secret),
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout:
        logger.warning("signing service did not answer within %s s", timeout)
        raise SigningFailed(
            _l(
                "Layanan tanda tangan elektronik tidak menjawab dalam %(seconds)s detik. "
                "Tidak ada yang ditandatangani; silakan coba lagi nanti.",
                seconds=format_seconds(timeout),
            )
        ) from None
    except requests.RequestException as error:
        logger.warning("signing service unreachable: %s", type(error).__name__)
        raise SigningFailed(
            _l(
                "Layanan tanda tangan elektronik tidak dapat dihubungi. Tidak ada yang "
                "ditandatangani; silakan coba lagi nanti atau hubungi operator."
            )
        ) from None
    logger.info(
        "signing service answered %s in %.1f s",
        response.status_code,
        time.monotonic() - started,
    )
    return checked(pdf, signed_pdf_of(response), box=box)


def signed_pdf_of(response: requests.Response) -> bytes:
    """The signed PDF in the service's answer, or SigningFailed saying what went wrong."""
    try:
        reply = response.json()
    except ValueError:
        reply = None
    if not 200 <= response.status_code < 300:
        raise refusal(response.status_code, reply)
    files = reply.get("file") if isinstance(reply, dict) else None
    if isinstance(files, str):  # one file, not wrapped in a list
        files = [files]
    if not isinstance(files, list) or len(files) != 1 or not isinstance(files[0], str):
        raise unusable_reply()
    try:
        signed = base64.b64decode(files[0], validate=True)
    except (binascii.Error, ValueError):
        raise unusable_reply() from None
    if not signed.startswith(b"%PDF-"):
        raise unusable_reply()
    return signed


# What the service's error says when the signer's secret was wrong ("Passphrase anda
# salah", "TOTP tidak valid", in Indonesian or English depending on its version).
WRONG_SECRET = re.compile(r"\b(passphrase|t?otp)\b", re.IGNORECASE)


def refusal(status: int, reply) -> SigningFailed:
    """A clear SigningFailed for an error answer.

    401 is the service refusing Rakor's own client credentials (HTTP Basic), never
    the signer's secret, which comes back as a 4xx naming the passphrase or code.
    """
    error = (reply.get("error") or reply.get("message")) if isinstance(reply, dict) else None
    logger.warning("signing service refused with status %s", status)
    if status != 401 and 400 <= status < 500 and WRONG_SECRET.search(str(error or "")):
        return SigningFailed(_l("Passphrase atau kode OTP salah. Tidak ada yang ditandatangani."))
    if status in (401, 403):
        return SigningFailed(
            _l(
                "Layanan tanda tangan elektronik menolak akses Rakor. Operator perlu "
                "memeriksa RAKOR_SIGNING_CLIENT_ID dan RAKOR_SIGNING_CLIENT_SECRET. Tidak "
                "ada yang ditandatangani."
            )
        )
    if 400 <= status < 500 and error:
        return SigningFailed(
            _l(
                "Layanan tanda tangan elektronik menolak permintaan: %(reason)s. Tidak ada "
                "yang ditandatangani.",
                reason=str(error)[:200],
            )
        )
    return SigningFailed(
        _l(
            "Layanan tanda tangan elektronik sedang bermasalah (status %(status)s). Tidak "
            "ada yang ditandatangani; silakan coba lagi nanti.",
            status=status,
        )
    )


def unusable_reply() -> SigningFailed:
    logger.warning("signing service answered without a signed PDF")
    return SigningFailed(
        _l(
            "Layanan tanda tangan elektronik tidak mengembalikan dokumen PDF yang "
            "ditandatangani. Tidak ada yang disimpan."
        )
    )


def format_seconds(seconds: float) -> str:
    return f"{seconds:g}"


# --- choosing by configuration ------------------------------------------------------------


def sign_with_config(
    pdf: bytes,
    *,
    box: Box,
    stamp: Stamp,
    reason: str,
    config: Mapping,
    nik: str = "",
    passphrase: str = "",
    totp: str = "",
) -> Signed:
    """One signature the way the operator configured (RAKOR_SIGNING_MODE)."""
    mode = config.get("RAKOR_SIGNING_MODE", "")
    if mode == "seal":
        return seal_pdf(
            pdf,
            box=box,
            stamp=stamp,
            reason=reason,
            p12_path=config.get("RAKOR_SEAL_P12", ""),
            p12_password=config.get("RAKOR_SEAL_PASSWORD", ""),
        )
    if mode == "remote":
        return remote_sign_pdf(
            pdf,
            box=box,
            stamp=stamp,
            reason=reason,
            nik=nik,
            passphrase=passphrase,
            totp=totp,
            base_url=config.get("RAKOR_SIGNING_URL", ""),
            client_id=config.get("RAKOR_SIGNING_CLIENT_ID", ""),
            client_secret=config.get("RAKOR_SIGNING_CLIENT_SECRET", ""),
            timeout=float(config.get("RAKOR_SIGNING_TIMEOUT") or 30),
        )
    raise not_configured()


def not_configured() -> SigningFailed:
    return SigningFailed(
        _l(
            "Tanda tangan elektronik belum dikonfigurasi di server ini (RAKOR_SIGNING_MODE). "
            "Hubungi operator."
        )
    )


# --- the check both ways pass ---------------------------------------------------------


def signature_count(pdf: bytes) -> int:
    return len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)


def checked(original: bytes, signed: bytes, *, box: Box | None = None) -> Signed:
    """`signed` if it is `original` plus exactly one new, intact PAdES signature over it all.

    A signature covering the whole file proves that nothing follows it; one
    signature more than before, with the original bytes as the file's beginning,
    proves that the earlier signatures and their content were left as they were.
    """
    if not signed.startswith(original) or len(signed) == len(original):
        logger.warning("signed PDF is not an incremental update of the document sent")
        raise not_our_document()
    try:
        newest = new_signature(original, signed)
    except Exception:  # a file we did not make that pyHanko cannot read: refuse it
        logger.warning("signed PDF or its new signature cannot be read")
        newest = None
    if newest is None:
        raise not_our_document()
    if not update_only_signs(original, signed):
        raise not_our_document()
    if box is not None and not stamp_in_box(signed, newest, box):
        raise SigningFailed(
            _l(
                "Layanan tanda tangan menempatkan cap di luar ruang tanda tangan dokumen. "
                "Tidak ada yang disimpan; hubungi operator."
            )
        )
    certificate = newest.signer_cert
    return Signed(
        pdf=signed,
        field_name=newest.field_name,
        certificate_subject=certificate.subject.human_friendly,
        certificate_issuer=certificate.issuer.human_friendly,
        certificate_serial=format(certificate.serial_number, "X"),
        certificate_name=common_name(certificate),
    )


def common_name(certificate) -> str:
    """The subject's common name ("" when it has none; several joined by a space)."""
    name = certificate.subject.native.get("common_name", "")
    if isinstance(name, list):
        name = " ".join(str(part) for part in name)
    return str(name or "")


def new_signature(original: bytes, signed: bytes) -> EmbeddedPdfSignature | None:
    """The one signature `signed` adds to `original`, if it is intact PAdES over the whole file."""
    signatures = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures
    expected = signature_count(original) + 1
    if len(signatures) != expected:
        logger.warning("signed PDF has %s signatures, expected %s", len(signatures), expected)
        return None
    newest = signatures[-1]  # pyHanko lists them in signing order
    if newest.sig_object.get("/SubFilter") != PADES_SUBFILTER:
        logger.warning("new signature is not PAdES")
        return None
    status = validate_pdf_signature(
        newest,
        # Only the signature's integrity is checked here; whether its certificate is
        # trusted is the verification page's question (RAKOR_TRUST_ROOTS).
        ValidationContext(trust_roots=[newest.signer_cert], allow_fetching=False),
    )
    if not (status.intact and status.valid):
        logger.warning("new signature is not intact")
        return None
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        logger.warning("new signature does not cover the whole file")
        return None
    return newest


# How far (in points) a service may place the stamp from the box Rakor asked for: a
# service measuring slightly differently still lands in the blank signature area, and
# one that puts it elsewhere would cover the document's text.
STAMP_TOLERANCE = 12.0


def stamp_in_box(signed: bytes, signature, box: Box) -> bool:
    """The new signature's widget is on the box's page and within the box (give or take
    STAMP_TOLERANCE). Where the stamp lands is logged whenever it is not the box."""
    widget = signature.sig_field
    rect = widget.get("/Rect")
    if rect is None:
        return False
    left, right = sorted(float(value) for value in (rect[0], rect[2]))
    bottom, top = sorted(float(value) for value in (rect[1], rect[3]))
    page, x1, y1, x2, y2 = box
    if max(abs(left - x1), abs(bottom - y1), abs(right - x2), abs(top - y2)) > 1:
        logger.warning(
            "signing service placed the stamp at %s, not at %s",
            [left, bottom, right, top],
            [x1, y1, x2, y2],
        )
    inside = (
        left >= x1 - STAMP_TOLERANCE
        and bottom >= y1 - STAMP_TOLERANCE
        and right <= x2 + STAMP_TOLERANCE
        and top <= y2 + STAMP_TOLERANCE
    )
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    return inside and widget_page(reader, widget) == page


def widget_page(reader: PdfFileReader, widget) -> int | None:
    """The index of the page whose annotations hold `widget`, in reading order."""
    for index, page in enumerate(pages_in_order(reader.root["/Pages"])):
        annotations = resolved(page, "/Annots") or []
        if any(item.get_object() is widget or item.get_object() == widget for item in annotations):
            return index
    return None


def pages_in_order(node) -> list:
    """The page dictionaries under a page tree node, in reading order."""
    node = node.get_object()
    if node.get("/Type") != "/Pages":
        return [node]
    return [page for kid in node["/Kids"] for page in pages_in_order(kid)]


def not_our_document() -> SigningFailed:
    return SigningFailed(
        _l(
            "Dokumen yang dikembalikan bukan dokumen ini dengan satu tanda tangan baru yang "
            "utuh. Tidak ada yang disimpan; hubungi operator."
        )
    )


# --- what the update may change -----------------------------------------------------------

# Catalog entries a signature's update may add or change: the form holding the
# signature fields, and the version and extension markers pyHanko and other signing
# libraries set. Anything else (an /OpenAction, /Names with scripts, other pages) is a
# change a reader could see or run.
SIGNING_CATALOG_KEYS = frozenset({"/AcroForm", "/Extensions", "/Version", "/Perms", "/DSS"})
SIGNING_FORM_KEYS = frozenset({"/Fields", "/SigFlags", "/DR", "/DA"})


def update_only_signs(original: bytes, signed: bytes) -> bool:
    """True when the update `signed` adds to `original` does no more than fill a form:
    signature fields, their stamps, and metadata. A signature covering the whole file
    says who signed what; this says that what they signed is still the document sent.

    The rule is pyHanko's "form filling" modification level, checked directly: its own
    difference analysis (pyhanko.sign.diff_analysis) needs the earlier revision to hold
    a form already, which a final document before its first signature does not, and
    it reads every object of the document first (half a minute for a long notulen).

    Objects of the earlier revision that the update rewrites may only be: the catalog
    (adding the form and version markers), the form and its field list (adding fields),
    pages and their annotation lists (adding widgets, nothing else), the document
    information and the XMP metadata (which nothing renders). New objects count only
    through these: the form may hold only signature fields, and a page's new
    annotations may only be signature widgets. Earlier fields and everything a page
    draws stay the objects they were.
    """
    base = PdfFileReader(io.BytesIO(original), strict=False).xrefs.total_revisions - 1
    try:
        reader = PdfFileReader(io.BytesIO(signed), strict=False)
        allowed = form_filling_only(reader, base)
    except Exception:  # a file pyHanko cannot compare is not one Rakor stores
        logger.warning("signed PDF's update cannot be compared with the document sent")
        return False
    if not allowed:
        logger.warning("signed PDF's update changes more than its signature fields")
    return allowed


def form_filling_only(reader: PdfFileReader, base: int, top: int | None = None) -> bool:
    """Revision `top` (the last one by default) changes no more than form filling over
    revision `base`, which is the revision just before it."""
    old = reader.get_historical_resolver(base)
    new = reader.get_historical_resolver(reader.xrefs.total_revisions - 1 if top is None else top)
    if new.root_ref != old.root_ref:
        return False
    pages = page_references(old)
    old_form = resolved(old.root, "/AcroForm")
    rewritable = {old.root_ref, *pages}
    entries = [raw(old.trailer_view, "/Info"), raw(old.root, "/Metadata")]
    entries += [raw(old.root, "/AcroForm")]
    if old_form is not None:
        entries.append(raw(old_form, "/Fields"))
    entries += [raw(old(ref), "/Annots") for ref in pages]
    rewritable |= {e.reference for e in entries if isinstance(e, generic.IndirectObject)}
    # An object numbered below the earlier revision's /Size is one of its objects, whatever
    # the generation: a reader takes a later generation of object n as the new object n,
    # so a "new" generation of a page's content stream would replace what the page draws.
    size = int(old.trailer_view["/Size"])
    for ref in new.explicit_refs_in_revision():
        if ref.generation != 0:
            return False
        if ref.idnum >= size:
            continue  # a new object: judged by what refers to it, below
        if ref not in rewritable:
            return False

    if not same_except(old.root, new.root, SIGNING_CATALOG_KEYS):
        return False
    new_form = resolved(new.root, "/AcroForm")
    if not only_signatures_added(old_form, new_form, "/Fields"):
        return False
    if not all(
        same_except(old(ref), new(ref), frozenset({"/Annots"}))
        and only_signatures_added(old(ref), new(ref), "/Annots")
        for ref in pages
    ):
        return False
    # One signature per revision: exactly one new field, signed, with one widget on a
    # page. An unsigned signature field is only a picture, and could lay any picture
    # over a page.
    fields = added(old_form, new_form, "/Fields")
    widgets = [item for ref in pages for item in added(old(ref), new(ref), "/Annots")]
    if len(fields) != 1 or len(widgets) != 1:
        return False
    field = fields[0].get_object()
    widget = widgets[0].get_object()
    return "/V" in field and (widget is field or widget == field or field_of(widget) == field)


def added(before, after, key: str) -> list:
    """What `after[key]` holds beyond `before[key]` (checked as a continuation above)."""
    if after is None:
        return []
    kept = list(resolved(before, key) or []) if before is not None else []
    return list(resolved(after, key) or [])[len(kept) :]


def field_of(widget):
    """The field a widget belongs to: its parent, when it is not merged with it."""
    return widget["/Parent"].get_object() if "/Parent" in widget else widget


def only_signatures_added(before, after, key: str) -> bool:
    """`after[key]` is `before[key]` (absent: empty) followed by signature fields only.

    For the form (key /Fields) its other entries must be those of a signature form.
    """
    if after is None:
        return before is None
    if not isinstance(after, generic.DictionaryObject):
        return False
    if key == "/Fields" and set(after) - SIGNING_FORM_KEYS:
        return False
    kept = list(resolved(before, key) or []) if before is not None else []
    now = list(resolved(after, key) or [])
    if now[: len(kept)] != kept:
        return False
    return all(is_signature_field(item.get_object()) for item in now[len(kept) :])


def page_references(resolver) -> set[generic.Reference]:
    """The references of a revision's page dictionaries."""
    found = set()
    nodes = [resolver.root.raw_get("/Pages")]
    while nodes:
        node = nodes.pop()
        if node.get_object().get("/Type") == "/Pages":
            nodes.extend(node.get_object()["/Kids"])
        else:
            found.add(node.reference)
    return found


def raw(dictionary, key: str):
    """A dictionary's entry as written (a reference not followed), None when absent."""
    return dictionary.raw_get(key) if key in dictionary else None


def resolved(dictionary, key: str):
    """A dictionary's entry, a reference followed, None when absent."""
    return dictionary[key] if key in dictionary else None  # noqa: SIM401 (.get does not follow)


def same_except(before, after, keys: frozenset) -> bool:
    """Two dictionaries with the same entries, `keys` aside (compared as written:
    a reference stays the same reference)."""
    if not isinstance(before, generic.DictionaryObject):
        return False
    if not isinstance(after, generic.DictionaryObject):
        return False
    names = (set(before) | set(after)) - keys
    return all(raw(before, name) == raw(after, name) for name in names)


def is_signature_field(widget) -> bool:
    """A signature field's widget (merged with its field, or with it as its parent)."""
    if not isinstance(widget, generic.DictionaryObject):
        return False
    kind = resolved(widget, "/FT")
    if kind is None and "/Parent" in widget:
        kind = resolved(widget["/Parent"], "/FT")
    return kind == "/Sig"
