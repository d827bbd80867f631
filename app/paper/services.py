"""Paper input: the blank form to print, the XLSX template, and the import of filled rows.

The import follows the public form's rules (required fields, allow-lists, lengths),
checks EVERY row before writing anything, and then writes all rows in one
transaction or none. Each row's idempotency key is a digest of its content, so
importing the same file twice adds nothing the second time.
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
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import domain
from app.audit import record, snapshot
from app.extensions import db
from app.i18n import number as format_number
from app.models import Meeting, Submission, User
from app.models.base import utcnow
from app.submissions.forms import (
    DESCRIPTION_MAX,
    MAX_BENEFICIARIES,
    MAX_COST,
    PHONE,
    TITLE_MAX,
)
from app.submissions.services import (
    FormChoices,
    SubmissionData,
    load_form_choices,
    new_receipt_code,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2_000
# A sheet can claim a million (empty) rows in a few kilobytes; stop reading well before.
MAX_SCANNED_ROWS = 20_000
# The key column holds 64 characters: "import:" plus the first 57 hex digits of the digest.
KEY_PREFIX = "import:"
KEY_LENGTH = 64

NAME_MAX = 120
POSITION_MAX = 120
PHONE_MAX = 24
ORGANISATION_MAX = 160
TITLE_MIN = 5
DESCRIPTION_MIN = 10


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
        _l("Judul singkat, %(min)d sampai %(max)d karakter.", min=TITLE_MIN, max=TITLE_MAX),
        36,
    ),
    Column(
        "description",
        _l("Uraian"),
        True,
        _l("Uraian, %(min)d sampai %(max)d karakter.", min=DESCRIPTION_MIN, max=DESCRIPTION_MAX),
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

ROLE_HINTS = {
    "lurah": _l("nama kelurahan"),
    "camat": _l("nama kecamatan"),
    "opd": _l("singkatan perangkat daerah"),
    "stakeholder": _l("nama lembaga"),
}


class ImportRefused(Exception):
    """The file as a whole cannot be imported (not an XLSX, too big, wrong columns...)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as Excel shows it
    column: str
    message: str


class ImportInvalid(Exception):
    """Some rows break the rules; nothing was imported."""

    def __init__(self, errors: list[RowError], rows: int):
        super().__init__(f"{len(errors)} errors in {rows} rows")
        self.errors = errors
        self.rows = rows


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


# --- the reference data one meeting accepts --------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    choices: FormChoices
    roles: dict[str, str]
    kinds: dict[str, str]
    target_groups: dict[str, str]
    pillars: dict[str, int]
    kelurahan: dict[str, int | None]  # None: the name exists in more than one kecamatan
    kecamatan: dict[str, int]
    agencies: dict[str, int]
    programs: dict[str, int]

    @classmethod
    def for_meeting(cls, meeting: Meeting) -> "Allowed":
        choices = meeting_choices(meeting)
        kelurahan: dict[str, int | None] = {}
        kecamatan: dict[str, int] = {}
        for kec in choices.kecamatan:
            kecamatan[fold(kec.name)] = kec.id
            kecamatan[fold(f"kecamatan {kec.name}")] = kec.id
            for kel in kec.kelurahan:
                for name in (kel.name, f"kelurahan {kel.name}"):
                    key = fold(name)
                    kelurahan[key] = None if key in kelurahan else kel.id
                kelurahan[fold(f"{kel.name} ({kec.name})")] = kel.id
        agencies = {}
        for agency in choices.agencies:
            agencies[fold(agency.name)] = agency.id
        for agency in choices.agencies:  # an abbreviation wins over a name that looks alike
            agencies[fold(agency.abbreviation)] = agency.id
        return cls(
            choices=choices,
            roles=vocabulary(domain.ROLES),
            kinds=vocabulary(domain.KINDS, domain.KIND_SHORT),
            target_groups=vocabulary(domain.TARGET_GROUPS),
            pillars={fold(p.code): p.id for p in choices.pillars},
            kelurahan=kelurahan,
            kecamatan=kecamatan,
            agencies=agencies,
            programs={fold(p.name): p.id for p in choices.programs},
        )


