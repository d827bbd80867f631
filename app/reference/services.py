"""Rules for the reference data an admin keeps: letterhead, regions, agencies, pillars, programs.

Nothing here is ever deleted: input, follow-ups and old minutes point at these rows.
Agencies and programs are deactivated, pillars retired; all of them keep their id,
so old input keeps its tags and the public form simply stops offering them.
Every change is written together with its audit line (before and after).
"""

import hashlib
import io
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit import changed, record, snapshot
from app.domain import LETTERHEAD_KINDS, PAGE_SIZES
from app.extensions import db
from app.models import Agency, Kecamatan, Kelurahan, Letterhead, Pillar, Program, Submission, User
from app.models.base import utcnow
from app.services import Refused, transaction

LOGO_MAX_BYTES = 1024 * 1024  # 1 MiB: a kop logo is a few dozen KiB
LOGO_MAX_PIXELS = 2000  # per side
# Checked on the decoded content, never on the file name or the browser's claim.
LOGO_PARSERS = ("PNG", "JPEG")
# Pillow names a JPEG with a multi-picture extension (some phone cameras) "MPO";
# it is still a JPEG file that every browser and WeasyPrint show as one.
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg"}


# The words of each refusal; a refusal names its field, the view puts the words beside it.
DUPLICATES = {
    "duplicate_code": _l("Kode ini sudah dipakai."),
    "duplicate_name": _l("Nama ini sudah dipakai."),
    "duplicate_abbreviation": _l("Singkatan ini sudah dipakai."),
}
LOGO_TOO_WIDE = _l("Gambar logo terlalu besar; paling besar 2000 × 2000 piksel.")
LOGO_WRONG_FORMAT = _l("Berkas ini bukan gambar PNG atau JPEG.")


def invalid_choice(field: str) -> Refused:
    message = _l("Pilihan tidak tersedia. Pilih dari daftar.")
    return Refused("invalid_choice", message, field=field)


# --- the letterhead ---------------------------------------------------------------------


@dataclass(frozen=True)
class Logo:
    content: bytes
    mimetype: str


def current_letterhead(kind: str = "agency") -> Letterhead:
    """The kop of that kind: the agency's own, or the Wali Kota's (the seed creates both;
    an empty one if it is missing)."""
    letterhead = db.session.scalar(select(Letterhead).where(Letterhead.kind == kind))
    if letterhead is None:
        letterhead = Letterhead(kind=kind, government="", agency="", page_size="A4")
    return letterhead


def check_logo(content: bytes) -> Logo:
    """A PNG or JPEG of at most 1 MiB and 2000 x 2000 px, judged by decoding it.

    The name and the type the browser claims are ignored: an SVG or an HTML page
    renamed to .png is refused here, because Pillow is only asked to read PNG and JPEG.
    """
    if len(content) > LOGO_MAX_BYTES:
        message = _l("Berkas logo terlalu besar; paling besar 1 MiB.")
        raise Refused("logo_too_large", message, field="logo")
    with _open_image(content) as image:
        mimetype = LOGO_FORMATS.get(image.format or "")
        if mimetype is None:
            raise Refused("logo_wrong_format", LOGO_WRONG_FORMAT, field="logo")
        if image.width > LOGO_MAX_PIXELS or image.height > LOGO_MAX_PIXELS:
            raise Refused("logo_too_wide", LOGO_TOO_WIDE, field="logo")
        _refuse_if_damaged(image.verify)  # the file's structure, e.g. every PNG chunk
    with _open_image(content) as image:
        # Decode every pixel (bounded by the size check above): a corrupt file fails
        # here instead of later in the PDF renderer.
        _refuse_if_damaged(image.load)
    return Logo(content, mimetype)


def _open_image(content: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(content), formats=list(LOGO_PARSERS))
    except Image.DecompressionBombError:
        raise Refused("logo_too_wide", LOGO_TOO_WIDE, field="logo") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused("logo_wrong_format", LOGO_WRONG_FORMAT, field="logo") from None


def _refuse_if_damaged(check) -> None:
    try:
        check()
    except (OSError, SyntaxError, ValueError, struct.error):
        message = _l("Gambar logo rusak atau tidak lengkap. Simpan ulang lalu unggah lagi.")
        raise Refused("logo_damaged", message, field="logo") from None


@transaction
def update_letterhead(
    actor: User,
    *,
    government: str,
    agency: str,
    address: str,
    contact: str,
    city: str,
    page_size: str,
    logo: bytes | None = None,
    kind: str = "agency",
) -> Letterhead:
    """Save the kop of that kind; `logo` (raw upload bytes) replaces its logo when given.

    The Wali Kota's kop has no agency line: its `agency` is kept empty.
    """
    if kind not in LETTERHEAD_KINDS:
        raise invalid_choice("kind")
    if page_size not in PAGE_SIZES:
        raise invalid_choice("page_size")
    _require(government, "government")
    if kind == "mayor":
        agency = ""
    else:
        _require(agency, "agency")
    checked = check_logo(logo) if logo is not None else None
    letterhead = current_letterhead(kind)
    action = "update" if letterhead.id else "create"
    before = letterhead_state(letterhead) if letterhead.id else {}
    letterhead.government = government.strip()
    letterhead.agency = agency.strip()
    letterhead.address = address.strip()
    letterhead.contact = contact.strip()
    letterhead.city = city.strip()
    letterhead.page_size = page_size
    if checked is not None:
        letterhead.logo = checked.content
        letterhead.logo_mimetype = checked.mimetype
    db.session.add(letterhead)
    _save(actor, action, letterhead, before, letterhead_state)
    return letterhead


