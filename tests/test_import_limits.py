"""The paper import refuses a workbook that would unpack or expand beyond its caps.

Each file is built here, at the size an attacker would send (a zip of a huge
repetitive part is small), and uploaded through the page as the secretariat would.
Every refusal names what is wrong, shows the upload form again, and stores nothing.
"""

import json
import re
import struct
import zipfile
from io import BytesIO

from app.extensions import db
from app.models import AuditEvent
from tests.helpers import good_rows, submissions, upload, workbook_bytes

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MIB = 1024 * 1024
TOO_BIG = "Isi berkas ini terlalu besar atau terlalu rumit untuk dibaca"
NOT_XLSX = "bukan berkas Excel (.xlsx) yang dapat dibaca"


def rows_without_an_agency() -> list[list]:
    """The good rows that need no agency in the database (the OPD row does)."""
    return [row for row in good_rows() if row[1] != "opd"]


def rebuilt(content: bytes, parts: dict) -> bytes:
    """The workbook with `parts` (name -> bytes chunks) added or put in place of its own."""
    source = zipfile.ZipFile(BytesIO(content))
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item.filename))
        for name, chunks in parts.items():
            with target.open(name, "w") as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return output.getvalue()


def sheet_xml(content: bytes) -> str:
    return zipfile.ZipFile(BytesIO(content)).read(SHEET).decode()


