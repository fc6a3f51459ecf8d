"""The decoder core: grey frames with row stride, backends, the best-available choice, retries."""

from __future__ import annotations

import subprocess
import sys

import pytest
import qrcode
from PIL import Image

from terminal.scanning import backends, pipeline
from terminal.scanning.backends import MissingQrDetectionLib, ZbarBackend, ZxingBackend, get_decoder
from terminal.scanning.frames import Frame


def qr_picture(text: str, box: int = 4) -> Image.Image:
    return qrcode.make(text, box_size=box, border=4).get_image().convert("L")


def padded(picture: Image.Image, pad: int) -> Frame:
    """The picture with ``pad`` junk bytes after every row, as Qt lays frames out."""
    raw, w = picture.tobytes(), picture.width
    data = b"".join(raw[y * w : (y + 1) * w] + b"\x00\xff" * (pad // 2) for y in range(picture.height))
    return Frame(w, picture.height, w + pad, data)


@pytest.mark.parametrize("backend", [ZxingBackend, ZbarBackend], ids=["zxing-cpp", "zbar"])
def test_each_backend_honours_row_stride(backend):
    frame = padded(qr_picture("JEONJU-STRIDE-TEST"), pad=14)
    assert backend().decode(frame) == ["JEONJU-STRIDE-TEST"]
    assert backend().decode(frame, binarized=True) == ["JEONJU-STRIDE-TEST"]


def test_crop_shares_the_bytes_and_keeps_stride():
    frame = padded(qr_picture("x"), pad=10)
    part = frame.crop(5, 7, 20, 30)
    assert (part.width, part.height, part.stride) == (20, 30, frame.stride)
    assert part.to_image().tobytes() == frame.to_image().crop((5, 7, 25, 37)).tobytes()


def test_bad_geometry_is_refused():
    with pytest.raises(ValueError):
        Frame(10, 10, 9, bytes(100))
    with pytest.raises(ValueError):
        Frame(10, 10, 10, bytes(50))


def test_best_backend_is_zxing_and_says_so():
    assert get_decoder().name == "zxing-cpp"
    assert get_decoder("zbar").name == "zbar"


def test_falls_back_to_zbar_when_zxing_is_missing(monkeypatch):
    def missing():
        raise ImportError("No module named 'zxingcpp'")

    monkeypatch.setitem(backends.BACKENDS, "zxing-cpp", missing)
    backends.load_backend.cache_clear()
    try:
        assert get_decoder().name == "zbar"
        decoded = pipeline.decode_frame(Frame.from_image(qr_picture("fallback")))
        assert (decoded.texts, decoded.backend) == (("fallback",), "zbar")
    finally:
        backends.load_backend.cache_clear()


def test_no_backend_raises_the_typed_error(monkeypatch):
    def missing():
        raise OSError("libzbar.so.0: cannot open shared object file")

    for name in backends.BACKENDS:
        monkeypatch.setitem(backends.BACKENDS, name, missing)
    backends.load_backend.cache_clear()
    try:
        with pytest.raises(MissingQrDetectionLib, match="바코드 스캐너"):
            get_decoder()
    finally:
        backends.load_backend.cache_clear()


def test_retries_only_when_the_first_pass_finds_nothing():
    calls = []

    class Recording:
        name = "recording"

        def decode(self, frame, *, binarized=False):
            calls.append(binarized)
            return ["found"] if binarized else []

    decoded = pipeline.decode_frame(Frame.from_image(qr_picture("x")), [Recording()])
    assert decoded == pipeline.Decoded(("found",), "recording", "binarized")
    assert calls == [False, True]


def test_retries_stop_at_the_time_budget():
    calls = []

    class Blind:
        name = "blind"

        def decode(self, frame, *, binarized=False):
            calls.append(1)
            return []

    decoded = pipeline.decode_frame(Frame.from_image(qr_picture("x")), [Blind()], budget_s=0)
    assert decoded.texts == () and calls == [1]


def test_camera_region_and_downscale():
    frame = Frame(1920, 1080, 1920, bytes(1920 * 1080))
    roi = pipeline.region_of_interest(frame)
    assert (roi.width, roi.height) == (1080, 1080)
    small = pipeline.downscaled(roi)
    assert max(small.width, small.height) <= pipeline.CAMERA_MAX_SIDE


def test_core_imports_no_qt_nor_other_packages():
    code = (
        "import sys, terminal.scanning, terminal.scanning.wedge, terminal.scanning.bursts;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui', 'cli', 'sync', 'city')];"
        "print(bad); sys.exit(bool(bad))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
