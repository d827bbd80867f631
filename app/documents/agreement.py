"""The berita acara kesepakatan (record of agreement) as plain data.

A berita acara states, with the date written out in words, who the parties are,
what they agreed (the meeting's follow-ups), and carries each party's signature,
then those who acknowledge it ("Mengetahui", e.g. the Wali Kota). The parties are
the meeting's signatories (app/documents/parties.py is the page that lists them);
a meeting without any gets its chair and note-taker as parties, and the draft says so.
"""

from dataclasses import dataclass

from sqlalchemy import select

from app import domain

# The parties page (signatories, the laporan's texts) lives beside its document. Imported
# as a module: it imports this package's blueprint, and either may be imported first.
from app.documents import parties
from app.documents.context import (
    FollowUpLine,
    LetterheadView,
    MeetingView,
    letterhead_view,
    load_meeting,
    meeting_view,
)
from app.documents.formatting import document_locale, nip, paragraphs
from app.documents.words import date_in_words
from app.extensions import db
from app.models import Agency, FollowUp, Signatory


@dataclass(frozen=True)
class PartyView:
    """A signing party, or one who acknowledges: the NIP already grouped for print."""

    number: int
    name: str
    title: str  # jabatan
    agency: str  # instansi
    nip: str


@dataclass(frozen=True)
class AgreementContext:
    kind: str
    letterhead: LetterheadView
    meeting: MeetingView
    number: str  # given at finalisation; "" on a draft, which prints a dotted line
    date_words: str  # "Selasa tanggal dua puluh tiga bulan Januari tahun dua ribu ..."
    parties: tuple[PartyView, ...]
    acknowledging: tuple[PartyView, ...]
    # True when the meeting has no signatories yet and its chair and note-taker stand in.
    parties_from_meeting: bool
    follow_ups: tuple[FollowUpLine, ...]

    @property
    def title(self) -> str:
        return f"Berita Acara Kesepakatan {self.meeting.title}"


def build_agreement_context(meeting_id: int) -> AgreementContext:
    with document_locale():
        meeting = load_meeting(meeting_id)
        view = meeting_view(meeting)
        signing, acknowledging = signatory_views(meeting_id)
        from_meeting = not signing and not acknowledging
        if from_meeting:
            signing = stand_in_parties(view)
        return AgreementContext(
            kind="berita_acara",
            letterhead=letterhead_view("berita_acara"),
            meeting=view,
            number=view.number("berita_acara"),
            date_words=date_in_words(meeting.date),
            parties=signing,
            acknowledging=acknowledging,
            parties_from_meeting=from_meeting,
            follow_ups=agreed_follow_ups(meeting_id),
        )


def signatory_views(meeting_id: int) -> tuple[tuple[PartyView, ...], tuple[PartyView, ...]]:
    """The signing parties and those who acknowledge, each numbered in their order."""
    rows = parties.signatories_of(meeting_id)
    signing = [row for row in rows if not row.acknowledges]
    acknowledging = [row for row in rows if row.acknowledges]
    return party_views(signing), party_views(acknowledging)


def party_views(rows: list[Signatory]) -> tuple[PartyView, ...]:
    return tuple(
        PartyView(number, row.name, row.title, row.agency, nip(row.nip))
        for number, row in enumerate(rows, start=1)
    )


def stand_in_parties(meeting: MeetingView) -> tuple[PartyView, ...]:
    """The chair and the note-taker, for a draft whose signatories are not listed yet."""
    people = [
        (meeting.chair_name, meeting.chair_position, meeting.chair_nip),
        (meeting.notetaker_name, meeting.notetaker_position, meeting.notetaker_nip),
    ]
    return tuple(
        PartyView(number, name, position, "", nip(nip_text))
        for number, (name, position, nip_text) in enumerate(
            [person for person in people if person[0]], start=1
        )
    )


def agreed_follow_ups(meeting_id: int) -> tuple[FollowUpLine, ...]:
    """The follow-ups the meeting agreed, soonest deadline first; cancelled ones left out."""
    query = (
        select(FollowUp.action, Agency.abbreviation, FollowUp.deadline, FollowUp.status)
        .outerjoin(Agency, Agency.id == FollowUp.agency_id)
        .where(FollowUp.meeting_id == meeting_id, FollowUp.status != "cancelled")
        .order_by(FollowUp.deadline.is_(None), FollowUp.deadline, FollowUp.id)
    )
    return tuple(
        FollowUpLine(
            number=number,
            action=paragraphs(action),
            agency=abbreviation or "",
            deadline=deadline,
            status=str(domain.FOLLOW_UP_STATUSES.get(status, status)),
        )
        for number, (action, abbreviation, deadline, status) in enumerate(
            db.session.execute(query), start=1
        )
    )
