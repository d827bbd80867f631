"""Signing a final document: its signers in order, and one signature at a time.

A final document (domain.FINAL_KINDS) is signed by the people it prints, in the order
the secretariat sets: the notulen by the note-taker then the chair, the berita acara
by its parties then those who sign "Mengetahui", the laporan by its signer. Until the
order is saved the page shows that default, read from the frozen record; saving it
makes one DocumentSigner row per signer, each with the staff account that signs in that
turn. The order (and the accounts) can change until the first signature.

Each signature takes the latest version of the PDF (the original final PDF, or the
last signed one), adds one PAdES signature with its visible stamp as an incremental
update (app/signing/engine.py) in the signer's cell of the document's signature area
(app/signing/area.py), and stores the result beside the earlier versions. No
transaction is open while the document is being signed; storing locks the document's
row and checks that the version signed is still the latest, so two signers never both
store a signature of the same version. A password, NIK, passphrase or one-time code is
used for that one step and never stored, logged or audited.
"""

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import aliased

from app.audit import record
from app.auth import services as auth_services
from app.documents import agreement, jobs, report
from app.documents.context import load_meeting, meeting_view
from app.documents.formatting import document_locale
from app.documents.numbering import issued_numbers
from app.domain import DOCUMENT_LABELS, FINAL_KINDS, SIGNER_ROLES, SIGNING_METHODS
from app.extensions import db
from app.models import DocumentSigner, Meeting, MeetingDocument, User
from app.models.base import utcnow
from app.services import Refused, transaction
from app.signing import engine
from app.signing.area import cell, parse_area
from app.signing.stamp import Stamp

logger = logging.getLogger(__name__)

NIK_LENGTH = 16
# Where the QR code of a stamp leads: the public verification page of the original.
VERIFY_PATH = "/verify/{sha256}"
# The address of `make run`, for a stamp made outside a request (the CLI demo) on a
# server without RAKOR_PUBLIC_URL; a real server sets RAKOR_PUBLIC_URL.
LOCAL_ADDRESS = "http://127.0.0.1:5000"
TITLE_MAX = 200
NAME_MAX = 200


# --- who signs --------------------------------------------------------------------------


def default_signers(document: MeetingDocument) -> list[DocumentSigner]:
    """The signers the document prints, in the order it prints them, as unsaved rows.

    Read from the meeting's record, which is frozen while the meeting is finalised: the
    names and positions are those the final PDF prints.
    """
    meeting = load_meeting(document.meeting_id)
    with document_locale():
        view = meeting_view(meeting)
        if document.kind == "minutes":
            people = [
                ("notetaker", view.notetaker_name, view.notetaker_position),
                ("chair", view.chair_name, view.chair_position),
            ]
        elif document.kind == "berita_acara":
            parties, acknowledging = agreement.signatory_views(meeting.id)
            if not parties and not acknowledging:
                # As the document prints it: the chair and the note-taker as its parties.
                parties = agreement.stand_in_parties(view)
            people = [("party", party.name, printed_title(party)) for party in parties]
            people += [
                ("acknowledger", party.name, printed_title(party)) for party in acknowledging
            ]
        elif document.kind == "laporan":
            signer = report.signer(meeting.id, view)
            people = [("signer", signer.name, signer.title)]
        else:
            people = []
    people = [(role, name.strip(), title.strip()) for role, name, title in people if name.strip()]
    return [
        DocumentSigner(
            document_id=document.id,
            position=position,
            role=role,
            name=name[:NAME_MAX],
            title=title[:TITLE_MAX],
            user_id=None,
        )
        for position, (role, name, title) in enumerate(people, start=1)
    ]


def printed_title(party: agreement.PartyView) -> str:
    """The jabatan, with the instansi when the jabatan does not name it (as the berita
    acara's signature block prints them)."""
    if party.agency and party.agency not in party.title:
        return f"{party.title}, {party.agency}" if party.title else party.agency
    return party.title


def saved_signers(document_id: int) -> list[DocumentSigner]:
    return list(
        db.session.scalars(
            select(DocumentSigner)
            .where(DocumentSigner.document_id == document_id)
            .order_by(DocumentSigner.position)
        )
    )


