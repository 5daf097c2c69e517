"""OCR inside the extraction worker: poppler's pdftoppm rasterises PDF pages, the Tesseract CLI reads them."""

from __future__ import annotations

import math
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

MAX_SIDE_PX = 4000
MIN_DPI = 72
MAX_IMAGE_PIXELS = 40_000_000


class OcrUnavailable(RuntimeError):
    """Tesseract, pdftoppm or a requested language model is not installed."""


class BudgetExhausted(RuntimeError):
    """The wall-clock budget ran out before the next step could start."""


class TooLargeError(ValueError):
    """Input whose declared dimensions would need unbounded memory."""


@dataclass(frozen=True)
class Deadline:
    """Absolute wall-clock deadline (time.time()) shared by the parent and the worker."""

    at: float

    def remaining(self) -> float:
        return self.at - time.time()

    def require(self, needed: float = 0.2) -> float:
        left = self.remaining()
        if left < needed:
            raise BudgetExhausted("time budget exhausted")
        return left


def installed_languages() -> set[str]:
    if shutil.which("tesseract") is None:
        raise OcrUnavailable("tesseract is not installed (Debian: tesseract-ocr)")
    proc = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=20)
    lines = (proc.stdout + proc.stderr).decode("utf-8", "replace").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("List of")}


def require_ocr(lang: str, *, for_pdf: bool) -> None:
    """Raise OcrUnavailable naming the missing tool or model."""
    missing = [code for code in lang.split("+") if code not in installed_languages()]
    if missing:
        raise OcrUnavailable(f"tesseract language model(s) {missing} missing (Debian: tesseract-ocr-{missing[0]})")
    if for_pdf and shutil.which("pdftoppm") is None:
        raise OcrUnavailable("pdftoppm is not installed (Debian: poppler-utils)")


def _run(argv: list[str], deadline: Deadline) -> subprocess.CompletedProcess[bytes]:
    timeout = deadline.require()
    try:
        return subprocess.run(argv, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BudgetExhausted(f"{argv[0]} exceeded the time budget") from exc


def ocr_image(path: Path, lang: str, deadline: Deadline) -> str:
    proc = _run(["tesseract", str(path), "stdout", "-l", lang, "--psm", "3"], deadline)
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract exit {proc.returncode}: {proc.stderr[-300:].decode('utf-8', 'replace')}")
    return proc.stdout.decode("utf-8", "replace")


def page_dpi(width_pt: float, height_pt: float, target_dpi: int) -> int:
    """Target DPI, lowered so the long side stays under MAX_SIDE_PX (a huge MediaBox is a memory bomb)."""
    long_side = max(abs(width_pt), abs(height_pt))
    if not math.isfinite(long_side) or long_side <= 0:
        return MIN_DPI
    return max(MIN_DPI, min(target_dpi, int(MAX_SIDE_PX * 72 / long_side)))


def ocr_pdf_page(pdf: Path, page_index: int, dpi: int, lang: str, workdir: Path, deadline: Deadline) -> str:
    prefix = workdir / f"page-{page_index + 1}"
    number = str(page_index + 1)
    argv = ["pdftoppm", "-f", number, "-l", number, "-r", str(dpi), "-gray", "-png", "-singlefile",
            str(pdf), str(prefix)]
    proc = _run(argv, deadline)
    image = prefix.with_suffix(".png")
    if proc.returncode != 0 or not image.exists():
        raise RuntimeError(f"pdftoppm exit {proc.returncode}: {proc.stderr[-300:].decode('utf-8', 'replace')}")
    try:
        return ocr_image(image, lang, deadline)
    finally:
        image.unlink(missing_ok=True)


def ocr_image_file(path: Path, lang: str, max_frames: int, workdir: Path, deadline: Deadline) -> tuple[str, int]:
    """OCR up to `max_frames` frames of an image file; returns (text, frame count)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    texts: list[str] = []
    with Image.open(path) as image:
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise TooLargeError(f"image is {image.width}x{image.height} pixels")
        frames = int(getattr(image, "n_frames", 1))
        for index in range(min(frames, max_frames)):
            deadline.require()
            image.seek(index)
            frame = image.convert("L")
            frame.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
            frame_path = workdir / f"frame-{index + 1}.png"
            frame.save(frame_path)
            try:
                texts.append(ocr_image(frame_path, lang, deadline))
            finally:
                frame_path.unlink(missing_ok=True)
    return "\n\n".join(texts), frames
