"""Images of scanned pages: checked and counted here; read by OCR later."""
from __future__ import annotations

import warnings

from PIL import Image

from ingest.errors import IngestError, UnsafeInput
from ingest.models import Layout

Image.MAX_IMAGE_PIXELS = 200_000_000  # an A0 sheet at 300 dpi; more is a decompression bomb
# What a frame may take once decoded (width x height x bytes a pixel): OCR holds it
# and an RGB copy, so a worker stays near 1.5 GB at most.
MAX_IMAGE_BYTES = 600_000_000
MAX_FRAMES = 2000
_BANDS_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "I;16": 2, "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3,
                "RGBA": 4, "CMYK": 4, "I": 4, "F": 4}


def check_size(width: int, height: int, mode: str, what: str = "image") -> None:
    """Refuse a frame whose declared size would not fit the bound, before decoding it."""
    decoded = width * height * _BANDS_BYTES.get(mode, 4)
    if width * height > Image.MAX_IMAGE_PIXELS or decoded > MAX_IMAGE_BYTES:
        raise UnsafeInput(f"{what} of {width}x{height} pixels ({decoded // 2**20} MiB decoded; "
                          "decompression bomb?)")


def read_image(path: str) -> Layout:
    """Every frame's declared size is checked (headers only, nothing decoded):
    OCR reads each frame later."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_FRAMES:
                    raise UnsafeInput(f"{frames} frames: more than the {MAX_FRAMES} this reader accepts")
                for index in range(frames):
                    image.seek(index)
                    check_size(*image.size, image.mode, f"frame {index + 1}" if frames > 1 else "image")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UnsafeInput(f"image too large to decode ({exc})") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise IngestError(f"not a readable image ({exc})") from None
    return Layout(format="image", pages=frames, ocr_pages=list(range(frames)))
