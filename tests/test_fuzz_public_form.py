"""Property-based fuzzing of the public pages: the input form (POST /m/<code>), the
receipt, the status lookup.

Hypothesis builds what anyone on the internet can send: unicode, control characters,
very long text, HTML, SQL and spreadsheet-formula payloads, values outside the
allow-lists, missing and repeated fields, a file or a JSON body where text belongs,
fields the form does not have (status=accepted, meeting_id=...), bodies over the
public size limit. An oracle written from the form's rules (app/submissions/forms.py)
says what must happen to each request:

- never a server error;
- accepted: 303 to /receipt/<code>, exactly one new row, and that row holds what was
  sent after the documented normalisation, nothing else: NUL characters dropped from
  every value (app/forms.py BaseForm), surrounding whitespace stripped from the text
  fields (`stripped`), amounts read the Indonesian way (WholeNumberField, with Babel), only the
  unit that matches the role kept (`submission_data`). The receipt page and /status
  show that text escaped; the phone number on neither;
- refused: 422 with the form again, each text field holding what was typed (as
  normalised), escaped, and no new row; 413 when the body is over
  RAKOR_PUBLIC_MAX_BYTES, whatever it holds.

The examples are the same on every run (derandomize) and no example database is
kept; Hypothesis's other caches (collected constants, unicode tables) go to the
system's temporary folder rather than a .hypothesis/ folder in the work tree.
Each test's fixtures (one app, database and meeting) are shared by its examples, so
@given sits on an inner function: every example loads the form afresh, which gives it
a new client_token (the double-send key never repeats between examples), and counts
rows before and after. The tests' configuration lifts the rate limits
(tests/conftest.py make_app), so no example meets a 429.
"""

import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from app import domain
from app.domain import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    MAX_BENEFICIARIES,
    MAX_COST,
    NAME_MAX,
    ORGANISATION_MAX,
    PHONE_MAX,
    POSITION_MAX,
    TITLE_MAX,
    TITLE_MIN,
)
from app.extensions import db
from app.models import Agency, Kecamatan, Kelurahan, Meeting, Pillar, Program, Submission
from app.submissions.forms import CLIENT_TOKEN, PHONE
from app.submissions.services import format_receipt_code
from tests.helpers import STAFF_EMAILS, csrf_from, hidden_value

FUZZ = settings(max_examples=180, deadline=None, derandomize=True, database=None)

# --- what is sent ------------------------------------------------------------------------

TEXT_LIMITS = {
    "submitter_name": NAME_MAX,
    "unit_organisation": ORGANISATION_MAX,
    "position": POSITION_MAX,
    "phone": PHONE_MAX,
    "title": TITLE_MAX,
    "description": DESCRIPTION_MAX,
}
NUMBER_LIMITS = {"beneficiaries": MAX_BENEFICIARIES, "cost": MAX_COST}
CHOICE_FIELDS = (
    "role",
    "unit_kelurahan",
    "unit_kecamatan",
    "unit_agency",
    "kind",
    "pillar",
    "location",
    "target_group",
    "program",
)
FORM_FIELDS = (*TEXT_LIMITS, *NUMBER_LIMITS, *CHOICE_FIELDS)
# Names a mass-assignment attempt would try: none may reach the row.
FOREIGN_FIELDS = (
    "status",
    "source",
    "meeting_id",
    "pillar_id",
    "submitted_pillar_id",
    "receipt_code",
    "idempotency_key",
    "decision_reason",
    "access_code",
    "id",
)

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><h1>judul palsu</h1>",
    "' onmouseover='alert(1)",
    "&lt;b&gt; sudah di-escape &amp; lagi",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE submission;--",
    "1; UPDATE submission SET status='accepted'",
    '=HYPERLINK("http://contoh.invalid","klik")',
    "=1+2*3",
    "+6281234567890",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0",
    "{{ config.SECRET_KEY }}",
    "{% for x in range(9) %}x{% endfor %}",
    "%(name)s %s %d",
    "${7*7} #{7*7}",
    "../../../etc/passwd",
    "%00 %FF %2e%2e",
    "Pelatihan \u202eexe.fdp\u202c membatik",
    "Za\u0308hlung e\u0301 \ufb01 \u00df",
    "\ufeffBOM di depan",
    "Ａｂｃ ｆｕｌｌｗｉｄｔｈ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂👍🏽 emoji",
    "ꦲꦏ꧀ꦱꦫꦗꦮ aksara Jawa",
    "مرحبا עברית",
    "baris satu\r\nbaris dua\n\nbaris empat",
    "kontrol \x01\x07\x08\x0b\x0c\x1b[31m merah",
    "NUL \x00 di tengah",
    "\x00\x00\x00\x00\x00\x00",
    "pemisah \x1c\x1d\x1e\x1f",
    "spasi\u00a0tak\u2003putus\u3000",
    "\u0085\u2028\u2029",
    "null",
    "None",
    "undefined",
)
NAMES = ("Agus Priyanto", "Siti Nur'aini", "R.A. Kartini-Wijaya", "Ng Kwok Ying", "Ṣaleh")
POSITIONS = ("Lurah Krapyak", "Camat Pekalongan Barat", "Kepala Bidang", "Ketua PKK")
ORGANISATIONS = ("BPS Kota Pekalongan", "PKK", "Universitas Pekalongan", "LSM <Peduli>")
TITLES = (
    "Pelatihan membatik untuk pemuda putus sekolah",
    "Bantuan alat tangkap bagi nelayan kecil",
    "Data DTKS belum diperbarui sejak 2021",
)
DESCRIPTIONS = (
    "Pelatihan membatik tulis bagi 40 pemuda putus sekolah di RW 05.",
    "Banyak keluarga miskin belum masuk DTKS; perlu verifikasi ulang bersama RT/RW.",
)
PHONES = ("", "0812 3456 7890", "+62 285 421093", "0285-421.093")


