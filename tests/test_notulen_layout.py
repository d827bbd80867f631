"""The minutes' pages as a Kepala Bappeda signs them.

The signature block never stands alone on a page: it starts on a page that also
holds the end of section V (a follow-up, or the section's heading), and no page ends
with a heading. The record grows one input and one follow-up at a time, so that the
end of the text, and every heading after the inputs, passes a page's end; each size is
read back from the PDF page by page.
"""

import re

from sqlalchemy import select
from weasyprint import CSS

from app.documents import render
from app.documents.context import PAGE_SIZES
from app.documents.pdf import render_pdf
from app.extensions import db
from app.models import Agency, FollowUp, Meeting, Pillar
from tests.helpers import add_submission, build_record, get_pdf, make_pdf, pdf_reader, squeeze

SIZES = range(0, 13)
FOOTER = re.compile(r"Halaman \d+ dari \d+|DRAF, belum final · \S+|Notulen final · .*")
# What the closing block looks like once the rule that keeps it with the text is undone.
LOOSE_CLOSING = CSS(string=".closing { break-before: auto !important; }")


def follow_up_action(number: int) -> str:
    return f"Tindak lanjut tambahan {number}: pendataan ulang keluarga miskin di kelurahan"


def grow(app, meeting_id: int, number: int) -> None:
    """One more input (its pillar in turn) and one more follow-up."""
    with app.app_context():
        pillars = db.session.scalars(select(Pillar.id).order_by(Pillar.position)).all()
        agency = db.session.scalar(select(Agency.id).filter_by(abbreviation="Dinkes"))
    add_submission(
        app,
        meeting_id,
        minute=number,
        pillar_id=pillars[number % len(pillars)],
        title=f"Usulan tambahan {number} tentang bantuan pangan",
        description="Bantuan pangan bagi keluarga miskin ekstrem diberikan tepat sasaran.",
    )
    with app.app_context():
        db.session.add(
            FollowUp(meeting_id=meeting_id, action=follow_up_action(number), agency_id=agency)
        )
        db.session.commit()


def page_lines(data: bytes) -> list[list[str]]:
    """Each page's text lines, the running footer left out."""
    pages = []
    for page in pdf_reader(data).pages:
        lines = [FOOTER.sub("", line).strip() for line in (page.extract_text() or "").splitlines()]
        pages.append([line for line in lines if line])
    return pages


def signature_page(pages: list[list[str]]) -> int:
    found = [i for i, lines in enumerate(pages) if any("Pimpinan Rapat," in x for x in lines)]
    assert len(found) == 1, found
    return found[0]


def section_v_on(lines: list[str], actions: list[str]) -> bool:
    """Whether the page holds text of section V: its heading or a follow-up's words
    (the table's repeated header row alone does not count)."""
    text = squeeze(" ".join(lines))
    return "V.TINDAKLANJUT" in text or any(squeeze(action)[:40] in text for action in actions)


def headings_of(pages: list[list[str]]) -> set[str]:
    """The h2 and h3 titles the minutes print: sections, agenda items, pillars."""
    titles = set()
    for lines in pages:
        for line in lines:
            if re.match(r"^(I|II|III|IV|V)\. [A-Z ]+$", line) or re.match(r"^P\d · ", line):
                titles.add(line)
            if re.match(r"^\d+\. (Pembukaan|Evaluasi capaian)$", line):
                titles.add(line)
    return titles


def test_the_signatures_share_their_page_with_the_end_of_the_text_and_no_page_ends_on_a_heading(
    app, make_meeting, login
):
    record = build_record(app, make_meeting)
    meeting_id = record.meeting_id
    client = login("secretariat")
    actions = ["Perluas sasaran PMT ke ibu hamil KEK"]
    would_stand_alone = []
    for number in SIZES:
        if number:
            grow(app, meeting_id, number)
            actions.append(follow_up_action(number))
        data = make_pdf(client, f"/admin/meetings/{meeting_id}/minutes.pdf").data
        pages = page_lines(data)
        at = signature_page(pages)
        assert section_v_on(pages[at], actions), (number, pages[at])
        assert pages[at].index(next(x for x in pages[at] if "Demikian notulen ini" in x)) > 0

        titles = headings_of(pages)
        assert "V. TINDAK LANJUT" in titles and "III. MASUKAN PESERTA" in titles
        for index, lines in enumerate(pages):
            assert lines[-1] not in titles, (number, index + 1, lines[-3:])

        # The same markup without the rule that keeps the block with the text.
        with app.app_context():
            context, digest = render.build_context("minutes", meeting_id)
            html = render.document_html(context, digest=digest)
            size = CSS(string=f"@page {{ size: {PAGE_SIZES['A4']} !important; }}")
            loose = page_lines(render_pdf(html, stylesheets=[size, LOOSE_CLOSING]))
        if not section_v_on(loose[signature_page(loose)], actions):
            would_stand_alone.append(number)
    # The sizes tried include one where the block would have been alone on its page.
    assert would_stand_alone, "no size pushed the signature block past a page end"


def test_the_closing_sentence_stands_right_before_the_signatures(app, make_meeting, login):
    record = build_record(app, make_meeting)
    with app.app_context():
        meeting = db.session.get(Meeting, record.meeting_id)
        meeting.notetaker_nip = "198503122010012015"
        meeting.chair_nip = "19700101.199003.1.001"
        db.session.commit()
    data = make_pdf(login("secretariat"), f"/admin/meetings/{record.meeting_id}/minutes.pdf").data
    text = squeeze(" ".join(" ".join(lines) for lines in page_lines(data)))
    closing = squeeze("Demikian notulen ini dibuat untuk dipergunakan sebagaimana mestinya.")
    assert closing in text
    after = text[text.index(closing) + len(closing) :]
    assert after.startswith(squeeze("Pekalongan, 23 Januari 2024 Notulis, Pimpinan Rapat,"))
    # The NIPs in their usual grouping, whatever spacing was typed.
    printed = " ".join(" ".join(p) for p in page_lines(data))
    assert "NIP. 19850312 201001 2 015" in printed and "NIP. 19700101 199003 1 001" in printed
    viewer_copy = get_pdf(login("viewer"), f"/admin/meetings/{record.meeting_id}/minutes.pdf")
    assert viewer_copy.data == data
