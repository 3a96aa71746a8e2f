"""Checks on uploaded logos, shared by the profile form, the API and the service."""

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4000
LOGO_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
LOGO_FORMATS = set(LOGO_EXTENSIONS)


def validate_logo(upload) -> str:
    """A logo is a PNG, JPEG, GIF or WebP image of at most 1 MB and 4000 px a side. Returns the
    file extension of the format found in the bytes, whatever the uploaded name said."""
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(
            f"The logo is {upload.size / 1024 / 1024:.1f} MB; the limit is 1 MB.", code="too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError) as error:  # a decompression bomb is refused like any non-image
        raise ValidationError(
            "The logo must be an image file (PNG, JPEG, GIF or WebP).", code="not_an_image"
        ) from error
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(
            "The logo must be a PNG, JPEG, GIF or WebP image.", code="unsupported_format"
        )
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise ValidationError(
            f"The logo is {width} x {height} px; at most {MAX_LOGO_PIXELS} px a side.",
            code="too_big",
        )
    return LOGO_EXTENSIONS[image_format]
