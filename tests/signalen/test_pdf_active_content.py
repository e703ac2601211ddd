"""PDF attachments are read with a real parser: escaped names and compressed object streams
cannot hide active content, and a PDF that does not parse is refused."""

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from signalen.attachments import prepare_attachment
from tests.signalen.factories import minimal_pdf, pdf_from_objects

PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] %s >>"


def _prepare(data: bytes):
    return prepare_attachment(SimpleUploadedFile("rapport.pdf", data))


def _refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as refusal:
        _prepare(data)
    return " ".join(refusal.value.messages)


def pdf_with_object_stream(*hidden: bytes, catalog_extra: bytes) -> bytes:
    """A PDF 1.5 whose catalog (object 1) and ``hidden`` objects (5, 6, ...) sit compressed
    in an object stream (object 4), found through a cross-reference stream."""
    packed = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>", *hidden]
    numbers = [1, *range(5, 5 + len(hidden))]
    bodies, offsets, position = b"", [], 0
    for body in packed:
        offsets.append(position)
        bodies += body + b"\n"
        position = len(bodies)
    header = b" ".join(b"%d %d" % pair for pair in zip(numbers, offsets, strict=True)) + b" "
    stream = zlib.compress(header + bodies)
    objstm = (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(packed), len(header), len(stream))
        + stream
        + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.5\n")
    plain = {2: PAGES, 3: PAGE % b"", 4: objstm}
    where: dict[int, tuple[int, int, int]] = {}
    for number, body in plain.items():
        where[number] = (1, len(out), 0)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    for index, number in enumerate(numbers):
        where[number] = (2, 4, index)
    xref_number = 5 + len(hidden)
    where[xref_number] = (1, len(out), 0)
    where[0] = (0, 0, 65535)
    rows = b"".join(struct.pack(">BIH", *where[n]) for n in range(xref_number + 1))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(rows))
        + rows
        + b"\nendstream\nendobj\n"
    )
    xref_offset = where[xref_number][1]
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def test_a_plain_pdf_with_a_link_is_accepted_as_it_is():
    data = minimal_pdf(b"/OpenAction << /S /URI /URI (https://www.riec.nl) >>")
    assert _prepare(data).data == data


def test_a_plain_pdf_in_an_object_stream_is_accepted():
    data = pdf_with_object_stream(catalog_extra=b"")
    assert _prepare(data).content_type == "application/pdf"


@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"/OpenAction << /S /L#61unch /F (cmd.exe) >>",
        b"/OpenAction << /S /Launch /Win << /F (cmd.exe) >> >>",
        b"/AA << /WC << /S /SubmitForm /F (https://x.example) >> >>",
        b"/OpenAction << /S /ImportData /F (data.fdf) >>",
        b"/OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >>",
        b"/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>",
        b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /EF << >> >>] >> >>",
        b"/AcroForm << /Fields [] /XFA (<xdp/>) >>",
        b"/OpenAction << /S /RichMediaExecute /TA 3 0 R >>",
    ],
    ids=[
        "javascript",
        "escaped-javascript",
        "escaped-launch",
        "launch",
        "submitform",
        "importdata",
        "gotor",
        "names-javascript",
        "embedded-files",
        "xfa",
        "richmedia",
    ],
)
def test_active_content_in_the_catalog_is_refused(extra):
    assert "scripts, acties of ingesloten bestanden" in _refused(minimal_pdf(extra))


def test_an_annotation_action_on_a_page_is_refused():
    data = pdf_from_objects(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        PAGES,
        PAGE % b"/Annots [4 0 R]",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /J#61vaScript /JS 5 0 R >> >>",
        b"<< /Length 12 >>\nstream\napp.alert(1)\nendstream",
    )
    assert "scripts" in _refused(data)


def test_a_file_attachment_annotation_is_refused():
    data = pdf_from_objects(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        PAGES,
        PAGE % b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 1 1] >>]",
    )
    assert "ingesloten bestanden" in _refused(data)


def test_javascript_inside_a_compressed_object_stream_is_refused():
    data = pdf_with_object_stream(
        b"<< /S /JavaScript /JS (app.alert(1)) >>", catalog_extra=b"/OpenAction 5 0 R"
    )
    assert b"JavaScript" not in data  # invisible to a byte scan
    assert "scripts" in _refused(data)


def test_an_unreferenced_script_in_an_object_stream_is_refused():
    data = pdf_with_object_stream(b"<< /S /Launch /F (cmd.exe) >>", catalog_extra=b"")
    assert "scripts" in _refused(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nnothing else",
        minimal_pdf()[:60],
        b"%PDF-1.7\n" + b"\x00" * 500,
    ],
    ids=["garbage", "truncated", "zeros"],
)
def test_a_pdf_that_does_not_parse_is_refused(data):
    assert "kan niet als PDF worden gelezen" in _refused(data)