def signing_plan(document: MeetingDocument) -> list[DocumentSigner]:
    """The saved signers in their order; before the order is saved, the default ones
    (unsaved rows, without an account)."""
    return saved_signers(document.id) or default_signers(document)


def plan_key(signer: DocumentSigner) -> str:
    """How the order form names a signer: a saved row by its id, a default one by its
    place in the default order."""
    return str(signer.id) if signer.id is not None else f"new-{signer.position}"


def next_signer(document: MeetingDocument) -> DocumentSigner | None:
    """The first signer who has not signed yet; None when everyone has."""
    for signer in signing_plan(document):
        if signer.signed_at is None:
            return signer
    return None


def latest_version(document: MeetingDocument) -> tuple[bytes, str]:
    """The PDF to serve and to sign next: the last signed version, else the original."""
    last = db.session.execute(
        select(DocumentSigner.content, DocumentSigner.sha256)
        .where(DocumentSigner.document_id == document.id, DocumentSigner.signed_at.is_not(None))
        .order_by(DocumentSigner.position.desc())
        .limit(1)
    ).first()
    if last is not None:
        return last.content, last.sha256
    return document.content, document.sha256


def latest_sha256(document: MeetingDocument) -> str:
    """The SHA-256 of the latest version, without reading the PDF."""
    last = db.session.scalar(
        select(DocumentSigner.sha256)
        .where(DocumentSigner.document_id == document.id, DocumentSigner.signed_at.is_not(None))
        .order_by(DocumentSigner.position.desc())
        .limit(1)
    )
    return last or document.sha256


def verify_url(document: MeetingDocument) -> str:
    """The absolute address of the original's public verification page (the QR's target)."""
    base = current_app.config.get("RAKOR_PUBLIC_URL") or ""
    if not base:
        base = request.url_root if has_request_context() else LOCAL_ADDRESS
    return base.rstrip("/") + VERIFY_PATH.format(sha256=document.sha256)


def is_current(document: MeetingDocument) -> bool:
    """The document is the final one of its meeting's current finalisation."""
    if not document.is_final or document.kind not in FINAL_KINDS:
        return False
    meeting = db.session.get(Meeting, document.meeting_id)
    if meeting is None or meeting.status != "finalised":
        return False
    current = jobs.final_document(meeting, document.kind)
    return current is not None and current.id == document.id


def signing_mode() -> str:
    """ "seal" or "remote", or "" when signing is not configured."""
    mode = current_app.config.get("RAKOR_SIGNING_MODE") or ""
    return mode if mode in SIGNING_METHODS else ""


# --- what waits for whom ----------------------------------------------------------------


def waiting_query(user_id: int, columns: Select) -> Select:
    """Rows assigned to the user whose turn it is, on a current final document."""
    earlier = aliased(DocumentSigner)
    newer = aliased(MeetingDocument)
    return (
        columns.join(MeetingDocument, MeetingDocument.id == DocumentSigner.document_id)
        .join(Meeting, Meeting.id == MeetingDocument.meeting_id)
        .where(
            DocumentSigner.user_id == user_id,
            DocumentSigner.signed_at.is_(None),
            MeetingDocument.is_final.is_(True),
            Meeting.status == "finalised",
            MeetingDocument.created_at >= Meeting.finalised_at,
            ~exists().where(
                earlier.document_id == DocumentSigner.document_id,
                earlier.position < DocumentSigner.position,
                earlier.signed_at.is_(None),
            ),
            # A newer final document of the same kind (finalised again) replaces it.
            ~exists().where(
                newer.meeting_id == MeetingDocument.meeting_id,
                newer.kind == MeetingDocument.kind,
                newer.is_final.is_(True),
                or_(
                    newer.created_at > MeetingDocument.created_at,
                    and_(
                        newer.created_at == MeetingDocument.created_at,
                        newer.id > MeetingDocument.id,
                    ),
                ),
            ),
        )
    )


def waiting_for(user: User) -> list[DocumentSigner]:
    query = waiting_query(user.id, select(DocumentSigner)).order_by(
        Meeting.date.desc(), MeetingDocument.id, DocumentSigner.position
    )
    return list(db.session.scalars(query))


def waiting_count(user_id: int) -> int:
    """How many documents wait for the user's signature: one query, for the menu."""
    return db.session.scalar(waiting_query(user_id, select(func.count(DocumentSigner.id))))


