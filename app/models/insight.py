"""What Rakor reads out of many inputs: themes, pillar suggestions, need per kelurahan.

A theme (tema) groups a meeting's inputs that speak of the same thing. Rakor
computes the groups (app/insight/themes.py); the secretariat may rename a theme,
move an input to another theme and merge themes, and those choices survive the
next computation: a renamed theme keeps its name (`custom_label`), a moved input
stays where it was put (`SubmissionInsight.theme_pinned`).

A pillar suggestion is the model's guess of an input's pillar with its
confidence. It is only ever shown: it never changes `Submission.pillar_id`.

Need data (`NeedDataset`) are aggregates per kelurahan supplied by the Bappeda,
for example households in DTSEN deciles 1-2; never person-level data.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.reference import Kelurahan, Pillar
from app.models.submission import Submission

THEME_LABEL_MAX = 120
NEED_MEASURE_MAX = 160
NEED_SOURCE_MAX = 255


class Theme(Base):
    """A group of a meeting's inputs about one subject."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    # Made from the group's characteristic terms at each computation.
    label: Mapped[str] = mapped_column(String(THEME_LABEL_MAX), default="")
    # The secretariat's own name for the theme; when set it wins and is never recomputed.
    custom_label: Mapped[str] = mapped_column(String(THEME_LABEL_MAX), default="")
    # The characteristic terms, most characteristic first, separated by ", ".
    terms: Mapped[str] = mapped_column(String(255), default="")
    # The input closest to the theme's centre: the one to read first.
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    representative: Mapped[Submission | None] = relationship()

    @property
    def name(self) -> str:
        return self.custom_label or self.label


class SubmissionInsight(Base):
    """An input's theme and pillar suggestion, as last computed (or as the secretariat set)."""

    __tablename__ = "submission_insight"
    __table_args__ = (
        CheckConstraint(
            "suggestion_confidence IS NULL OR "
            "(suggestion_confidence >= 0 AND suggestion_confidence <= 1)",
            name="suggestion_confidence",
        ),
    )

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    # Set when the secretariat moved the input: recomputing keeps it in its theme.
    theme_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    suggested_pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillar.id"))
    # The model's probability for its suggestion, 0..1.
    suggestion_confidence: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship()
    theme: Mapped[Theme | None] = relationship()
    suggested_pillar: Mapped[Pillar | None] = relationship()


class NeedDataset(Base):
    """One imported set of need figures: one measure for one year, for the kelurahan.

    Importing the same measure and year again replaces the figures (audited).
    """

    __tablename__ = "need_dataset"
    __table_args__ = (UniqueConstraint("measure", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(NEED_MEASURE_MAX))
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(NEED_SOURCE_MAX), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    figures: Mapped[list["NeedFigure"]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan"
    )


class NeedFigure(Base):
    """A kelurahan's figure in a need dataset (for example 412 households)."""

    __tablename__ = "need_figure"
    __table_args__ = (
        UniqueConstraint("dataset_id", "kelurahan_id"),
        CheckConstraint("figure >= 0", name="figure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("need_dataset.id", ondelete="CASCADE"), index=True
    )
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("kelurahan.id"))
    figure: Mapped[int] = mapped_column(Integer)

    dataset: Mapped[NeedDataset] = relationship(back_populates="figures")
    kelurahan: Mapped[Kelurahan] = relationship()
