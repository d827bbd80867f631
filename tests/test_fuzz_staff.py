"""Property-based fuzzing of the staff side: filters, forms and imports.

Hypothesis sends what a mistyped field, a stale bookmark, a copied spreadsheet or a
curious colleague sends: digits that are not 0-9 ("²", "٣", "１２３"), huge and
negative numbers, dates in year 1 and 9999, NUL characters, whitespace, very long
text, HTML and SQL. It goes into every query-string filter of the review list, the
audit page and the exports (the arguments `ReviewFilters.from_args` and
`page_number` read), every field of every staff form (meetings, indicators,
reference data, accounts, the minutes, the review decisions; each POST with the
form's own CSRF token), the indicator CSV import and the paper XLSX import.

The properties:

- never a server error;
- a filter that makes no sense is ignored: the page or the file is still served;
- a form either is taken (a redirect) or comes back refused (200, 400, 409 or 422),
  in Indonesian (none of WTForms' or Python's English messages), with each short
  text field still holding what was typed.

The examples are the same on every run (derandomize) and no example database is
kept, as in tests/test_fuzz_public_form.py. Each test's fixtures (one app and
database, signed-in clients) are shared by its examples, so @given sits on an inner
function.
"""

import csv
import io
import re
from datetime import date, datetime
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select

from app.domain import without_bidi_controls
from app.extensions import db
from app.models import Agency, Indicator, IndicatorValue, Kecamatan, Pillar, Submission
from tests.helpers import (
    HEADERS,
    add_submission,
    csrf_from,
    detail_url,
    good_rows,
    hidden_value,
    post,
    queue_url,
    text,
    upload,
    workbook_bytes,
)


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None)


# --- what is sent ------------------------------------------------------------------------

ODD_NUMBERS = (
    "²",
    "³",
    "¹²",
    "½",
    "٣",
    "١٢٣",
    "۴",
    "१२",
    "１２３",
    "Ⅻ",
    "߂",
    "-1",
    "-0",
    "+5",
    "0",
    "00",
    "1e3",
    "1_000",
    "0x10",
    "1.5",
    "1,5",
    "NaN",
    "inf",
    "9" * 19,
    "9" * 40,
    "1" + "0" * 4400,
    "2024\x00",
    " 7 ",
)
ODD_TEXT = (
    "",
    " ",
    "\t\r\n",
    "\u00a0",
    "\u3000",
    "\x00",
    "\x00\x00\x00",
    "a\x00b",
    "None",
    "null",
    "<b>tebal</b>",
    '"><script>alert(1)</script>',
    "' OR '1'='1' --",
    "%",
    "_",
    "\\",
    "=1+2",
    "Za\u0308hlung \ufb01 \u202eexe",
    "𝔘𝔫𝔦 🙂",
    "baris satu\r\nbaris dua",
)
ODD_DATES = (
    "0001-01-01",
    "1-1-1",
    "9999-12-31",
    "2024-02-30",
    "2024-13-01",
    "30-06-2024",
    "31/12/9999",
    "01-01-0001",
    "2024-06-30T10:00",
    "0001-01-01T00:00",
    "0001-01-01 00:30",
    "9999-12-31T23:59",
    "9999-12-31 23:59",
    "2024-01-23T24:00",
    "00:00",
    "23:59",
    "24:00",
    "9:00",
    "09.00",
    "23:59:60",
)


def long_text(low: int = 300, high: int = 20_000) -> st.SearchStrategy[str]:
    return st.builds(lambda ch, n: ch * n, st.sampled_from("a9 é²\x00<"), st.integers(low, high))


odd_value = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(ODD_TEXT),
    st.sampled_from(ODD_DATES),
    st.integers(-(10**30), 10**30).map(str),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)).map(
        lambda moment: moment.isoformat(timespec="minutes")
    ),
    long_text(),
)


# Dates and moments at the ends of the calendar, the way a date picker or a hand types them.
calendar_edges = st.builds(
    lambda day, moment, style: [day, f"{day}T{moment}", f"{day} {moment}"][style],
    st.sampled_from(("0001-01-01", "0001-01-02", "9999-12-31", "1999-12-31", "2101-01-01")),
    st.sampled_from(("00:00", "06:59", "07:00", "23:59")),
    st.integers(0, 2),
)