@dataclass(frozen=True)
class Upload:
    """A file sent in place of a field's text (multipart only)."""

    content: bytes
    filename: str


@dataclass(frozen=True)
class Sent:
    """One request: its fields in order, how the two tokens are given, its encoding."""

    fields: tuple[tuple[str, object], ...]
    csrf: str  # "page", "missing", "empty", "truncated" or "garbage"
    client_token: str  # "page", "page+newline" or a literal to send instead
    encoding: str  # "form", "multipart" or "json"


@dataclass(frozen=True)
class Reference:
    """The meeting's allow-lists, as the form's option values."""

    pillars: tuple[str, ...]
    kelurahan: tuple[str, ...]
    kecamatan: tuple[str, ...]
    agencies: tuple[str, ...]
    programs: tuple[str, ...]

    @classmethod
    def load(cls, app, meeting_id: int) -> "Reference":
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            pillars = [p for p in meeting.pillars if p.is_active]
            pillar_ids = {p.id for p in pillars}
            programs = db.session.scalars(db.select(Program).where(Program.active)).all()

            def ids(rows):
                return tuple(sorted(str(row.id) for row in rows))

            return cls(
                pillars=ids(pillars),
                kelurahan=ids(db.session.scalars(db.select(Kelurahan))),
                kecamatan=ids(db.session.scalars(db.select(Kecamatan))),
                agencies=ids(db.session.scalars(db.select(Agency).where(Agency.active))),
                programs=ids(p for p in programs if p.pillar_id in (None, *pillar_ids)),
            )

    def options(self, name: str) -> tuple[str, ...]:
        return {
            "role": tuple(domain.ROLES),
            "kind": tuple(domain.KINDS),
            "target_group": tuple(domain.TARGET_GROUPS),
            "pillar": self.pillars,
            "unit_kelurahan": ("", *self.kelurahan),
            "location": ("", *self.kelurahan),
            "unit_kecamatan": ("", *self.kecamatan),
            "unit_agency": ("", *self.agencies),
            "program": ("", *self.programs),
        }[name]


# --- strategies ----------------------------------------------------------------------------

any_text = st.text(st.characters(codec="utf-8"), max_size=40)
printable_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=60
)
padding = st.sampled_from(("", " ", "  \t", "\r\n ", "\u00a0", "\u3000", "\x00"))


def padded(core: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda before, text, after: before + text + after, padding, core, padding)


def at_the_limits(limit: int, low: int = 0) -> st.SearchStrategy[str]:
    """Text of a length just inside and just outside a field's limits."""
    lengths = sorted({n for n in (low - 1, low, limit - 1, limit, limit + 1) if n > 0})
    return st.builds(
        lambda ch, n, pad: pad + ch * n + pad,
        st.characters(codec="utf-8"),
        st.sampled_from(lengths),
        st.sampled_from(("", " ", "\n")),
    )


