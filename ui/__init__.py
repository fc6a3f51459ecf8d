"""The Qt face of the till: a thin layer over ``terminal`` and ``sync``."""