def signed_by(user: User) -> list[DocumentSigner]:
    """The signatures the user made, newest first."""
    return list(
        db.session.scalars(
            select(DocumentSigner)
            .where(DocumentSigner.signed_by_id == user.id)
            .order_by(DocumentSigner.signed_at.desc())
        )
    )


@dataclass(frozen=True)
class Progress:
    """One final document's signing on the meeting page: "Ditandatangani 1 dari 2"."""

    document_id: int
    signed: int
    total: int
    next_name: str


def meeting_progress(meeting: Meeting) -> dict[str, Progress]:
    """Per final kind of a finalised meeting, how far its current document is signed."""
    if meeting.status != "finalised":
        return {}
    found = {}
    for kind in FINAL_KINDS:
        document = jobs.final_document(meeting, kind)
        if document is None:
            continue
        plan = signing_plan(document)
        following = next((signer for signer in plan if signer.signed_at is None), None)
        found[kind] = Progress(
            document_id=document.id,
            signed=sum(1 for signer in plan if signer.signed_at is not None),
            total=len(plan),
            next_name=following.name if following is not None else "",
        )
    return found


@dataclass(frozen=True)
class MyLine:
    """A line of "Tanda tangan saya": a document waiting for the user, or signed by them."""

    document_id: int
    meeting_title: str
    kind: str
    number: str
    role: str
    signed_at: datetime | None


def my_lines(signers: list[DocumentSigner]) -> list[MyLine]:
    lines = []
    for signer in signers:
        document = db.session.get(MeetingDocument, signer.document_id)
        meeting = db.session.get(Meeting, document.meeting_id)
        lines.append(
            MyLine(
                document_id=document.id,
                meeting_title=meeting.title,
                kind=document.kind,
                number=document_number(document),
                role=signer.role,
                signed_at=signer.signed_at,
            )
        )
    return lines


def my_signatures(user: User) -> tuple[list[MyLine], list[MyLine]]:
    """What waits for the user's signature now, and what they signed."""
    return my_lines(waiting_for(user)), my_lines(signed_by(user))


# --- the signing page -------------------------------------------------------------------


@dataclass(frozen=True)
class SignerLine:
    signer: DocumentSigner
    key: str
    account: str  # the name of the account that signs in this turn
    is_next: bool


@dataclass(frozen=True)
class SigningPage:
    document: MeetingDocument
    meeting: Meeting
    number: str
    lines: list[SignerLine]
    saved: bool  # the order is saved (else the lines are the default order)
    started: bool  # someone has signed: the order is fixed
    current: bool  # the meeting's current final document
    has_area: bool
    mode: str  # "seal", "remote", or "" when signing is not configured
    needs_public_url: bool  # a production server without RAKOR_PUBLIC_URL: no signing
    verify_url: str
    latest_sha256: str
    accounts: list[tuple[int, str, str]]  # (id, name, role) of the active accounts

    @property
    def next_line(self) -> SignerLine | None:
        return next((line for line in self.lines if line.is_next), None)

    @property
    def can_order(self) -> bool:
        return self.current and not self.started and bool(self.lines)

    def turn_of(self, user_id: int) -> SignerLine | None:
        """The line the user signs now, when it is their turn and signing can happen."""
        line = self.next_line
        if (
            line is None
            or not self.saved
            or not self.current
            or not self.has_area
            or not self.mode
            or self.needs_public_url
            or line.signer.user_id != user_id
        ):
            return None
        return line


def signing_page(document: MeetingDocument) -> SigningPage:
    plan = signing_plan(document)
    saved = bool(plan) and plan[0].id is not None
    names = dict(db.session.execute(select(User.id, User.name)).all())
    following = next((signer for signer in plan if signer.signed_at is None), None)
    lines = [
        SignerLine(
            signer=signer,
            key=plan_key(signer),
            account=names.get(signer.user_id, "") if signer.user_id else "",
            is_next=signer is following,
        )
        for signer in plan
    ]
    accounts = [
        (row.id, row.name, row.role)
        for row in db.session.execute(
            select(User.id, User.name, User.role).where(User.active.is_(True)).order_by(User.name)
        )
    ]
    return SigningPage(
        document=document,
        meeting=db.session.get(Meeting, document.meeting_id),
        number=document_number(document),
        lines=lines,
        saved=saved,
        started=any(signer.signed_at is not None for signer in plan),
        current=is_current(document),
        has_area=parse_area(document.signature_area or "") is not None,
        mode=signing_mode(),
        needs_public_url=lacks_public_url(),
        verify_url=verify_url(document),
        latest_sha256=latest_sha256(document),
        accounts=accounts,
    )


