"""The demo's citizen wallet simulator: a fresh QR token per wallet and a button that "scans" it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from terminal.catalog import tr
from terminal.messages import won
from ui.qr_widget import QRWidget


class WalletWindow(QWidget):
    """Shows the QR of a freshly minted token; :attr:`pay_requested` hands its text to the till."""

    pay_requested = Signal(str)

    def __init__(self, wallets: dict[str, str], mint: Callable[[str], str], balance: Callable[[str], int | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.mint = mint
        self.balance_of = balance
        self.token = ""
        self.wallet = QComboBox()
        for wid, name in wallets.items():
            self.wallet.addItem(f"{name}  ({wid})", wid)
        self.wallet.currentIndexChanged.connect(lambda _i: self.new_token())
        self.balance = QLabel(objectName="walletBalance")
        self.qr = QRWidget()
        # The whole token, scrollable and copied whole (a label cut it with "…").
        self.token_text = QLineEdit(objectName="tokenText", readOnly=True)
        self.token_text.setMaximumWidth(360)
        self.copy_button = QPushButton(objectName="copyToken")
        self.copy_button.clicked.connect(lambda: QApplication.clipboard().setText(self.token))
        self.refresh_button = QPushButton(objectName="newQr")
        self.refresh_button.clicked.connect(self.new_token)
        self.pay_button = QPushButton(objectName="payWithQr")
        self.pay_button.clicked.connect(lambda: self.pay_requested.emit(self.token))
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_text, 1)
        token_row.addWidget(self.copy_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.pay_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("전주사랑상품권"), objectName="walletTitle"))
        layout.addWidget(self.wallet)
        layout.addWidget(self.balance)
        layout.addWidget(self.qr, 1)
        layout.addLayout(token_row)
        layout.addLayout(buttons)
        self.retranslate()
        self.new_token()

    def retranslate(self) -> None:
        """Texts in the current language (the till's language button switches both windows)."""
        self.setWindowTitle(tr("시민 지갑 (데모)"))
        self.copy_button.setText(tr("복사"))
        self.refresh_button.setText(tr("새 QR"))
        self.pay_button.setText(tr("이 QR로 결제"))
        self.show_balance()

    def wallet_id(self) -> str:
        """The wallet shown."""
        return self.wallet.currentData()

    def new_token(self) -> None:
        """Mint a fresh token for the wallet shown (a token pays once)."""
        self.token = self.mint(self.wallet_id())
        self.qr.set_data(self.token)
        self.token_text.setText(self.token)
        self.token_text.setCursorPosition(0)
        self.show_balance()

    def show_balance(self) -> None:
        """The city's balance for the wallet (settled payments only)."""
        amount = self.balance_of(self.wallet_id())
        self.balance.setText(tr("잔액") + f": {won(amount)}" if amount is not None else "")
