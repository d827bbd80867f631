"""Public verification of Rakor's final documents: /verify (upload a PDF) and
/verify/<sha256> (the address a signed document's QR code carries). No sign-in."""

from flask import Blueprint

bp = Blueprint("verify", __name__)

from app.verify import views  # noqa: E402,F401
