"""The evaluation summary's content: indicators, input counts, programs, earlier follow-ups.

Built like the minutes (see context.py): plain frozen dataclasses, one query
per section, labels resolved in Indonesian.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from app import domain
from app.documents.charts import PALETTE, Series, bar_chart, line_chart, stacked_bar_chart
from app.documents.context import (
    FULL_TEXT_LIMIT,
    LetterheadView,
    MeetingView,
    SubmissionRow,
    Tally,
    letterhead_view,
    load_meeting,
    meeting_view,
    pillar_order,
    pillar_views,
    primaries_and_merged,
    status_label,
    submission_rows,
)
from app.documents.formatting import change_figure, document_locale, figure, paragraphs
from app.domain import is_overdue
from app.extensions import db
from app.models import (
    Agency,
    FollowUp,
    Indicator,
    IndicatorValue,
    Kecamatan,
    Kelurahan,
    Meeting,
    Pillar,
    Program,
    Submission,
)

if TYPE_CHECKING:
    from app.insight.services import ThemeView
    from app.insight.voice import VoiceAndNeed

# Units whose differences are percentage points ("poin persen"), not percentages.
PERCENT_UNITS = ("persen", "%", "percent")


@dataclass(frozen=True)
class IndicatorYear:
    year: int
    target: Decimal | None
    actual: Decimal | None
    gap: Decimal | None
    source: str


@dataclass(frozen=True)
class YearChange:
    year: int
    achieved: Decimal


@dataclass(frozen=True)
class IndicatorView:
    name: str
    unit: str
    lower_is_better: bool
    years: tuple[IndicatorYear, ...]
    changes: tuple[YearChange, ...]
    last_actual_year: int | None
    final_year: int | None
    final_target: Decimal | None
    remaining_change: Decimal | None
    yearly_change_needed: Decimal | None
    average_change_achieved: Decimal | None
    latest_compared: IndicatorYear | None = None
    # The unit of a difference: "poin persen" for a rate in percent, else the unit itself.
    difference_unit: str = ""
    # The sentences under the indicator's table, worded once for the PDF and the DOCX.
    gap_text: str = ""
    changes_text: str = ""
    needed_text: str = ""

    @property
    def in_percent(self) -> bool:
        return is_percent(self.unit)


@dataclass(frozen=True)
class FeedbackLine:
    title: str
    description: tuple[str, ...]
    proposer: str
    kind: str
    decision: str


@dataclass(frozen=True)
class ProgramView:
    name: str
    agency: str
    pillar: str
    feedback: tuple[FeedbackLine, ...]


@dataclass(frozen=True)
class EarlierFollowUp:
    """A follow-up of an earlier meeting as it stood on the evaluated meeting's date."""

    meeting_title: str
    meeting_date: date
    action: tuple[str, ...]
    agency: str
    deadline: date | None
    status: str
    status_label: str
    progress_note: tuple[str, ...]
    overdue: bool = False
    percent: int = 0
    pillar: str = ""  # the pillar of the input it came from; "" when none


@dataclass(frozen=True)
class CompletionLine:
    """One agency's or pillar's earlier follow-ups by state on the meeting's date.

    `overdue` counts among the not done (open or in progress), so it is not added to
    the total; `percent_done` leaves the cancelled ones out of the base.
    """

    label: str
    done: int = 0
    in_progress: int = 0
    open: int = 0
    cancelled: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.open + self.cancelled

    @property
    def percent_done(self) -> int:
        base = self.total - self.cancelled
        return round(100 * self.done / base) if base else 0


@dataclass(frozen=True)
class Completion:
    by_agency: tuple[CompletionLine, ...]
    by_pillar: tuple[CompletionLine, ...]
    total: CompletionLine
    # Whether the earlier follow-ups are those of the meetings this one follows
    # (Meeting.predecessors) or, when none is named, of every earlier meeting.
    from_predecessors: bool = False


@dataclass(frozen=True)
class RegionCount:
    """A kecamatan's inputs: `count` is the sum of its kelurahan and `kecamatan_level`."""

    kecamatan: str
    count: int
    kelurahan: tuple[Tally, ...]
    # Inputs about the kecamatan as a whole: a camat's, with no kelurahan named.
    kecamatan_level: int = 0


@dataclass(frozen=True)
class CostLine:
    label: str
    inputs: int  # how many inputs of this line carry an estimated cost
    total: int  # rupiah


