"""Status bar: online/offline, entries waiting for the city, last sync, and the fork alarm."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from terminal.business_day import local_time
from terminal.messages import won
from ui.i18n import t
from ui.style import repolish

ALARM_TEXT = ("⚠ 장부 불일치 경보: 결제를 멈추고 고객센터에 연락하세요",
              "⚠ FORK ALARM: journal differs from the city's record; call support")


class TillStatusBar(QStatusBar):
    """Shows the sync status dict of :func:`sync.syncer.status` plus the outcome of the last pass."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.online = QLabel(objectName="online")
        self.pending = QLabel()
        self.last_sync = QLabel()
        self.alarm = QLabel(objectName="alarm", wordWrap=True)
        self.alarm.hide()
        self.addWidget(self.alarm, 1)
        for label in (self.online, self.pending, self.last_sync):
            self.addPermanentWidget(label)
        self.set_online(None)

    def set_online(self, online: bool | None, syncing: bool = False) -> None:
        """``True`` online, ``False`` offline, ``None`` unknown (no server or no pass yet)."""
        if syncing:
            text = t("● 동기화 중", "● syncing")
        elif online is None:
            text = t("○ 서버 미확인", "○ server unknown")
        else:
            text = t("● 온라인", "● online") if online else t("● 오프라인", "● offline")
        self.online.setText(text)
        self.online.setProperty("state", "unknown" if online is None else "up" if online else "down")
        repolish(self.online)

    def show_status(self, status: dict) -> None:
        """Pending count and amount, last sync time in the till's zone, alarm (keys of ``sync.syncer.status``)."""
        self.pending.setText(
            t(f"미정산 {status['pending']}건 {won(status['pending_amount'])}",
              f"pending {status['pending']} ({won(status['pending_amount'])})")
        )
        last = status.get("last_sync")
        when = local_time(last, status["tz"], "%H:%M:%S") if last else t("없음", "never")
        self.last_sync.setText(t(f"마지막 동기화 {when}", f"last sync {when}"))
        if status.get("alarm"):
            self.raise_alarm(status.get("alarm_detail") or "")

    def raise_alarm(self, detail: str = "") -> None:
        """The loud red fork alarm, Korean over English whatever the language; it stays until a restart."""
        korean, english = ALARM_TEXT
        self.alarm.setText(f"{korean}\n{english}" + (f"  ({detail})" if detail else ""))
        self.alarm.show()
