"""The domain's vocabulary: the allowed values and their labels.

Glossary (Indonesian word -> the one English name used in code):
    rakor (rapat koordinasi) -> Meeting         masukan -> Submission (an input)
    usulan -> a "usulan" Submission (proposal)   evaluasi -> feedback on a Program
    kendala -> an obstacle or cause              strategi / pilar -> Pillar
    lurah / kelurahan -> ward head / Kelurahan   camat / kecamatan -> district head / Kecamatan
    OPD (organisasi perangkat daerah) -> Agency  tindak lanjut -> FollowUp
    notulen -> minutes                           notulis -> note-taker
    daftar hadir -> attendance list (Attendee)   kop surat -> Letterhead
    tanda terima / kode -> receipt code

Stored values are the Indonesian words the meeting itself uses (lurah, usulan...);
labels go through Flask-Babel so the pages can show them in either language.
"""

from datetime import date

from flask_babel import lazy_gettext as _l

ROLES = {
    "lurah": _l("Lurah"),
    "camat": _l("Camat"),
    "opd": _l("OPD (perangkat daerah)"),
    "stakeholder": _l("Pemangku kepentingan lain"),
}

KINDS = {
    "usulan": _l("Usulan program atau kegiatan"),
    "evaluasi": _l("Evaluasi program yang berjalan"),
    "kendala": _l("Kendala atau penyebab"),
}

KIND_SHORT = {
    "usulan": _l("Usulan"),
    "evaluasi": _l("Evaluasi"),
    "kendala": _l("Kendala"),
}

TARGET_GROUPS = {
    "umum": _l("Umum"),
    "lansia": _l("Lansia"),
    "disabilitas": _l("Penyandang disabilitas"),
    "balita_stunting": _l("Balita / stunting"),
    "pelajar": _l("Pelajar"),
    "nelayan": _l("Nelayan"),
    "umkm": _l("Pelaku UMKM"),
    "pencari_kerja": _l("Pencari kerja"),
    "perempuan_kepala_keluarga": _l("Perempuan kepala keluarga"),
}

SUBMISSION_STATUSES = {
    "received": _l("Diterima, menunggu tinjauan"),
    "accepted": _l("Disetujui"),
    "follow_up": _l("Ditindaklanjuti"),
    "declined": _l("Tidak dapat ditindaklanjuti"),
    "merged": _l("Digabung dengan masukan serupa"),
}

SUBMISSION_SOURCES = ("web", "paper", "import")

# A submission's limits, read by its model's columns, its form (the web form and the
# spreadsheet import alike) and the tests: lengths in characters, after stripping.
NAME_MAX = 120
ORGANISATION_MAX = 160
POSITION_MAX = 120
PHONE_MAX = 24
TITLE_MIN, TITLE_MAX = 5, 160
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 4000
MAX_BENEFICIARIES = 10_000_000
MAX_COST = 10_000_000_000_000  # Rp 10 triliun: well beyond any city program

MEETING_STATUSES = {
    "draft": _l("Draf"),
    "open": _l("Dibuka untuk masukan"),
    "closed": _l("Ditutup"),
    "finalised": _l("Notulen final"),
}

FOLLOW_UP_STATUSES = {
    "open": _l("Belum dimulai"),
    "in_progress": _l("Sedang berjalan"),
    "done": _l("Selesai"),
    "cancelled": _l("Dibatalkan"),
}

# A follow-up in one of these states is no longer waited for, whatever its deadline.
CLOSED_FOLLOW_UP_STATUSES = ("done", "cancelled")


def is_overdue(deadline: date | None, status: str, as_of: date) -> bool:
    """Past its deadline and still awaited (not done, not cancelled) on the day `as_of`."""
    return deadline is not None and deadline < as_of and status not in CLOSED_FOLLOW_UP_STATUSES


