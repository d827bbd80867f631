"""Sealing a final PDF: real PAdES signatures, validated by pyHanko against a throwaway CA.

Each signature is an incremental update of the previous version; its stamp (the
QR code and who signed) is the appearance of its field, in the box it was given
on the last page. A seal that cannot be opened, or signing that is not
configured, signs nothing and says why.
"""

import io
from datetime import UTC, datetime

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.documents.pdf import render_pdf
from app.signing.engine import SigningFailed, checked, seal_pdf, sign_with_config
from app.signing.pki import Authority
from app.signing.stamp import Stamp, stamp_png
from tests.helpers import SEAL_PASSWORD, pdf_reader

REASON = "Menyetujui notulen rapat"
BOXES = [(1, 56.0, 60.0, 290.0, 140.0), (1, 305.0, 60.0, 539.0, 140.0)]
STAMPS = [
    Stamp(
        signer_name="Rina Kartika, S.Sos.",
        signer_title="Notulis",
        signed_at=datetime(2024, 1, 23, 5, 30, tzinfo=UTC),
        verify_url="https://rakor.example.go.id/verify/" + "a" * 64,
    ),
    Stamp(
        signer_name="Achmad Afzan Arslan Djunaid",
        signer_title="Wali Kota Pekalongan",
        signed_at=datetime(2024, 1, 23, 6, 0, tzinfo=UTC),
        verify_url="https://rakor.example.go.id/verify/" + "a" * 64,
    ),
]


@pytest.fixture(scope="module")
def final_pdf() -> bytes:
    """A two-page PDF/A-3a, as finalising archives one."""
    html = (
        '<html lang="id"><head><title>Notulen Rapat Uji</title>'
        "<style>@page { size: A4 } .break { break-before: page }</style></head>"
        "<body><h1>Notulen Rapat Uji</h1><p>Halaman pertama.</p>"
        '<p class="break">Halaman terakhir, tempat tanda tangan.</p></body></html>'
    )
    return render_pdf(html, pdf_variant="pdf/a-3a")


def trusting(authority: Authority) -> ValidationContext:
    root = asn1_x509.Certificate.load(authority.root.certificate.public_bytes(Encoding.DER))
    return ValidationContext(trust_roots=[root], crls=[authority.crl()], allow_fetching=False)


def seal(app, pdf: bytes, index: int, seal_file: str, password: str = SEAL_PASSWORD):
    with app.app_context():
        return seal_pdf(
            pdf,
            box=BOXES[index],
            stamp=STAMPS[index],
            reason=REASON,
            p12_path=seal_file,
            p12_password=password,
        )


def test_two_seals_are_two_valid_trusted_signatures_one_after_the_other(
    app, authority, seal_file, final_pdf
):
    first = seal(app, final_pdf, 0, seal_file)
    second = seal(app, first.pdf, 1, seal_file)

    assert first.pdf.startswith(final_pdf)
    assert second.pdf.startswith(first.pdf)
    assert (first.field_name, second.field_name) == ("Tandatangan1", "Tandatangan2")
    assert "Segel Bappeda Kota Uji" in second.certificate_subject
    assert "Uji Root CA" in second.certificate_issuer
    seal_serial = PdfFileReader(io.BytesIO(second.pdf)).embedded_signatures[0].signer_cert
    assert second.certificate_serial == format(seal_serial.serial_number, "X")

    signatures = PdfFileReader(io.BytesIO(second.pdf)).embedded_signatures
    assert [signature.field_name for signature in signatures] == ["Tandatangan1", "Tandatangan2"]
    statuses = [validate_pdf_signature(s, trusting(authority)) for s in signatures]
    for status in statuses:
        assert status.intact and status.valid and status.trusted
        assert status.bottom_line
    assert statuses[0].coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert statuses[1].coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert signatures[0].sig_object["/Reason"] == REASON
    assert signatures[1].sig_object["/Name"] == STAMPS[1].signer_name


def test_a_seal_from_another_authority_is_valid_but_not_trusted(app, seal_file, final_pdf):
    sealed = seal(app, final_pdf, 0, seal_file)

    stranger = Authority.create("Bukan CA Kota")
    signature = PdfFileReader(io.BytesIO(sealed.pdf)).embedded_signatures[0]
    status = validate_pdf_signature(signature, trusting(stranger))
    assert status.intact and status.valid
    assert not status.trusted


