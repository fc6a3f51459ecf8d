"""Scanning: from camera frames, image files and keyboard-wedge scanners to the exact token text.

Qt-free; ``ui.camera_scanner`` and ``ui.wedge_capture`` put Qt on top.
"""

from terminal.scanning.backends import MissingQrDetectionLib, available_backends, get_decoder
from terminal.scanning.frames import Frame, UnreadableImage
from terminal.scanning.images import decode_image_file, scan_image_file
from terminal.scanning.pipeline import decode_camera_frame, decode_frame
from terminal.scanning.results import ScanResult, looks_like_token

__all__ = [
    "Frame",
    "MissingQrDetectionLib",
    "ScanResult",
    "UnreadableImage",
    "available_backends",
    "decode_camera_frame",
    "decode_frame",
    "decode_image_file",
    "get_decoder",
    "looks_like_token",
    "scan_image_file",
]