# How a progress report on a follow-up arrived: a staff account (the secretariat or the
# agency's focal point), the agency's update link, or the agency's RTL workbook uploaded.
PROGRESS_CHANNELS = {
    "staff": _l("Akun sekretariat"),
    "focal": _l("Akun focal point"),
    "link": _l("Tautan pembaruan"),
    "xlsx": _l("Unggah XLSX"),
}
# A progress report's evidence: a PDF or a photo, checked by its content, not its name.
EVIDENCE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
PROGRESS_NOTE_MAX = 4_000

USER_ROLES = {
    "admin": _l("Admin"),
    "secretariat": _l("Sekretariat"),
    "viewer": _l("Pimpinan (hanya baca)"),
    # An agency's officer: sees and reports on that agency's follow-ups, nothing else.
    "focal": _l("Focal point perangkat daerah"),
}

SEXES = {"L": _l("Laki-laki"), "P": _l("Perempuan")}

# Every document a meeting yields: notulen, ringkasan evaluasi, daftar hadir, berita acara
# kesepakatan, laporan hasil rakor.
DOCUMENT_KINDS = ("minutes", "evaluation", "attendance", "berita_acara", "laporan")
DOCUMENT_LABELS = {
    "minutes": _l("Notulen"),
    "evaluation": _l("Ringkasan evaluasi"),
    "attendance": _l("Daftar hadir"),
    "berita_acara": _l("Berita acara kesepakatan"),
    "laporan": _l("Laporan hasil rakor"),
}
# Documents archived at finalisation, numbered, and (once signed) the official record.
FINAL_KINDS = ("minutes", "berita_acara", "laporan")
# Who signs a final document, by the part they sign in: the notulen's note-taker and
# chair, the berita acara's parties and those who sign "Mengetahui", the laporan's signer.
SIGNER_ROLES = {
    "notetaker": _l("Notulis"),
    "chair": _l("Pimpinan rapat"),
    "party": _l("Pihak"),
    "acknowledger": _l("Mengetahui"),
    "signer": _l("Penanda tangan"),
}
# How a signature was made: the institution's seal (a PKCS#12 certificate the operator
# configures), or a person's certified signature through a remote signing service.
SIGNING_METHODS = {
    "seal": _l("Segel elektronik instansi"),
    "remote": _l("Tanda tangan elektronik tersertifikasi"),
}
# The two kinds of kop a city uses: its agency's own, and the Wali Kota's (the lambang
# and the office, no agency line) for documents the Wali Kota signs.
LETTERHEAD_KINDS = {"agency": _l("Kop perangkat daerah"), "mayor": _l("Kop Wali Kota")}
# How a line of the daftar hadir came to be: the participant checked in on a phone, the
# secretariat entered or ticked it at the desk, or it was invited and is not (yet) present.
ATTENDEE_SOURCES = {
    "checkin": _l("Mengisi sendiri"),
    "desk": _l("Dicatat sekretariat"),
    "invited": _l("Diundang"),
}
# NIP (Nomor Induk Pegawai) of a civil servant: 18 digits.
NIP_LENGTH = 18


def nip_digits(text: str | None) -> str | None:
    """The 18 digits of a NIP typed with spaces, dots or dashes; None when it is not one."""
    digits = "".join(ch for ch in (text or "") if ch not in " .-\t")
    if len(digits) != NIP_LENGTH or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def grouped_nip(text: str | None) -> str:
    """A NIP in its usual grouping, '19850312 201001 2 015' (birth date, appointment
    month, sex, number); anything that is not a NIP comes back as it was typed."""
    digits = nip_digits(text)
    if digits is None:
        return (text or "").strip()
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


RENDER_JOB_STATUSES = ("queued", "running", "done", "failed")
PAGE_SIZES = ("A4", "F4")


# Unicode's bidirectional controls (embeddings, overrides, isolates, the marks): one
# U+202E turns "Bantuan beras" into "sareb nautnaB" in the review queue and the PDF.
BIDI_CONTROLS = dict.fromkeys(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


def has_bidi_controls(text: str) -> bool:
    return any(ord(ch) in BIDI_CONTROLS for ch in text)


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)
