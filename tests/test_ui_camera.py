"""Camera scanning through the real Qt path: QVideoFrames pushed into the scanner's QVideoSink."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qrcode
from PIL import Image, ImageFilter
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaDevices, QVideoFrame, QVideoFrameFormat

from conftest import VECTOR_NOW, mint
from terminal.catalog import tr
from terminal.scanning import get_decoder
from ui.camera_scanner import NO_CAMERA, CameraScanner, grey_frame


@pytest.fixture(scope="module")
def token() -> str:
    return mint(VECTOR_NOW)


def camera_picture(text: str, size=(1280, 720), qr_side=360) -> Image.Image:
    """A grey camera-like picture: the QR near the centre on a noisy, slightly blurred background."""
    qr = qrcode.make(text, border=4).get_image().convert("L").resize((qr_side, qr_side), Image.Resampling.NEAREST)
    picture = Image.new("L", size, 140)
    picture.paste(qr, ((size[0] - qr_side) // 2 + 30, (size[1] - qr_side) // 2 - 20))
    noisy = Image.blend(picture, Image.effect_noise(size, 30), 0.2)
    return noisy.filter(ImageFilter.GaussianBlur(0.7))


def y8_video_frame(picture: Image.Image) -> QVideoFrame:
    """A Y8 QVideoFrame; Qt pads each row to its own stride, which we fill row by row."""
    frame = QVideoFrame(QVideoFrameFormat(QSize(*picture.size), QVideoFrameFormat.PixelFormat.Format_Y8))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    stride, bits = frame.bytesPerLine(0), frame.bits(0)
    raw = picture.tobytes()
    for y in range(picture.height):
        bits[y * stride : y * stride + picture.width] = raw[y * picture.width : (y + 1) * picture.width]
    frame.unmap()
    return frame


def rgb_video_frame(picture: Image.Image) -> QVideoFrame:
    rgb = picture.convert("RGB")
    image = QImage(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return QVideoFrame(image.convertToFormat(QImage.Format.Format_RGB32))


@pytest.fixture
def scanner(qtbot):
    s = CameraScanner()
    yield s
    s.close()


def test_grey_frame_honours_row_stride(token):
    picture = camera_picture(token, size=(1278, 720))  # odd width: Qt pads the rows
    frame = grey_frame(y8_video_frame(picture))
    assert frame.stride > frame.width == 1278
    assert frame.to_image().tobytes() == picture.tobytes()
    assert get_decoder().decode(frame) == [token]


def test_grey_frame_of_rgb_frames(token):
    frame = grey_frame(rgb_video_frame(camera_picture(token, size=(640, 480), qr_side=300)))
    assert (frame.width, frame.height) == (640, 480)
    assert get_decoder().decode(frame) == [token]


@pytest.mark.parametrize("make_frame", [y8_video_frame, rgb_video_frame], ids=["y8", "rgb32"])
def test_frames_through_the_sink_are_scanned(qtbot, scanner, token, make_frame):
    with qtbot.waitSignal(scanner.scanned, timeout=5000) as blocker:
        scanner.sink.setVideoFrame(make_frame(camera_picture(token)))
    assert blocker.args == [token]


def test_the_same_code_in_later_frames_is_emitted_once(qtbot, scanner, token):
    picture = camera_picture(token)
    frames = [y8_video_frame(picture) for _ in range(5)]  # the sink ignores a frame set twice
    with qtbot.waitSignal(scanner.scanned, timeout=5000):
        scanner.sink.setVideoFrame(frames[0])
    with qtbot.assertNotEmitted(scanner.scanned, wait=300):
        for frame in frames[1:4]:
            scanner.sink.setVideoFrame(frame)
            qtbot.waitUntil(lambda: not scanner.busy, timeout=5000)
    scanner.forget_recent()
    with qtbot.waitSignal(scanner.scanned, timeout=5000):
        scanner.sink.setVideoFrame(frames[4])


def test_frames_are_dropped_while_the_worker_is_busy(qtbot, scanner, token):
    frames = [y8_video_frame(camera_picture(token)) for _ in range(2)]
    with qtbot.waitSignal(scanner.scanned, timeout=5000):
        for i in range(6):  # the GUI thread does not return to its loop, so the worker's answer waits
            scanner.sink.setVideoFrame(frames[i % 2])
    assert scanner.dropped == 5


def test_empty_frames_scan_nothing(qtbot, scanner):
    blank = Image.blend(Image.new("L", (1280, 720), 128), Image.effect_noise((1280, 720), 30), 0.3)
    with qtbot.assertNotEmitted(scanner.scanned, wait=300):
        scanner.sink.setVideoFrame(y8_video_frame(blank))


@pytest.mark.skipif(bool(QMediaDevices.videoInputs()), reason="this machine has a camera")
def test_no_camera_gives_a_clear_message(qtbot, scanner):
    with qtbot.waitSignal(scanner.message, timeout=1000) as blocker:
        assert scanner.start() is False
    assert blocker.args == [tr(NO_CAMERA)]
