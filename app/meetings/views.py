"""The secretariat's meeting screens: list, create, edit, agenda, status, QR poster, live intake."""

from datetime import datetime
from io import BytesIO

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.documents.evaluation import missing_actuals
from app.documents.finalise import is_final, record_is_final
from app.extensions import db
from app.forms import error_summary, show_refusal
from app.i18n import long_date, number
from app.meetings import bp, services
from app.meetings.forms import (
    AgendaItemForm,
    DeleteAgendaItemForm,
    MeetingForm,
    NewMeetingForm,
    local_to_utc,
    utc_to_local,
)
from app.meetings.services import MeetingData
from app.models import AgendaItem, Meeting
from app.qr import public_meeting_url, qr_svg
from app.services import Refused
from app.share.whatsapp import meeting_link_href

STATUS_CHANGES = {
    "open": (services.open_meeting, _l("Rapat dibuka untuk masukan.")),
    "close": (services.close_meeting, _l("Penerimaan masukan ditutup.")),
    "draft": (services.return_to_draft, _l("Rapat dikembalikan ke draf.")),
}


@bp.context_processor
def meeting_helpers() -> dict:
    return {"can_write": can_write()}


# --- list, create, edit ----------------------------------------------------------------


@bp.get("/")
@role_required(*READ)
def index():
    return render_template("meetings/index.html", rows=services.meetings_overview())


@bp.route("/meetings/new", methods=["GET", "POST"])
@role_required(*WRITE)
def create():
    form = NewMeetingForm()
    form.set_pillar_choices(services.active_pillars())
    earlier = services.earlier_meetings()
    form.set_predecessor_choices(predecessor_choices(earlier))
    if request.method == "GET":
        form.code.data = services.new_public_code()
        # A new meeting most often follows the last one.
        form.predecessors.data = [earlier[0].meeting.id] if earlier else []
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(current_actor(), meeting_data(form))
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Rapat dibuat sebagai draf. Periksa datanya, lalu buka untuk masukan."), "info")
            return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
    return form_page(form, meeting=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@role_required(*WRITE)
def edit(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if is_final(meeting):
        flash(str(record_is_final()), "warning")
        return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
    form = MeetingForm(data=form_values(meeting) if request.method == "GET" else None)
    form.set_pillar_choices(services.active_pillars())
    form.set_predecessor_choices(predecessor_choices(earlier_for(meeting)))
    if form.validate_on_submit():
        try:
            saved = services.update_meeting(current_actor(), meeting, meeting_data(form))
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Perubahan disimpan.") if saved else _("Tidak ada yang berubah."), "info")
            return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
    return form_page(form, meeting=meeting)


def earlier_for(meeting: Meeting) -> list[services.EarlierMeeting]:
    """The meetings dated before this one, and any it already follows whatever their date."""
    earlier = services.earlier_meetings(meeting.date, except_meeting_id=meeting.id)
    listed = {row.meeting.id for row in earlier}
    chosen = [m for m in meeting.predecessors if m.id not in listed]
    if not chosen:
        return earlier
    extra = [row for row in services.earlier_meetings() if row.meeting in chosen]
    rows = [*earlier, *extra]
    return sorted(rows, key=lambda row: (row.meeting.date, row.meeting.id), reverse=True)


def predecessor_choices(earlier: list[services.EarlierMeeting]) -> list[tuple[int, str]]:
    return [
        (
            row.meeting.id,
            _(
                "%(title)s · %(date)s · %(open)s tindak lanjut belum selesai",
                title=row.meeting.title,
                date=long_date(row.meeting.date),
                open=number(row.open_follow_ups),
            ),
        )
        for row in earlier
    ]


def form_page(form: MeetingForm, meeting: Meeting | None):
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "meetings/form.html",
            form=form,
            meeting=meeting,
            errors=error_summary(form),
            suggested_access_code=services.new_access_code(),
        ),
        status,
    )


# --- the meeting page and its status -----------------------------------------------------


@bp.get("/meetings/<int:meeting_id>")
@role_required(*READ)
def show(meeting_id: int):
    return meeting_page(meeting_or_404(meeting_id))


