"""Paper input: the blank form to print, the XLSX template, and the import of filled rows.

Each row is checked by the web form's own class (app/submissions/forms.py), so the
file takes exactly the values the form takes and refuses the others with the same
words; the names typed in the file (a kelurahan, an agency, a pillar's code, a
program) are first turned into the form's values. Every row is checked before
anything is written, then all rows go in one transaction, or none. Each row's
idempotency key is a digest of its content, so importing the same file twice adds
nothing the second time.

A file is checked against the caps of app/paper/limits.py before openpyxl opens it,
then read in read-only mode with caps on its rows and on each cell's length, so that a
small file cannot unpack into more time or memory than a real meeting's import takes.
"""

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app import domain
from app.audit import record
from app.documents.finalise import check_not_final, is_final, record_is_final
from app.extensions import db
from app.i18n import number as format_number
from app.models import Meeting, Submission, User
from app.models.base import utcnow
from app.paper import limits
from app.paper.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_UPLOAD_BYTES,
)
from app.services import Refused, transaction
from app.submissions.forms import SubmissionForm
from app.submissions.services import FormChoices, SubmissionData, form_choices, new_receipt_code

# The key column holds 64 characters: "import:" plus the first 57 hex digits of the digest.
KEY_PREFIX = "import:"
KEY_LENGTH = 64


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # a lazy string: the header row is written in the user's language
    required: bool
    help: Any
    width: int = 18


COLUMNS = (
    Column("submitter_name", _l("Nama"), True, _l("Nama lengkap pengirim."), 24),
    Column(
        "role",
        _l("Peran"),
        True,
        _l("lurah, camat, opd atau stakeholder (pemangku kepentingan lain)."),
        14,
    ),
    Column(
        "unit",
        _l("Unit"),
        True,
        _l(
            "Lurah: nama kelurahan. Camat: nama kecamatan. OPD: singkatan atau nama perangkat "
            "daerah. Pemangku kepentingan: nama lembaga atau organisasi."
        ),
        24,
    ),
    Column("position", _l("Jabatan"), True, _l("Jabatan pengirim."), 22),
    Column(
        "phone",
        _l("No HP"),
        False,
        _l("Tidak wajib. Data pribadi: hanya dilihat sekretariat. Tulis sebagai teks."),
        16,
    ),
    Column("kind", _l("Jenis"), True, _l("usulan, evaluasi atau kendala."), 12),
    Column(
        "pillar",
        _l("Strategi (kode)"),
        True,
        _l("Kode strategi, misalnya P1 (lihat lembar Pilihan)."),
        14,
    ),
    Column(
        "title",
        _l("Judul"),
        True,
        _l(
            "Judul singkat, %(min)d sampai %(max)d karakter.",
            min=domain.TITLE_MIN,
            max=domain.TITLE_MAX,
        ),
        36,
    ),
    Column(
        "description",
        _l("Uraian"),
        True,
        _l(
            "Uraian, %(min)d sampai %(max)d karakter.",
            min=domain.DESCRIPTION_MIN,
            max=domain.DESCRIPTION_MAX,
        ),
        60,
    ),
    Column(
        "location",
        _l("Lokasi (kelurahan)"),
        False,
        _l("Tidak wajib. Nama kelurahan lokasi usulan."),
        20,
    ),
    Column(
        "target_group",
        _l("Sasaran"),
        False,
        _l("Tidak wajib; kosong berarti umum. Kode dari lembar Pilihan."),
        22,
    ),
    Column(
        "program",
        _l("Program"),
        False,
        _l("Nama program persis seperti di lembar Pilihan. Wajib untuk evaluasi."),
        40,
    ),
    Column(
        "beneficiaries",
        _l("Penerima manfaat"),
        False,
        _l("Tidak wajib. Perkiraan jumlah orang, angka bulat."),
        16,
    ),
    Column(
        "cost",
        _l("Biaya (Rp)"),
        False,
        _l("Tidak wajib. Perkiraan biaya dalam rupiah, angka bulat tanpa titik desimal."),
        18,
    ),
)


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as Excel shows it
    column: str
    message: str


@dataclass(frozen=True)
class ImportResult:
    rows: int
    imported: int
    already_imported: int
    repeated_in_file: int


@dataclass
class SheetRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidRow:
    number: int
    data: SubmissionData


# The template's columns and ten more, so that a column added to it is named in the refusal.
READ_COLUMNS = len(COLUMNS) + 10


# --- the vocabulary in both languages ------------------------------------------------------


def fold(text: str) -> str:
    """Compare names the way people type them: case, spacing and dashes do not matter."""
    text = re.sub(r"[\s_\-–—]+", " ", str(text)).strip()
    return text.casefold()


