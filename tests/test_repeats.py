"""Inputs raised before: review marks an input that repeats one of an earlier meeting.

The examples are the kind a Pekalongan rakor gets a year apart: the same request in
other words (matched), and a different proposal that shares a topic word or a target
group with an earlier one (not matched). They calibrate repeats.REPEAT_THRESHOLD.
"""

import re
from datetime import date

import pytest

from app.extensions import db
from app.follow_ups.progress import ProgressReport, add_entry
from app.models import Agency, FollowUp, Meeting, Submission
from app.review.repeats import REPEAT_THRESHOLD, repeats_for
from tests.helpers import add_submission, make_pdf, pdf_text

EARLIER_TITLE = "Rakor Kemiskinan Tahun 2024"
NEW_DATE = date(2025, 1, 21)

# key: (title, description) of the earlier meeting's inputs.
EARLIER = {
    "kapal": (
        "Pengadaan kapal motor 10 GT untuk kelompok nelayan",
        "Kami mengusulkan pengadaan dua unit kapal motor berukuran 10 GT beserta alat tangkap "
        "untuk kelompok nelayan di Padukuhan Kraton, agar nelayan buruh dapat memiliki armada "
        "sendiri dan tidak bergantung pada juragan kapal.",
    ),
    "pbi": (
        "Peserta PBI JKN baru tahu nonaktif saat berobat",
        "Kami menerima keluhan dari empat kelurahan bahwa banyak warga miskin baru mengetahui "
        "kepesertaan PBI JKN-nya nonaktif ketika berobat ke puskesmas atau rumah sakit. Perlu "
        "mekanisme pemberitahuan dini dan reaktivasi cepat melalui kelurahan agar warga tidak "
        "terpaksa membayar sebagai pasien umum.",
    ),
    "p3ke": (
        "Data DTKS dan P3KE belum sinkron sehingga sasaran program berbeda",
        "Hasil pemadanan Dinsos P2KB menunjukkan sekitar 4.300 keluarga tercatat di P3KE desil "
        "1-2 tetapi tidak ada di DTKS, dan sebaliknya sekitar 2.100 keluarga DTKS tidak tercatat "
        "di P3KE. Perbedaan basis data ini membuat sasaran program antar-OPD berbeda.",
    ),
    "dtks": (
        "Pemutakhiran DTKS setiap triwulan melalui musyawarah kelurahan",
        "Dari 1.146 KK yang tercatat di DTKS Kelurahan Krapyak, sekitar 180 KK sudah pindah, "
        "meninggal, atau mampu, sementara 95 KK miskin baru belum terdata. Kami mengusulkan "
        "pemutakhiran DTKS setiap triwulan melalui musyawarah kelurahan bersama ketua RT/RW.",
    ),
    "rob": (
        "Rob harian menghambat usaha warga di RW 01 sampai RW 04",
        "Rob yang masuk setiap hari ke permukiman di RW 01 sampai RW 04 membuat warga tidak "
        "dapat berjualan dan bekerja.",
    ),
    "jahit": (
        "Pelatihan menjahit dan bordir bagi perempuan kepala keluarga",
        "Perempuan kepala keluarga di kelurahan kami membutuhkan keterampilan menjahit dan "
        "bordir agar dapat bekerja dari rumah.",
    ),
}

# The same requests a year later, in other words: each must match its earlier input.
REWORDED = {
    "kapal": (
        "Bantuan kapal motor dan alat tangkap bagi kelompok nelayan buruh",
        "Kami kembali mengusulkan bantuan kapal motor beserta alat tangkap untuk kelompok "
        "nelayan buruh di Padukuhan Kraton, supaya mereka memiliki armada sendiri dan tidak "
        "lagi bergantung pada juragan kapal.",
    ),
    "pbi": (
        "Warga miskin masih baru tahu PBI JKN nonaktif ketika berobat",
        "Sepanjang 2024 masih ada warga miskin yang baru mengetahui kepesertaan PBI JKN-nya "
        "nonaktif saat berobat ke puskesmas, sehingga harus membayar sebagai pasien umum. "
        "Daftar peserta nonaktif perlu sampai ke kelurahan sebelum warga berobat.",
    ),
    "p3ke": (
        "Sasaran program antar-OPD masih berbeda karena DTKS dan P3KE belum dipadankan",
        "Pemadanan DTKS dengan P3KE belum selesai, sehingga OPD masih memakai data sasaran yang "
        "berbeda: sebagian keluarga desil 1-2 di P3KE tidak ada di DTKS. Kami mohon pemadanan "
        "dituntaskan agar semua program memakai satu data sasaran.",
    ),
}

