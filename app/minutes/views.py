"""The minutes screen: the texts and the follow-ups of one meeting, and the attendance list
as the desk (app/attendance) keeps it."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.documents.finalise import is_final
from app.extensions import db
from app.forms import error_summary
from app.minutes import bp, services
from app.minutes.forms import (
    FollowUpForm,
    FollowUpStatusForm,
    MinutesForm,
    minutes_form_for,
)
from app.minutes.services import FollowUpData
from app.models import FollowUp, Meeting
from app.services import Refused


def follow_up_or_404(meeting: Meeting, follow_up_id: int) -> FollowUp:
    follow_up = services.follow_up_of(meeting.id, follow_up_id)
    if follow_up is None:
        abort(404)
    return follow_up


def page_url(meeting: Meeting, anchor: str = "") -> str:
    return url_for("minutes.edit", meeting_id=meeting.id, _anchor=anchor or None)


# --- the page -------------------------------------------------------------------------------


def render_page(
    meeting: Meeting,
    *,
    record_form: MinutesForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    errors=None,
    conflicts: dict[str, str] | None = None,
    refusal: str | None = None,
    status: int = 200,
):
    page = services.minutes_page(meeting)
    # A form sent just now stays on the page with what was typed, even when the record
    # was finalised meanwhile and the change refused.
    typed = {
        "record": record_form is not None,
        "follow_up": follow_up_form is not None,
    }
    if record_form is None:
        texts = services.stored_texts(meeting)
        record_form = minutes_form_for(page.agenda_items, data=texts, formdata=None)
        record_form.versions.data = services.encode_versions(services.text_versions(texts))
    if follow_up_form is None:
        follow_up_form = FollowUpForm(prefix="fu", formdata=None)
    apply_agencies(follow_up_form, page.agencies)
    return (
        render_template(
            "minutes/edit.html",
            page=page,
            meeting=meeting,
            frozen=is_final(meeting),
            writable=can_write(),
            typed=typed,
            record_form=record_form,
            follow_up_form=follow_up_form,
            status_form=FollowUpStatusForm(formdata=None),
            errors=errors or [],
            conflicts=conflicts or {},
            refusal=refusal,
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/record")
@role_required(*READ)
def edit(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_page(meeting)


@bp.post("/meetings/<int:meeting_id>/record")
@role_required(*WRITE)
def save(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = minutes_form_for(services.agenda_in_order(meeting))
    if form.validate():
        try:
            count = services.save_texts(
                meeting,
                current_actor(),
                form.texts(),
                services.decode_versions(form.versions.data),
            )
        except Refused as refused:
            if refused.code != "conflict":
                return render_page(meeting, record_form=form, refusal=str(refused), status=409)
            current = refused.details["current"]
            versions = services.decode_versions(form.versions.data) | refused.details["versions"]
            form.versions.data = services.encode_versions(versions)
            summary = []
            for key in current:
                form[key].errors = [str(refused)]
                summary.append((form[key].id, form[key].label.text, str(refused)))
            return render_page(
                meeting,
                record_form=form,
                errors=summary,
                conflicts=current,
                status=409,
            )
        if count:
            flash(_("Isi notulen disimpan."), "info")
        else:
            flash(_("Tidak ada perubahan."), "info")
        return redirect(page_url(meeting, "isi"), code=303)
    return render_page(meeting, record_form=form, errors=error_summary(form), status=422)


# --- follow-ups ---------------------------------------------------------------------------


def apply_agencies(form: FollowUpForm, agencies) -> None:
    form.agency.choices = [SelectChoice("", _("— Belum ditentukan —"))] + [
        SelectChoice(str(agency.id), agency.label) for agency in agencies
    ]


def follow_up_data(form: FollowUpForm) -> FollowUpData:
    return FollowUpData(
        action=form.action.data,
        agency_id=int(form.agency.data) if form.agency.data else None,
        deadline=form.deadline.data,
        status=form.status.data,
        progress_note=form.progress_note.data or "",
    )


@bp.post("/meetings/<int:meeting_id>/record/follow-ups")
@role_required(*WRITE)
def add_follow_up(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = FollowUpForm(prefix="fu")
    apply_agencies(form, services.agency_choices())
    if form.validate():
        try:
            services.add_follow_up(meeting, current_actor(), follow_up_data(form))
        except Refused as refused:
            return render_page(meeting, follow_up_form=form, refusal=str(refused), status=409)
        flash(_("Tindak lanjut ditambahkan."), "info")
        return redirect(page_url(meeting, "tindak-lanjut"), code=303)
    return render_page(meeting, follow_up_form=form, errors=error_summary(form), status=422)


def render_follow_up(meeting, follow_up, form, *, errors=None, refusal=None, status=200):
    return (
        render_template(
            "minutes/follow_up.html",
            meeting=meeting,
            follow_up=follow_up,
            form=form,
            frozen=is_final(meeting),
            errors=errors or [],
            refusal=refusal,
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/record/follow-ups/<int:follow_up_id>")
@role_required(*WRITE)
def edit_follow_up(meeting_id: int, follow_up_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    follow_up = follow_up_or_404(meeting, follow_up_id)
    form = FollowUpForm(formdata=None, obj=follow_up)
    form.agency.data = str(follow_up.agency_id) if follow_up.agency_id else ""
    apply_agencies(form, services.agency_choices(follow_up.agency_id))
    return render_follow_up(meeting, follow_up, form)


@bp.post("/meetings/<int:meeting_id>/record/follow-ups/<int:follow_up_id>")
@role_required(*WRITE)
def update_follow_up(meeting_id: int, follow_up_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    follow_up = follow_up_or_404(meeting, follow_up_id)
    form = FollowUpForm()
    apply_agencies(form, services.agency_choices(follow_up.agency_id))
    if form.validate():
        try:
            services.update_follow_up(follow_up, current_actor(), follow_up_data(form))
        except Refused as refused:
            return render_follow_up(meeting, follow_up, form, refusal=str(refused), status=409)
        flash(_("Tindak lanjut disimpan."), "info")
        return redirect(page_url(meeting, "tindak-lanjut"), code=303)
    return render_follow_up(meeting, follow_up, form, errors=error_summary(form), status=422)


@bp.post("/meetings/<int:meeting_id>/record/follow-ups/<int:follow_up_id>/status")
@role_required(*WRITE)
def set_follow_up_status(meeting_id: int, follow_up_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    follow_up = follow_up_or_404(meeting, follow_up_id)
    form = FollowUpStatusForm()
    if form.validate():
        services.set_follow_up_status(follow_up, current_actor(), form.status.data)
        flash(_("Status tindak lanjut diubah."), "info")
        return redirect(page_url(meeting, "tindak-lanjut"), code=303)
    return render_page(meeting, errors=status_errors(form, follow_up), status=422)


def status_errors(form: FollowUpStatusForm, follow_up: FollowUp) -> list[tuple[str, str, str]]:
    anchor = f"fu-status-{follow_up.id}"
    return [(anchor, _("Status"), message) for message in form.status.errors]


@bp.post("/meetings/<int:meeting_id>/record/follow-ups/<int:follow_up_id>/remove")
@role_required(*WRITE)
def remove_follow_up(meeting_id: int, follow_up_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    follow_up = follow_up_or_404(meeting, follow_up_id)
    try:
        outcome = services.remove_follow_up(follow_up, current_actor())
    except Refused as refused:
        return render_page(meeting, refusal=str(refused), status=409)
    if outcome == "cancelled":
        message = _(
            "Tindak lanjut ini berasal dari masukan peserta: tidak dihapus, tetapi dibatalkan."
        )
        flash(message, "info")
    else:
        flash(_("Tindak lanjut dihapus."), "info")
    return redirect(page_url(meeting, "tindak-lanjut"), code=303)