def in_both_languages(label) -> set[str]:
    """A label as the user sees it now, and in Indonesian (the template's source language)."""
    with force_locale("id"):
        indonesian = str(label)
    return {fold(str(label)), fold(indonesian)}


def vocabulary(labels: dict, *more: dict) -> dict[str, str]:
    """Typed text -> stored value: the value itself or any of its labels."""
    lookup = {}
    for value, label in labels.items():
        lookup[fold(value)] = value
        for text in in_both_languages(label):
            lookup[text] = value
        for extra in more:
            if value in extra:
                for text in in_both_languages(extra[value]):
                    lookup[text] = value
    return lookup


def header_lookup() -> dict[str, str]:
    lookup = {}
    for column in COLUMNS:
        for text in in_both_languages(column.header):
            lookup[text] = column.key
    return lookup


# --- from the names typed in a file to the form's values --------------------------------------

# Unknown names reach the form as this, which no list holds: the form refuses it.
NOT_LISTED = "?"
UNIT_FIELDS = {
    "lurah": "unit_kelurahan",
    "camat": "unit_kecamatan",
    "opd": "unit_agency",
    "stakeholder": "unit_organisation",
}
# What a browser sends for the lists a participant leaves at their first, empty option.
LEFT_EMPTY = dict.fromkeys(
    ("unit_kelurahan", "unit_kecamatan", "unit_agency", "location", "program"), ""
)


@dataclass(frozen=True)
class Names:
    """Typed name -> the form's value, for every list the form offers."""

    lists: dict[str, dict[str, str]]

    @classmethod
    def of(cls, choices: FormChoices) -> "Names":
        kelurahan: dict[str, str] = {}
        kecamatan: dict[str, str] = {}
        for kec in choices.kecamatan:
            kecamatan[fold(kec.name)] = kecamatan[fold(f"kecamatan {kec.name}")] = str(kec.id)
            for kel in kec.kelurahan:
                for name in (kel.name, f"kelurahan {kel.name}"):
                    # A name found in two kecamatan is listed with its kecamatan only.
                    key = fold(name)
                    kelurahan[key] = NOT_LISTED if key in kelurahan else str(kel.id)
                kelurahan[fold(f"{kel.name} ({kec.name})")] = str(kel.id)
        agencies = {fold(a.name): str(a.id) for a in choices.agencies}
        # An abbreviation wins over a name that looks alike.
        agencies.update({fold(a.abbreviation): str(a.id) for a in choices.agencies})
        return cls(
            {
                "role": vocabulary(domain.ROLES),
                "kind": vocabulary(domain.KINDS, domain.KIND_SHORT),
                "target_group": vocabulary(domain.TARGET_GROUPS),
                "pillar": {fold(p.code): str(p.id) for p in choices.pillars},
                "location": kelurahan,
                "program": {fold(p.name): str(p.id) for p in choices.programs},
                "unit_kelurahan": kelurahan,
                "unit_kecamatan": kecamatan,
                "unit_agency": agencies,
            }
        )

    def formdata(self, row: SheetRow) -> MultiDict:
        """The row as the web form would send it."""
        typed = {key: as_text(value) for key, value in row.values.items() if not _is_blank(value)}
        role = self.lists["role"].get(fold(typed.get("role", "")))
        fields = {key: typed[key] for key in typed if key != "unit"}
        if role in UNIT_FIELDS and "unit" in typed:
            fields[UNIT_FIELDS[role]] = typed["unit"]
        for name, lookup in self.lists.items():
            if name in fields:
                fields[name] = lookup.get(fold(fields[name]), NOT_LISTED)
        return MultiDict({**LEFT_EMPTY, **fields})


def kelurahan_labels(choices: FormChoices) -> list[str]:
    """Kelurahan as the template lists them: the name, with its kecamatan when not unique."""
    counts: dict[str, int] = {}
    for kec in choices.kecamatan:
        for kel in kec.kelurahan:
            counts[fold(kel.name)] = counts.get(fold(kel.name), 0) + 1
    return [
        kel.name if counts[fold(kel.name)] == 1 else f"{kel.name} ({kec.name})"
        for kec in choices.kecamatan
        for kel in kec.kelurahan
    ]


# --- reading the file --------------------------------------------------------------------