# Different proposals sharing a topic word (DTKS, rob) or a target group with an earlier
# one: none may be marked.
DIFFERENT = {
    "honor": (
        "Honor verifikator kelurahan untuk pemutakhiran DTKS triwulanan",
        "Verifikasi dan validasi DTKS setiap triwulan sudah berjalan di Krapyak dan menemukan "
        "132 KK yang perlu dikeluarkan serta 88 KK miskin baru. Pekerjaan ini dilakukan ketua "
        "RT/RW tanpa biaya operasional, sehingga kami mengusulkan honor verifikator kelurahan.",
    ),
    "genangan": (
        "Genangan rob meluas ke permukiman di Degayu dan Krapyak",
        "Sepanjang 2024 genangan rob meluas ke permukiman di Degayu dan Krapyak. Warga yang "
        "rumahnya tergenang kehilangan hari kerja dan mengeluarkan biaya perbaikan rumah.",
    ),
    "olahan": (
        "Pelatihan olahan pangan berbasis ikan bagi perempuan kepala keluarga",
        "Perempuan kepala keluarga di pesisir dapat mengolah ikan menjadi abon, kerupuk, dan "
        "nugget untuk dijual.",
    ),
}


def add_inputs(app, meeting_id: int, texts: dict, **fields) -> dict[str, int]:
    return {
        key: add_submission(app, meeting_id, title=title, description=description, **fields)
        for key, (title, description) in texts.items()
    }


def follow_up_for(app, submission_id: int, deadline: date, reports=()) -> int:
    """The input's follow-up (the input becomes "Ditindaklanjuti"), with its reports."""
    with app.app_context():
        agency = db.session.scalar(db.select(Agency).filter_by(abbreviation="Dinkes"))
        if agency is None:
            agency = Agency(abbreviation="Dinkes", name="Dinas Kesehatan")
            db.session.add(agency)
            db.session.flush()
        submission = db.session.get(Submission, submission_id)
        submission.status = "follow_up"
        follow_up = FollowUp(
            meeting_id=submission.meeting_id,
            submission_id=submission.id,
            action=submission.title,
            agency_id=agency.id,
            deadline=deadline,
        )
        db.session.add(follow_up)
        db.session.flush()
        for number, (day, status, percent) in enumerate(reports):
            report = ProgressReport(status, percent, reported_on=day, idempotency_key=str(number))
            add_entry(follow_up, report, actor=None, channel="staff")
        db.session.commit()
        return follow_up.id


def set_status(app, submission_id: int, status: str) -> None:
    with app.app_context():
        db.session.get(Submission, submission_id).status = status
        db.session.commit()


@pytest.fixture
def cycle(app, make_meeting) -> dict:
    """An earlier meeting with its inputs and follow-ups, and the next one following it."""
    earlier = make_meeting(code="rakor2024", title=EARLIER_TITLE, status="finalised")
    new = make_meeting(code="rakor2025", title="Rakor Kemiskinan Tahun 2025", date=NEW_DATE)
    old = add_inputs(app, earlier.id, EARLIER)
    set_status(app, old["kapal"], "declined")
    # In progress at 40 % on the new meeting's date, done only after it.
    pbi = follow_up_for(
        app,
        old["pbi"],
        date(2024, 4, 30),
        [(date(2024, 6, 1), "in_progress", 40), (date(2025, 3, 1), "done", 100)],
    )
    with app.app_context():
        meeting = db.session.get(Meeting, new.id)
        meeting.predecessors = [db.session.get(Meeting, earlier.id)]
        db.session.commit()
    reworded = add_inputs(app, new.id, REWORDED)
    different = add_inputs(app, new.id, DIFFERENT)
    return {
        "earlier": earlier.id,
        "new": new.id,
        "old": old,
        "reworded": reworded,
        "different": different,
        "pbi_follow_up": pbi,
    }


def found_for(app, meeting_id: int) -> dict[int, list]:
    with app.app_context():
        return repeats_for(db.session.get(Meeting, meeting_id))


def test_a_reworded_repeat_matches_and_a_different_proposal_on_the_same_topic_does_not(app, cycle):
    found = found_for(app, cycle["new"])
    for key, submission_id in cycle["reworded"].items():
        assert submission_id in found, key
        best = found[submission_id][0]
        assert best.earlier.submission_id == cycle["old"][key], key
        assert best.score >= REPEAT_THRESHOLD
    for key, submission_id in cycle["different"].items():
        assert submission_id not in found, (key, found.get(submission_id))


def test_the_status_is_the_decision_or_the_follow_up_on_the_meeting_date(app, cycle):
    found = found_for(app, cycle["new"])
    declined = found[cycle["reworded"]["kapal"]][0]
    assert declined.label == (f"Diusulkan juga pada {EARLIER_TITLE}: Tidak dapat ditindaklanjuti")
    # Done in March 2025; on 21 January 2025 it stood at 40 %, past its deadline.
    followed = found[cycle["reworded"]["pbi"]][0]
    assert followed.earlier.follow_up_id == cycle["pbi_follow_up"]
    assert followed.label == (
        f"Diusulkan juga pada {EARLIER_TITLE}: Sedang berjalan, 40%, terlambat"
    )
    assert followed.minutes_line == (
        f"Diusulkan juga pada {EARLIER_TITLE} (status: Sedang berjalan, 40%, terlambat)"
    )
    accepted = found[cycle["reworded"]["p3ke"]][0]
    assert accepted.status_text == "Diterima, menunggu tinjauan"


