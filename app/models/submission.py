"""A participant's input (masukan) and the notes staff keep on it."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import (
    KINDS,
    NAME_MAX,
    ORGANISATION_MAX,
    PHONE_MAX,
    POSITION_MAX,
    ROLES,
    SUBMISSION_SOURCES,
    SUBMISSION_STATUSES,
    TARGET_GROUPS,
    TITLE_MAX,
)
from app.models.base import Base, UTCDateTime, check_in, utcnow
from app.models.meeting import Meeting
from app.models.reference import Agency, Kecamatan, Kelurahan, Pillar, Program


class Submission(Base):
    """What one participant gave, exactly as given, plus the secretariat's review.

    The participant's words (title, description, the submitted pillar) are never
    rewritten: review changes `pillar_id`, `status` and the links, and every
    change is in the audit log.
    """

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(check_in("role", ROLES), name="role"),
        CheckConstraint(check_in("kind", KINDS), name="kind"),
        CheckConstraint(check_in("target_group", TARGET_GROUPS), name="target_group"),
        CheckConstraint(check_in("status", SUBMISSION_STATUSES), name="status"),
        CheckConstraint(check_in("source", SUBMISSION_SOURCES), name="source"),
        CheckConstraint("beneficiaries IS NULL OR beneficiaries >= 0", name="beneficiaries"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost"),
        # One form load (or one imported row) makes at most one submission: a
        # double tap, a refresh or a retried POST all carry the same key.
        UniqueConstraint("meeting_id", "idempotency_key"),
        Index("ix_submission_meeting_submitted", "meeting_id", "submitted_at"),
        Index("ix_submission_meeting_status", "meeting_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8), default="web")

    submitter_name: Mapped[str] = mapped_column(String(NAME_MAX))
    role: Mapped[str] = mapped_column(String(16))
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"))
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("kecamatan.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), default="")
    position: Mapped[str] = mapped_column(String(POSITION_MAX), default="")
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="")

    kind: Mapped[str] = mapped_column(String(16))
    submitted_pillar_id: Mapped[int] = mapped_column(ForeignKey("pillar.id"))
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillar.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("kelurahan.id"), index=True)
    target_group: Mapped[str] = mapped_column(String(32), default="umum")
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"), index=True)
    beneficiaries: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[int | None] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Taken in the grace period after the meeting closed.
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The participant's own correction link holds a secret only its receipt showed;
    # only its hash is kept.
    correction_token_hash: Mapped[str | None] = mapped_column(String(64))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Name and phone erased after the retention period; the input itself stays.
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    status: Mapped[str] = mapped_column(String(16), default="received")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    responsible_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))

    meeting: Mapped[Meeting] = relationship()
    kelurahan: Mapped[Kelurahan | None] = relationship(foreign_keys=[kelurahan_id])
    kecamatan: Mapped[Kecamatan | None] = relationship(foreign_keys=[kecamatan_id])
    agency: Mapped[Agency | None] = relationship(foreign_keys=[agency_id])
    pillar: Mapped[Pillar] = relationship(foreign_keys=[pillar_id])
    submitted_pillar: Mapped[Pillar] = relationship(foreign_keys=[submitted_pillar_id])
    location: Mapped[Kelurahan | None] = relationship(foreign_keys=[location_id])
    program: Mapped[Program | None] = relationship()
    responsible_agency: Mapped[Agency | None] = relationship(foreign_keys=[responsible_agency_id])
    merged_into: Mapped["Submission | None"] = relationship(remote_side=[id])

    @property
    def unit_name(self) -> str:
        """The submitter's unit as one line: a kelurahan, kecamatan, agency or organisation."""
        if self.role == "lurah" and self.kelurahan:
            return self.kelurahan.name
        if self.role == "camat" and self.kecamatan:
            return self.kecamatan.name
        if self.role == "opd" and self.agency:
            return self.agency.abbreviation
        return self.organisation


class SubmissionNote(Base):
    """A staff note on a submission; never shown to the public."""

    __tablename__ = "submission_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
