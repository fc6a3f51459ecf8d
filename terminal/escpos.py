"""ESC/POS bytes for Korean thermal printers (58 mm and 80 mm): slips, the QR, the cut, the drawer kick.

Hangul goes as KS X 1001 (EUC-KR) double-byte text after ``ESC R 13`` (Korea) and ``FS &``
(double-byte mode). Some printers take nothing beyond KS X 1001, so a line holding any
character outside it (the 8,822 CP949-only syllables such as 똠 or 뷁, symbols, emoji) is drawn
with Pillow in a CJK font and sent as a raster image (``GS v 0``): never as ``?``.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess

from PIL import Image, ImageDraw, ImageFont, ImageOps

from terminal.receipt import PAPER_COLUMNS, Line, ReceiptError, Slip, layout

log = logging.getLogger(__name__)

ESC, GS, FS, DLE, EOT = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04"
INIT = ESC + b"@"
KOREA = ESC + b"R\x0d"  # international character set 13: Korea
DOUBLE_BYTE_ON = FS + b"&"  # "Kanji" mode: KS X 1001 codes are read two bytes at a time
ALIGN = {False: ESC + b"a\x00", True: ESC + b"a\x01"}  # left, centre
SIZE = {False: GS + b"!\x00", True: GS + b"!\x11"}  # normal, double width and height
CUT = GS + b"VB\x00"  # feed to the cutter, partial cut
DRAWER_KICK = ESC + b"p\x00\x19\xfa"  # pin 2, 50 ms on, 500 ms off
PAPER_STATUS = DLE + EOT + b"\x04"  # real-time status of the paper roll sensor
PAPER_END_BITS = 0x60
RASTER = GS + b"v0\x00"
PAPER_DOTS = {58: 384, 80: 576}
LINE_DOTS = 24  # Font A height; big lines are twice that
QR_MODULE_DOTS = 6
FONT_ENV = "JTILL_RECEIPT_FONT"


def ksx1001(text: str) -> bytes | None:
    """``text`` in EUC-KR when every character is in KS X 1001, else None.

    Python's ``euc_kr`` codec spells syllables outside KS X 1001 as 8-byte composition sequences
    that printers print as jamo or garbage; a character is printable as text only if it takes
    one byte (ASCII) or two.
    """
    out = bytearray()
    for ch in text:
        try:
            code = ch.encode("euc_kr")
        except UnicodeEncodeError:
            return None
        if len(code) > 2:
            return None
        out += code
    return bytes(out)


def _fc_list_korean() -> list[tuple[str, int, str]]:
    if not shutil.which("fc-list"):
        return []
    proc = subprocess.run(["fc-list", ":lang=ko", "--format", "%{file}|%{index}|%{family}|%{style}\n"],
                          capture_output=True, text=True, timeout=30, check=False)
    fonts = []
    for line in proc.stdout.splitlines():
        path, index, family, style = (line.split("|") + ["", "", ""])[:4]
        if path and index.isdigit():
            fonts.append((path, int(index), f"{family} {style}"))
    # A bold sans prints most legibly on a thermal head.
    fonts.sort(key=lambda f: ("Sans" not in f[2], "Bold" not in f[2], "KR" not in f[2], f[0]))
    return fonts


@functools.cache
def cjk_font_file() -> tuple[str, int]:
    """``(path, face index)`` of a font with Hangul: ``$JTILL_RECEIPT_FONT`` or fontconfig's choice."""
    chosen = os.environ.get(FONT_ENV)
    if chosen:
        if not os.path.isfile(chosen):
            raise ReceiptError("no_cjk_font", f"{FONT_ENV}={chosen} does not exist")
        return chosen, 0
    fonts = _fc_list_korean()
    if not fonts:
        raise ReceiptError("no_cjk_font", "fontconfig lists no font for Korean")
    return fonts[0][0], fonts[0][1]


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = cjk_font_file()
    return ImageFont.truetype(path, size, index=index)


def line_image(text: str, dots: int, *, center: bool = False, big: bool = False) -> Image.Image:
    """``text`` drawn black on white, one printed line high and the paper's width wide (mode ``1``)."""
    height = LINE_DOTS * (2 if big else 1)
    font = _font(height - 2)
    image = Image.new("1", (dots, height), 1)
    draw = ImageDraw.Draw(image)
    left = max(0, (dots - draw.textlength(text, font=font)) / 2) if center else 0
    draw.text((left, height / 2), text, font=font, fill=0, anchor="lm")
    return image


def raster(image: Image.Image) -> bytes:
    """``GS v 0``: the image as rows of bits, 1 = a printed dot."""
    bits = ImageOps.invert(image.convert("L")).convert("1")
    width_bytes = (bits.width + 7) // 8
    if bits.width % 8:
        padded = Image.new("1", (width_bytes * 8, bits.height), 0)
        padded.paste(bits, (0, 0))
        bits = padded
    return RASTER + width_bytes.to_bytes(2, "little") + bits.height.to_bytes(2, "little") + bits.tobytes()


def qr(data: str, module: int = QR_MODULE_DOTS) -> bytes:
    """The printer's own QR code (``GS ( k``): model 2, error correction M, then print."""
    payload = data.encode("ascii")

    def fn(code: bytes, body: bytes) -> bytes:
        return GS + b"(k" + (len(body) + 2).to_bytes(2, "little") + b"1" + code + body

    return (fn(b"A", b"2\x00") + fn(b"C", bytes([module])) + fn(b"E", b"1")
            + fn(b"P", b"0" + payload) + fn(b"Q", b"0"))


def encode_line(line: Line, dots: int) -> bytes:
    """One line: KS X 1001 text, or a raster image when it holds anything else."""
    text = ksx1001(line.text)
    if text is None:
        log.info("printing a line as an image: it holds characters outside KS X 1001")
        return ALIGN[False] + raster(line_image(line.text, dots, center=line.center, big=line.big))
    return ALIGN[line.center] + SIZE[line.big] + text + b"\n" + SIZE[False]


def encode_slip(slip: Slip, paper_mm: int = 80) -> bytes:
    """A whole receipt or report: set-up, lines, the QR, the thank-you line, the cut."""
    dots = PAPER_DOTS[paper_mm]
    out = bytearray(INIT + KOREA + DOUBLE_BYTE_ON)
    for line in layout(slip, PAPER_COLUMNS[paper_mm]):
        out += encode_line(line, dots)
    if slip.qr:
        out += ALIGN[True] + qr(slip.qr) + b"\n"
    out += encode_line(Line(slip.footer, center=True), dots)
    out += b"\n\n" + CUT
    return bytes(out)


def drawer_kick() -> bytes:
    """Open the cash drawer wired to the printer's drawer port."""
    return INIT + DRAWER_KICK
