"""Field captures: record every modem session (:mod:`.writer`), read ours or pasted logs
(:mod:`.formats`), and replay them against the real line drivers (:mod:`.replay`)."""
