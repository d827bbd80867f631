"""What the secretariat sends an agency about its open follow-ups: the counts and items
the reminders page lists, the ready WhatsApp message, and the request letter (surat
permintaan laporan perkembangan) as PDF and DOCX.

"Open" is the follow-up's state now (its latest report): neither done nor cancelled.
Overdue is judged today, in the meeting's time zone (`local_today`). A follow-up with
no responsible agency has nobody to remind and is left out.

The letter is drawn from one plain context, like every document (app/documents): the
PDF through the documents' renderer and its static-only fetcher, the DOCX with
python-docx. It carries the agency's update link only when the caller may see it
(the token is a secret: the view passes `with_link` for writing roles only).
"""

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from types import SimpleNamespace
from urllib.parse import quote

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from weasyprint import CSS

from app.agency_links.services import active_link, active_links, link_url
from app.documents import formatting
from app.documents.context import PAGE_SIZES, LetterheadView, letterhead_view
from app.documents.formatting import document_locale
from app.documents.pdf import render_pdf
from app.domain import CLOSED_FOLLOW_UP_STATUSES, FOLLOW_UP_STATUSES, is_overdue
from app.extensions import db
from app.models import Agency, FollowUp, Meeting
from app.qr import qr_svg

# The WhatsApp message names the first few actions, each cut to a line on a phone.
MESSAGE_ITEMS = 5
MESSAGE_ACTION_CHARS = 90
LETTER_TEMPLATE = "documents/request_letter.html"
DRAFT_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class OpenItem:
    number: int
    action: str
    meeting_title: str
    meeting_date: date
    deadline: date | None
    status: str
    percent: int
    overdue: bool

    @property
    def status_label(self) -> str:
        return str(FOLLOW_UP_STATUSES.get(self.status, self.status))


@dataclass(frozen=True)
class AgencyReminder:
    agency_id: int
    abbreviation: str
    name: str
    items: tuple[OpenItem, ...]
    today: date

    @property
    def open_count(self) -> int:
        return len(self.items)

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    @property
    def earliest_deadline(self) -> date | None:
        return min((item.deadline for item in self.items if item.deadline), default=None)

    @property
    def next_deadline(self) -> date | None:
        """The nearest deadline still ahead (today included); the late ones are counted."""
        ahead = [
            item.deadline for item in self.items if item.deadline and item.deadline >= self.today
        ]
        return min(ahead, default=None)


def open_follow_ups(today: date, agency_id: int | None = None) -> list[AgencyReminder]:
    """Every agency with open follow-ups (or the one asked for), by name; items by deadline."""
    query = (
        select(
            FollowUp.agency_id,
            Agency.abbreviation,
            Agency.name,
            FollowUp.action,
            Meeting.title,
            Meeting.date,
            FollowUp.deadline,
            FollowUp.status,
            FollowUp.percent,
        )
        .join(Agency, Agency.id == FollowUp.agency_id)
        .join(Meeting, Meeting.id == FollowUp.meeting_id)
        .where(FollowUp.status.not_in(CLOSED_FOLLOW_UP_STATUSES))
        .order_by(
            Agency.name,
            Agency.id,
            FollowUp.deadline.is_(None),
            FollowUp.deadline,
            Meeting.date,
            FollowUp.id,
        )
    )
    if agency_id is not None:
        query = query.where(FollowUp.agency_id == agency_id)
    agencies: dict[int, tuple[str, str]] = {}
    items: dict[int, list[OpenItem]] = {}
    for row in db.session.execute(query):
        aid, abbreviation, name, action, title, meeting_date, deadline, status, percent = row
        agencies.setdefault(aid, (abbreviation, name))
        listed = items.setdefault(aid, [])
        listed.append(
            OpenItem(
                number=len(listed) + 1,
                action=action.strip(),
                meeting_title=title,
                meeting_date=meeting_date,
                deadline=deadline,
                status=status,
                percent=percent,
                overdue=is_overdue(deadline, status, today),
            )
        )
    return [
        AgencyReminder(aid, abbreviation, name, tuple(items[aid]), today)
        for aid, (abbreviation, name) in agencies.items()
    ]


def agency_reminder(agency: Agency, today: date) -> AgencyReminder:
    """The agency's open follow-ups; none is a valid answer (a letter saying so is not sent,
    but the page still opens)."""
    found = open_follow_ups(today, agency.id)
    return (
        found[0]
        if found
        else AgencyReminder(agency.id, agency.abbreviation, agency.name, (), today)
    )


