"""Scanning benchmark: decode rate on real photographs, and time per 1280x720 camera frame.

Run ``python benchmarks/bench_scan.py``. Photographs come from ``../shared/qr-samples`` (skipped
with a message when absent); camera frames are generated here. Baselines are measured in the
same run: each backend alone (one call, whole image grey) and, for frames, zxing-cpp on the whole
frame; ratios are printed against them.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

import qrcode
from PIL import Image, ImageFilter

from terminal import jws
from terminal.keys import private_from_seed
from terminal.scanning import Frame, available_backends, decode_camera_frame, decode_frame

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared" / "qr-samples"
FRAMES = 60


def samples() -> list[tuple[Frame, str]]:
    """(grey frame, expected text) for each photograph with a ``.txt``."""
    pairs = []
    for txt in sorted(SAMPLES.glob("*/*.txt")):
        images = [p for p in txt.parent.iterdir() if p.stem == txt.stem and p.suffix != ".txt"]
        if images:  # bytes keep the CRLFs; a few files end in one newline too many
            pairs.append((Frame.from_file(images[0]), txt.read_bytes().decode("utf-8")))
    return pairs


def rate(decode, pairs) -> tuple[int, float]:
    """(images decoded to the exact text, mean ms per image)."""
    good, start = 0, time.perf_counter()
    for frame, expected in pairs:
        if {expected, expected.removesuffix("\n")} & set(decode(frame)):
            good += 1
    return good, (time.perf_counter() - start) * 1000 / len(pairs)


def bench_photographs() -> None:
    if not SAMPLES.is_dir():
        print(f"skipped: {SAMPLES} is not present")
        return
    pairs = samples()
    print(f"## Photographs ({len(pairs)} with expected text)")
    results = {b.name: rate(b.decode, pairs) for b in available_backends()}
    results["pipeline"] = rate(lambda f: decode_frame(f).texts, pairs)
    base_good, base_ms = next(iter(results.values()))
    for name, (good, ms) in results.items():
        print(f"{name:>10}: {good:3d}/{len(pairs)}  {ms:6.2f} ms/image  "
              f"(x{good / base_good:.2f} decoded, x{ms / base_ms:.2f} time vs first backend)")


def token_of_about(chars: int) -> str:
    """A real, signed citizen token padded with categories to about ``chars`` characters."""
    vectors = json.loads((REPO / "tests" / "data" / "vectors.json").read_text(encoding="utf-8"))
    issuer = vectors["keys"]["issuer"]
    claims = {"iss": "jeonju", "wid": "W-7Q3M9K2X", "jti": "AAAAAAAAAAAAAAAAAAAAAA", "iat": 1767225540,
              "exp": 1767229200, "lim": 50000, "cats": []}
    while len(token := jws.sign(claims, private_from_seed(bytes.fromhex(issuer["seed_hex"])),
                                issuer["jwk"]["kid"], "jjp-pay+jwt")) < chars:
        claims["cats"].append("market")
    return token


def camera_frames(text: str | None, count: int) -> list[Frame]:
    """Noisy, slightly blurred 1280x720 frames, the code (if any) near the centre at random offsets."""
    rnd = random.Random(7)
    code = qrcode.make(text, border=4).get_image().convert("L").resize((380, 380)) if text else None
    frames = []
    for _ in range(count):
        picture = Image.new("L", (1280, 720), rnd.randrange(90, 170))
        if code:
            picture.paste(code, (450 + rnd.randrange(-80, 80), 170 + rnd.randrange(-60, 60)))
        picture = Image.blend(picture, Image.effect_noise((1280, 720), 40), 0.25).filter(ImageFilter.GaussianBlur(0.8))
        padded = Image.new("L", (1280 + 64, 720))  # rows padded as Qt lays them out
        padded.paste(picture)
        frames.append(Frame(1280, 720, 1280 + 64, padded.tobytes()))
    return frames


def timings(decode, frames, text) -> tuple[float, float, int]:
    """(p50 ms, p99 ms, frames where ``text`` was found)."""
    times, found = [], 0
    for frame in frames:
        start = time.perf_counter()
        texts = decode(frame)
        times.append((time.perf_counter() - start) * 1000)
        found += text in texts
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], found


def bench_camera() -> None:
    token = token_of_about(300)
    print(f"## Camera frames 1280x720 ({FRAMES} each; token of {len(token)} chars)")
    for backend in available_backends():
        for label, text in (("with code", token), ("empty", None)):
            frames = camera_frames(text, FRAMES)
            base = timings(backend.decode, frames, token)
            ours = timings(lambda f, b=backend: decode_camera_frame(f, b), frames, token)
            print(f"{backend.name:>10} {label:>9}: camera path p50 {ours[0]:5.2f} ms  p99 {ours[1]:5.2f} ms  "
                  f"found {ours[2]}/{FRAMES}  | whole frame p50 {base[0]:5.2f} ms  p99 {base[1]:5.2f} ms  "
                  f"found {base[2]}/{FRAMES}  (p50 x{ours[0] / base[0]:.2f})")


if __name__ == "__main__":
    bench_photographs()
    bench_camera()
