"""The secretariat's review screens: the queue, an input's page, duplicates, the audit log.

Every route takes the meeting id first; an input of another meeting is "not found".
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.domain import is_overdue
from app.extensions import db
from app.forms import show_refusal
from app.i18n import local_today
from app.insight import queries as insight
from app.models import Meeting, Submission
from app.review import bp, duplicates, history, queries, repeats, services
from app.review.forms import (
    DecisionForm,
    FollowUpForm,
    MergeForm,
    MergeGroupForm,
    NoteForm,
    PillarForm,
    UndoMergeForm,
    error_list,
)
from app.review.queries import ReviewFilters
from app.review.services import DECISIONS
from app.services import Refused

SORT_LABELS = {
    "newest": _l("Terbaru dulu"),
    "oldest": _l("Terlama dulu"),
    "pillar": _l("Strategi"),
    "title": _l("Judul (A-Z)"),
    "submitter": _l("Pengusul (A-Z)"),
}

# --- reading ---------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/inputs")
@role_required(*READ)
def queue(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    filters = ReviewFilters.from_args(request.args)
    page = queries.queue_page(meeting.id, filters, queries.page_number(request.args))
    return render_template(
        "review/queue.html",
        meeting=meeting,
        filters=filters,
        page=page,
        options=queries.filter_options(),
        themes=insight.theme_choices(meeting.id),
        sorts=SORT_LABELS,
        repeats=repeats.repeats_for(meeting, [row.submission.id for row in page.items]),
    )


@bp.get("/meetings/<int:meeting_id>/inputs/<int:submission_id>")
@role_required(*READ)
def detail(meeting_id: int, submission_id: int):
    meeting, submission = meeting_and_submission(meeting_id, submission_id)
    return render_detail(meeting, submission)


@bp.get("/meetings/<int:meeting_id>/duplicates")
@role_required(*READ)
def duplicate_list(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_duplicates(meeting)


@bp.get("/meetings/<int:meeting_id>/audit")
@role_required(*READ)
def audit(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    page = history.meeting_audit_page(meeting.id, queries.page_number(request.args))
    return render_template("review/audit.html", meeting=meeting, page=page)


# --- changing --------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/inputs/<int:submission_id>/pillar")
@role_required(*WRITE)
def change_pillar(meeting_id: int, submission_id: int):
    meeting, submission = meeting_and_submission(meeting_id, submission_id)
    form = pillar_form(meeting, submission, bound=True)
    if form.validate():
        try:
            changed = services.change_pillar(submission, int(form.pillar.data), current_actor())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Strategi diubah.") if changed else _("Strategi tidak berubah."), "info")
            return back_to_submission(submission)
    return render_detail(meeting, submission, pillar=form)


@bp.post("/meetings/<int:meeting_id>/inputs/<int:submission_id>/decision")
@role_required(*WRITE)
def decide(meeting_id: int, submission_id: int):
    meeting, submission = meeting_and_submission(meeting_id, submission_id)
    form = DecisionForm()
    if form.validate():
        try:
            changed = services.decide(
                submission, form.decision.data, form.reason.data or "", current_actor()
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Keputusan disimpan.") if changed else _("Keputusan tidak berubah."), "info")
            return back_to_submission(submission)
    return render_detail(meeting, submission, decision=form)


@bp.post("/meetings/<int:meeting_id>/inputs/<int:submission_id>/follow-up")
@role_required(*WRITE)
def assign(meeting_id: int, submission_id: int):
    meeting, submission = meeting_and_submission(meeting_id, submission_id)
    form = follow_up_form(submission, bound=True)
    if form.validate():
        try:
            services.assign_follow_up(
                submission,
                int(form.agency.data),
                form.deadline.data,
                form.action.data,
                current_actor(),
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Tindak lanjut dicatat."), "info")
            return back_to_submission(submission)
    return render_detail(meeting, submission, follow_up=form)


@bp.post("/meetings/<int:meeting_id>/inputs/<int:submission_id>/notes")
@role_required(*WRITE)
def add_note(meeting_id: int, submission_id: int):
    meeting, submission = meeting_and_submission(meeting_id, submission_id)
    form = NoteForm()
    if form.validate():
        try:
            services.add_note(submission, form.body.data, current_actor())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Catatan disimpan."), "info")
            return back_to_submission(submission, anchor="notes")
    return render_detail(meeting, submission, note=form)


@bp.post("/meetings/<int:meeting_id>/inputs/<int:submission_id>/merge")
@role_required(*WRITE)
def merge_into(meeting_id: int, submission_id: int):
    """Merge the checked inputs into this one."""
    meeting, submission = meeting_and_submission(meeting_id, submission_id)
    form = MergeForm()
    if form.validate():
        try:
            merged = services.merge(submission, form.originals.data, current_actor())
        except Refused as refused:
            if refused.code == "not_found":
                abort(404)
            show_refusal(form, refused)
        else:
            flash(_("%(n)d masukan digabung ke masukan ini.", n=len(merged)), "info")
            return back_to_submission(submission, anchor="group")
    return render_detail(meeting, submission, merge=form)


@bp.post("/meetings/<int:meeting_id>/inputs/<int:submission_id>/unmerge")
@role_required(*WRITE)
def unmerge(meeting_id: int, submission_id: int):
    """Take this input out of its group; back to the page the button was on."""
    meeting, submission = meeting_and_submission(meeting_id, submission_id)
    form = UndoMergeForm()
    primary_id = submission.merged_into_id
    if form.validate():
        try:
            services.undo_merge(submission, current_actor())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Penggabungan dibatalkan."), "info")
            if form.back_to.data == primary_id and primary_id is not None:
                primary = db.session.get(Submission, primary_id)
                return back_to_submission(primary, anchor="group")
            return back_to_submission(submission)
    return render_detail(meeting, submission, status=409, unmerge=form)


@bp.post("/meetings/<int:meeting_id>/duplicates/merge")
@role_required(*WRITE)
def merge_group(meeting_id: int):
    """Merge a group found on the duplicates page into the primary chosen there."""
    meeting = db.get_or_404(Meeting, meeting_id)
    form = MergeGroupForm()
    if form.validate():
        primary = queries.meeting_submission(meeting.id, form.primary.data)
        if primary is None:
            abort(404)
        try:
            merged = services.merge(primary, form.originals.data, current_actor())
        except Refused as refused:
            if refused.code == "not_found":
                abort(404)
            show_refusal(form, refused)
        else:
            flash(
                _(
                    "%(n)d masukan digabung ke masukan %(code)s.",
                    n=len(merged),
                    code=history.format_receipt(primary.receipt_code),
                ),
                "info",
            )
            return back_to_submission(primary, anchor="group")
    return render_duplicates(meeting, form=form)


# --- helpers ---------------------------------------------------------------------------


def meeting_and_submission(meeting_id: int, submission_id: int) -> tuple[Meeting, Submission]:
    meeting = db.get_or_404(Meeting, meeting_id)
    submission = queries.meeting_submission(meeting.id, submission_id)
    if submission is None:
        abort(404)
    return meeting, submission


def back_to_submission(submission: Submission, anchor: str | None = None):
    url = url_for(
        "review.detail",
        meeting_id=submission.meeting_id,
        submission_id=submission.id,
        _anchor=anchor,
    )
    return redirect(url, code=303)


def pillar_form(
    meeting: Meeting, submission: Submission, *, bound: bool = False, chosen: int | None = None
) -> PillarForm:
    """The change-pillar form; `chosen` pre-selects a pillar (a suggestion to apply)."""
    form = PillarForm() if bound else PillarForm(formdata=None)
    pillars = queries.active_pillars(meeting)
    form.pillar.choices = [(str(p.id), f"{p.code} · {p.name}") for p in pillars]
    if not bound:
        offered = {p.id for p in pillars}
        selected = chosen if chosen in offered else submission.pillar_id
        if selected in offered:
            form.pillar.data = str(selected)
    return form


def follow_up_form(submission: Submission, *, bound: bool = False) -> FollowUpForm:
    form = FollowUpForm() if bound else FollowUpForm(formdata=None)
    agencies = queries.active_agencies()
    form.agency.choices = [("", _("— Pilih —"))] + [(str(a.id), a.label) for a in agencies]
    if not bound:
        form.action.data = submission.title
        if submission.responsible_agency_id:
            form.agency.data = str(submission.responsible_agency_id)
    return form


def decision_form(submission: Submission) -> DecisionForm:
    form = DecisionForm(formdata=None)
    # "received" is no decision yet: nothing is pre-selected.
    if submission.status in DECISIONS and submission.status != "received":
        form.decision.data = submission.status
        form.reason.data = submission.decision_reason
    return form


def render_detail(meeting: Meeting, submission: Submission, *, status: int = 422, **posted):
    """The input's page; `posted` holds the one form that came back with errors."""
    suggestion = insight.input_insight(submission)
    # The suggestion's link opens the page with it chosen in the form; a human still saves it.
    applying = (
        request.method == "GET"
        and request.args.get("use") == "suggestion"
        and suggestion.differs_from(submission.pillar_id)
    )
    chosen = suggestion.suggested.id if applying else None
    forms = {
        "pillar": posted.get("pillar") or pillar_form(meeting, submission, chosen=chosen),
        "decision": posted.get("decision") or decision_form(submission),
        "follow_up": posted.get("follow_up") or follow_up_form(submission),
        "note": posted.get("note") or NoteForm(formdata=None),
        "merge": posted.get("merge") or MergeForm(formdata=None),
        "unmerge": posted.get("unmerge") or UndoMergeForm(formdata=None),
    }
    failed = next(iter(posted.values()), None)
    page = services.submission_page(submission)
    today = local_today()
    return render_template(
        "review/detail.html",
        meeting=meeting,
        submission=submission,
        page=page,
        repeats=repeats.repeats_for(meeting, [submission.id]).get(submission.id, []),
        overdue={f.id for f in page.follow_ups if is_overdue(f.deadline, f.status, today)},
        insight=suggestion,
        applying=applying,
        suggestion_pillars={p.id for p in queries.active_pillars(meeting)},
        forms=forms,
        errors=error_list(failed) if failed else [],
        form_errors=failed.form_errors if failed else [],
        can_write=can_write(),
    ), (status if posted else 200)


def render_duplicates(meeting: Meeting, form: MergeGroupForm | None = None):
    report = duplicates.duplicate_groups(meeting.id)
    return render_template(
        "review/duplicates.html",
        meeting=meeting,
        report=report,
        threshold=duplicates.SIMILARITY_THRESHOLD,
        errors=error_list(form) if form else [],
        form_errors=form.form_errors if form else [],
        can_write=can_write(),
    ), (422 if form else 200)
