"""Every document as DOCX: a Word draft to edit before it is signed.

The document's context (the same plain dataclasses the PDF is drawn from) becomes
the template's variables: `dataclasses.asdict` of it (with the dataclasses' properties,
such as `meeting.is_final`), plus ready-made Indonesian strings beside the raw values,
so a template needs no formatting of its own:

- every date `x` gets `x_text` ("23 Januari 2024") and `x_long` ("Selasa, 23 Januari 2024");
- every time `x` gets `x_text` ("09.00 WIB");
- every decimal `x` gets `x_text` ("6,94") and `x_signed` ("+0,65");
- every count `x` gets `x_text` ("1.500") (years, ids and ordinal numbers stay as they are);
- every NIP `x_nip` gets `x_nip_text` ("19850312 201001 2 015");
- every list of lines `x` (typed paragraphs, proposers) gets `x_text`, one line each;
- `meeting.date_long`, `meeting.time_range` ("09.00 WIB s.d. selesai"),
  `letterhead.address_line`, `letterhead.city_date` ("Pekalongan, 23 Januari 2024"),
  `title`, `document_number` (once given at finalisation), `kop_logo` (the kop's logo as
  an image, or empty), and `fmt` (the formatters: `fmt.count(n)`, `fmt.nip(text)`...);
- per kind, the sentences its PDF prints, worded the same (`submissions_summary`,
  `attendance.participants`, `party_pairs`...: see the `*_values` functions below).

Templates are docxtpl (Jinja) templates, rendered in a sandbox with StrictUndefined: a
placeholder the document does not know fails the render instead of printing nothing,
and an uploaded template cannot reach anything but the values handed to it. Values are
XML-escaped (autoescape), so user text cannot break the document.
"""

import base64
import html
import re
import zipfile
from dataclasses import fields, is_dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from app.documents import formatting
from app.documents.formatting import document_locale
from app.documents.render import BUILDERS
from app.extensions import db
from app.i18n import clock_time, long_date
from app.models import DocumentSetting
from app.services import Refused

FOLDER = Path(__file__).resolve().parent / "word"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LOGO_HEIGHT = Mm(20)
# F4 (215 x 330 mm) is common in Indonesian offices; the default templates are drawn on A4.
PAPER_SIZES = {"A4": (Mm(210), Mm(297)), "F4": (Mm(215), Mm(330))}
# XML 1.0 allows no control characters but tab and line breaks; docxtpl also reads
# \a and \f in a value as "new paragraph" and "page break". Typed text keeps neither.
CONTROL_CHARACTERS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
# Integers printed as they are: "2024", not "2.024".
PLAIN_INTEGERS = re.compile(r"(^|_)(id|year|number|position)$")
UNPACKED_MAX_BYTES = 50 * 1024 * 1024
NOT_A_TEMPLATE = _l("Berkas ini bukan dokumen Word (.docx) yang dapat dibuka.")


def default_template_path(kind: str) -> Path:
    return FOLDER / f"{kind}.docx"


def has_default_template(kind: str) -> bool:
    return default_template_path(kind).is_file()


def custom_template(kind: str) -> bytes | None:
    """The admin's own Word template for the kind, if one was uploaded."""
    return db.session.scalar(
        select(DocumentSetting.docx_template).where(DocumentSetting.kind == kind)
    )


def template_bytes(kind: str) -> bytes:
    """The kind's Word template: the admin's upload, else the one shipped with Rakor."""
    return custom_template(kind) or default_template_path(kind).read_bytes()


def render_docx(kind: str, meeting_id: int) -> bytes:
    """The meeting's document `kind` as DOCX, from the kind's current Word template.

    The default template takes the kop's paper size (A4 or F4); a city's own template
    keeps the page it was made with.
    """
    # The builder itself, not render.build_context: a DOCX needs no source digest, and
    # hashing the whole context costs as much as filling the template.
    context = BUILDERS[kind](meeting_id)
    custom = custom_template(kind)
    paper = None if custom else getattr(getattr(context, "letterhead", None), "page_size", None)
    return render_template(
        custom or default_template_path(kind).read_bytes(),
        context,
        number=document_number(context, kind),
        paper=paper,
    )


