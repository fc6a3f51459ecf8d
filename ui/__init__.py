"""The Qt face of the till: a thin layer over ``terminal`` and ``sync``."""

from ui.none_refcount import keep_none_alive

keep_none_alive()  # before any widget exists: see ui/none_refcount.py
