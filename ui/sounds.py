"""The two result sounds (``resources/sounds``), played with Qt Multimedia when the machine has audio."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QUrl

log = logging.getLogger(__name__)

SOUNDS = Path(__file__).resolve().parent.parent / "resources" / "sounds"
NAMES = ("accepted", "declined")


def audio_device_present() -> bool:
    """Whether an audio output can exist: on Linux a sound server socket or an ALSA playback device."""
    if not sys.platform.startswith("linux"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    sockets = [Path(runtime, "pulse", "native"), Path(runtime, "pipewire-0")] if runtime else []
    return any(path.exists() for path in sockets) or any(Path("/dev/snd").glob("pcmC*p"))


class ResultSounds(QObject):
    """``play(True)`` for an accepted payment, ``play(False)`` for a decline; silent without audio.

    Qt Multimedia is loaded on the first sound only (it costs start-up time) and never on a machine
    without audio, where it would only print warnings.
    """

    def __init__(self, parent: QObject | None = None, enabled: bool | None = None):
        super().__init__(parent)
        self.enabled = audio_device_present() if enabled is None else enabled
        self._effects: dict | None = None
        if not self.enabled:
            log.info("no audio output found: results are shown without sound")

    def play(self, ok: bool) -> None:
        """Play the sound of one result (returns at once)."""
        if not self.enabled:
            return
        if self._effects is None:
            self._effects = self._load()
        self._effects["accepted" if ok else "declined"].play()

    def _load(self) -> dict:
        from PySide6.QtCore import QLoggingCategory
        from PySide6.QtMultimedia import QSoundEffect

        # Optional video acceleration libraries are probed on load; their absence does not matter here.
        QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver.warning=false")
        effects = {}
        for name in NAMES:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(SOUNDS / f"{name}.wav")))
            effect.statusChanged.connect(lambda e=effect, n=name: self._check(e, n))
            effects[name] = effect
        return effects

    def _check(self, effect, name: str) -> None:
        from PySide6.QtMultimedia import QSoundEffect

        if effect.status() == QSoundEffect.Status.Error:
            log.warning("sound %s cannot be played; results stay silent", name)
            self.enabled = False