def document_number(context: Any, kind: str) -> str:
    """The number the document was given at finalisation, as its PDF prints it; '' for a draft."""
    number = getattr(context, "number", None)
    if isinstance(number, str):
        return number
    numbers = getattr(getattr(context, "meeting", None), "numbers", None)
    return numbers.get(kind, "") if isinstance(numbers, dict) else ""


def render_template(
    template: bytes, context: Any, *, number: str = "", paper: str | None = None
) -> bytes:
    """Fill `template` with `context`; a template that does not fit is refused, with the
    placeholder or the tag to blame in the message. `paper` ("A4", "F4") sets the page."""
    with document_locale():
        try:
            document = DocxTemplate(BytesIO(template))
            values = template_values(context, document, number=number)
            unknown = sorted(document.get_undeclared_template_variables(environment(), values))
            if unknown:
                raise Refused("docx_unknown", unknown_placeholder(unknown[0]), field="template")
            document.render(values, jinja_env=environment(), autoescape=True)
            unescape_properties(document)
            if paper in PAPER_SIZES:
                for section in document.docx.sections:
                    section.page_width, section.page_height = PAPER_SIZES[paper]
            output = BytesIO()
            document.save(output)
        except TemplateError as error:
            raise Refused("docx_broken", template_problem(error), field="template") from None
        except Refused:
            raise
        except Exception as error:  # a template's own arithmetic on data it did not expect
            message = _("Template tidak dapat diisi: %(message)s.", message=str(error)[:200])
            raise Refused("docx_broken", message, field="template") from None
        return output.getvalue()


def unescape_properties(document: DocxTemplate) -> None:
    """docxtpl fills the file's properties (title, subject...) with the autoescaping
    environment, which is right for the XML of the body but leaves "&amp;" in a plain
    property: give those their own text back."""
    properties = document.docx.core_properties
    for name in ("author", "comments", "identifier", "language", "subject", "title"):
        value = getattr(properties, name)
        if value and "&" in value:
            setattr(properties, name, html.unescape(value))


