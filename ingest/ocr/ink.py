"""Small image operations on numpy arrays for the handwriting reader: resizing a
crop as the recogniser was trained (bilinear, pixel centres aligned, no
smoothing: OpenCV's ``INTER_LINEAR``, which PaddleOCR uses), stretching it
(bicubic), and counting the
glyphs of ink in a span (how many digits a hand wrote there).

Crops are a few hundred pixels wide: plain numpy is fast enough, and OpenCV is
not needed (its wheel wants the X libraries a server lacks).
"""
from __future__ import annotations

import numpy as np


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """``image`` (rows × columns × channels, uint8) resized bilinearly."""
    rows = _taps(image.shape[0], height)
    cols = _taps(image.shape[1], width)
    src = image.astype(np.float32)
    (r0, r1, fr), (c0, c1, fc) = rows, cols
    top = src[r0][:, c0] * (1 - fc)[None, :, None] + src[r0][:, c1] * fc[None, :, None]
    bottom = src[r1][:, c0] * (1 - fc)[None, :, None] + src[r1][:, c1] * fc[None, :, None]
    out = top * (1 - fr)[:, None, None] + bottom * fr[:, None, None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def widen(image: np.ndarray, width: int, a: float = -0.75) -> np.ndarray:
    """``image`` stretched horizontally to ``width`` by bicubic interpolation
    (OpenCV's ``INTER_CUBIC`` kernel: with a softer kernel, or bilinear, one more
    of the corpus's 13 handwritten numbers is misread)."""
    size = image.shape[1]
    at = (np.arange(width) + 0.5) * (size / width) - 0.5
    first = np.floor(at).astype(int)
    offset = at - first
    src = image.astype(np.float32)
    out = np.zeros((image.shape[0], width, image.shape[2]), np.float32)
    for tap in range(-1, 3):
        d = np.abs(offset - tap)
        weight = np.where(d <= 1, (a + 2) * d**3 - (a + 3) * d**2 + 1,
                          np.where(d < 2, a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a, 0.0))
        out += src[:, np.clip(first + tap, 0, size - 1)] * weight[None, :, None].astype(np.float32)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _taps(size: int, new: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each of ``new`` positions: the two source indexes and the weight of the second."""
    at = (np.arange(new, dtype=np.float64) + 0.5) * (size / new) - 0.5
    at = np.clip(at, 0, size - 1)
    low = np.floor(at).astype(int)
    high = np.minimum(low + 1, size - 1)
    return low, high, (at - low).astype(np.float32)


def grey(image: np.ndarray) -> np.ndarray:
    """A BGR array as luminance (ITU-R 601 weights)."""
    b, g, r = (image[..., i].astype(np.float32) for i in range(3))
    return 0.114 * b + 0.587 * g + 0.299 * r


def _blur(grey_image: np.ndarray) -> np.ndarray:
    """A 3×3 binomial blur (edges mirrored): specks of scanner noise fall below Otsu's cut."""
    padded = np.pad(grey_image, 1, mode="reflect")
    rows = padded[:-2] * 0.25 + padded[1:-1] * 0.5 + padded[2:] * 0.25
    return rows[:, :-2] * 0.25 + rows[:, 1:-1] * 0.5 + rows[:, 2:] * 0.25


def otsu_ink(grey_image: np.ndarray) -> np.ndarray:
    """Dark pixels, cut where Otsu's method separates ink from paper best."""
    values = np.clip(np.rint(grey_image), 0, 255).astype(np.uint8)
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * np.arange(256))
    total, total_mass = weight[-1], mass[-1]
    above = total - weight
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass / weight - (total_mass - mass) / above) ** 2 * weight * above
    cut = int(np.nanargmax(np.where(np.isfinite(between), between, np.nan))) if np.isfinite(between).any() else 127
    return values <= cut


def components(mask: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """The 8-connected components of ``mask`` as (left, right, top, bottom, area):
    runs of each row joined to the overlapping runs of the row above."""
    parent: list[int] = []

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    runs: list[tuple[int, int, int]] = []  # (row, start, end exclusive)
    above: list[int] = []
    for row, line in enumerate(mask):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], line.astype(np.int8), [0]])))
        here = []
        first = 0  # the runs of a row are in order: each run of this row meets a window of the row above
        for start, end in zip(edges[::2].tolist(), edges[1::2].tolist()):
            index = len(runs)
            runs.append((row, start, end))
            parent.append(index)
            while first < len(above) and runs[above[first]][2] < start:
                first += 1
            k = first
            while k < len(above) and runs[above[k]][1] <= end:  # touching, diagonals included
                a, b = root(index), root(above[k])
                parent[max(a, b)] = min(a, b)
                k += 1
            here.append(index)
        above = here
    boxes: dict[int, list[int]] = {}
    for index, (row, start, end) in enumerate(runs):
        box = boxes.setdefault(root(index), [start, end, row, row + 1, 0])
        box[0], box[1] = min(box[0], start), max(box[1], end)
        box[2], box[3] = min(box[2], row), max(box[3], row + 1)
        box[4] += end - start
    return [tuple(b) for b in boxes.values()]


def glyph_count(image: np.ndarray, min_size: float) -> int:
    """Columns of ink in a BGR span: components at least ``min_size`` tall or wide,
    without the tails of printed letters cut by the span's edges, merged where
    they overlap by more than a third of the narrower (a ``4`` or a crossed ``7``
    drawn in two strokes). 0 for a blank span."""
    if image.size == 0:
        return 0
    ink = otsu_ink(_blur(grey(image)))
    if ink.mean() < 0.005:
        return 0
    width = ink.shape[1]
    spans = []
    for left, right, top, bottom, area in components(ink):
        wide, tall = right - left, bottom - top
        if not ((tall >= min_size or wide >= min_size) and area >= min_size * 1.5):
            continue
        if (left == 0 or right >= width) and wide < min_size:
            continue
        spans.append([left, right])
    merged: list[list[int]] = []
    for span in sorted(spans):
        if merged:
            last = merged[-1]
            overlap = min(last[1], span[1]) - max(last[0], span[0])
            if overlap > min(last[1] - last[0], span[1] - span[0]) / 3:
                last[0], last[1] = min(last[0], span[0]), max(last[1], span[1])
                continue
        merged.append(span)
    return len(merged)