def spoiled(odd: st.SearchStrategy[str], valid: str) -> st.SearchStrategy[object]:
    """Something odd, or nothing, or the field twice (the first one counts)."""
    return st.one_of(odd, odd, odd, st.just(MISSING), st.tuples(odd, st.just(valid)).map(list))


MISSING = object()


@st.composite
def form_fields(draw, valid: dict[str, str], **odd) -> dict[str, object]:
    """A valid form with one to three fields spoiled, so each odd value reaches the
    service when the form lets it through. `odd` gives a field odd values of its own."""
    names = draw(st.lists(st.sampled_from(sorted(valid)), min_size=1, max_size=3, unique=True))
    fields: dict[str, object] = dict(valid)
    for name in names:
        values = st.one_of(odd_value, odd[name]) if name in odd else odd_value
        fields[name] = draw(spoiled(values, valid[name]))
    return fields


# --- reading the answer --------------------------------------------------------------------

# What WTForms, Python or the database says when a message was not written for people.
ENGLISH = re.compile(
    r"Not a valid|invalid literal|This field|Field must|Field cannot|must be at|"
    r"Invalid (input|email|value)|out of range|could not convert|Traceback|"
    r"(?i:year \d+ is out)|(?i:integer|overflow|exception)"
)
SHORT = 200


def visible_text(html: str, sent: dict[str, object]) -> str:
    """The words of the page, without tags and without what was sent (that may be English)."""
    words = re.sub(r"<[^>]+>", " ", html)
    for value in sorted(sent_texts(sent), key=len, reverse=True):
        if value.strip():
            words = words.replace(str(escape(value)), " ").replace(value, " ")
    return words


def sent_texts(sent: dict[str, object]) -> list[str]:
    values = []
    for value in sent.values():
        values.extend(value if isinstance(value, list) else [value])
    return [value for value in values if isinstance(value, str)]


