"""Checking and cleaning uploaded attachments before anything is stored.

The type is decided by the file's content, never by its name or the browser's
claim. Images are decoded and re-encoded with Pillow, which drops EXIF (and so any
GPS position), XMP and comments; the orientation is applied first so the photo
still stands upright. Before decoding, an image's header must fit a decode budget
(pixels and decoded bytes), so a small file cannot claim a huge canvas.

PDFs are read with a real PDF parser (pypdf), which undoes #-escaped names and
opens compressed object streams; a PDF with active content (scripts, launch or
form-submit actions, embedded files, rich media, XFA) or one that does not parse
is refused. Accepted PDFs are stored as they came.
"""

import io
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
}
# The decode budget, checked on the header before any pixel is decoded: a 20-megapixel
# photo fits; a few kilobytes of PNG claiming a larger canvas do not. Decoding and
# re-encoding hold about three copies, so the budget bounds memory to ~200 MB per image.
MAX_IMAGE_PIXELS = 20_000_000
MAX_IMAGE_DECODED_BYTES = 64 * 1024 * 1024
# Pillow's own guard, for any image decoded in this process: above twice this it refuses.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# Bytes per band of the modes that use more than one; every other mode uses one.
_BYTES_PER_BAND = {"I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2, "I": 4, "F": 4}

# Keys that carry active content wherever they appear in a PDF.
_PDF_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/EF",
        "/XFA",
        "/RichMediaContent",
        "/RichMediaSettings",
    }
)
# Actions (/S) that run code, open or send something outside the document.
_PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
# Object types and annotation kinds that embed files or media.
_PDF_ACTIVE_TYPES = frozenset(
    {"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
)


@dataclass(frozen=True)
class PreparedAttachment:
    """An attachment that passed every check, ready to be written with its signal."""

    original_name: str
    content_type: str
    extension: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def safe_display_name(name: str) -> str:
    """The uploaded name without directories or control characters, for display only."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (base or _("bijlage"))[:150]


def _strip_and_encode(image: Image.Image, content_type: str) -> bytes:
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if content_type == "image/jpeg":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        # A fresh image has no info: no EXIF, ICC, comment or XMP is copied along.
        clean = Image.new(upright.mode, upright.size)
        clean.paste(upright)
        clean.save(out, format="JPEG", quality=90, optimize=True)
    else:
        if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            upright = upright.convert("RGBA")
        clean = Image.new(upright.mode, upright.size)
        if upright.mode == "P":
            clean.putpalette(upright.getpalette())
        clean.paste(upright)
        clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def image_decoded_bytes(width: int, height: int, mode: str) -> int:
    """The memory one decoded frame takes: width × height × bands × bytes per band."""
    return width * height * Image.getmodebands(mode) * _BYTES_PER_BAND.get(mode, 1)


def _check_decode_budget(probe: Image.Image, name: str) -> None:
    """Refuse, from the header alone, an image too large to decode or with several frames."""
    width, height = probe.size
    if (
        width * height > MAX_IMAGE_PIXELS
        or image_decoded_bytes(width, height, probe.mode) > MAX_IMAGE_DECODED_BYTES
    ):
        raise ValidationError(
            _(
                "%(name)s: de afbeelding is te groot (te veel pixels). Verklein de foto tot "
                "hoogstens %(megapixels)d megapixel."
            )
            % {"name": name, "megapixels": MAX_IMAGE_PIXELS // 1_000_000}
        )
    # A camera's JPEG may carry extra pictures (MPO: a preview, a depth map); only the
    # first is decoded and kept. An animated PNG is refused: it is not a photo.
    if probe.format == "PNG" and getattr(probe, "n_frames", 1) > 1:
        raise ValidationError(
            _("%(name)s: bewegende afbeeldingen worden niet geaccepteerd.") % {"name": name}
        )


def _reencode_image(data: bytes, content_type: str, name: str) -> bytes:
    too_large = ValidationError(
        _("%(name)s: de afbeelding is te groot (te veel pixels).") % {"name": name}
    )
    try:
        # Pillow warns on opening an image over its limit; here that is a refusal, not a log line.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                _check_decode_budget(probe, name)
                probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _strip_and_encode(image, content_type)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("%(name)s: de afbeelding is beschadigd of kan niet worden gelezen.") % {"name": name}
        ) from None


def _pdf_objects(reader: PdfReader):
    """Every object of the document: each one in the cross-reference table (also those
    inside compressed object streams) and everything nested in them, each visited once."""
    roots = [reader.trailer]
    for generation, numbers in reader.xref.items():
        roots.extend(IndirectObject(number, generation, reader) for number in numbers)
    roots.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    stack = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams are dictionaries too
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _pdf_is_active(item: DictionaryObject) -> bool:
    if any(key in _PDF_ACTIVE_KEYS for key in item):
        return True
    return (
        item.get("/S") in _PDF_ACTIVE_ACTIONS
        or item.get("/Type") in _PDF_ACTIVE_TYPES
        or item.get("/Subtype") in _PDF_ACTIVE_TYPES
    )


def pdf_has_active_content(data: bytes) -> bool:
    """Whether a PDF carries active content; raises ``ValueError`` when it does not parse.

    pypdf gives every name with its #-escapes undone (/J#61vaScript is /JavaScript).
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("encrypted")
        return any(_pdf_is_active(item) for item in _pdf_objects(reader))
    except ValueError:
        raise
    # A parser of hostile input fails in many ways (pypdf's own errors, KeyError,
    # TypeError, RecursionError, ...); every failure means "not a PDF we can vouch for".
    except Exception as error:
        raise ValueError("unreadable") from error


def _check_pdf(data: bytes, name: str) -> None:
    try:
        active = pdf_has_active_content(data)
    except ValueError:
        raise ValidationError(
            _(
                "%(name)s kan niet als PDF worden gelezen (beschadigd of versleuteld). Sla het "
                "opnieuw op als gewone PDF of maak een schermafdruk."
            )
            % {"name": name}
        ) from None
    if active:
        raise ValidationError(
            _(
                "%(name)s bevat scripts, acties of ingesloten bestanden en wordt daarom niet "
                "geaccepteerd. Sla het op als gewone PDF of maak een schermafdruk."
            )
            % {"name": name}
        )


def prepare_attachment(upload) -> PreparedAttachment:
    """Check one uploaded file and return its cleaned content; raises ``ValidationError``."""
    name = safe_display_name(upload.name or "")
    max_bytes = settings.SIGNALEN_MAX_ATTACHMENT_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is te groot: maximaal %(max)s per bestand.")
            % {"name": name, "max": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            _("%(name)s is te groot: maximaal %(max)s per bestand.")
            % {"name": name, "max": filesizeformat(max_bytes)}
        )
    if not data:
        raise ValidationError(_("%(name)s is leeg.") % {"name": name})
    kind = filetype.guess(data[:8192])
    content_type = kind.mime if kind else None
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _(
                "%(name)s is geen toegestaan bestand. Je kunt foto's (JPEG, PNG) en PDF-bestanden "
                "toevoegen; we kijken naar de inhoud, niet naar de naam."
            )
            % {"name": name}
        )
    if content_type == "application/pdf":
        _check_pdf(data, name)
    else:
        data = _reencode_image(data, content_type, name)
    return PreparedAttachment(
        original_name=name,
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        data=data,
    )


def prepare_attachments(uploads) -> list[PreparedAttachment]:
    """Check every file; all errors are collected so the person sees them at once."""
    uploads = [upload for upload in uploads if upload]
    if len(uploads) > settings.SIGNALEN_MAX_ATTACHMENTS:
        raise ValidationError(
            _("Je kunt maximaal %(max)d bestanden toevoegen.")
            % {"max": settings.SIGNALEN_MAX_ATTACHMENTS}
        )
    prepared, errors = [], []
    for upload in uploads:
        try:
            prepared.append(prepare_attachment(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return prepared
