"""8-bit grey frames: the one picture format every decoder backend reads."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PIL import Image, ImageOps

from terminal.catalog import tr
from terminal.errors import UnreadableImage

# Far above any photo a phone takes; bigger files are refused rather than decoded (memory, time).
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class Frame:
    """A grey picture: ``height`` rows of ``stride`` bytes, the first ``width`` of each row used.

    ``data`` may be any bytes-like object; rows may be padded (``stride > width``), as Qt's are.
    """

    width: int
    height: int
    stride: int
    data: bytes | bytearray | memoryview

    def __post_init__(self):
        if self.width <= 0 or self.height <= 0 or self.stride < self.width:
            raise ValueError(f"bad frame geometry {self.width}x{self.height} stride {self.stride}")
        if len(memoryview(self.data)) < self.stride * (self.height - 1) + self.width:
            raise ValueError("frame data shorter than its geometry")

    @classmethod
    def from_image(cls, image: Image.Image) -> Frame:
        """The grey frame of a PIL image; transparent areas count as white paper."""
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        grey = image if image.mode == "L" else image.convert("L")
        return cls(grey.width, grey.height, grey.width, grey.tobytes())

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Frame:
        """Read an image file (turned upright by its EXIF orientation); raises :class:`UnreadableImage`."""
        try:
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise UnreadableImage(tr("이미지가 너무 큽니다 ({width}x{height})",
                                             width=image.width, height=image.height))
                return cls.from_image(ImageOps.exif_transpose(image))
        except UnreadableImage:
            raise
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise UnreadableImage(tr("이미지를 읽을 수 없습니다: {error}", error=exc)) from None

    def full_rows(self) -> bytes | bytearray | memoryview:
        """``data`` holding all ``stride * height`` bytes, as PIL and zxing-cpp want (copied only if short)."""
        missing = self.stride * self.height - len(memoryview(self.data))
        if missing > 0:  # a crop's last row ends before its parent's last row of padding
            return bytes(self.data) + bytes(missing)
        return self.data

    def to_image(self) -> Image.Image:
        """A PIL view of the frame (shares the bytes when it can)."""
        # PIL reads any buffer (Qt's frames arrive as memoryviews); its stubs name bytes and bytearray only.
        rows = self.full_rows()
        size = (self.width, self.height)
        return Image.frombuffer("L", size, rows, "raw", "L", self.stride, 1)  # type: ignore[arg-type]

    def packed(self) -> bytes:
        """The pixels with row padding removed (``width * height`` bytes)."""
        if self.stride == self.width:
            return bytes(memoryview(self.data)[: self.width * self.height])
        return self.to_image().tobytes()

    def crop(self, x: int, y: int, width: int, height: int) -> Frame:
        """A sub-frame sharing this frame's bytes (no copy)."""
        x, y = max(0, x), max(0, y)
        width, height = min(width, self.width - x), min(height, self.height - y)
        start = y * self.stride + x
        return Frame(width, height, self.stride, memoryview(self.data)[start:])
