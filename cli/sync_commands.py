"""`jtill` subcommands for sync."""


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