@dataclass(frozen=True)
class CostSummary:
    """The participants' estimated costs, as given (not verified), by pillar and by area."""

    inputs: int
    total: int
    by_pillar: tuple[CostLine, ...]
    by_area: tuple[CostLine, ...]


@dataclass(frozen=True)
class EvaluationContext:
    kind: str
    letterhead: LetterheadView
    meeting: MeetingView
    indicators: tuple[IndicatorView, ...]
    submissions_total: int
    roles: tuple[Tally, ...]
    pillars: tuple[Tally, ...]
    pillar_roles: tuple[tuple[str, tuple[int, ...]], ...]
    kinds: tuple[Tally, ...]
    statuses: tuple[Tally, ...]
    regions: tuple[RegionCount, ...]
    without_region: int
    programs: tuple[ProgramView, ...]
    earlier_follow_ups: tuple[EarlierFollowUp, ...]
    follow_up_statuses: tuple[Tally, ...]
    # The THEMES_SHOWN largest themes, largest first (see themes_found).
    themes: "tuple[ThemeView, ...]"
    themes_total: int  # every theme found, shown or not
    themed_inputs: int  # the inputs in any theme
    themes_pending: int  # inputs that came in after the stored themes were computed
    costs: CostSummary
    overdue_follow_ups: int
    completion: Completion | None = None
    # Voice against need per kelurahan; None until an admin imports need figures.
    voice: "VoiceAndNeed | None" = None

    @property
    def regions_total(self) -> int:
        """The by-area table's "Jumlah": every input has exactly one line there."""
        return sum(region.count for region in self.regions) + self.without_region

    @property
    def title(self) -> str:
        return f"Ringkasan Evaluasi {self.meeting.title}"


def build_evaluation_context(
    meeting_id: int, *, full_text_limit: int | None = None
) -> EvaluationContext:
    if full_text_limit is None:
        full_text_limit = current_app.config.get("RAKOR_MINUTES_FULL_TEXT_LIMIT", FULL_TEXT_LIMIT)
    with document_locale():
        meeting = load_meeting(meeting_id)
        rows = submission_rows(meeting_id)
        pillars = pillar_views()
        primaries, merged = primaries_and_merged(rows)
        effective_pillar = {row.id: row.pillar_id for row in primaries}
        for root_id, members in merged.items():
            for member in members:
                effective_pillar[member.id] = effective_pillar.get(root_id, member.pillar_id)
        roles = list(domain.ROLES)
        pillar_counts: Counter[int] = Counter()
        pillar_role_counts: dict[int, Counter[str]] = defaultdict(Counter)
        for row in rows:
            pid = effective_pillar.get(row.id, row.pillar_id)
            pillar_counts[pid] += 1
            pillar_role_counts[pid][row.role] += 1
        order = pillar_order(meeting_id, pillars, set(pillar_counts))
        earlier, earlier_statuses, completion = earlier_follow_ups(meeting)
        areas = load_areas()
        regions, without_region = region_counts(rows, areas)
        pillar_labels = {pid: f"{pillars[pid].code} · {pillars[pid].name}" for pid in order}
        return EvaluationContext(
            kind="evaluation",
            letterhead=letterhead_view("evaluation"),
            meeting=meeting_view(meeting),
            indicators=indicator_views(),
            submissions_total=len(rows),
            roles=tallies(Counter(row.role for row in rows), domain.ROLES),
            pillars=tuple(
                Tally(pillars[pid].code, pillars[pid].name, pillar_counts.get(pid, 0))
                for pid in order
            ),
            pillar_roles=tuple(
                (pillars[pid].code, tuple(pillar_role_counts[pid].get(r, 0) for r in roles))
                for pid in order
            ),
            kinds=tallies(Counter(row.kind for row in rows), domain.KIND_SHORT),
            statuses=tallies(Counter(row.status for row in rows), domain.SUBMISSION_STATUSES),
            regions=regions,
            without_region=without_region,
            programs=program_views(rows, full_text_limit),
            earlier_follow_ups=earlier,
            follow_up_statuses=earlier_statuses,
            **themes_found(meeting_id),
            costs=cost_summary(
                meeting_id,
                rows,
                areas,
                {row.id: effective_pillar.get(row.id, row.pillar_id) for row in rows},
                pillar_labels,
            ),
            overdue_follow_ups=sum(1 for line in earlier if line.overdue),
            completion=completion,
            voice=meeting_voice(meeting_id),
        )