# --- the order --------------------------------------------------------------------------


def lock_document(document_id: int) -> MeetingDocument:
    """Lock the document's row until the transaction ends (an UPDATE that changes
    nothing, as finalise.check_not_final does for a meeting), then read it.

    A column that is not a key: on PostgreSQL the lock is then FOR NO KEY UPDATE, and
    rows that merely refer to the document are not held up by it.
    """
    locked = db.session.scalar(
        text(
            "UPDATE meeting_document SET signature_area = signature_area WHERE id = :id "
            "RETURNING id"
        ),
        {"id": document_id},
    )
    if locked is None:
        raise Refused("not_found", _l("Dokumen tidak ditemukan."))
    return db.session.get(MeetingDocument, document_id, populate_existing=True)


def refuse_unless_current(document: MeetingDocument) -> None:
    if not is_current(document):
        raise Refused(
            "not_current",
            _l(
                "Dokumen ini bukan dokumen final yang berlaku untuk rapatnya (rapat dibuka "
                "kembali atau difinalkan ulang), sehingga tidak dapat ditandatangani."
            ),
        )


def plan_snapshot(signers: list[DocumentSigner]) -> list[dict]:
    return [
        {"position": s.position, "role": s.role, "name": s.name, "user_id": s.user_id}
        for s in signers
    ]


@transaction
def save_plan(
    document_id: int, order: list[tuple[str, int | None]], actor: User
) -> list[DocumentSigner]:
    """Save the signing order: `order` names every signer of the plan once (by
    `plan_key`), first signer first, each with the account that signs in that turn."""
    document = lock_document(document_id)
    refuse_unless_current(document)
    saved = saved_signers(document.id)
    if any(signer.signed_at is not None for signer in saved):
        raise Refused(
            "already_signed",
            _l("Urutan tidak dapat diubah lagi: dokumen ini sudah mulai ditandatangani."),
        )
    plan = saved or default_signers(document)
    by_key = {plan_key(signer): signer for signer in plan}
    keys = [key for key, _user in order]
    if sorted(keys) != sorted(by_key):
        raise Refused(
            "order_incomplete",
            _l("Urutan harus memuat setiap penanda tangan tepat satu kali. Muat ulang halaman."),
        )
    accounts = {user_id for _key, user_id in order if user_id is not None}
    active = set(
        db.session.scalars(select(User.id).where(User.id.in_(accounts), User.active.is_(True)))
    )
    if accounts - active:
        raise Refused(
            "no_account", _l("Pilih akun yang aktif untuk setiap penanda tangan."), field="users"
        )
    before = plan_snapshot(saved)
    if saved:
        # Out of the way first: (document_id, position) is unique at every flush.
        for signer in saved:
            signer.position = -signer.position
        db.session.flush()
    for position, (key, user_id) in enumerate(order, start=1):
        signer = by_key[key]
        signer.position = position
        signer.user_id = user_id
        if signer.id is None:
            db.session.add(signer)
    db.session.flush()
    rows = saved_signers(document.id)
    record(
        actor,
        "document.signing_order",
        document,
        before={"signers": before} if before else None,
        after={"kind": document.kind, "signers": plan_snapshot(rows)},
        meeting_id=document.meeting_id,
    )
    return rows


# --- signing ----------------------------------------------------------------------------


def document_number(document: MeetingDocument) -> str:
    return issued_numbers(document.meeting_id).get(document.kind, "")


def signing_reason(signer: DocumentSigner, document: MeetingDocument) -> str:
    """What the signature says it is for, in the documents' language:
    "Notulis — Notulen 000.1.4/1/Bappeda/I/2024"."""
    with document_locale():
        role = str(SIGNER_ROLES.get(signer.role, signer.role))
        label = str(DOCUMENT_LABELS[document.kind])
    number = document_number(document)
    return f"{role} — {label} {number}".strip()


