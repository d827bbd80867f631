"""Public pages. No account: a meeting link, a form, a receipt, a status lookup."""

import math
import time
import uuid

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded, RequestLimit

from app.errors.handlers import too_many_requests
from app.extensions import csrf, db, limiter
from app.forms import error_summary, show_refusal
from app.i18n import local_today, long_date
from app.models.base import utcnow
from app.qr import public_meeting_url
from app.services import Refused
from app.submissions import bp, follow_ups, invitations, services
from app.submissions.forms import StatusForm, SubmissionForm


@bp.before_request
def limit_public_request_size():
    # Far below the staff upload ceiling: a whole form of Indonesian text fits in a few KiB.
    request.max_content_length = current_app.config["RAKOR_PUBLIC_MAX_BYTES"]
    # A chunked body has no length to check up front, and reading stops at the limit
    # without a word, which would store a cut text. Read it first (the form parses this
    # copy): one that fills the limit is refused, as a Content-Length over it is.
    chunked = request.method == "POST" and request.content_length is None
    if chunked and len(request.get_data(cache=True)) >= request.max_content_length:
        abort(413)


@bp.get("/")
def index():
    now = utcnow()
    meetings = db.session.scalars(services.open_meetings_query(now)).all()
    return render_template("submissions/index.html", meetings=meetings, now=now)


def submit_rate_limit() -> str:
    """Recorded inputs per client address (a room on one wifi shares one address)."""
    return current_app.config["RAKOR_SUBMIT_RATE_LIMIT"]


def submit_attempt_rate_limit() -> str:
    """Every send per client address, refused ones included: stops a flood."""
    return current_app.config["RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT"]


def lookup_rate_limit() -> str:
    return current_app.config["RAKOR_LOOKUP_RATE_LIMIT"]


# A receipt code is found by the status form or by its own address, /receipt/<code>:
# both draw on one budget per client, so guessing codes is as slow through either.
RECEIPT_LOOKUP = "receipt-lookup"
# The receipts this browser sent, kept in its (signed) session so that its own receipt
# always opens, even when the network it shares has spent the lookup budget.
OWN_RECEIPTS = "own_receipts"
OWN_RECEIPTS_KEPT = 20
# The correction link's secret of each of those receipts, by receipt code: the receipt
# page shows the link only to the browser that sent the input.
OWN_CORRECTIONS = "own_corrections"


def remember_own_receipt(code: str, correction_token: str | None = None) -> None:
    earlier = [kept for kept in session.get(OWN_RECEIPTS, []) if kept != code]
    kept = [*earlier[-(OWN_RECEIPTS_KEPT - 1) :], code]
    session[OWN_RECEIPTS] = kept
    corrections = {
        own: token for own, token in session.get(OWN_CORRECTIONS, {}).items() if own in kept
    }
    if correction_token:
        corrections[code] = correction_token
    session[OWN_CORRECTIONS] = corrections


def is_own_receipt() -> bool:
    code = services.normalise_receipt_code((request.view_args or {}).get("code", ""))
    return code in session.get(OWN_RECEIPTS, [])


def is_miss(response) -> bool:
    return response.status_code == 404


def was_recorded(response) -> bool:
    """Only a send that made a new input spends the recorded-sends budget: a refused
    form, or the same content sent again, costs nothing there."""
    return response.status_code == 303 and g.get("input_recorded", False)


def seconds_to_wait(limit: RequestLimit) -> int:
    """Until the breached limit's window lets a send through again, at least a second."""
    return max(1, math.ceil(limit.window.reset_time - time.time()))


def wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Coba kirim lagi dalam %(num)d detik.", "Coba kirim lagi dalam %(num)d detik.", seconds
        )
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Coba kirim lagi dalam %(num)d menit.", "Coba kirim lagi dalam %(num)d menit.", minutes
    )