def meeting_choices(meeting: Meeting) -> FormChoices:
    """What the meeting's public form offers: the same lists bind the paper form and import."""
    return load_form_choices(meeting.id)


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
    """The filled rows of the first sheet, by column key. Refuses anything not a sound XLSX."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportRefused(
            _l("Berkas lebih besar dari %(mb)d MB. Bagi menjadi beberapa berkas.", mb=5)
        )
    not_xlsx = _l(
        "Berkas ini bukan berkas Excel (.xlsx) yang dapat dibaca. Unduh templat, isi, "
        "lalu simpan sebagai Excel Workbook (.xlsx)."
    )
    if not content.startswith(b"PK\x03\x04"):
        raise ImportRefused(not_xlsx)
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise ImportRefused(not_xlsx) from error
    try:
        if not workbook.worksheets:
            raise ImportRefused(not_xlsx)
        return _rows_of(workbook.worksheets[0])
    except ImportRefused:
        raise
    except Exception as error:  # a sheet whose XML breaks halfway through
        raise ImportRefused(not_xlsx) from error
    finally:
        workbook.close()


def _rows_of(sheet) -> list[SheetRow]:
    headers = header_lookup()
    keys: list[str | None] | None = None
    rows: list[SheetRow] = []
    for number, cells in enumerate(
        sheet.iter_rows(max_col=len(COLUMNS) + 10, values_only=True), start=1
    ):
        if number > MAX_SCANNED_ROWS:
            raise ImportRefused(_too_many_rows())
        if all(_is_blank(value) for value in cells):
            continue
        if keys is None:
            keys = _column_keys(cells, headers)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(_too_many_rows())
        values = {key: value for key, value in zip(keys, cells) if key is not None}
        rows.append(SheetRow(number, values))
    if keys is None:
        raise ImportRefused(_l("Berkas ini kosong: tidak ada baris judul kolom."))
    return rows


def _too_many_rows():
    return _l(
        "Berkas ini berisi lebih dari %(max)s baris. Bagi menjadi beberapa berkas.",
        max=format_number(MAX_ROWS),
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
        raise ImportRefused(
            _l(
                "Kolom berkas tidak sesuai templat (%(problems)s). Unduh templat terbaru dan "
                "salin isian ke sana.",
                problems="; ".join(problems),
            )
        )
    return keys


# --- checking one row ------------------------------------------------------------------------


def as_text(value: Any) -> str:
    """A cell as the text typed: whole numbers without '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def one_line(value: Any) -> str:
    return " ".join(as_text(value).split())


def whole_number(value: Any, maximum: int):
    """(number, None) or (None, message): Excel numbers, or text typed as on the form."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        text = re.sub(r"(?i)^rp\.?\s*", "", value.strip())
        text = re.sub(r"[.\s]", "", text)
        text = re.sub(r",0+$", "", text)
        if text.isdigit() and len(text) <= 15:
            number = int(text)
    if number is None or number < 0:
        return None, _l("Tulis angka bulat saja, misalnya 1.500.000.")
    if number > maximum:
        return None, _l("Angka ini terlalu besar.")
    return number, None


class _RowCheck:
    """Collects the errors of one row, each under its column's header."""

    def __init__(self, row: SheetRow):
        self.row = row
        self.errors: list[RowError] = []
        self._headers = {c.key: str(c.header) for c in COLUMNS}

    def fail(self, key: str, message) -> None:
        self.errors.append(RowError(self.row.number, self._headers[key], str(message)))

    def text(self, key: str, *, required=None, minimum=0, maximum=None, multiline=False) -> str:
        raw = self.row.values.get(key)
        value = as_text(raw) if multiline else one_line(raw)
        if not value:
            if required:
                self.fail(key, required)
            return ""
        if len(value) < minimum or (maximum and len(value) > maximum):
            if minimum:
                message = _l(
                    "Panjang isian antara %(min)d dan %(max)d karakter (sekarang %(n)d).",
                    min=minimum,
                    max=maximum,
                    n=len(value),
                )
            else:
                message = _l(
                    "Paling panjang %(max)d karakter (sekarang %(n)d).", max=maximum, n=len(value)
                )
            self.fail(key, message)
        return value

    def choice(self, key: str, lookup: dict, *, required=None, unknown=None):
        value = one_line(self.row.values.get(key))
        if not value:
            if required:
                self.fail(key, required)
            return None
        found = lookup.get(fold(value))
        if found is None:
            self.fail(key, unknown or _l("“%(value)s” tidak ada di daftar pilihan.", value=value))
        return found