def test_each_stamp_is_its_fields_appearance_in_its_box_on_the_last_page(app, seal_file, final_pdf):
    first = seal(app, final_pdf, 0, seal_file)
    second = seal(app, first.pdf, 1, seal_file)

    reader = pdf_reader(second.pdf)
    assert not reader.pages[0].get("/Annots")
    widgets = {
        str(annotation["/T"]): annotation
        for annotation in (a.get_object() for a in reader.pages[-1]["/Annots"])
        if annotation.get("/FT") == "/Sig"
    }
    assert set(widgets) == {"Tandatangan1", "Tandatangan2"}
    for index, name in enumerate(["Tandatangan1", "Tandatangan2"]):
        widget = widgets[name]
        _page, x1, y1, x2, y2 = BOXES[index]
        assert [float(v) for v in widget["/Rect"]] == [x1, y1, x2, y2]
        assert int(widget["/F"]) & 4, "a stamp that does not print is no stamp on paper"
        appearance = widget["/AP"]["/N"]
        images = [
            xobject.get_object()
            for xobject in appearance["/Resources"]["/XObject"].values()
            if xobject.get_object()["/Subtype"] == "/Image"
        ]
        assert len(images) == 1
        with app.app_context():
            expected = Image.open(io.BytesIO(stamp_png(STAMPS[index], x2 - x1, y2 - y1)))
        drawn = images[0].decode_as_image()
        assert drawn.size == expected.size
        assert drawn.convert("RGB").tobytes() == expected.tobytes()
        # The appearance draws the picture only: no font that PDF/A would need embedded.
        assert "/Font" not in appearance["/Resources"]


def test_the_stamp_is_an_opaque_picture_at_print_resolution(app):
    with app.app_context():
        picture = Image.open(io.BytesIO(stamp_png(STAMPS[0], 240, 80)))

    assert picture.format == "PNG"
    assert picture.mode == "RGB"  # no alpha channel: PDF/A allows no soft mask
    assert picture.size == (1000, 333)  # 300 dpi
    colours = {colour for _count, colour in picture.getcolors(maxcolors=1_000_000)}
    assert (0, 0, 0) in colours and (255, 255, 255) in colours


def test_a_very_long_name_and_title_still_fit_the_box(app):
    long = Stamp(
        signer_name="Dr. Hj. Siti Nurhalimah Wulandari Kusumaningtyas Prawirodirdjo, S.Sos., M.Si.",
        signer_title=(
            "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah Kota Pekalongan "
            "selaku Sekretaris Tim Koordinasi Penanggulangan Kemiskinan Daerah"
        ),
        signed_at=datetime(2024, 1, 23, 6, 0, tzinfo=UTC),
        verify_url="https://rakor.example.go.id/verify/" + "b" * 64,
    )
    with app.app_context():
        picture = Image.open(io.BytesIO(stamp_png(long, 234, 80)))

    # The bottom rows inside the border stay paper: the text shrank rather than ran over.
    width, height = picture.size
    border = 6
    for y in range(height - border - 4, height - border):
        for x in range(border, width - border):
            assert picture.getpixel((x, y)) == (255, 255, 255)


def test_a_wrong_seal_password_signs_nothing_and_names_the_setting(app, seal_file, final_pdf):
    with pytest.raises(SigningFailed) as failure:
        seal(app, final_pdf, 0, seal_file, password="bukan-sandinya")

    message = str(failure.value.message)
    assert "RAKOR_SEAL_PASSWORD" in message
    assert "Tidak ada yang ditandatangani" in message
    assert "bukan-sandinya" not in message and "bukan-sandinya" not in str(failure.value)


def test_a_missing_seal_file_signs_nothing_and_names_the_setting(app, tmp_path, final_pdf):
    with pytest.raises(SigningFailed) as failure:
        seal(app, final_pdf, 0, str(tmp_path / "tidak-ada.p12"))

    assert "RAKOR_SEAL_P12" in str(failure.value.message)
    assert "tidak ditemukan" in str(failure.value.message)


def test_signing_by_configuration_seals_with_the_configured_file(app, seal_file, final_pdf):
    config = {
        "RAKOR_SIGNING_MODE": "seal",
        "RAKOR_SEAL_P12": seal_file,
        "RAKOR_SEAL_PASSWORD": SEAL_PASSWORD,
    }
    with app.app_context():
        signed = sign_with_config(
            final_pdf, box=BOXES[0], stamp=STAMPS[0], reason=REASON, config=config
        )

    assert signed.pdf.startswith(final_pdf)
    assert len(PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures) == 1


