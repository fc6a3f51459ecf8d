"""From a frame to QR texts: one fast pass, then cheap retries only when it found nothing."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps

from terminal.scanning.backends import Backend, available_backends, get_decoder
from terminal.scanning.frames import Frame

# Retries stop once this much time has gone; a till waits at most this long on a hopeless photo.
DEFAULT_BUDGET_S = 0.4
# Long side of a camera frame's region of interest after downscaling: modules of a ~300-char
# token (QR version 12, 65 modules) shown across half of it stay ~3 px wide.
CAMERA_MAX_SIDE = 800


@dataclass(frozen=True)
class Decoded:
    """What a decode found: the texts (first-found order, no repeats), the backend, the attempt."""

    texts: tuple[str, ...]
    backend: str
    attempt: str


def _unique(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(texts))


def _scaled(frame: Frame, factor: float) -> Frame:
    image = frame.to_image()
    size = (max(1, round(frame.width * factor)), max(1, round(frame.height * factor)))
    return Frame.from_image(image.resize(size, Image.Resampling.BOX if factor < 1 else Image.Resampling.BICUBIC))


def _inverted(frame: Frame) -> Frame:
    return Frame.from_image(ImageOps.invert(frame.to_image()))


def _rotated(frame: Frame, degrees: float) -> Frame:
    return Frame.from_image(frame.to_image().rotate(degrees, Image.Resampling.BILINEAR, expand=True, fillcolor=255))


def _retries(frame: Frame, backends: Sequence[Backend]) -> Iterator[tuple[str, Backend, Callable[[], list[str]]]]:
    """The retries, most likely to help first (measured on ../shared/qr-samples); built lazily."""
    first = backends[0]
    yield "binarized", first, lambda: first.decode(frame, binarized=True)
    if min(frame.width, frame.height) >= 160:
        yield "halved+binarized", first, lambda: first.decode(_scaled(frame, 0.5), binarized=True)
    if max(frame.width, frame.height) <= 640:
        yield "doubled", first, lambda: first.decode(_scaled(frame, 2.0))
    yield "inverted", first, lambda: first.decode(_inverted(frame))
    yield "rotated", first, lambda: first.decode(_rotated(frame, 45))
    for other in backends[1:]:
        yield "other-backend", other, functools.partial(other.decode, frame)


def decode_frame(
    frame: Frame, backends: Sequence[Backend] | None = None, budget_s: float = DEFAULT_BUDGET_S
) -> Decoded:
    """Decode ``frame`` with the best backend, retrying variants within ``budget_s`` if nothing was found.

    Raises :class:`MissingQrDetectionLib` when no backend loads.
    """
    backends = list(backends) if backends else available_backends() or [get_decoder()]
    first = backends[0]
    texts = first.decode(frame)
    if texts:
        return Decoded(_unique(texts), first.name, "first")
    deadline = time.monotonic() + budget_s
    for attempt, backend, run in _retries(frame, backends):
        if time.monotonic() >= deadline:
            break
        texts = run()
        if texts:
            return Decoded(_unique(texts), backend.name, attempt)
    return Decoded((), first.name, "none")


def region_of_interest(frame: Frame) -> Frame:
    """The centred square of a camera frame, where the viewfinder asks the citizen to hold the code."""
    side = min(frame.width, frame.height)
    return frame.crop((frame.width - side) // 2, (frame.height - side) // 2, side, side)


def downscaled(frame: Frame, max_side: int = CAMERA_MAX_SIDE) -> Frame:
    """``frame`` reduced by a whole factor until its long side is at most ``max_side``."""
    factor = -(-max(frame.width, frame.height) // max_side)
    if factor <= 1:
        return frame
    return Frame.from_image(frame.to_image().reduce(factor))


def decode_camera_frame(frame: Frame, backend: Backend) -> tuple[str, ...]:
    """One quick pass over the region of interest of a camera frame: the next frame is the retry."""
    return _unique(backend.decode(downscaled(region_of_interest(frame))))
