"""The audit log, readable: who, when, what, and each field as "before -> after".

Audit lines store ids and stored values (pillar 3, status "follow_up"); people read
names and labels. Everything a page of lines refers to is looked up in one query
per kind (pillars, agencies, inputs, users), never one per line.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app import domain
from app.audit import PERSONAL_FIELDS
from app.auth.access import sees_personal_data
from app.extensions import db
from app.i18n import local_datetime
from app.models import (
    Agency,
    AuditEvent,
    FollowUp,
    Pillar,
    Submission,
    SubmissionNote,
    User,
)
from app.review.queries import PAGE_SIZE, Page

HISTORY_LIMIT = 500
VALUE_MAX = 300

ENTITY_LABELS = {
    "Submission": _l("Masukan"),
    "SubmissionNote": _l("Catatan masukan"),
    "FollowUp": _l("Tindak lanjut"),
    "Meeting": _l("Rapat"),
    "AgendaItem": _l("Agenda"),
    "Attendee": _l("Daftar hadir"),
    "MeetingDocument": _l("Dokumen"),
    "Signatory": _l("Para pihak berita acara"),
    "ShareLink": _l("Tautan berbagi"),
    "DocumentSetting": _l("Pengaturan dokumen"),
    "Theme": _l("Tema"),
}

ACTION_LABELS = {
    "create": _l("menambah"),
    "update": _l("mengubah"),
    "delete": _l("menghapus"),
    "change_pillar": _l("mengubah strategi"),
    "decide": _l("memutuskan"),
    "assign": _l("menetapkan penanggung jawab"),
    "merge": _l("menggabungkan ke masukan lain"),
    "merge_primary": _l("menggabungkan masukan lain ke sini"),
    "unmerge": _l("membatalkan penggabungan"),
    "unmerge_primary": _l("melepas masukan dari gabungan"),
    "finalise": _l("memfinalkan notulen"),
    "reopen": _l("membuka kembali notulen"),
    "archive": _l("mengarsipkan PDF final"),
    "share": _l("membuat tautan berbagi"),
    "revoke": _l("mencabut tautan berbagi"),
    "move": _l("mengubah urutan"),
    "upload_template": _l("mengunggah template Word"),
    "reset_template": _l("memulihkan template Word bawaan"),
    "progress": _l("melaporkan kemajuan"),
    "recompute_themes": _l("menghitung ulang tema"),
    "rename_theme": _l("mengganti nama tema"),
    "move_to_theme": _l("memindahkan masukan ke tema"),
    "merge_themes": _l("menggabungkan tema"),
    "import_invitations": _l("mengimpor daftar undangan"),
    "invitation_links": _l("membuat tautan pribadi undangan"),
    "correct": _l("diubah pengirim lewat tautan tanda terima"),
    "erase_personal_data": _l("menghapus nama dan nomor HP (masa simpan habis)"),
}

FIELD_LABELS = {
    "invitation_sent_at": _l("Undangan dikirim"),
    "pillar_id": _l("Strategi"),
    "submitted_pillar_id": _l("Strategi pilihan pengusul"),
    "status": _l("Status"),
    "decision_reason": _l("Alasan"),
    "merged_into_id": _l("Digabung ke"),
    "responsible_agency_id": _l("Perangkat daerah penanggung jawab"),
    "agency_id": _l("Perangkat daerah"),
    "deadline": _l("Batas waktu"),
    "action": _l("Tindak lanjut"),
    "percent": _l("Persentase selesai"),
    "note": _l("Catatan kemajuan"),
    "progress_note": _l("Perkembangan"),
    "body": _l("Catatan"),
    "submission_id": _l("Masukan"),
    "originals": _l("Masukan yang digabung"),
    "original": _l("Masukan yang dilepas"),
    "title": _l("Judul"),
    "kind": _l("Jenis"),
    "role": _l("Peran"),
    "phone": _l("Nomor HP"),
    "source": _l("Sumber"),
    "row": _l("Baris berkas"),
    "fields": _l("Kolom yang diisi"),
    "imported_rows": _l("Baris yang diimpor"),
    "submission_ids": _l("Masukan yang dibuat"),
    "skipped_rows": _l("Baris yang dilewati"),
    "name": _l("Nama"),
    "position": _l("Jabatan"),
    "unit": _l("Instansi"),
    "sex": _l("L/P"),
    "checked_in_at": _l("Hadir sejak"),
    "agency": _l("Instansi"),
    "nip": _l("NIP"),
    "acknowledges": _l("Mengetahui"),
    "letterhead_kind": _l("Kop surat"),
    "number_pattern": _l("Pola nomor"),
    "docx_filename": _l("Template Word"),
    "docx_size": _l("Ukuran template"),
    "docx_sha256": _l("SHA-256 template"),
    "custom_label": _l("Nama tema"),
    "theme_id": _l("Tema"),
    "theme_pinned": _l("Dipilih sekretariat"),
    "themes": _l("Tema"),
    "inputs": _l("Masukan"),
    "themed_inputs": _l("Masukan dalam tema"),
    "removed_themes": _l("Tema yang dihapus"),
    "submitter_name": _l("Nama pengusul"),
    "description": _l("Uraian"),
    "organisation": _l("Lembaga"),
    "kelurahan_id": _l("Kelurahan"),
    "kecamatan_id": _l("Kecamatan"),
    "location_id": _l("Lokasi"),
    "target_group": _l("Sasaran"),
    "program_id": _l("Program"),
    "beneficiaries": _l("Penerima manfaat"),
    "cost": _l("Perkiraan biaya"),
    "corrected_at": _l("Diubah pengirim"),
    "cutoff": _l("Rapat sebelum tanggal"),
    "submissions": _l("Masukan"),
    "attendee_phones": _l("Nomor HP daftar hadir"),
    "invitation_links": _l("Tautan pribadi undangan"),
}

PILLAR_FIELDS = ("pillar_id", "submitted_pillar_id")
AGENCY_FIELDS = ("agency_id", "responsible_agency_id")
SUBMISSION_FIELDS = ("merged_into_id", "submission_id")
USER_FIELDS = ("decided_by_id", "author_id", "created_by_id", "finalised_by_id")
STATUS_LABELS = {
    "Submission": domain.SUBMISSION_STATUSES,
    "FollowUp": domain.FOLLOW_UP_STATUSES,
    "Meeting": domain.MEETING_STATUSES,
}
VALUE_LABELS = {"kind": domain.KIND_SHORT, "role": domain.ROLES}
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the line has no "before" (something was added)
    after: str | None


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    user_name: str
    action: str
    entity: str
    # The input the line is about (itself, or the input of a note or follow-up), for a link.
    submission_id: int | None
    receipt_code: str
    changes: list[Change]


def submission_history(submission: Submission) -> list[Entry]:
    """Every audit line about the input, its notes and its follow-ups, newest first."""
    notes = select(SubmissionNote.id).where(SubmissionNote.submission_id == submission.id)
    follow_ups = select(FollowUp.id).where(FollowUp.submission_id == submission.id)
    query = (
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            or_(
                and_(AuditEvent.entity_type == "Submission", AuditEvent.entity_id == submission.id),
                and_(AuditEvent.entity_type == "SubmissionNote", AuditEvent.entity_id.in_(notes)),
                and_(AuditEvent.entity_type == "FollowUp", AuditEvent.entity_id.in_(follow_ups)),
            )
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return entries(list(db.session.execute(query)))


def meeting_audit_page(meeting_id: int, number: int) -> Page:
    """One page of the meeting's audit log, newest first."""
    total = (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.meeting_id == meeting_id)
        )
        or 0
    )
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(number, 1), pages)
    query = (
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.meeting_id == meeting_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    )
    return Page(entries(list(db.session.execute(query))), number, PAGE_SIZE, total)


