"""The customer directory: numbers -> name, company, site, contract level.

The business imports it from a CSV or vCard export (:mod:`.importers`) and edits it on the status
page; the call handler looks up the caller id (:meth:`Directory.known_caller`) and the speech
engineer's recogniser takes its names and companies as phrases (:class:`PhraseSource`)::

    d = Directory(data_dir, cfg.directory, country="FR")
    d.known_caller("0612345678")      # -> conversation.base.KnownCaller | None
    d.phrases()                       # -> ["Mme Gale", "Gale & Fils", ...]
"""

from __future__ import annotations

from typing import Protocol

from .model import Contact
from .store import Directory, ImportReport


class PhraseSource(Protocol):
    """Words a recogniser should expect: the directory's names and companies, each once."""

    def phrases(self) -> list[str]: ...


__all__ = ["Contact", "Directory", "ImportReport", "PhraseSource"]
