"""Electronic signatures of the final documents (docs/SIGNING.md).

The signers of each final document in the secretariat's order, the signing itself
(an institution's seal or a remote certified signing service, each signature a PAdES
incremental update with a visible stamp and a QR code to its verification page), and
the staff pages under /admin/ where signers see what waits for them and sign.
"""

from flask import Blueprint

bp = Blueprint("signing", __name__)

from app.signing import views  # noqa: E402,F401
