"""Errors behavlab reports to its users: each one says what went wrong and what would be accepted."""


class BehavlabError(Exception):
    """Base of every error meant for the user; its text is shown as one line, without a traceback."""


class NotFoundError(BehavlabError):
    """A named thing (study, animal, code) does not exist."""


class ConflictError(BehavlabError):
    """The request contradicts what is already recorded (a duplicate name, a second dose)."""


class InvalidInputError(BehavlabError):
    """A value given by the user is outside what is accepted."""


class DatabaseError(BehavlabError):
    """The database cannot be opened, reached or upgraded."""


class AuditChainError(BehavlabError):
    """The audit log's hash chain does not verify."""