def refuse_unless_turn(signer: DocumentSigner, signers: list[DocumentSigner], actor: User) -> None:
    if signer.signed_at is not None:
        raise Refused("already_signed", _l("Tanda tangan ini sudah dibubuhkan."))
    following = next((row for row in signers if row.signed_at is None), None)
    if following is None or following.id != signer.id:
        raise Refused(
            "not_your_turn",
            _l(
                "Belum giliran Anda: dokumen ini masih menunggu tanda tangan %(name)s.",
                name=following.name if following is not None else "",
            ),
        )
    if signer.user_id is None or signer.user_id != actor.id:
        raise Refused(
            "not_the_signer",
            _l("Tanda tangan ini bukan untuk akun Anda. Hubungi sekretariat bila keliru."),
        )


def refuse_bad_secrets(actor: User, mode: str, *, password: str, nik: str, passphrase: str,
                       totp: str) -> None:  # fmt: skip
    if mode == "seal":
        if not password or not actor.check_password(password):
            raise Refused(
                "wrong_password",
                _l("Kata sandi akun Anda salah. Tidak ada yang ditandatangani."),
                field="password",
            )
        return
    if len(nik) != NIK_LENGTH or not nik.isascii() or not nik.isdigit():
        raise Refused("bad_nik", _l("NIK terdiri atas 16 angka."), field="nik")
    if not passphrase and not totp:
        raise Refused(
            "no_passphrase",
            _l("Tulis passphrase sertifikat elektronik Anda atau kode OTP."),
            field="passphrase",
        )


def sign_document(
    signer_id: int,
    actor: User,
    *,
    password: str = "",
    nik: str = "",
    passphrase: str = "",
    totp: str = "",
) -> DocumentSigner:
    """Add the signer's signature to the latest version of their document.

    Seal mode: the actor confirms with their account password. Remote mode: the actor's
    NIK and passphrase or one-time code go to the signing service once. Either way a
    refusal leaves everything as it was, except that a wrong account password counts
    as a failed sign-in, as on the password page: the fifth locks the account and ends
    its sessions, so a session left open cannot be used to guess the password.
    """
    try:
        return add_signature(
            signer_id, actor, password=password, nik=nik, passphrase=passphrase, totp=totp
        )
    except Refused as refused:
        if refused.code == "wrong_password" and note_wrong_password(actor):
            raise Refused(
                "locked",
                _l(
                    "Terlalu banyak kata sandi salah. Akun dikunci sementara dan semua "
                    "sesinya diakhiri. Tidak ada yang ditandatangani."
                ),
            ) from None
        raise


@transaction
def note_wrong_password(actor: User) -> bool:
    """Count a wrong password; True when this one locked the account (its sessions end)."""
    if not auth_services.count_failure(actor, utcnow()):
        return False
    auth_services.end_all_sessions(actor)
    record(actor, "signing_locked", actor)
    return True


@dataclass(frozen=True)
class Prepared:
    """What a signature needs, read in a short transaction before the signing itself."""

    signer_id: int
    document_id: int
    mode: str
    pdf: bytes
    sha256: str  # of `pdf`, the version being signed
    plan: tuple  # the signers as they were (`plan_state`): unchanged when storing
    box: tuple[int, float, float, float, float]
    stamp: Stamp
    reason: str


