"""Scanning image files: photos of a citizen's screen, support attachments, test pictures."""

from __future__ import annotations

import os

from terminal.scanning.backends import MissingQrDetectionLib
from terminal.scanning.frames import Frame, UnreadableImage
from terminal.scanning.pipeline import decode_frame
from terminal.scanning.results import ScanResult, looks_like_token


def scan_image_file(path: str | os.PathLike) -> ScanResult:
    """Decode every QR code in an image file; problems are reported in the result, never raised."""
    try:
        decoded = decode_frame(Frame.from_file(path))
    except (UnreadableImage, MissingQrDetectionLib) as exc:
        return ScanResult(os.fspath(path), error=str(exc))
    return ScanResult(os.fspath(path), decoded.texts, decoded.backend)


def decode_image_file(path: str | os.PathLike) -> list[str]:
    """The QR texts in an image file, token-shaped ones first; ``[]`` when none or unreadable.

    Raises :class:`MissingQrDetectionLib` when no decoder can load, so the caller can say why.
    """
    try:
        frame = Frame.from_file(path)
    except UnreadableImage:
        return []
    return sorted(decode_frame(frame).texts, key=lambda text: not looks_like_token(text))
