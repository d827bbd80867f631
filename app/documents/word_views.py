"""The documents as Word files: drafts to edit before signing.

GET /admin/meetings/<id>/minutes.docx        READ   the notulen
GET /admin/meetings/<id>/evaluation.docx     READ   the ringkasan evaluasi
GET /admin/meetings/<id>/attendance.docx     READ   the daftar hadir
GET /admin/meetings/<id>/berita-acara.docx   READ   the berita acara kesepakatan
GET /admin/meetings/<id>/laporan.docx        READ   the laporan hasil rakor

Unlike a PDF, a DOCX is made in the request every time and never stored: it is
small, quick to make and always a draft, never the record.
"""

from io import BytesIO

from flask import flash, redirect, send_file, url_for
from flask_babel import gettext as _

from app.auth.access import READ, role_required
from app.documents import bp, word
from app.documents.views import DOCUMENT_NAMES, FILE_PREFIX
from app.extensions import db
from app.models import Meeting
from app.services import Refused


@bp.get("/meetings/<int:meeting_id>/minutes.docx")
@role_required(*READ)
def minutes_docx(meeting_id: int):
    return docx_response("minutes", meeting_id)


@bp.get("/meetings/<int:meeting_id>/evaluation.docx")
@role_required(*READ)
def evaluation_docx(meeting_id: int):
    return docx_response("evaluation", meeting_id)


@bp.get("/meetings/<int:meeting_id>/attendance.docx")
@role_required(*READ)
def attendance_docx(meeting_id: int):
    return docx_response("attendance", meeting_id)


@bp.get("/meetings/<int:meeting_id>/berita-acara.docx")
@role_required(*READ)
def berita_acara_docx(meeting_id: int):
    return docx_response("berita_acara", meeting_id)


@bp.get("/meetings/<int:meeting_id>/laporan.docx")
@role_required(*READ)
def laporan_docx(meeting_id: int):
    return docx_response("laporan", meeting_id)


def docx_response(kind: str, meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    try:
        content = word.render_docx(kind, meeting_id)
    except Refused as refused:
        # A custom template that no longer fits the document: say so, and who can fix it.
        flash(
            _(
                "Template Word %(document)s tidak dapat dipakai: %(problem)s "
                "Admin dapat mengganti template atau memulihkan template bawaan "
                "di Pengaturan dokumen.",
                document=DOCUMENT_NAMES[kind],
                problem=str(refused),
            ),
            "warning",
        )
        return redirect(url_for(f"documents.{kind}", meeting_id=meeting_id))
    return send_file(
        BytesIO(content),
        mimetype=word.DOCX_MIMETYPE,
        as_attachment=True,
        download_name=f"{FILE_PREFIX[kind]}-{meeting.code}.docx",
        max_age=0,
    )
