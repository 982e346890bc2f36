"""Errors that reach the user as one line saying what is wrong and what to do."""

from __future__ import annotations


class ForgeError(Exception):
    """Base class: the message is the whole story, shown without a traceback."""


class SpecError(ForgeError):
    """The tool name, request or samples cannot be used as given."""


class ModelError(ForgeError):
    """The model cannot be reached, is misconfigured, or misbehaved."""


class ModelUnreachable(ModelError):
    """Nothing answered at the model's address (down, or stopping): a local one can be restarted."""


class ModelReplyError(ModelError):
    """The model answered, but the answer broke off or was empty: worth another attempt."""


class LibraryError(ForgeError):
    """The tool library cannot be read or written."""


class SandboxError(ForgeError):
    """The validation sandbox could not run at all (not: a sample failed)."""


CANCELLED = "forge cancelled; nothing saved"
AGENT_CANCELLED = "agent cancelled; nothing more was saved"


class ForgeCancelled(KeyboardInterrupt):
    """The person interrupted a forge before anything was saved: one line, no traceback.

    A KeyboardInterrupt, so it stays an interrupt everywhere (``except Exception`` does
    not swallow it, a notebook's Run All stops); adapters raise it in place of the
    interrupt that broke into the model's stream (hundreds of lines of httpx frames).
    """

    def __init__(self, message: str = CANCELLED) -> None:
        super().__init__(message)
