"""``jtill scan FILE…``: what support staff and tests read from image files."""

from __future__ import annotations

import json

import pytest
import qrcode

from cli.main import main
from conftest import VECTOR_NOW, mint
from terminal.catalog import tr
from terminal.scanning.results import NO_QR_FOUND, NOT_A_PAYMENT_CODE, PAYMENT_CODE


@pytest.fixture
def pictures(tmp_path):
    token = mint(VECTOR_NOW)
    good, other, broken = tmp_path / "token.png", tmp_path / "menu.png", tmp_path / "broken.jpg"
    qrcode.make(token).save(good)
    qrcode.make("https://example.kr/menu").save(other)
    broken.write_bytes(b"not a picture")
    return token, str(good), str(other), str(broken)


@pytest.mark.parametrize("argv", [["--json", "scan"], ["scan", "--json"]], ids=["root-flag", "sub-flag"])
def test_json_one_object_per_file(capsys, pictures, argv):
    token, good, other, broken = pictures
    assert main([*argv, good, other, broken]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"path": good, "texts": [token], "backend": "zxing-cpp", "ok": True, "error": None}
    assert lines[1]["texts"] == ["https://example.kr/menu"] and lines[1]["ok"]
    assert lines[2]["ok"] is False and lines[2]["texts"] == [] \
        and lines[2]["error"].startswith(tr("이미지를 읽을 수 없습니다: {error}", error=""))


def test_all_files_read_exits_zero(capsys, pictures):
    token, good, other, _ = pictures
    assert main(["scan", good, other]) == 0
    out = capsys.readouterr().out
    assert token in out and f"{good}: {tr(PAYMENT_CODE)}\n" in out
    assert f"{other}: {tr(NOT_A_PAYMENT_CODE)}\n" in out


def test_no_code_in_the_picture(capsys, tmp_path):
    blank = tmp_path / "blank.png"
    qrcode.make("x").get_image().point(lambda v: 255).save(blank)
    assert main(["scan", str(blank)]) == 1
    assert f"{blank}: {tr(NO_QR_FOUND)}\n" in capsys.readouterr().out
