"""All models, importable from one place (and all registered for Alembic)."""

from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.indicator import Indicator, IndicatorValue
from app.models.insight import NeedDataset, NeedFigure, SubmissionInsight, Theme
from app.models.meeting import (
    AgencyLink,
    AgendaItem,
    Attendee,
    DocumentNumber,
    DocumentSetting,
    DocumentSigner,
    FollowUp,
    FollowUpProgress,
    Meeting,
    MeetingDocument,
    RenderJob,
    ShareLink,
    Signatory,
    meeting_pillar,
    meeting_predecessor,
)
from app.models.reference import (
    Agency,
    Kecamatan,
    Kelurahan,
    Letterhead,
    Pillar,
    Program,
)
from app.models.submission import Submission, SubmissionNote
from app.models.user import User, UserSession

__all__ = [
    "Agency",
    "AgencyLink",
    "AgendaItem",
    "Attendee",
    "AuditEvent",
    "Base",
    "DocumentNumber",
    "DocumentSetting",
    "DocumentSigner",
    "FollowUp",
    "FollowUpProgress",
    "Indicator",
    "IndicatorValue",
    "Kecamatan",
    "Kelurahan",
    "Letterhead",
    "Meeting",
    "MeetingDocument",
    "NeedDataset",
    "NeedFigure",
    "Pillar",
    "Program",
    "RenderJob",
    "ShareLink",
    "Signatory",
    "Submission",
    "SubmissionInsight",
    "SubmissionNote",
    "Theme",
    "User",
    "UserSession",
    "meeting_pillar",
    "meeting_predecessor",
]
