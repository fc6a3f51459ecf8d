"""Entry points of the desktop till: ``run_till`` for a shop, ``run_demo`` for a self-contained demo."""

from __future__ import annotations

import gc
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from terminal.catalog import tr
from terminal.checkout import Till
from terminal.home import Home, HomeError
from terminal.journal import JournalError
from ui import log_file, style
from ui.bridge import CoreBridge
from ui.main_window import MainWindow
from ui.peripherals import Peripherals
from ui.preferences import Preferences
from ui.tasks import TaskManager

DEMO_MERCHANT = ("M-DEMO-0001", "한옥마을 비빔밥", "food")
DEMO_WALLETS = {"W-DEMO-KIM-0001": "김전주", "W-DEMO-LEE-0002": "이한옥"}
DEMO_FUNDS = 200_000


def application() -> QApplication:
    """The QApplication (created once) with the till's font and style."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("jtill")
    style.apply(app)
    return app


@contextmanager
def quit_on_signals(app: QApplication) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT close the windows and end ``app.exec()``, so cleanup code runs."""
    def close_everything() -> None:
        app.closeAllWindows()
        app.quit()

    def handler(_signum, _frame) -> None:
        QTimer.singleShot(0, close_everything)  # from the event loop, not from inside whatever was running

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    # Python runs a signal handler only when it next executes bytecode; while Qt's loop sleeps in C++
    # it never would, so a timer wakes the interpreter now and then.
    wake = QTimer(interval=250)
    wake.timeout.connect(lambda: None)
    wake.start()
    try:
        yield
    finally:
        wake.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)


class TillSession:
    """The bridge, the task manager and the main window of one till, and their orderly shutdown."""

    def __init__(self, home: Home, server_url: str | None = None, clock: Callable[[], float] | None = None, *,
                 lock: bool = True):
        self.bridge = CoreBridge()
        self.tasks = TaskManager.for_home(home, clock)
        self.window = MainWindow(self.tasks, self.bridge, home, server_url, lock=lock)
        self.peripherals = Peripherals(self.window, self.bridge, self.window)

    def close(self) -> None:
        """Stop syncing and printing, finish queued work, close the journal, stop listening to the core."""
        self.window.sync.stop()
        self.peripherals.close()
        self.tasks.shutdown()
        self.bridge.close()


@dataclass(frozen=True)
class StartCheck:
    """What the one look at the journal before any window found."""

    needs_setup: bool = False  # never initialised, or a journal never enrolled (no config)
    refusal: str | None = None  # why this till must take no payments (journal missing, swapped or damaged)


def check_at_start(home: Home) -> StartCheck:
    """Open the journal once: does ``home`` need the first-run wizard, or must it be refused?

    The refusal comes from a quick integrity check; damage it finds is remembered, so every later
    payment is refused too.
    """
    if not home.exists() and home.journal_id() is None:
        return StartCheck(needs_setup=True)
    try:
        till = Till(home)
    except (HomeError, JournalError) as exc:
        return StartCheck(refusal=str(exc))
    try:
        home.check_journal(till.journal, quick=True)
    except JournalError as exc:
        return StartCheck(refusal=str(exc))
    finally:
        till.close()
    return StartCheck(needs_setup=not till.configured)


def open_session(home: Home, server_url: str | None = None) -> TillSession | None:
    """What ``jtill gui`` does before its event loop: the start check, the first-run wizard if needed, then
    the till's window, shown. None when the wizard was cancelled or the journal refused (a dialog said why).
    """
    check = check_at_start(home)
    if check.refusal:
        QMessageBox.critical(None, tr("장부 문제"), check.refusal)
        return None
    if check.needs_setup:
        from ui.setup_wizard import SetupWizard

        if SetupWizard(home, server_url).exec() != QDialog.Accepted:
            return None
    session = TillSession(home, server_url, lock=not check.needs_setup)  # the wizard signed the owner in
    session.window.show()
    keep_out_of_full_collections()
    return session


def keep_out_of_full_collections() -> None:
    """Move what start-up made (Qt's bindings, the core, the window: it lives as long as the till) out of
    the collector's reach. A full collection scanned it all and stopped every thread for about 50 ms,
    whichever thread it ran in: the worst stall of the pay screen during a sync (benchmarks/bench_ui.py)."""
    gc.freeze()


def run_till(home: Home, server_url: str | None = None) -> int:
    """Open the till window for ``home`` (:func:`open_session`) and run until it is closed; returns the exit
    status (1 when the wizard was cancelled or the journal refused).
    """
    app = application()
    home.root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with quit_on_signals(app), ExitStack() as cleanup:  # undone in reverse: session, log
        cleanup.callback(log_file.install(home.root))
        session = open_session(home, server_url)
        if session is None:
            return 1
        cleanup.callback(session.close)
        session.window.sync.start()
        return app.exec()


def demo_setup(root: Path):
    """An in-process city server with one merchant and funded wallets, and a till enrolled with it."""
    from city.server import serve_in_thread
    from sync.enroll import enroll

    server = serve_in_thread(root / "city")
    city = server.city
    merchant_id, name, category = DEMO_MERCHANT
    city.add_merchant(merchant_id, name, category)
    for wid in DEMO_WALLETS:
        city.add_wallet(wid, DEMO_FUNDS)
    home = Home(root / "till")
    enroll(home, server.url, city.enroll_code(merchant_id), trust_file=city.data.public_config_key_path,
           label="demo till")
    # The demo shows the customer display as a setting, so Settings shows it ticked and can turn it off.
    Preferences(customer_display=True).save(home)
    return server, home


def connect_wallet(session: TillSession, wallet) -> None:
    """The demo wallet pays through the till's one scan entry and follows its results and language."""
    window = session.window
    wallet.pay_requested.connect(window.token_scanned)  # as if the till had scanned the phone
    session.bridge.sync_finished.connect(lambda _summary: wallet.show_balance())
    window.pay_tab.result_shown.connect(lambda _result: wallet.new_token())
    window.language_changed.connect(wallet.retranslate)


def run_demo() -> int:
    """A temporary city server, an enrolled till and a citizen wallet simulator, all in this process."""
    from ui.wallet_window import WalletWindow

    root = Path(tempfile.mkdtemp(prefix="jtill-demo-"))
    app = application()
    with ExitStack() as cleanup:  # undone in reverse: session, server, signal handlers, folder
        cleanup.callback(shutil.rmtree, root, ignore_errors=True)
        cleanup.enter_context(quit_on_signals(app))
        print(tr("데모 폴더: {path}", path=root), flush=True)  # from here on, SIGTERM removes it
        server, home = demo_setup(root)
        cleanup.callback(log_file.install(home.root))
        cleanup.callback(server.stop)
        session = TillSession(home)
        cleanup.callback(session.close)
        city = server.city

        def balance(wid: str) -> int | None:
            wallet = city.wallet(wid)
            return wallet["balance"] if wallet else None

        wallet = WalletWindow(DEMO_WALLETS, lambda wid: city.mint_token(wid), balance)
        connect_wallet(session, wallet)
        session.window.show()
        wallet.move(session.window.geometry().right() + 20, session.window.geometry().top())
        wallet.show()
        keep_out_of_full_collections()
        display = session.peripherals.open_customer_display()  # opened by the setting; placed here
        if not display.isFullScreen():  # one screen: below the wallet, clear of the till
            display.move(wallet.geometry().left(), wallet.frameGeometry().bottom() + 20)
        session.window.sync.start()
        return app.exec()