def refused_by_rate_limit(limit: RequestLimit):
    """A send refused by a rate limit: the form again, everything typed still in it,
    saying the input is not recorded yet and how long to wait (429, Retry-After).

    Called by Flask-Limiter before the view runs; None (an unknown meeting) leaves the
    usual 429 page.
    """
    meeting = services.public_meeting((request.view_args or {}).get("code", ""))
    if meeting is None:
        return None
    choices, form = meeting_form(meeting)
    # The same content sent again once the budget is spent: it was recorded, so its
    # receipt, never "not recorded yet".
    earlier = sent_before(meeting, choices)
    if earlier is not None:
        return answer_with_receipt(earlier)
    state = services.window_state(meeting, utcnow())
    wait = seconds_to_wait(limit)
    body, status = form_page(
        meeting,
        form,
        choices,
        state,
        429,
        wait=wait_in_words(wait),
        typed=None if state in services.TAKES_INPUT else typed_text(meeting, form),
    )
    response = make_response(body, status)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded):
    """The form's own 429 answer where one was made (`refused_by_rate_limit`); the
    site's 429 page everywhere else."""
    if error.response is not None:
        return error.response
    return too_many_requests(error)


def meeting_form(meeting, choices=None) -> tuple[services.FormChoices, SubmissionForm]:
    """The meeting's lists and its form, holding what was sent (if anything)."""
    if choices is None:
        choices = services.form_choices(meeting, english=get_locale().language == "en")
    form = SubmissionForm()
    form.offer(choices)
    if not meeting.access_code:
        del form.access_code
    return choices, form


def sent_before(meeting, choices) -> services.Accepted | None:
    """The input this very send already made, read from a valid form (CSRF included)."""
    _choices, form = meeting_form(meeting, choices)
    if not form.validate():
        return None
    access_code = form.access_code.data if form.access_code else ""
    return services.recorded_before(meeting, form.submission_data(), access_code)


def answer_with_receipt(accepted: services.Accepted):
    """303 to the receipt; a send recorded before says so there."""
    if accepted.already_received:
        flash(_("Masukan ini sudah kami terima sebelumnya; tidak dicatat dua kali."), "info")
    remember_own_receipt(accepted.receipt_code, accepted.correction_token)
    return redirect(url_for("submissions.receipt", code=accepted.receipt_code), code=303)


UNIT_FIELDS = {
    "lurah": "unit_kelurahan",
    "camat": "unit_kecamatan",
    "opd": "unit_agency",
    "stakeholder": "unit_organisation",
}
NOT_TYPED = ("csrf_token", "client_token", "invitation", "access_code")


def shown_value(field) -> str:
    """A field's answer as the page showed it: a choice by its label, text as typed."""
    if getattr(field, "choices", None) is not None:
        for value, label, selected, *_rest in field.iter_choices():
            if selected and value not in ("", None):
                return str(label)
        return ""
    if isinstance(field.data, str):  # text as the form normalised it (line breaks: LF)
        return field.data.strip()
    if field.raw_data:  # an amount as typed ("Rp 75 juta"), read or not
        return field.raw_data[0].strip()
    return "" if field.data is None else str(field.data)


def typed_text(meeting, form: SubmissionForm) -> str:
    """What the participant sent, as plain text to copy into a message to the
    secretariat: the meeting, then each answer given, labelled as on the form."""
    role = form.role.data
    lines = [f"{meeting.title}, {long_date(meeting.date)}"]
    for field in form:
        if field.name in NOT_TYPED:
            continue
        if field.name.startswith("unit_") and UNIT_FIELDS.get(role) != field.name:
            continue
        value = shown_value(field)
        if not value:
            continue
        if field.name == "description":
            lines.append(f"{field.label.text}:\n{value}")
        else:
            lines.append(f"{field.label.text}: {value}")
    return "\n\n".join(lines)


def form_page(meeting, form, choices, state, status, *, token_expired=False, wait=None, typed=None):
    """The meeting's page: the form, or the notice of its state, with `status`."""
    return (
        render_template(
            "submissions/meeting.html",
            meeting=meeting,
            form=form,
            choices=choices,
            state=state,
            closed_since=services.closed_since(meeting),
            grace_ends=services.grace_ends(meeting),
            token_expired=token_expired,
            errors=error_summary(form),
            meeting_url=public_meeting_url(meeting),
            wait=wait,
            typed_text=typed,
        ),
        status,
    )


