"""The participant's own correction of an input, the receipt's extras, and the privacy page.

GET/POST /receipt/<code>/ubah/<token>   the input form, filled with what was sent
GET      /privasi                       how participants' personal data is handled

Only the browser that sent an input knows its correction secret (kept in its signed
session, `views.OWN_CORRECTIONS`); the database keeps the secret's SHA-256 alone. A
correction is taken while the meeting takes input and the secretariat has not yet
reviewed the input; after that the participant asks the secretariat.

Public pages carry no personal data (UU 27/2022 on personal data protection): the
correction form shows the sender's own name and phone back only to the holder of the
secret, and is never stored by a browser or a proxy.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import changed, mask, record, snapshot
from app.extensions import csrf, db, limiter
from app.forms import error_summary
from app.models import Letterhead, Meeting, Submission
from app.models.base import utcnow
from app.qr import public_meeting_url
from app.services import Refused, transaction
from app.submissions import bp, services
from app.submissions.forms import SubmissionForm
from app.submissions.services import FormChoices, SubmissionData
from app.submissions.views import (
    OWN_CORRECTIONS,
    RECEIPT_LOOKUP,
    is_miss,
    lookup_rate_limit,
    typed_text,
)

WHATSAPP_SHARE = "https://wa.me/?text="
# The fields a correction may change: the participant's whole form.
CORRECTED_FIELDS = (
    "submitter_name",
    "role",
    "kelurahan_id",
    "kecamatan_id",
    "agency_id",
    "organisation",
    "position",
    "phone",
    "kind",
    "submitted_pillar_id",
    "pillar_id",
    "title",
    "description",
    "location_id",
    "target_group",
    "program_id",
    "beneficiaries",
    "cost",
)
# The input form's fields that only a first send carries.
FIRST_SEND_ONLY = ("client_token", "invitation", "access_code")
# Names never enter the audit log's values (DESIGN.md); `audit.record` masks phones itself.
MASKED_IN_AUDIT = ("submitter_name",)


# --- the rules ---------------------------------------------------------------------------


def token_matches(submission: Submission, token: str) -> bool:
    """The secret's hash against the stored one, in constant time."""
    stored = submission.correction_token_hash
    if not stored or not token or len(token) > 64:
        return False
    return hmac.compare_digest(stored.encode(), services.token_hash(token).encode())


def why_not_correctable(submission: Submission, now: datetime) -> str | None:
    """None while a correction is taken; else "reviewed" or "closed".

    Reviewed: decided, or given another strategy, or other inputs merged into it (their
    status changes, this one's stays "received").
    """
    if submission.status != "received" or submission.pillar_id != submission.submitted_pillar_id:
        return "reviewed"
    merged_here = select(Submission.id).where(Submission.merged_into_id == submission.id)
    if db.session.scalar(merged_here.limit(1)) is not None:
        return "reviewed"
    if services.window_state(submission.meeting, now) != "open":
        return "closed"
    return None


@dataclass(frozen=True)
class Corrected:
    changed: bool


@transaction
def correct_submission(
    submission: Submission, token: str, data: SubmissionData, now: datetime | None = None
) -> Corrected:
    """Replace what the participant sent with `data`, if the rules still allow it.

    The strategy the secretariat set follows the participant's new choice only when the
    participant changed it: a typo fixed in the title leaves a reclassification alone.
    Refused("reviewed" | "closed") when too late; nothing is changed then.
    """
    now = now or utcnow()
    # Locked and read again: a secretariat decision at the same moment wins cleanly.
    db.session.execute(
        select(Submission.id).where(Submission.id == submission.id).with_for_update()
    )
    db.session.refresh(submission)
    if not token_matches(submission, token):
        raise Refused("token")
    reason = why_not_correctable(submission, now)
    if reason:
        raise Refused(reason)
    before = snapshot(submission, CORRECTED_FIELDS)
    values = data.values()
    values["submitted_pillar_id"] = values.pop("pillar_id")
    if values["submitted_pillar_id"] != submission.submitted_pillar_id:
        values["pillar_id"] = values["submitted_pillar_id"]
    # The duplicate key follows the content: sending the first version again is a new
    # input, and the corrected one sent again is this one.
    key = services.idempotency_key(data)
    if key != submission.idempotency_key and services.earlier_send(submission.meeting_id, key):
        raise Refused("duplicate")
    for name, value in values.items():
        setattr(submission, name, value)
    submission.idempotency_key = key
    after = snapshot(submission, CORRECTED_FIELDS)
    old, new = changed(before, after)
    if not new:
        return Corrected(changed=False)
    submission.corrected_at = now
    for name in MASKED_IN_AUDIT:
        if name in new:
            old[name], new[name] = mask(old[name]), mask(new[name])
    record(
        None,
        "correct",
        submission,
        before=old,
        after={**new, "corrected_at": now.isoformat()},
        meeting_id=submission.meeting_id,
    )
    return Corrected(changed=True)


