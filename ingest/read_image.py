"""Images of scanned pages: checked and counted here; read by OCR later."""
from __future__ import annotations

import warnings

from PIL import Image

from .errors import IngestError, UnsafeInput
from .models import Layout

Image.MAX_IMAGE_PIXELS = 200_000_000  # an A0 sheet at 300 dpi; more is a decompression bomb


def read_image(path: str) -> Layout:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > Image.MAX_IMAGE_PIXELS:
                    raise UnsafeInput(f"image of {width}x{height} pixels (decompression bomb?)")
                frames = getattr(image, "n_frames", 1)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UnsafeInput(f"image too large to decode ({exc})") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise IngestError(f"not a readable image ({exc})") from None
    return Layout(format="image", pages=frames, ocr_pages=list(range(frames)))