@bp.post("/meetings/<int:meeting_id>/open")
@role_required(*WRITE)
def open_meeting(meeting_id: int):
    return change_status(meeting_id, "open")


@bp.post("/meetings/<int:meeting_id>/close")
@role_required(*WRITE)
def close_meeting(meeting_id: int):
    return change_status(meeting_id, "close")


@bp.post("/meetings/<int:meeting_id>/draft")
@role_required(*WRITE)
def return_to_draft(meeting_id: int):
    return change_status(meeting_id, "draft")


def change_status(meeting_id: int, change: str):
    meeting = meeting_or_404(meeting_id)
    apply_change, done = STATUS_CHANGES[change]
    try:
        apply_change(current_actor(), meeting)
    except Refused as refused:
        return meeting_page(meeting, problem=str(refused), status=409)
    flash(str(done), "info")
    return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)


def meeting_page(meeting: Meeting, problem: str | None = None, status: int = 200):
    public_url = public_meeting_url(meeting)
    return (
        render_template(
            "meetings/show.html",
            meeting=meeting,
            access_code=services.spoken_access_code(meeting.access_code),
            summary=services.meeting_summary(meeting),
            public_url=public_url,
            qr=inline_qr(public_url),
            whatsapp_href=meeting_link_href(meeting),
            problem=problem,
            missing_actuals=missing_actuals(meeting.id),
        ),
        status,
    )