class DocxSandbox(SandboxedEnvironment):
    """Jinja's sandbox, and no attribute at all of docxtpl's own objects: the kop's
    InlineImage carries the DocxTemplate, whose public methods read and write files."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, InlineImage | DocxTemplate):
            return False
        return super().is_safe_attribute(obj, attr, value)


def environment() -> SandboxedEnvironment:
    return DocxSandbox(undefined=StrictUndefined, autoescape=True)


# --- the template's variables --------------------------------------------------------


def template_values(context: Any, document: DocxTemplate, *, number: str = "") -> dict:
    values = with_text(context)
    meeting = values.get("meeting")
    if isinstance(meeting, dict):
        meeting_values(meeting)
    letterhead = values.get("letterhead")
    if isinstance(letterhead, dict):
        letterhead_values(letterhead, meeting)
    extra = KIND_VALUES.get(getattr(context, "kind", ""))
    if extra is not None:
        extra(values)
    values.update(
        title=clean(getattr(context, "title", "")),
        document_number=clean(number),
        kop_logo=kop_logo(document, getattr(context, "letterhead", None)),
        fmt=FORMATTERS,
    )
    return values


def with_text(value: Any) -> Any:
    """The context as plain dicts and lists (as `dataclasses.asdict` makes them), with
    ready-made strings beside the raw values; a value that is None gets empty ones."""
    if is_dataclass(value) and not isinstance(value, type):
        hints = field_types(type(value))
        result = {}
        for field in fields(value):
            item = getattr(value, field.name)
            result[field.name] = with_text(item)
            result.update(text_of(field.name, item, hints.get(field.name)))
        for name in properties(type(value)):  # e.g. `meeting.is_final`, `attendance.sex_unknown`
            item = getattr(value, name)
            result[name] = with_text(item)
            result.update(text_of(name, item))
        return result
    if isinstance(value, dict):
        return {key: with_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [with_text(item) for item in value]
    if isinstance(value, str):
        return clean(value)
    return value


@cache
def field_types(cls: type) -> dict[str, Any]:
    """The fields' declared types. A module that imports the shared views (MeetingView...)
    or the insight views (ThemeView...) for type checking only has them looked up where
    they are defined; a name still unknown stays so."""
    try:
        return get_type_hints(cls)
    except NameError:
        pass
    try:
        return get_type_hints(cls, localns=type_names())
    except NameError:
        return {field.name: field.type for field in fields(cls) if not isinstance(field.type, str)}


def type_names() -> dict[str, Any]:
    """The modules whose classes the contexts name in quotes (to avoid import cycles)."""
    from app.documents import context
    from app.insight import services, voice

    return {**vars(context), **vars(services), **vars(voice)}


@cache
def properties(cls: type) -> tuple[str, ...]:
    """The public properties a context class computes from its fields."""
    return tuple(
        name
        for klass in cls.__mro__
        for name, member in vars(klass).items()
        if isinstance(member, property) and not name.startswith("_")
    )


def text_of(key: str, value: Any, hint: Any = None) -> dict[str, str]:
    """The strings printed for one value; for None, what its declared type would print."""
    kind = type(value) if value is not None else declared_type(hint)
    if kind is None or kind is bool:
        return {}
    if issubclass(kind, str):  # the most common: checked first
        return {f"{key}_text": formatting.nip(clean(value or ""))} if key.endswith("nip") else {}
    if issubclass(kind, list | tuple):
        if value and all(isinstance(v, str) for v in value):
            return {f"{key}_text": "\n".join(clean(v) for v in value)}
        return {f"{key}_text": ""} if not value and lines_of_text(hint) else {}
    if issubclass(kind, int):
        return {} if plain_integer(key) else {f"{key}_text": formatting.count(value)}
    if issubclass(kind, datetime):
        return {}
    if issubclass(kind, date):
        if value is None:
            return {f"{key}_text": "", f"{key}_long": ""}
        return {f"{key}_text": formatting.day_month_year(value), f"{key}_long": long_date(value)}
    if issubclass(kind, time):
        return {f"{key}_text": clock_time(value)}
    if issubclass(kind, Decimal | float):
        return {
            f"{key}_text": formatting.figure(value),
            f"{key}_signed": formatting.signed_figure(value),
        }
    return {}


@cache
def plain_integer(key: str) -> bool:
    return PLAIN_INTEGERS.search(key) is not None


def declared_type(hint: Any) -> type | None:
    """`date` for `date | None`; None when the hint names no single class."""
    if get_origin(hint) in (Union, UnionType):
        options = [arg for arg in get_args(hint) if arg is not NoneType]
        hint = options[0] if len(options) == 1 else None
    origin = get_origin(hint)
    if origin is not None:
        return origin if isinstance(origin, type) else None
    return hint if isinstance(hint, type) else None


def lines_of_text(hint: Any) -> bool:
    """tuple[str, ...]: a typed text's paragraphs, or a list of names."""
    return get_origin(hint) in (tuple, list) and get_args(hint)[:1] == (str,)


def clean(text: str) -> str:
    return str(text).translate(CONTROL_CHARACTERS)


def meeting_values(meeting: dict) -> None:
    start, end = meeting.get("start_time"), meeting.get("end_time")
    until = clock_time(end) if end else _("selesai")
    meeting["time_range"] = f"{clock_time(start)} {_('s.d.')} {until}" if start else ""
    for role in ("chair", "notetaker"):
        name, position = meeting.get(f"{role}_name", ""), meeting.get(f"{role}_position", "")
        meeting[f"{role}_line"] = f"{name} ({position})" if name and position else name or position


def letterhead_values(letterhead: dict, meeting: dict | None) -> None:
    parts = (letterhead.get("address", ""), letterhead.get("contact", ""))
    letterhead["address_line"] = " · ".join(part for part in parts if part)
    when = meeting.get("date_text", "") if isinstance(meeting, dict) else ""
    city = letterhead.get("city", "")
    letterhead["city_date"] = f"{city}, {when}" if city and when else city or when


