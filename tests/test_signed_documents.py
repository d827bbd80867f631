"""A signed final document is still the archived document, with stamps where the area was.

The final notulen and berita acara are sealed for real (pyHanko, a seal from a
throwaway certificate authority) in the cells of their signature area, one signer
after another. The signed file still passes the PDF/A checks the suite runs on the
archived documents, and it looks the same: every page drawn by pdftoppm before and
after signing is identical pixel for pixel, except inside the stamps' boxes on the
last page, which now show something.
"""

import io
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image, ImageChops
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from app.extensions import db
from app.models import MeetingDocument, Signatory
from app.signing.area import cell, parse_area
from app.signing.engine import seal_pdf
from app.signing.pki import Authority
from app.signing.stamp import Stamp
from tests.helpers import SEAL_PASSWORD, build_record, finalise, pdf_reader

DPI = 50
PARTIES = [
    ("Achmad Afzan Arslan Djunaid", "Wali Kota Pekalongan", False),
    ("Dian Permatasari", "Analis Kebijakan Bappeda", False),
    ("Sri Wahyuni", "Kepala Dinas Sosial", False),
    ("Salahudin", "Wakil Wali Kota Pekalongan", True),
]


@pytest.fixture
def record(app, make_meeting):
    return build_record(app, make_meeting)


def final_document(app, kind: str) -> tuple[bytes, str]:
    with app.app_context():
        document = db.session.scalar(db.select(MeetingDocument).filter_by(kind=kind, is_final=True))
        return document.content, document.signature_area


def sealed_in_turn(app, pdf: bytes, area_text: str, seal_file: str, count: int):
    """The PDF after `count` seals, each in its cell; and the cells."""
    area = parse_area(area_text)
    assert area is not None
    boxes = [cell(area, index, count) for index in range(count)]
    for index, box in enumerate(boxes):
        stamp = Stamp(
            signer_name=f"Penanda Tangan {index + 1}",
            signer_title="Jabatan Uji",
            signed_at=datetime(2024, 1, 23, 5, 0, tzinfo=UTC) + timedelta(minutes=index),
            verify_url="https://rakor.example.go.id/verify/" + "a" * 64,
        )
        with app.app_context():
            signed = seal_pdf(
                pdf,
                box=box,
                stamp=stamp,
                reason="Menyetujui dokumen rapat",
                p12_path=seal_file,
                p12_password=SEAL_PASSWORD,
            )
        assert signed.pdf.startswith(pdf)
        pdf = signed.pdf
    return pdf, boxes


def xmp_value(reader, name: str) -> str | None:
    packet = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    match = re.search(rf'{name}="([^"]*)"', packet) or re.search(
        rf"<{name}>([^<]*)</{name}>", packet
    )
    return match.group(1) if match else None


def assert_archival(pdf: bytes) -> None:
    """The checks tests/test_pdf_tagged.py runs on the archived documents."""
    reader = pdf_reader(pdf)
    catalog = reader.trailer["/Root"]
    assert xmp_value(reader, "pdfaid:part") == "3"
    assert xmp_value(reader, "pdfaid:conformance") == "A"
    assert "/OutputIntents" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "id"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True


def assert_valid_seals(pdf: bytes, authority: Authority, count: int) -> None:
    root = asn1_x509.Certificate.load(authority.root.certificate.public_bytes(Encoding.DER))
    context = ValidationContext(trust_roots=[root], crls=[authority.crl()], allow_fetching=False)
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == count
    for signature in signatures:
        status = validate_pdf_signature(signature, context)
        assert status.intact and status.valid and status.trusted


def pages_png(pdf: bytes, folder: Path, name: str) -> list[Image.Image]:
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), str(source), str(folder / name)], check=True
    )
    files = sorted(folder.glob(f"{name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [Image.open(path).convert("RGB") for path in files]


def pixel_box(box, height: int, grow: int = 0) -> tuple[int, int, int, int]:
    """A box in PDF points as (left, upper, right, lower) pixels of a page `height` high."""
    _page, x1, y1, x2, y2 = box
    scale = DPI / 72
    return (
        int(x1 * scale) - grow,
        int(height - y2 * scale) - grow,
        int(x2 * scale + 0.999) + grow,
        int(height - y1 * scale + 0.999) + grow,
    )


def assert_only_the_stamps_changed(before: bytes, after: bytes, boxes, folder: Path) -> None:
    old, new = pages_png(before, folder, "before"), pages_png(after, folder, "after")
    assert len(old) == len(new) == len(pdf_reader(before).pages)
    for index in range(len(old) - 1):
        assert old[index].tobytes() == new[index].tobytes(), f"page {index + 1} changed"

    last_old, last_new = old[-1], new[-1]
    assert last_old.size == last_new.size
    height = last_old.height
    difference = ImageChops.difference(last_old, last_new).convert("L")
    changed = difference.point(lambda value: 255 if value else 0)
    # Outside the stamps (a pixel's margin for the edge the box cuts through): unchanged.
    outside = changed.copy()
    for box in boxes:
        assert box[0] == len(old) - 1, "a stamp on the last page"
        outside.paste(0, pixel_box(box, height, grow=1))
    assert outside.getbbox() is None, f"changed outside the stamps at {outside.getbbox()}"
    # Inside each: the stamp shows (its QR code and its text).
    for box in boxes:
        inside = changed.crop(pixel_box(box, height))
        changed_pixels = inside.histogram()[255]
        assert changed_pixels > inside.width * inside.height * 0.05, box
        assert last_old.crop(pixel_box(box, height)).getcolors(1) == [
            (inside.width * inside.height, (255, 255, 255))
        ], "the area was blank before signing"


def test_the_sealed_notulen_is_still_pdf_a_and_looks_the_same_but_for_its_stamps(
    app, login, record, authority, seal_file, tmp_path
):
    finalise(login("secretariat"), record.meeting_id)
    original, area = final_document(app, "minutes")

    signed, boxes = sealed_in_turn(app, original, area, seal_file, 2)

    assert_archival(original)
    assert_archival(signed)
    assert_valid_seals(signed, authority, 2)
    assert_only_the_stamps_changed(original, signed, boxes, tmp_path)


def test_the_berita_acara_takes_four_stamps_the_same_way(
    app, login, record, authority, seal_file, tmp_path
):
    with app.app_context():
        for position, (name, title, acknowledges) in enumerate(PARTIES, start=1):
            db.session.add(
                Signatory(
                    meeting_id=record.meeting_id,
                    position=position,
                    name=name,
                    title=title,
                    agency="Pemerintah Kota Pekalongan",
                    acknowledges=acknowledges,
                )
            )
        db.session.commit()
    finalise(login("secretariat"), record.meeting_id)
    original, area = final_document(app, "berita_acara")

    signed, boxes = sealed_in_turn(app, original, area, seal_file, len(PARTIES))

    assert_archival(signed)
    assert_valid_seals(signed, authority, len(PARTIES))
    assert_only_the_stamps_changed(original, signed, boxes, tmp_path)
