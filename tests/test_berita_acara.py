"""The berita acara kesepakatan: the date in words, the parties, what they agreed, the
signatures; and the page where the secretariat lists the parties."""

import re
from datetime import UTC, date, datetime

import pytest

from app.documents.words import date_in_words, number_in_words
from app.extensions import db
from app.models import AuditEvent, DocumentNumber, DocumentSetting, FollowUp, Meeting, Signatory
from tests.helpers import build_record, csrf_from, make_pdf, pdf_reader, pdf_text, text

PARTIES = [
    # name, jabatan, instansi, NIP as typed, acknowledges
    ("Dr. Anita Heru Kusumorini", "Kepala Bappeda", "Bappeda Kota Pekalongan",
     "196805121994032007", False),
    ("Bambang Sutrisno", "Kepala Dinas Sosial P2KB", "Dinsos P2KB", "197002021995031002", False),
    ("Slamet Budiyanto", "Kepala Dinas Kesehatan", "Dinkes", "197103031996031003", False),
    ("Achmad Afzan Arslan Djunaid", "Wali Kota Pekalongan", "", "", True),
]  # fmt: skip
CLOSING = "Demikian berita acara ini dibuat untuk dipergunakan sebagaimana mestinya."


def url(meeting_id: int, suffix: str = "") -> str:
    return f"/admin/meetings/{meeting_id}/{suffix}"


def add_parties(app, meeting_id: int, parties=PARTIES) -> None:
    with app.app_context():
        for position, (name, title, agency, nip, acknowledges) in enumerate(parties, start=1):
            db.session.add(
                Signatory(
                    meeting_id=meeting_id,
                    position=position,
                    name=name,
                    title=title,
                    agency=agency,
                    nip=nip,
                    acknowledges=acknowledges,
                )
            )
        db.session.commit()


def add_follow_ups(app, meeting_id: int, count: int) -> list[str]:
    actions = [
        f"Tindak lanjut kesepakatan nomor {n} yang cukup panjang untuk memenuhi dua baris tabel"
        for n in range(1, count + 1)
    ]
    with app.app_context():
        db.session.add_all(FollowUp(meeting_id=meeting_id, action=action) for action in actions)
        db.session.commit()
    return actions


def finalise_with_number(app, meeting_id: int, number: str) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.status = "finalised"
        meeting.finalised_at = datetime(2024, 1, 24, 3, 0, tzinfo=UTC)
        db.session.add(
            DocumentNumber(
                meeting_id=meeting_id, kind="berita_acara", year=2024, sequence=7, number=number
            )
        )
        db.session.commit()


def signatories(app, meeting_id: int) -> list[Signatory]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(Signatory)
            .filter_by(meeting_id=meeting_id)
            .order_by(Signatory.position, Signatory.id)
        ).all()
        db.session.expunge_all()
        return rows


def audit_lines(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent).filter_by(entity_type="Signatory", action=action)
        ).all()
        db.session.expunge_all()
        return rows


# --- numbers and dates in words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "satu"),
        (11, "sebelas"),
        (21, "dua puluh satu"),
        (100, "seratus"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (2024, "dua ribu dua puluh empat"),
        (21_000, "dua puluh satu ribu"),
        (1_001_000, "satu juta seribu"),
    ],
)
def test_numbers_read_as_an_indonesian_says_them(number, words):
    assert number_in_words(number) == words


def test_the_date_is_written_out_in_words():
    assert date_in_words(date(2024, 1, 23)) == (
        "Selasa tanggal dua puluh tiga bulan Januari tahun dua ribu dua puluh empat"
    )
    assert date_in_words(date(2025, 10, 1)) == (
        "Rabu tanggal satu bulan Oktober tahun dua ribu dua puluh lima"
    )


# --- the document ------------------------------------------------------------------------------


