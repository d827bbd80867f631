"""Accessible PDFs: every document is tagged, in Indonesian, with its title.

Read back with pypdf: the catalog marks the file as tagged, holds a structure tree
(headings, paragraphs, tables with header cells, figures with a text alternative)
that a screen reader follows, the language "id" and the title shown as the window's
title. The archived final minutes are PDF/A-3a (level A: the tagged archival form),
the drafts declare PDF/UA-1, both in their XMP metadata.
"""

import re
from collections import Counter

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from app.extensions import db
from app.models import MeetingDocument
from tests.helpers import build_record, finalise, get_pdf, make_pdf, pdf_reader, pdf_text

TITLE = "Rapat Koordinasi Penanggulangan Kemiskinan Tahun 2024"


@pytest.fixture
def record(app, make_meeting):
    return build_record(app, make_meeting)


def structure(reader: PdfReader) -> list[DictionaryObject]:
    """Every structure element of the document, in reading order."""
    found = []

    def walk(node) -> None:
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject) and "/S" in node:
            found.append(node)
            walk(node.get("/K"))

    walk(reader.trailer["/Root"]["/StructTreeRoot"].get_object().get("/K"))
    return found


def roles(reader: PdfReader) -> Counter:
    return Counter(str(element["/S"]) for element in structure(reader))


def xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def xmp_value(packet: str, name: str) -> str | None:
    """A property written either as an attribute or as an element."""
    match = re.search(rf'{name}="([^"]*)"', packet) or re.search(
        rf"<{name}>([^<]*)</{name}>", packet
    )
    return match.group(1) if match else None


def assert_tagged(reader: PdfReader, title: str) -> Counter:
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "id"
    # The title, not the file name, is what a screen reader announces.
    assert reader.metadata.title == title
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert title in xmp(reader)  # dc:title
    found = roles(reader)
    assert found["/H1"] + found["/H2"] >= 1
    assert found["/P"] >= 1 and found["/Table"] >= 1
    return found


def test_the_archived_final_minutes_are_tagged_pdf_a_3a(app, login, record):
    staff = login("secretariat")
    finalise(staff, record.meeting_id)
    data = get_pdf(staff, f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    with app.app_context():
        stored = db.session.scalar(db.select(MeetingDocument).filter_by(is_final=True))
        assert stored.content == data  # the archived bytes, not a new render

    reader = pdf_reader(data)
    found = assert_tagged(reader, f"Notulen {TITLE}")
    # The tables keep their header cells: the pillar table, the follow-ups, the daftar hadir.
    assert found["/TH"] >= 6 and found["/TD"] >= 6
    packet = xmp(reader)
    assert xmp_value(packet, "pdfaid:part") == "3"
    assert xmp_value(packet, "pdfaid:conformance") == "A"
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert "Notulen final" in pdf_text(data)


def test_draft_minutes_are_tagged_and_declare_pdf_ua_1(login, record):
    data = make_pdf(login("secretariat"), f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    reader = pdf_reader(data)
    assert_tagged(reader, f"Notulen {TITLE}")
    packet = xmp(reader)
    assert xmp_value(packet, "pdfuaid:part") == "1"
    assert "pdfaid:" not in packet  # a draft is not the archived record
    assert "DRAF" in pdf_text(data)


def test_the_evaluation_charts_carry_a_text_alternative(login, record):
    data = make_pdf(
        login("secretariat"), f"/admin/meetings/{record.meeting_id}/evaluation.pdf"
    ).data
    reader = pdf_reader(data)
    assert_tagged(reader, f"Ringkasan Evaluasi {TITLE}")
    figures = [element for element in structure(reader) if element["/S"] == "/Figure"]
    assert figures, "the charts are figures in the structure tree"
    for figure in figures:
        assert str(figure.get("/Alt", "")).strip(), "a chart without a text alternative"
    alternatives = " ".join(str(figure["/Alt"]) for figure in figures)
    assert "Masukan per strategi" in alternatives


def test_the_poster_is_tagged_too(login, meeting):
    data = get_pdf(login("secretariat"), f"/admin/meetings/{meeting.id}/poster.pdf").data
    catalog = pdf_reader(data).trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "id"


@pytest.mark.parametrize(
    ("kind", "title"),
    [("berita_acara", "Berita Acara Kesepakatan"), ("laporan", "Laporan Hasil")],
)
def test_the_other_final_documents_are_archived_as_tagged_pdf_a_3a(app, login, record, kind, title):
    finalise(login("secretariat"), record.meeting_id)
    with app.app_context():
        stored = db.session.scalar(db.select(MeetingDocument).filter_by(kind=kind, is_final=True))
        data = stored.content
    reader = pdf_reader(data)
    assert reader.metadata.title.startswith(title)
    assert_tagged(reader, reader.metadata.title)
    packet = xmp(reader)
    assert xmp_value(packet, "pdfaid:part") == "3"
    assert xmp_value(packet, "pdfaid:conformance") == "A"