def hostile_text(limit: int, low: int = 0) -> st.SearchStrategy[str]:
    return st.one_of(
        any_text,
        printable_text,
        st.sampled_from(PAYLOADS),
        padded(st.sampled_from(PAYLOADS)),
        at_the_limits(limit, low),
    )


def amounts(maximum: int, beyond: int = 0) -> st.SearchStrategy[str]:
    """Whole numbers written the ways the docstring of WholeNumberField lists."""

    def written(n: int, style: int) -> str:
        dotted = f"{n:,}".replace(",", ".")
        return [str(n), dotted, f"Rp {dotted}", f"Rp. {dotted}", f"rp{n}", f"{dotted},00"][style]

    return st.builds(
        written,
        st.integers(0, maximum) | st.sampled_from((maximum, maximum + beyond)),
        st.integers(0, 5),
    )


hostile_amounts = st.one_of(
    any_text,
    st.sampled_from(
        (
            "",
            " ",
            "-5",
            "1e3",
            "0x10",
            "1_000",
            "1,5",
            "1.000,50",
            "1.000,00",
            "Rp",
            "Rp.",
            "R p 5",
            "5, 00",
            "²",
            "٣٤٥",
            "１２３",
            "9" * 16,
            "0" * 15,
            "=1+1",
            "40\x00",
        )
    ),
    padded(st.integers(0, 10**16).map(str)),
)


@st.composite
def valid_form(draw, ref: Reference) -> dict[str, object]:
    """A complete input a browser could send, with any role, kind and unit."""
    role = draw(st.sampled_from(tuple(domain.ROLES)))
    kind = draw(st.sampled_from(tuple(domain.KINDS)))

    def unit(name: str, wanted: bool) -> str:
        options = ref.options(name)[1:]
        return draw(st.sampled_from(options) if wanted else st.sampled_from(("", *options)))

    program = draw(st.sampled_from(ref.programs if kind == "evaluasi" else ("", *ref.programs)))
    return {
        "submitter_name": draw(st.sampled_from(NAMES)),
        "role": role,
        "unit_kelurahan": unit("unit_kelurahan", role == "lurah"),
        "unit_kecamatan": unit("unit_kecamatan", role == "camat"),
        "unit_agency": unit("unit_agency", role == "opd"),
        "unit_organisation": draw(
            st.sampled_from(ORGANISATIONS if role == "stakeholder" else ("", *ORGANISATIONS))
        ),
        "position": draw(st.sampled_from(POSITIONS)),
        "phone": draw(st.sampled_from(PHONES)),
        "kind": kind,
        "pillar": draw(st.sampled_from(ref.pillars)),
        "title": draw(st.sampled_from(TITLES)),
        "description": draw(st.sampled_from(DESCRIPTIONS)),
        "location": draw(st.sampled_from(ref.options("location"))),
        "target_group": draw(st.sampled_from(tuple(domain.TARGET_GROUPS))),
        "program": program,
        "beneficiaries": draw(st.just("") | amounts(MAX_BENEFICIARIES)),
        "cost": draw(st.just("") | amounts(MAX_COST)),
    }


MISSING = object()


def hostile_value(name: str, ref: Reference) -> st.SearchStrategy[object]:
    if name in TEXT_LIMITS:
        low = {"title": TITLE_MIN, "description": DESCRIPTION_MIN}.get(name, 0)
        values = hostile_text(TEXT_LIMITS[name], low)
        if name == "phone":
            values = values | padded(st.from_regex(PHONE, fullmatch=True))
    elif name in NUMBER_LIMITS:
        values = hostile_amounts | amounts(NUMBER_LIMITS[name], beyond=1)
    else:
        options = ref.options(name)
        values = st.one_of(
            st.sampled_from(options),
            st.sampled_from(options).map(lambda v: f" {v}"),
            st.sampled_from(("", "0", "-1", "999999", "1.0", "LURAH", "admin", "umum ")),
            st.sampled_from(PAYLOADS),
            any_text,
        )
    odd = st.one_of(
        st.just(MISSING),
        st.tuples(values, values).map(list),  # the same name twice: the first counts
        st.builds(Upload, st.binary(max_size=64), st.sampled_from(("a.txt", "x.csv"))),
    )
    return st.one_of(values, values, values, odd)


