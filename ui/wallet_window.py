"""The demo's citizen wallet simulator: a fresh QR token per wallet and a button that "scans" it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from terminal.messages import won
from ui.i18n import t
from ui.qr_widget import QRWidget


class WalletWindow(QWidget):
    """Shows the QR of a freshly minted token; :attr:`pay_requested` hands its text to the till."""

    pay_requested = Signal(str)

    def __init__(self, wallets: dict[str, str], mint: Callable[[str], str], balance: Callable[[str], int | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(t("시민 지갑 (데모)", "Citizen wallet (demo)"))
        self.mint = mint
        self.balance_of = balance
        self.token = ""
        self.wallet = QComboBox()
        for wid, name in wallets.items():
            self.wallet.addItem(f"{name}  ({wid})", wid)
        self.wallet.currentIndexChanged.connect(lambda _i: self.new_token())
        self.balance = QLabel(objectName="walletBalance")
        self.qr = QRWidget()
        self.token_label = QLabel(objectName="tokenText", textInteractionFlags=Qt.TextSelectableByMouse)
        self.token_label.setMaximumWidth(360)
        refresh = QPushButton(t("새 QR", "New QR"))
        refresh.clicked.connect(self.new_token)
        pay = QPushButton(t("이 QR로 결제", "Pay with this QR"), objectName="payWithQr")
        pay.clicked.connect(lambda: self.pay_requested.emit(self.token))
        buttons = QHBoxLayout()
        buttons.addWidget(refresh)
        buttons.addWidget(pay, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("전주사랑상품권 · Jeonju local currency", objectName="walletTitle"))
        layout.addWidget(self.wallet)
        layout.addWidget(self.balance)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.token_label)
        layout.addLayout(buttons)
        self.new_token()

    def wallet_id(self) -> str:
        """The wallet shown."""
        return self.wallet.currentData()

    def new_token(self) -> None:
        """Mint a fresh token for the wallet shown (a token pays once)."""
        self.token = self.mint(self.wallet_id())
        self.qr.set_data(self.token)
        self.token_label.setText(self.token[:40] + "…")
        self.show_balance()

    def show_balance(self) -> None:
        """The city's balance for the wallet (settled payments only)."""
        amount = self.balance_of(self.wallet_id())
        self.balance.setText(t("잔액", "Balance") + f": {won(amount)}" if amount is not None else "")