def meeting_voice(meeting_id: int) -> "VoiceAndNeed | None":
    # Imported here: app.insight's package loads its views, which reach back into
    # app.documents while this module is still loading.
    from app.insight.voice import voice_and_need

    return voice_and_need(meeting_id)


def tallies(counts: Counter, labels: dict) -> tuple[Tally, ...]:
    """Every label in its vocabulary order, zeros included, so two meetings compare line by line."""
    return tuple(Tally(key, str(label), counts.get(key, 0)) for key, label in labels.items())


def indicator_views() -> tuple[IndicatorView, ...]:
    query = select(Indicator).options(selectinload(Indicator.values))
    indicators = db.session.scalars(query.order_by(Indicator.position, Indicator.name))
    views = []
    for indicator in indicators:
        values = sorted(indicator.values, key=lambda v: v.year)
        years = tuple(
            IndicatorYear(v.year, v.target, v.actual, gap(v.target, v.actual), v.source)
            for v in values
        )
        views.append(indicator_progress(indicator, years))
    return tuple(views)


def missing_actuals(meeting_id: int) -> list[str]:
    """The indicators whose actual figure for the year before the meeting is not entered.

    A meeting evaluates the year just past (the January 2024 meeting looks at
    2023); without that year's actual its summary has no gap and no decrease
    achieved to print.
    """
    meeting_date = db.session.scalar(select(Meeting.date).where(Meeting.id == meeting_id))
    if meeting_date is None:
        return []
    entered = select(IndicatorValue.indicator_id).where(
        IndicatorValue.year == meeting_date.year - 1, IndicatorValue.actual.is_not(None)
    )
    query = (
        select(Indicator.name)
        .where(Indicator.id.not_in(entered))
        .order_by(Indicator.position, Indicator.name)
    )
    return list(db.session.scalars(query))


