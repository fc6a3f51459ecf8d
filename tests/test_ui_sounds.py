"""Result sounds: short bundled WAV files; a machine without audio stays silent and quiet."""

from __future__ import annotations

import wave

import pytest

from ui.sounds import NAMES, SOUNDS, ResultSounds, audio_device_present


@pytest.mark.parametrize("name", NAMES)
def test_sounds_are_short_wav_files(name):
    path = SOUNDS / f"{name}.wav"
    assert path.stat().st_size < 30_000
    with wave.open(str(path)) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        assert sound.getnchannels() == 1 and sound.getsampwidth() == 2 and 0.1 < seconds < 1.0


def test_no_audio_means_silence_without_warnings(qtbot, monkeypatch):
    # qt_log_level_fail = WARNING: loading Qt Multimedia on a machine without audio would fail this test.
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent")
    sounds = ResultSounds()
    assert sounds.enabled == audio_device_present()
    if sounds.enabled:
        pytest.skip("this machine has an audio device")
    sounds.play(True)
    sounds.play(False)
    qtbot.wait(50)
