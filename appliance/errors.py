"""One exception root for the whole package.

Every error raised on purpose by Permanence derives from :class:`PermanenceError`.
Where a matching built-in exists, the child also inherits it, so callers that
only know the built-in still catch it (``ConfigError`` is a ``ValueError``).
Messages say what was wrong, where (file, key, port) and what to do.
"""

from __future__ import annotations


class PermanenceError(Exception):
    """Root of every error Permanence raises on purpose."""


class ConfigError(PermanenceError, ValueError):
    """A configuration file or value is invalid; the message names file and key."""


class StoreError(PermanenceError, OSError):
    """The call log or another durable store cannot be read or written."""


class StoreLockedError(StoreError):
    """Another process already writes this data directory."""


class CorruptFileError(StoreError):
    """A durable file exists but cannot be parsed."""


class LineError(PermanenceError):
    """A telephone line (modem, port, simulator) failed."""


class ModemTimeout(LineError, TimeoutError):
    """A modem did not answer a command within its timeout."""


class ModemError(LineError):
    """A modem answered ERROR (or +CME/+CMS ERROR) where none was expected."""


class PortGone(LineError, OSError):
    """The serial port vanished (USB unplug) or could not be opened."""


class NotSupported(LineError):
    """The line cannot do what was asked (hold, dial out, transfer...): the caller falls back."""


class SpeechError(PermanenceError):
    """Speech recognition or synthesis failed."""


class ModelMissing(SpeechError, FileNotFoundError):
    """A speech model is not installed; the message says which file and how to install it."""


class AudioFormatError(SpeechError, ValueError):
    """Audio data is malformed or in an unsupported format."""


class QualificationError(PermanenceError, ValueError):
    """A qualification rules file is invalid."""


class AlertError(PermanenceError):
    """An alert could not be queued or delivered."""


class WebError(PermanenceError):
    """The status page could not be served."""


class DirectoryError(PermanenceError, ValueError):
    """A customer directory entry or import is invalid; the message says which field or line."""