def add_signature(
    signer_id: int, actor: User, *, password: str, nik: str, passphrase: str, totp: str
) -> DocumentSigner:
    """The signature itself, in three steps, so that no transaction is open while the
    document is being signed (a remote service may take RAKOR_SIGNING_TIMEOUT seconds,
    and SQLite would refuse every other write meanwhile):

    1. `prepare_signature`: check the turn and the secrets, read the latest version;
    2. sign it (app/signing/engine.py), no transaction open;
    3. `store_signature`: lock the document, check that nothing changed meanwhile (the
       version, the turn, the document still the meeting's current final), store.

    Two signers, or two clicks, may both sign in step 2; the first to store wins and
    the other signature is discarded with a refusal.
    """
    actor_id = actor.id  # read now: after step 1's commit it would be read again
    prepared = prepare_signature(
        signer_id, actor, password=password, nik=nik, passphrase=passphrase, totp=totp
    )
    try:
        signed = engine.sign_with_config(
            prepared.pdf,
            box=prepared.box,
            stamp=prepared.stamp,
            reason=prepared.reason,
            config=current_app.config,
            nik=nik if prepared.mode == "remote" else "",
            passphrase=passphrase if prepared.mode == "remote" else "",
            totp=totp if prepared.mode == "remote" else "",
        )
    except engine.SigningFailed as failed:
        raise Refused("signing_failed", failed.message) from None
    if not signed.pdf.startswith(prepared.pdf):  # the engine checks it; the chain relies on it
        raise Refused("signing_failed", _l("Layanan tanda tangan mengembalikan dokumen lain."))
    if prepared.mode == "remote":
        refuse_unless_same_person(prepared.stamp.signer_name, signed.certificate_name)
    return store_signature(prepared, signed, actor_id)


@transaction
def prepare_signature(
    signer_id: int, actor: User, *, password: str, nik: str, passphrase: str, totp: str
) -> Prepared:
    """Step 1: everything checked and read; the transaction ends when it returns."""
    mode = signing_mode()
    if not mode:
        raise Refused(
            "not_configured",
            _l("Tanda tangan elektronik belum diatur di server ini. Hubungi admin."),
        )
    refuse_without_public_url()
    document_id = db.session.scalar(
        select(DocumentSigner.document_id).where(DocumentSigner.id == signer_id)
    )
    if document_id is None:
        raise Refused("not_found", _l("Penanda tangan tidak ditemukan."))
    document = db.session.get(MeetingDocument, document_id)
    signers = current_signers(document_id)
    signer = next(row for row in signers if row.id == signer_id)
    refuse_unless_current(document)
    area = parse_area(document.signature_area or "")
    if area is None:
        raise Refused(
            "no_area",
            _l(
                "Dokumen final ini dibuat tanpa ruang tanda tangan elektronik. Minta admin "
                "membuka kembali notulen lalu memfinalkannya lagi."
            ),
        )
    refuse_unless_turn(signer, signers, actor)
    refuse_bad_secrets(actor, mode, password=password, nik=nik, passphrase=passphrase, totp=totp)
    pdf, sha256 = latest_version(document)
    return Prepared(
        signer_id=signer.id,
        document_id=document.id,
        mode=mode,
        pdf=pdf,
        sha256=sha256,
        plan=plan_state(signers),
        box=cell(area, signer.position - 1, len(signers)),
        stamp=Stamp(
            signer_name=signer.name,
            signer_title=signer.title,
            signed_at=utcnow(),
            verify_url=verify_url(document),
        ),
        reason=signing_reason(signer, document),
    )


@transaction
def store_signature(prepared: Prepared, signed: engine.Signed, actor_id: int) -> DocumentSigner:
    """Step 3: with the document locked, store the signed version, if it is still the
    one to make."""
    document = lock_document(prepared.document_id)
    signers = current_signers(document.id)
    signer = next(row for row in signers if row.id == prepared.signer_id)
    actor = db.session.get(User, actor_id)
    refuse_unless_current(document)
    refuse_unless_turn(signer, signers, actor)
    if plan_state(signers) != prepared.plan or latest_sha256(document) != prepared.sha256:
        raise Refused(
            "changed_meanwhile",
            _l(
                "Dokumen atau urutan penanda tangannya berubah selama penandatanganan. "
                "Tidak ada yang disimpan; muat ulang halaman lalu tandatangani lagi."
            ),
        )
    signer.signed_at = prepared.stamp.signed_at
    signer.signed_by_id = actor_id
    signer.method = prepared.mode
    signer.field_name = signed.field_name
    signer.certificate_subject = signed.certificate_subject[:500]
    signer.certificate_issuer = signed.certificate_issuer[:500]
    signer.certificate_serial = signed.certificate_serial[:80]
    signer.sha256 = hashlib.sha256(signed.pdf).hexdigest()
    signer.content = signed.pdf
    record(
        actor,
        "document.signed",
        signer,
        after={
            "kind": document.kind,
            "number": document_number(document),
            "position": signer.position,
            "role": signer.role,
            "name": signer.name,
            "method": prepared.mode,
            "sha256": signer.sha256,
        },
        meeting_id=document.meeting_id,
    )
    return signer


