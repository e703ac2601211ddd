"""Images must fit a decode budget before any pixel is decoded: a few kilobytes of PNG
cannot make the portal decode hundreds of megabytes."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from signalen import attachments
from signalen.attachments import (
    MAX_IMAGE_DECODED_BYTES,
    MAX_IMAGE_PIXELS,
    image_decoded_bytes,
    prepare_attachment,
)
from tests.signalen.factories import png_bytes


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def blank_png(width: int, height: int, *, color_type: int = 6, bit_depth: int = 8) -> bytes:
    """A valid, all-zero PNG of any size, written row by row: tiny on disk and in memory."""
    bands = {0: 1, 2: 3, 6: 4}[color_type]
    row = b"\x00" * (1 + width * bands * bit_depth // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def _refused(data: bytes, name: str = "foto.png") -> str:
    with pytest.raises(ValidationError) as refusal:
        prepare_attachment(SimpleUploadedFile(name, data))
    return " ".join(refusal.value.messages)


def test_a_small_png_claiming_more_pixels_than_the_budget_is_refused_undecoded(monkeypatch):
    data = blank_png(5000, 5000, color_type=0)
    assert len(data) < 50_000

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded an image over budget")

    monkeypatch.setattr(attachments, "_strip_and_encode", no_decoding)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    assert "te veel pixels" in _refused(data)


def test_a_png_under_the_pixel_limit_but_over_the_decoded_bytes_is_refused(monkeypatch):
    # 4,400 × 4,400 RGBA: under 20 megapixels, but 77 MB decoded (the case).
    width = height = 4_400
    assert width * height <= MAX_IMAGE_PIXELS
    assert image_decoded_bytes(width, height, "RGBA") > MAX_IMAGE_DECODED_BYTES
    data = blank_png(width, height)
    assert len(data) < 100_000

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded an image over budget")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    assert "te veel pixels" in _refused(data)


def test_decoded_bytes_count_bands_and_bytes_per_band():
    assert image_decoded_bytes(10, 10, "L") == 100
    assert image_decoded_bytes(10, 10, "RGB") == 300
    assert image_decoded_bytes(10, 10, "RGBA") == 400
    assert image_decoded_bytes(10, 10, "I;16") == 200
    assert image_decoded_bytes(10, 10, "F") == 400


def test_pillow_itself_refuses_anything_far_over_the_budget():
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS


def test_an_animated_png_is_refused():
    frames = [Image.new("RGB", (8, 8), color) for color in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])
    message = _refused(buffer.getvalue())
    assert "bewegende afbeeldingen" in message or "geen toegestaan bestand" in message


def test_a_camera_jpeg_with_an_extra_picture_keeps_only_the_first():
    first, second = Image.new("RGB", (16, 12), "red"), Image.new("RGB", (16, 12), "blue")
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    prepared = prepare_attachment(SimpleUploadedFile("foto.jpg", buffer.getvalue()))
    with Image.open(io.BytesIO(prepared.data)) as stored:
        assert stored.format == "JPEG"
        assert getattr(stored, "n_frames", 1) == 1


def test_an_ordinary_photo_within_the_budget_is_accepted():
    prepared = prepare_attachment(SimpleUploadedFile("foto.png", png_bytes((1200, 900))))
    assert prepared.content_type == "image/png"
