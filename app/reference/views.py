"""The admin's reference data screens: letterhead, regions, agencies, pillars, programs, indicators.

Every list page links to a small form page per row (add, edit); state changes that
need no input (deactivate, retire, remove the logo) are one-button POST forms.
"""

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from app.auth.access import ADMIN, READ, current_actor, role_required
from app.documents import formatting
from app.domain import LETTERHEAD_KINDS
from app.extensions import db
from app.forms import error_summary, show_refusal
from app.models import Agency, IndicatorValue, Kecamatan, Kelurahan, Pillar, Program
from app.reference import bp, indicators, services
from app.reference.forms import (
    LETTERHEAD_FORMS,
    AgencyForm,
    IndicatorImportForm,
    IndicatorValueForm,
    KecamatanForm,
    KelurahanForm,
    NewIndicatorValueForm,
    PillarForm,
    ProgramForm,
)
from app.reference.services import LOGO_MAX_BYTES
from app.services import Refused

NO_AGENCY = ""


@bp.get("/reference/")
@role_required(*ADMIN)
def index():
    return render_template("reference/index.html")


# --- the letterhead -----------------------------------------------------------------------


def letterhead_kind() -> str:
    """The kop the page edits: ?kind=agency (the default) or ?kind=mayor."""
    kind = request.args.get("kind", "agency")
    if kind not in LETTERHEAD_KINDS:
        abort(404)
    return kind


def kind_arg(kind: str) -> str | None:
    return None if kind == "agency" else kind


