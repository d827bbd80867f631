"""The laporan hasil rakor (report on the meeting's outcome) as plain data.

Bappeda reports the meeting to the head of the TKPK (Tim Koordinasi
Penanggulangan Kemiskinan, Perpres 96/2015) in five parts: I Pendahuluan (dasar,
maksud dan tujuan), II Pelaksanaan (when, where, who), III Hasil (by strategy, the
indicators, the agreed follow-ups), IV Simpulan dan Saran, V Penutup. The dasar,
the maksud dan tujuan and the saran are typed on the parties page; the rest comes
from the record. It is a draft the secretariat finishes in Word (the DOCX).
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import to_user_timezone
from sqlalchemy import func, select

from app.documents.agreement import agreed_follow_ups, signatory_views
from app.documents.context import (
    FollowUpLine,
    LetterheadView,
    MeetingView,
    SubmissionRow,
    letterhead_view,
    load_meeting,
    meeting_view,
    pillar_order,
    pillar_views,
    primaries_and_merged,
    submission_rows,
)
from app.documents.evaluation import IndicatorView, indicator_views, themes_found
from app.documents.formatting import document_locale, nip, paragraphs
from app.extensions import db
from app.models import Attendee

LEADING_NUMBER = re.compile(r"^(\d{1,2}|[a-zA-Z])[.)]\s+")
# How many proposals and obstacles the report names per strategy: the main ones.
MAIN_ITEMS = 5
# How many themes it names: the largest (the evaluation summary lists more).
THEMES_NAMED = 5


@dataclass(frozen=True)
class Participants:
    """Those present (checked in), by sex; `unknown` when none was recorded."""

    total: int
    male: int
    female: int
    unknown: int


@dataclass(frozen=True)
class PillarResult:
    code: str
    name: str
    count: int  # every input under the strategy, merged ones included
    proposals: tuple[str, ...]  # titles of accepted or followed-up proposals
    obstacles: tuple[str, ...]  # titles of the obstacles raised (kind "kendala")
    more_proposals: int  # how many more the report does not name
    more_obstacles: int


@dataclass(frozen=True)
class ReportTheme:
    name: str
    size: int
    pillar: str  # the pillar most of its inputs carry, "P1 · Perlindungan sosial"; "" if none


@dataclass(frozen=True)
class Signer:
    name: str
    title: str
    nip: str


@dataclass(frozen=True)
class ReportContext:
    kind: str
    letterhead: LetterheadView
    meeting: MeetingView
    number: str  # given at finalisation; "" on a draft, which prints a dotted line
    report_date: date | None  # the finalisation's date; the draft leaves it to be typed
    region: str  # "Kota Pekalongan"
    addressee: str  # "Ketua Tim Koordinasi Penanggulangan Kemiskinan (TKPK) Kota Pekalongan"
    basis: tuple[str, ...]
    purpose: tuple[str, ...]
    participants: Participants
    pillars: tuple[PillarResult, ...]
    submissions_total: int
    themes: tuple[ReportTheme, ...]  # the THEMES_NAMED largest, largest first
    themes_total: int
    themed_inputs: int
    indicators: tuple[IndicatorView, ...]
    follow_ups: tuple[FollowUpLine, ...]
    conclusions: tuple[str, ...]
    recommendations: tuple[str, ...]
    signer: Signer

    @property
    def title(self) -> str:
        return f"Laporan Hasil {self.meeting.title}"


def build_report_context(meeting_id: int) -> ReportContext:
    with document_locale():
        meeting = load_meeting(meeting_id)
        view = meeting_view(meeting)
        letterhead = letterhead_view("laporan")
        region = region_name(letterhead)
        rows = submission_rows(meeting_id)
        basis = unnumbered(paragraphs(meeting.report_basis)) or default_basis(region)
        purpose = paragraphs(meeting.report_purpose) or default_purpose(region, meeting.title)
        report_date = None
        if meeting.finalised_at is not None:
            report_date = to_user_timezone(meeting.finalised_at).date()
        return ReportContext(
            kind="laporan",
            letterhead=letterhead,
            meeting=view,
            number=view.number("laporan"),
            report_date=report_date,
            region=region,
            addressee=_(
                "Ketua Tim Koordinasi Penanggulangan Kemiskinan (TKPK) %(region)s", region=region
            ),
            basis=basis,
            purpose=purpose,
            participants=participants(meeting_id),
            pillars=pillar_results(meeting_id, rows),
            submissions_total=len(rows),
            **report_themes(meeting_id),
            indicators=indicator_views(),
            follow_ups=agreed_follow_ups(meeting_id),
            conclusions=paragraphs(meeting.conclusions),
            recommendations=paragraphs(meeting.recommendations),
            signer=signer(meeting_id, view),
        )


def unnumbered(lines: tuple[str, ...]) -> tuple[str, ...]:
    """The lines without the numbers typed before them ("1. ", "b) "): the report numbers them."""
    return tuple(LEADING_NUMBER.sub("", line) for line in lines)


def default_basis(region: str) -> tuple[str, ...]:
    """The dasar a report names when the meeting has none typed: the rules on the TKPK."""
    return (
        _("Undang-Undang Nomor 13 Tahun 2011 tentang Penanganan Fakir Miskin;"),
        _("Peraturan Presiden Nomor 15 Tahun 2010 tentang Percepatan Penanggulangan Kemiskinan;"),
        _(
            "Peraturan Presiden Nomor 96 Tahun 2015 tentang Perubahan atas Peraturan Presiden "
            "Nomor 15 Tahun 2010 tentang Percepatan Penanggulangan Kemiskinan;"
        ),
        _(
            "Peraturan Menteri Dalam Negeri Nomor 53 Tahun 2020 tentang Tata Kerja dan "
            "Penyelarasan Kerja serta Pembinaan Kelembagaan dan Sumber Daya Manusia Tim "
            "Koordinasi Penanggulangan Kemiskinan Provinsi dan Kabupaten/Kota;"
        ),
        _(
            "Instruksi Presiden Nomor 4 Tahun 2022 tentang Percepatan Penghapusan "
            "Kemiskinan Ekstrem;"
        ),
        _(
            "Keputusan %(head)s tentang Tim Koordinasi Penanggulangan Kemiskinan %(region)s.",
            head=head_of(region),
            region=region,
        ),
    )


def default_purpose(region: str, meeting_title: str) -> tuple[str, ...]:
    return (
        _(
            "Maksud laporan ini adalah menyampaikan hasil %(meeting)s kepada Ketua TKPK "
            "%(region)s.",
            meeting=meeting_title,
            region=region,
        ),
        _(
            "Tujuannya adalah memberikan bahan pengambilan kebijakan serta pengendalian "
            "pelaksanaan tindak lanjut penanggulangan kemiskinan oleh perangkat daerah terkait."
        ),
    )


def head_of(region: str) -> str:
    """'Wali Kota Pekalongan' for "Kota Pekalongan", 'Bupati Batang' for "Kabupaten Batang"."""
    for prefix, head in (("Kota ", _("Wali Kota")), ("Kabupaten ", _("Bupati"))):
        if region.lower().startswith(prefix.lower()):
            return f"{head} {region[len(prefix) :]}"
    return _("kepala daerah")


def region_name(letterhead: LetterheadView) -> str:
    """'Kota Pekalongan' from the kop's "Pemerintah Kota Pekalongan", else from the city."""
    government = letterhead.government.strip()
    prefix = "Pemerintah "
    if government.lower().startswith(prefix.lower()) and len(government) > len(prefix):
        region = government[len(prefix) :].strip()
        # A kop typed in capitals ("PEMERINTAH KOTA PEKALONGAN") names it in a sentence
        # as "Kota Pekalongan".
        return region.title() if region.isupper() else region
    return f"Kota {letterhead.city}".strip() if letterhead.city else ""