@transaction
def remove_logo(actor: User, kind: str = "agency") -> None:
    letterhead = current_letterhead(kind)
    if letterhead.id is None or letterhead.logo is None:
        return
    before = letterhead_state(letterhead)
    letterhead.logo = None
    letterhead.logo_mimetype = None
    _save(actor, "remove_logo", letterhead, before, letterhead_state)


def letterhead_logo(kind: str = "agency") -> Logo | None:
    letterhead = current_letterhead(kind)
    if not letterhead.logo or not letterhead.logo_mimetype:
        return None
    return Logo(letterhead.logo, letterhead.logo_mimetype)


def letterhead_state(letterhead: Letterhead) -> dict[str, Any]:
    """The snapshot leaves bytes out; a digest of the logo shows in the log that it changed."""
    state = snapshot(letterhead)
    logo = letterhead.logo
    state["logo_sha256"] = hashlib.sha256(logo).hexdigest() if logo else None
    state["logo_bytes"] = len(logo) if logo else None
    return state


# --- kecamatan and kelurahan --------------------------------------------------------------


def regions_overview() -> list[Kecamatan]:
    """Every kecamatan with its kelurahan, by code then name."""
    return list(
        db.session.scalars(
            select(Kecamatan).options(selectinload(Kecamatan.kelurahan)).order_by(Kecamatan.code)
        )
    )


@transaction
def save_kecamatan(actor: User, kecamatan: Kecamatan | None, *, code: str, name: str) -> Kecamatan:
    """Create (kecamatan=None) or rename a kecamatan. Code and name are both unique."""
    code, name = _require(code, "code"), _require(name, "name")
    kecamatan = kecamatan or Kecamatan()
    _unique(Kecamatan, kecamatan, Kecamatan.code, code, "duplicate_code", "code")
    _unique(Kecamatan, kecamatan, Kecamatan.name, name, "duplicate_name", "name")
    before = _state_of(kecamatan)
    kecamatan.code, kecamatan.name = code, name
    return _save(actor, _add_if_new(kecamatan), kecamatan, before)


@transaction
def save_kelurahan(
    actor: User, kelurahan: Kelurahan | None, *, kecamatan_id: int, name: str
) -> Kelurahan:
    """Create (kelurahan=None) or rename a kelurahan. Names are unique within a kecamatan."""
    name = _require(name, "name")
    if db.session.get(Kecamatan, kecamatan_id) is None:
        raise invalid_choice("kecamatan_id")
    kelurahan = kelurahan or Kelurahan()
    _unique(
        Kelurahan,
        kelurahan,
        Kelurahan.name,
        name,
        "duplicate_name",
        "name",
        Kelurahan.kecamatan_id == kecamatan_id,
    )
    before = _state_of(kelurahan)
    kelurahan.kecamatan_id, kelurahan.name = kecamatan_id, name
    return _save(actor, _add_if_new(kelurahan), kelurahan, before)


# --- agencies ---------------------------------------------------------------------------


def agencies_overview() -> list[Agency]:
    """Active agencies first, then by abbreviation."""
    return list(
        db.session.scalars(select(Agency).order_by(Agency.active.desc(), Agency.abbreviation))
    )


@transaction
def save_agency(actor: User, agency: Agency | None, *, abbreviation: str, name: str) -> Agency:
    abbreviation, name = _require(abbreviation, "abbreviation"), _require(name, "name")
    agency = agency or Agency(active=True)
    _unique(
        Agency,
        agency,
        Agency.abbreviation,
        abbreviation,
        "duplicate_abbreviation",
        "abbreviation",
    )
    before = _state_of(agency)
    agency.abbreviation, agency.name = abbreviation, name
    return _save(actor, _add_if_new(agency), agency, before)


@transaction
def set_agency_active(actor: User, agency: Agency, active: bool) -> None:
    """An inactive agency leaves the public form; input that names it keeps the name."""
    before = snapshot(agency)
    agency.active = active
    _save(actor, "reactivate" if active else "deactivate", agency, before)


# --- pillars ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PillarRow:
    pillar: Pillar
    submissions: int


def pillars_overview() -> list[PillarRow]:
    """Every pillar in its order, with the number of inputs tagged with it now."""
    counts = (
        select(Submission.pillar_id, func.count().label("submissions"))
        .group_by(Submission.pillar_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Pillar, func.coalesce(counts.c.submissions, 0))
        .outerjoin(counts, counts.c.pillar_id == Pillar.id)
        .order_by(Pillar.position, Pillar.code)
    )
    return [PillarRow(pillar, submissions) for pillar, submissions in rows]


