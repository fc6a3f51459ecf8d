"""Scanning: from camera frames, image files and keyboard-wedge scanners to the exact token text.

Qt-free; ``ui.camera_scanner`` and ``ui.wedge_capture`` put Qt on top.
"""

import importlib

# Each name is imported from its module on first use: the wedge capture (at the till's start) needs
# only ``bursts``, not Pillow and the QR decoders behind frames, images and pipeline.
_HOMES = {
    "MissingQrDetectionLib": "backends", "available_backends": "backends", "get_decoder": "backends",
    "Frame": "frames", "UnreadableImage": "frames",
    "decode_image_file": "images", "scan_image_file": "images",
    "decode_camera_frame": "pipeline", "decode_frame": "pipeline",
    "ScanResult": "results", "looks_like_token": "results",
}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


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
