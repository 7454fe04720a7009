"""The package's error types. Each carries what went wrong and what to do about it.

The library raises these; only the CLI and the UI turn them into messages for people.
"""

from __future__ import annotations


class ProgrammeAssistantError(Exception):
    """Base class: ``str(err)`` is the problem, ``err.fix`` says what to do."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message


class ConfigError(ProgrammeAssistantError):
    """A setting has a bad value, or two settings contradict each other."""


class DocumentError(ProgrammeAssistantError):
    """One file could not be turned into a document. Names the file."""

    def __init__(self, path: str, message: str, fix: str = "") -> None:
        super().__init__(f"{path}: {message}", fix)
        self.path = path
        self.reason = message


class EmbeddingModelError(ProgrammeAssistantError):
    """The embedding model could not be found or loaded."""


class StoreError(ProgrammeAssistantError):
    """The vector store could not be opened or written."""


class EmptyIndexError(StoreError):
    """The index holds no documents: every question would be answered "not in the documents"."""


class MissingDependencyError(ProgrammeAssistantError):
    """An optional dependency is needed for a feature; says how to install it."""


class DatabaseError(ProgrammeAssistantError):
    """The app database (feedback, conversations) could not be opened, migrated or written."""


class NotFoundError(ProgrammeAssistantError):
    """A conversation (or another record) does not exist, or belongs to someone else."""