def shorten(text: str, limit: int = MESSAGE_ACTION_CHARS) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def whatsapp_message(reminder: AgencyReminder, url: str) -> str:
    """The reminder in Indonesian, ready to paste: the counts, the first few actions, the
    nearest deadline and the agency's update link."""
    day = formatting.day_month_year
    lines = [
        _("Yth. Bapak/Ibu Kepala %(agency)s,", agency=reminder.name),
        "",
        _(
            "Bersama ini kami mengingatkan %(open)s tindak lanjut hasil rapat koordinasi yang "
            "menjadi tanggung jawab %(agency)s dan belum selesai; %(overdue)s di antaranya "
            "sudah melewati tenggat.",
            open=formatting.count(reminder.open_count),
            agency=reminder.abbreviation,
            overdue=formatting.count(reminder.overdue_count),
        ),
    ]
    for item in reminder.items[:MESSAGE_ITEMS]:
        detail = _("tenggat %(date)s", date=day(item.deadline)) if item.deadline else ""
        if item.overdue:
            detail = _("%(detail)s, terlambat", detail=detail)
        lines.append(f"{item.number}. {shorten(item.action)}" + (f" ({detail})" if detail else ""))
    more = reminder.open_count - MESSAGE_ITEMS
    if more > 0:
        lines.append(_("dan %(count)s lainnya.", count=formatting.count(more)))
    if reminder.next_deadline:
        lines += ["", _("Tenggat terdekat: %(date)s.", date=day(reminder.next_deadline))]
    lines += [
        "",
        _("Mohon laporkan perkembangannya melalui tautan berikut:"),
        url,
        "",
        _("Terima kasih."),
    ]
    return "\n".join(lines)


def reminder_messages(reminders: list[AgencyReminder]) -> dict[int, tuple[str, str]]:
    """{agency id: (message, wa.me address)} for the agencies that have an active link."""
    messages = {}
    links = active_links([reminder.agency_id for reminder in reminders])
    for reminder in reminders:
        link = links.get(reminder.agency_id)
        if link is not None:
            text = whatsapp_message(reminder, link_url(link))
            messages[reminder.agency_id] = (text, whatsapp_url(text))
    return messages


def whatsapp_url(message: str) -> str:
    """wa.me with the text only: the sender picks the recipient in WhatsApp."""
    return "https://wa.me/?text=" + quote(message, safe="")


# --- the request letter ------------------------------------------------------------------


@dataclass(frozen=True)
class LetterContext:
    kind: str
    letterhead: LetterheadView
    agency_name: str
    agency_abbreviation: str
    items: tuple[OpenItem, ...]
    overdue_count: int
    issued_on: date
    link: str  # the update link; "" when there is none or the reader may not see it
    signer_title: str

    @property
    def title(self) -> str:
        return f"Permintaan Laporan Perkembangan Tindak Lanjut {self.agency_abbreviation}"

    @property
    def place_date(self) -> str:
        when = formatting.day_month_year(self.issued_on)
        return f"{self.letterhead.city}, {when}" if self.letterhead.city else when


def signer_title(letterhead: LetterheadView) -> str:
    """'Kepala Badan Perencanaan Pembangunan Daerah' from the kop's agency line.

    No setting names the head of the agency: the laporan's signer is a meeting's, and a
    meeting's chair is not the sender of this letter. So the letter prints the office
    only and leaves the name to be written under the wet signature.
    """
    if not letterhead.agency:
        return _("Kepala Bappeda")
    words = letterhead.agency.split()
    cased = [w.lower() if w.lower() in ("dan", "serta") else w.capitalize() for w in words]
    return _("Kepala %(agency)s", agency=" ".join(cased))


def build_letter_context(agency: Agency, today: date, *, with_link: bool) -> LetterContext:
    with document_locale():
        reminder = agency_reminder(agency, today)
        letterhead = letterhead_view(None)
        link = active_link(agency.id) if with_link else None
        return LetterContext(
            kind="request_letter",
            letterhead=letterhead,
            agency_name=agency.name,
            agency_abbreviation=agency.abbreviation,
            items=reminder.items,
            overdue_count=reminder.overdue_count,
            issued_on=today,
            link=link_url(link) if link else "",
            signer_title=signer_title(letterhead),
        )


def letter_html(context: LetterContext) -> str:
    with document_locale():
        template = current_app.jinja_env.get_template(LETTER_TEMPLATE)
        # Safe: segno's SVG of a URL we built; nothing typed by a user is in it.
        qr = Markup(qr_svg(context.link, scale=4)) if context.link else ""  # noqa: S704
        return template.render(
            doc=context,
            fmt=SimpleNamespace(**formatting.FILTERS),
            qr=qr,
            body=body_paragraphs(context),
            letter_columns=letter_columns(),
            link_lines=link_paragraphs(context, with_qr=True),
            closing=closing_sentence(),
        )


