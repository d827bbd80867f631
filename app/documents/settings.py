"""Document settings, per kind of document: its kop, its numbering pattern, its Word template.

GET  /admin/document-settings                        ADMIN  the page, one section per kind
POST /admin/document-settings/<kind>                 ADMIN  save the kop and the number pattern
POST /admin/document-settings/<kind>/template        ADMIN  upload a Word template (.docx)
GET  /admin/document-settings/<kind>/template.docx   ADMIN  the template in use (own or default)
POST /admin/document-settings/<kind>/template/reset  ADMIN  back to the default template

An uploaded template is tried before it is kept: python-docx must open it, and it must
fill in with a real meeting (the demo meeting "rakor2024" when there is one, else the
first meeting, else a sample of the document's own shape). A template that names a
placeholder the document does not have is refused with that placeholder named, and
nothing is stored. Every change is audited; the template's bytes never enter the log,
only its name, size and SHA-256.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.audit import changed, record, snapshot
from app.auth.access import ADMIN, current_actor, role_required
from app.documents import bp, numbering, word
from app.documents.finalise import today_here
from app.documents.forms import ConfirmForm
from app.documents.render import build_context
from app.documents.views import FILE_PREFIX
from app.domain import DOCUMENT_LABELS, LETTERHEAD_KINDS
from app.extensions import db
from app.forms import BaseForm, error_summary, show_refusal
from app.models import DocumentSetting, Meeting, User
from app.services import Refused, transaction

TEMPLATE_MAX_BYTES = 2 * 1024 * 1024  # 2 MiB: a Word template with a logo is some 100 KiB
DEMO_MEETING_CODE = "rakor2024"
AUDITED_FIELDS = ("kind", "letterhead_kind", "number_pattern", "docx_filename")


def word_kinds() -> tuple[str, ...]:
    """The kinds that come as DOCX: those with a template shipped with Rakor."""
    return tuple(kind for kind in DOCUMENT_LABELS if word.has_default_template(kind))


# --- forms ---------------------------------------------------------------------------


class SettingForm(BaseForm):
    letterhead_kind = RadioField(
        _l("Kop surat"),
        choices=[SelectChoice(kind, label) for kind, label in LETTERHEAD_KINDS.items()],
        default="agency",
        invalid_choice_message=_l("Pilihan tidak tersedia. Pilih dari daftar."),
    )
    number_pattern = StringField(
        _l("Pola nomor"),
        description=_l(
            "Dari kode klasifikasi arsip (Permendagri 83/2022). Isian: {seq} nomor urut, "
            "{year} tahun, {month} bulan (01-12), {month_roman} bulan dalam angka Romawi. "
            "Kosongkan bila dokumen ini tidak diberi nomor."
        ),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Length(max=numbering.PATTERN_MAX, message=_l("Paling panjang %(max)d karakter."))
        ],
    )


class TemplateForm(BaseForm):
    template = FileField(
        _l("Template Word baru"),
        description=_l(
            "Berkas .docx, paling besar 2 MiB. Unduh template yang dipakai sekarang, ubah di "
            "Word dengan tetap memakai isian {{ ... }}, lalu unggah di sini."
        ),
    )


# --- service -------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingView:
    kind: str
    label: str
    letterhead_kind: str
    number_pattern: str
    next_number: str  # an example of the next number, "" when not numbered
    has_word: bool  # the kind comes as DOCX
    template_filename: str  # the admin's own template, "" while the default is used
    updated_at: datetime | None


def setting_row(kind: str) -> DocumentSetting:
    """The kind's setting; a new (unsaved) one with the defaults when `flask seed` made none."""
    setting = db.session.scalar(select(DocumentSetting).where(DocumentSetting.kind == kind))
    if setting is None:
        setting = DocumentSetting(
            kind=kind,
            letterhead_kind="agency",
            number_pattern=numbering.DEFAULT_PATTERNS.get(kind, ""),
        )
    return setting


def next_number(kind: str, pattern: str, today: date) -> str:
    """The number the kind's next document would get this year, as an example."""
    if not pattern or numbering.pattern_problem(pattern):
        return ""
    return numbering.format_number(pattern, numbering.next_sequence(kind, today.year), today)


