"""Checking and cleaning uploaded attachments before anything is stored.

The type is decided by the file's content, never by its name or the browser's
claim. Images are decoded and re-encoded with Pillow, which drops EXIF (and so any
GPS position), XMP and comments; the orientation is applied first so the photo
still stands upright. PDFs are accepted as they are, unless they carry scripts,
launch actions or embedded files.
"""

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
}
# Larger images are refused before decoding: protects against decompression bombs.
MAX_IMAGE_PIXELS = 40_000_000
_PDF_ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")


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


def _reencode_image(data: bytes, content_type: str, name: str) -> bytes:
    too_large = ValidationError(
        _("%(name)s: de afbeelding is te groot (te veel pixels).") % {"name": name}
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise too_large
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _strip_and_encode(image, content_type)
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("%(name)s: de afbeelding is beschadigd of kan niet worden gelezen.") % {"name": name}
        ) from None


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
        if _PDF_ACTIVE_CONTENT.search(data):
            raise ValidationError(
                _(
                    "%(name)s bevat scripts of ingesloten bestanden en wordt daarom niet "
                    "geaccepteerd. Sla het op als gewone PDF of maak een schermafdruk."
                )
                % {"name": name}
            )
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