def with_sheet(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through `change`."""
    return rebuilt(content, {SHEET: [change(sheet_xml(content)).encode()]})


def declaring(dimension: str):
    return lambda xml: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', xml)


def adding_row(row_xml: str):
    return lambda xml: xml.replace("</sheetData>", row_xml + "</sheetData>")


def text_cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def refused(response) -> str:
    """The page of a refused upload: a 422 with the upload form shown again."""
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'type="file"' in page and "Periksa dan impor" in page
    return page


# --- two hostile files: a row of a million cells, one 200 MB shared string --------------


def test_a_200_mb_shared_string_is_refused_before_it_is_read(app, login, meeting):
    # 205 KB on the wire; one string of 200 MB once unpacked, which openpyxl would load whole.
    content = workbook_bytes(rows_without_an_agency())
    types = zipfile.ZipFile(BytesIO(content)).read("[Content_Types].xml").decode()
    override = f'<Override PartName="/{STRINGS}" ContentType="{STRINGS_TYPE}" />'
    strings = [f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>'.encode()]
    strings += [b"A" * MIB] * 200
    strings += [b"</t></si></sst>"]
    bomb = rebuilt(
        content,
        {
            "[Content_Types].xml": [types.replace("</Types>", override + "</Types>").encode()],
            STRINGS: strings,
            SHEET: [
                adding_row('<row r="9"><c r="A9" t="s"><v>0</v></c></row>')(
                    sheet_xml(content)
                ).encode()
            ],
        },
    )
    assert len(bomb) < 300 * 1024
    page = refused(upload(login("secretariat"), meeting.id, bomb))
    assert TOO_BIG in page
    assert submissions(app) == []


def test_a_row_of_a_million_cells_is_refused(app, login, meeting):
    # About 50 KB on the wire; openpyxl builds a whole row in memory before handing it over.
    cells = [b'<row r="2">'] + [b"<c><v>1</v></c>" * 10_000] * 100 + [b"</row>"]
    header = "".join(text_cell(name) for name in ("Nama", "Peran"))
    sheet = [
        f'<worksheet xmlns="{NS}"><dimension ref="A1:B2"/><sheetData>'.encode(),
        f'<row r="1">{header}</row>'.encode(),
        *cells,
        b"</sheetData></worksheet>",
    ]
    bomb = rebuilt(workbook_bytes([]), {SHEET: sheet})
    assert len(bomb) < 100 * 1024
    page = refused(upload(login("secretariat"), meeting.id, bomb))
    assert TOO_BIG in page
    assert submissions(app) == []


# --- the archive ----------------------------------------------------------------------------


def test_a_part_that_unpacks_a_hundred_times_over_is_refused(app, login, meeting):
    # Well under the 16 MiB a part may hold, but 5 MiB of one repeated byte is no workbook.
    content = rebuilt(
        workbook_bytes(rows_without_an_agency()), {"docProps/extra.xml": [b" " * 5 * MIB]}
    )
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert TOO_BIG in page
    assert submissions(app) == []


def test_many_small_parts_over_64_mib_in_all_are_refused(app, login, meeting):
    # Each part is under the size the unpacking ratio is checked from; their sum is not.
    filler = {f"xl/media/filler{n}.xml": [b" " * 100 * 1024] for n in range(700)}
    content = rebuilt(workbook_bytes(rows_without_an_agency()), filler)
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert TOO_BIG in page
    assert submissions(app) == []


def test_styles_of_too_many_elements_are_refused(app, login, meeting):
    # openpyxl makes an object of every element of the styles; numbers that vary keep the
    # part from unpacking far, so only the count of elements stops it.
    content = workbook_bytes(rows_without_an_agency())
    styles = zipfile.ZipFile(BytesIO(content)).read("xl/styles.xml").decode()
    formats = "".join(f'<xf numFmtId="{n * 7919 % 100_003}" fontId="0"/>' for n in range(60_000))
    bloated = re.sub(r"<cellXfs count=\"\d+\">", f'<cellXfs count="60001">{formats}', styles)
    content = rebuilt(content, {"xl/styles.xml": [bloated.encode()]})
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert TOO_BIG in page
    assert submissions(app) == []


def test_a_part_bigger_than_its_zip_entry_declares_is_not_read_past_it(app, login, meeting):
    # zipfile yields no more than the declared size and then fails its CRC: a directory
    # that lies about a part cannot get more than the caps past the check.
    content = bytearray(workbook_bytes(rows_without_an_agency()))
    archive = zipfile.ZipFile(BytesIO(bytes(content)))
    index = [item.filename for item in archive.infolist()].index(SHEET)
    entry = -1
    for _ in range(index + 1):
        entry = content.index(b"PK\x01\x02", entry + 1)
    content[entry + 24 : entry + 28] = struct.pack("<I", 100)  # the uncompressed size
    page = refused(upload(login("secretariat"), meeting.id, bytes(content)))
    assert NOT_XLSX in page
    assert submissions(app) == []


def test_a_sheet_of_more_than_100000_cells_is_refused(app, login, meeting):
    # 5,000 rows of 21 numbers: each row within the columns' cap, the sheet not.
    rows = [
        f'<row r="{number}">'
        + "".join(f"<c><v>{number * 21 + column}</v></c>" for column in range(21))
        + "</row>"
        for number in range(10, 5_010)
    ]
    content = with_sheet(workbook_bytes(rows_without_an_agency()), adding_row("".join(rows)))
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert TOO_BIG in page
    assert submissions(app) == []


# --- the sheet: rows, columns, cells --------------------------------------------------------


def test_a_row_with_more_than_50_cells_is_refused_with_its_row_number(app, login, meeting):
    row = '<row r="7">' + text_cell("x") * 51 + "</row>"
    content = with_sheet(workbook_bytes(rows_without_an_agency()), adding_row(row))
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert "Baris 7 berisi lebih dari 50 kolom." in page
    assert submissions(app) == []


def test_a_sheet_that_declares_more_than_50_columns_is_refused(app, login, meeting):
    content = with_sheet(workbook_bytes(rows_without_an_agency()), declaring("A1:BZ4"))
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert "Lembar pertama berisi lebih dari 50 kolom." in page
    assert submissions(app) == []


def test_a_sheet_that_declares_a_million_rows_is_refused(app, login, meeting):
    content = with_sheet(workbook_bytes(rows_without_an_agency()), declaring("A1:N1048576"))
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert "Lembar pertama berlanjut melewati baris 20.000." in page
    assert submissions(app) == []


def test_a_row_past_row_20000_is_refused_even_when_the_declared_size_is_small(app, login, meeting):
    change = adding_row('<row r="20001"><c r="A20001" t="inlineStr"><is><t>x</t></is></c></row>')
    content = with_sheet(workbook_bytes(rows_without_an_agency()), change)
    assert '<dimension ref="A1:N4"' in sheet_xml(content)
    page = refused(upload(login("secretariat"), meeting.id, content))
    assert "Lembar pertama berlanjut melewati baris 20.000." in page
    assert submissions(app) == []


def test_rows_past_a_declared_size_that_is_too_small_are_still_read(app, login, meeting):
    rows = rows_without_an_agency()
    content = with_sheet(workbook_bytes(rows), declaring("A1:N2"))
    response = upload(login("secretariat"), meeting.id, content)
    assert response.status_code == 303
    assert len(submissions(app)) == len(rows) == 3


def test_a_cell_longer_than_any_field_is_refused_with_its_row_and_column(app, login, meeting):
    rows = rows_without_an_agency()
    rows[1][8] = "x" * 4001  # the description of Excel's row 3, column I
    page = refused(upload(login("secretariat"), meeting.id, workbook_bytes(rows)))
    assert "Baris 3, kolom I: isian lebih dari 4.000 karakter" in page
    assert submissions(app) == []


def test_a_description_at_the_longest_a_field_takes_is_imported(app, login, meeting):
    rows = rows_without_an_agency()
    rows[1][8] = "Uraian panjang. " * 250  # 4,000 characters, the description's limit
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows))
    assert response.status_code == 303
    assert len(submissions(app)) == 3


# --- the audit log ----------------------------------------------------------------------------


def audit_text(app) -> str:
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent)).all()
        return json.dumps([[e.action, e.before, e.after] for e in events], ensure_ascii=False)


def test_the_audit_log_of_an_import_keeps_rows_and_fields_not_personal_values(app, login, meeting):
    rows = rows_without_an_agency()
    phone, name, description = rows[0][4], rows[0][0], rows[0][8]
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows))
    assert response.status_code == 303
    stored = submissions(app)
    assert stored[0].phone == phone

    logged = audit_text(app)
    for value in (phone, phone.replace(" ", ""), name, description):
        assert value not in logged
    with app.app_context():
        [line] = db.session.scalars(db.select(AuditEvent).filter_by(action="import_paper")).all()
        created = db.session.scalars(
            db.select(AuditEvent)
            .filter_by(action="create", entity_type="Submission")
            .order_by(AuditEvent.id)
        ).all()
    assert line.after["imported"] == 3
    assert line.after["imported_rows"] == [2, 3, 4]
    assert sorted(line.after["submission_ids"]) == sorted(s.id for s in stored)
    first = next(event for event in created if event.after["row"] == 2)
    assert first.after["source"] == "paper"
    assert "phone" in first.after["fields"] and "submitter_name" in first.after["fields"]
    assert (
        "phone" not in next(event for event in created if event.after["row"] == 3).after["fields"]
    )