def shown_value(html: str, name: str) -> str | None:
    """What the page's field `name` holds, still escaped; None when the page has no such field."""
    area = re.search(rf'<textarea[^>]*\sname="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
    if area:
        return area.group(1).removeprefix("\r\n")
    tag = re.search(rf'<input[^>]*\sname="{re.escape(name)}"[^>]*>', html)
    if tag is None or re.search(r'type="(password|checkbox|radio|hidden|file)"', tag.group(0)):
        return None
    value = re.search(r'\svalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def ways_it_may_be_shown(typed: str) -> set[str]:
    """What was typed, as a field's filters may give it back: trimmed, lower case, one newline."""
    typed = without_bidi_controls(typed.replace("\x00", ""))
    forms = {typed, typed.strip(), typed.strip().lower()}
    forms |= {f.replace("\r\n", "\n").replace("\r", "\n") for f in list(forms)}
    return {str(escape(form)) for form in forms}


def check_answer(response, sent: dict[str, object], *, text_fields=()) -> str:
    """The property every staff form answer has; returns "taken" or "refused"."""
    status = response.status_code
    assert status < 500, (status, sent)
    if status in (302, 303):
        return "taken"
    assert status in (200, 400, 409, 422), (status, sent)
    html = text(response)
    assert '<html lang="id"' in html
    english = ENGLISH.search(visible_text(html, sent))
    assert english is None, (english.group(0), sent)
    for name in text_fields:
        typed = sent.get(name)
        if not isinstance(typed, str) or len(typed) > SHORT:
            continue
        shown = shown_value(html, name)
        if shown is not None:
            assert shown in ways_it_may_be_shown(typed), (name, typed, shown)
    return "refused"


def post_form(client, page_url: str, action_url: str, fields: dict[str, object], **extra):
    """Open `page_url` like a browser, then POST `fields` (MISSING ones left out) there."""
    data: dict[str, object] = {"csrf_token": csrf_from(client, page_url), **extra}
    data.update({name: value for name, value in fields.items() if value is not MISSING})
    return client.post(action_url, data=data)


def run(check, strategy, examples: int) -> dict[str, int]:
    """Run `check` on `examples` drawn values; count what it returns."""
    outcomes: dict[str, int] = {}

    @fuzz(examples)
    @given(strategy)
    def one(value) -> None:
        outcome = check(value)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    one()
    return outcomes


# --- filters -------------------------------------------------------------------------------

FILTER_ARGS = ("page", "pillar", "kind", "role", "kecamatan", "kelurahan", "status", "q", "sort")


def filter_args(extra: tuple[str, ...] = ()) -> st.SearchStrategy[dict[str, str]]:
    names = FILTER_ARGS + extra
    return st.dictionaries(st.sampled_from(names), odd_value, min_size=1, max_size=len(names))


@pytest.fixture
def reviewed(app, meeting) -> int:
    """A meeting with three inputs."""
    for minute in range(3):
        add_submission(app, meeting.id, minute=minute, title=f"Masukan nomor {minute + 1}")
    return meeting.id


def with_audit_lines(client, meeting_id: int) -> None:
    """A note and a decision on the first input: lines for the audit page to show."""
    first = titles_and_ids(client, meeting_id)[0][1]
    post(client, meeting_id, first, "notes", {"body": "Cek dengan Dinsos."})
    post(client, meeting_id, first, "decision", {"decision": "accepted", "reason": ""})


def titles_and_ids(client, meeting_id: int, **args) -> list[tuple[str, int]]:
    """The review list's rows (title, input id), with the filters in `args`."""
    html = text(client.get(queue_url(meeting_id), query_string=args))
    rows = re.findall(r'<a href="/admin/meetings/\d+/inputs/(\d+)">([^<]+)</a>', html)
    return [(title, int(submission_id)) for submission_id, title in rows]


def test_review_list_audit_page_and_exports_ignore_filters_that_make_no_sense(app, login, reviewed):
    client = login("secretariat")
    with_audit_lines(client, reviewed)
    base = f"/admin/meetings/{reviewed}"
    urls = (queue_url(reviewed), f"{base}/audit", f"{base}/inputs.csv", f"{base}/inputs.xlsx")

    def one(case) -> str:
        url, args = case
        response = client.get(f"{url}?{urlencode(args)}")
        assert response.status_code == 200, (url, args, response.status_code)
        response.close()
        return url.rsplit("/", 1)[1]

    outcomes = run(one, st.tuples(st.sampled_from(urls), filter_args(("personal",))), 160)
    assert len(outcomes) == 4, outcomes


def test_an_odd_filter_value_is_ignored_on_every_list(app, login, reviewed):
    client = login("secretariat")
    with_audit_lines(client, reviewed)
    everything = titles_and_ids(client, reviewed)
    assert len(everything) == 3
    base = f"/admin/meetings/{reviewed}"
    urls = (queue_url(reviewed), f"{base}/audit", f"{base}/inputs.csv", f"{base}/inputs.xlsx")
    for name in ("page", "pillar", "kecamatan", "kelurahan", "status", "sort"):
        for value in ("²", "٣", "１２３", "-1", "9" * 40, "\x00", "1e3", "0"):
            for url in urls:
                response = client.get(url, query_string={name: value})
                assert response.status_code == 200, (url, name, value)
            # Ignored, not "nothing matches": the list is the whole list.
            assert titles_and_ids(client, reviewed, **{name: value}) == everything, (name, value)
    for value in ("²", "\x00", "a" * 500):
        response = client.get(queue_url(reviewed), query_string={"q": value})
        assert response.status_code == 200, value


# --- meeting forms -------------------------------------------------------------------------

MEETING_FIELDS = {
    "title": "Rapat Koordinasi Penanggulangan Kemiskinan 2025",
    "date": "2025-01-23",
    "start_time": "09:00",
    "end_time": "12:00",
    "venue": "Ruang Jlamprang",
    "chair_name": "Wali Kota",
    "chair_position": "Wali Kota Pekalongan",
    "chair_nip": "19700101 199003 1 001",
    "notetaker_name": "Dian",
    "notetaker_position": "Analis",
    "notetaker_nip": "",
    "opens_at": "2025-01-23T08:00",
    "closes_at": "2025-01-23T12:00",
    "access_code": "",
    "code": "",
    "agenda": "Pembukaan\nEvaluasi",
}
MEETING_TEXT_FIELDS = tuple(MEETING_FIELDS)


def test_the_meeting_forms_refuse_odd_input_in_indonesian(app, login, meeting):
    client = login("secretariat")
    edit = f"/admin/meetings/{meeting.id}/edit"

    agenda = f"/admin/meetings/{meeting.id}/agenda"

    def one(case) -> str:
        creating, fields = case
        if creating == "agenda":
            response = post_form(client, agenda, agenda, fields)
            return check_answer(response, fields, text_fields=("new-title",))
        if creating:
            response = post_form(client, "/admin/meetings/new", "/admin/meetings/new", fields)
        else:
            fields = {**fields, "code": fields["code"] if fields["code"] else meeting.code}
            fields.pop("agenda")
            response = post_form(client, edit, edit, fields)
        return check_answer(response, fields, text_fields=MEETING_TEXT_FIELDS)

    dates = {name: calendar_edges for name in ("date", "opens_at", "closes_at")}
    with app.app_context():
        pillar = str(db.session.scalar(select(Pillar.id).order_by(Pillar.id)))
    cases = st.one_of(
        st.tuples(st.booleans(), form_fields({**MEETING_FIELDS, "pillars": pillar}, **dates)),
        st.tuples(st.just("agenda"), form_fields({"new-title": "Evaluasi capaian 2024"})),
    )
    outcomes = run(one, cases, 120)
    assert outcomes.get("taken", 0) >= 3 and outcomes.get("refused", 0) >= 20, outcomes


@pytest.mark.parametrize(
    "field, value",
    [
        ("date", "0001-01-01"),
        ("date", "9999-12-31"),
        ("opens_at", "0001-01-01T00:00"),
        ("closes_at", "9999-12-31T23:59"),
    ],
)
def test_a_meeting_at_the_ends_of_the_calendar_is_refused_with_a_clear_message(
    app, login, field, value
):
    client = login("secretariat")
    fields = {**MEETING_FIELDS, field: value}
    if field == "opens_at":
        fields["closes_at"] = ""
    response = post_form(client, "/admin/meetings/new", "/admin/meetings/new", fields)
    assert response.status_code == 422
    assert "Tahun antara 2000 dan 2100." in text(response)
    assert shown_value(text(response), field) == value


# --- indicators ----------------------------------------------------------------------------


def first_indicator_value(app) -> tuple[int, int]:
    """(indicator id, value id) of a seeded year."""
    with app.app_context():
        value = db.session.scalar(select(IndicatorValue).order_by(IndicatorValue.id))
        return value.indicator_id, value.id


def test_the_indicator_forms_refuse_odd_input_in_indonesian(app, login):
    client = login("admin")
    indicator_id, value_id = first_indicator_value(app)
    new_fields = {
        "new-indicator": str(indicator_id),
        "new-year": "2027",
        "new-target": "5,69",
        "new-actual": "",
        "new-source": "RPJMD",
        "new-new_name": "",
        "new-unit": "",
    }
    row = f"v{value_id}"
    row_fields = {f"{row}-year": "2021", f"{row}-target": "6,94", f"{row}-actual": "7,59"}
    row_fields[f"{row}-source"] = "BPS"

    def one(case) -> str:
        adding, fields = case
        action = "/admin/indicators/values" if adding else f"/admin/indicators/values/{value_id}"
        response = post_form(client, "/admin/indicators", action, fields)
        return check_answer(response, fields, text_fields=tuple(fields))

    years = {"new-year": st.sampled_from(("1989", "2101", "²⁰²⁴", "２０２４", "٢٠٢٤", "2024²"))}
    cases = st.one_of(
        st.tuples(st.just(True), form_fields(new_fields, **years)),
        st.tuples(st.just(False), form_fields(row_fields)),
    )
    outcomes = run(one, cases, 100)
    assert outcomes.get("taken", 0) >= 3 and outcomes.get("refused", 0) >= 20, outcomes


@pytest.mark.parametrize("year", ["²", "２０２４", "٢٠٢٤", "2024²", "9" * 5000])
def test_an_indicator_year_in_other_digits_gets_the_indonesian_message(app, login, year):
    client = login("admin")
    indicator_id, _value_id = first_indicator_value(app)
    fields = {"new-indicator": str(indicator_id), "new-year": year, "new-target": "5,5"}
    response = post_form(client, "/admin/indicators", "/admin/indicators/values", fields)
    assert response.status_code == 422
    page = text(response)
    assert "Tahun antara 1990 dan 2100." in page
    assert "invalid literal" not in page
    if len(year) < SHORT:
        assert shown_value(page, "new-year") == year


CSV_HEADER = ("indicator", "unit", "year", "target", "actual", "source")
csv_cell = st.one_of(
    st.sampled_from(("Persentase penduduk miskin", "persen", "2024", "6,29", "", "BPS")),
    odd_value,
    st.builds(lambda ch, n: ch * n, st.sampled_from('x9\x00"'), st.integers(131_000, 132_000)),
)


@st.composite
def csv_files(draw) -> bytes:
    """A CSV as a spreadsheet or a hand might save it: odd cells, quotes, delimiters, bytes."""
    delimiter = draw(st.sampled_from((",", ";", "\t")))
    header = draw(st.one_of(st.just(CSV_HEADER), st.lists(csv_cell, max_size=7).map(tuple)))
    rows = draw(st.lists(st.lists(csv_cell, min_size=0, max_size=8), max_size=5))
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=delimiter, quoting=draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL)))
    )
    writer.writerow(header)
    writer.writerows(rows)
    body = out.getvalue()
    raw = draw(st.sampled_from(("", '"', "\r", '"abc"def', 'a,"b\nc')))
    encoding = draw(st.sampled_from(("utf-8", "utf-8-sig", "utf-16", "latin-1")))
    return (body + raw).encode(encoding, errors="replace")