def next_pillar_position() -> int:
    return (db.session.scalar(select(func.max(Pillar.position))) or 0) + 1


@transaction
def save_pillar(
    actor: User,
    pillar: Pillar | None,
    *,
    code: str,
    name: str,
    name_en: str,
    description: str,
    description_en: str,
    position: int,
) -> Pillar:
    code, name = _require(code, "code"), _require(name, "name")
    pillar = pillar or Pillar()
    _unique(Pillar, pillar, Pillar.code, code, "duplicate_code", "code")
    before = _state_of(pillar)
    pillar.code, pillar.name = code, name
    pillar.name_en = name_en.strip()
    pillar.description = description.strip()
    pillar.description_en = description_en.strip()
    pillar.position = position
    return _save(actor, _add_if_new(pillar), pillar, before)


@transaction
def retire_pillar(actor: User, pillar: Pillar, now: datetime | None = None) -> None:
    """No longer offered for new input; inputs tagged with it keep the tag."""
    if pillar.retired_at is not None:
        return
    before = snapshot(pillar)
    pillar.retired_at = now or utcnow()
    _save(actor, "retire", pillar, before)


@transaction
def unretire_pillar(actor: User, pillar: Pillar) -> None:
    before = snapshot(pillar)
    pillar.retired_at = None
    _save(actor, "unretire", pillar, before)


# --- programs ---------------------------------------------------------------------------


def programs_overview() -> list[Program]:
    return list(
        db.session.scalars(
            select(Program)
            .options(selectinload(Program.pillar), selectinload(Program.agency))
            .outerjoin(Pillar, Program.pillar_id == Pillar.id)
            .order_by(Program.active.desc(), Pillar.position, Program.name)
        )
    )


def pillars_for_choice(keep: int | None = None) -> list[Pillar]:
    """Active pillars, plus the one a program already has (even if it was retired since)."""
    return list(
        db.session.scalars(
            select(Pillar)
            .where((Pillar.retired_at.is_(None)) | (Pillar.id == keep))
            .order_by(Pillar.position, Pillar.code)
        )
    )


def agencies_for_choice(keep: int | None = None) -> list[Agency]:
    """Active agencies, plus the one a program already has (even if it was deactivated)."""
    return list(
        db.session.scalars(
            select(Agency).where(Agency.active | (Agency.id == keep)).order_by(Agency.abbreviation)
        )
    )


@transaction
def save_program(
    actor: User,
    program: Program | None,
    *,
    name: str,
    name_en: str,
    pillar_id: int,
    agency_id: int | None,
) -> Program:
    name = _require(name, "name")
    if db.session.get(Pillar, pillar_id) is None:
        raise invalid_choice("pillar_id")
    if agency_id is not None and db.session.get(Agency, agency_id) is None:
        raise invalid_choice("agency_id")
    program = program or Program(active=True)
    _unique(Program, program, Program.name, name, "duplicate_name", "name")
    before = _state_of(program)
    program.name, program.pillar_id, program.agency_id = name, pillar_id, agency_id
    program.name_en = name_en.strip()
    return _save(actor, _add_if_new(program), program, before)


@transaction
def set_program_active(actor: User, program: Program, active: bool) -> None:
    """An inactive program leaves the public form; evaluations of it keep the link."""
    before = snapshot(program)
    program.active = active
    _save(actor, "reactivate" if active else "deactivate", program, before)


# --- helpers ------------------------------------------------------------------------------


def _require(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Refused("required", _l("Bagian ini wajib diisi."), field=field)
    return value


def _unique(
    model: type,
    entity: Any,
    column: Any,
    value: str,
    reason: str,
    field: str,
    *scope: ColumnElement[bool],
) -> None:
    """Refuse `value` when another row already has it (ignoring case, so 'P1' = 'p1')."""
    query = select(model.id).where(func.lower(column) == value.lower(), *scope)
    if entity.id is not None:
        query = query.where(model.id != entity.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise Refused(reason, DUPLICATES[reason], field=field)


def _state_of(entity: Any) -> dict[str, Any]:
    return snapshot(entity) if entity.id is not None else {}


def _add_if_new(entity: Any) -> str:
    """The audit action for saving `entity`: "create" (and add it) or "update"."""
    if entity.id is None:
        db.session.add(entity)
        return "create"
    return "update"


def _save(actor: User, action: str, entity: Any, before: dict[str, Any], state=snapshot):
    """Flush and audit what changed. A unique clash lost to a concurrent save is refused."""
    try:
        db.session.flush()
    except IntegrityError as error:
        message = _l("Data ini baru saja disimpan orang lain dengan isi yang sama. Periksa lagi.")
        raise Refused("duplicate", message) from error
    after = state(entity)
    if action == "create":
        record(actor, action, entity, after=after)
    else:
        old, new = changed(before, after)
        if new:  # saving an unchanged form writes nothing to the log
            record(actor, action, entity, before=old, after=new)
    return entity
