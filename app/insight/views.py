"""The secretariat's theme pages and the pillar-disagreement queue.

Every route takes the meeting id first; a theme of another meeting is "not found".
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.access import READ, WRITE, can_write, current_actor, role_required
from app.extensions import db
from app.forms import show_refusal
from app.i18n import number as format_number
from app.insight import bp, queries, services
from app.insight.forms import (
    NO_THEME,
    MergeThemesForm,
    MoveInputForm,
    RenameThemeForm,
)
from app.models import Meeting
from app.review.forms import error_list
from app.review.queries import page_number
from app.services import Refused

# --- reading ---------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/themes")
@role_required(*READ)
def themes(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_template(
        "insight/themes.html",
        meeting=meeting,
        overview=queries.themes_overview(meeting.id),
        can_write=can_write(),
    )


@bp.get("/meetings/<int:meeting_id>/themes/<int:theme_id>")
@role_required(*READ)
def theme(meeting_id: int, theme_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    return render_theme(meeting, theme_id, number=page_number(request.args))


@bp.get("/meetings/<int:meeting_id>/pillar-check")
@role_required(*READ)
def pillar_check(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    unreviewed_only = request.args.get("unreviewed") == "1"
    return render_template(
        "insight/pillar_check.html",
        meeting=meeting,
        check=queries.pillar_check(meeting.id, unreviewed_only=unreviewed_only),
        unreviewed_only=unreviewed_only,
    )


# --- changing --------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/themes/recompute")
@role_required(*WRITE)
def recompute_themes(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    try:
        result = services.recompute(meeting.id, current_actor())
    except Refused as refused:  # a finalised meeting
        flash(str(refused), "warning")
    else:
        flash(
            _(
                "%(themes)s tema dari %(inputs)s masukan; %(suggestions)s saran strategi.",
                themes=format_number(result.themes),
                inputs=format_number(result.themed_inputs),
                suggestions=format_number(result.suggestions),
            ),
            "info",
        )
    return redirect(url_for("insight.themes", meeting_id=meeting.id), code=303)


@bp.post("/meetings/<int:meeting_id>/themes/<int:theme_id>/rename")
@role_required(*WRITE)
def rename_theme(meeting_id: int, theme_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = RenameThemeForm()
    if form.validate():
        try:
            renamed = services.rename_theme(
                meeting.id, theme_id, form.name.data or "", current_actor()
            )
        except Refused as refused:
            show_refusal(form, refused)  # a theme of another meeting: 404 below
        else:
            flash(_("Nama tema disimpan: “%(name)s”.", name=renamed.name), "info")
            return back_to_theme(meeting.id, theme_id)
    return render_theme(meeting, theme_id, rename=form)


@bp.post("/meetings/<int:meeting_id>/themes/<int:theme_id>/move")
@role_required(*WRITE)
def move_to_theme(meeting_id: int, theme_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = move_form(meeting.id, theme_id, bound=True)
    # The card was sent from this page of the theme: back to it, or to it with the error.
    number = page_number(request.args)
    if form.validate():
        try:
            services.move_input(
                meeting.id, form.submission_id.data, form.target_theme_id(), current_actor()
            )
        except Refused as refused:
            if refused.code == "not_found":
                abort(404)
            show_refusal(form, refused)
        else:
            target = dict(form.target.choices)[form.target.data]
            flash(_("Masukan dipindahkan ke “%(theme)s”.", theme=target), "info")
            return back_to_theme(meeting.id, theme_id, number)
    return render_theme(meeting, theme_id, number, move=form)


@bp.post("/meetings/<int:meeting_id>/themes/<int:theme_id>/merge")
@role_required(*WRITE)
def merge_themes(meeting_id: int, theme_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = MergeThemesForm()
    if form.validate():
        try:
            merged = services.merge_themes(
                meeting.id, theme_id, form.themes.data or [], current_actor()
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Tema digabung ke “%(name)s”.", name=merged.name), "info")
            return back_to_theme(meeting.id, theme_id)
    return render_theme(meeting, theme_id, merge=form)


# --- helpers ---------------------------------------------------------------------------


def back_to_theme(meeting_id: int, theme_id: int, number: int = 1):
    page = number if number > 1 else None  # url_for leaves out a None
    url = url_for("insight.theme", meeting_id=meeting_id, theme_id=theme_id, page=page)
    return redirect(url, code=303)


def move_form(meeting_id: int, theme_id: int, *, bound: bool = False) -> MoveInputForm:
    form = MoveInputForm() if bound else MoveInputForm(formdata=None)
    others = [choice for choice in queries.theme_choices(meeting_id) if choice.id != theme_id]
    form.target.choices = [("", _("— Pilih —")), (NO_THEME, _("Tanpa tema"))] + [
        (str(c.id), c.name) for c in others
    ]
    return form


def render_theme(meeting: Meeting, theme_id: int, number: int = 1, **posted):
    """Page `number` of a theme's page; `posted` holds the one form that came back with errors."""
    page = queries.theme_page(meeting.id, theme_id, number)
    if page is None:
        abort(404)
    rename = posted.get("rename") or RenameThemeForm(formdata=None)
    if "rename" not in posted and page.theme.renamed:
        rename.name.data = page.theme.name
    failed = next(iter(posted.values()), None)
    errors = error_list(failed) if failed else []
    if "move" in posted:
        # One move form per card: the summary points at the select of the card sent.
        card = f"move-{failed.submission_id.data}-target"
        errors = [(card, label, message) for name, label, message in errors if name == "target"]
    return render_template(
        "insight/theme.html",
        meeting=meeting,
        page=page,
        rename=rename,
        merge=posted.get("merge") or MergeThemesForm(formdata=None),
        move=posted.get("move") or move_form(meeting.id, theme_id),
        errors=errors,
        form_errors=failed.form_errors if failed else [],
        can_write=can_write(),
    ), (422 if posted else 200)
