"""Start-up of ``jtill gui``: one look at the journal before the window, and nothing loaded the first paint
does not need."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from terminal.home import Home
from ui.app import StartCheck, check_at_start

# Each is imported on first use: printing, the camera and sounds, QR codes, HTTP, dialogs, migrations.
NOT_AT_START = (
    "PySide6.QtMultimedia", "PySide6.QtPrintSupport", "requests", "qrcode", "PIL", "sqlite_utils",
    "terminal.print_queue", "terminal.receipt", "terminal.escpos", "ui.receipt_pdf", "ui.camera_scanner",
    "ui.customer_display", "ui.settings_dialog", "ui.setup_wizard", "ui.history_detail", "ui.refund_dialog",
    "ui.operators_dialog",
)

OPEN_WINDOW = """
import json, sys
from terminal.home import Home
from ui.app import application, open_session
app = application()
session = open_session(Home(sys.argv[1]))
app.processEvents()
print(json.dumps({"shown": session.window.isVisible(), "modules": sorted(sys.modules)}))
session.close()
"""


def test_the_start_check_opens_the_journal_once(home, monkeypatch):
    opened = []
    open_journal = Home.open_journal

    def counting(self, **kwargs):
        opened.append(self.journal_path)
        return open_journal(self, **kwargs)

    monkeypatch.setattr(Home, "open_journal", counting)
    check = check_at_start(home)
    assert (check.needs_setup, check.refusal, opened) == (False, None, [home.journal_path])


def test_a_new_folder_needs_setup_without_opening_anything(tmp_path, monkeypatch):
    def refuse(self, **kwargs):
        raise AssertionError("a folder never set up has no journal to open")

    monkeypatch.setattr(Home, "open_journal", refuse)
    assert check_at_start(Home(tmp_path / "new")) == StartCheck(needs_setup=True)


def test_the_window_opens_without_printing_camera_or_dialog_modules(home, tmp_path):
    proc = subprocess.run([sys.executable, "-c", OPEN_WINDOW, str(home.root)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    started = json.loads(proc.stdout.splitlines()[-1])
    assert started["shown"]
    assert [m for m in NOT_AT_START if m in started["modules"]] == []