# strict_slashes=False: a link typed or pasted as /m/<code>/ opens the same form, and
# a POST there is taken as it is, with no redirect to lose its body.
@bp.route("/m/<code>", methods=["GET", "POST"], strict_slashes=False)
# The form checks its own CSRF token so that an expired token returns the form
# with everything typed instead of an error page (see `token_expired` below).
@csrf.exempt
# Two budgets per client address, both answered by the form itself when spent
# (`refused_by_rate_limit`): recorded inputs, and every send (a flood). Their own
# scopes keep them apart even when both are written alike.
@limiter.limit(
    submit_rate_limit,
    methods=["POST"],
    scope="recorded",
    deduct_when=was_recorded,
    on_breach=refused_by_rate_limit,
)
@limiter.limit(
    submit_attempt_rate_limit,
    methods=["POST"],
    scope="attempt",
    on_breach=refused_by_rate_limit,
)
def meeting(code: str):
    meeting = services.public_meeting(code)
    if meeting is None:
        abort(404)
    choices, form = meeting_form(meeting)
    state = services.window_state(meeting, utcnow())
    sending = request.method == "POST"  # HEAD answers as GET does
    if not sending:
        form.client_token.data = uuid.uuid4().hex
        line = services.invitee(meeting.id, request.args.get("undangan", ""))
        if line is not None:
            invitations.prefill(form, line, choices)
        return form_page(meeting, form, choices, state, 200)

    valid = form.validate()
    token_expired = "csrf_token" in form.errors
    if valid:
        try:
            accepted = services.submit(
                meeting,
                form.submission_data(),
                access_code=form.access_code.data if form.access_code else "",
                invitation_token=form.invitation.data or "",
            )
        except Refused as refused:
            if refused.field:  # else the window closed (or is not open yet): the page says so
                show_refusal(form, refused)
            state = services.window_state(meeting, utcnow())
        else:
            if not accepted.already_received:
                g.input_recorded = True  # spends the recorded-sends budget
            return answer_with_receipt(accepted)
    if state not in services.TAKES_INPUT:
        # Not recorded: the meeting closed while they typed. Their text stays on the page.
        return form_page(meeting, form, choices, state, 409, typed=typed_text(meeting, form))
    if not form.client_token.data or "client_token" in form.errors:
        # A tampered or missing token: give a fresh one rather than fail again.
        form.client_token.data = uuid.uuid4().hex
    return form_page(meeting, form, choices, state, 422, token_expired=token_expired)


@bp.get("/receipt/<code>")
# Only a code that finds nothing counts: a participant may reopen a receipt at will.
@limiter.shared_limit(
    lookup_rate_limit, RECEIPT_LOOKUP, deduct_when=is_miss, exempt_when=is_own_receipt
)
def receipt(code: str):
    submission = services.find_submission(code)
    if submission is None:
        abort(404)
    return render_template(
        "submissions/receipt.html",
        submission=submission,
        receipt_code=services.format_receipt_code(submission.receipt_code),
        follow_ups=follow_ups.submission_follow_ups(submission, local_today()),
    )


@bp.route("/status", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so an expired token keeps the typed code
@limiter.shared_limit(lookup_rate_limit, RECEIPT_LOOKUP, methods=["POST"])
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
    found = follow_ups.submission_follow_ups(submission, local_today()) if submission else []
    return render_template(
        "submissions/status.html",
        form=form,
        submission=submission,
        receipt_code=code,
        follow_ups=found,
        errors=error_summary(form),
    ), (422 if form.errors else 200)


@bp.get("/m/<code>/tindak-lanjut", strict_slashes=False)
# As costly to guess as a receipt: meeting codes are short words, so the lookup budget.
@limiter.limit(lookup_rate_limit)
def accountability(code: str):
    """The meeting's follow-ups for the public, once the secretariat has opened the page."""
    meeting = services.public_meeting(code)
    if meeting is None or not meeting.accountability_public:
        abort(404)
    return render_template(
        "submissions/accountability.html",
        meeting=meeting,
        account=follow_ups.meeting_accountability(meeting, local_today()),
    )