def prefill(form: SubmissionForm, submission: Submission) -> None:
    """The form as the participant sent it (or last corrected it)."""
    role = submission.role

    def choice(value: int | None) -> str:
        return str(value) if value is not None else ""

    form.submitter_name.data = submission.submitter_name
    form.role.data = role
    form.unit_kelurahan.data = choice(submission.kelurahan_id) if role == "lurah" else ""
    form.unit_kecamatan.data = choice(submission.kecamatan_id) if role == "camat" else ""
    form.unit_agency.data = choice(submission.agency_id) if role == "opd" else ""
    form.unit_organisation.data = submission.organisation if role == "stakeholder" else ""
    form.position.data = submission.position
    form.phone.data = submission.phone
    form.kind.data = submission.kind
    form.pillar.data = choice(submission.submitted_pillar_id)
    form.title.data = submission.title
    form.description.data = submission.description
    form.location.data = choice(submission.location_id)
    form.target_group.data = submission.target_group
    form.program.data = choice(submission.program_id)
    form.beneficiaries.data = submission.beneficiaries
    form.cost.data = submission.cost


def correction_form(choices: FormChoices) -> SubmissionForm:
    """The input form without what only a first send needs (its token, the access code)."""
    form = SubmissionForm()
    form.offer(choices)
    for name in FIRST_SEND_ONLY:
        if name in form:
            del form[name]
    return form


# --- what the receipt shows ----------------------------------------------------------------


def own_correction_token(receipt_code: str) -> str | None:
    """The correction secret this browser keeps for the receipt, if it sent the input."""
    corrections = session.get(OWN_CORRECTIONS)
    if not isinstance(corrections, dict):
        return None
    token = corrections.get(receipt_code)
    return token if isinstance(token, str) else None


def correction_url(submission: Submission) -> str | None:
    """The correction link, for the browser that sent the input, while it is taken."""
    token = own_correction_token(submission.receipt_code)
    if token is None or not token_matches(submission, token):
        return None
    if why_not_correctable(submission, utcnow()):
        return None
    return url_for("submissions.correct", code=submission.receipt_code, token=token)


def whatsapp_share_url(meeting: Meeting) -> str:
    """wa.me with the meeting's title and its public form's address, for passing it on."""
    return WHATSAPP_SHARE + quote(f"{meeting.title}\n{public_meeting_url(meeting)}", safe="")


def takes_input(meeting: Meeting) -> bool:
    return services.window_state(meeting, utcnow()) == "open"


@dataclass(frozen=True)
class PrivacyFacts:
    days: int  # 0: kept
    secretariat: str  # the agency of the letterhead, "" without one
    contact: str  # the letterhead's contact line, "" without one


def privacy_facts() -> PrivacyFacts:
    letterhead = db.session.scalar(select(Letterhead).where(Letterhead.kind == "agency"))
    return PrivacyFacts(
        days=max(current_app.config["RAKOR_PERSONAL_DATA_DAYS"], 0),
        secretariat=(letterhead.agency.strip() if letterhead else ""),
        contact=(letterhead.contact.strip() if letterhead else ""),
    )


