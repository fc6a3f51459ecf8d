"""Status bar: online/offline, entries waiting for the city, last sync, and the fork alarm."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from terminal.business_day import local_time
from terminal.catalog import N_, ntr, ptr, tr
from terminal.messages import won
from ui.style import repolish

ALARM_TEXT = N_("⚠ 장부 불일치 경보: 결제를 멈추고 고객센터에 연락하세요")


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
            text = tr("● 동기화 중")
        elif online is None:
            text = tr("○ 서버 미확인")
        else:
            text = tr("● 온라인") if online else tr("● 오프라인")
        self.online.setText(text)
        self.online.setProperty("state", "unknown" if online is None else "up" if online else "down")
        repolish(self.online)

    def show_status(self, status: dict) -> None:
        """Pending count and amount, last sync time in the till's zone, alarm (keys of ``sync.syncer.status``)."""
        self.pending.setText(
            ntr("미정산 {n}건 {amount}", "미정산 {n}건 {amount}", status["pending"],
                amount=won(status["pending_amount"]))
        )
        last = status.get("last_sync")
        when = local_time(last, status["tz"], "%H:%M:%S") if last else ptr("status_bar", "없음")
        self.last_sync.setText(tr("마지막 동기화 {when}", when=when))
        if status.get("alarm"):
            self.raise_alarm(status.get("alarm_detail") or "")

    def raise_alarm(self, detail: str = "") -> None:
        """The loud red fork alarm, Korean over English whatever the language; it stays until a restart."""
        korean, english = tr(ALARM_TEXT, "ko"), tr(ALARM_TEXT, "en")
        self.alarm.setText(f"{korean}\n{english}" + (f"  ({detail})" if detail else ""))
        self.alarm.show()