def check_row(row: SheetRow, allowed: Allowed) -> tuple[SubmissionData | None, list[RowError]]:
    check = _RowCheck(row)
    name = check.text("submitter_name", required=_l("Isi nama."), maximum=NAME_MAX)
    role = check.choice(
        "role",
        allowed.roles,
        required=_l("Isi peran: lurah, camat, opd atau stakeholder."),
        unknown=_l("Peran harus lurah, camat, opd atau stakeholder."),
    )
    unit = one_line(row.values.get("unit"))
    units: dict[str, Any] = {}
    if not unit and role:
        check.fail("unit", _l("Isi %(what)s.", what=ROLE_HINTS[role]))
    elif role == "lurah":
        units["kelurahan_id"] = _kelurahan(check, "unit", unit, allowed)
    elif role == "camat":
        units["kecamatan_id"] = allowed.kecamatan.get(fold(unit))
        if units["kecamatan_id"] is None:
            check.fail("unit", _l("Kecamatan “%(name)s” tidak dikenal.", name=unit))
    elif role == "opd":
        units["agency_id"] = allowed.agencies.get(fold(unit))
        if units["agency_id"] is None:
            check.fail("unit", _l("Perangkat daerah “%(name)s” tidak dikenal.", name=unit))
    elif role == "stakeholder":
        units["organisation"] = check.text("unit", maximum=ORGANISATION_MAX)
    position = check.text("position", required=_l("Isi jabatan."), maximum=POSITION_MAX)
    phone = one_line(row.values.get("phone"))
    if phone and (len(phone) > PHONE_MAX or not PHONE.match(phone)):
        check.fail("phone", _l("Tulis nomor HP dengan angka, misalnya 0812 3456 7890."))

    kind = check.choice(
        "kind",
        allowed.kinds,
        required=_l("Isi jenis: usulan, evaluasi atau kendala."),
        unknown=_l("Jenis harus usulan, evaluasi atau kendala."),
    )
    pillar_id = check.choice(
        "pillar",
        allowed.pillars,
        required=_l("Isi kode strategi, misalnya P1."),
        unknown=_l(
            "Kode strategi tidak dikenal untuk rapat ini. Pilihan: %(codes)s.",
            codes=", ".join(p.code for p in allowed.choices.pillars),
        ),
    )
    title = check.text("title", required=_l("Isi judul."), minimum=TITLE_MIN, maximum=TITLE_MAX)
    description = check.text(
        "description",
        required=_l("Isi uraian."),
        minimum=DESCRIPTION_MIN,
        maximum=DESCRIPTION_MAX,
        multiline=True,
    )
    location = one_line(row.values.get("location"))
    location_id = _kelurahan(check, "location", location, allowed) if location else None
    target_group = check.choice("target_group", allowed.target_groups) or "umum"
    program_id = check.choice(
        "program",
        allowed.programs,
        unknown=_l("Program ini tidak ada di daftar. Salin namanya persis dari lembar Pilihan."),
    )
    if kind == "evaluasi" and not one_line(row.values.get("program")):
        check.fail("program", _l("Untuk evaluasi, isi program yang dievaluasi."))
    beneficiaries, problem = whole_number(row.values.get("beneficiaries"), MAX_BENEFICIARIES)
    if problem:
        check.fail("beneficiaries", problem)
    cost, problem = whole_number(row.values.get("cost"), MAX_COST)
    if problem:
        check.fail("cost", problem)

    if check.errors:
        return None, check.errors
    return (
        SubmissionData(
            submitter_name=name,
            role=role,
            position=position,
            kind=kind,
            pillar_id=pillar_id,
            title=title,
            description=description,
            target_group=target_group,
            phone=phone,
            location_id=location_id,
            program_id=program_id,
            beneficiaries=beneficiaries,
            cost=cost,
            **units,
        ),
        [],
    )


