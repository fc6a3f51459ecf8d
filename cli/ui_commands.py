"""`jtill` subcommands for ui."""


def register(sub) -> None:
    """Add this module's subcommands to the jtill parser."""
