"""Public pages. No account: a meeting link, a form, a receipt, a status lookup."""

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.extensions import csrf, db, limiter
from app.forms import error_summary
from app.models.base import utcnow
from app.submissions import bp, services
from app.submissions.forms import StatusForm, SubmissionForm, allowed_values
from app.submissions.services import FormChoices, SubmissionData, SubmissionRefused


@bp.before_request
def limit_public_request_size():
    # Far below the staff upload ceiling: a whole form of Indonesian text fits in a few KiB.
    request.max_content_length = current_app.config["RAKOR_PUBLIC_MAX_BYTES"]


@bp.get("/")
def index():
    now = utcnow()
    meetings = db.session.scalars(services.open_meetings_query(now)).all()
    return render_template("submissions/index.html", meetings=meetings, now=now)


def submit_rate_limit() -> str:
    return current_app.config["RAKOR_SUBMIT_RATE_LIMIT"]


def lookup_rate_limit() -> str:
    return current_app.config["RAKOR_LOOKUP_RATE_LIMIT"]


@bp.route("/m/<code>", methods=["GET", "POST"])
# The form checks its own CSRF token so that an expired token returns the form
# with everything typed instead of an error page (see `token_expired` below).
@csrf.exempt
@limiter.limit(submit_rate_limit, methods=["POST"])
def meeting(code: str):
    found = services.public_form(code)
    if found is None:
        abort(404)
    meeting, choices = found
    now = utcnow()
    state = services.window_state(meeting, now)
    form = SubmissionForm()
    apply_choices(form, choices, ask_access_code=bool(meeting.access_code))
    if request.method == "GET":
        form.client_token.data = uuid.uuid4().hex

    token_expired = False
    if request.method == "POST" and state == "open":
        valid = form.validate()
        token_expired = "csrf_token" in form.errors
        if valid:
            try:
                accepted = services.submit(
                    meeting,
                    submission_data(form),
                    client_token=form.client_token.data,
                    access_code=(form.access_code.data or "") if form.access_code else "",
                    now=now,
                )
            except SubmissionRefused as refused:
                if refused.field == "access_code":
                    form.access_code.errors.append(
                        _("Kode akses tidak cocok. Tanyakan di meja sekretariat.")
                    )
                else:
                    state = services.window_state(meeting, utcnow())
            else:
                if accepted.already_received:
                    flash(
                        _("Masukan ini sudah kami terima sebelumnya; tidak dicatat dua kali."),
                        "info",
                    )
                code = accepted.receipt_code
                return redirect(url_for("submissions.receipt", code=code), code=303)
        if not form.client_token.data or "client_token" in form.errors:
            # A tampered or missing token: give a fresh one rather than fail again.
            form.client_token.data = uuid.uuid4().hex

    status = 200 if request.method == "GET" else 422
    if request.method == "POST" and state != "open":
        status = 409
    return (
        render_template(
            "submissions/meeting.html",
            meeting=meeting,
            form=form,
            choices=choices,
            state=state,
            closed_since=services.closed_since(meeting),
            token_expired=token_expired,
            errors=error_summary(form),
        ),
        status,
    )


@bp.get("/receipt/<code>")
def receipt(code: str):
    submission = services.find_submission(code)
    if submission is None:
        abort(404)
    return render_template(
        "submissions/receipt.html",
        submission=submission,
        receipt_code=services.format_receipt_code(submission.receipt_code),
    )


@bp.route("/status", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the typed code
@limiter.limit(lookup_rate_limit, methods=["POST"])
def status():
    form = StatusForm()
    submission = None
    if form.validate_on_submit():
        submission = services.find_submission(form.receipt_code.data)
        if submission is None:
            form.receipt_code.errors.append(
                _("Kode ini tidak ditemukan. Periksa lagi huruf dan angkanya.")
            )
    elif "csrf_token" in form.errors:
        form.receipt_code.errors.append(_("Halaman ini sudah lama terbuka. Tekan Cek status lagi."))
    code = services.format_receipt_code(submission.receipt_code) if submission else None
    return render_template(
        "submissions/status.html",
        form=form,
        submission=submission,
        receipt_code=code,
        errors=error_summary(form),
    ), (422 if form.errors else 200)


# --- helpers that translate between the form and the service ------------------------


def apply_choices(form: SubmissionForm, choices: FormChoices, *, ask_access_code: bool) -> None:
    lists = choice_lists(choices, str(get_locale()))
    for name, (field_choices, allowed) in lists.items():
        field = form[name]
        field.choices = field_choices
        field.allowed = allowed
    if not ask_access_code:
        del form.access_code


def choice_lists(choices: FormChoices, locale: str) -> dict[str, tuple[list, frozenset[str]]]:
    """Each database-backed field's choices and the values they allow, built once per language.

    The lists are shared between requests: fields read them and never change them.
    """
    built = choices.built.get(locale)
    if built is not None:
        return built
    pick = SelectChoice("", _("— Pilih —"))
    none = SelectChoice("", _("— Tidak ada —"))
    kelurahan = [
        SelectChoice(str(kel.id), kel.name, optgroup=kec.name)
        for kec in choices.kecamatan
        for kel in kec.kelurahan
    ]
    lists = {
        "pillar": [SelectChoice(str(p.id), p.name) for p in choices.pillars],
        "unit_kelurahan": [pick, *kelurahan],
        "location": [none, *kelurahan],
        "unit_kecamatan": [pick] + [SelectChoice(str(k.id), k.name) for k in choices.kecamatan],
        "unit_agency": [pick] + [SelectChoice(str(a.id), a.label) for a in choices.agencies],
        "program": [none] + [SelectChoice(str(p.id), p.name) for p in choices.programs],
    }
    built = {name: (values, allowed_values(values)) for name, values in lists.items()}
    choices.built[locale] = built
    return built


def submission_data(form: SubmissionForm) -> SubmissionData:
    """The valid form as plain values; only the unit that matches the role is kept."""
    role = form.role.data
    return SubmissionData(
        submitter_name=form.submitter_name.data.strip(),
        role=role,
        position=form.position.data.strip(),
        kind=form.kind.data,
        pillar_id=int(form.pillar.data),
        title=form.title.data.strip(),
        description=form.description.data.strip(),
        target_group=form.target_group.data,
        kelurahan_id=_id(form.unit_kelurahan.data) if role == "lurah" else None,
        kecamatan_id=_id(form.unit_kecamatan.data) if role == "camat" else None,
        agency_id=_id(form.unit_agency.data) if role == "opd" else None,
        organisation=form.unit_organisation.data.strip() if role == "stakeholder" else "",
        phone=(form.phone.data or "").strip(),
        location_id=_id(form.location.data),
        program_id=_id(form.program.data),
        beneficiaries=form.beneficiaries.data,
        cost=form.cost.data,
    )


def _id(value: str | None) -> int | None:
    return int(value) if value else None
