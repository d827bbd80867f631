"""The parties of the berita acara and the texts of the laporan: one staff page.

GET  /admin/meetings/<id>/parties                          READ   the signatories and texts
POST /admin/meetings/<id>/parties                          WRITE  add a signatory
GET  /admin/meetings/<id>/parties/<signatory>              WRITE  the page, editing one
POST /admin/meetings/<id>/parties/<signatory>              WRITE  save it
POST /admin/meetings/<id>/parties/<signatory>/move         WRITE  one place up or down
POST /admin/meetings/<id>/parties/<signatory>/remove       WRITE  delete it
POST /admin/meetings/<id>/parties/texts                    WRITE  the laporan's dasar,
                                                                  maksud dan tujuan, saran

A signatory either signs the berita acara as a party or acknowledges it
("Mengetahui", e.g. the Wali Kota); the first signing party also signs the
laporan (the Kepala Bappeda). The list is part of the meeting's record: frozen
with it at finalisation, and every change is audited.
"""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from app.audit import changed, record, snapshot
from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.documents import bp, finalise
from app.domain import grouped_nip
from app.extensions import db
from app.forms import BaseForm, Nip, error_summary
from app.models import Meeting, Signatory, User
from app.services import Refused, transaction

NAME_MAX = 200
TEXT_MAX = 200
REPORT_TEXT_MAX = 20_000
SIGNATORY_FIELDS = ("name", "title", "agency", "nip", "acknowledges", "position")
REPORT_TEXT_FIELDS = ("report_basis", "report_purpose", "recommendations")


