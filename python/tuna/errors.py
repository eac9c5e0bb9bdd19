"""The exceptions tuna raises, with the messages the command line prints."""


class TunaError(Exception):
    """Base class of every tuna error."""


class UserError(TunaError, ValueError):
    """Something the caller can fix: a bad spec, option or file. The message says what, where
    and how to fix it."""


class InternalError(TunaError, RuntimeError):
    """A bug in tuna. Please report it with what you ran."""