# A description far over its 4,000 characters, making a body just under or just over
# the public limit (32 KiB by default).
oversize_description = st.builds(lambda n: "Uraian panjang " * n, st.integers(2100, 2250))


@st.composite
def requests(draw, ref: Reference) -> Sent:
    fields = draw(valid_form(ref))
    how_many = draw(st.sampled_from((0, 0, 1, 1, 1, 2, 3, 5)))
    hostile = st.lists(
        st.sampled_from(FORM_FIELDS), unique=True, min_size=how_many, max_size=how_many
    )
    for name in draw(hostile):
        fields[name] = draw(hostile_value(name, ref))
    if draw(st.sampled_from((False,) * 8 + (True,))):
        fields["description"] = draw(oversize_description)
    pairs = []
    for name, value in fields.items():
        if value is MISSING:
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    for name in draw(st.lists(st.sampled_from(FOREIGN_FIELDS), unique=True, max_size=3)):
        pairs.append((name, draw(st.sampled_from(("accepted", "paper", "1", "2", "x" * 70)))))
    encoding = draw(st.sampled_from(("form",) * 12 + ("multipart",) * 4 + ("json",)))
    if encoding != "multipart":
        pairs = [(name, value) for name, value in pairs if not isinstance(value, Upload)]
    draw(st.randoms(use_true_random=False)).shuffle(pairs)
    csrf = draw(st.sampled_from(("page",) * 28 + ("missing", "empty", "truncated", "garbage")))
    client_token = draw(
        st.sampled_from(("page",) * 25 + ("page+newline", "", "0" * 31, "A" * 32, "0" * 33))
    )
    return Sent(tuple(pairs), csrf=csrf, client_token=client_token, encoding=encoding)


# --- sending it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    csrf: str | None  # None: no csrf_token field at all
    client: str


def tokens_sent(sent: Sent, page_csrf: str, page_client_token: str) -> Tokens:
    """The two hidden fields as this request sends them, from the page's own."""
    csrf = {
        "page": page_csrf,
        "missing": None,
        "empty": "",
        "truncated": page_csrf[:-1],
        "garbage": "ImFiYyI.aGVsbG8.c2lnbmF0dXJl",
    }[sent.csrf]
    client = {"page": page_client_token, "page+newline": page_client_token + "\n"}
    return Tokens(csrf, client.get(sent.client_token, sent.client_token))


def encode(sent: Sent, tokens: Tokens) -> tuple[bytes, str]:
    """The request body and its content type, byte for byte what the client sends."""
    pairs: list[tuple[str, object]] = []
    if tokens.csrf is not None:
        pairs.append(("csrf_token", tokens.csrf))
    pairs.append(("client_token", tokens.client))
    pairs.extend(sent.fields)
    if sent.encoding == "form":
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    if sent.encoding == "json":
        body: dict[str, object] = {}
        for name, value in pairs:
            body.setdefault(name, []).append(value)
        one_or_many = {k: v[0] if len(v) == 1 else v for k, v in body.items()}
        return json.dumps(one_or_many).encode(), "application/json"
    parts = [
        (
            name,
            FileStorage(io.BytesIO(value.content), value.filename, content_type="text/plain")
            if isinstance(value, Upload)
            else value,
        )
        for name, value in pairs
    ]
    stream, _length, boundary = stream_encode_multipart(MultiDict(parts), use_tempfile=False)
    return stream.read(), f"multipart/form-data; boundary={boundary}"


# --- the oracle ------------------------------------------------------------------------------


@dataclass
class Expected:
    accepted: bool
    row: dict[str, object] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # field name -> value in the page


def read_amount(typed: str | None, maximum: int) -> tuple[bool, int | None]:
    """WholeNumberField's rule: an optional "Rp"/"Rp." before the number, then digits
    0-9, either plain or in groups of three after a dot, and an optional decimal comma
    with nothing but zeros after it (Babel's strict reading for locale "id")."""
    if typed is None or not typed.strip():
        return True, None
    text = re.sub(r"(?i)^rp\.?\s*", "", typed.strip())
    plain = r"([0-9]+)(?:,([0-9]*))?"
    grouped = r"([1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,([0-9]+))?"
    match = re.fullmatch(plain, text) or re.fullmatch(grouped, text)
    if not match or (match.group(2) and match.group(2).strip("0")):
        return False, None
    number = int(match.group(1).replace(".", ""))
    return number <= maximum, number


