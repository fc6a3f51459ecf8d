"""Image files: generated QR codes of real tokens come back exact; garbage is only "not a code"."""

from __future__ import annotations

import random

import pytest
import qrcode
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from conftest import SHARED, VECTOR_NOW, mint
from terminal.catalog import tr
from terminal.scanning import decode_image_file, looks_like_token, scan_image_file
from terminal.scanning.results import NO_QR_FOUND, NOT_A_PAYMENT_CODE, PAYMENT_CODE


@pytest.fixture(scope="module")
def token() -> str:
    return mint(VECTOR_NOW, cats=["market", "restaurant"])


def qr(text, box=6, ec=qrcode.constants.ERROR_CORRECT_M) -> Image.Image:
    code = qrcode.QRCode(error_correction=ec, box_size=box, border=4)
    code.add_data(text)
    return code.make_image().get_image().convert("L")


def saved(tmp_path, picture: Image.Image, name="photo.png") -> str:
    path = tmp_path / name
    picture.save(path)
    return str(path)


def noisy(picture: Image.Image, amount=0.25, seed=1) -> Image.Image:
    rnd = random.Random(seed)
    noise = Image.frombytes("L", picture.size, bytes(rnd.randrange(256) for _ in range(picture.width * picture.height)))
    return Image.blend(picture, noise, amount)


VARIANTS = {
    "small": lambda t: qr(t, box=2),
    "large": lambda t: qr(t, box=12),
    "rotated-90": lambda t: qr(t).rotate(90, expand=True),
    "rotated-30": lambda t: qr(t).rotate(30, Image.Resampling.BILINEAR, expand=True, fillcolor=255),
    "noisy": lambda t: noisy(qr(t)),
    "blurred": lambda t: qr(t).filter(ImageFilter.GaussianBlur(2)),
    "inverted": lambda t: ImageOps.invert(qr(t)),
    "jpeg-colour": lambda t: ImageOps.colorize(qr(t), "#202050", "#f0e8d0"),
    "low-contrast": lambda t: qr(t).point(lambda v: 110 + v // 6),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_token_comes_back_exact(tmp_path, token, variant):
    path = saved(tmp_path, VARIANTS[variant](token), "photo.jpg" if variant == "jpeg-colour" else "photo.png")
    result = scan_image_file(path)
    assert result.texts == (token,)
    assert result.tokens == (token,) and result.message() == tr(PAYMENT_CODE)


def test_small_code_in_a_large_noisy_frame(tmp_path, token):
    frame = noisy(Image.new("L", (1280, 720), 150), 0.2)
    frame.paste(qr(token, box=3), (900, 380))
    assert decode_image_file(saved(tmp_path, frame)) == [token]


def test_two_codes_in_one_frame_token_first(tmp_path, token):
    frame = Image.new("L", (1400, 800), 255)
    frame.paste(qr("https://example.kr/menu", box=5), (40, 100))
    frame.paste(qr(token, box=4), (700, 100))
    assert decode_image_file(saved(tmp_path, frame)) == [token, "https://example.kr/menu"]


def test_transparent_png(tmp_path, token):
    picture = qr(token).convert("LA")
    picture.putalpha(picture.getchannel("L").point(lambda v: 0 if v > 128 else 255))
    assert decode_image_file(saved(tmp_path, picture)) == [token]


def test_random_pixels(tmp_path):
    result = scan_image_file(saved(tmp_path, noisy(Image.new("L", (800, 600)), 1.0)))
    assert (result.ok, result.texts, result.message()) == (False, (), tr(NO_QR_FOUND))


def test_huge_image_is_refused_clearly(tmp_path):
    path = saved(tmp_path, Image.new("1", (9000, 6000), 1))
    result = scan_image_file(path)
    assert not result.ok and result.error == tr("이미지가 너무 큽니다 ({width}x{height})", width=9000, height=6000)
    assert decode_image_file(path) == []


def test_non_qr_barcode(tmp_path):
    ean = zxingcpp.create_barcode("8801234567893", zxingcpp.BarcodeFormat.EAN13)
    bars = zxingcpp.write_barcode_to_image(ean, scale=4)
    view = memoryview(bars)
    picture = Image.frombytes("L", (view.shape[1], view.shape[0]), bytes(view))
    result = scan_image_file(saved(tmp_path, ImageOps.expand(picture, 40, fill=255)))
    assert result.texts == () and result.message() == tr(NO_QR_FOUND)


def test_qr_of_3kb_binary_is_not_a_payment_code(tmp_path):
    blob = random.Random(3).randbytes(2900)
    result = scan_image_file(saved(tmp_path, qr(blob, box=2, ec=qrcode.constants.ERROR_CORRECT_L)))
    assert result.ok and result.tokens == ()
    assert result.message() == tr(NOT_A_PAYMENT_CODE)


def test_other_texts_are_not_tokens(token):
    header, payload, signature = token.split(".")
    for text in ["", "hello", "a.b.c", token + ".x", f"{header}.{payload}", "가.나.다", "x" * 5000,
                 f"{header}.{payload}.{signature}=="]:
        assert not looks_like_token(text)
    assert looks_like_token(token)


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n truncated"])
def test_unreadable_files(tmp_path, content):
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    result = scan_image_file(path)
    assert not result.ok and "이미지를 읽을 수 없습니다" in result.error
    assert decode_image_file(path) == []


def test_missing_file():
    assert "이미지를 읽을 수 없습니다" in scan_image_file("/nonexistent/photo.png").error


def _sample_pairs():
    root = SHARED / "qr-samples"
    for txt in sorted(root.glob("*/*.txt")):
        images = [p for p in txt.parent.iterdir() if p.stem == txt.stem and p.suffix != ".txt"]
        if images:
            # Bytes, to keep the samples' CRLFs; some files also end in one newline too many.
            yield images[0], txt.read_bytes().decode("utf-8")


@pytest.mark.shared
def test_real_photographs(shared_dir):
    if not (shared_dir / "qr-samples").is_dir():
        pytest.skip("../shared/qr-samples is not present")
    pairs = list(_sample_pairs())
    decoded = sum(
        1 for path, expected in pairs
        if {expected, expected.removesuffix("\n")} & set(scan_image_file(path).texts)
    )
    assert len(pairs) == 137 and decoded >= 130
