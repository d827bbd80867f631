"""The receipt: what happens next, the sender's own correction link, no personal data,
the WhatsApp share; and the correction itself with every refusal."""

import re
from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import select

from app.audit import PERSONAL_MARKER
from app.extensions import db
from app.models import AuditEvent, Pillar, Submission
from app.models.base import utcnow
from app.qr import public_meeting_url
from tests.helpers import hidden_value, text

NAME = "Agus Priyanto"  # the valid_submission fixture's
POSITION = "Lurah Krapyak"
PHONE = "0812-2712-3456"
NEW_TITLE = "Pelatihan membatik tulis dan cap untuk pemuda putus sekolah"
CORRECTION_LINK = re.compile(r'href="(/receipt/[A-Z0-9]{8}/ubah/[^"]+)"')


def send(submit, meeting, fields) -> str:
    response = submit(meeting.code, fields)
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/", 1)[1]


def row(app, code: str) -> Submission:
    with app.app_context():
        submission = db.session.scalar(select(Submission).filter_by(receipt_code=code))
        db.session.expunge(submission)
        return submission


def change(app, code: str, **values) -> None:
    with app.app_context():
        submission = db.session.scalar(select(Submission).filter_by(receipt_code=code))
        for name, value in values.items():
            setattr(submission, name, value)
        db.session.commit()


def correction_link(client, code: str) -> str:
    match = CORRECTION_LINK.search(text(client.get(f"/receipt/{code}")))
    assert match, "the sender's receipt shows no correction link"
    return match.group(1)


def corrected_fields(client, link: str, **changes) -> dict:
    """The correction form as it opens (prefilled), with `changes` typed over it."""
    page = client.get(link)
    assert page.status_code == 200
    html = text(page)
    fields = {"csrf_token": hidden_value(html, "csrf_token")}
    for name in ("submitter_name", "position", "phone", "title", "unit_organisation"):
        match = re.search(rf'id="{name}" [^>]*value="([^"]*)"', html) or re.search(
            rf'value="([^"]*)"[^>]*id="{name}"', html
        )
        fields[name] = match.group(1) if match else ""
    description = re.search(r'<textarea[^>]*id="description"[^>]*>\s*(.*?)</textarea>', html, re.S)
    fields["description"] = description.group(1)
    for name in ("role", "kind", "pillar"):
        checked = re.search(rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]*)"', html)
        checked = checked or re.search(
            rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', html
        )
        fields[name] = checked.group(1) if checked else ""
    for name in ("unit_kelurahan", "unit_kecamatan", "unit_agency", "location", "target_group"):
        select_html = re.search(rf'<select[^>]*id="{name}".*?</select>', html, re.S).group(0)
        chosen = re.search(r'<option selected value="([^"]*)"', select_html) or re.search(
            r'<option[^>]*value="([^"]*)"[^>]*selected', select_html
        )
        fields[name] = chosen.group(1) if chosen else ""
    fields["program"] = ""
    for name in ("beneficiaries", "cost"):
        match = re.search(rf'id="{name}"[^>]*value="([^"]*)"', html) or re.search(
            rf'value="([^"]*)"[^>]*id="{name}"', html
        )
        fields[name] = match.group(1) if match else ""
    fields.update(changes)
    return fields


@pytest.fixture
def sent(app, client, submit, meeting, valid_submission) -> str:
    """The receipt code of one input sent by `client`."""
    return send(submit, meeting, valid_submission)


# --- the receipt ---------------------------------------------------------------------------


def test_the_receipt_says_what_happens_next(client, sent):
    page = text(client.get(f"/receipt/{sent}"))
    assert "Langkah selanjutnya" in page
    assert "Sekretariat rapat meninjau setiap masukan" in page
    assert "Notulis mencatat masukan" in page
    assert f"halaman Cek status dengan kode {sent[:4]}-{sent[4:]}" in page
    assert "masih dapat diubah selama sekretariat belum meninjaunya" in page
    assert "Ubah masukan ini" in page
    assert "terlambat" not in page


