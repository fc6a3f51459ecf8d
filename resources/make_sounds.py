"""Writes the till's two short result sounds (run once; the .wav files are committed beside this script).

``accepted.wav``: two rising tones. ``declined.wav``: three low buzzes. 16-bit mono, 22,050 Hz.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
HERE = Path(__file__).resolve().parent / "sounds"


def tone(freq: float, seconds: float, volume: float = 0.5, square: bool = False) -> list[float]:
    """One tone with 10 ms fades at both ends (no clicks)."""
    count = int(RATE * seconds)
    fade = int(RATE * 0.01)
    samples = []
    for i in range(count):
        wave_value = math.sin(2 * math.pi * freq * i / RATE)
        if square:
            wave_value = 0.6 if wave_value >= 0 else -0.6
        envelope = min(1.0, i / fade, (count - i) / fade)
        samples.append(volume * envelope * wave_value)
    return samples


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def write(name: str, samples: list[float]) -> None:
    with wave.open(str(HERE / name), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    write("accepted.wav", tone(880, 0.11) + silence(0.02) + tone(1320, 0.16))
    write("declined.wav", (tone(220, 0.12, square=True) + silence(0.05)) * 3)