def upload_indicators(client, content: bytes):
    token = csrf_from(client, "/admin/indicators")
    return client.post(
        "/admin/indicators/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "indikator.csv")},
        content_type="multipart/form-data",
    )


def test_the_indicator_import_never_fails_and_refuses_in_indonesian(app, login):
    client = login("admin")

    def one(content: bytes) -> str:
        response = upload_indicators(client, content)
        return check_answer(response, {})

    outcomes = run(one, csv_files(), 60)
    assert outcomes.get("refused", 0) >= 20, outcomes


def test_an_indicator_csv_field_over_128_kib_is_refused_with_its_row(app, login):
    client = login("admin")
    long_source = "x" * (130 * 1024)
    content = (
        "indicator,unit,year,target,actual,source\n"
        'Persentase penduduk miskin,persen,2024,"6,29",,BPS\n'
        f'Persentase penduduk miskin,persen,2025,"6,09",,{long_source}\n'
    ).encode()
    response = upload_indicators(client, content)
    assert response.status_code == 422
    page = text(response)
    assert "Berkas tidak diimpor" in page
    assert "baris 3: Tidak terbaca: ada sel yang terlalu panjang" in page


def test_nul_characters_in_an_indicator_csv_are_not_stored(app, login):
    client = login("admin")
    content = (
        b"indicator,unit,year,target,actual,source\nIndeks\x00 baru,per\x00sen,2024,1,,BPS\x00\n"
    )
    response = upload_indicators(client, content)
    assert response.status_code == 302, text(response)[-2000:]
    with app.app_context():
        indicator = db.session.scalar(select(Indicator).where(Indicator.name == "Indeks baru"))
        assert indicator is not None and indicator.unit == "persen"