def test_the_receipt_and_the_status_show_no_name_position_or_phone(client, sent):
    receipt = text(client.get(f"/receipt/{sent}"))
    page = text(client.get("/status"))
    status = text(
        client.post(
            "/status",
            data={"csrf_token": hidden_value(page, "csrf_token"), "receipt_code": sent},
        )
    )
    for html in (receipt, status):
        assert "Krapyak" in html and "Lurah" in html  # the role and the unit are fine
        assert NAME not in html
        assert POSITION not in html
        assert PHONE not in html and "27123456" not in html


def test_the_correction_link_is_shown_only_to_the_browser_that_sent_the_input(app, sent):
    other = app.test_client()
    page = text(other.get(f"/receipt/{sent}"))
    assert "Ubah masukan ini" not in page
    assert "/ubah/" not in page
    assert "hanya dapat dilakukan dari perangkat yang dipakai mengirimnya" in page


def test_a_late_input_says_so_on_its_receipt(app, client, sent):
    change(app, sent, late=True)
    page = text(client.get(f"/receipt/{sent}"))
    assert "dicatat sebagai masukan terlambat" in page


def test_the_receipt_offers_the_meeting_link_on_whatsapp(app, client, meeting, sent):
    with app.test_request_context():
        address = public_meeting_url(meeting)
    assert address.endswith(f"/m/{meeting.code}")
    page = text(client.get(f"/receipt/{sent}"))
    share = re.search(r'href="(https://wa\.me/\?text=[^"]+)"[^>]*>([^<]+)<', page)
    assert share, "no WhatsApp link"
    assert share.group(2) == "Bagikan tautan rapat lewat WhatsApp"
    message = unquote(share.group(1).removeprefix("https://wa.me/?text="))
    assert message == f"{meeting.title}\n{address}"
    assert quote(meeting.title, safe="") in share.group(1)


def test_no_correction_and_no_share_once_the_meeting_is_closed(app, client, meeting, sent):
    with app.app_context():
        db.session.execute(
            db.update(type(meeting)).where(type(meeting).id == meeting.id).values(status="closed")
        )
        db.session.commit()
    page = text(client.get(f"/receipt/{sent}"))
    assert "Ubah masukan ini" not in page
    assert "masih dapat diubah" not in page
    assert "wa.me" not in page
    assert "Langkah selanjutnya" in page


# --- the correction ------------------------------------------------------------------------


def test_the_correction_form_opens_with_what_was_sent(client, sent, valid_submission):
    link = correction_link(client, sent)
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text(response)
    assert f'value="{valid_submission["title"]}"' in html
    assert valid_submission["description"] in html
    assert f'value="{NAME}"' in html and f'value="{PHONE}"' in html
    fields = corrected_fields(client, link)
    assert fields["pillar"] == valid_submission["pillar"]
    assert fields["kind"] == "usulan" and fields["role"] == "lurah"
    assert fields["unit_kelurahan"] == valid_submission["unit_kelurahan"]
    assert fields["target_group"] == "pencari_kerja"


def test_a_corrected_title_is_saved_and_the_receipt_shows_it(app, client, sent):
    link = correction_link(client, sent)
    response = client.post(link, data=corrected_fields(client, link, title=NEW_TITLE))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/receipt/{sent}"
    receipt = text(client.get(f"/receipt/{sent}"))
    assert "Perbaikan Anda sudah disimpan." in receipt
    assert NEW_TITLE in receipt
    assert "Diubah pengirim" in receipt

    stored = row(app, sent)
    assert stored.title == NEW_TITLE
    assert stored.cost == 75_000_000 and stored.beneficiaries == 40  # re-read as shown
    assert stored.corrected_at is not None
    assert abs(stored.corrected_at - utcnow()) < timedelta(minutes=1)
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).filter_by(action="correct")).all()
        assert event.user_id is None
        assert event.entity_type == "Submission" and event.entity_id == stored.id
        assert event.before["title"] == "Pelatihan membatik untuk pemuda putus sekolah"
        assert event.after["title"] == NEW_TITLE
        assert set(event.after) == {"title", "corrected_at"}


