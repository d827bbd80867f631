"""A meeting's themes and pillar suggestions: computing, storing, and the secretariat's edits.

Recomputing keeps what the secretariat chose:
- an input the secretariat moved (`theme_pinned`) stays in the theme it was put in;
- each newly found group takes over the stored theme whose inputs it holds most of, so
  a renamed theme keeps its name and id while new input joins it;
- a stored theme left with no input is removed; a theme nobody touched is relabelled.

Suggestions are stored beside the input and never written into its pillar.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app.audit import record
from app.documents.finalise import check_not_final, record_is_final
from app.extensions import db
from app.insight.suggestions import Suggestion, suggest_pillars
from app.insight.themes import Description, Text, TextModel
from app.models import (
    Kecamatan,
    Kelurahan,
    Meeting,
    Pillar,
    Submission,
    SubmissionInsight,
    Theme,
    User,
)
from app.models.base import utcnow
from app.models.insight import THEME_LABEL_MAX
from app.services import Refused, transaction

# A suggestion this sure, for another pillar than the input's tag, puts the input in the
# queue to check. On the 2024 demo meeting the model is right on about four in five
# inputs it has not seen, and on every one it is this sure of (tests/test_themes.py).
DISAGREEMENT_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Recomputed:
    themes: int
    themed_inputs: int
    suggestions: int


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class ThemeView:
    """A theme as pages and documents show it."""

    id: int | None  # None for a theme computed for a document but not stored
    name: str
    label: str  # the computed label, shown beside a secretariat's own name
    renamed: bool
    terms: tuple[str, ...]
    size: int
    pillars: tuple[Count, ...]  # by pillar code, most inputs first
    areas: tuple[Count, ...]  # by kecamatan of the input's place, most first
    representative_id: int | None
    representative_title: str
    member_ids: tuple[int, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Disagreement:
    submission: Submission
    suggested: Pillar
    confidence: float


# --- computing -------------------------------------------------------------------------


def texts_of(submissions: Iterable[Submission]) -> list[Text]:
    return [Text(s.id, s.title, s.description) for s in submissions]


def meeting_inputs(meeting_id: int) -> list[Submission]:
    query = select(Submission).where(Submission.meeting_id == meeting_id).order_by(Submission.id)
    return list(db.session.scalars(query))


def reviewed_examples(exclude_meeting_id: int | None = None) -> list[tuple[Text, int]]:
    """Every reviewed input of every meeting with the pillar it carries after review."""
    query = select(Submission.id, Submission.title, Submission.description, Submission.pillar_id)
    query = query.where(Submission.status != "received").order_by(Submission.id)
    if exclude_meeting_id is not None:
        query = query.where(Submission.meeting_id != exclude_meeting_id)
    return [
        (Text(id_, title, text), pillar) for id_, title, text, pillar in db.session.execute(query)
    ]


def recompute(meeting_id: int, actor: User | None = None) -> Recomputed:
    """Find the meeting's themes again and suggest a pillar for each input; keeps edits.

    The computation (seconds for thousands of inputs) runs on a snapshot of the inputs
    with no transaction open, so new input and review go on meanwhile; only storing the
    result takes the meeting's lock. Input that arrives during the computation is left
    for the next one (`pending_inputs`). Refused once the meeting is finalised: its
    themes are part of the record it printed.
    """
    if db.session.get(Meeting, meeting_id).status == "finalised":
        raise record_is_final()
    texts = texts_of(meeting_inputs(meeting_id))
    examples = reviewed_examples()
    db.session.rollback()  # ends the read: nothing is held while computing
    # Suggestions first, then themes: each one's vectors are freed before the next.
    suggestions = suggest_pillars(examples, texts)
    del examples
    model = TextModel(texts) if texts else None
    groups = [[texts[i].id for i in group] for group in model.groups()] if model else []
    return store(meeting_id, actor, texts, model, groups, suggestions)


@transaction
def store(
    meeting_id: int,
    actor: User | None,
    texts: list[Text],
    model: TextModel | None,
    groups: list[list[int]],
    suggestions: dict[int, Suggestion],
) -> Recomputed:
    """Apply a computation to the stored themes, keeping the secretariat's choices."""
    check_not_final(meeting_id)
    seen = [text.id for text in texts]
    insights = (
        {
            row.submission_id: row
            for row in db.session.scalars(
                select(SubmissionInsight).where(SubmissionInsight.submission_id.in_(seen))
            )
        }
        if seen
        else {}
    )
    themes = {
        theme.id: theme
        for theme in db.session.scalars(select(Theme).where(Theme.meeting_id == meeting_id))
    }
    for sid in seen:
        if sid not in insights:
            insights[sid] = SubmissionInsight(submission_id=sid)
            db.session.add(insights[sid])
    pinned = {sid for sid, row in insights.items() if row.theme_pinned}
    previous = Counter(
        row.theme_id for sid, row in insights.items() if sid not in pinned and row.theme_id
    )

    # Each group takes over the stored theme holding most of its inputs, largest first.
    # A theme the secretariat renamed goes first when the group holds at least half of
    # its inputs, so its name is not lost when its group joins a larger one.
    pairs = []
    for number, group in enumerate(groups):
        # Pinned inputs stay where the secretariat put them whatever the group: only the
        # others say which stored theme a group continues.
        held = Counter(
            insights[sid].theme_id
            for sid in group
            if sid not in pinned and insights[sid].theme_id in themes
        )
        for theme_id, count in held.items():
            named = bool(themes[theme_id].custom_label) and 2 * count >= previous[theme_id]
            pairs.append((named, count, -number, theme_id, number))
    taken: dict[int, int] = {}  # group number -> theme id
    used: set[int] = set()
    for _, _, _, theme_id, number in sorted(pairs, reverse=True):
        if number not in taken and theme_id not in used:
            taken[number] = theme_id
            used.add(theme_id)

    now = utcnow()
    members: dict[int, list[int]] = defaultdict(list)  # theme id -> submission ids
    for sid in pinned:
        if insights[sid].theme_id is not None:
            members[insights[sid].theme_id].append(sid)
    for number, group in enumerate(groups):
        theme_id = taken.get(number)
        if theme_id is None:
            theme = Theme(meeting_id=meeting_id, created_at=now)
            db.session.add(theme)
            db.session.flush()
            themes[theme.id] = theme
            theme_id = theme.id
        members[theme_id].extend(sid for sid in group if sid not in pinned)
    for sid, insight in insights.items():
        if sid not in pinned:
            insight.theme_id = None
    for theme_id, sids in members.items():
        for sid in sids:
            insights[sid].theme_id = theme_id

    # A theme no input is in any more goes; one still holding an input moved there
    # after the snapshot keeps its place (and its label until the next computation).
    db.session.flush()
    referenced = set(
        db.session.scalars(
            select(SubmissionInsight.theme_id).where(SubmissionInsight.theme_id.in_(list(themes)))
        )
    )
    index_of = {sid: i for i, sid in enumerate(seen)}
    removed = []
    for theme_id, theme in list(themes.items()):
        if theme_id not in referenced:
            removed.append(theme.name)
            db.session.delete(theme)
            del themes[theme_id]
            continue
        sids = [sid for sid in members.get(theme_id, []) if sid in index_of]
        if sids:
            describe_theme(theme, model.describe([index_of[sid] for sid in sids]), now)

    for sid, insight in insights.items():
        suggestion = suggestions.get(sid)
        insight.suggested_pillar_id = suggestion.pillar_id if suggestion else None
        insight.suggestion_confidence = suggestion.confidence if suggestion else None
        insight.computed_at = now

    result = Recomputed(
        themes=len(themes),
        themed_inputs=sum(len(sids) for sids in members.values()),
        suggestions=len(suggestions),
    )
    record(
        actor,
        "recompute_themes",
        None,
        # The themes that went, by name: a renamed one lost when its group joined
        # another renamed one is named here.
        after={
            "themes": result.themes,
            "themed_inputs": result.themed_inputs,
            "removed_themes": sorted(removed),
        },
        meeting_id=meeting_id,
    )
    return result


