"""Voice against need per kelurahan: who was heard in a meeting, against where the need is.

For each kelurahan on the map: its share of the city's need (a `NeedDataset`, for
example households in DTSEN deciles 1-2) against its share of the meeting's input,
counted two ways: by the place an input is about (`Submission.location_id`) and
by the submitter's own kelurahan (a lurah's unit, `Submission.kelurahan_id`). The
gap is need share minus place share, in percentage points: above zero the ward was
heard less than its need, and the most under-heard come first.

Every input of the meeting counts, merged and declined ones too: a participant's
words were said even when the secretariat folded them into another input.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.insight.geo import ward_refs
from app.models import Meeting, Submission
from app.models.insight import NeedDataset, NeedFigure


@dataclass(frozen=True)
class WardVoice:
    code: str  # Kemendagri code, e.g. 33.75.01.1002
    name: str
    kecamatan: str
    need: int | None  # None: no figure in the dataset
    need_share: float  # percent of the city's need, 0..100
    place_inputs: int  # the meeting's inputs whose location is this kelurahan
    place_share: float  # percent of the meeting's inputs that name a location
    submitter_inputs: int  # inputs whose submitter's unit is this kelurahan
    submitter_share: float
    gap: float  # need_share - place_share, percentage points; > 0 under-heard (0 without need)
    cost: int  # sum of estimated costs (Submission.cost) placed here, rupiah
    cost_inputs: int  # how many of those inputs carry a cost


@dataclass(frozen=True)
class VoiceAndNeed:
    dataset_id: int
    measure: str
    year: int
    source: str
    need_total: int
    place_total: int
    submitter_total: int
    wards: tuple[WardVoice, ...]  # most under-heard first (largest gap first)


def default_dataset_id(meeting: Meeting) -> int | None:
    """The dataset a meeting's page opens with.

    Its year: the latest not after the meeting's, else the latest there is. Of that
    year's measures, the one with a figure for the most kelurahan, then the latest
    import: a narrow measure imported after the city-wide one (one kecamatan's
    program, say) does not become every meeting's default.
    """
    year = db.session.scalar(
        select(func.max(NeedDataset.year)).where(NeedDataset.year <= meeting.date.year)
    )
    if year is None:
        year = db.session.scalar(select(func.max(NeedDataset.year)))
    if year is None:
        return None
    return db.session.scalar(
        select(NeedDataset.id)
        .outerjoin(NeedFigure, NeedFigure.dataset_id == NeedDataset.id)
        .where(NeedDataset.year == year)
        .group_by(NeedDataset.id)
        .order_by(
            func.count(NeedFigure.id).desc(), NeedDataset.imported_at.desc(), NeedDataset.id.desc()
        )
        .limit(1)
    )


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def voice_and_need(meeting_id: int, dataset_id: int | None = None) -> VoiceAndNeed | None:
    """None when no need data has been imported (or `dataset_id` names none)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    if dataset_id is None:
        dataset_id = default_dataset_id(meeting)
    dataset = db.session.get(NeedDataset, dataset_id) if dataset_id is not None else None
    if dataset is None:
        return None
    figures = dict(
        db.session.execute(
            select(NeedFigure.kelurahan_id, NeedFigure.figure).where(
                NeedFigure.dataset_id == dataset.id
            )
        ).all()
    )
    of_meeting = Submission.meeting_id == meeting_id
    places = {
        kelurahan_id: (inputs, with_cost, cost)
        for kelurahan_id, inputs, with_cost, cost in db.session.execute(
            select(
                Submission.location_id,
                func.count(),
                func.count(Submission.cost),
                func.coalesce(func.sum(Submission.cost), 0),
            )
            .where(of_meeting, Submission.location_id.is_not(None))
            .group_by(Submission.location_id)
        )
    }
    submitters = dict(
        db.session.execute(
            select(Submission.kelurahan_id, func.count())
            .where(of_meeting, Submission.kelurahan_id.is_not(None))
            .group_by(Submission.kelurahan_id)
        ).all()
    )
    refs = ward_refs()
    need_total = sum(figures.get(ref.kelurahan_id, 0) for ref in refs.values())
    # Shares of every input naming a kelurahan, on the map or not, so they never overstate.
    place_total = sum(inputs for inputs, _with_cost, _cost in places.values())
    submitter_total = sum(submitters.values())
    wards = []
    for ref in refs.values():
        need = figures.get(ref.kelurahan_id)
        inputs, with_cost, cost = places.get(ref.kelurahan_id, (0, 0, 0))
        need_share = percent(need or 0, need_total)
        place_share = percent(inputs, place_total)
        wards.append(
            WardVoice(
                code=ref.code,
                name=ref.name,
                kecamatan=ref.kecamatan,
                need=need,
                need_share=need_share,
                place_inputs=inputs,
                place_share=place_share,
                submitter_inputs=submitters.get(ref.kelurahan_id, 0),
                submitter_share=percent(submitters.get(ref.kelurahan_id, 0), submitter_total),
                gap=need_share - place_share if need is not None else 0.0,
                cost=int(cost),
                cost_inputs=with_cost,
            )
        )
    # Wards without a figure cannot be placed against need: they close the list.
    wards.sort(key=lambda w: (w.need is None, -w.gap, -w.need_share, w.name))
    return VoiceAndNeed(
        dataset_id=dataset.id,
        measure=dataset.measure,
        year=dataset.year,
        source=dataset.source,
        need_total=need_total,
        place_total=place_total,
        submitter_total=submitter_total,
        wards=tuple(wards),
    )