def expected_outcome(
    sent: Sent, tokens: Tokens, ref: Reference, meeting_id: int, page_csrf: str
) -> Expected:
    if sent.encoding == "json":
        # The forms read what a browser sends; a JSON body is not read at all.
        return Expected(False, shown={name: "" for name in (*TEXT_LIMITS, *NUMBER_LIMITS)})
    first: dict[str, str] = {}
    for name, value in sent.fields:
        if isinstance(value, str):  # a file in a text field counts as nothing sent
            first.setdefault(name, domain.without_bidi_controls(value.replace("\x00", "")))

    def text(name: str) -> str:
        return (first.get(name) or "").strip()

    def chosen(name: str) -> bool:
        return first.get(name) in ref.options(name)

    role, kind = first.get("role"), first.get("kind")
    checks = [
        tokens.csrf == page_csrf,
        CLIENT_TOKEN.match(tokens.client) is not None,
        0 < len(text("submitter_name")) <= NAME_MAX,
        0 < len(text("position")) <= POSITION_MAX,
        len(text("unit_organisation")) <= ORGANISATION_MAX,
        TITLE_MIN <= len(text("title")) <= TITLE_MAX,
        DESCRIPTION_MIN <= len(text("description")) <= DESCRIPTION_MAX,
        not text("phone") or (len(text("phone")) <= PHONE_MAX and PHONE.match(text("phone"))),
        all(chosen(name) for name in CHOICE_FIELDS if name != "target_group"),
        first.get("target_group", "umum") in domain.TARGET_GROUPS,
        role != "lurah" or bool(first.get("unit_kelurahan")),
        role != "camat" or bool(first.get("unit_kecamatan")),
        role != "opd" or bool(first.get("unit_agency")),
        role != "stakeholder" or bool(text("unit_organisation")),
        kind != "evaluasi" or bool(first.get("program")),
    ]
    amounts_read = {name: read_amount(first.get(name), m) for name, m in NUMBER_LIMITS.items()}
    checks.extend(ok for ok, _ in amounts_read.values())
    shown = {name: text(name) for name in TEXT_LIMITS}
    shown.update({name: first.get(name, "") for name in NUMBER_LIMITS})
    if not all(checks):
        return Expected(False, shown=shown)

    def id_of(name: str, wanted: bool = True) -> int | None:
        return int(first[name]) if wanted and first[name] else None

    row = {
        "meeting_id": meeting_id,
        "source": "web",
        "status": "received",
        "submitter_name": text("submitter_name"),
        "role": role,
        "kelurahan_id": id_of("unit_kelurahan", role == "lurah"),
        "kecamatan_id": id_of("unit_kecamatan", role == "camat"),
        "agency_id": id_of("unit_agency", role == "opd"),
        "organisation": text("unit_organisation") if role == "stakeholder" else "",
        "position": text("position"),
        "phone": text("phone"),
        "kind": kind,
        "pillar_id": int(first["pillar"]),
        "submitted_pillar_id": int(first["pillar"]),
        "title": text("title"),
        "description": text("description"),
        "location_id": id_of("location"),
        "target_group": first.get("target_group", "umum"),
        "program_id": id_of("program"),
        "beneficiaries": amounts_read["beneficiaries"][1],
        "cost": amounts_read["cost"][1],
        "decision_reason": "",
        "merged_into_id": None,
    }
    return Expected(True, row=row, shown=shown)


# --- reading the answer ----------------------------------------------------------------------


def shown_value(html: str, name: str) -> str:
    """The value a field carries in the page, still escaped, as the browser receives it."""
    if name == "description":
        match = re.search(rf'<textarea[^>]*\sname="{name}"[^>]*>\r\n(.*?)</textarea>', html, re.S)
        assert match, "no description textarea in the page"
        return match.group(1)
    tag = re.search(rf'<input[^>]*\sname="{name}"[^>]*>', html)
    assert tag, f"no input {name} in the page"
    value = re.search(r'\svalue="([^"]*)"', tag.group(0))
    assert value, f"input {name} has no value"
    return value.group(1)


def count_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Submission.id)))


def earlier_receipt(app, meeting_id: int, row: dict[str, object]) -> str | None:
    """The receipt of a stored input with exactly these values, sent by an earlier example."""
    with app.app_context():
        query = db.select(Submission.receipt_code).filter_by(**{"meeting_id": meeting_id, **row})
        return db.session.scalars(query).first()