def overview(today: date) -> list[SettingView]:
    views = []
    for kind, label in DOCUMENT_LABELS.items():
        setting = setting_row(kind)
        views.append(
            SettingView(
                kind=kind,
                label=str(label),
                letterhead_kind=setting.letterhead_kind or "agency",
                number_pattern=setting.number_pattern or "",
                next_number=next_number(kind, setting.number_pattern or "", today),
                has_word=word.has_default_template(kind),
                template_filename=setting.docx_filename if setting.docx_template else "",
                updated_at=setting.updated_at,
            )
        )
    return views


def audited(setting: DocumentSetting) -> dict[str, Any]:
    """What the log keeps of a setting: never the template, only its name, size and digest."""
    values = snapshot(setting, AUDITED_FIELDS)
    content = setting.docx_template
    values["docx_size"] = len(content) if content else 0
    values["docx_sha256"] = hashlib.sha256(content).hexdigest() if content else ""
    return values


def save_change(actor: User, setting: DocumentSetting, before: dict, action: str) -> None:
    setting.updated_by_id = actor.id if actor else None
    db.session.add(setting)
    db.session.flush()
    after = audited(setting)
    if before:
        before, after = changed(before, after)
        if not after:  # saved as it was: nothing to log
            return
    record(actor, action, setting, before=before or None, after=after)


def known_kind(kind: str) -> None:
    if kind not in DOCUMENT_LABELS:
        raise Refused("no_kind", _l("Jenis dokumen tidak dikenal."))


@transaction
def update_setting(
    actor: User, kind: str, *, letterhead_kind: str, number_pattern: str
) -> DocumentSetting:
    """Save the kind's kop and number pattern; a pattern that cannot number is refused."""
    known_kind(kind)
    if letterhead_kind not in LETTERHEAD_KINDS:
        raise Refused(
            "invalid_choice",
            _l("Pilihan tidak tersedia. Pilih dari daftar."),
            field="letterhead_kind",
        )
    pattern = number_pattern.strip()
    problem = numbering.pattern_problem(pattern) if pattern else None
    if problem:
        raise Refused("bad_pattern", problem, field="number_pattern")
    # Each kind counts its own sequence: two kinds on one pattern would take the same
    # numbers, and the second finalisation would be refused.
    shared = pattern and db.session.scalar(
        select(DocumentSetting.kind).where(
            DocumentSetting.number_pattern == pattern, DocumentSetting.kind != kind
        )
    )
    if shared:
        raise Refused(
            "pattern_shared",
            _l("Pola nomor ini sudah dipakai %(document)s. Bedakan, misalnya dengan kode "
               "seperti BA atau Lap.", document=DOCUMENT_LABELS[shared]),
            field="number_pattern",
        )  # fmt: skip
    setting = setting_row(kind)
    before = audited(setting) if setting.id else {}
    setting.letterhead_kind = letterhead_kind
    setting.number_pattern = pattern
    save_change(actor, setting, before, "update" if before else "create")
    return setting


def check_template(kind: str, filename: str, content: bytes) -> None:
    """Refuse a file that is not a Word template this document can fill."""
    if not filename.lower().endswith(".docx"):
        raise Refused("docx_name", _l("Pilih berkas Word berakhiran .docx."), field="template")
    if len(content) > TEMPLATE_MAX_BYTES:
        raise Refused(
            "docx_too_large", _l("Berkas template terlalu besar; paling besar 2 MiB."),
            field="template",
        )  # fmt: skip
    word.open_template(content)
    context, number = trial_context(kind)
    if context is None:
        return
    try:
        rendered = word.render_template(content, context, number=number)
    except Refused:
        raise
    except Exception as error:  # a template whose tags break the document's structure
        raise Refused(
            "docx_broken",
            _l("Template tidak dapat diisi: %(message)s.", message=str(error)[:200]),
            field="template",
        ) from None
    word.open_template(rendered)


def trial_context(kind: str) -> tuple[Any, str]:
    """The document of the demo meeting (or the first meeting), else a sample of its shape."""
    meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.code == DEMO_MEETING_CODE))
    if meeting_id is None:
        meeting_id = db.session.scalar(select(Meeting.id).order_by(Meeting.id).limit(1))
    if meeting_id is not None:
        context, _digest = build_context(kind, meeting_id)
        return context, word.document_number(context, kind)
    return word.sample_context(kind), ""


