"""Verification of Rakor's final documents (docs/SIGNING.md, "How a citizen verifies").

Two questions, answered apart and then together:

- What Rakor knows about the file: the final document whose original PDF, or one of
  whose signed versions, has exactly this SHA-256 (`find_version`). A file that is
  not a stored version may still start with one: every signed version is an
  incremental update of the one before, so a stored version followed by more bytes
  is a Rakor document changed afterwards.
- What the signatures say: each embedded signature validated by pyHanko against the
  trust roots and revocation lists the operator configures (`validation_context`).

The verdict joins them (`Report.verdict`). The pages built on this show only what is
printed on the document itself: no accounts, no certificate serials, no internal ids.
"""

import hashlib
import io
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from asn1crypto import crl, pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import KeyUsageConstraints, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import Row, or_, select

from app.extensions import db
from app.models import DocumentNumber, DocumentSigner, Meeting, MeetingDocument
from app.signing.engine import form_filling_only

log = logging.getLogger(__name__)

PDF_HEADER = b"%PDF-"
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
# A revision of a PDF ends with "%%EOF" and an end-of-line. A Rakor document has one
# revision per signature and its signers are few; a file with thousands of markers is
# not looked up marker by marker.
EOF_MARKER = re.compile(rb"%%EOF(\r\n|\r|\n)?")
MAX_PREFIXES = 100
# Each signature costs a validation and a comparison of revisions; more than any
# document's signers are not checked (the report says how many were left).
MAX_SIGNATURES = 40
# What each revision after a signature changed is compared with the revision before
# (changes_after_signature), for every signature: the work grows with the square of
# the revision count, and a small upload of a thousand empty updates would hold a
# worker for long. A Rakor document has one revision per signature, far below this;
# above it a signature that does not cover the whole file only says the file was
# changed after it.
MAX_REVISIONS = 50

VERDICTS = ("original", "changed", "untrusted", "unknown", "not_pdf")


# --- what Rakor knows -------------------------------------------------------------------


@dataclass(frozen=True)
class SignedVersion:
    """A stored signed version: the PDF after the `position`-th signature."""

    position: int
    signer_name: str
    signer_title: str
    signed_at: datetime
    sha256: str
    field_name: str  # the signature field this signer's signature fills


@dataclass(frozen=True)
class Version:
    """A stored final document, and which of its versions a hash names."""

    sha256: str  # the hash asked about
    index: int  # 0: the original final PDF; k: the PDF after the k-th signature
    planned: int  # how many signers the document has in its signing order
    kind: str
    meeting_title: str
    meeting_date: date
    number: str
    finalised_at: datetime
    original_sha256: str
    signed: tuple[SignedVersion, ...]
    waiting: tuple[str, ...]  # the names of the signers whose turn has not come
    superseded: bool  # a newer final document of the meeting replaced it (reopen, finalise)
    being_corrected: bool  # the meeting is reopened: a replacement is being prepared
    document_id: int  # for looking up the latest bytes; never shown

    @property
    def latest_sha256(self) -> str:
        return self.signed[-1].sha256 if self.signed else self.original_sha256

    @property
    def is_latest(self) -> bool:
        return self.sha256 == self.latest_sha256


def find_version(sha256: str) -> Version | None:
    """The final document whose original or signed version has this SHA-256.

    Only the columns the pages print are read: never a stored PDF (see `latest_pdf`).
    """
    sha256 = (sha256 or "").lower()
    if not SHA256_PATTERN.fullmatch(sha256):
        return None
    signed_here = select(DocumentSigner.document_id).where(DocumentSigner.sha256 == sha256)
    document = db.session.execute(
        select(
            MeetingDocument.id,
            MeetingDocument.meeting_id,
            MeetingDocument.kind,
            MeetingDocument.sha256,
            MeetingDocument.created_at,
        )
        .where(
            MeetingDocument.is_final.is_(True),
            or_(MeetingDocument.sha256 == sha256, MeetingDocument.id.in_(signed_here)),
        )
        # The same bytes finalised twice (a reopen that changed nothing printed): the newest.
        .order_by(MeetingDocument.created_at.desc(), MeetingDocument.id.desc())
        .limit(1)
    ).first()
    if document is None:
        return None
    return describe(document, sha256)