def read_rows(content: bytes) -> list[SheetRow]:
    """The filled rows of the first sheet, by column key. Refuses anything not a sound XLSX,
    and stops at the first cap of app/paper/limits.py a file goes beyond."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise Refused(
            "too_big",
            _l("Berkas lebih besar dari %(mb)d MB. Bagi menjadi beberapa berkas.", mb=5),
            field="file",
        )
    not_xlsx = Refused(
        "not_xlsx",
        _l(
            "Berkas ini bukan berkas Excel (.xlsx) yang dapat dibaca. Unduh templat, isi, "
            "lalu simpan sebagai Excel Workbook (.xlsx)."
        ),
        field="file",
    )
    if not content.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        limits.check_upload(content)
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Refused:
        raise
    except Exception as error:  # zipfile, defusedxml and openpyxl raise many kinds
        raise not_xlsx from error
    try:
        if not workbook.worksheets:
            raise not_xlsx
        return _rows_of(workbook.worksheets[0])
    except Refused:
        raise
    except Exception as error:  # a sheet whose XML breaks halfway through
        raise not_xlsx from error
    finally:
        workbook.close()


def _rows_of(sheet) -> list[SheetRow]:
    _check_declared_size(sheet)
    # The declared size may also understate: read on to the real end, within the caps below.
    sheet.reset_dimensions()
    headers = header_lookup()
    keys: list[str | None] | None = None
    rows: list[SheetRow] = []
    for number, cells in enumerate(sheet.iter_rows(max_col=READ_COLUMNS, values_only=True), 1):
        if number > MAX_SCANNED_ROWS:
            raise _rows_beyond_the_cap()
        _check_cell_lengths(number, cells)
        if all(_is_blank(value) for value in cells):
            continue
        if keys is None:
            keys = _column_keys(cells, headers)
            continue
        if len(rows) >= MAX_ROWS:
            raise Refused(
                "too_many_rows",
                _l(
                    "Berkas ini berisi lebih dari %(max)s baris masukan: baris %(row)s melewati "
                    "batas itu. Bagi menjadi beberapa berkas.",
                    max=format_number(MAX_ROWS),
                    row=number,
                ),
                field="file",
            )
        values = {key: value for key, value in zip(keys, cells) if key is not None}
        rows.append(SheetRow(number, values))
    if keys is None:
        raise Refused(
            "no_header", _l("Berkas ini kosong: tidak ada baris judul kolom."), field="file"
        )
    return rows


def _check_declared_size(sheet) -> None:
    """The size the sheet declares (its <dimension>, what read-only mode reports), if any."""
    if (sheet.max_row or 0) > MAX_SCANNED_ROWS:
        raise _rows_beyond_the_cap()
    if (sheet.max_column or 0) > MAX_COLUMNS:
        raise Refused(
            "too_many_columns",
            _l(
                "Lembar pertama berisi lebih dari %(max)s kolom. Hapus isian di luar kolom "
                "templat, lalu impor lagi.",
                max=format_number(MAX_COLUMNS),
            ),
            field="file",
        )


def _rows_beyond_the_cap() -> Refused:
    return Refused(
        "too_many_rows",
        _l(
            "Lembar pertama berlanjut melewati baris %(max)s. Hapus baris kosong di bawah "
            "isian, atau bagi menjadi beberapa berkas.",
            max=format_number(MAX_SCANNED_ROWS),
        ),
        field="file",
    )


def _check_cell_lengths(number: int, cells: tuple) -> None:
    for column, value in enumerate(cells, start=1):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise Refused(
                "cell_too_long",
                _l(
                    "Baris %(row)s, kolom %(column)s: isian lebih dari %(max)s karakter, lebih "
                    "panjang dari kolom mana pun di templat.",
                    row=number,
                    column=get_column_letter(column),
                    max=format_number(MAX_CELL_CHARS),
                ),
                field="file",
            )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_keys(cells: tuple, headers: dict[str, str]) -> list[str | None]:
    """Map the header row onto column keys; the order may differ, the names may not."""
    keys: list[str | None] = []
    unknown, repeated = [], []
    for value in cells:
        if _is_blank(value):
            keys.append(None)
            continue
        key = headers.get(fold(str(value)))
        if key is None:
            unknown.append(str(value).strip())
        elif key in keys:
            repeated.append(str(value).strip())
        keys.append(key)
    missing = [str(c.header) for c in COLUMNS if c.key not in keys]
    problems = []
    if missing:
        problems.append(_("kolom yang tidak ada: %(names)s", names=", ".join(missing)))
    if unknown:
        problems.append(_("kolom yang tidak dikenal: %(names)s", names=", ".join(unknown)))
    if repeated:
        problems.append(_("kolom yang muncul dua kali: %(names)s", names=", ".join(repeated)))
    if problems:
        raise Refused(
            "columns",
            _l(
                "Kolom berkas tidak sesuai templat (%(problems)s). Unduh templat terbaru dan "
                "salin isian ke sana.",
                problems="; ".join(problems),
            ),
            field="file",
        )
    return keys


# --- checking the rows -----------------------------------------------------------------------


def as_text(value: Any) -> str:
    """A cell as the text typed: whole numbers without '.0', dates as YYYY-MM-DD."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def check_rows(meeting: Meeting, rows: list[SheetRow]) -> tuple[list[ValidRow], list[RowError]]:
    """Each row through the web form, errors under the file's column headers."""
    choices = form_choices(meeting)
    names = Names.of(choices)
    headers = {c.key: str(c.header) for c in COLUMNS}
    valid, errors = [], []
    for row in rows:
        form = SubmissionForm(formdata=names.formdata(row), meta={"csrf": False})
        form.offer(choices)
        del form.client_token, form.access_code  # a web send's own fields
        if form.validate():
            valid.append(ValidRow(row.number, form.submission_data()))
        for name, messages in form.errors.items():
            column = headers["unit" if name.startswith("unit_") else name]
            errors.extend(RowError(row.number, column, str(message)) for message in messages)
    return valid, errors


