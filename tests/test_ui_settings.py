"""Settings: camera choice (and a clear word when there is none), server URL checked before saving, language."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from terminal.catalog import tr
from ui import settings_dialog
from ui.camera_scanner import NO_CAMERA
from ui.preferences import FILE, Preferences
from ui.settings_dialog import SettingsDialog


@pytest.fixture
def no_cameras(monkeypatch):
    monkeypatch.setattr(settings_dialog, "camera_choices", lambda: [])


def press_ok(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()


def saved(home) -> dict | None:
    path = home.root / FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def test_no_camera_says_so_and_offers_only_none(qtbot, till_session, no_cameras):
    dialog = till_session.window.open_settings()
    assert dialog.no_camera.text() == tr(NO_CAMERA)
    assert not dialog.camera.isEnabled() and dialog.camera.count() == 1
    assert dialog.preferences().camera == ""


def test_a_camera_can_be_chosen(qtbot):
    dialog = SettingsDialog(Preferences(camera="0a1b"), None, cameras=[("0a1b", "USB camera")])
    qtbot.addWidget(dialog)
    assert dialog.no_camera.text() == "" and dialog.camera.isEnabled()
    assert dialog.camera.currentText() == "USB camera"
    assert dialog.preferences().camera == "0a1b"


@pytest.mark.parametrize("url, english", [
    ("city.example.kr", "The server URL must start with http:// or https://"),
    ("ftp://city.example.kr", "The server URL must start with http:// or https://"),
    ("https://", "The server URL has no host name"),
    ("https://city.example.kr:99999", "The server URL has an invalid port number"),
    ("https://city example.kr", "The server URL contains spaces"),
])
def test_bad_server_url_is_explained_and_nothing_is_saved(qtbot, till_session, no_cameras, url, english):
    window = till_session.window
    dialog = window.open_settings()
    dialog.server.setText(url)
    with qtbot.assertNotEmitted(dialog.accepted, wait=50):
        press_ok(dialog)
    assert dialog.isVisible()
    shown = dialog.server_error.text()
    assert shown.startswith("서버 주소") and tr(shown, "en") == english
    assert saved(till_session.window.home) is None and window.prefs == Preferences()


@pytest.mark.parametrize("url", ["", "https://city.example.kr", "http://127.0.0.1:8400/api"])
def test_good_server_url_or_none_is_accepted(qtbot, no_cameras, url):
    dialog = SettingsDialog(Preferences(), "https://enrolled.example.kr")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.server.setText(f" {url} ")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        press_ok(dialog)
    assert dialog.server_error.text() == "" and dialog.preferences().server_url == url


def test_language_switch_persists(qtbot, till_session, no_cameras):
    window = till_session.window
    dialog = window.open_settings()
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    press_ok(dialog)
    assert saved(window.home)["language"] == "en"
    assert Preferences.load(window.home).language == "en"
    assert window.tabs.tabText(0) == "Pay"
    assert [a.text() for a in window.toolbar.actions()][-1] == "한국어"

    window.toggle_language()
    assert saved(window.home)["language"] == "ko"
    assert window.tabs.tabText(0) == "결제"