def kop_logo(document: DocxTemplate, letterhead: Any) -> InlineImage | str:
    """The kop's logo as an image in the document; PNG and JPEG only (Word draws no SVG here)."""
    uri = getattr(letterhead, "logo_uri", "") or ""
    match = re.fullmatch(r"data:image/(?:png|jpeg);base64,(.+)", uri, re.S)
    if match is None:
        return ""
    return InlineImage(document, BytesIO(base64.b64decode(match.group(1))), height=LOGO_HEIGHT)


def tallies_text(tallies: list[dict]) -> str:
    """'Lurah 2, Camat 1, OPD 1'."""
    return ", ".join(f"{t['label']} {formatting.count(t['count'])}" for t in tallies if t["count"])


def role_counts_text(labels: list[str], counts: list[int]) -> str:
    pairs = zip(labels, counts, strict=False)
    return ", ".join(f"{label} {formatting.count(n)}" for label, n in pairs if n)


def minutes_values(values: dict) -> None:
    labels = [role["label"] for role in values.get("roles", [])]
    values["roles_text"] = tallies_text(values.get("roles", []))
    for section in values.get("pillars", []):
        section["by_role_text"] = role_counts_text(labels, section.get("by_role", []))
        for line in section.get("submissions", []):
            line["merged_codes_text"] = ", ".join(line.get("merged_codes", []))
    total = formatting.count(values.get("submissions_total", 0))
    if values.get("items_total", 0) < values.get("submissions_total", 0):
        summary = _(
            "Masukan yang diterima: %(inputs)s. Masukan yang serupa digabung, sehingga "
            "tercatat %(items)s butir menurut strategi; setiap butir menyebut semua pengusulnya.",
            inputs=total,
            items=formatting.count(values.get("items_total", 0)),
        )
    else:
        summary = _("Masukan yang diterima: %(inputs)s, disusun menurut strategi.", inputs=total)
    if not values.get("full_text", True):
        summary += " " + _(
            "Karena banyaknya masukan, notulen ini memuat judulnya saja; uraian lengkap "
            "setiap masukan ada di layar tinjauan dan ekspor Excel."
        )
    values["submissions_summary"] = summary
    attendance = values.get("attendance")
    if isinstance(attendance, dict):
        attendance["participants"] = participants_text(attendance)


def participants_text(attendance: dict) -> str:
    """'5 orang: L 3, P 2 (Lurah 2, Camat 1, OPD 2); daftar hadir terlampir', as in the PDF."""
    total = attendance.get("total", 0)
    if not total:
        return _("belum tercatat")
    male, female = attendance.get("male", 0), attendance.get("female", 0)
    text = _(
        "%(count)s orang: L %(male)s, P %(female)s",
        count=formatting.count(total),
        male=formatting.count(male),
        female=formatting.count(female),
    )
    if total - male - female:
        text += ", " + _("tidak diisi %(count)s", count=formatting.count(total - male - female))
    if attendance.get("by_role"):
        text += f" ({tallies_text(attendance['by_role'])})"
    return f"{text}; {_('daftar hadir terlampir')}"