def describe(document: Row, sha256: str) -> Version:
    """The version of `document` (a row of find_version's columns) that `sha256` names."""
    meeting = db.session.execute(
        select(Meeting.title, Meeting.date, Meeting.status).where(Meeting.id == document.meeting_id)
    ).one()
    signers = db.session.execute(
        select(
            DocumentSigner.name,
            DocumentSigner.title,
            DocumentSigner.signed_at,
            DocumentSigner.sha256,
            DocumentSigner.field_name,
        )
        .where(DocumentSigner.document_id == document.id)
        .order_by(DocumentSigner.position)
    ).all()
    signed = tuple(
        SignedVersion(
            position=order,
            signer_name=signer.name,
            signer_title=signer.title,
            signed_at=signer.signed_at,
            sha256=signer.sha256,
            field_name=signer.field_name,
        )
        for order, signer in enumerate(
            (s for s in signers if s.sha256 and s.signed_at is not None), start=1
        )
    )
    index = next((version.position for version in signed if version.sha256 == sha256), 0)
    newest = db.session.scalar(
        select(MeetingDocument.id)
        .where(
            MeetingDocument.meeting_id == document.meeting_id,
            MeetingDocument.kind == document.kind,
            MeetingDocument.is_final.is_(True),
        )
        .order_by(MeetingDocument.created_at.desc(), MeetingDocument.id.desc())
        .limit(1)
    )
    number = db.session.scalar(
        select(DocumentNumber.number).where(
            DocumentNumber.meeting_id == document.meeting_id,
            DocumentNumber.kind == document.kind,
        )
    )
    superseded = newest != document.id
    return Version(
        sha256=sha256,
        index=index,
        planned=len(signers),
        kind=document.kind,
        meeting_title=meeting.title,
        meeting_date=meeting.date,
        number=number or "",
        finalised_at=document.created_at,
        original_sha256=document.sha256,
        signed=signed,
        waiting=tuple(signer.name for signer in signers if not signer.sha256),
        superseded=superseded,
        being_corrected=not superseded and meeting.status != "finalised",
        document_id=document.id,
    )


def latest_pdf(version: Version) -> bytes:
    """The bytes of the document's latest stored version."""
    if not version.signed:
        return db.session.scalar(
            select(MeetingDocument.content).where(MeetingDocument.id == version.document_id)
        )
    return db.session.scalar(
        select(DocumentSigner.content).where(DocumentSigner.sha256 == version.latest_sha256)
    )


def known_prefix(pdf: bytes) -> Version | None:
    """The longest stored version that this file starts with, when it is not one itself.

    Each candidate is the file up to a "%%EOF" marker (with and without the end-of-line
    after it), hashed in one pass over the file.
    """
    hasher = hashlib.sha256()
    done = 0
    candidates: list[str] = []
    for count, marker in enumerate(EOF_MARKER.finditer(pdf)):
        if count >= MAX_PREFIXES:
            break
        hasher.update(pdf[done : marker.start() + len(b"%%EOF")])
        done = marker.start() + len(b"%%EOF")
        candidates.append(hasher.hexdigest())
        if marker.group(1):
            with_end = hasher.copy()
            with_end.update(marker.group(1))
            candidates.append(with_end.hexdigest())
    known = stored_hashes(candidates)
    longest = next((sha256 for sha256 in reversed(candidates) if sha256 in known), None)
    return find_version(longest) if longest else None


def stored_hashes(candidates: list[str]) -> set[str]:
    """Those of `candidates` that are a stored final document or signed version."""
    if not candidates:
        return set()
    originals = select(MeetingDocument.sha256).where(
        MeetingDocument.is_final.is_(True), MeetingDocument.sha256.in_(candidates)
    )
    signed = select(DocumentSigner.sha256).where(DocumentSigner.sha256.in_(candidates))
    return set(db.session.scalars(originals)) | set(db.session.scalars(signed))


# --- what the signatures say --------------------------------------------------------------


def config_paths(value: str) -> list[str]:
    return [path for path in (value or "").split(":") if path.strip()]


def read_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        # The operator's setting is wrong; a signature then shows as not trusted.
        log.warning("verification: cannot read %s: %s", path, error.strerror)
        return None


def der_blocks(data: bytes, kind: str) -> list[bytes]:
    """The DER bytes of every PEM block of `kind` in the file, or the file itself as DER."""
    if not pem.detect(data):
        return [data]
    return [der for name, _headers, der in pem.unarmor(data, multiple=True) if name == kind]


def trust_roots(config: Mapping) -> list[x509.Certificate]:
    """The certificates of RAKOR_TRUST_ROOTS (PEM files, several certificates each)."""
    roots = []
    for path in config_paths(config.get("RAKOR_TRUST_ROOTS", "")):
        data = read_file(path)
        if data is None:
            continue
        try:
            for der in der_blocks(data, "CERTIFICATE"):
                certificate = x509.Certificate.load(der)
                _subject = certificate.subject.native  # parsed now, as the lists below
                roots.append(certificate)
        except (ValueError, TypeError):
            log.warning("verification: %s holds no readable certificate", path)
    return roots


