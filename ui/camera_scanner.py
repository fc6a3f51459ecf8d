"""Camera scanning: QtMultimedia frames → 8-bit grey → the Qt-free decoder on a worker thread."""

from __future__ import annotations

import logging

from PIL import Image
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
)

from terminal.catalog import N_, tr
from terminal.scanning import Frame, MissingQrDetectionLib, decode_camera_frame, get_decoder

log = logging.getLogger(__name__)

CAMERA_ERROR = N_("카메라 오류: {error}")
DECODE_ERROR = N_("카메라 화면을 읽지 못했습니다: {error}")
NO_CAMERA = N_("카메라를 찾을 수 없습니다. 바코드 스캐너를 쓰세요")

_RECENT = 4
_PF = QVideoFrameFormat.PixelFormat
# Formats whose first plane is the luma: already 8-bit grey.
_LUMA_FIRST = {
    _PF.Format_Y8, _PF.Format_NV12, _PF.Format_NV21, _PF.Format_YUV420P, _PF.Format_YUV422P,
    _PF.Format_YV12, _PF.Format_IMC1, _PF.Format_IMC2, _PF.Format_IMC3, _PF.Format_IMC4,
}
# Packed 32-bit RGB formats: (PIL mode, PIL raw mode).
_RGB32 = {
    _PF.Format_ARGB8888: ("RGBA", "ARGB"), _PF.Format_ARGB8888_Premultiplied: ("RGBA", "ARGB"),
    _PF.Format_XRGB8888: ("RGB", "XRGB"), _PF.Format_BGRA8888: ("RGBA", "BGRA"),
    _PF.Format_BGRA8888_Premultiplied: ("RGBA", "BGRA"), _PF.Format_BGRX8888: ("RGB", "BGRX"),
    _PF.Format_ABGR8888: ("RGBA", "ABGR"), _PF.Format_XBGR8888: ("RGB", "XBGR"),
    _PF.Format_RGBA8888: ("RGBA", "RGBA"), _PF.Format_RGBX8888: ("RGB", "RGBX"),
}


def grey_frame(video_frame: QVideoFrame) -> Frame | None:
    """The 8-bit grey copy of a video frame, row stride kept (Qt pads rows); None if unusable."""
    if not video_frame.isValid():
        return None
    width, height = video_frame.width(), video_frame.height()
    pixel_format = video_frame.pixelFormat()
    if pixel_format in _LUMA_FIRST or pixel_format in _RGB32:
        frame = QVideoFrame(video_frame)  # a shallow copy we may map, leaving the caller's alone
        if not frame.map(QVideoFrame.MapMode.ReadOnly):
            return None
        try:
            stride, bits = frame.bytesPerLine(0), bytes(frame.bits(0))
        finally:
            frame.unmap()
        if pixel_format in _LUMA_FIRST:
            return Frame(width, height, stride, bits)
        mode, raw_mode = _RGB32[pixel_format]
        return Frame.from_image(Image.frombuffer(mode, (width, height), bits, "raw", raw_mode, stride, 1))
    image = video_frame.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    if image.isNull():
        return None
    return Frame(image.width(), image.height(), image.bytesPerLine(), bytes(image.constBits()))


class _FrameDecoder(QObject):
    """Lives on the worker thread: decodes one frame at a time."""

    decoded = Signal(tuple)
    failed = Signal(str)  # the first frame that could not be decoded, and every 100th after it

    def __init__(self, backend):
        super().__init__()
        self._backend = backend
        self.failures = 0

    @Slot(object)
    def decode(self, frame: Frame) -> None:
        try:
            texts = decode_camera_frame(frame, self._backend)
        except Exception as exc:  # one bad frame must not stop scanning: the scanner waits for this answer
            texts = ()
            self.failures += 1
            if self.failures % 100 == 1:  # logged and shown, without a line per frame at 30 frames a second
                log.exception("camera frame %d could not be decoded", self.failures)
                self.failed.emit(tr(DECODE_ERROR, error=exc))
        self.decoded.emit(texts)


class CameraScanner(QObject):
    """Feeds camera frames to the decoder; emits ``scanned(text)`` once per code shown.

    Frames arriving while the worker is busy are dropped, so a slow PC lags no further behind
    than one frame. ``message(text)`` reports a missing camera or decoder. Frames can come from
    the camera (:meth:`start`) or from anything else that feeds :attr:`sink`.
    """

    scanned = Signal(str)
    message = Signal(str)
    _request = Signal(object)

    def __init__(self, parent: QObject | None = None, backend=None):
        super().__init__(parent)
        self.sink = QVideoSink(self)
        self.dropped = 0
        self._busy = False
        self._recent: list[str] = []
        self._camera: QCamera | None = None
        self._session = QMediaCaptureSession(self)
        self._session.setVideoSink(self.sink)
        self._thread: QThread | None = None
        try:
            backend = backend or get_decoder()
        except MissingQrDetectionLib as exc:
            self._unavailable = str(exc)
            return
        self._unavailable = None
        self._thread = QThread(self)
        self._decoder = _FrameDecoder(backend)
        self._decoder.moveToThread(self._thread)
        self._request.connect(self._decoder.decode)
        self._decoder.decoded.connect(self._on_decoded)
        self._decoder.failed.connect(self.message)
        self._thread.finished.connect(self._decoder.deleteLater)
        self._thread.start()
        self.sink.videoFrameChanged.connect(self._on_frame)

    @staticmethod
    def cameras() -> list[tuple[bytes, str]]:
        """``(device id, description)`` of each camera, for the settings screen."""
        return [(bytes(device.id()), device.description()) for device in QMediaDevices.videoInputs()]

    def start(self, device_id: bytes | None = None) -> bool:
        """Start the camera with ``device_id`` (default: the system's default camera)."""
        if self._unavailable:
            self.message.emit(self._unavailable)
            return False
        devices = QMediaDevices.videoInputs()
        device = next((d for d in devices if bytes(d.id()) == device_id), None) if device_id else None
        device = device or (QMediaDevices.defaultVideoInput() if devices else None)
        if device is None or device.isNull():
            self.message.emit(tr(NO_CAMERA))
            return False
        self.stop()
        self._camera = QCamera(device, self)
        self._camera.errorOccurred.connect(lambda _error, text: self.message.emit(tr(CAMERA_ERROR, error=text)))
        self._session.setCamera(self._camera)
        self._camera.start()
        return True

    def stop(self) -> None:
        """Stop the camera (the worker stays ready)."""
        if self._camera is not None:
            self._camera.stop()
            self._session.setCamera(None)
            self._camera.deleteLater()
            self._camera = None

    def close(self) -> None:
        """Stop the camera and the worker thread."""
        self.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread = None

    @property
    def busy(self) -> bool:
        """True while the worker decodes a frame (new frames are dropped)."""
        return self._busy

    def forget_recent(self) -> None:
        """Let codes already emitted be emitted again (e.g. after a declined payment)."""
        self._recent.clear()

    @Slot(QVideoFrame)
    def _on_frame(self, video_frame: QVideoFrame) -> None:
        if self._busy:
            self.dropped += 1
            return
        frame = grey_frame(video_frame)
        if frame is not None:
            self._busy = True
            self._request.emit(frame)

    @Slot(tuple)
    def _on_decoded(self, texts: tuple) -> None:
        self._busy = False
        for text in texts:
            # A code held up stays in view for many frames, sometimes missed in one: emit it once.
            if text not in self._recent:
                self._recent = [*self._recent[-(_RECENT - 1):], text]
                self.scanned.emit(text)
