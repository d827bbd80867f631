"""Writes the default Word templates shipped with Rakor (minutes.docx, evaluation.docx...).

    .venv/bin/python app/documents/word/build_templates.py

The .docx files it writes are committed beside it and read by app/documents/word.py
at run time; the app never runs this script. A city that wants its own layout opens
one of them in Word, edits it, keeps the {{ ... }} placeholders it needs and uploads
it on the document settings page. The placeholders are docxtpl (Jinja) tags: `{%p %}`
tags take their whole paragraph, `{%tr %}` tags their whole table row. The variables
they name are listed in app/documents/word.py.

The script needs python-docx only, not the app.
"""

import zipfile
from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

FOLDER = Path(__file__).resolve().parent
TEXT_WIDTH_CM = 16.0  # A4 less 3 cm on the left and 2 cm on the right
SERIF = "Times New Roman"
SANS = "Arial"
FIXED_TIME = datetime(2024, 1, 23, 9, 0)


class Template:
    """A Word document under construction, with the pieces every Rakor document uses."""

    def __init__(self, font: str = SERIF) -> None:
        self.doc = Document()
        self.font = font
        self.page_setup()
        self.styles()

    # --- page and styles -----------------------------------------------------------

    def page_setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.footer_distance = Cm(1)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.run(footer, "Halaman ", size=9)
        self.field(footer, "PAGE", size=9)
        self.run(footer, " dari ", size=9)
        self.field(footer, "NUMPAGES", size=9)

    def styles(self) -> None:
        for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title"):
            style = self.doc.styles[name]
            style.font.name = self.font
            style.font.size = Pt(12)
            style.font.color.rgb = RGBColor(0, 0, 0)
            fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
            # The theme's fonts would win over the font named here: drop them.
            for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attribute), None)
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attribute), self.font)
        normal = self.doc.styles["Normal"].paragraph_format
        normal.space_after = Pt(4)
        normal.line_spacing = 1.15
        for name in ("Heading 1", "Heading 2", "Heading 3"):
            style = self.doc.styles[name]
            style.font.bold = True
            style.font.italic = False
            style.paragraph_format.space_before = Pt(10)
            style.paragraph_format.space_after = Pt(4)
            style.paragraph_format.keep_with_next = True

    # --- text ------------------------------------------------------------------------

    def run(self, paragraph, text: str, *, bold=False, size=None, underline=False, italic=False):
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        run.underline = underline or None
        if size:
            run.font.size = Pt(size)
        return run

    def field(self, paragraph, code: str, *, size=None) -> None:
        """A Word field (PAGE, NUMPAGES), filled in by Word when the page is laid out."""
        run = self.run(paragraph, "", size=size)
        begin, instruction, end = (
            OxmlElement("w:fldChar"),
            OxmlElement("w:instrText"),
            OxmlElement("w:fldChar"),
        )
        begin.set(qn("w:fldCharType"), "begin")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = f" {code} "
        end.set(qn("w:fldCharType"), "end")
        for element in (begin, instruction, end):
            run._r.append(element)

    def p(self, text: str = "", *, bold=False, align=None, size=None, after=None, indent=None):
        paragraph = self.doc.add_paragraph()
        if text:
            self.run(paragraph, text, bold=bold, size=size)
        if align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "justify":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if after is not None:
            paragraph.paragraph_format.space_after = Pt(after)
        if indent is not None:
            paragraph.paragraph_format.left_indent = Cm(indent)
        return paragraph

    def tag(self, text: str) -> None:
        """A paragraph holding a `{%p ... %}` tag: docxtpl removes the paragraph itself."""
        self.doc.add_paragraph(text)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def title(self, text: str, subtitle: str = "{{ meeting.title }}") -> None:
        self.p(text, bold=True, align="center", size=14, after=0)
        if subtitle:
            self.p(subtitle, bold=True, align="center", after=0)
        self.tag("{%p if document_number %}")
        self.p("Nomor: {{ document_number }}", align="center", after=0)
        self.tag("{%p endif %}")
        self.p("", after=6)

    def lines(self, variable: str, empty: str, *, indent=None) -> None:
        """The paragraphs of a typed text (a list of lines), or `empty` when there are none."""
        self.tag(f"{{%p if {variable} %}}")
        self.tag(f"{{%p for line in {variable} %}}")
        self.p("{{ line }}", align="justify", indent=indent)
        self.tag("{%p endfor %}")
        self.tag("{%p else %}")
        self.p(empty, indent=indent)
        self.tag("{%p endif %}")

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- tables ----------------------------------------------------------------------

    def widths(self, table, widths_cm: Sequence[float]) -> None:
        table.autofit = False
        # Word reads the cells' widths, LibreOffice the grid's: set both.
        for column, width in zip(table.columns, widths_cm, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)

    def cell_text(self, cell, text: str, *, bold=False, align=None, size=None) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        if align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if text:
            self.run(paragraph, text, bold=bold, size=size)

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label : value lines (Acara, Hari/Tanggal...), as a borderless table."""
        table = self.doc.add_table(rows=len(rows), cols=3)
        for row, (label, value) in zip(table.rows, rows, strict=True):
            self.cell_text(row.cells[0], label)
            self.cell_text(row.cells[1], ":")
            self.cell_text(row.cells[2], value)
        self.widths(table, (4.0, 0.5, TEXT_WIDTH_CM - 4.5))
        self.p("", after=0)

    def table(
        self,
        headers: Sequence[str],
        cells: Sequence[str],
        loop: str,
        widths_cm: Sequence[float],
        *,
        align: Sequence[str | None] | None = None,
        footer: Sequence[str] | None = None,
        size: float | None = None,
        row_height: float | None = None,
    ):
        """A bordered table: a header row repeated on every page, one row per item of `loop`."""
        rows = 4 + (1 if footer else 0)
        table = self.doc.add_table(rows=rows, cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        align = align or [None] * len(headers)
        header = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header._tr.get_or_add_trPr().append(repeat)
        for cell, text in zip(header.cells, headers, strict=True):
            self.cell_text(cell, text, bold=True, align="center", size=size)
            shade(cell, "E7E6E6")
        self.cell_text(table.rows[1].cells[0], f"{{%tr for {loop} %}}")
        for cell, text, where in zip(table.rows[2].cells, cells, align, strict=True):
            self.cell_text(cell, text, align=where, size=size)
        if row_height:
            table.rows[2].height = Cm(row_height)
        self.cell_text(table.rows[3].cells[0], "{%tr endfor %}")
        if footer:
            for cell, text, where in zip(table.rows[4].cells, footer, align, strict=True):
                self.cell_text(cell, text, bold=True, align=where, size=size)
        self.widths(table, widths_cm)
        for row in table.rows:  # a row moves to the next page whole
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        self.p("", after=0)
        return table

    # --- the kop and the signatures ----------------------------------------------------

    def kop(self) -> None:
        """The letterhead: logo, government, agency, address; a double rule below."""
        table = self.doc.add_table(rows=1, cols=3)
        logo, text, _balance = table.rows[0].cells
        self.cell_text(logo, "{% if kop_logo %}{{ kop_logo }}{% endif %}", align="center")
        lines = (
            ("{{ letterhead.government | upper }}", 14),
            ("{% if letterhead.agency %}{{ letterhead.agency | upper }}{% endif %}", 16),
        )
        first = True
        for value, size in lines:
            paragraph = text.paragraphs[0] if first else text.add_paragraph()
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            self.run(paragraph, value, bold=True, size=size)
        address = text.add_paragraph()
        address.alignment = WD_ALIGN_PARAGRAPH.CENTER
        address.paragraph_format.space_after = Pt(0)
        self.run(address, "{{ letterhead.address_line }}", size=10)
        self.widths(table, (2.5, TEXT_WIDTH_CM - 5.0, 2.5))
        rule = self.p("", after=8)
        border(rule, "thickThinSmallGap", 18)

    def signatures(
        self,
        left: Sequence[str],
        right: Sequence[str],
        *,
        place_date: str = "{{ letterhead.city_date }}",
    ) -> None:
        """The two-column signature block: place and date, role, position, space, name, NIP.

        `left` and `right` are (role, position, name, nip) as template text.
        """
        table = self.doc.add_table(rows=6, cols=2)
        rows = table.rows
        self.cell_text(rows[0].cells[1], place_date, align="center")
        for column, (role, position, name, nip) in enumerate((left, right)):
            self.cell_text(rows[1].cells[column], role, align="center")
            self.cell_text(rows[2].cells[column], position, align="center")
            rows[3].height = Cm(2.2)
            paragraph = rows[4].cells[column].paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            self.run(paragraph, name, bold=True, underline=True)
            self.cell_text(rows[5].cells[column], nip, align="center")
        self.widths(table, (TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2))
        keep_rows_together(table)
        self.p("", after=0)

    def save(self, name: str) -> Path:
        path = FOLDER / name
        properties = self.doc.core_properties
        properties.title = "{{ title }}"
        properties.author = properties.last_modified_by = "Rakor"
        properties.created = properties.modified = FIXED_TIME
        properties.revision = 1
        output = BytesIO()
        self.doc.save(output)
        path.write_bytes(reproducible(output.getvalue()))
        return path


def reproducible(package: bytes) -> bytes:
    """The same bytes on every run: each part stamped with one fixed time, so a rebuilt
    template that did not change shows no change in git."""
    output = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(package)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member.filename))
    return output.getvalue()


def shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def border(paragraph, style: str, size: int) -> None:
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), style)
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "auto")
    borders.append(bottom)
    properties.append(borders)


def keep_rows_together(table) -> None:
    """The signature block stays on one page."""
    for row in table.rows:
        cant_split = OxmlElement("w:cantSplit")
        row._tr.get_or_add_trPr().append(cant_split)
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


# --- the documents -----------------------------------------------------------------------

MEETING_FACTS = [
    ("Acara", "{{ meeting.title }}"),
    ("Hari/Tanggal", "{{ meeting.date_long }}"),
    ("Waktu", "{{ meeting.time_range }}"),
    ("Tempat", "{{ meeting.venue }}"),
]


def minutes() -> Template:
    t = Template(SERIF)
    t.kop()
    t.title("NOTULEN RAPAT")
    t.facts(
        [
            *MEETING_FACTS,
            ("Pimpinan Rapat", "{{ meeting.chair_line }}"),
            ("Notulis", "{{ meeting.notetaker_line }}"),
            ("Peserta", "{{ attendance.participants }}"),
        ]
    )
    t.heading("I. Pembukaan")
    t.lines("opening", "Belum diisi.")
    t.heading("II. Pembahasan")
    t.tag("{%p for item in agenda %}")
    t.heading("{{ item.number }}. {{ item.title }}", 2)
    t.lines("item.discussion", "Belum ada catatan pembahasan.")
    t.tag("{%p else %}")
    t.p("Belum ada susunan acara.")
    t.tag("{%p endfor %}")

    t.heading("III. Masukan Peserta")
    t.p("{{ submissions_summary }}", align="justify")
    t.table(
        ["Strategi", "Menurut asal", "Jumlah"],
        ["{{ section.code }} · {{ section.name }}", "{{ section.by_role_text }}",
         "{{ section.count_text }}"],
        "section in pillars",
        (7.0, 7.0, 2.0),
        align=[None, None, "right"],
        footer=["Jumlah", "{{ roles_text }}", "{{ submissions_total_text }}"],
    )  # fmt: skip
    t.tag("{%p for section in pillars %}")
    t.heading(
        "{{ section.code }} · {{ section.name }}{% if section.retired %} (tidak dipakai lagi)"
        "{% endif %} — {{ section.count_text }} masukan",
        2,
    )
    t.tag("{%p if section.submissions %}")
    t.table(
        ["No", "Masukan", "Dari", "Keputusan"],
        [
            "{{ line.number }}",
            "{{ line.title }} [{{ line.kind }}]{% if line.description %}\n"
            "{{ line.description_text }}{% endif %}"
            "{% if line.location %}\nLokasi: {{ line.location }}{% endif %}",
            "{{ line.proposers_text }}",
            "{{ line.decision }}{% if line.decision_reason %}, {{ line.decision_reason }}"
            "{% endif %}{% if line.responsible_agency %}\nPenanggung jawab: "
            "{{ line.responsible_agency }}{% endif %}"
            "{% if line.merged_codes %}\nDigabung dari {{ line.merged_codes_text }}{% endif %}"
            "{% if line.repeats %}\n{{ line.repeats_text }}{% endif %}",
        ],
        "line in section.submissions",
        (1.0, 7.5, 4.0, 3.5),
        align=["center", None, None, None],
        size=10,
    )
    t.tag("{%p else %}")
    t.p("Tidak ada masukan untuk strategi ini.")
    t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("Belum ada masukan.")
    t.tag("{%p endfor %}")

    # A meeting that follows earlier ones evaluates their follow-ups still open on its date;
    # the sections after it are numbered on.
    t.tag("{%p if predecessors %}")
    t.heading("{{ sections.carried_over }}. Evaluasi Tindak Lanjut Rapat Sebelumnya")
    t.tag("{%p for sentence in carried_over_summary %}")
    t.p("{{ sentence }}", align="justify")
    t.tag("{%p endfor %}")
    t.tag("{%p if carried_over %}")
    t.table(
        ["No", "Tindak lanjut", "Penanggung jawab", "Tenggat", "Status pada tanggal rapat"],
        ["{{ item.number }}",
         "{{ item.action_text }}{% if predecessors|length > 1 %}\n({{ item.meeting_title }})"
         "{% endif %}",
         "{{ item.agency or '—' }}",
         "{{ item.deadline_text or '—' }}{% if item.overdue %}\nTerlambat{% endif %}",
         "{{ item.progress }}"],
        "item in carried_over",
        (1.0, 7.0, 3.0, 2.5, 2.5),
        align=["center", None, None, None, None],
        size=10,
    )  # fmt: skip
    t.tag("{%p else %}")
    t.p("Semua tindak lanjut rapat sebelumnya sudah selesai atau dibatalkan pada tanggal rapat.")
    t.tag("{%p endif %}")
    t.tag("{%p endif %}")

    t.heading("{{ sections.conclusions }}. Kesimpulan")
    t.lines("conclusions", "Belum diisi.")
    t.heading("{{ sections.follow_ups }}. Tindak Lanjut")
    t.tag("{%p if follow_ups %}")
    t.table(
        ["No", "Tindakan", "Penanggung jawab", "Tenggat"],
        ["{{ item.number }}", "{{ item.action_text }}", "{{ item.agency or '—' }}",
         "{{ item.deadline_text or '—' }}"],
        "item in follow_ups",
        (1.0, 8.5, 3.5, 3.0),
        align=["center", None, None, None],
    )  # fmt: skip
    t.tag("{%p else %}")
    t.p("Belum ada tindak lanjut.")
    t.tag("{%p endif %}")

    closing(t, "Demikian notulen ini dibuat untuk dipergunakan sebagaimana mestinya.")
    t.signatures(
        ("Notulis,", "{{ meeting.notetaker_position }}",
         "{{ meeting.notetaker_name or '……………………………' }}",
         "{% if meeting.notetaker_nip %}NIP. {{ meeting.notetaker_nip_text }}{% endif %}"),
        ("Pimpinan Rapat,", "{{ meeting.chair_position }}",
         "{{ meeting.chair_name or '……………………………' }}",
         "{% if meeting.chair_nip %}NIP. {{ meeting.chair_nip_text }}{% endif %}"),
    )  # fmt: skip
    attendance_sheet(t, "Lampiran: Daftar Hadir", page_break=True)
    return t


def closing(t: Template, sentence: str) -> None:
    """The closing sentence goes over to the next page with the signatures, never alone."""
    t.p(sentence, align="justify", after=12).paragraph_format.keep_with_next = True


def attendance_table(t: Template, rows: str) -> None:
    """No, Nama, Jabatan, Instansi, L/P and the signature: odd numbers left, even ones right."""
    t.table(
        ["No", "Nama", "Jabatan", "Instansi", "L/P", "Tanda Tangan"],
        ["{{ person.number }}", "{{ person.name }}", "{{ person.position }}", "{{ person.unit }}",
         "{{ person.sex }}", "{% if person.number is even %}\t\t{% endif %}{{ person.number }}."],
        f"person in {rows}",
        (1.0, 3.8, 3.3, 3.0, 1.3, 3.6),
        align=["center", None, None, None, "center", None],
        row_height=0.9,
    )  # fmt: skip


def attendance_sheet(t: Template, heading: str, *, page_break: bool) -> None:
    if page_break:
        t.page_break()
    t.p(heading, bold=True, align="center", size=13)
    t.facts(MEETING_FACTS[:2] + MEETING_FACTS[3:])
    t.tag("{%p if attendance.lines %}")
    attendance_table(t, "attendance.lines")
    t.tag("{%p else %}")
    t.p("Belum ada yang tercatat hadir; lembar ini diisi dengan tangan.")
    attendance_table(t, "attendance.blank_rows")
    t.tag("{%p endif %}")


def attendance() -> Template:
    t = Template(SERIF)
    t.kop()
    t.p("DAFTAR HADIR", bold=True, align="center", size=14, after=0)
    t.p("{{ meeting.title }}", bold=True, align="center", after=10)
    t.facts(MEETING_FACTS)
    attendance_table(t, "rows")
    return t


def region_table(t: Template) -> None:
    """Every input on one line: a kelurahan, its kecamatan as a whole, or no area; the lines
    add up to Jumlah. Three nested loops of rows."""
    rows = [
        ("{%tr for region in regions %}", ""),
        ("Kec. {{ region.kecamatan }}", "{{ region.count_text }}"),
        ("{%tr for ward in region.kelurahan %}", ""),
        ("\t{{ ward.label }}", "{{ ward.count_text }}"),
        ("{%tr endfor %}", ""),
        ("{%tr if region.kecamatan_level %}", ""),
        ("\tTingkat kecamatan", "{{ region.kecamatan_level_text }}"),
        ("{%tr endif %}", ""),
        ("{%tr endfor %}", ""),
        ("Tanpa wilayah (tingkat kota)", "{{ without_region_text }}"),
        ("Jumlah", "{{ regions_total_text }}"),
    ]
    table = t.doc.add_table(rows=len(rows) + 1, cols=2)
    table.style = t.doc.styles["Table Grid"]
    for cell, heading in zip(table.rows[0].cells, ("Kecamatan / kelurahan", "Jumlah"), strict=True):
        t.cell_text(cell, heading, bold=True, align="center")
        shade(cell, "E7E6E6")
    for row, (label, value) in zip(table.rows[1:], rows, strict=True):
        bold = label.startswith(("Kec.", "Tanpa", "Jumlah"))
        t.cell_text(row.cells[0], label, bold=bold)
        t.cell_text(row.cells[1], value, bold=bold, align="right")
    t.widths(table, (11.0, 3.0))
    t.p("", after=0)


def evaluation() -> Template:
    t = Template(SANS)
    t.kop()
    t.title("RINGKASAN EVALUASI")
    t.facts(
        [
            ("Acara", "{{ meeting.title }}"),
            ("Hari/Tanggal", "{{ meeting.date_long }}"),
            ("Tempat", "{{ meeting.venue }}"),
            ("Jumlah masukan", "{{ submissions_total_text }}"),
        ]
    )
    t.heading("I. Indikator Kemiskinan")
    t.tag("{%p for indicator in indicators %}")
    t.heading("{{ indicator.name }}{% if indicator.unit %} ({{ indicator.unit }}){% endif %}", 2)
    t.table(
        ["Tahun", "Target", "Realisasi",
         "Selisih (realisasi − target){% if indicator.difference_unit %}, "
         "{{ indicator.difference_unit }}{% endif %}", "Sumber"],
        ["{{ row.year }}", "{{ row.target_text or '—' }}", "{{ row.actual_text or '—' }}",
         "{{ row.gap_signed or '—' }}", "{{ row.source }}"],
        "row in indicator.years",
        (2.0, 2.5, 2.5, 4.0, 5.0),
        align=["center", "right", "right", "right", None],
        size=10,
    )  # fmt: skip
    for sentence in ("gap_text", "changes_text", "needed_text"):
        t.tag(f"{{%p if indicator.{sentence} %}}")
        t.p(f"{{{{ indicator.{sentence} }}}}", align="justify")
        t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("Belum ada indikator.")
    t.tag("{%p endfor %}")

    t.heading("II. Masukan Peserta")
    t.heading("Menurut strategi dan asal", 2)
    t.table(
        ["Strategi", "Menurut asal", "Jumlah"],
        ["{{ pillar.key }} · {{ pillar.label }}", "{{ pillar.by_role_text }}",
         "{{ pillar.count_text }}"],
        "pillar in pillars",
        (7.0, 7.0, 2.0),
        align=[None, None, "right"],
        footer=["Jumlah", "{{ roles_text }}", "{{ submissions_total_text }}"],
    )  # fmt: skip
    t.heading("Menurut jenis dan keputusan", 2)
    t.table(
        ["Jenis", "Jumlah"],
        ["{{ tally.label }}", "{{ tally.count_text }}"],
        "tally in kinds",
        (10.0, 3.0),
        align=[None, "right"],
    )
    t.table(
        ["Keputusan", "Jumlah"],
        ["{{ tally.label }}", "{{ tally.count_text }}"],
        "tally in statuses",
        (10.0, 3.0),
        align=[None, "right"],
    )
    t.heading("Menurut wilayah", 2)
    region_table(t)
    t.p(
        "Masukan dihitung pada kelurahan lokasinya, atau kelurahan pengusulnya bila lokasi tidak "
        "diisi. “Tingkat kecamatan”: masukan camat tanpa kelurahan. “Tanpa wilayah”: masukan OPD "
        "dan pemangku kepentingan tanpa lokasi.",
        align="justify",
    )
    t.heading("Perkiraan biaya", 2)
    t.tag("{%p if costs.inputs %}")
    t.p("{{ costs.summary }}", align="justify")
    for heading, lines in (("Strategi", "costs.by_pillar"), ("Kecamatan", "costs.by_area")):
        t.table(
            [heading, "Masukan dengan biaya", "Perkiraan biaya"],
            ["{{ line.label }}", "{{ line.inputs_text }}", "Rp {{ line.total_text }}"],
            f"line in {lines}",
            (8.0, 4.0, 4.0),
            align=[None, "right", "right"],
            footer=["Jumlah", "{{ costs.inputs_text }}", "Rp {{ costs.total_text }}"],
        )
    t.tag("{%p else %}")
    t.p("Belum ada masukan yang mencantumkan perkiraan biaya.")
    t.tag("{%p endif %}")
    voice_table(t)

    t.heading("III. Program dan Umpan Balik")
    t.tag("{%p for program in programs %}")
    t.heading("{{ program.name }}{% if program.details %} ({{ program.details }}){% endif %}", 2)
    t.tag("{%p for item in program.feedback %}")
    t.p("{{ item.title }} [{{ item.kind }}]", bold=True, after=0)
    t.lines("item.description", "", indent=0.5)
    t.p("Dari: {{ item.proposer }} · Keputusan: {{ item.decision }}", indent=0.5, size=10)
    t.tag("{%p else %}")
    t.p("Belum ada umpan balik.")
    t.tag("{%p endfor %}")
    t.tag("{%p else %}")
    t.p("Belum ada program.")
    t.tag("{%p endfor %}")

    t.heading("IV. Tindak Lanjut Rapat Sebelumnya")
    t.tag("{%p if earlier_follow_ups %}")
    t.p("{{ follow_up_statuses_text }}.")
    t.p("{{ overdue_text }}", align="justify")
    # Each earlier follow-up as it stood on the meeting's date, counted by agency and pillar.
    states = ("done", "in_progress", "open", "overdue", "cancelled", "total")
    for heading, lines in (
        ("Penanggung jawab", "completion.by_agency"),
        ("Strategi", "completion.by_pillar"),
    ):
        t.heading(f"Penyelesaian menurut {heading.lower()}", 2)
        t.table(
            [heading, "Selesai", "Sedang berjalan", "Belum dimulai", "Terlambat", "Dibatalkan",
             "Jumlah", "Persen selesai"],
            ["{{ line.label }}", *(f"{{{{ line.{key}_text }}}}" for key in states),
             "{{ line.percent_done }}%"],
            f"line in {lines}",
            (4.0, 1.7, 1.7, 1.7, 1.7, 1.7, 1.7, 1.8),
            align=[None, *["right"] * 7],
            footer=["Jumlah", *(f"{{{{ completion.total.{key}_text }}}}" for key in states),
                    "{{ completion.total.percent_done }}%"],
            size=10,
        )  # fmt: skip
    t.p(
        "Terlambat dihitung di antara yang belum selesai (belum dimulai atau sedang berjalan). "
        "Persen selesai: yang selesai dibagi jumlah tanpa yang dibatalkan.",
        align="justify",
    )
    t.heading("Rincian tindak lanjut", 2)
    t.table(
        ["Rapat", "Tindakan", "Penanggung jawab", "Tenggat", "Kemajuan"],
        ["{{ item.meeting_title }}\n{{ item.meeting_date_text }}", "{{ item.action_text }}",
         "{{ item.agency or '—' }}",
         "{{ item.deadline_text or '—' }}{% if item.overdue %}\nTerlambat{% endif %}",
         "{{ item.status_label }}, {{ item.percent }}%{% if item.progress_note %}\n"
         "{{ item.progress_note_text }}{% endif %}"],
        "item in earlier_follow_ups",
        (3.5, 5.0, 2.5, 2.5, 2.5),
        size=10,
    )  # fmt: skip
    t.tag("{%p else %}")
    t.p("Tidak ada tindak lanjut dari rapat sebelumnya.")
    t.tag("{%p endif %}")

    t.heading("V. Tema Masukan")
    t.p(
        "Masukan yang membicarakan hal yang sama dikelompokkan menjadi tema menurut kemiripan "
        "kata pada judul dan uraiannya. Setiap kata dikembalikan ke kata dasarnya (stemming "
        "bahasa Indonesia), sehingga «bantuan» dan «dibantu» terhitung sama. Nama tema disusun "
        "dari kata yang paling mencirikan kelompoknya; sekretariat dapat mengganti nama tema, "
        "memindahkan masukan, dan menggabungkan tema di halaman Tema masukan.",
        align="justify",
    )
    t.tag("{%p if themes %}")
    t.p("{{ themes_summary }}", align="justify")
    t.table(
        ["No", "Tema", "Masukan", "Strategi", "Wilayah", "Masukan yang mewakili"],
        ["{{ loop.index }}",
         "{{ theme.name }}{% if theme.renamed and theme.terms_text %}\n"
         "{{ theme.terms_text }}{% endif %}",
         "{{ theme.size_text }}", "{{ theme.pillars_text }}", "{{ theme.areas_text }}",
         "{{ theme.representative_title or '—' }}"],
        "theme in themes",
        (0.9, 4.3, 1.7, 1.8, 3.3, 4.0),
        align=["center", None, "right", None, None, None],
        size=9,
    )  # fmt: skip
    t.p(
        "Wilayah: kecamatan lokasi masukan; masukan tanpa lokasi tidak dihitung di kolom ini.",
        align="justify",
    )
    t.tag("{%p else %}")
    t.p("Belum ada tema: tidak ada dua masukan yang cukup mirip.")
    t.tag("{%p endif %}")
    return t


def voice_table(t: Template) -> None:
    """Voice against need per kelurahan: the PDF's table, without its map."""
    t.heading("Suara dan kebutuhan per kelurahan", 2)
    t.tag("{%p if voice %}")
    t.p("{{ voice.summary }}", align="justify")
    t.p(
        "Setiap kelurahan dibandingkan dua bagiannya: bagian kebutuhan kota dan bagian masukan "
        "rapat ini yang lokasinya kelurahan itu (dari {{ voice.place_total_text }} masukan yang "
        "mencantumkan lokasi). Selisih = bagian kebutuhan dikurangi bagian masukan, dalam poin "
        "persen: selisih positif berarti kelurahan itu kurang terdengar dibanding kebutuhannya. "
        "Kelurahan yang paling kurang terdengar ada di urutan teratas. Peta kelurahan menurut "
        "selisih ini ada pada ringkasan evaluasi berbentuk PDF.",
        align="justify",
    )
    t.table(
        ["No", "Kelurahan", "Kecamatan", "Kebutuhan", "Bagian kebutuhan (%)",
         "Masukan menurut lokasi (%)", "Masukan menurut pengusul (%)", "Selisih (poin persen)",
         "Perkiraan biaya (masukan)"],
        ["{{ loop.index }}", "{{ ward.name }}", "{{ ward.kecamatan }}", "{{ ward.need_cell }}",
         "{{ ward.need_share_cell }}", "{{ ward.place_cell }}", "{{ ward.submitter_cell }}",
         "{{ ward.gap_cell }}", "{{ ward.cost_cell }}"],
        "ward in voice.wards",
        (0.8, 2.3, 2.0, 1.6, 1.5, 1.8, 1.8, 1.5, 2.7),
        align=["center", None, None, *["right"] * 6],
        footer=["", "Jumlah", "", "{{ voice.need_total_text }}", "{{ voice.share_total_text }}",
                "{{ voice.place_total_text }}", "{{ voice.submitter_total_text }}", "",
                "{{ voice.cost_total_cell }}"],
        size=8,
    )  # fmt: skip
    t.p("{{ voice.note }}", align="justify")
    t.tag("{%p else %}")
    t.p(
        "Belum ada data kebutuhan per kelurahan yang diimpor, sehingga suara peserta belum dapat "
        "dibandingkan dengan kebutuhan. Admin dapat mengimpornya di Data referensi, Kebutuhan per "
        "kelurahan."
    )
    t.tag("{%p endif %}")


