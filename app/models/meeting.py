"""A meeting (rakor), its agenda, attendance, follow-ups and stored documents."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import (
    ATTENDEE_SOURCES,
    DOCUMENT_KINDS,
    FOLLOW_UP_STATUSES,
    LETTERHEAD_KINDS,
    MEETING_STATUSES,
    PROGRESS_CHANNELS,
    RENDER_JOB_STATUSES,
    SEXES,
    SIGNER_ROLES,
    SIGNING_METHODS,
)
from app.models.base import Base, UTCDateTime, check_in, utcnow
from app.models.reference import Agency, Pillar

meeting_pillar = Table(
    "meeting_pillar",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("pillar_id", ForeignKey("pillar.id"), primary_key=True),
)


# The earlier meetings a meeting follows: their follow-ups still open are evaluated at it.
meeting_predecessor = Table(
    "meeting_predecessor",
    Base.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("earlier_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(check_in("status", MEETING_STATUSES), name="status"),
        CheckConstraint(
            "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window"
        ),
        CheckConstraint("late_grace_minutes BETWEEN 0 AND 240", name="late_grace_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public address /m/<code>; short, unambiguous, printed under the QR code.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    venue: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)

    # Submission window (UTC); either end may be open.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Shown in the room and typed on the form; empty means none is asked.
    access_code: Mapped[str | None] = mapped_column(String(40))

    chair_name: Mapped[str] = mapped_column(String(200), default="")
    chair_position: Mapped[str] = mapped_column(String(200), default="")
    chair_nip: Mapped[str] = mapped_column(String(30), default="")
    notetaker_name: Mapped[str] = mapped_column(String(200), default="")
    notetaker_position: Mapped[str] = mapped_column(String(200), default="")
    notetaker_nip: Mapped[str] = mapped_column(String(30), default="")

    opening: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text, default="")
    # The laporan hasil rakor: its dasar (legal basis), maksud dan tujuan, and saran; the
    # rest of the report is built from the record.
    report_basis: Mapped[str] = mapped_column(Text, default="")
    report_purpose: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")

    # Whether /m/<code>/tindak-lanjut shows the public its follow-ups and their progress.
    accountability_public: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Minutes after closing during which a send is still taken, marked late; 0 is none.
    late_grace_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    pillars: Mapped[list[Pillar]] = relationship(
        secondary=meeting_pillar, order_by="Pillar.position"
    )
    predecessors: Mapped[list["Meeting"]] = relationship(
        secondary=meeting_predecessor,
        primaryjoin=lambda: Meeting.id == meeting_predecessor.c.meeting_id,
        secondaryjoin=lambda: Meeting.id == meeting_predecessor.c.earlier_id,
        order_by=lambda: (Meeting.date, Meeting.id),
    )


class AgendaItem(Base):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    discussion: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")


class Attendee(Base):
    """A line of the daftar hadir: someone present, or invited and not (yet) present.

    Presence is a check-in (`checked_in_at`): the participant's own on the meeting's
    check-in page, or the secretariat's at the desk. It is kept apart from who sent
    input; `submission_id` only links a line to an input when someone chose to.
    """

    __tablename__ = "attendee"
    __table_args__ = (
        CheckConstraint("sex IS NULL OR " + check_in("sex", SEXES), name="sex"),
        CheckConstraint(check_in("source", ATTENDEE_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(200), default="")
    sex: Mapped[str | None] = mapped_column(String(1))
    phone: Mapped[str] = mapped_column(String(30), default="")
    source: Mapped[str] = mapped_column(String(8), default="desk")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The personal link of an invitee (/m/<code>?undangan=<token>): it opens the form
    # with their name, role, unit and position filled in. Kept so it can be sent again.
    invitation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    invitation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FollowUp(Base):
    """A tindak lanjut: an action, the agency responsible, a deadline and progress.

    Progress is a history (FollowUpProgress); `status`, `percent`, `progress_note` and
    `reported_on` repeat its latest entry, so the register filters and sorts on columns.
    Only app/follow_ups/progress.py writes them.
    """

    __tablename__ = "follow_up"
    __table_args__ = (
        CheckConstraint(check_in("status", FOLLOW_UP_STATUSES), name="status"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        Index("ix_follow_up_agency_deadline", "agency_id", "deadline"),
        Index("ix_follow_up_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_note: Mapped[str] = mapped_column(Text, default="")
    reported_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency | None] = relationship()
    meeting: Mapped[Meeting] = relationship()
    submission: Mapped["Submission | None"] = relationship()  # noqa: F821  (app/models/submission.py)
    progress: Mapped[list["FollowUpProgress"]] = relationship(
        back_populates="follow_up",
        order_by="(FollowUpProgress.reported_on, FollowUpProgress.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class FollowUpProgress(Base):
    """One progress report on a follow-up: what its status was on a day, and what was done.

    Entries are only ever added; a correction is a newer entry. They may be added after
    the meeting is finalised: the stored, signed documents are never rendered again.
    `reported_on` is the day the report describes (never in the future); the status a
    follow-up had on a day is its latest entry on or before that day.
    """

    __tablename__ = "follow_up_progress"
    __table_args__ = (
        CheckConstraint(check_in("status", FOLLOW_UP_STATUSES), name="status"),
        CheckConstraint(check_in("channel", PROGRESS_CHANNELS), name="channel"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        # One form load (or one workbook row) adds at most one entry.
        UniqueConstraint("follow_up_id", "idempotency_key"),
        Index("ix_follow_up_progress_follow_up_day", "follow_up_id", "reported_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id", ondelete="CASCADE"))
    reported_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("agency_link.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    # The evidence file, if any: its bytes (loaded only when downloaded), its type as
    # read from its content, the name it was uploaded under, its size and SHA-256.
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    evidence_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    evidence_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    evidence_size: Mapped[int | None] = mapped_column(Integer)
    evidence_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    follow_up: Mapped[FollowUp] = relationship(back_populates="progress")


class AgencyLink(Base):
    """A secret link that opens one agency's open follow-ups without signing in.

    Revocable (`revoked_at`), expiring (`expires_at`), and every use is audited and
    rate limited (app/agency_links). The token is kept so the secretariat can send the
    link again in a reminder; whoever holds it reports progress for that agency only.
    """

    __tablename__ = "agency_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()


class MeetingDocument(Base):
    """A rendered PDF. The final minutes are stored once and served ever after."""

    __tablename__ = "meeting_document"
    __table_args__ = (CheckConstraint(check_in("kind", DOCUMENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    # A digest of everything the document was built from: a cache key for drafts.
    source_digest: Mapped[str] = mapped_column(String(64))
    # Indexed: /verify/<sha256> looks a document up by it, for anyone who asks.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Where the signatures' visible stamps go on a final document: "page x1 y1 x2 y2",
    # the page counted from 0, the box in PDF points from the page's lower left corner
    # (app/signing/area.py). Empty for drafts.
    signature_area: Mapped[str] = mapped_column(String(80), default="", server_default="")

    signers: Mapped[list["DocumentSigner"]] = relationship(
        order_by="DocumentSigner.position", cascade="all, delete-orphan", passive_deletes=True
    )


class DocumentSigner(Base):
    """One signer of a final document, in the secretariat's order, and their signature.

    The row is made when the signing order is set (the roles and names come from the
    frozen record); `user_id` is the staff account that signs in that turn. Signing
    fills the rest: the PDF after this signature (an incremental update of the one
    before, so every earlier version is a prefix of it), its SHA-256 beside the
    original's (MeetingDocument.sha256), and the certificate that signed it.
    """

    __tablename__ = "document_signer"
    __table_args__ = (
        CheckConstraint(check_in("role", SIGNER_ROLES), name="role"),
        CheckConstraint(f"method IS NULL OR {check_in('method', SIGNING_METHODS)}", name="method"),
        UniqueConstraint("document_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_document.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Once signed:
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    method: Mapped[str | None] = mapped_column(String(8))
    field_name: Mapped[str] = mapped_column(String(64), default="")
    certificate_subject: Mapped[str] = mapped_column(String(500), default="")
    certificate_issuer: Mapped[str] = mapped_column(String(500), default="")
    certificate_serial: Mapped[str] = mapped_column(String(80), default="")
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class RenderJob(Base):
    """A document being rendered in the background; the page polls it for progress.

    Kept in the database so that any web worker can answer the progress poll,
    whichever worker (or RQ worker) does the rendering.
    """

    __tablename__ = "render_job"
    __table_args__ = (
        CheckConstraint(check_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(check_in("status", RENDER_JOB_STATUSES), name="status"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    source_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_document.id"))
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Signatory(Base):
    """A party that signs the berita acara kesepakatan, or acknowledges it ("Mengetahui")."""

    __tablename__ = "signatory"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")  # jabatan
    agency: Mapped[str] = mapped_column(String(200), default="")  # instansi
    nip: Mapped[str] = mapped_column(String(30), default="")
    acknowledges: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentSetting(Base):
    """How one kind of document is made: its kop, its numbering, its Word template.

    `number_pattern` builds the document's number from its classification code
    (Permendagri 83/2022), e.g. "000.1.4/{seq}/Bappeda/{month_roman}/{year}"; empty
    means the kind is not numbered. `docx_template` is the city's own Word template;
    without one the default template shipped with Rakor is used.
    """

    __tablename__ = "document_setting"
    __table_args__ = (
        CheckConstraint(check_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(check_in("letterhead_kind", LETTERHEAD_KINDS), name="letterhead_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), unique=True)
    letterhead_kind: Mapped[str] = mapped_column(String(8), default="agency")
    number_pattern: Mapped[str] = mapped_column(String(200), default="")
    docx_template: Mapped[bytes | None] = mapped_column(LargeBinary)
    docx_filename: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class DocumentNumber(Base):
    """A number given to a meeting's document at finalisation: unique, never reused.

    A reopened and finalised-again meeting keeps the numbers it was given; a meeting's
    numbers are never handed to another. No cascade: a number outlives nothing.
    """

    __tablename__ = "document_number"
    __table_args__ = (
        CheckConstraint(check_in("kind", DOCUMENT_KINDS), name="kind"),
        UniqueConstraint("kind", "year", "sequence", name="uq_document_number_sequence"),
        UniqueConstraint("meeting_id", "kind", name="uq_document_number_meeting_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(200), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class ShareLink(Base):
    """A revocable link that opens a final document without signing in."""

    __tablename__ = "share_link"
    __table_args__ = (CheckConstraint(check_in("kind", DOCUMENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