# --- the agenda ------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/agenda")
@role_required(*WRITE)
def agenda(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if is_final(meeting):
        flash(str(record_is_final()), "warning")
        return redirect(url_for("meetings.show", meeting_id=meeting.id), code=303)
    return agenda_page(meeting)


@bp.post("/meetings/<int:meeting_id>/agenda")
@role_required(*WRITE)
def add_agenda_item(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    form = AgendaItemForm(prefix="new")
    if form.validate_on_submit():
        try:
            services.add_agenda_item(current_actor(), meeting, form.title.data)
        except Refused as refused:
            return meeting_page(meeting, problem=str(refused), status=409)
        flash(_("Acara ditambahkan."), "info")
        return redirect(url_for("meetings.agenda", meeting_id=meeting.id), code=303)
    return agenda_page(meeting, failed=("new", form), status=422)


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>")
@role_required(*WRITE)
def rename_agenda_item(meeting_id: int, item_id: int):
    item = agenda_item_or_404(meeting_id, item_id)
    form = AgendaItemForm(prefix=f"item-{item.id}")
    if form.validate_on_submit():
        try:
            services.rename_agenda_item(current_actor(), item, form.title.data)
        except Refused as refused:
            return meeting_page(item.meeting, problem=str(refused), status=409)
        flash(_("Judul acara disimpan."), "info")
        return redirect(url_for("meetings.agenda", meeting_id=meeting_id), code=303)
    return agenda_page(item.meeting, failed=(item.id, form), status=422)


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/move")
@role_required(*WRITE)
def move_agenda_item(meeting_id: int, item_id: int):
    item = agenda_item_or_404(meeting_id, item_id)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    try:
        services.move_agenda_item(current_actor(), item, direction)
    except Refused as refused:
        return meeting_page(item.meeting, problem=str(refused), status=409)
    return redirect(url_for("meetings.agenda", meeting_id=meeting_id), code=303)


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/delete")
@role_required(*WRITE)
def delete_agenda_item(meeting_id: int, item_id: int):
    item = agenda_item_or_404(meeting_id, item_id)
    form = DeleteAgendaItemForm(prefix=f"delete-{item.id}")
    form.validate_on_submit()  # nothing can be invalid; this readies the error lists
    meeting = item.meeting
    try:
        services.delete_agenda_item(current_actor(), item, confirmed=bool(form.confirm.data))
    except Refused as refused:
        if refused.field == "confirm":
            show_refusal(form, refused)
            return agenda_page(meeting, failed=(item.id, form), status=422)
        return meeting_page(meeting, problem=str(refused), status=409)
    flash(_("Acara dihapus."), "info")
    return redirect(url_for("meetings.agenda", meeting_id=meeting_id), code=303)


def agenda_page(meeting: Meeting, failed: tuple | None = None, status: int = 200):
    """Each item with its own small forms; `failed` is (item id or "new", the form with errors)."""
    rename_forms, delete_forms = {}, {}
    for item in meeting.agenda_items:
        rename_forms[item.id] = AgendaItemForm(
            prefix=f"item-{item.id}", formdata=None, data={"title": item.title}
        )
        delete_forms[item.id] = DeleteAgendaItemForm(prefix=f"delete-{item.id}", formdata=None)
    new_form = AgendaItemForm(prefix="new", formdata=None)
    errors = []
    if failed is not None:
        key, form = failed
        if key == "new":
            new_form = form
        elif isinstance(form, DeleteAgendaItemForm):
            delete_forms[key] = form
        else:
            rename_forms[key] = form
        errors = error_summary(form)
    return (
        render_template(
            "meetings/agenda.html",
            meeting=meeting,
            rename_forms=rename_forms,
            delete_forms=delete_forms,
            new_form=new_form,
            errors=errors,
        ),
        status,
    )


# --- the room: QR poster and live intake ----------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/poster.pdf")
@role_required(*READ)
def poster(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    pdf = services.poster_pdf(meeting, public_meeting_url(meeting))
    return send_file(
        BytesIO(pdf), mimetype="application/pdf", download_name=f"poster-{meeting.code}.pdf"
    )


@bp.get("/meetings/<int:meeting_id>/live")
@role_required(*READ)
def live(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    snapshot = services.live_snapshot(meeting.id)
    public_url = public_meeting_url(meeting)
    return render_template(
        "meetings/live.html",
        meeting=meeting,
        access_code=services.spoken_access_code(meeting.access_code),
        snapshot=snapshot,
        updated_at=format_time(datetime.fromisoformat(snapshot["generated_at"]), "medium"),
        public_url=public_url,
        qr=inline_qr(public_url, scale=6),
        timezone=timezone(),
    )


@bp.get("/meetings/<int:meeting_id>/live.json")
@role_required(*READ)
def live_json(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    return jsonify(services.live_snapshot(meeting.id))


# --- helpers between the request, the forms and the services ---------------------------------


def meeting_or_404(meeting_id: int) -> Meeting:
    return db.get_or_404(Meeting, meeting_id)


def agenda_item_or_404(meeting_id: int, item_id: int) -> AgendaItem:
    """404 for an unknown item, and for an item of another meeting."""
    item = services.agenda_item_of(meeting_id, item_id)
    if item is None:
        abort(404)
    return item


def inline_qr(public_url: str, scale: int = 8) -> Markup:
    """The QR code as inline SVG. segno builds it from the URL: no user text inside."""
    return Markup(qr_svg(public_url, scale=scale))  # noqa: S704


def timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def form_values(meeting: Meeting) -> dict:
    """The stored meeting as the edit form shows it (the window in local time)."""
    values = {name: getattr(meeting, name) for name in services.AUDITED_FIELDS}
    values["opens_at"] = utc_to_local(meeting.opens_at, timezone())
    values["closes_at"] = utc_to_local(meeting.closes_at, timezone())
    values["access_code"] = meeting.access_code or ""
    values["pillars"] = [p.id for p in meeting.pillars if p.is_active]
    values["predecessors"] = [m.id for m in meeting.predecessors]
    return values


def meeting_data(form: MeetingForm) -> MeetingData:
    agenda = form.agenda_titles() if isinstance(form, NewMeetingForm) else ()
    return MeetingData(
        title=form.title.data,
        date=form.date.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        venue=form.venue.data,
        chair_name=form.chair_name.data,
        chair_position=form.chair_position.data,
        chair_nip=form.chair_nip.data,
        notetaker_name=form.notetaker_name.data,
        notetaker_position=form.notetaker_position.data,
        notetaker_nip=form.notetaker_nip.data,
        opens_at=local_to_utc(form.opens_at.data, timezone()),
        closes_at=local_to_utc(form.closes_at.data, timezone()),
        late_grace_minutes=form.late_grace_minutes.data or 0,
        access_code=form.access_code.data or None,
        pillar_ids=tuple(form.pillars.data or ()),
        code=form.code.data or "",
        agenda=agenda,
        predecessor_ids=tuple(form.predecessors.data or ()),
    )
