"""The official documents a meeting yields, as HTML, PDF and Word.

The notulen (minutes), ringkasan evaluasi, daftar hadir, berita acara
kesepakatan and laporan hasil rakor. context.py, evaluation.py, attendance.py,
agreement.py and report.py build each document's content as plain data;
render.py draws it (HTML preview or PDF, through pdf.py) and word.py fills a
Word template with it; jobs.py renders and stores the PDF as a job;
finalise.py checks and freezes the record, numbering.py numbers its documents;
cli.py is `flask report`. The pages: views.py (previews, PDFs, finalising),
word_views.py (DOCX), parties.py (the berita acara's signatories and the
laporan's texts), settings.py (each kind's kop, numbering and Word template).
"""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from app.documents import parties, settings, views, word_views  # noqa: E402,F401