def describe_theme(theme: Theme, description: Description, now) -> None:
    theme.label = description.label[:THEME_LABEL_MAX]
    theme.terms = ", ".join(description.terms)[:255]
    theme.representative_id = description.representative_id
    theme.computed_at = now


def pending_inputs(meeting_id: int) -> int:
    """Inputs that came in after the last computation: not yet in any theme or suggestion."""
    query = (
        select(func.count(Submission.id))
        .outerjoin(SubmissionInsight, SubmissionInsight.submission_id == Submission.id)
        .where(Submission.meeting_id == meeting_id, SubmissionInsight.submission_id.is_(None))
    )
    return db.session.scalar(query) or 0


def computed(meeting_id: int) -> bool:
    query = (
        select(SubmissionInsight.submission_id)
        .join(Submission)
        .where(Submission.meeting_id == meeting_id)
        .limit(1)
    )
    return db.session.scalar(query) is not None


# --- the secretariat's edits -----------------------------------------------------------


def theme_of_meeting(meeting_id: int, theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.meeting_id != meeting_id:
        raise Refused("theme_not_found", _l("Tema ini tidak ada pada rapat ini."), field="theme")
    return theme


@transaction
def rename_theme(meeting_id: int, theme_id: int, name: str, actor: User) -> Theme:
    """Give a theme the secretariat's own name; an empty name returns to the computed one."""
    check_not_final(meeting_id)
    theme = theme_of_meeting(meeting_id, theme_id)
    name = " ".join(name.split())
    if len(name) > THEME_LABEL_MAX:
        message = _l("Nama tema paling banyak %(limit)s karakter.", limit=THEME_LABEL_MAX)
        raise Refused("too_long", message, field="name")
    before = {"custom_label": theme.custom_label}
    theme.custom_label = name
    record(
        actor,
        "rename_theme",
        theme,
        before=before,
        after={"custom_label": name},
        meeting_id=meeting_id,
    )
    return theme


@transaction
def move_input(meeting_id: int, submission_id: int, theme_id: int | None, actor: User) -> None:
    """Put an input in a theme (or in none) and keep it there through recomputations."""
    check_not_final(meeting_id)
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.meeting_id != meeting_id:
        raise Refused("not_found", _l("Masukan ini tidak ada pada rapat ini."))
    if theme_id is not None:
        theme_of_meeting(meeting_id, theme_id)
    insight = db.session.get(SubmissionInsight, submission_id)
    if insight is None:
        insight = SubmissionInsight(submission_id=submission_id)
        db.session.add(insight)
    before = {"theme_id": insight.theme_id, "theme_pinned": bool(insight.theme_pinned)}
    insight.theme_id = theme_id
    insight.theme_pinned = True
    record(
        actor,
        "move_to_theme",
        submission,
        before=before,
        after={"theme_id": theme_id, "theme_pinned": True},
        meeting_id=meeting_id,
    )


@transaction
def merge_themes(meeting_id: int, target_id: int, source_ids: Sequence[int], actor: User) -> Theme:
    """Fold themes into one: their inputs move to the target and stay there."""
    check_not_final(meeting_id)
    target = theme_of_meeting(meeting_id, target_id)
    sources = [theme_of_meeting(meeting_id, tid) for tid in dict.fromkeys(source_ids)]
    sources = [theme for theme in sources if theme.id != target.id]
    if not sources:
        message = _l("Pilih paling sedikit satu tema lain untuk digabung.")
        raise Refused("nothing_to_merge", message, field="themes")
    source_ids = [theme.id for theme in sources]
    moved = list(
        db.session.scalars(
            select(SubmissionInsight).where(SubmissionInsight.theme_id.in_(source_ids))
        )
    )
    for insight in moved:
        insight.theme_id = target.id
        insight.theme_pinned = True
    record(
        actor,
        "merge_themes",
        target,
        before={"themes": [{"id": t.id, "name": t.name} for t in sources]},
        after={"theme_id": target.id, "inputs": sorted(i.submission_id for i in moved)},
        meeting_id=meeting_id,
    )
    db.session.execute(delete(Theme).where(Theme.id.in_(source_ids)))
    return target


# --- reading ---------------------------------------------------------------------------


def meeting_themes(meeting_id: int) -> list[ThemeView]:
    """The stored themes, largest first, each with its pillars and areas."""
    rows = db.session.execute(
        select(SubmissionInsight.theme_id, Submission)
        .join(Submission, Submission.id == SubmissionInsight.submission_id)
        .where(Submission.meeting_id == meeting_id, SubmissionInsight.theme_id.is_not(None))
        .order_by(Submission.id)
    ).all()
    by_theme: dict[int, list[Submission]] = defaultdict(list)
    for theme_id, submission in rows:
        by_theme[theme_id].append(submission)
    themes = db.session.scalars(select(Theme).where(Theme.meeting_id == meeting_id))
    names = Names.load()
    views = [
        theme_view(
            names,
            theme.id,
            theme.name,
            theme.label,
            bool(theme.custom_label),
            theme.terms,
            theme.representative_id,
            by_theme.get(theme.id, []),
        )
        for theme in themes
    ]
    return sorted(views, key=lambda view: (-view.size, view.name.lower()))


def document_themes(meeting_id: int) -> tuple[ThemeView, ...]:
    """The themes a document shows: the stored ones, else computed now and not stored.

    A meeting whose themes nobody has computed still gets them in its evaluation and
    laporan; once computed, the secretariat's names and moves are what print.
    """
    if computed(meeting_id):
        return tuple(meeting_themes(meeting_id))
    submissions = meeting_inputs(meeting_id)
    if not submissions:
        return ()
    model = TextModel(texts_of(submissions))
    names = Names.load()
    views = []
    for group in model.groups():
        description = model.describe(group)
        members = [submissions[i] for i in group]
        views.append(
            theme_view(
                names,
                None,
                description.label,
                description.label,
                False,
                ", ".join(description.terms),
                description.representative_id,
                members,
            )
        )
    return tuple(views)


@dataclass(frozen=True)
class Names:
    """Pillar codes and each kelurahan's kecamatan, read once for all of a page's themes."""

    pillar_code: dict[int, str]
    kecamatan_of: dict[int, str]

    @classmethod
    def load(cls) -> "Names":
        return cls(
            pillar_code={p.id: p.code for p in db.session.scalars(select(Pillar))},
            kecamatan_of=dict(
                db.session.execute(
                    select(Kelurahan.id, Kecamatan.name).join(Kecamatan, Kelurahan.kecamatan)
                ).all()
            ),
        )


def theme_view(
    names: Names,
    theme_id,
    name,
    label,
    renamed,
    terms,
    representative_id,
    members: list[Submission],
) -> ThemeView:
    pillars = Counter(names.pillar_code.get(s.pillar_id, "") for s in members)
    kecamatan_of = names.kecamatan_of
    areas = Counter(kecamatan_of[s.location_id] for s in members if s.location_id in kecamatan_of)
    representative = next((s for s in members if s.id == representative_id), None)
    return ThemeView(
        id=theme_id,
        name=name,
        label=label,
        renamed=renamed,
        terms=tuple(t for t in terms.split(", ") if t),
        size=len(members),
        pillars=tuple(Count(k, n) for k, n in sorted(pillars.items(), key=lambda i: (-i[1], i[0]))),
        areas=tuple(Count(k, n) for k, n in sorted(areas.items(), key=lambda i: (-i[1], i[0]))),
        representative_id=representative.id if representative else None,
        representative_title=representative.title if representative else "",
        member_ids=tuple(s.id for s in members),
        titles=tuple(s.title for s in members),
    )


def insight_of(submission_id: int) -> SubmissionInsight | None:
    return db.session.get(SubmissionInsight, submission_id)


def disagreements(meeting_id: int, *, unreviewed_only: bool = False) -> list[Disagreement]:
    """Inputs whose tag the model confidently disagrees with, most confident first."""
    query = (
        select(Submission, Pillar, SubmissionInsight.suggestion_confidence)
        .join(SubmissionInsight, SubmissionInsight.submission_id == Submission.id)
        .join(Pillar, Pillar.id == SubmissionInsight.suggested_pillar_id)
        .where(
            Submission.meeting_id == meeting_id,
            SubmissionInsight.suggested_pillar_id != Submission.pillar_id,
            SubmissionInsight.suggestion_confidence >= DISAGREEMENT_CONFIDENCE,
        )
        .order_by(SubmissionInsight.suggestion_confidence.desc(), Submission.id)
    )
    if unreviewed_only:
        query = query.where(Submission.status == "received")
    return [Disagreement(s, p, c) for s, p, c in db.session.execute(query)]
