"""The till's main window: pay, history and report tabs, sync status, and every scan source."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QTabWidget, QToolBar, QVBoxLayout, QWidget

from sync import syncer
from sync.summary import SyncSummary
from terminal import operators, tokens
from terminal.catalog import LANGUAGE_NAMES, N_, language, ptr, set_language, tr
from terminal.home import Home
from ui import i18n
from ui.bridge import CoreBridge
from ui.history_list import HistoryList
from ui.operations import TillOp
from ui.operator_gate import LockScreen, OperatorBar, as_owner
from ui.pay_tab import PayTab
from ui.preferences import Preferences
from ui.qt_translations import use_qt_translations
from ui.rejection_inbox import AlertBar, InboxDialog
from ui.report_tab import ReportTab
from ui.status_bar import TillStatusBar
from ui.sync_runner import SyncRunner
from ui.tasks import TaskManager
from ui.wedge_capture import WedgeCapture

if TYPE_CHECKING:
    from ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

TITLE = N_("전주사랑상품권 단말기")


class MainWindow(QMainWindow):
    """Wires the tabs to the core bridge and the sync runner; scans of every kind enter at :attr:`token_scanned`."""

    token_scanned = Signal(str)  # the wedge scanner, the camera, the demo wallet: one path into the pay tab
    built = Signal()  # the tabs were (re)built: hooks on them must attach again
    preferences_applied = Signal(object)  # Preferences
    language_changed = Signal(str)  # ``ko`` or ``en``, after every text was re-set

    def __init__(self, tasks: TaskManager, bridge: CoreBridge, home: Home, server_url: str | None = None,
                 parent: QWidget | None = None, *, lock: bool = True):
        super().__init__(parent)
        self.tasks = tasks
        self.bridge = bridge
        self.home = home
        self.server_override = server_url
        self.enrolled_url: str | None = None
        self.merchant_name = ""
        self.issuer: tuple[dict, str] | None = None  # (issuer keys, issuer) once the config is read
        self.camera = None
        self.prefs = Preferences.load(home)
        set_language(self.prefs.language)
        use_qt_translations(self.prefs.language)
        self.sync = SyncRunner(tasks, self.server_url, self)
        bridge.sync_started.connect(lambda: self.status.set_online(self.online, syncing=True))
        bridge.sync_finished.connect(self._sync_finished)
        bridge.sync_failed.connect(self._sync_finished)
        self.online: bool | None = None
        self.staff: list[operators.Operator] = []  # registered operators (empty: no PINs on this till)
        self.upload_for_close = False
        self.token_scanned.connect(self._pay_scanned)

        bridge.payment_accepted.connect(self._journal_changed)
        bridge.refund_recorded.connect(self._journal_changed)
        bridge.day_closed.connect(self._journal_changed)
        bridge.config_changed.connect(self._config_changed)
        bridge.fork_alarm.connect(lambda detail: self.status.raise_alarm(str(detail)))
        self.resize(1100, 720)
        self.lock_screen = LockScreen(tasks, self)
        self.lock_screen.signed_in.connect(lambda _op: self.load_operator())
        self.build()
        if lock:  # not right after the setup wizard, which signed the owner in
            self.lock_screen.lock()  # when operators are registered, someone signs in first
        self.wedge = WedgeCapture(self, is_valid=self._signature_ok)
        self.wedge.scanned.connect(self.token_scanned)
        self.wedge.unreadable.connect(lambda message: self.pay_tab.show_message(message))
        self.start_camera()

    def _pay_scanned(self, text: str) -> None:
        if not self.lock_screen.isHidden():
            self.lock_screen.error.setText(tr("먼저 계산원을 선택하고 PIN을 입력하세요"))
            return  # nobody is signed in: no sale
        # The amount may still sit in the wedge capture's hold (it waits ~80 ms to tell a scan
        # from typing): deliver it before the pay tab reads it, or 7,000 could be charged as 700.
        self.wedge.flush()
        self.tabs.setCurrentWidget(self.pay_tab)  # the result must be seen, whichever tab was open
        self.pay_tab.submit_token(text)

    # -- building once; texts again when the language changes ---------------------------

    def build(self) -> None:
        """Create the tabs, status bar and tool bar once, then load their data.

        A language switch only re-sets texts (:meth:`retranslate`): rebuilding widgets from the slot of
        an action that the rebuild deletes crashed the till, and lost the amount being typed.
        """
        self.pay_tab = PayTab(self.tasks)
        self.pay_tab.confirm_over = self.prefs.confirm_over
        self.pay_tab.result_shown.connect(self._let_camera_rescan)
        self.history = HistoryList(self.tasks)
        self.history_stale = True  # loaded when first shown (see refresh_history)
        self.report = ReportTab(self.tasks)
        self.tabs = QTabWidget(objectName="tabs")
        for tab in (self.pay_tab, self.history, self.report):
            self.tabs.addTab(tab, "")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.operator_bar = OperatorBar()
        self.operator_bar.lock_button.clicked.connect(self.lock_screen.lock)
        self.tabs.setCornerWidget(self.operator_bar)
        self.alerts = AlertBar(self.tasks)
        self.alerts.review.connect(self.open_inbox)
        self.report.upload_requested.connect(self._upload_for_close)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.alerts)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status = TillStatusBar()
        self.setStatusBar(self.status)
        self.status.set_online(self.online)
        self.toolbar = QToolBar(objectName="actions", movable=False, floatable=False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.toolbar.toggleViewAction().setEnabled(False)  # no way to hide the till's only buttons
        self.addToolBar(Qt.TopToolBarArea, self.toolbar)
        self.sync_action = QAction(self, objectName="syncNow", triggered=self.sync.request)
        self.settings_action = QAction(self, objectName="settings", triggered=self.open_settings)
        self.operators_action = QAction(self, objectName="operators", triggered=self.open_operators)
        self.language_action = QAction(self, objectName="language", triggered=self.toggle_language)
        for action in (self.sync_action, self.settings_action, self.operators_action, self.language_action):
            self.toolbar.addAction(action)
        self.retranslate()
        self.pay_tab.focus_amount()  # digits typed right after launch land in the amount
        self.load()
        self.built.emit()

    def retranslate(self) -> None:
        """Every text in the current language; no widget is replaced, nothing typed is lost."""
        for index, label in enumerate((ptr("tab", "결제"), tr("거래 내역"), tr("리포트 · 마감"))):
            self.tabs.setTabText(index, label)
        self.sync_action.setText(tr("지금 동기화"))
        self.settings_action.setText(tr("설정"))
        self.operators_action.setText(tr("직원 관리"))
        self.language_action.setText(LANGUAGE_NAMES["en" if language() == "ko" else "ko"])
        self.pay_tab.retranslate()
        self.history.retranslate()
        self.refresh_status()
        self.report.retranslate()
        self.alerts.retranslate()
        self.operator_bar.retranslate()
        self.lock_screen.retranslate()
        self.status.set_online(self.online)
        self._update_title()

    def load(self) -> None:
        """Read merchant, enrolled server, history, report and sync status from the till."""
        TillOp(self.tasks, _identity).success(self._got_identity).failure(self.pay_tab.show_refusal).run()
        self.refresh_history()
        if self.tabs.currentWidget() is self.report:  # else when it is shown: a Z report is not free at start
            self.report.refresh()
        self.refresh_status()
        self.load_operator()
        self.alerts.refresh()  # rejections not yet acknowledged shout from the start

    def load_operator(self) -> None:
        """Show who is at the till; remember the registered operators (they decide where PINs are asked)."""
        TillOp(self.tasks, _operators).success(self._got_operators).failure(self.pay_tab.show_refusal).run()

    def _got_operators(self, found: tuple) -> None:
        self.staff, current, operator_id = found
        self.operator_bar.show_operator(current, operator_id)

    def _got_identity(self, identity: tuple) -> None:
        self.merchant_name, self.enrolled_url, self.issuer = identity
        self._update_title()

    def _let_camera_rescan(self, outcome) -> None:
        # After a refusal the customer may hold up the same code again (e.g. once the amount is typed).
        if self.camera is not None and not getattr(outcome, "accepted", False):
            self.camera.forget_recent()

    def _signature_ok(self, text: str) -> bool:
        # Lets the wedge capture repair a scan mangled by a Korean keyboard layout.
        if self.issuer is None:
            return True
        try:
            tokens.parse_and_verify(text, *self.issuer)
        except tokens.Declined:
            return False
        return True

    def start_camera(self) -> None:
        """Scan with the camera chosen in the settings (none: only the wedge scanner and paste)."""
        if self.camera is not None:
            self.camera.close()
            self.camera = None
        if not self.prefs.camera:
            return
        from ui.camera_scanner import CameraScanner  # Qt Multimedia only when a camera is used

        self.camera = CameraScanner(self)
        self.camera.scanned.connect(self.token_scanned)
        self.camera.message.connect(self._camera_message)
        self.camera.start(bytes.fromhex(self.prefs.camera))

    def _camera_message(self, message: str) -> None:
        log.warning("camera: %s", message)
        self.status.showMessage(message, 10_000)

    def _update_title(self) -> None:
        title = tr(TITLE)
        self.setWindowTitle(f"{title} · {self.merchant_name}" if self.merchant_name else title)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.pay_tab:
            self.pay_tab.focus_amount()
        if self.tabs.widget(index) is self.history and self.history_stale:
            self.refresh_history()
        if self.tabs.widget(index) is self.report:
            self.report.refresh(self.report.report["biz_date"] if self.report.report else None)

    # -- events -----------------------------------------------------------------------

    def server_url(self) -> str | None:
        """Where to sync: ``--server``, else the settings, else the server enrolled with."""
        return self.server_override or self.prefs.server_url or self.enrolled_url

    def refresh_status(self) -> None:
        """Reload pending counts, last sync and the alarm flag."""
        TillOp(self.tasks, syncer.status).success(self.status.show_status).failure(self._status_failed).run()

    def _status_failed(self, exc: Exception) -> None:
        log.error("reading the sync status failed", exc_info=exc)
        self.status.showMessage(i18n.error_lines(exc, " / "), 10_000)

    def refresh_history(self) -> None:
        """Reload History now if it is on screen, else when it is next shown.

        Filling its table costs the GUI thread about a millisecond per entry; done behind the pay
        screen after every sync it froze the keypad for seconds on a busy day.
        """
        self.history_stale = self.tabs.currentWidget() is not self.history
        if not self.history_stale:
            self.history.refresh()

    def _journal_changed(self, _entry) -> None:
        self.refresh_history()
        self.refresh_status()
        self.alerts.refresh()
        if self.online is not False:
            self.sync.request()

    def _config_changed(self, _cfg) -> None:
        # The sync pass imported it on its own connection; the DB worker's Till must read it again.
        self.tasks.reopen_till()
        self.load()

    def _sync_finished(self, summary: SyncSummary) -> None:
        log.info("sync pass: %s", summary.as_json())
        status = summary.status
        self.online = True if status in ("ok", "fork") else False if status == "offline" else None
        self.status.set_online(self.online)
        self.refresh_history()
        self.refresh_status()
        self.alerts.refresh()  # a rejection the city just sent back raises the alert
        if self.upload_for_close:
            self.upload_for_close = False
            self.report.show_upload_outcome(summary)

    def _upload_for_close(self) -> None:
        self.upload_for_close = True
        self.sync.request()

    # -- actions ----------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog | None:
        """Edit camera, server URL and language (behind the owner's PIN once an owner is registered)."""
        if any(op.is_owner for op in self.staff):
            as_owner(self.tasks, self, "settings", tr("설정"),
                     lambda till, pin: operators.authorize(till.journal, "settings", pin, int(till.clock() * 1000)),
                     lambda _owner: self._settings_dialog(), self.pay_tab.show_refusal)
            return None
        return self._settings_dialog()

    def _settings_dialog(self) -> SettingsDialog:
        from ui.settings_dialog import SettingsDialog  # with the printer and camera settings: not at start

        dialog = SettingsDialog(self.prefs, self.enrolled_url, self)
        dialog.accepted.connect(lambda: self.apply_preferences(dialog.preferences()))
        dialog.open()
        return dialog

    def open_operators(self) -> None:
        """Operator management, behind the owner's PIN."""
        def opened(pin: str | None) -> None:
            from ui.operators_dialog import OperatorsDialog  # only the owner, only when asked

            self.operators_dialog = OperatorsDialog(self.tasks, pin, self)
            self.operators_dialog.changed.connect(lambda _ops: self.load_operator())
            self.operators_dialog.open()

        as_owner(self.tasks, self, "operators", tr("직원 관리"),
                 lambda till, pin: operators.authorize(till.journal, "operators", pin, int(till.clock() * 1000))
                 and pin, opened, self.pay_tab.show_refusal)

    def open_inbox(self) -> InboxDialog:
        """The rejected entries waiting for the owner."""
        self.inbox = InboxDialog(self.tasks, self.alerts.state["rejected"], self)
        self.inbox.acknowledged.connect(lambda _n: self.alerts.refresh())
        self.inbox.open()
        return self.inbox

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.lock_screen.resize_to_parent()

    def apply_preferences(self, prefs: Preferences) -> None:
        """Save new preferences; re-set the texts if the language changed, sync if the server did."""
        language_changed = prefs.language != self.prefs.language
        camera_changed = prefs.camera != self.prefs.camera
        server_changed = prefs.server_url != self.prefs.server_url
        self.prefs = prefs
        prefs.save(self.home)
        self.pay_tab.confirm_over = prefs.confirm_over
        if language_changed:
            set_language(prefs.language)
            use_qt_translations(prefs.language)
            self.retranslate()
            self.language_changed.emit(prefs.language)
        if camera_changed:
            self.start_camera()
        if server_changed:
            self.sync.request()
        self.preferences_applied.emit(prefs)

    def toggle_language(self) -> None:
        """Switch labels between Korean and English."""
        lang = "en" if self.prefs.language == "ko" else "ko"
        self.apply_preferences(dataclasses.replace(self.prefs, language=lang))

    def keyPressEvent(self, event) -> None:
        # A key nobody took (focus on a tab or a tool button): on the pay screen it belongs to the amount.
        if self.tabs.currentWidget() is self.pay_tab and event.text().isdigit():
            self.pay_tab.focus_amount()
            self.pay_tab.amount.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        self.sync.stop()
        self.wedge.stop()
        if self.camera is not None:
            self.camera.close()
        super().closeEvent(event)


def _operators(till) -> tuple:
    return operators.all_operators(till.journal), operators.current(till), till.operator


def _identity(till) -> tuple:
    cfg = till.config
    return cfg.merchant["name"], syncer.server_url(till), (cfg.issuer_keys, cfg.issuer)
