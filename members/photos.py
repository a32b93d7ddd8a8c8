"""Profile photos: what a member uploads is decoded and drawn again, never stored as sent.

Only JPEG, PNG and WebP pictures are read (an SVG, a PDF or a script renamed .jpg fails to
decode); a file over MAX_BYTES is refused before Pillow sees it; a picture over MAX_PIXELS is a
decompression bomb and is refused before it is decoded. What is stored is a new JPEG of at most
SIDE x SIDE pixels made from the pixels alone: EXIF (with GPS position), XMP, ICC profiles and
comments stay behind. The camera's orientation tag is applied to the pixels first, so the photo
stands as it did on the phone.
"""

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# 40 megapixels: more than any phone camera; a larger "photo" is a decompression bomb.
MAX_PIXELS = 40_000_000
SIDE = 512
FORMATS = ("JPEG", "PNG", "WEBP")

# Pillow's own guard, for every decode in this process: it warns above this and raises above
# twice this. Ours refuses above MAX_PIXELS first, with a message a person understands.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

TOO_LARGE = "This file is larger than 5 MB. Choose a smaller photo."
NOT_A_PHOTO = "This file is not a photo we can read. Upload a JPEG, PNG or WebP picture."
TOO_MANY_PIXELS = "This picture has too many pixels (over 40 megapixels). Choose a smaller photo."


def photo_clean(upload) -> ContentFile:
    """The uploaded file as a clean JPEG, ready for storage; ValidationError when refused."""
    if upload.size > MAX_BYTES:
        raise ValidationError(TOO_LARGE, code="too_large")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(TOO_LARGE, code="too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as picture:
                width, height = picture.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
                picture.load()
                upright = ImageOps.exif_transpose(picture)
                pixels = upright.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_A_PHOTO, code="not_a_photo") from None
    pixels.thumbnail((SIDE, SIDE), Image.Resampling.LANCZOS)
    # A fresh image holds no metadata at all; saving it writes none.
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    # A random name: the storage path says nothing about the member and cannot be guessed.
    return ContentFile(out.getvalue(), name=f"{secrets.token_urlsafe(16)}.jpg")