def stored_row(app, receipt_code: str) -> dict[str, object]:
    with app.app_context():
        row = db.session.scalar(db.select(Submission).filter_by(receipt_code=receipt_code))
        assert row is not None, f"no row for receipt {receipt_code}"
        return {column.key: getattr(row, column.key) for column in Submission.__table__.columns}


def assert_summary_escaped(html: str, row: dict[str, object]) -> None:
    """The participant's own words, in the receipt's summary, escaped exactly once; their
    name and position are not on this public page."""
    assert f"<dd>{escape(row['submitter_name'])}" not in html
    assert f'<dd class="submission-title">{escape(row["title"])}</dd>' in html
    assert f'<dd class="prose">{escape(row["description"])}</dd>' in html
    if row["organisation"]:
        assert f" · {escape(row['organisation'])}</dd>" in html
    assert "<script>alert(1)</script>" not in html
    summary = re.search(r'<dl class="summary">.*?</dl>', html, re.S).group(0)
    words = " ".join(str(row[k]) for k in ("submitter_name", "position", "title", "description"))
    if row["phone"] and row["phone"] not in words:
        assert row["phone"] not in summary, "the phone number is for the secretariat only"


def send_and_check(app, client, meeting: Meeting, ref: Reference, sent: Sent, limit: int) -> str:
    """Send one request and check the answer against the oracle; returns what happened."""
    page = client.get(f"/m/{meeting.code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    csrf_token = hidden_value(html, "csrf_token")
    tokens = tokens_sent(sent, csrf_token, hidden_value(html, "client_token"))
    body, content_type = encode(sent, tokens)
    before = count_rows(app)

    response = client.post(f"/m/{meeting.code}", data=body, content_type=content_type)

    assert response.status_code < 500
    if len(body) > limit:
        assert response.status_code == 413
        assert count_rows(app) == before
        return "too large"
    expected = expected_outcome(sent, tokens, ref, meeting.id, csrf_token)
    if not expected.accepted:
        assert response.status_code == 422, response.status_code
        assert count_rows(app) == before
        answer = response.get_data(as_text=True)
        for name, value in expected.shown.items():
            assert shown_value(answer, name) == escape(value), name
        assert CLIENT_TOKEN.match(hidden_value(answer, "client_token"))
        return "refused"

    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/receipt/([A-Z0-9]{8})", response.headers["Location"])
    assert match, response.headers["Location"]
    receipt_code = match.group(1)
    if count_rows(app) == before:
        # The same content from the same person, sent by an earlier example: its receipt.
        assert earlier_receipt(app, meeting.id, expected.row) == receipt_code
    else:
        assert count_rows(app) == before + 1
    row = stored_row(app, receipt_code)
    assert {key: row[key] for key in expected.row} == expected.row

    # The same send again (a double tap): the same receipt, no second row.
    again = client.post(f"/m/{meeting.code}", data=body, content_type=content_type)
    assert again.status_code == 303
    assert again.headers["Location"] == response.headers["Location"]
    assert count_rows(app) <= before + 1

    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200
    assert_summary_escaped(receipt.get_data(as_text=True), row)
    status = client.post(
        "/status",
        data={"csrf_token": csrf_token, "receipt_code": format_receipt_code(receipt_code).lower()},
    )
    assert status.status_code == 200
    assert_summary_escaped(status.get_data(as_text=True), row)
    return "accepted"


# --- the properties --------------------------------------------------------------------------


@pytest.fixture
def agencies(app) -> None:
    """Two agencies to choose from, and a retired one that the form must refuse."""
    with app.app_context():
        db.session.add_all(
            [
                Agency(abbreviation="Dinsos P2KB", name="Dinas Sosial P2KB"),
                Agency(abbreviation="Disperindag", name="Dinas <Perdagangan> & Industri"),
                Agency(abbreviation="Lama", name="Dinas yang dibubarkan", active=False),
            ]
        )
        db.session.commit()


def test_the_public_form_never_fails_and_stores_exactly_what_it_accepted(
    app, client, meeting, agencies
):
    ref = Reference.load(app, meeting.id)
    limit = app.config["RAKOR_PUBLIC_MAX_BYTES"]
    outcomes = {"accepted": 0, "refused": 0, "too large": 0}

    @FUZZ
    @given(sent=requests(ref))
    def one_request(sent: Sent) -> None:
        outcomes[send_and_check(app, client, meeting, ref, sent, limit)] += 1

    one_request()
    # The fuzzing reached both sides of the rules, not only the error page.
    assert outcomes["accepted"] >= 40 and outcomes["refused"] >= 40, outcomes
    assert outcomes["too large"] >= 3, outcomes


def test_the_status_lookup_never_fails_and_echoes_what_was_typed_escaped(
    app, client, meeting, valid_submission, submit
):
    answer = submit(meeting.code, valid_submission)
    receipt_code = answer.headers["Location"].rsplit("/", 1)[1]
    csrf_token = csrf_from(client, "/status")
    mangled = st.builds(
        lambda code, sep, lower: (code[:4] + sep + code[4:]).lower() if lower else code,
        st.just(receipt_code),
        st.sampled_from(("", "-", " ", " - ", ".")),
        st.booleans(),
    )

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(typed=st.one_of(mangled, hostile_text(20), padded(mangled)))
    def one_lookup(typed: str) -> None:
        response = client.post("/status", data={"csrf_token": csrf_token, "receipt_code": typed})
        assert response.status_code < 500
        typed_clean = domain.without_bidi_controls(typed.replace("\x00", ""))
        code = "".join(ch for ch in typed_clean.upper() if ch.isalnum())
        html = response.get_data(as_text=True)
        if code == receipt_code and len(typed_clean) <= 20:
            assert response.status_code == 200
            assert format_receipt_code(receipt_code) in html
        else:
            assert response.status_code == 422
            assert shown_value(html, "receipt_code") == escape(typed_clean)

    one_lookup()


def test_any_meeting_address_is_found_or_not_found_never_an_error(client, meeting):
    @settings(max_examples=40, deadline=None, derandomize=True, database=None)
    @given(code=st.one_of(any_text, padded(st.just(meeting.code)), st.sampled_from(PAYLOADS)))
    def one_address(code: str) -> None:
        response = client.get("/m/" + quote(code, safe=""))
        assert response.status_code < 500
        found = "/" not in code and "\x00" not in code and code.strip().lower() == meeting.code
        assert response.status_code == (200 if found else 404), repr(code)

    one_address()


# --- what the fuzzing found: each case on its own ---------------------------------------------


def post_form(client, code: str, fields: dict, **kwargs):
    html = client.get(f"/m/{code}").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(html, "csrf_token"),
        "client_token": hidden_value(html, "client_token"),
        **fields,
    }
    return client.post(f"/m/{code}", data=data, **kwargs)