def import_key(data: SubmissionData) -> str:
    digest = hashlib.sha256(data.fingerprint().encode()).hexdigest()
    return (KEY_PREFIX + digest)[:KEY_LENGTH]


# --- the import --------------------------------------------------------------------------


def import_workbook(
    meeting: Meeting,
    actor: User,
    content: bytes,
    *,
    filename: str = "",
    now: datetime | None = None,
) -> ImportResult:
    """Check every row, then import all of them in one transaction, or nothing.

    Rows that break the rules refuse the whole file, with the list of what to fix
    in `details` (`errors`: RowError list, `rows`: how many rows were read).
    """
    if is_final(meeting):  # before reading the file; store_rows checks again under the lock
        raise record_is_final()
    rows = read_rows(content)
    if not rows:
        raise Refused(
            "no_rows",
            _l("Berkas ini tidak berisi baris masukan di bawah judul kolom."),
            field="file",
        )
    valid, errors = check_rows(meeting, rows)
    if errors:
        raise Refused("rows", _l("Tidak ada yang diimpor"), errors=errors, rows=len(rows))
    now = now or utcnow()
    for _attempt in range(3):
        try:
            return store_rows(meeting, actor, valid, filename=filename, now=now)
        except IntegrityError:
            # A receipt code collided, or someone imported the same rows a moment ago:
            # start again; rows now present are counted as already imported.
            continue
    raise RuntimeError("could not import the rows")


@transaction
def store_rows(
    meeting: Meeting, actor: User, valid: list[ValidRow], *, filename: str, now: datetime
) -> ImportResult:
    check_not_final(meeting.id)
    keys = [import_key(row.data) for row in valid]
    present = set(
        db.session.scalars(
            select(Submission.idempotency_key).where(
                Submission.meeting_id == meeting.id, Submission.idempotency_key.in_(set(keys))
            )
        )
    )
    seen: set[str] = set()
    codes: set[str] = set()
    created: list[tuple[ValidRow, Submission]] = []
    skipped: list[int] = []
    already = repeated = 0
    for row, key in zip(valid, keys):
        if key in present or key in seen:
            skipped.append(row.number)
            if key in present:
                already += 1
            else:
                repeated += 1
            continue
        seen.add(key)
        code = new_receipt_code()
        while code in codes:
            code = new_receipt_code()
        codes.add(code)
        submission = Submission(
            meeting_id=meeting.id,
            receipt_code=code,
            idempotency_key=key,
            source="paper",
            submitted_pillar_id=row.data.pillar_id,
            submitted_at=now,
            **asdict(row.data),
        )
        db.session.add(submission)
        created.append((row, submission))
    db.session.flush()
    for row, submission in created:
        record(actor, "create", submission, after=audited_row(row), meeting_id=meeting.id)
    result = ImportResult(len(valid), len(created), already, repeated)
    record(
        actor,
        "import_paper",
        meeting,
        after={
            "filename": filename[:200],
            **asdict(result),
            "imported_rows": [row.number for row, _submission in created],
            "submission_ids": [submission.id for _row, submission in created],
            "skipped_rows": skipped,
        },
        meeting_id=meeting.id,
    )
    return result


def audited_row(row: ValidRow) -> dict[str, Any]:
    """What the audit log keeps of an imported row: where it came from and which fields it
    filled, never their values. The log is kept for ever; the phone number, the name and
    the row's text belong in the input alone."""
    filled = sorted(key for key, value in row.data.values().items() if value not in (None, ""))
    return {"source": "paper", "row": row.number, "fields": filled}


def paper_submission_count(meeting_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.meeting_id == meeting_id, Submission.source == "paper")
    )
