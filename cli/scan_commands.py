"""``jtill scan FILE…``: decode the QR codes in image files (for support and tests)."""

from __future__ import annotations

from cli.output import command, dumps, wants_json
from terminal.catalog import tr


def register(sub) -> None:
    """Add ``scan`` to the jtill parser."""
    p = command(sub, "scan", tr("이미지의 QR 코드 읽기"), cmd_scan)
    p.add_argument("files", nargs="+", metavar="FILE", help=tr("이미지 파일 (PNG, JPEG, WebP, …)"))


def _human(result) -> str:
    lines = [f"{result.source}: {result.message()}"]
    lines += [f"  {text}" for text in result.texts]
    if result.backend:
        lines.append("  " + tr("(디코더: {backend})", backend=result.backend))
    return "\n".join(lines)


def cmd_scan(args) -> int:
    """Print, per file, the texts found; exit 1 when any file had no code or could not be read."""
    from terminal.scanning import scan_image_file

    all_ok = True
    for path in args.files:
        result = scan_image_file(path)
        all_ok &= result.ok
        print(dumps(result.as_json()) if wants_json(args) else _human(result), flush=True)
    return 0 if all_ok else 1
