"""Clean-up of a page image before OCR, one named step at a time.

Each step is kept only where ``bench/bench_ocr.py`` shows it helps on the corpus
scans; the default (``OcrSettings.cleanup``) is what that measurement chose.

- ``gray``: one channel; Tesseract binarises it itself (Otsu).
- ``noseal``: red seals and blue stamps turned white by colour, before ``gray``;
  black print survives, and so do dark strokes under a seal.
- ``sealink``: as ``noseal``, but a dark pixel is kept whatever its hue: black
  print under red ink scans dark red, and ``noseal`` whitens it with the seal.
- ``binarize``: our own Otsu threshold, for pages whose background is uneven.
- ``deskew``: rotate by the angle whose row profile is sharpest (±3°).
"""
from __future__ import annotations

import numpy as np
from PIL import Image

STEPS = ("noseal", "sealink", "gray", "binarize", "deskew")


def clean(image: Image.Image, steps: tuple[str, ...]) -> Image.Image:
    for step in STEPS:  # a fixed order: colour work first, geometry last
        if step in steps:
            image = _STEP[step](image)
    return image


SEAL_DARK = 110  # brightest channel at or below this: print (under the ink or not), kept


def remove_seals(image: Image.Image, keep_dark: bool = False) -> Image.Image:
    """White out strongly red or blue pixels (seals, stamps, signatures in ink);
    with ``keep_dark``, not those dark enough to be print the ink lies over."""
    rgb = np.asarray(image.convert("RGB")).astype(np.int16)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    inked = (red - np.maximum(green, blue) > 60) | (blue - np.maximum(red, green) > 50)
    if keep_dark:
        inked &= rgb.max(axis=2) > SEAL_DARK
    out = rgb.copy()
    out[inked] = 255
    return Image.fromarray(out.astype(np.uint8))


def remove_seal_ink(image: Image.Image) -> Image.Image:
    return remove_seals(image, keep_dark=True)


def gray(image: Image.Image) -> Image.Image:
    return image.convert("L")


def otsu_threshold(pixels: np.ndarray) -> int:
    counts = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = counts.sum()
    levels = np.arange(256)
    weight = np.cumsum(counts)
    mean = np.cumsum(counts * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(np.argmax(between))


def binarize(image: Image.Image) -> Image.Image:
    pixels = np.asarray(image.convert("L"))
    return Image.fromarray(np.where(pixels > otsu_threshold(pixels), 255, 0).astype(np.uint8))


def skew_angle(image: Image.Image, limit: float = 3.0, step: float = 0.25) -> float:
    """The rotation that makes text rows sharpest, searched on a small copy."""
    small = image.convert("L")
    small = small.resize((max(1, small.width // 4), max(1, small.height // 4)))
    ink = Image.fromarray(np.where(np.asarray(small) < otsu_threshold(np.asarray(small)), 255, 0).astype(np.uint8))
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        rows = np.asarray(ink.rotate(float(angle), fillcolor=0)).sum(axis=1, dtype=np.float64)
        score = float(np.sum(np.diff(rows) ** 2))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def deskew(image: Image.Image) -> Image.Image:
    angle = skew_angle(image)
    if abs(angle) < 0.3:
        return image
    return image.rotate(angle, expand=False, fillcolor=255 if image.mode == "L" else (255, 255, 255),
                        resample=Image.BICUBIC)


_STEP = {"noseal": remove_seals, "sealink": remove_seal_ink, "gray": gray, "binarize": binarize, "deskew": deskew}
