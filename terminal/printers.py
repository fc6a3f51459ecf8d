"""Sending ESC/POS bytes to a printer named by a URI, with timeouts and a paper check.

``tcp://HOST[:PORT]`` (default port 9100), ``usb://VID:PID`` (hex), ``serial:///dev/ttyUSB0[?baud=N]``,
``file:///dev/usb/lp0`` (or any file). python-escpos supplies the transports (its USB and serial
code is the part worth having); its text encoder is not used, since it sends Hangul as ``?``:
the bytes come from :mod:`terminal.escpos` and go through each transport's ``_raw``.

Around a job on a two-way transport (all but ``file://``) the printer is asked for its paper
status (``DLE EOT 4``) before and after: a printer out of paper is refused before anything is
sent, and a printer that stops reading mid-job never answers the second question, which the
timeout turns into ``printer_stalled``. ``?status=off`` skips the questions for printers that
never answer them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from terminal.receipt import ReceiptError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
DEFAULT_PORT = 9100
DEFAULT_BAUD = 19200


class PrintError(ReceiptError):
    """The printer could not be reached or did not finish the job (``code`` keys :mod:`terminal.messages`)."""


@dataclass(frozen=True)
class PrinterAddress:
    """A parsed printer URI."""

    scheme: str
    target: str  # host, VID:PID, or a path
    port: int = DEFAULT_PORT
    baud: int = DEFAULT_BAUD
    status: bool = True  # ask DLE EOT 4 around each job

    @property
    def two_way(self) -> bool:
        return self.scheme != "file" and self.status


def parse_printer_uri(uri: str) -> PrinterAddress:
    """Check and split a printer URI; a bad one raises ``bad_printer_uri``."""
    parts = urlsplit(uri.strip())
    query = parse_qs(parts.query)
    status = query.get("status", ["on"])[0] != "off"
    try:
        if parts.scheme == "tcp" and parts.hostname:
            return PrinterAddress("tcp", parts.hostname, port=parts.port or DEFAULT_PORT, status=status)
        if parts.scheme == "usb" and parts.netloc.count(":") == 1:
            vid, pid = (int(x, 16) for x in parts.netloc.split(":"))
            return PrinterAddress("usb", f"{vid:04x}:{pid:04x}", status=status)
        if parts.scheme == "serial" and parts.path:
            baud = int(query.get("baud", [DEFAULT_BAUD])[0])
            return PrinterAddress("serial", parts.path, baud=baud, status=status)
        if parts.scheme == "file" and parts.path:
            return PrinterAddress("file", parts.path, status=False)
    except ValueError as exc:
        raise PrintError("bad_printer_uri", f"{uri!r}: {exc}") from exc
    raise PrintError("bad_printer_uri", repr(uri))


def _device(addr: PrinterAddress, timeout: float):
    from escpos import printer  # imported on first print: it loads a capabilities database

    if addr.scheme == "tcp":
        return printer.Network(addr.target, addr.port, timeout=timeout)
    if addr.scheme == "usb":
        vid, pid = (int(x, 16) for x in addr.target.split(":"))
        return printer.Usb(vid, pid, timeout=int(timeout * 1000))
    if addr.scheme == "serial":
        return printer.Serial(addr.target, baudrate=addr.baud, timeout=timeout)
    return printer.File(addr.target)


def _paper_ok(device, when: str, job: bytes = b"") -> None:
    from terminal.escpos import PAPER_END_BITS, PAPER_STATUS  # with Pillow: on first print, not at start

    device._raw(job + PAPER_STATUS)
    # The status is one byte; python-escpos's serial _read asks pyserial for 16, which waits out
    # the whole timeout on every question.
    reply = device.device.read(1) if type(device).__name__ == "Serial" else device._read()
    if not reply:
        raise PrintError("printer_stalled", f"no status reply {when} the job")
    status = bytes(reply)[-1]
    if status & PAPER_END_BITS:
        raise PrintError("printer_paper_out", f"status {status:#04x} {when} the job")


def send(uri: str, data: bytes, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Send one job; raises :class:`PrintError` if it did not go through.

    Its code says why: ``printer_unreachable``, ``printer_stalled``, ``printer_paper_out``…
    """
    from escpos.exceptions import DeviceNotFoundError

    addr = parse_printer_uri(uri)
    device = _device(addr, timeout)
    try:
        device.open()
    except (DeviceNotFoundError, OSError) as exc:
        raise PrintError("printer_unreachable", f"{uri}: {exc}".replace("\n", " ")) from exc
    try:
        if addr.two_way:
            _paper_ok(device, "before")
            # The job and the closing question in one write: a small write of its own would wait
            # for the job's ACK (Nagle and delayed ACKs: 40 ms a job on a network printer).
            _paper_ok(device, "after", data)
        else:
            device._raw(data)
    except TimeoutError as exc:  # socket.timeout is TimeoutError
        raise PrintError("printer_stalled", f"{uri}: no progress for {timeout:g} s") from exc
    except OSError as exc:  # USBError and SerialException are OSErrors too, their timeouts among them
        code = "printer_stalled" if "Timeout" in type(exc).__name__ else "printer_unreachable"
        raise PrintError(code, f"{uri}: {exc}") from exc
    finally:
        device.close()
    log.info("printed %d bytes on %s", len(data), uri)
