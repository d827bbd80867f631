"""How much an uploaded workbook may hold, checked before openpyxl reads any of it.

An XLSX is a zip of XML parts, and a few kilobytes of zip can unpack into hundreds of
megabytes (one 200 MB shared string in a 205 KB file), or into a row of a million
cells that openpyxl builds in memory all at once, even in read-only mode (it streams
row by row, but reads every cell of a row before handing it over; styles, the
workbook and the relationships it turns into one object per element). So the
archive is checked in two steps, both bounded in time and memory whatever the file
claims:

1. the zip's directory: how many parts, each part's unpacked size, their total, and
   how far each part unpacks (zipfile never yields more than a part's declared size:
   more fails its CRC check, so the sizes it declares bound what openpyxl gets);
2. one streaming pass over every XML part with the standard parser behind
   defusedxml (no entities, no external references), counting elements and, in a
   worksheet, the cells of each row, stopping at the first cap passed.

The caps are generous for a real meeting: the largest import (2,000 rows of the
template's 14 columns, every text at its longest) unpacks to about 10 MB, 28,000
cells and 90,000 elements. The sheet itself is then read by openpyxl in read-only mode, with caps
on its rows and on each cell's length (app/paper/services.py).
"""

import zipfile
from collections.abc import Callable
from io import BytesIO

from defusedxml.ElementTree import DefusedXMLParser
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from app import domain
from app.i18n import number as format_number
from app.services import Refused

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Input rows below the header row.
MAX_ROWS = 2_000
# A sheet can claim a million (empty) rows in a few kilobytes; stop reading well before.
MAX_SCANNED_ROWS = 20_000
# The template has 14 columns; a row with more cells than this is not a filled template.
MAX_COLUMNS = 50
# No field takes more characters than this, so a longer cell cannot be a valid input.
MAX_CELL_CHARS = max(
    domain.NAME_MAX,
    domain.ORGANISATION_MAX,
    domain.POSITION_MAX,
    domain.PHONE_MAX,
    domain.TITLE_MAX,
    domain.DESCRIPTION_MAX,
)

MAX_PARTS = 1_000
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
# Real workbooks unpack 5 to 30 times; Apache POI refuses beyond 100 by default too.
MAX_RATIO = 100
# Small parts may unpack further (a few kilobytes of repeated markup) and cost nothing.
RATIO_FROM_BYTES = 100 * 1024
MAX_ELEMENTS = 300_000
# Cells in one worksheet, empty ones included: openpyxl takes about 10 microseconds each.
MAX_CELLS = 100_000
# A part openpyxl reads whole (styles, workbook, relationships...): one object per element.
MAX_ELEMENTS_READ_WHOLE = 50_000
# Parts openpyxl streams (the sheets, row by row) or keeps only as strings (shared strings).
STREAMED_ROOTS = ("worksheet", "sst")
CHUNK_BYTES = 64 * 1024


def too_complex() -> Refused:
    return Refused(
        "too_complex",
        _l(
            "Isi berkas ini terlalu besar atau terlalu rumit untuk dibaca (lebih dari %(mb)s MB "
            "setelah dibuka, atau terlalu banyak sel). Salin isian ke templat yang baru diunduh, "
            "lalu impor lagi.",
            mb=format_number(MAX_ARCHIVE_BYTES // (1024 * 1024)),
        ),
        field="file",
    )


def too_many_columns(row: int) -> Refused:
    return Refused(
        "too_many_columns",
        _l(
            "Baris %(row)s berisi lebih dari %(max)s kolom. Hapus isian di luar kolom templat, "
            "lalu impor lagi.",
            row=format_number(row),
            max=format_number(MAX_COLUMNS),
        ),
        field="file",
    )


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose parts unpack too far, or hold too many elements or cells."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise too_complex()
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > MAX_PART_BYTES or total > MAX_ARCHIVE_BYTES or unpacks_far(part):
            raise too_complex()
    counter = ElementCounter()
    for part in parts:
        if not part.is_dir():
            counter.scan(archive, part)


def unpacks_far(part: zipfile.ZipInfo) -> bool:
    return part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(
        part.compress_size, 1
    )


class ElementCounter:
    """A parser target that counts elements as they stream by, and cells per worksheet row."""

    def __init__(self):
        self.elements = 0  # in the whole archive
        self.start_part()

    def start_part(self) -> None:
        self.root: str | None = None
        self.in_part = 0  # elements
        self.row = 0
        self.cells_in_row = 0
        self.cells_in_part = 0

    def scan(self, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
        self.start_part()
        # defusedxml's parser raises on an entity or an external reference (the caller
        # refuses the file for it), never fetching or expanding one.
        parser = DefusedXMLParser(target=self)
        with archive.open(part) as stream:
            try:
                while chunk := stream.read(CHUNK_BYTES):
                    parser.feed(chunk)
                parser.close()
            except SyntaxError:
                # Not XML (a picture), or broken XML: openpyxl refuses the latter itself,
                # having read no more of it than this pass did.
                return

    def start(self, tag: str, attrib: dict) -> None:
        name = tag.rpartition("}")[2]
        if self.root is None:
            self.root = name
        self.elements += 1
        self.in_part += 1
        if self.elements > MAX_ELEMENTS or (
            self.root not in STREAMED_ROOTS and self.in_part > MAX_ELEMENTS_READ_WHOLE
        ):
            raise too_complex()
        if self.root != "worksheet":
            return
        if name == "row":
            number = attrib.get("r", "")
            self.row = int(number) if number.isascii() and number.isdigit() else self.row + 1
            self.cells_in_row = 0
        elif name == "c":
            self.cells_in_row += 1
            self.cells_in_part += 1
            if self.cells_in_row > MAX_COLUMNS:
                raise too_many_columns(self.row)
            if self.cells_in_part > MAX_CELLS:
                raise too_complex()


def check_upload(content: bytes) -> None:
    """Refused when a cap is passed; any other exception means the upload is no sound zip."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        check_archive(archive)


def open_workbook(content: bytes, not_xlsx: Callable[[], Refused]):
    """An uploaded XLSX opened read-only, after `check_upload`; `not_xlsx()` is raised for
    anything that is not a workbook openpyxl can read, a Refused of the checks as it is."""
    if not content.startswith(b"PK\x03\x04"):
        raise not_xlsx()
    try:
        check_upload(content)
        return load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Refused:
        raise
    except Exception as error:  # zipfile, defusedxml and openpyxl raise many kinds
        raise not_xlsx() from error
