"""The computer's microphone and speakers for ``permanence demo --mic`` / ``--type``.

Audio I/O goes through `sounddevice <https://python-sounddevice.readthedocs.io>`_ (PortAudio,
Debian's ``libportaudio2``), imported only here and only when asked for. A source yields
16-bit mono PCM at 8 kHz — the telephone rate the box hears on a call — whatever the device
gives: the microphone is opened at 16 kHz when the device allows it (else at its own rate)
and resampled with soxr. :class:`WavSource` reads a recorded WAV in place of the device, so the
same path is testable without a sound card: :func:`split_turns` cuts it at the speaker's pauses
and each part is said as one turn of the call, after the box has replied, as a person would.

>>> # with open_microphone() as mic:
>>> #     for pcm in mic.chunks(): ...        # 8 kHz PCM, about 20 ms a chunk
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import AudioFormatError, SpeechError
from ..speech.audio import SAMPLE_RATE, StreamResampler, frames, resample
from ..speech.vad import VoiceActivityDetector

log = logging.getLogger(__name__)

MIC_RATE = 16000  # asked of the microphone first; the line rate (8 kHz) is what the box hears
CHUNK_SECONDS = 0.02
TURN_PAUSE_SECONDS = 1.0  # a recording's pause this long or longer ends one caller turn
TURN_MARGIN_SECONDS = 0.2  # audio kept either side of a turn's speech


class NoAudioDevice(SpeechError):
    """No microphone or speakers (or no PortAudio): says which, and what to do instead."""


class AudioSource(Protocol):
    """Caller audio from outside the simulator: 8 kHz 16-bit mono chunks, paced in real time."""

    rate: int  # the rate the device (or file) delivers, before resampling to 8 kHz
    live: bool  # True: audio happens now (a microphone); False: a recording that can wait

    def chunks(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


def _sounddevice() -> Any:
    try:
        import sounddevice
    except ImportError as exc:
        raise NoAudioDevice("audio input/output needs the sounddevice package: pip install 'permanence[audio]'"
                            ) from exc
    except OSError as exc:  # sounddevice raises OSError when the PortAudio library is missing
        raise NoAudioDevice(f"audio input/output needs PortAudio ({exc}): apt-get install libportaudio2") from exc
    return sounddevice


class MicrophoneSource:
    """The default input device, opened at 16 kHz when it allows it, else at its own rate."""

    live = True

    def __init__(self, device: int | str | None = None) -> None:
        sd = _sounddevice()
        try:
            info = sd.query_devices(device, "input")
        except (ValueError, sd.PortAudioError) as exc:
            raise NoAudioDevice(f"no microphone found ({exc}); plug one in, or type your turns with "
                                f"`permanence demo --type`") from None
        rate = MIC_RATE
        try:
            sd.check_input_settings(device=device, samplerate=MIC_RATE, channels=1, dtype="int16")
        except (ValueError, sd.PortAudioError):
            rate = int(info["default_samplerate"])
        self.rate = rate
        self.name = str(info.get("name", "microphone"))
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=500)
        self._resampler = StreamResampler(rate, SAMPLE_RATE)
        self._closed = threading.Event()
        self.dropped = 0  # microphone blocks lost because nobody read them in time

        def callback(indata: Any, frames: int, when: Any, status: Any) -> None:
            if status:
                log.warning("microphone: %s", status)
            try:
                self._queue.put_nowait(bytes(indata))
            except queue.Full:  # a stalled reader loses audio, never blocks PortAudio (said at close)
                self.dropped += 1

        try:
            self._stream = sd.RawInputStream(device=device, samplerate=rate, channels=1, dtype="int16",
                                             blocksize=int(rate * CHUNK_SECONDS), callback=callback)
            self._stream.start()
        except sd.PortAudioError as exc:
            raise NoAudioDevice(f"cannot open the microphone {self.name!r} at {rate} Hz ({exc})") from None

    def chunks(self) -> Iterator[bytes]:
        while not self._closed.is_set():
            try:
                data = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            out = self._resampler.process(data)
            if out:
                yield out

    def close(self) -> None:
        self._closed.set()
        if self.dropped:
            log.warning("microphone: %d blocks of audio lost (the box was not reading)", self.dropped)
        _close_stream(self._stream)


class WavSource:
    """A recorded WAV (16-bit PCM, any rate, mono or stereo: the left channel) played in place of
    the microphone, in real time from the moment :meth:`chunks` is first asked."""

    live = False

    def __init__(self, path: str | Path, *, realtime: bool = True) -> None:
        p = Path(path)
        try:
            with wave.open(str(p), "rb") as w:
                if w.getsampwidth() != 2:
                    raise AudioFormatError(f"{p}: expected 16-bit PCM, got {8 * w.getsampwidth()}-bit")
                channels, self.rate = w.getnchannels(), w.getframerate()
                data = w.readframes(w.getnframes())
        except (OSError, EOFError, wave.Error) as exc:
            raise AudioFormatError(f"{p}: not a readable WAV file ({exc})") from None
        x = np.frombuffer(data, "<i2")
        if channels > 1:
            x = x[::channels]
        self.pcm = resample(x.astype("<i2").tobytes(), self.rate, SAMPLE_RATE)
        self.realtime = realtime
        self._closed = threading.Event()

    def chunks(self) -> Iterator[bytes]:
        step = int(SAMPLE_RATE * CHUNK_SECONDS) * 2
        due = time.monotonic()
        for i in range(0, len(self.pcm), step):
            if self._closed.is_set():
                return
            if self.realtime:
                now = time.monotonic()
                due = max(due, now - 0.1)  # after the reader paused, go on from now: no burst
                if due > now:
                    time.sleep(due - now)
                due += CHUNK_SECONDS
            yield self.pcm[i : i + step]

    def turns(self) -> list[bytes]:
        """The recording cut at its pauses (:func:`split_turns`)."""
        return split_turns(self.pcm)

    def close(self) -> None:
        self._closed.set()


def split_turns(pcm: bytes, *, pause_seconds: float = TURN_PAUSE_SECONDS,
                margin_seconds: float = TURN_MARGIN_SECONDS) -> list[bytes]:
    """8 kHz 16-bit PCM cut into the speaker's turns: speech separated by ``pause_seconds`` of
    silence or more, each with ``margin_seconds`` of the audio around it. No speech: no turn.

    >>> syllables = np.abs(np.sin(np.arange(8000) * np.pi * 4 / 8000)) * np.random.default_rng(1).normal(0, 4000, 8000)
    >>> said = syllables.astype("<i2").tobytes()  # one second of speech-like sound
    >>> quiet = bytes(16000 * 2)  # two seconds of silence
    >>> [round(len(t) / 16000, 1) for t in split_turns(quiet + said + quiet[:8000] + said + quiet + said)]
    [2.9, 1.2]
    >>> split_turns(quiet)
    []
    """
    vad = VoiceActivityDetector(hangover_ms=max(20, int(pause_seconds * 1000)))
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for frame in frames(pcm):
        st = vad.feed(frame)
        if st.event == "start":
            start = st.speech_start
        elif st.event == "end" and start is not None:
            spans.append((start, st.speech_end if st.speech_end is not None else st.t))
            start = None
    if start is not None:
        spans.append((start, vad.time))
    out = []
    for a, b in spans:  # seconds to byte offsets (2 bytes a sample)
        lo = max(0, int((a - margin_seconds) * SAMPLE_RATE)) * 2
        hi = min(len(pcm), int((b + margin_seconds) * SAMPLE_RATE) * 2)
        out.append(pcm[lo:hi])
    return out


class Speakers:
    """The default output device: the box's 8 kHz audio, resampled to the device's rate."""

    def __init__(self, device: int | str | None = None) -> None:
        sd = _sounddevice()
        try:
            info = sd.query_devices(device, "output")
        except (ValueError, sd.PortAudioError) as exc:
            raise NoAudioDevice(f"no speakers found ({exc})") from None
        self.rate = int(info["default_samplerate"])
        self._resampler = StreamResampler(SAMPLE_RATE, self.rate)
        try:
            self._stream = sd.RawOutputStream(device=device, samplerate=self.rate, channels=1, dtype="int16")
            self._stream.start()
        except sd.PortAudioError as exc:
            raise NoAudioDevice(f"cannot open the speakers at {self.rate} Hz ({exc})") from None

    def play(self, pcm8k: bytes) -> None:
        out = self._resampler.process(pcm8k)
        if out:
            self._stream.write(out)

    def close(self) -> None:
        _close_stream(self._stream)


def _close_stream(stream: Any) -> None:
    try:
        stream.stop()
        stream.close()
    except Exception as exc:  # noqa: BLE001 - PortAudio errors on a device already gone: said, not raised
        log.info("audio device closed with an error (probably gone already): %s", exc)


def open_speakers() -> Speakers | None:
    """The speakers, or None (said once in the log) when there are none."""
    try:
        return Speakers()
    except NoAudioDevice as exc:
        log.info("the box's voice stays silent: %s", exc)
        return None
