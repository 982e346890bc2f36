"""Errors that reach the user as one line saying what is wrong and what to do."""

from __future__ import annotations


class ForgeError(Exception):
    """Base class: the message is the whole story, shown without a traceback."""


class SpecError(ForgeError):
    """The tool name, request or samples cannot be used as given."""


class ModelError(ForgeError):
    """The model cannot be reached, is misconfigured, or misbehaved."""


class ModelReplyError(ModelError):
    """The model answered, but the answer broke off or was empty: worth another attempt."""


class LibraryError(ForgeError):
    """The tool library cannot be read or written."""


class SandboxError(ForgeError):
    """The validation sandbox could not run at all (not: a sample failed)."""