def numbered_title(t: Template, text: str) -> None:
    t.p(text, bold=True, align="center", size=14, after=0)
    t.p("{{ meeting.title | upper }}", bold=True, align="center", after=0)
    t.p("Nomor: {{ document_number or '……………………………' }}", align="center", after=10)


def follow_up_table(t: Template) -> None:
    t.table(
        ["No", "Tindak lanjut", "Penanggung jawab", "Tenggat"],
        ["{{ item.number }}", "{{ item.action_text }}", "{{ item.agency or '—' }}",
         "{{ item.deadline_text or '—' }}"],
        "item in follow_ups",
        (1.0, 8.5, 3.5, 3.0),
        align=["center", None, None, None],
    )  # fmt: skip


def party_signatures(t: Template, pairs: str) -> None:
    """Two parties side by side per pair: jabatan (and instansi), room to sign, name, NIP."""
    table = t.doc.add_table(rows=6, cols=2)
    rows = table.rows
    t.cell_text(rows[0].cells[0], f"{{%tr for pair in {pairs} %}}")
    for column, side in enumerate(("pair.left", "pair.right")):
        t.cell_text(rows[1].cells[column], f"{{{{ {side}.title_line }}}}", align="center")
        rows[2].height = Cm(2.2)
        paragraph = rows[3].cells[column].paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        t.run(paragraph, f"{{{{ {side}.name }}}}", bold=True, underline=True)
        t.cell_text(
            rows[4].cells[column],
            f"{{% if {side}.nip %}}NIP. {{{{ {side}.nip }}}}{{% endif %}}",
            align="center",
        )
    t.cell_text(rows[5].cells[0], "{%tr endfor %}")
    t.widths(table, (TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2))
    keep_rows_together(table)