def gap(target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """Actual minus target: above zero the actual figure is higher than planned."""
    return None if target is None or actual is None else actual - target


def indicator_progress(indicator: Indicator, years: tuple[IndicatorYear, ...]) -> IndicatorView:
    """The change achieved year on year, and the change still needed to reach the final target.

    "Change" is a decrease for an indicator that should fall (the poverty rate)
    and an increase for one that should rise; both are shown as positive
    numbers when they go the right way.
    """
    direction = Decimal(1) if indicator.lower_is_better else Decimal(-1)
    actuals = [y for y in years if y.actual is not None]
    changes = tuple(
        YearChange(year=current.year, achieved=direction * (previous.actual - current.actual))
        for previous, current in pairwise(actuals)
        if current.year == previous.year + 1
    )
    targets = [y for y in years if y.target is not None]
    final = targets[-1] if targets else None
    last = actuals[-1] if actuals else None
    remaining = yearly = None
    if final is not None and last is not None and final.year > last.year:
        remaining = direction * (last.actual - final.target)
        # Nothing is "still needed" once the final target is reached already.
        if remaining > 0:
            yearly = (remaining / (final.year - last.year)).quantize(Decimal("0.01"))
    average = None
    if changes:
        average = (sum(c.achieved for c in changes) / len(changes)).quantize(Decimal("0.01"))
    compared = [y for y in years if y.gap is not None]
    view = IndicatorView(
        name=indicator.name,
        unit=indicator.unit,
        lower_is_better=indicator.lower_is_better,
        years=years,
        changes=changes,
        last_actual_year=last.year if last else None,
        final_year=final.year if final else None,
        final_target=final.target if final else None,
        remaining_change=remaining,
        yearly_change_needed=yearly,
        average_change_achieved=average,
        latest_compared=compared[-1] if compared else None,
        difference_unit=difference_unit(indicator.unit),
    )
    return replace(
        view,
        gap_text=gap_sentence(view),
        changes_text=changes_sentence(view),
        needed_text=needed_sentence(view),
    )


def is_percent(unit: str) -> bool:
    """A rate in percent: its differences are percentage points ("poin persen").

    6,81 persen against a target of 6,50 persen is 0,31 poin persen off, not
    "0,31 persen" (that would be 0,31 % of 6,50, about 0,02 points).
    """
    return unit.strip().lower() in PERCENT_UNITS


def difference_unit(unit: str) -> str:
    return _("poin persen") if is_percent(unit) else unit.strip()


def with_unit(number: str, unit: str) -> str:
    return f"{number} {unit}".strip()


def change_word(indicator: IndicatorView) -> str:
    return _("penurunan") if indicator.lower_is_better else _("kenaikan")


def gap_sentence(indicator: IndicatorView) -> str:
    """'Realisasi 2023 sebesar 6,81 persen terhadap target 6,50 persen: selisih 0,31 poin
    persen di atas target (target belum tercapai).'"""
    latest = indicator.latest_compared
    if latest is None or latest.gap is None:
        return ""
    actual = with_unit(figure(latest.actual), indicator.unit)
    if latest.gap == 0:
        return _(
            "Realisasi %(year)s sebesar %(actual)s, sama dengan targetnya.",
            year=latest.year,
            actual=actual,
        )
    met = (latest.gap < 0) == indicator.lower_is_better
    values = {
        "year": latest.year,
        "actual": actual,
        "target": with_unit(figure(latest.target), indicator.unit),
        "difference": with_unit(figure(abs(latest.gap)), indicator.difference_unit),
        "met": _("target tercapai") if met else _("target belum tercapai"),
    }
    if latest.gap > 0:
        return _(
            "Realisasi %(year)s sebesar %(actual)s terhadap target %(target)s: selisih "
            "%(difference)s di atas target (%(met)s).",
            **values,
        )
    return _(
        "Realisasi %(year)s sebesar %(actual)s terhadap target %(target)s: selisih "
        "%(difference)s di bawah target (%(met)s).",
        **values,
    )


def changes_sentence(indicator: IndicatorView) -> str:
    """'Penurunan yang dicapai per tahun (poin persen): 2022: 0,59; 2023: 0,19 (rata-rata
    0,39 poin persen per tahun).'"""
    if not indicator.changes:
        return ""
    lead = _("%(change)s yang dicapai per tahun", change=change_word(indicator).capitalize())
    if indicator.difference_unit:
        lead += f" ({indicator.difference_unit})"
    listed = "; ".join(f"{c.year}: {change_figure(c.achieved)}" for c in indicator.changes)
    text = f"{lead}: {listed}"
    if indicator.average_change_achieved is not None:
        average = with_unit(figure(indicator.average_change_achieved), indicator.difference_unit)
        text += f" ({_('rata-rata %(value)s per tahun', value=average)})"
    return text + "."


def needed_sentence(indicator: IndicatorView) -> str:
    """'Untuk mencapai target 5,89 persen pada 2026 dari realisasi 2023, masih dibutuhkan
    penurunan 0,92 poin persen, atau 0,31 poin persen per tahun.'"""
    if indicator.remaining_change is not None and indicator.remaining_change <= 0:
        return _(
            "Realisasi %(year)s sudah mencapai target %(final_year)s (%(target)s).",
            year=indicator.last_actual_year,
            final_year=indicator.final_year,
            target=with_unit(figure(indicator.final_target), indicator.unit),
        )
    if indicator.yearly_change_needed is None:
        return ""
    unit = indicator.difference_unit
    return _(
        "Untuk mencapai target %(target)s pada %(final_year)s dari realisasi %(year)s, "
        "masih dibutuhkan %(change)s %(remaining)s, atau %(yearly)s per tahun.",
        target=with_unit(figure(indicator.final_target), indicator.unit),
        final_year=indicator.final_year,
        year=indicator.last_actual_year,
        change=change_word(indicator),
        remaining=with_unit(figure(indicator.remaining_change), unit),
        yearly=with_unit(figure(indicator.yearly_change_needed), unit),
    )


@dataclass(frozen=True)
class Areas:
    kelurahan: dict[int, tuple[str, int]]  # id -> (name, kecamatan id)
    kecamatan: dict[int, str]  # id -> name, in name order


def load_areas() -> Areas:
    by_name = select(Kecamatan).order_by(Kecamatan.name)
    return Areas(
        kelurahan={k.id: (k.name, k.kecamatan_id) for k in db.session.scalars(select(Kelurahan))},
        kecamatan={k.id: k.name for k in db.session.scalars(by_name)},
    )


def area_of(row: SubmissionRow, areas: Areas) -> tuple[int | None, int | None]:
    """(kecamatan, kelurahan) an input is counted under; None where it names none.

    The place the input is about, else the submitter's own kelurahan; a camat's
    input without a place counts for its kecamatan as a whole; an OPD's or a
    stakeholder's input without a place belongs to no area (the city as a whole).
    """
    kel_id = row.location_id or row.kelurahan_id
    if kel_id in areas.kelurahan and areas.kelurahan[kel_id][1] in areas.kecamatan:
        return areas.kelurahan[kel_id][1], kel_id
    if row.kecamatan_id in areas.kecamatan:
        return row.kecamatan_id, None
    return None, None


def region_counts(rows: list[SubmissionRow], areas: Areas) -> tuple[tuple[RegionCount, ...], int]:
    """Inputs by kecamatan and kelurahan, and the number that name no area.

    Every input is counted on exactly one line, so the lines add up to the total.
    """
    by_kelurahan: Counter[int] = Counter()
    kecamatan_level: Counter[int] = Counter()
    without = 0
    for row in rows:
        kec_id, kel_id = area_of(row, areas)
        if kel_id is not None:
            by_kelurahan[kel_id] += 1
        elif kec_id is not None:
            kecamatan_level[kec_id] += 1
        else:
            without += 1
    regions = []
    for kec_id, name in areas.kecamatan.items():
        wards = sorted(
            (
                (areas.kelurahan[k][0], n)
                for k, n in by_kelurahan.items()
                if areas.kelurahan[k][1] == kec_id
            ),
            key=lambda item: (-item[1], item[0]),
        )
        regions.append(
            RegionCount(
                kecamatan=name,
                count=sum(n for _, n in wards) + kecamatan_level.get(kec_id, 0),
                kelurahan=tuple(Tally(ward, ward, n) for ward, n in wards),
                kecamatan_level=kecamatan_level.get(kec_id, 0),
            )
        )
    return tuple(regions), without


def cost_summary(
    meeting_id: int,
    rows: list[SubmissionRow],
    areas: Areas,
    pillar_of: dict[int, int],
    pillar_labels: dict[int, str],
) -> CostSummary:
    """The estimated costs the inputs carry, summed by pillar and by kecamatan.

    Counted like the inputs themselves (merged ones included, under their primary's
    pillar), so a line here matches the same line of the counts.
    """
    query = select(Submission.id, Submission.cost).where(
        Submission.meeting_id == meeting_id, Submission.cost.is_not(None)
    )
    costs: dict[int, int] = {sid: cost for sid, cost in db.session.execute(query)}
    by_pillar: dict[int, list[int]] = defaultdict(list)
    by_area: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        if row.id not in costs:
            continue
        by_pillar[pillar_of[row.id]].append(costs[row.id])
        by_area[area_of(row, areas)[0]].append(costs[row.id])

    def line(label: str, values: list[int]) -> CostLine:
        return CostLine(label, len(values), sum(values))

    pillar_lines = [line(label, by_pillar.get(pid, [])) for pid, label in pillar_labels.items()]
    area_lines = [line(name, by_area.get(kec_id, [])) for kec_id, name in areas.kecamatan.items()]
    area_lines.append(line(_("Tanpa wilayah (tingkat kota)"), by_area.get(None, [])))
    return CostSummary(
        inputs=len(costs),
        total=sum(costs.values()),
        by_pillar=tuple(pillar_lines),
        by_area=tuple(area_lines),
    )


def program_views(rows: list[SubmissionRow], full_text_limit: int) -> tuple[ProgramView, ...]:
    """Every active program (and any retired one that received input), with its feedback.

    As in the minutes, the participants' own words are printed up to `full_text_limit`
    pieces of feedback; above that, the titles.
    """
    full_text = sum(1 for row in rows if row.program_id is not None) <= full_text_limit
    query = (
        select(Program.id, Program.name, Program.active, Agency.abbreviation, Pillar.code)
        .outerjoin(Agency, Agency.id == Program.agency_id)
        .outerjoin(Pillar, Pillar.id == Program.pillar_id)
        .order_by(Pillar.position, Program.name)
    )
    feedback: dict[int, list[FeedbackLine]] = defaultdict(list)
    for row in rows:
        if row.program_id is not None:
            feedback[row.program_id].append(
                FeedbackLine(
                    title=row.title,
                    description=paragraphs(row.description) if full_text else (),
                    proposer=row.proposer,
                    kind=str(domain.KIND_SHORT.get(row.kind, row.kind)),
                    decision=status_label(row.status),
                )
            )
    views = []
    for program_id, name, active, agency, pillar_code in db.session.execute(query):
        if not active and program_id not in feedback:
            continue
        views.append(
            ProgramView(
                name=name,
                agency=agency or "",
                pillar=pillar_code or "",
                feedback=tuple(feedback.get(program_id, ())),
            )
        )
    return tuple(views)


def earlier_follow_ups(
    meeting: Meeting,
) -> tuple[tuple[EarlierFollowUp, ...], tuple[Tally, ...], Completion]:
    """The follow-ups agreed at the meetings this one evaluates, and how far each got.

    Those of the meetings it follows (`Meeting.predecessors`) when any is named, else of
    every earlier meeting. Each is taken as it stood at the end of the meeting's date
    (`progress.states_on`): the status, percent and note of its latest report on or
    before that day, and overdue judged on that day with that status. So the same data
    always prints the same document, and a report made after the meeting changes nothing.
    """
    # Imported here: the follow_ups package loads its views, which reach the documents.
    from app.follow_ups.progress import states_on

    predecessor_ids = [earlier.id for earlier in meeting.predecessors]
    if predecessor_ids:
        which = Meeting.id.in_(predecessor_ids)
    else:
        which = or_(
            Meeting.date < meeting.date,
            and_(Meeting.date == meeting.date, Meeting.id < meeting.id),
        )
    query = (
        select(
            FollowUp.id,
            Meeting.title,
            Meeting.date,
            FollowUp.action,
            Agency.abbreviation,
            FollowUp.deadline,
            Pillar.id,
        )
        .join(Meeting, Meeting.id == FollowUp.meeting_id)
        .outerjoin(Agency, Agency.id == FollowUp.agency_id)
        .outerjoin(Submission, Submission.id == FollowUp.submission_id)
        .outerjoin(Pillar, Pillar.id == Submission.pillar_id)
        .where(which)
        .order_by(Meeting.date.desc(), Meeting.id.desc(), FollowUp.id)
    )
    rows = db.session.execute(query).all()
    states = states_on([row[0] for row in rows], meeting.date)
    pillars = pillar_views()
    lines = []
    for follow_up_id, title, meeting_date, action, agency, deadline, pillar_id in rows:
        state = states[follow_up_id]
        pillar = pillars.get(pillar_id)
        lines.append(
            EarlierFollowUp(
                meeting_title=title,
                meeting_date=meeting_date,
                action=paragraphs(action),
                agency=agency or "",
                deadline=deadline,
                status=state.status,
                status_label=state.label,
                progress_note=paragraphs(state.note),
                overdue=is_overdue(deadline, state.status, meeting.date),
                percent=state.percent,
                pillar=f"{pillar.code} · {pillar.name}" if pillar else "",
            )
        )
    pillar_rank = {f"{p.code} · {p.name}": (p.position, p.code) for p in pillars.values()}
    completion = Completion(
        by_agency=completion_lines(
            lines, lambda line: line.agency, sorted, _("Tanpa penanggung jawab")
        ),
        by_pillar=completion_lines(
            lines,
            lambda line: line.pillar,
            lambda labels: sorted(labels, key=lambda label: pillar_rank.get(label, (0, label))),
            _("Tanpa strategi"),
        ),
        total=completion_line(_("Jumlah"), lines),
        from_predecessors=bool(predecessor_ids),
    )
    statuses = tallies(Counter(line.status for line in lines), domain.FOLLOW_UP_STATUSES)
    return tuple(lines), statuses, completion


def completion_line(label: str, lines: list[EarlierFollowUp]) -> CompletionLine:
    counts = Counter(line.status for line in lines)
    return CompletionLine(
        label=label,
        done=counts.get("done", 0),
        in_progress=counts.get("in_progress", 0),
        open=counts.get("open", 0),
        cancelled=counts.get("cancelled", 0),
        overdue=sum(1 for line in lines if line.overdue),
    )


def completion_lines(
    lines: list[EarlierFollowUp],
    key: Callable[[EarlierFollowUp], str],
    order: Callable[[Iterable[str]], list[str]],
    none_label: str,
) -> tuple[CompletionLine, ...]:
    """One line per group (an agency, a pillar) in `order`, then the one without any."""
    groups: dict[str, list[EarlierFollowUp]] = defaultdict(list)
    for line in lines:
        groups[key(line)].append(line)
    named = [completion_line(label, groups[label]) for label in order(k for k in groups if k)]
    if "" in groups:
        named.append(completion_line(none_label, groups[""]))
    return tuple(named)


# --- themes --------------------------------------------------------------------------

THEMES_SHOWN = 10


def themes_found(meeting_id: int, shown: int = THEMES_SHOWN) -> dict[str, Any]:
    """The context's theme fields: the largest themes, and what the document says of the rest.

    The themes are the insight engine's (app/insight/services.py): the stored ones with the
    secretariat's names and moves once computed, else computed for the document alone.
    """
    # Imported here for the same reason as in meeting_voice.
    from app.insight.services import computed, document_themes, pending_inputs

    themes = sorted(document_themes(meeting_id), key=lambda t: (-t.size, t.name.lower()))
    return {
        "themes": tuple(themes[:shown]),
        "themes_total": len(themes),
        "themed_inputs": sum(theme.size for theme in themes),
        "themes_pending": pending_inputs(meeting_id) if computed(meeting_id) else 0,
    }


# --- the charts: built from the context's numbers, the same SVG on screen and on paper --


def evaluation_charts(context: EvaluationContext) -> dict[str, Any]:
    indicators = []
    for indicator in context.indicators:
        years = [row.year for row in indicator.years]
        indicators.append(
            {
                "trend": line_chart(
                    _("%(name)s: target dan realisasi", name=indicator.name),
                    years,
                    [
                        Series(_("Realisasi"), tuple(row.actual for row in indicator.years)),
                        Series(
                            _("Target"), tuple(row.target for row in indicator.years), dashed=True
                        ),
                    ],
                ),
                "change": change_chart(indicator),
            }
        )
    roles = [str(label) for label in domain.ROLES.values()]
    completion = context.completion
    return {
        "completion_agency": completion_chart(
            _("Tindak lanjut rapat sebelumnya per penanggung jawab"),
            completion.by_agency if completion else (),
        ),
        "completion_pillar": completion_chart(
            _("Tindak lanjut rapat sebelumnya per strategi"),
            completion.by_pillar if completion else (),
        ),
        "indicators": indicators,
        "pillar_roles": stacked_bar_chart(
            _("Masukan per strategi dan asal"), roles, context.pillar_roles
        ),
        "kinds": bar_chart(
            _("Masukan per jenis"), [(tally.label, tally.count) for tally in context.kinds]
        ),
        "kecamatan": bar_chart(
            _("Masukan per kecamatan"),
            [(region.kecamatan, region.count) for region in context.regions]
            + ([(_("Tanpa wilayah"), context.without_region)] if context.without_region else []),
        ),
    }


# Done green, in progress blue, not started orange, cancelled grey: the states' order
# in the completion tables, distinct in greyscale too.
COMPLETION_COLOURS = (PALETTE[2], PALETTE[0], PALETTE[1], PALETTE[4])


def completion_chart(title: str, lines: tuple[CompletionLine, ...]) -> Markup | None:
    """A stacked bar per agency or pillar: done, in progress, not started, cancelled."""
    if not lines:
        return None
    legend = [str(domain.FOLLOW_UP_STATUSES[key]) for key in COMPLETION_ORDER]
    rows = [(line.label, [getattr(line, key) for key in COMPLETION_ORDER]) for line in lines]
    return stacked_bar_chart(
        title, legend, rows, colours=COMPLETION_COLOURS, label_chars=LABEL_CHARS
    )


# The states in the completion tables' and charts' order (the CompletionLine fields).
COMPLETION_ORDER = ("done", "in_progress", "open", "cancelled")
LABEL_CHARS = 22


def change_chart(indicator: IndicatorView) -> Markup | None:
    """Each year's change achieved beside the yearly change still needed."""
    if not indicator.changes and indicator.yearly_change_needed is None:
        return None
    rows: list[tuple[str, Decimal]] = [
        (_("%(year)s (dicapai)", year=change.year), change.achieved) for change in indicator.changes
    ]
    colours = [PALETTE[0]] * len(rows)
    if indicator.yearly_change_needed is not None:
        rows.append(
            (
                _(
                    "%(first)s–%(last)s (dibutuhkan/tahun)",
                    first=indicator.last_actual_year + 1,
                    last=indicator.final_year,
                ),
                indicator.yearly_change_needed,
            )
        )
        colours.append(PALETTE[1])
    label = change_word(indicator)
    if indicator.in_percent:
        label = _("%(change)s (poin persen)", change=label)
    return bar_chart(
        _("%(name)s: %(change)s per tahun", name=indicator.name, change=label),
        rows,
        value_text=change_figure,
        colours=colours,
    )