# --- reference data ------------------------------------------------------------------------


def reference_forms(app) -> dict[str, dict[str, str]]:
    with app.app_context():
        kecamatan_id = db.session.scalar(select(Kecamatan.id).order_by(Kecamatan.id))
        pillar_id = db.session.scalar(select(Pillar.id).order_by(Pillar.id))
    return {
        "/admin/reference/pillars/new": {
            "code": "P9",
            "name": "Strategi uji",
            "name_en": "Test strategy",
            "description": "Uraian singkat.",
            "position": "9",
        },
        f"/admin/reference/pillars/{pillar_id}": {
            "code": "P1",
            "name": "Mengurangi beban pengeluaran",
            "name_en": "",
            "description": "",
            "position": "1",
        },
        "/admin/reference/agencies/new": {"abbreviation": "Dinas Uji", "name": "Dinas Uji Kota"},
        "/admin/reference/kecamatan/new": {"code": "33.75.09", "name": "Kecamatan Uji"},
        "/admin/reference/kelurahan/new": {"kecamatan_id": str(kecamatan_id), "name": "Kel Uji"},
        "/admin/reference/programs/new": {
            "name": "Program uji",
            "pillar_id": str(pillar_id),
            "agency_id": "",
        },
        "/admin/reference/letterhead": {
            "government": "Pemerintah Kota Pekalongan",
            "agency": "Bappeda",
            "address": "Jl. Mataram No. 1",
            "contact": "(0285) 421093",
            "city": "Pekalongan",
            "page_size": "A4",
        },
    }