@transaction
def upload_template(actor: User, kind: str, *, filename: str, content: bytes) -> DocumentSetting:
    known_kind(kind)
    check_template(kind, filename, content)
    setting = setting_row(kind)
    before = audited(setting) if setting.id else {}
    setting.docx_template = content
    setting.docx_filename = filename[-200:]
    save_change(actor, setting, before, "upload_template")
    return setting


@transaction
def reset_template(actor: User, kind: str) -> None:
    """Back to the template shipped with Rakor."""
    known_kind(kind)
    setting = setting_row(kind)
    if setting.id is None or setting.docx_template is None:
        return
    before = audited(setting)
    setting.docx_template = None
    setting.docx_filename = ""
    save_change(actor, setting, before, "reset_template")


def current_template(kind: str) -> tuple[bytes, str]:
    """The template in use and a file name for it."""
    setting = setting_row(kind)
    if setting.docx_template:
        return setting.docx_template, setting.docx_filename or f"template-{kind}.docx"
    return word.default_template_path(kind).read_bytes(), f"template-{FILE_PREFIX[kind]}.docx"


# --- views ---------------------------------------------------------------------------


def page(forms: dict | None = None, status: int = 200):
    today = today_here()  # the next number as finalising today would give it
    settings = overview(today)
    forms = forms or {}
    sections = []
    errors = []
    for view in settings:
        setting_form = forms.get(("setting", view.kind)) or SettingForm(
            prefix=view.kind,
            formdata=None,
            data={"letterhead_kind": view.letterhead_kind, "number_pattern": view.number_pattern},
        )
        template_form = forms.get(("template", view.kind)) or TemplateForm(
            prefix=f"{view.kind}-template", formdata=None
        )
        errors += error_summary(setting_form) + error_summary(template_form)
        sections.append((view, setting_form, template_form))
    return render_template(
        "documents/settings.html",
        sections=sections,
        errors=errors,
        reset_form=ConfirmForm(),
    ), status


def kind_or_404(kind: str) -> str:
    if kind not in DOCUMENT_LABELS:
        abort(404)
    return kind


@bp.get("/document-settings")
@role_required(*ADMIN)
def document_settings():
    return page()


@bp.post("/document-settings/<kind>")
@role_required(*ADMIN)
def save_document_setting(kind: str):
    kind_or_404(kind)
    form = SettingForm(prefix=kind)
    if form.validate_on_submit():
        try:
            update_setting(
                current_actor(),
                kind,
                letterhead_kind=form.letterhead_kind.data,
                number_pattern=form.number_pattern.data or "",
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Pengaturan %(document)s disimpan.", document=DOCUMENT_LABELS[kind]), "info")
            return redirect(url_for(".document_settings", _anchor=kind), code=303)
    return page({("setting", kind): form}, 422)


@bp.post("/document-settings/<kind>/template")
@role_required(*ADMIN)
def upload_document_template(kind: str):
    kind_or_404(kind)
    form = TemplateForm(prefix=f"{kind}-template")
    if form.validate_on_submit():
        upload = form.template.data
        try:
            if not isinstance(upload, FileStorage) or not upload.filename:
                raise Refused("no_file", _l("Pilih berkas template .docx."), field="template")
            upload_template(
                current_actor(),
                kind,
                filename=upload.filename,
                content=upload.read(TEMPLATE_MAX_BYTES + 1),
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Template Word %(document)s disimpan.", document=DOCUMENT_LABELS[kind]), "info")
            return redirect(url_for(".document_settings", _anchor=kind), code=303)
    return page({("template", kind): form}, 422)


@bp.get("/document-settings/<kind>/template.docx")
@role_required(*ADMIN)
def download_document_template(kind: str):
    if kind_or_404(kind) not in word_kinds():
        abort(404)
    content, filename = current_template(kind)
    return send_file(
        BytesIO(content),
        mimetype=word.DOCX_MIMETYPE,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )


@bp.post("/document-settings/<kind>/template/reset")
@role_required(*ADMIN)
def reset_document_template(kind: str):
    kind_or_404(kind)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    reset_template(current_actor(), kind)
    flash(
        _("Template Word %(document)s kembali ke template bawaan.", document=DOCUMENT_LABELS[kind]),
        "info",
    )
    return redirect(url_for(".document_settings", _anchor=kind), code=303)