def test_a_corrected_name_and_phone_never_enter_the_audit_log(app, client, sent):
    link = correction_link(client, sent)
    fields = corrected_fields(client, link, submitter_name="Agus Priyanto, S.E.", phone="")
    assert client.post(link, data=fields).status_code == 303
    stored = row(app, sent)
    assert (stored.submitter_name, stored.phone) == ("Agus Priyanto, S.E.", "")
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).filter_by(action="correct")).all()
        assert event.before["submitter_name"] == PERSONAL_MARKER
        assert event.after["submitter_name"] == PERSONAL_MARKER
        assert event.before["phone"] == PERSONAL_MARKER and event.after["phone"] == ""
        assert "Agus" not in str(event.before) + str(event.after)


def test_saving_unchanged_changes_nothing(app, client, sent):
    link = correction_link(client, sent)
    response = client.post(link, data=corrected_fields(client, link))
    assert response.status_code == 303
    assert "Tidak ada yang berubah" in text(client.get(f"/receipt/{sent}"))
    assert row(app, sent).corrected_at is None
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).filter_by(action="correct")) is None


def test_a_bad_correction_keeps_what_was_typed_and_changes_nothing(app, client, sent):
    link = correction_link(client, sent)
    typed = "Uraian baru yang diketik peserta tetapi judulnya dikosongkan"
    response = client.post(link, data=corrected_fields(client, link, title="", description=typed))
    assert response.status_code == 422
    html = text(response)
    assert "Isi judul masukan." in html
    assert typed in html
    assert row(app, sent).title == "Pelatihan membatik untuk pemuda putus sekolah"


def test_an_expired_form_token_keeps_what_was_typed(app, client, sent):
    link = correction_link(client, sent)
    fields = corrected_fields(client, link, title=NEW_TITLE)
    fields["csrf_token"] = "stale"
    response = client.post(link, data=fields)
    assert response.status_code == 422
    html = text(response)
    assert "Halaman ini sudah lama terbuka" in html
    assert f'value="{NEW_TITLE}"' in html
    assert row(app, sent).title != NEW_TITLE


def test_a_wrong_or_borrowed_secret_finds_nothing(
    app, client, submit, meeting, sent, valid_submission
):
    second = send(submit, meeting, dict(valid_submission, title="Masukan kedua dari peserta"))
    own_link = correction_link(client, sent)
    second_secret = correction_link(client, second).rsplit("/", 1)[1]
    borrowed = f"/receipt/{sent}/ubah/{second_secret}"
    stranger = app.test_client()
    for link in (
        borrowed,
        f"/receipt/{sent}/ubah/tebakan",
        f"/receipt/ZZZZ2222/ubah/{second_secret}",
    ):
        assert stranger.get(link).status_code == 404, link
        assert stranger.post(link, data={"title": NEW_TITLE}).status_code == 404, link
    assert client.get(f"/receipt/{sent}/ubah/").status_code == 404
    # The real link opens from any browser: the secret is the key, not the cookie.
    assert stranger.get(own_link).status_code == 200
    assert row(app, sent).title == "Pelatihan membatik untuk pemuda putus sekolah"


def test_guessing_secrets_spends_the_receipt_lookup_budget(app, client, sent):
    app.config["RAKOR_LOOKUP_RATE_LIMIT"] = "3 per minute"
    stranger = app.test_client()
    answers = [stranger.get(f"/receipt/{sent}/ubah/tebakan{n}").status_code for n in range(3)]
    assert answers == [404, 404, 404]
    assert stranger.get(f"/receipt/{sent}/ubah/tebakan9").status_code == 429
    assert stranger.get("/receipt/ZZZZ2222").status_code == 429  # one budget with the receipt


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("accepted", "Sekretariat rapat sudah meninjau masukan ini"),
        ("merged", "Sekretariat rapat sudah meninjau masukan ini"),
    ],
)
def test_a_reviewed_input_can_no_longer_be_corrected(app, client, sent, status, words):
    link = correction_link(client, sent)
    fields = corrected_fields(client, link, title=NEW_TITLE)
    change(app, sent, status=status)
    for response in (client.get(link), client.post(link, data=fields)):
        assert response.status_code == 409
        html = text(response)
        assert words in html
        assert f"kode tanda terima {sent[:4]}-{sent[4:]}" in html
        assert "Sekretariat rapat: Badan Perencanaan Pembangunan Daerah." in html
    assert row(app, sent).title != NEW_TITLE
    assert "Ubah masukan ini" not in text(client.get(f"/receipt/{sent}"))