def participants(meeting_id: int) -> Participants:
    """Everyone who checked in, counted by sex (one query)."""
    query = (
        select(Attendee.sex, func.count())
        .where(Attendee.meeting_id == meeting_id, Attendee.checked_in_at.is_not(None))
        .group_by(Attendee.sex)
    )
    counts = {sex: n for sex, n in db.session.execute(query)}
    male, female = counts.get("L", 0), counts.get("P", 0)
    total = sum(counts.values())
    return Participants(total, male, female, total - male - female)


def pillar_results(meeting_id: int, rows: list[SubmissionRow]) -> tuple[PillarResult, ...]:
    """Per strategy: how many inputs, the proposals taken up and the obstacles raised.

    Merged inputs count under the strategy of the input they were merged into; only
    that input is named, so a proposal made by five lurah is named once.
    """
    primaries, merged = primaries_and_merged(rows)
    by_pillar: dict[int, list[SubmissionRow]] = defaultdict(list)
    counts: Counter[int] = Counter()
    for row in primaries:
        by_pillar[row.pillar_id].append(row)
        counts[row.pillar_id] += 1 + len(merged.get(row.id, []))
    pillars = pillar_views()
    results = []
    for pillar_id in pillar_order(meeting_id, pillars, set(by_pillar)):
        pillar = pillars[pillar_id]
        items = by_pillar.get(pillar_id, [])
        proposals = [
            row.title
            for row in items
            if row.kind == "usulan" and row.status in ("accepted", "follow_up")
        ]
        obstacles = [row.title for row in items if row.kind == "kendala"]
        results.append(
            PillarResult(
                code=pillar.code,
                name=pillar.name,
                count=counts.get(pillar_id, 0),
                proposals=tuple(proposals[:MAIN_ITEMS]),
                obstacles=tuple(obstacles[:MAIN_ITEMS]),
                more_proposals=max(len(proposals) - MAIN_ITEMS, 0),
                more_obstacles=max(len(obstacles) - MAIN_ITEMS, 0),
            )
        )
    return tuple(results)


def report_themes(meeting_id: int) -> dict:
    """The largest themes with their main pillar, as the evaluation summary finds them."""
    found = themes_found(meeting_id, shown=THEMES_NAMED)
    pillars = {pillar.code: pillar for pillar in pillar_views().values()}
    themes = []
    for theme in found["themes"]:
        main = pillars.get(theme.pillars[0].label) if theme.pillars else None
        pillar = f"{main.code} · {main.name}" if main else ""
        themes.append(ReportTheme(theme.name, theme.size, pillar))
    return {
        "themes": tuple(themes),
        "themes_total": found["themes_total"],
        "themed_inputs": found["themed_inputs"],
    }


def signer(meeting_id: int, meeting: MeetingView) -> Signer:
    """The Kepala Bappeda signs: the first signing party of the berita acara, else the chair."""
    signing, _acknowledging = signatory_views(meeting_id)
    if signing:
        first = signing[0]
        return Signer(first.name, first.title, first.nip)
    return Signer(meeting.chair_name, meeting.chair_position, nip(meeting.chair_nip))