@pytest.mark.parametrize("mode", ["", "tinta-basah"])
def test_signing_not_configured_signs_nothing(app, final_pdf, mode):
    with app.app_context(), pytest.raises(SigningFailed) as failure:
        sign_with_config(
            final_pdf,
            box=BOXES[0],
            stamp=STAMPS[0],
            reason=REASON,
            config={"RAKOR_SIGNING_MODE": mode},
        )

    assert "belum dikonfigurasi" in str(failure.value.message)


# --- what a signing update may not do ----------------------------------------------------


def signed_by_hand(authority: Authority, pdf: bytes, mutate, box=BOXES[0]) -> bytes:
    """`pdf` signed with pyHanko directly, after `mutate` changed the update: what a
    faulty or hostile signing service could send back."""
    issued = authority.issue("Siti Aminah", "Layanan Uji")
    signer = signers.SimpleSigner.load_pkcs12_data(
        issued.pkcs12("sandi", [authority.root.certificate]), other_certs=[], passphrase=b"sandi"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    mutate(writer)
    meta = signers.PdfSignatureMetadata(
        field_name="Tandatangan1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    field = fields.SigFieldSpec("Tandatangan1", on_page=box[0], box=box[1:])
    output = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, new_field_spec=field).sign_pdf(writer, output=output)
    return output.getvalue()


def first_page_contents(writer) -> generic.Reference:
    return writer.root["/Pages"]["/Kids"][0].get_object().raw_get("/Contents").reference


def a_later_generation_of_the_first_pages_text(writer) -> None:
    # Object n, generation 1: readers draw it in place of object n, generation 0.
    number = first_page_contents(writer).idnum
    writer.objects[(1, number)] = generic.StreamObject(stream_data=b"BT ET")


def an_unsigned_field_over_the_first_page(writer) -> None:
    page = writer.root["/Pages"]["/Kids"].raw_get(0)
    picture = writer.add_object(
        generic.StreamObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                generic.pdf_name("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(value) for value in (0, 0, 595, 842)]
                ),
            },
            stream_data=b"1 1 1 rg 0 0 595 842 re f",
        )
    )
    widget = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Widget"),
                generic.pdf_name("/FT"): generic.pdf_name("/Sig"),
                generic.pdf_name("/T"): generic.TextStringObject("Penutup"),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(value) for value in (0, 0, 595, 842)]
                ),
                generic.pdf_name("/P"): page,
                generic.pdf_name("/AP"): generic.DictionaryObject(
                    {generic.pdf_name("/N"): picture}
                ),
            }
        )
    )
    writer.root[generic.pdf_name("/AcroForm")] = generic.DictionaryObject(
        {generic.pdf_name("/Fields"): generic.ArrayObject([widget])}
    )
    writer.update_root()
    writer.register_annotation(page, widget)


def test_a_signed_update_of_only_its_signature_is_kept(app, authority, final_pdf):
    signed = signed_by_hand(authority, final_pdf, lambda writer: None)
    with app.app_context():
        assert checked(final_pdf, signed, box=BOXES[0]).pdf == signed


@pytest.mark.parametrize(
    "mutate",
    [a_later_generation_of_the_first_pages_text, an_unsigned_field_over_the_first_page],
    ids=["later-generation", "unsigned-overlay"],
)
def test_an_update_that_changes_what_a_page_shows_is_refused(app, authority, final_pdf, mutate):
    signed = signed_by_hand(authority, final_pdf, mutate)
    with app.app_context(), pytest.raises(SigningFailed) as refused:
        checked(final_pdf, signed, box=BOXES[0])
    assert "bukan dokumen ini dengan satu tanda tangan baru" in str(refused.value.message)


def test_a_stamp_outside_its_box_is_refused(app, authority, final_pdf):
    # The service put the stamp where the first page's text is, not in the signature area.
    signed = signed_by_hand(authority, final_pdf, lambda writer: None, box=(0, 56, 600, 290, 680))
    with app.app_context(), pytest.raises(SigningFailed) as refused:
        checked(final_pdf, signed, box=BOXES[0])
    assert "di luar ruang tanda tangan" in str(refused.value.message)