# --- making lines readable -------------------------------------------------------------


class Lookups:
    """Names for the ids a list of audit lines mentions, fetched once per kind."""

    def __init__(self, events: list[AuditEvent]):
        wanted: dict[str, set[int]] = {
            "pillar": set(),
            "agency": set(),
            "submission": set(),
            "user": set(),
        }
        kinds = {
            **dict.fromkeys(PILLAR_FIELDS, "pillar"),
            **dict.fromkeys(AGENCY_FIELDS, "agency"),
            **dict.fromkeys(SUBMISSION_FIELDS, "submission"),
            **dict.fromkeys(USER_FIELDS, "user"),
        }
        for event in events:
            if event.entity_type == "Submission" and event.entity_id is not None:
                wanted["submission"].add(event.entity_id)
            for values in (event.before or {}, event.after or {}):
                for key, value in values.items():
                    if key in kinds and isinstance(value, int):
                        wanted[kinds[key]].add(value)
        self.pillars = self._names(wanted["pillar"], Pillar.id, Pillar.code, Pillar.name)
        self.agencies = self._names(wanted["agency"], Agency.id, Agency.abbreviation)
        self.submissions = self._names(wanted["submission"], Submission.id, Submission.receipt_code)
        self.users = self._names(wanted["user"], User.id, User.name)

    @staticmethod
    def _names(ids: set[int], key, *columns) -> dict[int, str]:
        if not ids:
            return {}
        rows = db.session.execute(select(key, *columns).where(key.in_(sorted(ids))))
        return {row[0]: " ".join(str(part) for part in row[1:]) for row in rows}

    def receipt(self, submission_id: int | None) -> str:
        code = self.submissions.get(submission_id or 0, "")
        return format_receipt(code) if code else ""