def berita_acara() -> Template:
    t = Template(SERIF)
    t.kop()
    numbered_title(t, "BERITA ACARA KESEPAKATAN")
    t.p(
        "Pada hari ini {{ date_words }}, bertempat di {{ meeting.venue }}, telah dilaksanakan "
        "{{ meeting.title }}. Para pihak yang bertanda tangan di bawah ini:",
        align="justify",
    )
    t.tag("{%p if parties_from_meeting %}")
    t.p(
        "Draf: penanda tangan berita acara belum dicatat, sehingga pimpinan rapat dan notulis "
        "ditampilkan sebagai para pihak. Catat para pihak di halaman Para pihak dan teks laporan.",
        size=10,
    )
    t.tag("{%p endif %}")
    table = t.doc.add_table(rows=6, cols=4)
    t.cell_text(table.rows[0].cells[0], "{%tr for party in parties %}")
    for row, (label, value) in zip(
        table.rows[1:5],
        [("Nama", "{{ party.name }}"), ("Jabatan", "{{ party.title or '—' }}"),
         ("Instansi", "{{ party.agency or '—' }}"), ("NIP", "{{ party.nip or '—' }}")],
        strict=True,
    ):  # fmt: skip
        t.cell_text(row.cells[1], label)
        t.cell_text(row.cells[2], ":")
        t.cell_text(row.cells[3], value)
    t.cell_text(table.rows[1].cells[0], "{{ party.number }}.")
    t.cell_text(table.rows[5].cells[0], "{%tr endfor %}")
    t.widths(table, (0.8, 3.2, 0.5, TEXT_WIDTH_CM - 4.5))
    t.p("menyepakati tindak lanjut sebagai berikut:")
    t.tag("{%p if follow_ups %}")
    follow_up_table(t)
    t.tag("{%p else %}")
    t.p("Belum ada tindak lanjut.")
    t.tag("{%p endif %}")
    closing(t, "Demikian berita acara ini dibuat untuk dipergunakan sebagaimana mestinya.")
    t.p(
        "{{ letterhead.city_date }}", align="center", after=6
    ).paragraph_format.keep_with_next = True
    party_signatures(t, "party_pairs")
    t.tag("{%p if acknowledging %}")
    t.p("Mengetahui,", align="center", after=0)
    party_signatures(t, "acknowledging_pairs")
    t.tag("{%p endif %}")
    return t