def revocation_lists(config: Mapping) -> list[crl.CertificateList]:
    """The certificate revocation lists of RAKOR_TRUST_CRLS (DER or PEM files)."""
    lists = []
    for path in config_paths(config.get("RAKOR_TRUST_CRLS", "")):
        data = read_file(path)
        if data is None:
            continue
        try:
            for der in der_blocks(data, "X509 CRL"):
                certificate_list = crl.CertificateList.load(der)
                # Parsed now: a broken file fails here, not inside pyHanko on every upload.
                _entries = certificate_list.native
                lists.append(certificate_list)
        except (ValueError, TypeError):
            log.warning("verification: %s holds no readable revocation list", path)
    return lists


def validation_context(config: Mapping) -> ValidationContext:
    """pyHanko's validation context from the operator's settings.

    Only the configured roots are trusted: always a list, never None, which would fall
    back to the operating system's TLS roots. When revocation lists are configured, or
    fetching is allowed, every certificate below a root must be covered by one ("require"):
    a certificate without distribution points would otherwise never be checked against
    a configured list, and a revoked one would pass. Without either, revocation is not
    checked at all, and the page cannot say a certificate was revoked.
    """
    crls = revocation_lists(config)
    fetch = bool(config.get("RAKOR_VERIFY_FETCH_REVOCATION"))
    checks_revocation = fetch or bool(config_paths(config.get("RAKOR_TRUST_CRLS", "")))
    return ValidationContext(
        trust_roots=trust_roots(config),
        crls=crls,
        allow_fetching=fetch,
        revocation_mode="require" if checks_revocation else "soft-fail",
    )


# A person's certified signature carries non-repudiation; an institution's seal may carry
# the digital-signature usage alone. Either one is accepted.
SIGNING_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})

EXPIRED_INDICATIONS = {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}
REVOKED_INDICATIONS = {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}
NO_CHAIN_INDICATIONS = {"NO_CERTIFICATE_CHAIN_FOUND"}


@dataclass(frozen=True)
class SignatureCheck:
    """One embedded signature as pyHanko validated it, and the stored signer it belongs to."""

    signer: str  # the certificate's common name: shown only for a signature Rakor did not store
    signed_at: datetime | None  # the time the signer's software wrote (or a timestamp's)
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the certificate chains to a configured root and is in force
    revoked: bool
    expired: bool
    untrusted_issuer: bool  # no chain to any configured root
    covers_whole_file: bool
    # What came after it: "none", "signatures" (further signatures or form filling),
    # "annotations", "validation_data" (metadata or validation data), "other", or
    # "not_reviewed" (the file has too many revisions to compare: MAX_REVISIONS).
    changes_after: str
    # The stored signed version this signature made: its signer's printed name and title.
    stored: SignedVersion | None = None

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


def common_name(certificate: x509.Certificate) -> str:
    name = certificate.subject.native.get("common_name", "")
    if isinstance(name, list):
        name = " ".join(name)
    return str(name)


def check_signature(embedded, context: ValidationContext, *, changes_after: str) -> SignatureCheck:
    """pyHanko's validation of one signature: its integrity, its coverage and its trust.

    pyHanko's own review of what later revisions changed (its difference analysis) is
    skipped: it reads every object of the document for each signature, ten seconds of
    CPU for the demo's notulen on a public page. `changes_after` says it instead, from
    `changes_after_signature`.
    """
    try:
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=context,
            key_usage_settings=SIGNING_KEY_USAGE,
            skip_diff=True,
        )
    except Exception:
        # Any malformed signature (a broken CMS blob, a byte range past the end...) raises
        # something of pyHanko's or asn1crypto's own; it is a signature that does not hold.
        log.info("verification: a signature could not be validated", exc_info=True)
        return SignatureCheck("", None, False, False, False, False, False, False, "other")
    indication = status.trust_problem_indic.name if status.trust_problem_indic else ""
    signed_at = status.signer_reported_dt
    if status.timestamp_validity is not None and status.timestamp_validity.trusted:
        signed_at = status.timestamp_validity.timestamp
    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    changes = "none" if covers_whole_file else changes_after
    return SignatureCheck(
        signer=common_name(status.signing_cert),
        signed_at=signed_at,
        intact=bool(status.intact and status.valid),
        trusted=status.trusted,
        revoked=status.revoked or indication in REVOKED_INDICATIONS,
        expired=indication in EXPIRED_INDICATIONS,
        untrusted_issuer=indication in NO_CHAIN_INDICATIONS,
        covers_whole_file=covers_whole_file,
        changes_after=changes,
    )


# --- the answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    verdict: str  # one of VERDICTS
    sha256: str
    version: Version | None  # the stored version the file is, or the one it starts with
    exact: bool  # the file is exactly that stored version
    signatures: tuple[SignatureCheck, ...] = ()
    unchecked: int = 0  # signatures past MAX_SIGNATURES
    revisions: int = 0  # the file's revisions; above MAX_REVISIONS they were not compared

    @property
    def revisions_reviewed(self) -> bool:
        return self.revisions <= MAX_REVISIONS

    @property
    def all_valid(self) -> bool:
        return not self.unchecked and all(check.valid for check in self.signatures)