# --- forms ---------------------------------------------------------------------------------


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def normalise_newlines(value: str | None) -> str | None:
    """Browsers send CRLF but count a line break as one character against maxlength."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class SignatoryForm(BaseForm):
    name = StringField(
        _l("Nama"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Tulis nama penanda tangan.")),
            Length(max=NAME_MAX, message=_l("Paling panjang %(max)d karakter.")),
        ],
    )
    title = StringField(
        _l("Jabatan"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )
    agency = StringField(
        _l("Instansi"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )
    nip = StringField(
        _l("NIP"),
        description=_l("18 angka, boleh dengan spasi. Kosongkan bila tidak ada."),
        filters=[strip],
        validators=[Length(max=30, message=_l("NIP paling panjang %(max)d karakter.")), Nip()],
    )
    acknowledges = BooleanField(
        _l("Mengetahui"),
        description=_l(
            "Centang untuk pejabat yang mengetahui berita acara (misalnya Wali Kota), "
            "bukan sebagai pihak yang bersepakat."
        ),
    )


def report_text(label, description) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        filters=[strip, normalise_newlines],
        validators=[Length(max=REPORT_TEXT_MAX, message=_l("Paling panjang %(max)d karakter."))],
    )


class ReportTextsForm(BaseForm):
    report_basis = report_text(
        _l("Dasar"),
        _l("Satu dasar hukum per baris. Kosongkan untuk memakai daftar baku."),
    )
    report_purpose = report_text(
        _l("Maksud dan tujuan"),
        _l("Satu paragraf per baris. Kosongkan untuk memakai kalimat baku."),
    )
    recommendations = report_text(_l("Saran"), _l("Satu saran per baris."))


class MoveForm(BaseForm):
    direction = HiddenField(
        validators=[AnyOf(("up", "down"), message=_l("Pilihan tidak tersedia. Pilih dari daftar."))]
    )


# --- services ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatoryData:
    name: str
    title: str = ""
    agency: str = ""
    nip: str = ""
    acknowledges: bool = False


@dataclass(frozen=True)
class ReportTexts:
    report_basis: str = ""
    report_purpose: str = ""
    recommendations: str = ""


def signatories_of(meeting_id: int) -> list[Signatory]:
    return list(
        db.session.scalars(
            select(Signatory)
            .where(Signatory.meeting_id == meeting_id)
            .order_by(Signatory.position, Signatory.id)
        )
    )


def signatory_of(meeting_id: int, signatory_id: int) -> Signatory | None:
    signatory = db.session.get(Signatory, signatory_id)
    return signatory if signatory is not None and signatory.meeting_id == meeting_id else None


def _values(data: SignatoryData) -> dict:
    if not data.name.strip():
        raise Refused("name_required", _l("Tulis nama penanda tangan."), field="name")
    return {
        "name": data.name.strip(),
        "title": data.title.strip(),
        "agency": data.agency.strip(),
        "nip": grouped_nip(data.nip),
        "acknowledges": bool(data.acknowledges),
    }


@transaction
def add_signatory(meeting_id: int, actor: User | None, data: SignatoryData) -> Signatory:
    finalise.check_not_final(meeting_id)
    values = _values(data)
    last = db.session.scalar(
        select(func.max(Signatory.position)).where(Signatory.meeting_id == meeting_id)
    )
    signatory = Signatory(meeting_id=meeting_id, position=(last or 0) + 1, **values)
    db.session.add(signatory)
    db.session.flush()
    after = snapshot(signatory, SIGNATORY_FIELDS)
    record(actor, "create", signatory, after=after, meeting_id=meeting_id)
    return signatory


@transaction
def update_signatory(signatory: Signatory, actor: User | None, data: SignatoryData) -> bool:
    finalise.check_not_final(signatory.meeting_id)
    values = _values(data)
    before = snapshot(signatory, SIGNATORY_FIELDS)
    for key, value in values.items():
        setattr(signatory, key, value)
    old, new = changed(before, snapshot(signatory, SIGNATORY_FIELDS))
    if new:
        record(actor, "update", signatory, before=old, after=new, meeting_id=signatory.meeting_id)
    return bool(new)


@transaction
def move_signatory(signatory: Signatory, actor: User | None, direction: str) -> bool:
    """Swap the signatory with its neighbour; the list is renumbered 1, 2, 3... on the way."""
    if direction not in ("up", "down"):
        raise ValueError(f"unknown direction {direction!r}")
    finalise.check_not_final(signatory.meeting_id)
    rows = signatories_of(signatory.meeting_id)
    index = rows.index(signatory)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return False
    before = [row.id for row in rows]
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        row.position = position
    record(
        actor,
        "reorder",
        signatory,
        before={"order": before},
        after={"order": [row.id for row in rows]},
        meeting_id=signatory.meeting_id,
    )
    return True


@transaction
def remove_signatory(signatory: Signatory, actor: User | None) -> None:
    finalise.check_not_final(signatory.meeting_id)
    before = snapshot(signatory, SIGNATORY_FIELDS)
    record(actor, "delete", signatory, before=before, meeting_id=signatory.meeting_id)
    db.session.delete(signatory)


@transaction
def save_report_texts(meeting: Meeting, actor: User | None, texts: ReportTexts) -> bool:
    finalise.check_not_final(meeting.id)
    before = snapshot(meeting, REPORT_TEXT_FIELDS)
    for name in REPORT_TEXT_FIELDS:
        setattr(meeting, name, getattr(texts, name).strip())
    old, new = changed(before, snapshot(meeting, REPORT_TEXT_FIELDS))
    if new:
        record(actor, "update", meeting, before=old, after=new, meeting_id=meeting.id)
    return bool(new)


# --- views ---------------------------------------------------------------------------------


def page_url(meeting_id: int, anchor: str = "") -> str:
    return url_for("documents.parties", meeting_id=meeting_id, _anchor=anchor or None)


def signatory_or_404(meeting: Meeting, signatory_id: int) -> Signatory:
    signatory = signatory_of(meeting.id, signatory_id)
    if signatory is None:
        abort(404)
    return signatory


def signatory_data(form: SignatoryForm) -> SignatoryData:
    return SignatoryData(
        name=form.name.data or "",
        title=form.title.data or "",
        agency=form.agency.data or "",
        nip=form.nip.data or "",
        acknowledges=bool(form.acknowledges.data),
    )


def render_page(
    meeting: Meeting,
    *,
    signatory_form: SignatoryForm | None = None,
    texts_form: ReportTextsForm | None = None,
    editing: Signatory | None = None,
    errors=None,
    refusal: str | None = None,
    status: int = 200,
):
    # A form sent just now stays on the page with what was typed, even when the record
    # was finalised meanwhile and the change refused.
    typed = {"signatory": signatory_form is not None, "texts": texts_form is not None}
    if signatory_form is None:
        signatory_form = SignatoryForm(formdata=None, obj=editing)
    if texts_form is None:
        texts_form = ReportTextsForm(formdata=None, obj=meeting)
    page = render_template(
        "documents/parties.html",
        meeting=meeting,
        signatories=signatories_of(meeting.id),
        frozen=finalise.is_final(meeting),
        writable=can_write(),
        typed=typed,
        signatory_form=signatory_form,
        texts_form=texts_form,
        editing=editing,
        errors=errors or [],
        refusal=refusal,
    )
    return page, status


def refused_page(meeting: Meeting, refused: Refused, **forms):
    """A refusal beside its field (422), or above the page: the record is final (409)."""
    form = forms.get("signatory_form") or forms.get("texts_form")
    if refused.field and form is not None and refused.field in form:
        form[refused.field].errors = [*form[refused.field].errors, str(refused)]
        return render_page(meeting, errors=error_summary(form), status=422, **forms)
    return render_page(meeting, refusal=str(refused), status=409, **forms)


@bp.get("/meetings/<int:meeting_id>/parties")
@role_required(*READ)
def parties(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_page(meeting)


@bp.post("/meetings/<int:meeting_id>/parties")
@role_required(*WRITE)
def add_party(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = SignatoryForm()
    if not form.validate():
        return render_page(meeting, signatory_form=form, errors=error_summary(form), status=422)
    try:
        add_signatory(meeting.id, current_actor(), signatory_data(form))
    except Refused as refused:
        return refused_page(meeting, refused, signatory_form=form)
    flash(_("Penanda tangan ditambahkan."), "info")
    return redirect(page_url(meeting.id, "penanda-tangan"), code=303)


@bp.get("/meetings/<int:meeting_id>/parties/<int:signatory_id>")
@role_required(*WRITE)
def edit_party(meeting_id: int, signatory_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    signatory = signatory_or_404(meeting, signatory_id)
    return render_page(meeting, editing=signatory)


@bp.post("/meetings/<int:meeting_id>/parties/<int:signatory_id>")
@role_required(*WRITE)
def update_party(meeting_id: int, signatory_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    signatory = signatory_or_404(meeting, signatory_id)
    form = SignatoryForm()
    if not form.validate():
        return render_page(
            meeting,
            signatory_form=form,
            editing=signatory,
            errors=error_summary(form),
            status=422,
        )
    try:
        update_signatory(signatory, current_actor(), signatory_data(form))
    except Refused as refused:
        return refused_page(meeting, refused, signatory_form=form, editing=signatory)
    flash(_("Data penanda tangan disimpan."), "info")
    return redirect(page_url(meeting.id, "penanda-tangan"), code=303)


@bp.post("/meetings/<int:meeting_id>/parties/<int:signatory_id>/move")
@role_required(*WRITE)
def move_party(meeting_id: int, signatory_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    signatory = signatory_or_404(meeting, signatory_id)
    form = MoveForm()
    if not form.validate():
        return render_page(meeting, refusal=_("Urutan tidak diubah. Coba lagi."), status=422)
    try:
        move_signatory(signatory, current_actor(), form.direction.data)
    except Refused as refused:
        return refused_page(meeting, refused)
    return redirect(page_url(meeting.id, "penanda-tangan"), code=303)


@bp.post("/meetings/<int:meeting_id>/parties/<int:signatory_id>/remove")
@role_required(*WRITE)
def remove_party(meeting_id: int, signatory_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    signatory = signatory_or_404(meeting, signatory_id)
    try:
        remove_signatory(signatory, current_actor())
    except Refused as refused:
        return refused_page(meeting, refused)
    flash(_("Penanda tangan dihapus."), "info")
    return redirect(page_url(meeting.id, "penanda-tangan"), code=303)


@bp.post("/meetings/<int:meeting_id>/parties/texts")
@role_required(*WRITE)
def report_texts(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = ReportTextsForm()
    if not form.validate():
        return render_page(meeting, texts_form=form, errors=error_summary(form), status=422)
    texts = ReportTexts(**{name: form[name].data or "" for name in REPORT_TEXT_FIELDS})
    try:
        saved = save_report_texts(meeting, current_actor(), texts)
    except Refused as refused:
        return refused_page(meeting, refused, texts_form=form)
    flash(_("Teks laporan disimpan.") if saved else _("Tidak ada perubahan."), "info")
    return redirect(page_url(meeting.id, "teks-laporan"), code=303)