def test_the_reference_forms_refuse_odd_input_in_indonesian(app, login):
    client = login("admin")
    forms = reference_forms(app)
    numbers = st.sampled_from(ODD_NUMBERS)

    def one(case) -> str:
        url, fields = case
        response = post_form(client, url, url, fields)
        return check_answer(response, fields, text_fields=tuple(fields))

    cases = st.one_of(
        *(
            st.tuples(st.just(url), form_fields(valid, position=numbers))
            for url, valid in forms.items()
        )
    )
    outcomes = run(one, cases, 140)
    assert outcomes.get("taken", 0) >= 10 and outcomes.get("refused", 0) >= 30, outcomes


# --- accounts ------------------------------------------------------------------------------


def test_the_account_forms_refuse_odd_input_in_indonesian(app, login, staff):
    client = login("admin")
    viewer = staff["viewer"]
    password = "kata-sandi-uji-panjang-2024"
    forms = {
        "/admin/users/new": {
            "email": "baru@uji.test",
            "name": "Pengguna Baru",
            "role": "secretariat",
            "password": password,
            "confirm": password,
        },
        f"/admin/users/{viewer}": {"name": "Uji viewer", "role": "viewer"},
        f"/admin/users/{viewer}/password": {"password": password, "confirm": password},
    }

    def one(case) -> str:
        url, fields = case
        response = post_form(client, url, url, fields)
        return check_answer(response, fields, text_fields=("email", "name"))

    cases = st.one_of(
        *(st.tuples(st.just(url), form_fields(valid)) for url, valid in forms.items())
    )
    outcomes = run(one, cases, 70)
    assert outcomes.get("taken", 0) >= 3 and outcomes.get("refused", 0) >= 20, outcomes


# --- the minutes ---------------------------------------------------------------------------


def test_the_minutes_forms_refuse_odd_input_in_indonesian(app, login, make_meeting):
    meeting = make_meeting(status="closed")
    client = login("secretariat")
    record = f"/admin/meetings/{meeting.id}/record"
    forms = {
        record: {"opening": "Wali Kota membuka rapat.", "conclusions": "1. DTKS dimutakhirkan."},
        f"{record}/follow-ups": {
            "fu-action": "Verifikasi DTKS",
            "fu-agency": "",
            "fu-deadline": "2024-06-30",
            "fu-status": "open",
            "fu-progress_note": "",
        },
        f"{record}/attendees": {
            "att-name": "Siti Aminah",
            "att-position": "Staf",
            "att-unit": "Bappeda",
            "att-sex": "P",
            "att-phone": "0812 3456 7890",
        },
    }
    dates = {"fu-deadline": calendar_edges}

    def one(case) -> str:
        url, fields = case
        extra = {}
        if url == record:
            extra["versions"] = hidden_value(text(client.get(record)), "versions")
        response = post_form(client, record, url, fields, **extra)
        return check_answer(response, fields, text_fields=tuple(fields))

    cases = st.one_of(
        *(st.tuples(st.just(url), form_fields(valid, **dates)) for url, valid in forms.items())
    )
    outcomes = run(one, cases, 90)
    assert outcomes.get("taken", 0) >= 5 and outcomes.get("refused", 0) >= 20, outcomes


# --- the review decisions --------------------------------------------------------------------