def verify_pdf(pdf: bytes, config: Mapping) -> Report:
    """What Rakor knows about the file, and whether its signatures hold."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    if not pdf.startswith(PDF_HEADER):
        return Report("not_pdf", sha256, None, False)
    version = find_version(sha256)
    exact = version is not None
    if version is None:
        version = known_prefix(pdf)
    try:
        signatures, revisions = read_signatures(pdf)
    except Exception:
        # pyHanko's reader raises many kinds of errors on a damaged file; none reaches a page.
        log.info("verification: a file could not be read as a PDF", exc_info=True)
        if version is not None:
            return Report("changed", sha256, version, exact)
        return Report("not_pdf", sha256, None, False)
    context = validation_context(config)
    checked = signatures[:MAX_SIGNATURES]
    stored = stored_signatures(pdf, checked, version)
    checks = tuple(
        replace(
            check_signature(
                embedded, context, changes_after=changes_after_signature(embedded, revisions)
            ),
            stored=known,
        )
        for embedded, known in zip(checked, stored, strict=True)
    )
    unchecked = max(0, len(signatures) - MAX_SIGNATURES)
    verdict = verdict_of(version, exact, checks, unchecked)
    return Report(verdict, sha256, version, exact, checks, unchecked, revisions)


def changes_after_signature(embedded, revisions: int) -> str:
    """What the revisions after a signature's own change: "none", "signatures" (each
    one no more than form filling: further signatures and their stamps, the same rule
    Rakor applies before storing a signed version, engine.form_filling_only), "other",
    or "not_reviewed" above MAX_REVISIONS."""
    last = revisions - 1
    try:
        signed = embedded.signed_revision
        if signed >= last:
            return "none"
        if revisions > MAX_REVISIONS:
            return "not_reviewed"
        reader = embedded.reader
        each_only_signs = all(
            form_filling_only(reader, revision - 1, revision)
            for revision in range(signed + 1, last + 1)
        )
    except Exception:  # a revision pyHanko cannot compare is a change nobody can vouch for
        log.info("verification: revisions after a signature could not be compared", exc_info=True)
        return "other"
    return "signatures" if each_only_signs else "other"


def read_signatures(pdf: bytes) -> tuple[list, int]:
    """The file's signatures, and how many revisions it has."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return list(reader.embedded_regular_signatures), reader.total_revisions


def signed_extent(embedded) -> int | None:
    """Where the bytes a signature signs end, when they start at the file's start."""
    try:
        start, _length, second_start, second_length = (int(value) for value in embedded.byte_range)
    except (TypeError, ValueError):
        return None
    return second_start + second_length if start == 0 else None


def stored_signatures(
    pdf: bytes, signatures: list, version: Version | None
) -> list[SignedVersion | None]:
    """For each signature, the stored signed version it made, if any.

    A stored version is the PDF that ends with its signer's signature, covering all of
    it: a signature in this file is that signer's when it fills the same field and the
    bytes it signs hash to that version's SHA-256.
    """
    by_field = {signed.field_name: signed for signed in (version.signed if version else ())}
    claims: list[tuple[SignedVersion | None, int]] = []
    for embedded in signatures:
        signed = by_field.get(str(embedded.field_name))
        end = signed_extent(embedded)
        if signed is None or end is None or not 0 < end <= len(pdf):
            claims.append((None, 0))
        else:
            claims.append((signed, end))
    hashes = prefix_hashes(pdf, {end for signed, end in claims if signed is not None})
    return [
        signed if signed is not None and hashes[end] == signed.sha256 else None
        for signed, end in claims
    ]


def prefix_hashes(pdf: bytes, ends: set[int]) -> dict[int, str]:
    """The SHA-256 of the file up to each of `ends`, in one pass over it."""
    hasher = hashlib.sha256()
    done = 0
    hashes = {}
    for end in sorted(ends):
        hasher.update(pdf[done:end])
        done = end
        hashes[end] = hasher.hexdigest()
    return hashes


def verdict_of(
    version: Version | None, exact: bool, checks: tuple[SignatureCheck, ...], unchecked: int
) -> str:
    if any(not check.intact for check in checks):
        return "changed"
    if version is None:
        return "unknown"
    if not exact:
        return "changed"
    if unchecked or not all(check.valid for check in checks):
        return "untrusted"
    return "original"


def document_page(sha256: str, config: Mapping) -> tuple[Version, Report] | None:
    """The document a hash names, and the validation of its latest stored version."""
    version = find_version(sha256)
    if version is None:
        return None
    return version, verify_pdf(latest_pdf(version), config)
