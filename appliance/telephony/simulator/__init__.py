"""The line simulator: a GSM HAT or analog voice modem at the far end of a pty.

See :class:`Simulator`; scripted callers are :class:`ScriptedCaller`.
"""

from .callers import CallHandle, CallResult, ScriptedCaller, load_corpus_callers
from .core import Recording, SentSms, Simulator, StoredSms
from .phones import PhoneResult, SimPhone

__all__ = ["CallHandle", "CallResult", "PhoneResult", "Recording", "ScriptedCaller", "SentSms", "SimPhone",
           "Simulator", "StoredSms", "load_corpus_callers"]