def test_the_pdf_names_every_party_what_they_agreed_and_who_acknowledges(app, login, make_meeting):
    record = build_record(app, make_meeting)
    add_parties(app, record.meeting_id)
    with app.app_context():
        db.session.add(
            FollowUp(meeting_id=record.meeting_id, action="Rencana yang batal", status="cancelled")
        )
        db.session.commit()
    client = login("secretariat")
    response = make_pdf(client, url(record.meeting_id, "berita-acara.pdf"))
    assert response.mimetype == "application/pdf"
    words = pdf_text(response.data)

    assert "BERITA ACARA KESEPAKATAN" in words
    assert "RAPAT KOORDINASI PENANGGULANGAN KEMISKINAN TAHUN 2024" in words
    assert "Nomor: ……" in words  # a draft has no number yet
    assert (
        "Pada hari ini Selasa tanggal dua puluh tiga bulan Januari tahun dua ribu dua puluh "
        "empat, bertempat di Ruang Jlamprang Setda Kota Pekalongan, telah dilaksanakan Rapat "
        "Koordinasi Penanggulangan Kemiskinan Tahun 2024." in words
    )
    for name, title, _agency, _nip, _acknowledges in PARTIES:
        assert name in words
        assert title in words
    for grouped in ("19680512 199403 2 007", "19700202 199503 1 002", "19710303 199603 1 003"):
        assert f"NIP. {grouped}" in words
    assert "Mengetahui," in words
    assert words.index("Mengetahui,") < words.rindex("Achmad Afzan Arslan Djunaid")
    assert "menyepakati tindak lanjut sebagai berikut:" in words
    assert "Perluas sasaran PMT ke ibu hamil KEK" in words
    assert "Dinkes" in words and "30 Juni 2024" in words
    assert "Rencana yang batal" not in words
    assert CLOSING in words


def test_a_final_berita_acara_carries_its_number(app, login, make_meeting):
    record = build_record(app, make_meeting)
    add_parties(app, record.meeting_id)
    finalise_with_number(app, record.meeting_id, "000.1.4/7/BA/Bappeda/I/2024")
    response = make_pdf(login("secretariat"), url(record.meeting_id, "berita-acara.pdf"))
    words = pdf_text(response.data)
    assert "Nomor: 000.1.4/7/BA/Bappeda/I/2024" in words
    assert "……" not in words


@pytest.mark.parametrize("extra_follow_ups", [0, 14])
def test_the_signatures_share_their_page_with_the_text_before_them(
    app, login, make_meeting, extra_follow_ups
):
    record = build_record(app, make_meeting)
    add_parties(app, record.meeting_id)
    actions = add_follow_ups(app, record.meeting_id, extra_follow_ups)
    response = make_pdf(login("secretariat"), url(record.meeting_id, "berita-acara.pdf"))
    pages = [
        re.sub(r"\s+", " ", page.extract_text() or "") for page in pdf_reader(response.data).pages
    ]
    first_signer, acknowledging = PARTIES[0][0], PARTIES[-1][0]
    # The signer's name is printed twice: in the list of parties, then under the signature.
    signature_page = max(number for number, page in enumerate(pages) if first_signer in page)
    page = pages[signature_page]
    assert CLOSING in page
    assert acknowledging in page
    # Not a page of signatures alone: the end of the agreed follow-ups comes first.
    last_action = actions[-1] if actions else "Perluas sasaran PMT ke ibu hamil KEK"
    assert page.index(last_action) < page.index(CLOSING) < page.rindex(first_signer)
    # And the sentence leading to the table is never left behind at the foot of a page.
    lead_in = "menyepakati tindak lanjut sebagai berikut:"
    lead_page = next(number for number, page in enumerate(pages) if lead_in in page)
    assert "Tindak lanjut" in pages[lead_page].split(lead_in, 1)[1]


def test_without_signatories_the_chair_and_note_taker_stand_in_and_the_draft_says_so(
    app, login, make_meeting
):
    record = build_record(app, make_meeting)
    page = text(login("viewer").get(url(record.meeting_id, "berita-acara")))
    assert "BERITA ACARA KESEPAKATAN" in page
    assert "pimpinan rapat dan notulis ditampilkan sebagai para pihak" in page
    assert "Achmad Afzan Arslan Djunaid" in page and "Dian Permatasari" in page
    assert "19850312 201001 2 015" in page


# --- the page of the parties --------------------------------------------------------------


