"""`jtill` subcommands for scan."""


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