def test_predecessors_first_else_every_earlier_meeting_never_a_later_one(app, make_meeting, cycle):
    # A 2023 meeting with the same boat request: the 2025 meeting follows 2024 only.
    older = make_meeting(code="rakor2023", title="Rakor Tahun 2023", date=date(2023, 1, 24))
    add_inputs(app, older.id, {"kapal": EARLIER["kapal"]})
    found = found_for(app, cycle["new"])
    titles = {r.meeting_title for r in found[cycle["reworded"]["kapal"]]}
    assert titles == {EARLIER_TITLE}

    # A meeting that follows none is compared with every meeting before it...
    with app.app_context():
        db.session.get(Meeting, cycle["new"]).predecessors = []
        db.session.commit()
    found = found_for(app, cycle["new"])
    titles = {r.meeting_title for r in found[cycle["reworded"]["kapal"]]}
    assert titles == {EARLIER_TITLE, "Rakor Tahun 2023"}
    # ...and never with a later one.
    assert found_for(app, older.id) == {}


def test_the_queue_marks_repeats_and_filters_them(app, login, cycle):
    client = login("viewer")
    queue = f"/admin/meetings/{cycle['new']}/inputs"
    page = client.get(queue).get_data(as_text=True)
    assert page.count("Berulang</span>") == 3
    assert f"{EARLIER_TITLE}: Tidak dapat ditindaklanjuti" in page
    assert f"{EARLIER_TITLE}: Sedang berjalan, 40%, terlambat" in page

    page = client.get(queue, query_string={"repeated": "1"}).get_data(as_text=True)
    titles = re.findall(r'/inputs/\d+">([^<]+)</a>', page)
    assert sorted(titles) == sorted(title for title, _text in REWORDED.values())
    assert "3 masukan cocok dengan saringan" in page
    assert 'name="repeated" value="1" checked' in page


def test_the_detail_page_links_the_earlier_input_and_its_follow_up(app, login, cycle):
    client = login("secretariat")
    detail = f"/admin/meetings/{cycle['new']}/inputs/{cycle['reworded']['pbi']}"
    page = client.get(detail).get_data(as_text=True)
    assert "Berulang dari rapat sebelumnya" in page
    assert f"Diusulkan juga pada {EARLIER_TITLE}: Sedang berjalan, 40%, terlambat" in page
    earlier_input = f"/admin/meetings/{cycle['earlier']}/inputs/{cycle['old']['pbi']}"
    assert f'href="{earlier_input}"' in page
    assert f'href="/admin/follow-ups/{cycle["pbi_follow_up"]}"' in page

    # An input that repeats nothing has no such section.
    other = f"/admin/meetings/{cycle['new']}/inputs/{cycle['different']['honor']}"
    assert "Berulang dari rapat sebelumnya" not in client.get(other).get_data(as_text=True)


def test_the_follow_up_list_shows_percent_overdue_and_the_history_link(app, login, cycle):
    """The earlier input's own page: its follow-up as it stands today."""
    client = login("secretariat")
    with app.app_context():
        follow_up = db.session.get(FollowUp, cycle["pbi_follow_up"])
        follow_up_id = follow_up.id
    detail = f"/admin/meetings/{cycle['earlier']}/inputs/{cycle['old']['pbi']}"
    page = client.get(detail).get_data(as_text=True)
    assert "Selesai" in page and "Terlambat" not in page  # done in March 2025
    assert f'href="/admin/follow-ups/{follow_up_id}">Riwayat kemajuan' in page

    with app.app_context():
        report = ProgressReport("in_progress", 60, reported_on=date(2025, 4, 1))
        add_entry(db.session.get(FollowUp, follow_up_id), report, actor=None, channel="staff")
        db.session.commit()
    page = client.get(detail).get_data(as_text=True)
    assert "Sedang berjalan, 60%" in page
    assert "Terlambat" in page  # deadline 30 April 2024, still going


def test_the_minutes_say_what_an_input_repeats_as_of_the_meeting_date(app, login, cycle):
    text = pdf_text(
        make_pdf(login("secretariat"), f"/admin/meetings/{cycle['new']}/minutes.pdf").data
    )
    assert f"Diusulkan juga pada {EARLIER_TITLE} (status: Sedang berjalan, 40%, terlambat)" in (
        text
    )
    assert f"Diusulkan juga pada {EARLIER_TITLE} (status: Tidak dapat ditindaklanjuti)" in text
    assert text.count("Diusulkan juga pada") == 3
