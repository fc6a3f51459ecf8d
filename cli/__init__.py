"""The ``jtill`` command line: a thin face over ``terminal``, ``sync`` and ``city``."""
