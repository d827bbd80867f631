"""The demo's electronic signatures: a demo seal, and the 2024 record signed with it.

The development settings (config.DevelopmentConfig) sign with an institution's seal
at instance/demo-seal/seal.p12 and trust instance/demo-seal/ca.pem. The first
`flask demo` makes that seal: a certificate authority of its own ("Rakor Demo CA",
which nobody else trusts), the seal's certificate, and the authority's revocation
list (empty). Files already there are never overwritten: a seal an operator put in
that place stays theirs.

The 2024 record's note-taker and chair have demo accounts. Their notulen is signed
by the note-taker, then the chair; their berita acara by its parties (the
note-taker's account signs for the agency heads, who have none) and then by the
chair, who signs "Mengetahui" as Wali Kota. Each signature goes through the same
service a signer's button uses (app.signing.services.sign_document). The laporan
keeps its order, assigned to the chair, unsigned: a visitor signs it.
"""

import os
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.documents import jobs
from app.extensions import db
from app.models import DocumentSigner, Meeting, MeetingDocument, User
from app.services import Refused
from app.signing import services
from app.signing.pki import Authority
from config import DEMO_SEAL_DIR

SEAL_FILE, ROOT_FILE, CRL_FILE = "seal.p12", "ca.pem", "ca.crl"
DEMO_CA_NAME = "Rakor Demo CA"
DEMO_CA_ORGANISATION = "Rakor (demo)"
DEMO_SEAL_NAME = "Segel Elektronik Bappeda Kota Pekalongan (demo)"
DEMO_SEAL_ORGANISATION = "Pemerintah Kota Pekalongan"
# Signed by the demo, in this order; the laporan waits for a visitor.
SIGNED_KINDS = ("minutes", "berita_acara")
LABELS = {"minutes": "notulen", "berita_acara": "berita acara", "laporan": "laporan"}


def create_demo_seal(folder: Path, password: str) -> bool:
    """seal.p12 (with `password`), ca.pem and ca.crl in `folder`; True when made.

    Nothing is made when any of the three is there: a seal without the authority
    it was issued by (or the reverse) would not validate.
    """
    paths = [folder / SEAL_FILE, folder / ROOT_FILE, folder / CRL_FILE]
    if any(path.exists() for path in paths):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    authority = Authority.create(DEMO_CA_NAME, DEMO_CA_ORGANISATION)
    seal = authority.issue(DEMO_SEAL_NAME, DEMO_SEAL_ORGANISATION)
    contents = [
        seal.pkcs12(password, [authority.root.certificate]),
        authority.root.pem(),
        authority.crl(days=3650),
    ]
    # The seal's key readable by its owner only; the certificate and the list are public.
    modes = [0o600, 0o644, 0o644]
    for path, content, mode in zip(paths, contents, modes, strict=True):
        # O_EXCL: never over a file that appeared meanwhile.
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as file:
            file.write(content)
    return True


def prepare_demo_seal(echo: Callable[[str], None]) -> None:
    """Make the demo seal where the development settings look for it, when it is missing."""
    config = current_app.config
    if config["RAKOR_SIGNING_MODE"] != "seal" or not config["RAKOR_SEAL_P12"]:
        return
    if Path(config["RAKOR_SEAL_P12"]) != DEMO_SEAL_DIR / SEAL_FILE:
        return  # an operator's seal: not the demo's business
    if create_demo_seal(DEMO_SEAL_DIR, config["RAKOR_SEAL_PASSWORD"]):
        echo(f"Demo seal made: {DEMO_SEAL_NAME}, issued by {DEMO_CA_NAME} -> {DEMO_SEAL_DIR}")


def sign_demo_record(
    meeting_id: int, accounts: dict[str, User], password: str, echo: Callable[[str], None]
) -> None:
    """Set the signing order of the record's final documents and seal the notulen and
    the berita acara. `accounts`: the "notetaker", "chair" and "admin" demo accounts,
    all with `password`.

    Repeating it signs only what still waits for a demo account; an order already
    saved (by the demo or by someone trying the pages) is kept.
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.status != "finalised":
        return
    signing = services.signing_mode() == "seal"
    if not signing:
        echo("Demo record not signed: the demo signs with a seal (RAKOR_SIGNING_MODE=seal).")
    for kind in (*SIGNED_KINDS, "laporan"):
        document = jobs.final_document(meeting, kind)
        if document is None:
            echo(f"Demo {LABELS[kind]}: no final PDF, nothing to sign.")
            continue
        if not has_saved_order(document):
            try:
                services.save_plan(document.id, demo_order(document, accounts), accounts["admin"])
            except Refused as refusal:
                echo(f"Demo {LABELS[kind]}: signing order not set: {refusal}")
                continue
        if kind in SIGNED_KINDS and signing:
            echo(sign_in_turn(document, accounts, password))
        elif (waiting := services.next_signer(document)) is not None:
            echo(
                f"Demo {LABELS[kind]} waits for {waiting.name}'s signature: "
                f"sign it as {account_email(waiting.user_id)}."
            )


def has_saved_order(document: MeetingDocument) -> bool:
    query = select(DocumentSigner.id).where(DocumentSigner.document_id == document.id)
    return db.session.scalar(query.limit(1)) is not None


def demo_order(document: MeetingDocument, accounts: dict[str, User]) -> list[tuple[str, int]]:
    """Every signer in the document's order, with the demo account that signs for them.

    The chair's account signs where the chair's name stands (the notulen's Pimpinan
    Rapat, the berita acara's "Mengetahui") and the laporan, for a visitor to try;
    the note-taker's signs the rest, for the agency heads who have no account.
    """
    chair, notetaker = accounts["chair"], accounts["notetaker"]
    order = []
    for signer in services.signing_plan(document):
        by_chair = document.kind == "laporan" or signer.role == "chair" or signer.name == chair.name
        order.append((services.plan_key(signer), (chair if by_chair else notetaker).id))
    return order


def sign_in_turn(document: MeetingDocument, accounts: dict[str, User], password: str) -> str:
    """Sign every turn that waits for a demo account; one line saying how far it got."""
    label = LABELS[document.kind]
    ours = {user.id: user for user in accounts.values()}
    signed = 0
    while (waiting := services.next_signer(document)) is not None:
        account = ours.get(waiting.user_id)
        if account is None:
            return f"Demo {label} waits for {waiting.name}, on an account that is not a demo one."
        try:
            services.sign_document(waiting.id, account, password=password)
        except Refused as refusal:
            return f"Demo {label} not signed by {waiting.name}: {refusal}"
        signed += 1
    rows = services.signing_plan(document)
    who = "; ".join(f"{row.name} (as {account_email(row.user_id)})" for row in rows)
    done = "signed with the seal" if signed else "already signed"
    return f"Demo {label} {done} by {who}."


def account_email(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.email if user else "-"