def evaluation_values(values: dict) -> None:
    labels = [role["label"] for role in values.get("roles", [])]
    values["roles_text"] = tallies_text(values.get("roles", []))
    by_pillar = dict((code, counts) for code, counts in values.get("pillar_roles", []))
    for pillar in values.get("pillars", []):
        pillar["by_role_text"] = role_counts_text(labels, by_pillar.get(pillar["key"], []))
    for program in values.get("programs", []):
        program["details"] = ", ".join(
            part for part in (program.get("pillar", ""), program.get("agency", "")) if part
        )
    values["follow_up_statuses_text"] = "; ".join(
        f"{t['label']}: {formatting.count(t['count'])}"
        for t in values.get("follow_up_statuses", [])
    )
    for theme in values.get("themes", []):
        theme["terms_text"] = ", ".join(theme.get("terms", []))
        theme["pillars_text"] = counts_text(theme.get("pillars", []), _("Tanpa strategi"))
        theme["areas_text"] = counts_text(theme.get("areas", []), "") or "—"
    values["themes_summary"] = evaluation_themes_summary(values)
    if isinstance(values.get("voice"), dict):
        voice_values(values["voice"])
    costs = values.get("costs")
    if isinstance(costs, dict):
        costs["summary"] = _(
            "%(count)s dari %(total)s masukan mencantumkan perkiraan biaya, seluruhnya Rp "
            "%(amount)s. Angka ini perkiraan peserta, belum diverifikasi.",
            count=formatting.count(costs.get("inputs", 0)),
            total=formatting.count(values.get("submissions_total", 0)),
            amount=formatting.count(costs.get("total", 0)),
        )
    meeting = values.get("meeting") or {}
    values["overdue_text"] = _(
        "Terlambat: %(count)s dari %(total)s tindak lanjut (tenggatnya sebelum tanggal rapat "
        "ini, %(date)s, dan belum selesai atau dibatalkan).",
        count=formatting.count(values.get("overdue_follow_ups", 0)),
        total=formatting.count(len(values.get("earlier_follow_ups", []))),
        date=meeting.get("date_text", ""),
    )


def counts_text(counts: list[dict], unnamed: str) -> str:
    """'P1 3' per line, as the PDF's theme table prints a theme's pillars and areas."""
    return "\n".join(
        f"{count['label'] or unnamed} {formatting.count(count['count'])}" for count in counts
    )


def evaluation_themes_summary(values: dict) -> str:
    """The sentences above the evaluation's theme table, worded as in the PDF."""
    shown, total = len(values.get("themes", [])), values.get("themes_total", 0)
    sentences = []
    if total > shown:
        sentences.append(
            _(
                "Ditampilkan %(shown)s tema terbesar dari %(total)s tema.",
                shown=formatting.count(shown),
                total=formatting.count(total),
            )
        )
    sentences.append(
        _(
            "%(themed)s dari %(total)s masukan termasuk dalam suatu tema; masukan yang tidak "
            "mirip dengan masukan lain tidak masuk tema.",
            themed=formatting.count(values.get("themed_inputs", 0)),
            total=formatting.count(values.get("submissions_total", 0)),
        )
    )
    if values.get("themes_pending"):
        sentences.append(
            _(
                "%(count)s masukan yang masuk setelah tema terakhir dihitung belum termasuk "
                "di dalamnya.",
                count=formatting.count(values["themes_pending"]),
            )
        )
    return " ".join(sentences)


def voice_values(voice: dict) -> None:
    """The voice-and-need table's cells and sentences, as the PDF prints them."""
    voice["summary"] = _(
        "Kebutuhan: %(measure)s, tahun %(year)s (sumber: %(source)s), seluruhnya %(total)s "
        "untuk kota.",
        measure=voice.get("measure", ""),
        year=voice.get("year", ""),
        source=voice.get("source") or _("tidak disebut"),
        total=formatting.count(voice.get("need_total", 0)),
    )
    voice["note"] = _(
        "Masukan menurut pengusul: masukan lurah dari kelurahan itu, dari %(submitters)s "
        "masukan lurah. Semua masukan rapat dihitung, juga yang digabung atau tidak dapat "
        "ditindaklanjuti. Perkiraan biaya: jumlah perkiraan biaya masukan yang berlokasi di "
        "kelurahan itu, dengan banyaknya masukan yang mencantumkan biaya dalam kurung; angka "
        "peserta, belum diverifikasi.",
        submitters=formatting.count(voice.get("submitter_total", 0)),
    )
    wards = voice.get("wards", [])
    for ward in wards:
        known = ward.get("need") is not None
        ward["need_cell"] = formatting.count(ward["need"]) if known else _("tanpa data")
        ward["need_share_cell"] = formatting.figure(ward["need_share"]) if known else "—"
        ward["gap_cell"] = formatting.signed_figure(ward["gap"]) if known else "—"
        ward["place_cell"] = share_cell(ward["place_inputs"], ward["place_share"])
        ward["submitter_cell"] = share_cell(ward["submitter_inputs"], ward["submitter_share"])
        ward["cost_cell"] = (
            cost_cell(ward["cost"], ward["cost_inputs"]) if ward["cost_inputs"] else "—"
        )
    voice["share_total_text"] = formatting.figure(100)
    voice["cost_total_cell"] = cost_cell(
        sum(ward["cost"] for ward in wards), sum(ward["cost_inputs"] for ward in wards)
    )


