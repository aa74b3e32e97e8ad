"""Speech on the line: 16-bit 8 kHz audio in 20 ms frames, recognition, synthesis, turn-taking.

Modules (each docstring says what other areas call):

* :mod:`.audio` — modem formats (s16le, u8, mu-law, A-law) <-> 16-bit PCM,
  :class:`~.audio.FrameAssembler`, soxr :func:`~.audio.resample` and
  :class:`~.audio.StreamResampler`; bad audio raises ``AudioFormatError``.
* :mod:`.vad` — :class:`~.vad.VoiceActivityDetector`, adaptive noise floor, robust to
  hiss and 50 Hz hum; :mod:`.vad_models` — Silero (the call VAD, chosen by measurement) and
  webrtcvad frame decisions for it.
* :mod:`.noise` — street, workshop and car background noise, synthesised from a seed.
* :mod:`.bias` — the business's words for the recogniser (Whisper hotwords, a vosk grammar
  beside free speech).
* :mod:`.recording` — :class:`~.recording.CallRecorder`: stereo WAV per call
  (left caller, right box), written to ``.partial`` then renamed on close.
* :mod:`.models` — finds vosk / Whisper / piper / espeak-ng offline;
  ``ModelMissing`` says which file and how to install it.
* :mod:`.recognizer` — ``Recognizer``/``Utterance``, :func:`~.recognizer.load_recognizer`;
  engines in :mod:`.vosk_engine` (streaming, grammar, shared model) and
  :mod:`.whisper_engine` (faster-whisper fed by the VAD).
* :mod:`.phrases` — grammars from a ``ListenSpec``, spoken digits, yes/no, when a turn is
  complete or unfinished (words in the language file, ``rules/<lang>.lang.toml`` ``[turns]``).
* :mod:`.synthesizer` — piper and espeak-ng at 8 kHz, :class:`~.synthesizer.PromptCache`,
  :func:`~.synthesizer.load_synthesizer`.
* :mod:`.turns` — :class:`~.turns.Listener`: end of turn, no speech, barge-in.
* :mod:`.voices` — synthetic caller voices for the line simulator and tests.
* :mod:`.cli` — ``permanence speech models|say|transcribe``.
"""