def _kelurahan(check: _RowCheck, key: str, name: str, allowed: Allowed) -> int | None:
    folded = fold(name)
    if folded not in allowed.kelurahan:
        check.fail(key, _l("Kelurahan “%(name)s” tidak dikenal.", name=name))
        return None
    found = allowed.kelurahan[folded]
    if found is None:
        check.fail(
            key,
            _l(
                "Ada lebih dari satu kelurahan “%(name)s”; tulis dengan kecamatannya, "
                "misalnya “%(name)s (nama kecamatan)”.",
                name=name,
            ),
        )
    return found


def check_rows(
    meeting: Meeting, rows: list[SheetRow]
) -> tuple[list[SubmissionData], list[RowError]]:
    allowed = Allowed.for_meeting(meeting)
    valid, errors = [], []
    for row in rows:
        data, problems = check_row(row, allowed)
        if data is not None:
            valid.append(data)
        errors.extend(problems)
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
    """Check every row, then import all of them in one transaction, or nothing."""
    if meeting.status == "finalised":
        raise ImportRefused(
            _l("Notulen rapat ini sudah final; masukan baru tidak dapat ditambahkan.")
        )
    rows = read_rows(content)
    if not rows:
        raise ImportRefused(_l("Berkas ini tidak berisi baris masukan di bawah judul kolom."))
    valid, errors = check_rows(meeting, rows)
    if errors:
        raise ImportInvalid(errors, len(rows))
    now = now or utcnow()
    for _attempt in range(3):
        try:
            return _store(meeting, actor, valid, filename=filename, now=now)
        except IntegrityError:
            # A receipt code collided, or someone imported the same rows a moment ago:
            # start again; rows now present are counted as already imported.
            db.session.rollback()
    raise RuntimeError("could not import the rows")


def _store(
    meeting: Meeting, actor: User, valid: list[SubmissionData], *, filename: str, now: datetime
) -> ImportResult:
    keys = [import_key(data) for data in valid]
    present = set(
        db.session.scalars(
            select(Submission.idempotency_key).where(
                Submission.meeting_id == meeting.id, Submission.idempotency_key.in_(set(keys))
            )
        )
    )
    seen: set[str] = set()
    codes: set[str] = set()
    created: list[Submission] = []
    already = repeated = 0
    for data, key in zip(valid, keys):
        if key in present:
            already += 1
            continue
        if key in seen:
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
            submitted_pillar_id=data.pillar_id,
            submitted_at=now,
            **asdict(data),
        )
        db.session.add(submission)
        created.append(submission)
    db.session.flush()
    for submission in created:
        record(actor, "create", submission, after=snapshot(submission), meeting_id=meeting.id)
    result = ImportResult(len(valid), len(created), already, repeated)
    record(
        actor,
        "import_paper",
        meeting,
        after={"filename": filename[:200], **asdict(result)},
        meeting_id=meeting.id,
    )
    db.session.commit()
    return result


def paper_input_count(meeting_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.meeting_id == meeting_id, Submission.source == "paper")
    )