def share_cell(inputs: int, share: float) -> str:
    """'3 (5,00)': the inputs and their percent of the whole."""
    return f"{formatting.count(inputs)} ({formatting.figure(share)})"


def cost_cell(rupiah: int, inputs: int) -> str:
    """'Rp 75.000.000 (2)': the estimated costs and how many inputs carry one."""
    return f"Rp\u00a0{formatting.count(rupiah)} ({formatting.count(inputs)})"


def agreement_values(values: dict) -> None:
    for party in [*values.get("parties", []), *values.get("acknowledging", [])]:
        title, agency = party.get("title", ""), party.get("agency", "")
        party["title_line"] = f"{title}\n{agency}" if agency and agency not in title else title
    values["party_pairs"] = pairs(values.get("parties", []))
    values["acknowledging_pairs"] = pairs(values.get("acknowledging", []))


BLANK_PARTY = {"number": "", "name": "", "title": "", "agency": "", "nip": "", "title_line": ""}


def pairs(parties: list[dict]) -> list[dict]:
    """The signatures two by two, left and right; an odd last one stands on the left."""
    return [
        {"left": parties[i], "right": parties[i + 1] if i + 1 < len(parties) else BLANK_PARTY}
        for i in range(0, len(parties), 2)
    ]


def report_values(values: dict) -> None:
    total = formatting.count(values.get("submissions_total", 0))
    values["submissions_summary"] = _(
        "Masukan yang diterima: %(inputs)s, disusun menurut strategi.", inputs=total
    )
    people = values.get("participants")
    if isinstance(people, dict):
        people["text"] = present_text(people)
    for pillar in values.get("pillars", []):
        pillar["proposals_list"] = numbered(
            pillar.get("proposals", []),
            pillar.get("more_proposals", 0),
            _l("dan %(count)s usulan lain (lihat notulen)"),
        )
        pillar["obstacles_list"] = numbered(
            pillar.get("obstacles", []),
            pillar.get("more_obstacles", 0),
            _l("dan %(count)s kendala lain (lihat notulen)"),
        )
    values["themes_summary"] = _(
        "Masukan yang membicarakan hal yang sama dikelompokkan menjadi tema menurut kemiripan "
        "katanya: %(themed)s dari %(total)s masukan terkelompok dalam %(themes)s tema. Tema "
        "terbesar disajikan di bawah ini; sepuluh tema terbesar ada di ringkasan evaluasi, "
        "dan seluruh tema di halaman Tema masukan.",
        themed=formatting.count(values.get("themed_inputs", 0)),
        total=total,
        themes=formatting.count(values.get("themes_total", 0)),
    )
    city = (values.get("letterhead") or {}).get("city", "")
    when = values.get("report_date_text") or "……………………………"
    values["signing_place_date"] = f"{city}, {when}" if city else when


def present_text(people: dict) -> str:
    """'12 orang hadir: 7 laki-laki dan 5 perempuan.', worded as in the PDF."""
    if not people.get("total"):
        return _("Belum ada peserta yang tercatat hadir.")
    text = _(
        "%(total)s orang hadir: %(male)s laki-laki dan %(female)s perempuan",
        total=formatting.count(people["total"]),
        male=formatting.count(people.get("male", 0)),
        female=formatting.count(people.get("female", 0)),
    )
    if people.get("unknown"):
        text += _(
            ", %(unknown)s tidak tercatat jenis kelaminnya",
            unknown=formatting.count(people["unknown"]),
        )
    return text + "."