def test_no_correction_once_the_meeting_stops_taking_input(app, client, meeting, sent):
    link = correction_link(client, sent)
    fields = corrected_fields(client, link, title=NEW_TITLE)
    with app.app_context():
        db.session.execute(
            db.update(type(meeting))
            .where(type(meeting).id == meeting.id)
            .values(closes_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    response = client.post(link, data=fields)
    assert response.status_code == 409
    assert "Penerimaan masukan rapat ini sudah ditutup" in text(response)
    assert row(app, sent).title != NEW_TITLE


def pillar_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Pillar.id).filter_by(code=code))


def test_an_input_the_secretariat_has_started_reviewing_is_no_longer_corrected(
    app, client, submit, meeting, valid_submission, sent
):
    """Another strategy set by the secretariat, or other inputs merged into it: the status
    is still "received", but the review has begun, so the content stays."""
    link = correction_link(client, sent)
    fields = corrected_fields(client, link, title=NEW_TITLE)
    change(app, sent, pillar_id=pillar_id(app, "P3"))
    assert client.post(link, data=fields).status_code == 409
    change(app, sent, pillar_id=row(app, sent).submitted_pillar_id)

    other = send(submit, meeting, {**valid_submission, "title": "Usulan lain yang serupa"})
    change(app, other, merged_into_id=row(app, sent).id, status="merged")
    response = client.post(link, data=fields)
    assert response.status_code == 409
    assert "Sekretariat rapat sudah meninjau masukan ini" in text(response)
    assert row(app, sent).title != NEW_TITLE


def test_a_correction_refused_as_too_late_keeps_its_text_to_copy(app, client, meeting, sent):
    link = correction_link(client, sent)
    fields = corrected_fields(client, link, title=NEW_TITLE)
    change(app, sent, status="accepted")
    response = client.post(link, data=fields)
    assert response.status_code == 409
    html = text(response)
    assert "Perbaikan yang Anda kirim (belum tersimpan)" in html
    assert NEW_TITLE in html


def test_the_first_version_sent_again_after_a_correction_is_a_new_input(
    app, client, submit, meeting, valid_submission, sent
):
    link = correction_link(client, sent)
    assert (
        client.post(link, data=corrected_fields(client, link, title=NEW_TITLE)).status_code == 303
    )
    again = send(submit, meeting, valid_submission)  # the content before the correction
    assert again != sent
    assert row(app, again).title == valid_submission["title"]
    assert row(app, sent).title == NEW_TITLE


def test_the_senders_own_correction_is_not_refused_for_a_spent_lookup_budget(app, client, sent):
    app.config["RAKOR_LOOKUP_RATE_LIMIT"] = "2 per minute"
    link = correction_link(client, sent)
    fields = corrected_fields(client, link, title=NEW_TITLE)
    for n in range(3):  # the same address, codes that find nothing
        client.get(f"/receipt/ZZZZ22{n}2")
    assert client.get("/receipt/ZZZZ2292").status_code == 429
    assert client.post(link, data=fields).status_code == 303
    assert row(app, sent).title == NEW_TITLE


def test_the_correction_page_speaks_english(client, sent):
    client.set_cookie("rakor_lang", "en")
    link = correction_link(client, sent)
    html = text(client.get(link))
    assert "Save the correction" in html
    receipt = text(client.get(f"/receipt/{sent}"))
    assert "What happens next" in receipt
    assert "Share the meeting link on WhatsApp" in receipt
