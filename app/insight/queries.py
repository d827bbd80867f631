"""Reading for the theme pages, the pillar check and the review screens' theme and suggestion.

Every function here only reads; changes go through `app.insight.services`.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.insight import services
from app.insight.services import ThemeView
from app.insight.suggestions import MIN_EXAMPLES
from app.models import Pillar, Submission, SubmissionInsight, Theme
from app.review.queries import PAGE_SIZE, Page

# Why an input shows no suggestion (see `InputInsight.missing`).
NOT_COMPUTED = "not_computed"
TOO_FEW_EXAMPLES = "too_few_examples"


@dataclass(frozen=True)
class ThemesOverview:
    """What the themes page shows: the themes, and the inputs in none of them."""

    computed: bool
    pending: int  # inputs that came in after the last computation
    themes: list[ThemeView]
    unthemed: int  # inputs in no theme, the pending ones included
    total: int


@dataclass(frozen=True)
class ThemeCard:
    """One input on a theme's page, beside the others."""

    submission: Submission
    suggested: Pillar | None
    confidence: float | None
    pinned: bool  # the secretariat put it in this theme


@dataclass(frozen=True)
class ThemeChoice:
    id: int
    name: str
    size: int


@dataclass(frozen=True)
class ThemePage:
    theme: ThemeView
    cards: Page  # of ThemeCard
    others: list[ThemeChoice]  # the meeting's other themes: where to move or merge from


@dataclass(frozen=True)
class InputInsight:
    """An input's theme and pillar suggestion, as its page shows them."""

    theme_id: int | None
    theme_name: str
    suggested: Pillar | None
    confidence: float | None
    # Why there is no suggestion: NOT_COMPUTED, TOO_FEW_EXAMPLES, or "" when there is one.
    missing: str
    # How many reviewed inputs the model needs before it suggests anything.
    min_examples: int = MIN_EXAMPLES

    def differs_from(self, pillar_id: int) -> bool:
        return self.suggested is not None and self.suggested.id != pillar_id


def themes_overview(meeting_id: int) -> ThemesOverview:
    counts = db.session.execute(
        select(
            func.count(Submission.id),
            func.count(Submission.id).filter(SubmissionInsight.theme_id.is_(None)),
        )
        .outerjoin(SubmissionInsight, SubmissionInsight.submission_id == Submission.id)
        .where(Submission.meeting_id == meeting_id)
    ).one()
    total, unthemed = counts
    is_computed = services.computed(meeting_id)
    return ThemesOverview(
        computed=is_computed,
        pending=services.pending_inputs(meeting_id) if is_computed else 0,
        themes=services.meeting_themes(meeting_id) if is_computed else [],
        unthemed=unthemed or 0,
        total=total or 0,
    )


def theme_choices(meeting_id: int) -> list[ThemeChoice]:
    """The meeting's themes by name, with their sizes: for a select or a list of checkboxes."""
    rows = db.session.execute(
        select(Theme, func.count(SubmissionInsight.submission_id))
        .outerjoin(SubmissionInsight, SubmissionInsight.theme_id == Theme.id)
        .where(Theme.meeting_id == meeting_id)
        .group_by(Theme.id)
    ).all()
    choices = [ThemeChoice(theme.id, theme.name, size) for theme, size in rows]
    return sorted(choices, key=lambda choice: (choice.name.lower(), choice.id))


def theme_page(meeting_id: int, theme_id: int, number: int = 1) -> ThemePage | None:
    """Page `number` of a theme's inputs side by side, oldest first; None when the meeting
    has no such theme. Only this theme's inputs are read: a theme of hundreds of inputs in
    a meeting of thousands stays one small page."""
    theme = db.session.scalar(
        select(Theme).where(Theme.id == theme_id, Theme.meeting_id == meeting_id)
    )
    if theme is None:
        return None
    in_theme = (
        select(Submission)
        .join(SubmissionInsight, SubmissionInsight.submission_id == Submission.id)
        .where(Submission.meeting_id == meeting_id, SubmissionInsight.theme_id == theme_id)
    )
    # The summary (size, pillars, areas, representative) needs these columns of every
    # member, not the whole inputs.
    members = db.session.execute(
        in_theme.with_only_columns(
            Submission.id, Submission.title, Submission.pillar_id, Submission.location_id
        ).order_by(Submission.id)
    ).all()
    view = services.theme_view(
        services.Names.load(),
        theme.id,
        theme.name,
        theme.label,
        bool(theme.custom_label),
        theme.terms,
        theme.representative_id,
        members,
    )
    total = len(members)
    number = min(max(number, 1), max(1, -(-total // PAGE_SIZE)))
    rows = db.session.execute(
        in_theme.add_columns(SubmissionInsight)
        .options(
            joinedload(Submission.pillar),
            joinedload(Submission.submitted_pillar),
            joinedload(Submission.location),
            joinedload(SubmissionInsight.suggested_pillar),
        )
        .order_by(Submission.submitted_at, Submission.id)
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    cards = [
        ThemeCard(
            submission,
            insight.suggested_pillar,
            insight.suggestion_confidence,
            bool(insight.theme_pinned),
        )
        for submission, insight in rows
    ]
    others = [choice for choice in theme_choices(meeting_id) if choice.id != theme_id]
    return ThemePage(view, Page(cards, number, PAGE_SIZE, total), others)


def input_insight(submission: Submission) -> InputInsight:
    insight = services.insight_of(submission.id)
    if insight is None:
        return InputInsight(None, "", None, None, NOT_COMPUTED)
    theme = insight.theme
    suggested = insight.suggested_pillar
    return InputInsight(
        theme_id=theme.id if theme else None,
        theme_name=theme.name if theme else "",
        suggested=suggested,
        confidence=insight.suggestion_confidence if suggested else None,
        missing="" if suggested else TOO_FEW_EXAMPLES,
    )


@dataclass(frozen=True)
class PillarCheck:
    items: list[services.Disagreement]
    pillars: dict[int, Pillar]  # every pillar by id: the rows' submitted and current pillars
    computed: bool
    threshold: float


def pillar_check(meeting_id: int, *, unreviewed_only: bool) -> PillarCheck:
    """The inputs whose tag the model confidently disagrees with, most confident first."""
    return PillarCheck(
        items=services.disagreements(meeting_id, unreviewed_only=unreviewed_only),
        pillars={pillar.id: pillar for pillar in db.session.scalars(select(Pillar))},
        computed=services.computed(meeting_id),
        threshold=services.DISAGREEMENT_CONFIDENCE,
    )