def letter_pdf(context: LetterContext) -> bytes:
    size = f"@page {{ size: {PAGE_SIZES[context.letterhead.page_size]} !important; }}"
    return render_pdf(
        letter_html(context), stylesheets=[CSS(string=size)], pdf_variant=DRAFT_VARIANT
    )


def letter_docx(context: LetterContext) -> bytes:
    """The same letter as an editable Word document: kop lines, the addressee, the body,
    the table of open follow-ups, the link, and the signature with room for the name."""
    with document_locale():
        document = Document()
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(11)
        lh = context.letterhead
        for text, bold, size in (
            (lh.government, False, 13),
            (lh.agency, True, 15),
            (lh.address, False, 9),
            (", ".join(lh.contact_parts), False, 9),
        ):
            if text:
                paragraph = document.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(text.upper() if size > 10 else text)
                run.bold, run.font.size = bold, Pt(size)
        document.add_paragraph(context.place_date).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for label, value in (
            (_("Nomor"), "……………………………"),
            (_("Sifat"), _("Penting")),
            (_("Lampiran"), "—"),
            (_("Hal"), _("Permintaan laporan perkembangan tindak lanjut")),
        ):
            document.add_paragraph(f"{label}\t: {value}")
        document.add_paragraph(_("Kepada Yth. Kepala %(agency)s", agency=context.agency_name))
        document.add_paragraph(_("di tempat"))
        for text in body_paragraphs(context):
            document.add_paragraph(text)
        headers = letter_columns()
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = header
            cell.paragraphs[0].runs[0].bold = True
        for item in context.items:
            cells = table.add_row().cells
            values = (
                str(item.number),
                item.action,
                f"{item.meeting_title} ({formatting.day_month_year(item.meeting_date)})",
                formatting.day_month_year(item.deadline) or "—",
                item.status_label,
                f"{item.percent}%",
                _("Terlambat") if item.overdue else "—",
            )
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
        if not context.items:
            document.add_paragraph(_("Tidak ada tindak lanjut yang belum selesai."))
        for text in link_paragraphs(context, with_qr=False):
            document.add_paragraph(text)
        document.add_paragraph(closing_sentence())
        for text in (context.signer_title, "", "", ""):
            document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        document.add_paragraph("……………………………………").alignment = WD_ALIGN_PARAGRAPH.RIGHT
        document.add_paragraph(_("NIP.") + " ……………………………").alignment = WD_ALIGN_PARAGRAPH.RIGHT
        output = BytesIO()
        document.save(output)
        return output.getvalue()


# The words both formats print, worded once.


def letter_columns() -> list[str]:
    return [
        _("No"),
        _("Rencana tindak lanjut"),
        _("Rapat"),
        _("Tenggat"),
        _("Status"),
        _("Persen"),
        _("Terlambat"),
    ]


def body_paragraphs(context: LetterContext) -> list[str]:
    return [
        _("Dengan hormat,"),
        _(
            "Menindaklanjuti kesepakatan rapat koordinasi penanggulangan kemiskinan, bersama "
            "ini kami mohon Bapak/Ibu menyampaikan laporan perkembangan pelaksanaan tindak "
            "lanjut yang menjadi tanggung jawab %(agency)s dan belum selesai, sebagaimana "
            "daftar berikut (%(count)s tindak lanjut, %(overdue)s di antaranya telah "
            "melewati tenggat):",
            agency=context.agency_abbreviation,
            count=formatting.count(len(context.items)),
            overdue=formatting.count(context.overdue_count),
        ),
    ]


def link_paragraphs(context: LetterContext, *, with_qr: bool) -> list[str]:
    """The paragraph that hands over the update link; the PDF prints its QR code beside it,
    the Word letter does not."""
    if not context.link:
        return [
            _(
                "Laporan perkembangan dapat disampaikan kepada sekretariat rapat, disertai "
                "bukti pelaksanaan."
            )
        ]
    if with_qr:
        lead = _(
            "Laporan perkembangan, beserta bukti pelaksanaannya, dapat disampaikan langsung "
            "melalui tautan pembaruan %(agency)s berikut (atau pindai kode QR):",
            agency=context.agency_abbreviation,
        )
    else:
        lead = _(
            "Laporan perkembangan, beserta bukti pelaksanaannya, dapat disampaikan langsung "
            "melalui tautan pembaruan %(agency)s berikut:",
            agency=context.agency_abbreviation,
        )
    return [lead, context.link]


def closing_sentence() -> str:
    return _("Demikian atas perhatian dan kerja sama Bapak/Ibu, kami sampaikan terima kasih.")
