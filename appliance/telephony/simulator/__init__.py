"""The line simulator: a GSM HAT or analog voice modem at the far end of a pty.

See :class:`Simulator`; scripted callers are :class:`ScriptedCaller`.
"""

from .callers import CallHandle, CallResult, ScriptedCaller, load_corpus_callers
from .core import Recording, SentSms, Simulator, StoredSms

__all__ = ["CallHandle", "CallResult", "Recording", "ScriptedCaller", "SentSms", "Simulator", "StoredSms",
           "load_corpus_callers"]