def test_a_stakeholder_form_without_the_organisation_field_is_refused_not_a_crash(
    app, client, meeting, valid_submission
):
    # Was an AttributeError (500): the missing field's data was None, not "".
    fields = {**valid_submission, "role": "stakeholder"}
    del fields["unit_organisation"]
    response = post_form(client, meeting.code, fields)
    assert response.status_code == 422
    assert "Isi nama lembaga atau organisasi Anda." in response.get_data(as_text=True)
    assert count_rows(app) == 0


def test_nul_characters_are_dropped_from_what_is_stored(app, client, meeting, valid_submission):
    # Was a 500 on PostgreSQL, which refuses NUL in text; SQLite stored it.
    fields = {
        **valid_submission,
        "title": "Pelatihan\x00 membatik",
        "submitter_name": "\x00 Agus \x00",
    }
    response = post_form(client, meeting.code, fields)
    assert response.status_code == 303
    row = stored_row(app, response.headers["Location"].rsplit("/", 1)[1])
    assert (row["title"], row["submitter_name"]) == ("Pelatihan membatik", "Agus")


def test_a_meeting_address_with_a_nul_character_is_not_found(client, meeting):
    # Was a 500 on PostgreSQL: the code went into the query as it was.
    assert client.get(f"/m/{meeting.code}%00").status_code == 404


def test_sign_in_with_a_nul_character_is_refused_not_a_crash(app, client, staff):
    # The same NUL, in a staff form: was a 500 on PostgreSQL.
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_from(client, "/login"),
            "email": STAFF_EMAILS["admin"] + "\x00",
            "password": "salah\x00",
        },
    )
    assert response.status_code == 422