def entries(rows: list) -> list[Entry]:
    lookups = Lookups([event for event, _name in rows])
    # A reader without the right to personal data does not learn even whether a phone
    # number was given, changed or removed.
    personal = sees_personal_data()
    result = []
    for event, user_name in rows:
        if event.entity_type == "Submission":
            submission_id = event.entity_id
        else:
            submission_id = (event.after or {}).get("submission_id") or (event.before or {}).get(
                "submission_id"
            )
        result.append(
            Entry(
                event=event,
                user_name=user_name or _("Sistem"),
                action=str(ACTION_LABELS.get(event.action, event.action)),
                entity=entity_label(event.entity_type),
                submission_id=submission_id if isinstance(submission_id, int) else None,
                receipt_code=lookups.receipt(
                    submission_id if isinstance(submission_id, int) else None
                ),
                changes=changes(event, lookups, personal=personal),
            )
        )
    return result


def entity_label(entity_type: str) -> str:
    # A line about no one row (recompute_themes: the meeting's whole set of themes) is
    # stored with an empty type; the cell says so rather than staying blank.
    if not entity_type:
        return EMPTY
    return str(ENTITY_LABELS.get(entity_type, entity_type))


def changes(event: AuditEvent, lookups: Lookups, *, personal: bool) -> list[Change]:
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    result = []
    for key in keys:
        if key in PERSONAL_FIELDS and not personal:
            continue
        if key == "fields" and not personal:  # the fields a paper import filled
            before, after = hide_personal_names(before, key), hide_personal_names(after, key)
        # Some areas log whole snapshots; only what differs is a change worth reading.
        # A personal field is masked alike on both sides: it is logged only when it changed.
        same = key in before and key in after and before[key] == after[key]
        if key == "id" or (same and key not in PERSONAL_FIELDS):
            continue
        result.append(
            Change(
                field=str(FIELD_LABELS.get(key, key)),
                before=readable(event, key, before[key], lookups) if key in before else None,
                after=readable(event, key, after[key], lookups) if key in after else None,
            )
        )
    return result


def hide_personal_names(values: dict, key: str) -> dict:
    if not isinstance(values.get(key), list):
        return values
    return {**values, key: [name for name in values[key] if name not in PERSONAL_FIELDS]}


def readable(event: AuditEvent, key: str, value: Any, lookups: Lookups) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if key in PILLAR_FIELDS:
        return lookups.pillars.get(value, f"#{value}")
    if key in AGENCY_FIELDS:
        return lookups.agencies.get(value, f"#{value}")
    if key in SUBMISSION_FIELDS:
        return lookups.receipt(value) or f"#{value}"
    if key in USER_FIELDS:
        return lookups.users.get(value, f"#{value}")
    if key == "status" and event.entity_type in STATUS_LABELS:
        return str(STATUS_LABELS[event.entity_type].get(value, value))
    if key in VALUE_LABELS:
        return str(VALUE_LABELS[key].get(value, value))
    if key == "fields" and isinstance(value, list):
        return ", ".join(str(name) for name in value)
    if key in ("originals", "original"):
        codes = value if isinstance(value, list) else [value]
        return ", ".join(format_receipt(str(code)) for code in codes)
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, str):
        return shorten(as_date_or_text(value))
    if isinstance(value, int | float):
        return str(value)
    return shorten(json.dumps(value, ensure_ascii=False, default=str))


def as_date_or_text(value: str) -> str:
    """ISO dates and timestamps (how `audit.snapshot` stores them) shown the local way."""
    if len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return format_date(date.fromisoformat(value), "d MMMM y")
        except ValueError:
            return value
    if len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return local_datetime(moment) if moment.tzinfo else value
    return value


def shorten(text: str) -> str:
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def format_receipt(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code