def test_the_review_forms_refuse_odd_input_in_indonesian(app, login, reviewed):
    client = login("secretariat")
    with app.app_context():
        ids = list(db.session.scalars(select(Submission.id).order_by(Submission.id)))
        pillar_id = db.session.scalar(select(Pillar.id).where(Pillar.code == "P2"))
        db.session.add(Agency(abbreviation="Dinsos", name="Dinas Sosial"))
        db.session.commit()
        agency_id = db.session.scalar(select(Agency.id))
    first, second, third = ids
    page = detail_url(reviewed, first)
    forms = {
        "pillar": {"pillar": str(pillar_id)},
        "decision": {"decision": "declined", "reason": "Sudah ada programnya."},
        "follow-up": {"agency": str(agency_id), "deadline": "30-06-2024", "action": "Verifikasi"},
        "notes": {"body": "Cek dengan Dinsos."},
        "merge": {"originals": str(second)},
    }
    numbers = st.sampled_from(ODD_NUMBERS)
    odd = {"originals": numbers, "pillar": numbers, "agency": numbers, "deadline": calendar_edges}

    def one(case) -> str:
        action, fields = case
        if action == "duplicates":
            url = f"/admin/meetings/{reviewed}/duplicates"
            response = post_form(client, url, f"{url}/merge", fields)
        elif action == "unmerge":
            response = post_form(client, page, f"{detail_url(reviewed, second)}/unmerge", fields)
        else:
            response = post_form(client, page, f"{page}/{action}", fields)
        if response.status_code == 404 and action in ("merge", "duplicates", "unmerge"):
            return "not found"  # an id of no input of this meeting
        return check_answer(response, fields, text_fields=("reason", "deadline", "action", "body"))

    group = {"primary": str(first), "originals": str(third)}
    cases = st.one_of(
        *(st.tuples(st.just(action), form_fields(valid, **odd)) for action, valid in forms.items()),
        st.tuples(st.just("duplicates"), form_fields(group, primary=numbers, **odd)),
        st.tuples(st.just("unmerge"), form_fields({"back_to": str(first)}, back_to=numbers)),
    )
    outcomes = run(one, cases, 120)
    assert outcomes.get("taken", 0) >= 10 and outcomes.get("refused", 0) >= 20, outcomes


# --- the paper import ------------------------------------------------------------------------

xlsx_cell = st.one_of(
    odd_value,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from((None, True, False, 0.5, -1, 10**15, 1e300)),
    st.datetimes(datetime(1900, 1, 1), datetime(9999, 12, 31)),
)


@st.composite
def paper_workbooks(draw) -> bytes:
    """The template as staff fill it, a few cells anywhere replaced by something odd."""
    rows = [list(row) for row in good_rows()]
    for _ in range(draw(st.integers(1, 6))):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(HEADERS) - 1))
        value = draw(xlsx_cell)
        # openpyxl refuses control characters in a cell; a spreadsheet cannot hold them.
        if isinstance(value, str):
            value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
        rows[row][column] = value
    return workbook_bytes(rows)


def test_the_paper_import_never_fails_on_odd_cells(app, login, meeting):
    client = login("secretariat")

    def one(content: bytes) -> str:
        return check_answer(upload(client, meeting.id, content), {})

    outcomes = run(one, paper_workbooks(), 50)
    assert outcomes.get("refused", 0) >= 10, outcomes


# --- signing in ------------------------------------------------------------------------------


def test_the_sign_in_form_refuses_odd_input_in_indonesian(app, staff):
    def one(fields) -> str:
        response = post_form(app.test_client(), "/login", "/login", fields)
        if response.status_code == 429:
            return "limited"  # wrong passwords for one address, one after another
        return check_answer(response, fields, text_fields=("email",))

    lengths = st.integers(190, 320).map(lambda n: "a" * n)
    sign_in = {"email": "salah@uji.test", "password": "salah"}
    outcomes = run(one, form_fields(sign_in, email=lengths, password=lengths), 30)
    assert outcomes.get("refused", 0) >= 10, outcomes


def test_an_email_too_long_to_sign_in_gets_the_indonesian_message(app, client):
    # WTForms' own "cannot be longer" message went through Flask-Babel's ngettext,
    # which formats with `num` only: a KeyError, a server error.
    email = "a" * 250 + "@uji.test"
    response = post_form(client, "/login", "/login", {"email": email, "password": "x"})
    assert response.status_code == 422
    assert "Paling panjang 254 karakter." in text(response)


@pytest.mark.parametrize("value", ["²", "٣٤", "１２", "9" * 30, -5, 1e300])
def test_an_odd_number_in_the_paper_import_is_refused_in_indonesian(app, login, meeting, value):
    rows = [list(row) for row in good_rows()]
    rows[0][HEADERS.index("Penerima manfaat")] = value
    response = upload(login("secretariat"), meeting.id, workbook_bytes(rows))
    assert response.status_code == 422
    check_answer(response, {})
    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 0
