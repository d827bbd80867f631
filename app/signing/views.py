"""Staff pages of signing.

GET  /admin/signing                                   READ   "Tanda tangan saya": what waits
                                                             for my signature, what I signed
GET  /admin/documents/<id>/signing                    READ   a final document's signers, its
                                                             versions, the order and sign forms
POST /admin/documents/<id>/signing/order              WRITE  save the order and the accounts
POST /admin/documents/<id>/signing/sign               READ   sign in my turn (the service
                                                             checks that it is my turn)

Signing is open to every staff role: a chair or an official with a viewer's account
signs the documents that bear their name. The service refuses anyone whose turn it
is not.
"""

from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.auth.access import READ, WRITE, current_actor, role_required
from app.documents import views as document_views
from app.domain import DOCUMENT_LABELS, SIGNER_ROLES, SIGNING_METHODS, USER_ROLES
from app.extensions import db
from app.forms import error_summary, show_refusal
from app.models import DocumentSigner, Meeting, MeetingDocument
from app.services import Refused
from app.signing import bp, services
from app.signing.forms import OrderForm, SignForm

# Refusals that mean "not you, not now": answered 403, the page says why.
NOT_YOURS = ("not_your_turn", "not_the_signer", "already_signed")


# --- in every staff page: the menu's count, the meeting page's progress ------------------


@bp.app_template_global()
def signing_waiting() -> int:
    """How many documents wait for the signed-in user's signature (the menu's badge)."""
    if not current_user.is_authenticated:
        return 0
    if "signing_waiting" not in g:
        g.signing_waiting = services.waiting_count(current_user.id)
    return g.signing_waiting


@bp.app_template_global()
def signing_progress(meeting: Meeting) -> dict[str, services.Progress]:
    """Per final kind of a finalised meeting: signed so far, of how many, who is next."""
    return services.meeting_progress(meeting)


# --- pages -----------------------------------------------------------------------------


@bp.get("/signing")
@role_required(*READ)
def mine():
    waiting, signed = services.my_signatures(current_actor())
    return render_template(
        "signing/mine.html",
        waiting=waiting,
        signed=signed,
        labels=DOCUMENT_LABELS,
        roles=SIGNER_ROLES,
    )


@bp.get("/documents/<int:document_id>/signing")
@role_required(*READ)
def document(document_id: int):
    return signing_page(final_or_404(document_id))


@bp.post("/documents/<int:document_id>/signing/order")
@role_required(*WRITE)
def save_order(document_id: int):
    document = final_or_404(document_id)
    form = OrderForm()
    form.set_accounts(account_choices(services.signing_page(document)))
    if not form.validate():
        return signing_page(document, order_form=form, errors=order_errors(form), status=422)
    try:
        services.save_plan(document.id, form.order(), current_actor())
    except Refused as refused:
        form.form_errors.append(str(refused))
        status = 422 if refused.field else 409
        return signing_page(document, order_form=form, status=status)
    flash(_("Urutan penanda tangan disimpan."), "info")
    return redirect(url_for(".document", document_id=document.id, _anchor="penanda-tangan"), 303)


@bp.post("/documents/<int:document_id>/signing/sign")
@role_required(*READ)
def sign(document_id: int):
    document = final_or_404(document_id)
    form = SignForm()
    if not form.validate():
        return signing_page(document, sign_form=form, errors=error_summary(form), status=422)
    signer_id = signer_id_of(form, document)
    try:
        services.sign_document(
            signer_id,
            current_actor(),
            password=form.password.data or "",
            nik=form.nik.data or "",
            passphrase=form.passphrase.data or "",
            totp=form.totp.data or "",
        )
    except Refused as refused:
        if refused.code == "locked":  # too many wrong passwords: signed out, as on sign-in
            logout_user()
            session.clear()
            flash(str(refused), "warning")
            return redirect(url_for("auth.login"), code=303)
        show_refusal(form, refused)
        status = 403 if refused.code in NOT_YOURS else 422 if refused.field else 409
        return signing_page(document, sign_form=form, errors=error_summary(form), status=status)
    flash(_("Dokumen ditandatangani. Versi bertanda tangan kini diunduh dan dibagikan."), "info")
    return redirect(url_for(".document", document_id=document.id), 303)


# --- helpers ---------------------------------------------------------------------------


def final_or_404(document_id: int) -> MeetingDocument:
    """Only a final document has signers; a draft's id finds nothing here."""
    document = db.get_or_404(MeetingDocument, document_id)
    if not document.is_final:
        abort(404)
    return document


def signer_id_of(form: SignForm, document: MeetingDocument) -> int:
    """The signer the form was shown for; without one, the document's next signer."""
    sent = (form.signer_id.data or "").strip()
    if sent:
        if not sent.isdigit():
            abort(400)
        signer = db.session.get(DocumentSigner, int(sent))
        if signer is None or signer.document_id != document.id:
            abort(404)  # a signer of another document, sent to this one's address
        return signer.id
    following = services.next_signer(document)
    if following is None or following.id is None:
        return 0
    return following.id


def order_errors(form: OrderForm) -> list[tuple[str, str, str]]:
    """The order form's problems for the summary, each pointing at the order table."""
    found = [message for message in form.signers.errors if not isinstance(message, dict)]
    for entry in form.signers.entries:
        found += entry.form.position.errors + entry.form.user.errors
    label = _("Urutan dan akun penanda tangan")
    return [("urutan", label, str(message)) for message in dict.fromkeys(map(str, found))]


def account_choices(page: services.SigningPage) -> list[tuple[str, str]]:
    return [
        (str(account_id), f"{name} · {USER_ROLES.get(role, role)}")
        for account_id, name, role in page.accounts
    ]


def order_form_for(page: services.SigningPage) -> OrderForm:
    form = OrderForm(
        formdata=None,
        data={
            "signers": [
                {
                    "key": line.key,
                    "position": line.signer.position,
                    "user": str(line.signer.user_id) if line.signer.user_id else "",
                }
                for line in page.lines
            ]
        },
    )
    form.set_accounts(account_choices(page))
    return form


def signing_page(
    document: MeetingDocument,
    *,
    order_form: OrderForm | None = None,
    sign_form: SignForm | None = None,
    errors=None,
    status: int = 200,
):
    page = services.signing_page(document)
    lines_by_key = {line.key: line for line in page.lines}
    turn = page.turn_of(current_user.id)
    if sign_form is None:
        sign_form = SignForm(formdata=None)
    if turn is not None and not sign_form.signer_id.data:
        sign_form.signer_id.data = str(turn.signer.id)
    body = render_template(
        "signing/document.html",
        page=page,
        label=DOCUMENT_LABELS[document.kind],
        pdf_endpoint=document_views.PDF_ENDPOINTS[document.kind],
        roles=SIGNER_ROLES,
        methods=SIGNING_METHODS,
        order_form=order_form or order_form_for(page),
        lines_by_key=lines_by_key,
        sign_form=sign_form,
        turn=turn,
        errors=errors or [],
    )
    return body, status
