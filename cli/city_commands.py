"""`jtill` subcommands for city."""


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