@bp.route("/reference/letterhead", methods=["GET", "POST"])
@role_required(*ADMIN)
def letterhead():
    kind = letterhead_kind()
    letterhead = services.current_letterhead(kind)
    form = LETTERHEAD_FORMS[kind](obj=letterhead)
    if form.validate_on_submit():
        try:
            services.update_letterhead(
                current_actor(),
                kind=kind,
                government=form.government.data,
                agency=form.agency.data if "agency" in form else "",
                address=form.address.data or "",
                contact=form.contact.data or "",
                city=form.city.data or "",
                page_size=form.page_size.data,
                logo=uploaded_bytes(form.logo.data),
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Kop surat disimpan."), "info")
            return redirect(url_for("reference.letterhead", kind=kind_arg(kind)), code=303)
    return render_template(
        "reference/letterhead.html",
        form=form,
        kind=kind,
        kinds=LETTERHEAD_KINDS,
        letterhead=letterhead,
        errors=error_summary(form),
    ), 422 if form.errors else 200


@bp.get("/reference/letterhead/logo")
@role_required(*READ)
def letterhead_logo():
    logo = services.letterhead_logo(letterhead_kind())
    if logo is None:
        abort(404)
    response = Response(logo.content, mimetype=logo.mimetype)
    # Served exactly as the type checked at upload; the browser must not guess another.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.post("/reference/letterhead/logo/remove")
@role_required(*ADMIN)
def remove_logo():
    kind = letterhead_kind()
    services.remove_logo(current_actor(), kind)
    flash(_("Logo dihapus dari kop surat."), "info")
    return redirect(url_for("reference.letterhead", kind=kind_arg(kind)), code=303)


# --- kecamatan and kelurahan --------------------------------------------------------------


@bp.get("/reference/regions")
@role_required(*ADMIN)
def regions():
    return render_template("reference/regions.html", kecamatan=services.regions_overview())


@bp.route("/reference/kecamatan/new", methods=["GET", "POST"])
@bp.route("/reference/kecamatan/<int:kecamatan_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def kecamatan(kecamatan_id: int | None = None):
    kecamatan = db.get_or_404(Kecamatan, kecamatan_id) if kecamatan_id else None
    form = KecamatanForm(obj=kecamatan)

    def save():
        return services.save_kecamatan(
            current_actor(), kecamatan, code=form.code.data, name=form.name.data
        )

    return form_page(
        form,
        save,
        title=_("Ubah kecamatan") if kecamatan else _("Tambah kecamatan"),
        section=(_("Kecamatan dan kelurahan"), url_for("reference.regions")),
        saved=_("Kecamatan disimpan."),
    )


@bp.route("/reference/kelurahan/new", methods=["GET", "POST"])
@bp.route("/reference/kelurahan/<int:kelurahan_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def kelurahan(kelurahan_id: int | None = None):
    kelurahan = db.get_or_404(Kelurahan, kelurahan_id) if kelurahan_id else None
    form = KelurahanForm(obj=kelurahan)
    form.kecamatan_id.choices = [
        SelectChoice("", _("— Pilih —")),
        *(SelectChoice(str(k.id), k.name) for k in services.regions_overview()),
    ]
    if request.method == "GET" and kelurahan is None:
        form.kecamatan_id.data = request.args.get("kecamatan", "")

    def save():
        return services.save_kelurahan(
            current_actor(),
            kelurahan,
            kecamatan_id=int(form.kecamatan_id.data),
            name=form.name.data,
        )

    return form_page(
        form,
        save,
        title=_("Ubah kelurahan") if kelurahan else _("Tambah kelurahan"),
        section=(_("Kecamatan dan kelurahan"), url_for("reference.regions")),
        saved=_("Kelurahan disimpan."),
    )


# --- agencies -----------------------------------------------------------------------------


@bp.get("/reference/agencies")
@role_required(*ADMIN)
def agencies():
    return render_template("reference/agencies.html", agencies=services.agencies_overview())


@bp.route("/reference/agencies/new", methods=["GET", "POST"])
@bp.route("/reference/agencies/<int:agency_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def agency(agency_id: int | None = None):
    agency = db.get_or_404(Agency, agency_id) if agency_id else None
    form = AgencyForm(obj=agency)

    def save():
        return services.save_agency(
            current_actor(), agency, abbreviation=form.abbreviation.data, name=form.name.data
        )

    return form_page(
        form,
        save,
        title=_("Ubah perangkat daerah") if agency else _("Tambah perangkat daerah"),
        section=(_("Perangkat daerah (OPD)"), url_for("reference.agencies")),
        saved=_("Perangkat daerah disimpan."),
    )


@bp.post("/reference/agencies/<int:agency_id>/deactivate")
@role_required(*ADMIN)
def agency_deactivate(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    services.set_agency_active(current_actor(), agency, False)
    flash(
        _("%(name)s dinonaktifkan; tidak ditawarkan lagi di formulir.", name=agency.abbreviation),
        "info",
    )
    return redirect(url_for("reference.agencies"), code=303)


@bp.post("/reference/agencies/<int:agency_id>/reactivate")
@role_required(*ADMIN)
def agency_reactivate(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    services.set_agency_active(current_actor(), agency, True)
    flash(_("%(name)s aktif kembali.", name=agency.abbreviation), "info")
    return redirect(url_for("reference.agencies"), code=303)


# --- pillars ------------------------------------------------------------------------------


@bp.get("/reference/pillars")
@role_required(*ADMIN)
def pillars():
    return render_template("reference/pillars.html", rows=services.pillars_overview())


@bp.route("/reference/pillars/new", methods=["GET", "POST"])
@bp.route("/reference/pillars/<int:pillar_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def pillar(pillar_id: int | None = None):
    pillar = db.get_or_404(Pillar, pillar_id) if pillar_id else None
    form = PillarForm(obj=pillar)
    if request.method == "GET" and pillar is None:
        form.position.data = services.next_pillar_position()

    def save():
        return services.save_pillar(
            current_actor(),
            pillar,
            code=form.code.data,
            name=form.name.data,
            name_en=form.name_en.data or "",
            description=form.description.data or "",
            description_en=form.description_en.data or "",
            position=form.position.data,
        )

    return form_page(
        form,
        save,
        title=_("Ubah strategi") if pillar else _("Tambah strategi"),
        section=(_("Strategi"), url_for("reference.pillars")),
        saved=_("Strategi disimpan."),
    )


@bp.post("/reference/pillars/<int:pillar_id>/retire")
@role_required(*ADMIN)
def pillar_retire(pillar_id: int):
    pillar = db.get_or_404(Pillar, pillar_id)
    services.retire_pillar(current_actor(), pillar)
    flash(
        _(
            "Strategi %(code)s tidak dipakai lagi. Masukan lama tetap memakai strategi ini.",
            code=pillar.code,
        ),
        "info",
    )
    return redirect(url_for("reference.pillars"), code=303)


@bp.post("/reference/pillars/<int:pillar_id>/unretire")
@role_required(*ADMIN)
def pillar_unretire(pillar_id: int):
    pillar = db.get_or_404(Pillar, pillar_id)
    services.unretire_pillar(current_actor(), pillar)
    flash(_("Strategi %(code)s dipakai kembali.", code=pillar.code), "info")
    return redirect(url_for("reference.pillars"), code=303)


# --- programs -----------------------------------------------------------------------------


@bp.get("/reference/programs")
@role_required(*ADMIN)
def programs():
    return render_template("reference/programs.html", programs=services.programs_overview())


@bp.route("/reference/programs/new", methods=["GET", "POST"])
@bp.route("/reference/programs/<int:program_id>", methods=["GET", "POST"])
@role_required(*ADMIN)
def program(program_id: int | None = None):
    program = db.get_or_404(Program, program_id) if program_id else None
    form = ProgramForm(obj=program)
    keep_pillar = program.pillar_id if program else None
    keep_agency = program.agency_id if program else None
    form.pillar_id.choices = [
        SelectChoice("", _("— Pilih —")),
        *(
            SelectChoice(str(p.id), f"{p.code} · {p.name}")
            for p in services.pillars_for_choice(keep_pillar)
        ),
    ]
    form.agency_id.choices = [
        SelectChoice(NO_AGENCY, _("— Tidak ada —")),
        *(SelectChoice(str(a.id), a.label) for a in services.agencies_for_choice(keep_agency)),
    ]

    def save():
        return services.save_program(
            current_actor(),
            program,
            name=form.name.data,
            name_en=form.name_en.data or "",
            pillar_id=int(form.pillar_id.data),
            agency_id=int(form.agency_id.data) if form.agency_id.data else None,
        )

    return form_page(
        form,
        save,
        title=_("Ubah program") if program else _("Tambah program"),
        section=(_("Program"), url_for("reference.programs")),
        saved=_("Program disimpan."),
    )


@bp.post("/reference/programs/<int:program_id>/deactivate")
@role_required(*ADMIN)
def program_deactivate(program_id: int):
    program = db.get_or_404(Program, program_id)
    services.set_program_active(current_actor(), program, False)
    flash(_("Program dinonaktifkan; tidak ditawarkan lagi di formulir."), "info")
    return redirect(url_for("reference.programs"), code=303)


@bp.post("/reference/programs/<int:program_id>/reactivate")
@role_required(*ADMIN)
def program_reactivate(program_id: int):
    program = db.get_or_404(Program, program_id)
    services.set_program_active(current_actor(), program, True)
    flash(_("Program aktif kembali."), "info")
    return redirect(url_for("reference.programs"), code=303)


# --- indicators ---------------------------------------------------------------------------
# Kept at /admin/indicators: one page lists every year with its own small form.


def indicators_page(*, failed_row: tuple[int, IndicatorValueForm] | None = None,
                    new_form: NewIndicatorValueForm | None = None,
                    import_form: IndicatorImportForm | None = None,
                    import_errors: list | None = None, status: int = 200):  # fmt: skip
    overview = indicators.indicators_overview()
    row_forms = {}
    for indicator in overview:
        for value in indicator.values:
            if failed_row and failed_row[0] == value.id:
                row_forms[value.id] = failed_row[1]
                continue
            row_forms[value.id] = IndicatorValueForm(
                prefix=f"v{value.id}",
                formdata=None,
                data={
                    "year": str(value.year),
                    "target": formatting.figure(value.target),
                    "actual": formatting.figure(value.actual),
                    "source": value.source,
                },
            )
    if new_form is None:
        new_form = NewIndicatorValueForm(prefix="new", formdata=None)
    new_form.set_indicator_choices(overview)
    page = render_template(
        "reference/indicators.html",
        overview=overview,
        row_forms=row_forms,
        new_form=new_form,
        import_form=import_form or IndicatorImportForm(formdata=None),
        import_errors=import_errors or [],
    )
    return page, status


@bp.get("/indicators")
@role_required(*ADMIN)
def indicator_list():
    return indicators_page()


@bp.post("/indicators/values")
@role_required(*ADMIN)
def indicator_add():
    form = NewIndicatorValueForm(prefix="new")
    form.set_indicator_choices(indicators.indicators_overview())
    if form.validate_on_submit():
        try:
            indicators.add_value(
                current_actor(),
                form.value_data(),
                indicator_id=form.indicator_id(),
                new_name=form.new_name.data or "",
                unit=form.unit.data or "",
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Angka indikator ditambahkan."), "info")
            return redirect(url_for("reference.indicator_list"))
    return indicators_page(new_form=form, status=422)


@bp.post("/indicators/values/<int:value_id>")
@role_required(*ADMIN)
def indicator_update(value_id: int):
    value = db.get_or_404(IndicatorValue, value_id)
    form = IndicatorValueForm(prefix=f"v{value.id}")
    if form.validate_on_submit():
        try:
            indicators.update_value(current_actor(), value, form.value_data())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(_("Angka indikator disimpan."), "info")
            return redirect(url_for("reference.indicator_list"))
    return indicators_page(failed_row=(value.id, form), status=422)


@bp.post("/indicators/values/<int:value_id>/delete")
@role_required(*ADMIN)
def indicator_delete(value_id: int):
    value = db.get_or_404(IndicatorValue, value_id)
    indicators.delete_value(current_actor(), value)
    flash(_("Angka indikator dihapus."), "info")
    return redirect(url_for("reference.indicator_list"))


@bp.post("/indicators/import")
@role_required(*ADMIN)
def indicator_import():
    form = IndicatorImportForm()
    if not form.validate_on_submit():
        return indicators_page(import_form=form, status=422)
    try:
        result = indicators.import_csv(current_actor(), form.file.data.read())
    except Refused as refused:
        errors = refused.details.get("errors", [])
        return indicators_page(import_form=form, import_errors=errors, status=422)
    flash(
        _(
            "Impor selesai: %(created)d baris baru, %(updated)d baris diperbarui.",
            created=result.created,
            updated=result.updated,
        ),
        "info",
    )
    return redirect(url_for("reference.indicator_list"))


# --- helpers ------------------------------------------------------------------------------


def form_page(form, save: Callable, *, title: str, section: tuple[str, str], saved: str):
    """The add/edit page of one row: validate, save through the service, back to the list."""
    if form.validate_on_submit():
        try:
            save()
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash(saved, "info")
            return redirect(section[1], code=303)
    return render_template(
        "reference/form.html",
        form=form,
        title=title,
        section=section,
        errors=error_summary(form),
    ), 422 if form.errors else 200


def uploaded_bytes(upload) -> bytes | None:
    """The chosen file's bytes (one byte past the limit at most), or None when none was chosen."""
    if not isinstance(upload, FileStorage):
        return None
    return upload.read(LOGO_MAX_BYTES + 1)
