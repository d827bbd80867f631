"""Security headers on every response, and no stored copy of what staff see.

The Content-Security-Policy allows no inline script or style: every script and
stylesheet is a file under static/, and images are the app's own or data: URIs
(QR codes, the uploaded logo).
"""

import hashlib

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, signed with HMAC-SHA256 instead of HMAC-SHA1."""

    digest_method = staticmethod(hashlib.sha256)


# Pages that show what only staff may see: never kept by the browser or a proxy,
# so that after sign-out the back button shows nothing.
PRIVATE_PREFIXES = ("/admin", "/login", "/account")


def must_not_be_stored() -> bool:
    """A staff page or download, or any answer to a signed-in account.

    Static files are the same for everyone. Participants' public pages set no
    Cache-Control: the browser's defaults apply to them.
    """
    if request.endpoint == "static":
        return False
    return request.path.startswith(PRIVATE_PREFIXES) or current_user.is_authenticated


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Same-origin requests keep their Referer, which Flask-WTF checks over HTTPS.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if must_not_be_stored():
            # Whatever the view chose: send_file's "no-cache" (poster, paper form, XLSX
            # template) or a document's ETag revalidation still let the browser keep a
            # copy of names and phone numbers on disk after sign-out.
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
