"""Public verification pages: no sign-in.

GET  /verify            what the page checks, and the upload form
POST /verify            an uploaded PDF checked: which final document it is, its signatures
GET  /verify/<sha256>   the address in a signed document's QR code: the document's versions
                        and the validation of its latest signatures

Uploads are size limited (RAKOR_VERIFY_MAX_BYTES) and both the upload and the look-up
are rate limited (RAKOR_VERIFY_RATE_LIMIT, one budget per client): each answer
validates signatures, which costs the server real work. Answers are never stored by a
browser or a proxy.
"""

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _

from app.domain import DOCUMENT_LABELS
from app.extensions import csrf, limiter
from app.forms import error_summary
from app.i18n import number
from app.signing import verify as verification
from app.verify import bp
from app.verify.forms import VerifyForm

# Room for the multipart envelope and the form's token around the file itself.
FORM_OVERHEAD_BYTES = 16 * 1024


@bp.before_request
def limit_upload_size():
    max_bytes = current_app.config["RAKOR_VERIFY_MAX_BYTES"]
    request.max_content_length = max_bytes + FORM_OVERHEAD_BYTES
    # A chunked body has no length to check up front (see submissions.views).
    chunked = request.method == "POST" and request.content_length is None
    if chunked and len(request.get_data(cache=True)) >= request.max_content_length:
        abort(413)


def verify_rate_limit() -> str:
    return current_app.config["RAKOR_VERIFY_RATE_LIMIT"]


@bp.get("/verify")
def index():
    return upload_page(VerifyForm())


@bp.post("/verify")
# The form checks its own CSRF token: the app-wide check would read the body before
# this blueprint's size limit is set.
@csrf.exempt
@limiter.shared_limit(verify_rate_limit, "verify")
def upload():
    form = VerifyForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            form.file.errors.append(_("Halaman ini sudah lama terbuka. Pilih berkasnya lagi."))
            return upload_page(form, 400)
        return upload_page(form, 422)
    pdf = form.file.data.read(current_app.config["RAKOR_VERIFY_MAX_BYTES"] + 1)
    if len(pdf) > current_app.config["RAKOR_VERIFY_MAX_BYTES"]:
        abort(413)
    report = verification.verify_pdf(pdf, current_app.config)
    if report.verdict == "not_pdf":
        form.file.errors.append(_("Berkas ini bukan PDF yang dapat dibaca. Pilih berkas PDF."))
        return upload_page(form, 422)
    return render_template("verify/result.html", report=report, DOCUMENT_LABELS=DOCUMENT_LABELS)


@bp.get("/verify/<sha256>")
@limiter.shared_limit(verify_rate_limit, "verify")
def document(sha256: str):
    if not verification.SHA256_PATTERN.fullmatch(sha256.lower()):
        abort(404)
    found = verification.document_page(sha256, current_app.config)
    if found is None:
        return render_template("verify/unknown.html", sha256=sha256.lower()), 404
    version, latest = found
    return render_template(
        "verify/document.html", version=version, latest=latest, DOCUMENT_LABELS=DOCUMENT_LABELS
    )


def upload_page(form: VerifyForm, status: int = 200):
    body = render_template(
        "verify/index.html", form=form, errors=error_summary(form), max_size=max_size()
    )
    return body, status


def max_size() -> str:
    """The upload limit as the page prints it: "8 MB", "1,5 MB", "512 KB"."""
    max_bytes = current_app.config["RAKOR_VERIFY_MAX_BYTES"]
    if max_bytes >= 1024 * 1024:
        return f"{number(round(max_bytes / (1024 * 1024), 1))} MB"
    return f"{number(max(1, round(max_bytes / 1024)))} KB"


@bp.errorhandler(413)
def too_large(_error):
    # No form data: reading the body again would only raise the same error.
    form = VerifyForm(formdata=None)
    form.file.errors = [_("Berkas terlalu besar. Paling besar %(size)s.", size=max_size())]
    return upload_page(form, 413)


@bp.after_request
def never_cache(response):
    """A verification answer is about this moment (a certificate may be revoked
    tomorrow), and the address names a document: no cache keeps either."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