def current_signers(document_id: int) -> list[DocumentSigner]:
    """The document's signers as the database has them now (not as the session cached)."""
    return list(
        db.session.scalars(
            select(DocumentSigner)
            .where(DocumentSigner.document_id == document_id)
            .order_by(DocumentSigner.position)
            .execution_options(populate_existing=True)
        )
    )


def plan_state(signers: list[DocumentSigner]) -> tuple:
    """What a signature was made for: every signer's place, name, title and account."""
    return tuple(
        (row.id, row.position, row.name, row.title, row.user_id, row.signed_at is None)
        for row in signers
    )


def lacks_public_url() -> bool:
    """A production server signs only with RAKOR_PUBLIC_URL set: the stamp's QR code keeps
    its address for good, and without the setting it would be whatever host name the
    signer's request happened to use."""
    config = current_app.config
    return config.get("RAKOR_ENV") == "production" and not config.get("RAKOR_PUBLIC_URL")


def refuse_without_public_url() -> None:
    if lacks_public_url():
        raise Refused(
            "no_public_url",
            _l(
                "Alamat publik server (RAKOR_PUBLIC_URL) belum diatur, sehingga kode QR "
                "pada cap tanda tangan tidak dapat dibuat. Tidak ada yang ditandatangani; "
                "minta admin mengaturnya."
            ),
        )


# Academic and religious titles written before a name, as words without their dots.
NAME_PREFIXES = frozenset(
    {"dr", "drg", "drs", "dra", "ir", "h", "hj", "prof", "kh", "hc", "ns", "apt", "r", "rr", "tb"}
)
# Degrees written after a name without dots or a comma ("Budi Santoso SH MH").
DEGREE_SUFFIXES = frozenset(
    {
        "sh", "mh", "se", "mm", "st", "mt", "lc", "ma", "spd", "mpd", "skm", "mkm", "amd",
        "ssos", "msi", "ssi", "sip", "sap", "map", "mkes", "skom", "mkom", "sked", "skep",
        "sfarm", "ak", "phd", "mba", "msc", "bsc", "mpp", "ssit", "sstp", "mip",
    }
)  # fmt: skip


def name_words(name: str) -> list[str]:
    """A person's name as words to compare, without case, accents, punctuation, titles
    before it ("Dr.", "Ir.", "H.", "Hj.") or degrees after it (", S.E., M.Si.", "S.T.")."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c)).casefold()
    name = name.split(",")[0]  # "Bambang Sutejo, M.T.": the degrees follow a comma
    words = name.replace("-", " ").split()  # "Nur-Aini" is "NUR AINI" on a certificate
    while words and words[-1].rstrip(".").count(".") >= 1:  # "S.E." "M.Si." without a comma
        words.pop()
    words = ["".join(c for c in word if c.isalnum()) for word in words]
    words = [word for word in words if word]
    while words and words[0] in NAME_PREFIXES:
        words.pop(0)
    while len(words) > 1 and words[-1] in DEGREE_SUFFIXES:
        words.pop()
    return words


def same_person(printed: str, certificate_name: str) -> bool:
    """The certificate's common name is the name the document prints for this signer."""
    words = name_words(printed)
    return bool(words) and words == name_words(certificate_name)


def refuse_unless_same_person(printed: str, certificate_name: str) -> None:
    """A personal certificate signs only under its holder's printed name: a signature in
    another signer's turn, with one's own NIK, would put their name on one's signature.
    (A seal signs for the institution by design; the audit log says who pressed.)"""
    if same_person(printed, certificate_name):
        return
    logger.warning("certificate's name does not match the signer's printed name")
    raise Refused(
        "not_the_certificate_holder",
        _l(
            "Sertifikat elektronik dari NIK ini atas nama %(certificate)s, sedangkan "
            "dokumen mencantumkan %(name)s pada giliran ini. Tidak ada yang disimpan; "
            "gunakan NIK %(name)s sendiri, atau minta sekretariat memperbaiki urutan.",
            certificate=certificate_name or "?",
            name=printed,
        ),
        field="nik",
    )