@bp.context_processor
def receipt_helpers() -> dict:
    """Functions, not values: a page pays for a look-up only when it uses one."""
    return {
        "correction_url": correction_url,
        "whatsapp_share_url": whatsapp_share_url,
        "takes_input": takes_input,
        "privacy_facts": privacy_facts,
    }


# --- the pages -----------------------------------------------------------------------------


CLOSED_REASONS = {
    "reviewed": _l(
        "Sekretariat rapat sudah meninjau masukan ini, sehingga isinya tidak dapat diubah lagi."
    ),
    "closed": _l(
        "Penerimaan masukan rapat ini sudah ditutup, sehingga isinya tidak dapat diubah lagi."
    ),
    "duplicate": _l(
        "Isi perbaikan ini sama persis dengan masukan lain yang sudah Anda kirim ke rapat ini."
    ),
}


def is_own_correction() -> bool:
    """The sending browser, holding this receipt's secret: its correction is never refused
    for a budget its neighbours on the same wifi spent looking up codes."""
    args = request.view_args or {}
    kept = session.get(OWN_CORRECTIONS, {})
    code = services.normalise_receipt_code(args.get("code", ""))
    return bool(args.get("token")) and kept.get(code) == args.get("token")


@bp.route("/receipt/<code>/ubah/<token>", methods=["GET", "POST"])
# The form checks its own CSRF token, so an expired one keeps what was typed.
@csrf.exempt
# As costly to guess as a receipt: only an answer that finds nothing counts.
@limiter.shared_limit(
    lookup_rate_limit, RECEIPT_LOOKUP, deduct_when=is_miss, exempt_when=is_own_correction
)
def correct(code: str, token: str):
    submission = services.find_submission(code)
    if submission is None or not token_matches(submission, token):
        abort(404)
    meeting = submission.meeting
    choices = services.form_choices(meeting, english=get_locale().language == "en")
    form = correction_form(choices)
    sending = request.method == "POST"
    reason = why_not_correctable(submission, utcnow())
    if reason:
        # A correction sent too late keeps its text on the page, to copy.
        return closed_page(submission, reason, typed_text(meeting, form) if sending else "")
    if not sending:
        prefill(form, submission)
    token_expired = False
    if sending:
        valid = form.validate()
        token_expired = "csrf_token" in form.errors
        if valid:
            try:
                result = correct_submission(submission, token, form.submission_data())
            except Refused as refused:
                if refused.code == "token":
                    abort(404)
                return closed_page(submission, refused.code, typed_text(meeting, form))
            if result.changed:
                flash(_("Perbaikan Anda sudah disimpan."), "info")
            else:
                flash(_("Tidak ada yang berubah; masukan Anda tetap seperti semula."), "info")
            return redirect(url_for("submissions.receipt", code=submission.receipt_code), 303)
    response = current_app.make_response(
        (
            render_template(
                "submissions/correction.html",
                submission=submission,
                meeting=meeting,
                form=form,
                choices=choices,
                token=token,
                token_expired=token_expired,
                errors=error_summary(form),
                receipt_code=services.format_receipt_code(submission.receipt_code),
            ),
            422 if sending else 200,
        )
    )
    # The sender's own name and phone: no copy kept on a shared phone's disk.
    response.headers["Cache-Control"] = "no-store"
    return response


def closed_page(submission: Submission, reason: str, typed: str = ""):
    return render_template(
        "submissions/correction_closed.html",
        submission=submission,
        typed_text=typed,
        reason=CLOSED_REASONS.get(reason, CLOSED_REASONS["closed"]),
        receipt_code=services.format_receipt_code(submission.receipt_code),
        facts=privacy_facts(),
    ), 409


def page_rate_limit() -> str:
    return current_app.config.get("RAKOR_SUBMIT_ATTEMPT_RATE_LIMIT", "600 per minute")


@bp.get("/privasi")
# A plain page, read by a whole room at once: only a flood is stopped.
@limiter.limit(page_rate_limit)
def privacy():
    return render_template("submissions/privacy.html", facts=privacy_facts())