def party_fields(**overrides) -> dict:
    fields = {
        "name": "Dr. Anita Heru Kusumorini",
        "title": "Kepala Bappeda",
        "agency": "Bappeda Kota Pekalongan",
        "nip": "19680512 199403 2 007",
    }
    fields.update(overrides)
    return fields


def post_party(client, meeting_id: int, path: str = "parties", **fields):
    token = csrf_from(client, url(meeting_id, "parties"))
    return client.post(url(meeting_id, path), data={"csrf_token": token, **fields})


def test_a_party_is_added_listed_and_audited(app, login, meeting):
    client = login("secretariat")
    response = post_party(client, meeting.id, **party_fields(nip="196805121994032007"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(meeting.id, "parties#penanda-tangan"))
    post_party(client, meeting.id, **party_fields(name="Achmad Afzan", nip="", acknowledges="y"))

    first, second = signatories(app, meeting.id)
    assert (first.name, first.title, first.agency) == (
        "Dr. Anita Heru Kusumorini",
        "Kepala Bappeda",
        "Bappeda Kota Pekalongan",
    )
    assert first.nip == "19680512 199403 2 007"  # stored in its usual grouping
    assert (first.position, first.acknowledges) == (1, False)
    assert (second.position, second.acknowledges) == (2, True)
    created = audit_lines(app, "create")
    assert [line.entity_id for line in created] == [first.id, second.id]
    assert created[0].after["name"] == "Dr. Anita Heru Kusumorini"

    page = text(client.get(url(meeting.id, "parties")))
    assert "Dr. Anita Heru Kusumorini" in page and "Mengetahui" in page


def test_a_bad_nip_comes_back_with_every_typed_value_and_a_message(app, login, meeting):
    client = login("secretariat")
    response = post_party(
        client, meeting.id, **party_fields(nip="1968 0512", agency="Bappeda Kota Pekalongan")
    )
    assert response.status_code == 422
    page = text(response)
    assert "NIP terdiri atas 18 angka" in page
    assert 'value="Dr. Anita Heru Kusumorini"' in page
    assert 'value="Kepala Bappeda"' in page
    assert 'value="Bappeda Kota Pekalongan"' in page
    assert 'value="1968 0512"' in page
    assert signatories(app, meeting.id) == []

    response = post_party(client, meeting.id, **party_fields(name="  "))
    assert response.status_code == 422
    assert "Tulis nama penanda tangan." in text(response)


def test_a_party_is_edited_moved_and_removed(app, login, meeting):
    client = login("secretariat")
    post_party(client, meeting.id, **party_fields())
    post_party(client, meeting.id, **party_fields(name="Bambang Sutrisno", nip=""))
    first, second = signatories(app, meeting.id)

    edit_page = text(client.get(url(meeting.id, f"parties/{first.id}")))
    assert 'value="Dr. Anita Heru Kusumorini"' in edit_page
    response = post_party(
        client, meeting.id, f"parties/{first.id}", **party_fields(title="Kepala Bappeda Kota")
    )
    assert response.status_code == 303
    assert signatories(app, meeting.id)[0].title == "Kepala Bappeda Kota"
    (updated,) = audit_lines(app, "update")
    assert updated.before == {"title": "Kepala Bappeda"}
    assert updated.after == {"title": "Kepala Bappeda Kota"}

    response = post_party(client, meeting.id, f"parties/{second.id}/move", direction="up")
    assert response.status_code == 303
    assert [s.name for s in signatories(app, meeting.id)] == [
        "Bambang Sutrisno",
        "Dr. Anita Heru Kusumorini",
    ]
    assert len(audit_lines(app, "reorder")) == 1
    # The berita acara lists the parties in that order.
    page = text(client.get(url(meeting.id, "berita-acara")))
    assert page.index("Bambang Sutrisno") < page.index("Dr. Anita Heru Kusumorini")

    response = post_party(client, meeting.id, f"parties/{second.id}/remove")
    assert response.status_code == 303
    assert [s.name for s in signatories(app, meeting.id)] == ["Dr. Anita Heru Kusumorini"]
    (removed,) = audit_lines(app, "delete")
    assert removed.before["name"] == "Bambang Sutrisno"


def test_a_viewer_reads_the_parties_but_changes_nothing(app, login, meeting):
    add_parties(app, meeting.id, PARTIES[:1])
    viewer = login("viewer")
    page = viewer.get(url(meeting.id, "parties"))
    assert page.status_code == 200
    assert "Dr. Anita Heru Kusumorini" in text(page)
    assert "Tambah penanda tangan" not in text(page)
    assert f'action="{url(meeting.id, "parties")}"' not in text(page)
    assert "Simpan teks laporan" not in text(page)
    token = csrf_from(viewer, "/admin/")
    response = viewer.post(url(meeting.id, "parties"), data={"csrf_token": token, **party_fields()})
    assert response.status_code == 403
    assert len(signatories(app, meeting.id)) == 1


def test_the_parties_of_a_final_record_cannot_change(app, login, meeting):
    add_parties(app, meeting.id, PARTIES[:1])
    (party,) = signatories(app, meeting.id)
    client = login("secretariat")
    token = csrf_from(client, url(meeting.id, "parties"))
    with app.app_context():
        db.session.get(Meeting, meeting.id).status = "finalised"
        db.session.commit()
    response = client.post(
        url(meeting.id, "parties"),
        data={"csrf_token": token, **party_fields(name="Pihak Terlambat")},
    )
    assert response.status_code == 409
    assert "sudah final" in text(response)
    assert 'value="Pihak Terlambat"' in text(response)  # still there to copy
    response = client.post(
        url(meeting.id, f"parties/{party.id}/remove"), data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert [s.name for s in signatories(app, meeting.id)] == [PARTIES[0][0]]
    assert audit_lines(app, "create") == [] and audit_lines(app, "delete") == []
    assert "Tambah penanda tangan" not in text(client.get(url(meeting.id, "parties")))


def test_a_party_of_another_meeting_is_not_found(app, login, meeting, make_meeting):
    other = make_meeting(code="rakor-lain")
    add_parties(app, other.id, PARTIES[:1])
    (party,) = signatories(app, other.id)
    client = login("secretariat")
    assert client.get(url(meeting.id, f"parties/{party.id}")).status_code == 404
    response = post_party(client, meeting.id, f"parties/{party.id}/remove")
    assert response.status_code == 404
    assert len(signatories(app, other.id)) == 1


def test_the_berita_acara_may_carry_the_wali_kota_kop(app, login, make_meeting):
    record = build_record(app, make_meeting)
    add_parties(app, record.meeting_id)
    with app.app_context():
        setting = db.session.scalar(db.select(DocumentSetting).filter_by(kind="berita_acara"))
        if setting is None:
            setting = DocumentSetting(kind="berita_acara")
            db.session.add(setting)
        setting.letterhead_kind = "mayor"
        db.session.commit()
    words = pdf_text(
        make_pdf(login("secretariat"), url(record.meeting_id, "berita-acara.pdf")).data
    )
    assert words.startswith("WALI KOTA PEKALONGAN")
    assert "BADAN PERENCANAAN PEMBANGUNAN DAERAH" not in words
    assert "BERITA ACARA KESEPAKATAN" in words


def test_finalising_the_record_archives_the_berita_acara_with_its_number(app, login, make_meeting):
    record = build_record(app, make_meeting)
    add_parties(app, record.meeting_id)
    client = login("secretariat")
    response = client.post(
        url(record.meeting_id, "finalise"),
        data={"csrf_token": csrf_from(client, url(record.meeting_id, "minutes"))},
    )
    assert response.status_code in (302, 303), text(response)[:500]
    with app.app_context():
        numbers = dict(
            db.session.execute(
                db.select(DocumentNumber.kind, DocumentNumber.number).filter_by(
                    meeting_id=record.meeting_id
                )
            ).all()
        )
    response = client.get(url(record.meeting_id, "berita-acara.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = pdf_text(response.data)
    assert f"Nomor: {numbers['berita_acara']}" in words
    assert "/BA/" in numbers["berita_acara"]
    assert CLOSING in words
    # Archived: the same bytes on every download.
    assert client.get(url(record.meeting_id, "berita-acara.pdf")).data == response.data
