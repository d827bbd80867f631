"""The official documents: the minutes (notulen) and the evaluation summary, as HTML and PDF.

context.py and evaluation.py build each document's content as plain data,
render.py draws it (HTML preview or PDF, through pdf.py), jobs.py renders and
stores the PDF as a job, finalise.py freezes the minutes, cli.py is
`flask report`, views.py the pages.
"""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from app.documents import views  # noqa: E402,F401
from app.documents import settings, word_views  # noqa: E402,F401