def numbered(titles: list[str], more: int, more_text) -> str:
    """'1. ...' per line, then 'dan 3 usulan lain'; '—' when there is none."""
    lines = [f"{number}. {title}" for number, title in enumerate(titles, start=1)]
    if more:
        lines.append(str(more_text) % {"count": formatting.count(more)})
    return "\n".join(lines) or "—"


KIND_VALUES = {
    "minutes": minutes_values,
    "evaluation": evaluation_values,
    "berita_acara": agreement_values,
    "laporan": report_values,
}
FORMATTERS = {
    **formatting.FILTERS,
    "long_date": long_date,
    "clock_time": clock_time,
}


# --- what went wrong, in the admin's words ---------------------------------------------


def unknown_placeholder(name: str) -> str:
    return _("Isian %(name)s tidak dikenal.", name="{{ " + name + " }}")


def template_problem(error: TemplateError) -> str:
    """A Jinja error as a sentence naming the placeholder or tag, and the text near it."""
    message = str(error.message or error)
    if isinstance(error, UndefinedError):
        match = re.search(r"'([^']+)' is undefined", message) or re.search(
            r"has no attribute '([^']+)'", message
        )
        if match:
            return unknown_placeholder(match.group(1))
    near = " ".join(
        line.strip() for line in getattr(error, "docx_context", []) or [] if line.strip()
    )
    if isinstance(error, TemplateSyntaxError):
        text = _("Penulisan isian atau perintah pada template salah: %(message)s.", message=message)
    else:
        text = _("Template tidak dapat diisi: %(message)s.", message=message)
    if near:
        text += " " + _("Di dekat teks: «%(text)s».", text=near[:200])
    return text


# --- a stand-in document, to try a template on when there is no meeting yet ----------------


def sample_context(kind: str) -> Any:
    """A context of the kind's own shape filled with sample values, or None if unknown."""
    from app.documents import context

    try:
        kind_type = get_type_hints(BUILDERS[kind], localns=vars(context)).get("return")
    except (KeyError, NameError, TypeError):
        return None
    if not is_dataclass(kind_type):
        return None
    return sample_of(kind_type, kind)


def sample_of(hint: Any, kind: str) -> Any:
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        options = [arg for arg in get_args(hint) if arg is not NoneType]
        return sample_of(options[0], kind) if options else None
    if origin in (tuple, list):
        args = [arg for arg in get_args(hint) if arg is not Ellipsis]
        if len(get_args(hint)) == 2 and get_args(hint)[1] is Ellipsis:
            return (sample_of(args[0], kind),)
        return tuple(sample_of(arg, kind) for arg in args)
    if origin is dict:
        return {}
    if is_dataclass(hint):
        hints = field_types(hint)
        values = {}
        for field in fields(hint):
            values[field.name] = (
                kind if field.name == "kind" else sample_of(hints[field.name], kind)
            )
        return hint(**values)
    return SAMPLES.get(hint, "")


SAMPLES: dict[Any, Any] = {
    str: "Contoh",
    int: 1,
    bool: False,
    float: 1.0,
    Decimal: Decimal("6.94"),
    date: date(2024, 1, 23),
    time: time(9, 0),
    datetime: datetime(2024, 1, 23, 2, 0),
}


def open_template(content: bytes) -> None:
    """Refuse a file that python-docx cannot open as a Word document, or that unpacks
    to more than UNPACKED_MAX_BYTES (a small zip can hold gigabytes of XML)."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as package:
            unpacked = sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise Refused("docx_unreadable", NOT_A_TEMPLATE, field="template") from None
    if unpacked > UNPACKED_MAX_BYTES:
        message = _l("Isi template terlalu besar setelah dibuka; paling besar 50 MiB.")
        raise Refused("docx_unpacked_too_large", message, field="template")
    try:
        Document(BytesIO(content))
    except Exception:  # a zip, XML or package error: all mean "not a .docx"
        raise Refused("docx_unreadable", NOT_A_TEMPLATE, field="template") from None