def laporan() -> Template:
    t = Template(SERIF)
    t.kop()
    t.p("Kepada", after=0)
    t.p("Yth. {{ addressee }}", after=0)
    t.tag("{%p if letterhead.city %}")
    t.p("di {{ letterhead.city }}", after=0)
    t.tag("{%p endif %}")
    t.p("", after=6)
    numbered_title(t, "LAPORAN HASIL")

    t.heading("I. Pendahuluan")
    t.heading("A. Dasar", 2)
    t.tag("{%p for line in basis %}")
    t.p("{{ loop.index }}. {{ line }}", align="justify", indent=0.5)
    t.tag("{%p endfor %}")
    t.heading("B. Maksud dan Tujuan", 2)
    t.lines("purpose", "Belum diisi.")

    t.heading("II. Pelaksanaan")
    t.facts(
        [
            ("Hari/Tanggal", "{{ meeting.date_long }}"),
            ("Waktu", "{{ meeting.time_range }}"),
            ("Tempat", "{{ meeting.venue }}"),
            ("Pimpinan Rapat", "{{ meeting.chair_name }}{% if meeting.chair_position %}, "
             "{{ meeting.chair_position }}{% endif %}"),
            ("Peserta", "{{ participants.text }}"),
        ]
    )  # fmt: skip

    t.heading("III. Hasil")
    t.heading("A. Masukan menurut strategi", 2)
    t.p("{{ submissions_summary }}")
    t.tag("{%p for pillar in pillars %}")
    t.heading("{{ pillar.code }} · {{ pillar.name }}", 3)
    t.facts(
        [
            ("Jumlah masukan", "{{ pillar.count_text }}"),
            ("Usulan utama", "{{ pillar.proposals_list }}"),
            ("Kendala utama", "{{ pillar.obstacles_list }}"),
        ]
    )
    t.tag("{%p else %}")
    t.p("Belum ada masukan.")
    t.tag("{%p endfor %}")
    t.p(
        "Usulan utama adalah usulan yang disetujui atau ditindaklanjuti; kendala utama adalah "
        "kendala yang disampaikan peserta.",
        align="justify",
    )
    t.heading("B. Capaian indikator", 2)
    t.tag("{%p for indicator in indicators %}")
    t.p("{{ indicator.name }}{% if indicator.unit %} ({{ indicator.unit }}){% endif %}", bold=True)
    t.table(
        ["Tahun", "Target", "Realisasi",
         "Selisih (realisasi − target){% if indicator.difference_unit %}, "
         "{{ indicator.difference_unit }}{% endif %}"],
        ["{{ row.year }}", "{{ row.target_text or '—' }}", "{{ row.actual_text or '—' }}",
         "{{ row.gap_signed or '—' }}"],
        "row in indicator.years",
        (3.0, 3.5, 3.5, 6.0),
        align=["center", "right", "right", "right"],
    )  # fmt: skip
    for sentence in ("gap_text", "changes_text", "needed_text"):
        t.tag(f"{{%p if indicator.{sentence} %}}")
        t.p(f"{{{{ indicator.{sentence} }}}}", align="justify")
        t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("Belum ada data indikator.")
    t.tag("{%p endfor %}")
    t.heading("C. Kesepakatan tindak lanjut", 2)
    t.tag("{%p if follow_ups %}")
    follow_up_table(t)
    t.tag("{%p else %}")
    t.p("Belum ada tindak lanjut.")
    t.tag("{%p endif %}")

    t.heading("D. Tema masukan", 2)
    t.tag("{%p if themes %}")
    t.p("{{ themes_summary }}", align="justify")
    t.table(
        ["No", "Tema", "Masukan", "Strategi utama"],
        ["{{ loop.index }}", "{{ theme.name }}", "{{ theme.size_text }}",
         "{{ theme.pillar or '—' }}"],
        "theme in themes",
        (1.0, 7.5, 2.0, 5.5),
        align=["center", None, "right", None],
    )  # fmt: skip
    t.tag("{%p else %}")
    t.p("Belum ada tema: tidak ada dua masukan yang cukup mirip.")
    t.tag("{%p endif %}")

    t.heading("IV. Simpulan dan Saran")
    t.heading("A. Simpulan", 2)
    t.lines("conclusions", "Belum diisi.")
    t.heading("B. Saran", 2)
    t.lines("recommendations", "Belum diisi.")

    t.heading("V. Penutup")
    closing(
        t,
        "Demikian laporan hasil rapat koordinasi ini kami sampaikan sebagai bahan pertimbangan "
        "dan pengambilan kebijakan lebih lanjut. Atas perhatian Bapak/Ibu, kami sampaikan "
        "terima kasih.",
    )
    t.signatures(
        ("", "", "", ""),
        ("{{ signer.title }}", "", "{{ signer.name or '……………………………' }}",
         "{% if signer.nip %}NIP. {{ signer.nip }}{% endif %}"),
        place_date="{{ signing_place_date }}",
    )  # fmt: skip
    return t


BUILDERS = {
    "minutes.docx": minutes,
    "evaluation.docx": evaluation,
    "berita_acara.docx": berita_acara,
    "laporan.docx": laporan,
    "attendance.docx": attendance,
}


def main() -> None:
    for name, build in BUILDERS.items():
        path = build().save(name)
        print(f"{path.relative_to(FOLDER.parents[2])}")


if __name__ == "__main__":
    main()
