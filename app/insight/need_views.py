"""Need per kelurahan: the admin's import and a meeting's voice-and-need page."""

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.access import ADMIN, READ, current_actor, role_required
from app.documents.formatting import FILTERS
from app.extensions import db
from app.forms import error_summary, show_refusal
from app.insight import bp, need
from app.insight.geo import ward_map_svg
from app.insight.need_forms import NeedImportForm
from app.insight.voice import voice_and_need
from app.models import Meeting
from app.models.insight import NeedDataset
from app.services import Refused

# The map is drawn where a template asks for it: this page and the evaluation's section.
bp.add_app_template_global(ward_map_svg, "ward_map")


def need_page(form: NeedImportForm, *, errors: list[str] | None = None, status: int = 200):
    page = render_template(
        "insight/need.html",
        form=form,
        datasets=need.need_datasets(),
        summary=error_summary(form),
        row_errors=errors or [],
    )
    return page, status


@bp.route("/need", methods=["GET", "POST"])
@role_required(*ADMIN)
def need_index():
    form = NeedImportForm()
    if not form.validate_on_submit():
        return need_page(form, status=422 if form.is_submitted() else 200)
    # One byte past the limit is enough to know the file is too big.
    content = form.file.data.stream.read(need.MAX_UPLOAD_BYTES + 1)
    try:
        dataset = need.import_need(current_actor(), measure=form.measure.data, content=content)
    except Refused as refused:
        if refused.field == "measure":
            show_refusal(form, refused)
        return need_page(form, errors=refused.details.get("errors", []), status=422)
    flash(
        _(
            "Data kebutuhan “%(measure)s” tahun %(year)s diimpor untuk %(count)s kelurahan.",
            measure=dataset.measure,
            year=dataset.year,
            count=len(dataset.figures),
        ),
        "info",
    )
    return redirect(url_for("insight.need_index"), code=303)


@bp.post("/need/<int:dataset_id>/delete")
@role_required(*ADMIN)
def need_delete(dataset_id: int):
    dataset = db.get_or_404(NeedDataset, dataset_id)
    label = _("“%(measure)s” tahun %(year)s", measure=dataset.measure, year=dataset.year)
    need.delete_need(current_actor(), dataset)
    flash(_("Data kebutuhan %(label)s dihapus.", label=label), "info")
    return redirect(url_for("insight.need_index"), code=303)


@bp.get("/meetings/<int:meeting_id>/voice")
@role_required(*READ)
def voice(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    chosen = request.args.get("dataset", type=int)
    if chosen is not None:
        db.get_or_404(NeedDataset, chosen)
    return render_template(
        "insight/voice.html",
        meeting=meeting,
        voice=voice_and_need(meeting.id, chosen),
        datasets=need.need_datasets(),
        fmt=SimpleNamespace(**FILTERS),
    )