def test_a_password_is_checked_exactly_as_typed_even_with_a_nul(app):
    # The NUL is dropped from every other field; a password is only hashed, never
    # queried, and must be compared exactly as typed (ASVS 5.0 V6.2.8).
    from app.users.services import create_account

    password = "sandi\x00rahasia-2024"
    with app.app_context():
        create_account(None, email="nul@uji.test", name="Uji", role="viewer", password=password)

    def sign_in(typed: str) -> int:
        client = app.test_client()
        data = {"csrf_token": csrf_from(client, "/login"), "email": "nul@uji.test"}
        return client.post("/login", data={**data, "password": typed}).status_code

    assert sign_in("sandirahasia-2024") == 422
    assert sign_in(password) == 302


def test_a_title_padded_with_spaces_is_measured_without_them(
    app, client, meeting, valid_submission
):
    # "   ab   " passed the 5-character minimum and was stored as "ab".
    response = post_form(client, meeting.code, {**valid_submission, "title": "   ab   "})
    assert response.status_code == 422
    assert "Judul antara 5 dan 160 karakter." in response.get_data(as_text=True)
    assert count_rows(app) == 0


def test_a_digit_int_cannot_read_gets_the_indonesian_message(
    app, client, meeting, valid_submission
):
    # "²" passed str.isdigit, then int() failed and its English message was shown.
    response = post_form(client, meeting.code, {**valid_submission, "cost": "²"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tulis angka bulat saja, misalnya 1.500.000." in page
    assert "invalid literal" not in page


@pytest.mark.parametrize("field", ["submitter_name", "title", "client_token", "cost"])
def test_a_file_sent_for_a_text_field_counts_as_nothing_sent(
    app, client, meeting, valid_submission, field
):
    # Was a TypeError (500): validators got a FileStorage where they expect text.
    html = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    data = {
        "csrf_token": hidden_value(html, "csrf_token"),
        "client_token": hidden_value(html, "client_token"),
        **valid_submission,
        field: (io.BytesIO(b"<b>isi berkas</b>"), "masukan.txt"),
    }
    response = client.post(f"/m/{meeting.code}", data=data, content_type="multipart/form-data")
    if field == "cost":  # an optional field: the input is taken without it
        assert response.status_code == 303
        assert stored_row(app, response.headers["Location"].rsplit("/", 1)[1])["cost"] is None
    else:
        assert response.status_code == 422
        assert count_rows(app) == 0


@pytest.mark.parametrize("body", ["[1, 2]", '"teks"', "5", "null", '{"title": 5}'])
def test_a_json_body_is_not_read_as_the_form(app, client, meeting, body):
    # Flask-WTF read JSON bodies and crashed on any that was not an object (500).
    csrf_from(client, f"/m/{meeting.code}")
    response = client.post(f"/m/{meeting.code}", data=body, content_type="application/json")
    assert response.status_code == 422
    assert count_rows(app) == 0


def test_undecodable_bytes_never_crash_the_form(app, client, meeting, valid_submission):
    html = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    fields = {
        "csrf_token": hidden_value(html, "csrf_token"),
        "client_token": hidden_value(html, "client_token"),
        **valid_submission,
    }
    # A percent-escape that is not UTF-8 stays as the text that was sent.
    body = urlencode({**fields, "title": "Judul PLACEHOLDER"}).replace("PLACEHOLDER", "%FF%FE")
    response = client.post(
        f"/m/{meeting.code}", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 303
    row = stored_row(app, response.headers["Location"].rsplit("/", 1)[1])
    assert row["title"] == "Judul %FF%FE"
    # Raw bytes that are not UTF-8: the body cannot be read, so nothing is taken.
    response = client.post(
        f"/m/{meeting.code}",
        data=urlencode(fields).encode() + b"&description=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    assert count_rows(app) == 1


def test_pillar_names_from_the_database_are_escaped_too(app, client, meeting):
    # Staff type the pillar names; the public form shows them.
    with app.app_context():
        pillar = db.session.scalar(db.select(Pillar).order_by(Pillar.position))
        pillar.name = "<i>Strategi</i> & kawan"
        db.session.commit()
    html = client.get(f"/m/{meeting.code}").get_data(as_text=True)
    assert "&lt;i&gt;Strategi&lt;/i&gt; &amp; kawan" in html
    assert "<i>Strategi</i>" not in html
