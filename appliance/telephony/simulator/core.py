"""The simulated modem: ports, state, SMS store, faults; calls live in :mod:`.calls`."""

from __future__ import annotations

import dataclasses
import logging
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Literal

import numpy as np

from ...errors import ConfigError, LineError
from ..emulator.commands import CommandSet, now_tuple
from ..emulator.dialects import DEFAULT_MODEL, VOICE_FORMATS
from ..emulator.modem import Faults, StoredSms
from ..emulator.pty import PtyPort
from ..emulator.session import Reply, Session
from ..line import FRAME_BYTES
from ..pdu import SubmitPdu
from .callers import CallHandle, CallResult, ScriptedCaller, load_corpus_callers
from .calls import ActiveCall, CallEngine
from .phones import PhoneCalls, SimPhone
from .tcp import TcpServer

log = logging.getLogger(__name__)

Voice = Callable[[str, str], bytes]

RING_PERIOD = {"FR": 5.0, "GB": 3.0, "US": 6.0}
"""Seconds from one ring to the next: FR 1.5 s on / 3.5 s off; GB 0.4-0.2-0.4 on / 2 s off; US 2 s / 4 s."""
FAULTS = ("unplug", "replug", "garbage", "mute", "unmute", "one_way_audio", "dead_audio", "noise", "drop_call",
          "clear")



def _checked_model(dialect: str, model: str | None) -> str:
    """The modem model (the dialect's default if none), or ConfigError if it does not speak ``dialect``."""
    if dialect not in DEFAULT_MODEL:
        raise ConfigError(f"simulator: unknown dialect {dialect!r}; expected 'gsm' or 'voicemodem'")
    chosen = model or DEFAULT_MODEL[dialect]
    ok_models = ("sim7600", "sim800") if dialect == "gsm" else ("usr5637", "cx93010")
    if chosen not in ok_models:
        raise ConfigError(f"simulator: model {chosen!r} does not speak the {dialect} dialect; "
                          f"expected one of {', '.join(ok_models)}")
    return chosen


def _check_ringing(country: str, ring_interval: float | None) -> None:
    """ConfigError for an unknown country or a ring interval outside 0.05-30 s."""
    if country not in RING_PERIOD:
        raise ConfigError(f"simulator: unknown country {country!r}; expected FR, GB or US")
    if ring_interval is not None and not 0.05 <= ring_interval <= 30:
        raise ConfigError(f"simulator: ring_interval must be 0.05-30 s, got {ring_interval}")


@dataclasses.dataclass(frozen=True)
class SentSms:
    number: str
    text: str
    reference: int


@dataclasses.dataclass
class Recording:
    """Everything the box sent to the simulated modem."""

    commands: list[str] = dataclasses.field(default_factory=list)
    timeline: list[tuple[float, str, str]] = dataclasses.field(default_factory=list)
    audio: list[tuple[float, bytes]] = dataclasses.field(default_factory=list)
    sms: list[SentSms] = dataclasses.field(default_factory=list)
    sms_parts: list[SubmitPdu] = dataclasses.field(default_factory=list)
    rings: list[float] = dataclasses.field(default_factory=list)

    def commands_on(self, port: str) -> list[str]:
        return [c for _, p, c in self.timeline if p == port]


class Simulator:
    """A GSM HAT or analog voice modem at the far end of a pty.

    >>> # with Simulator("gsm", ring_interval=0.5) as sim:
    >>> #     line = GsmLine("l1", sim.port, audio_port=sim.audio_port); line.open()
    >>> #     handle = sim.place_call(ScriptedCaller(turns=["hello"]))

    ``sim.port`` is a stable symlink to the current pty slave: ``inject("unplug")``
    removes it and closes the pty (reads on the driver side fail as on a USB
    unplug); ``replug()`` creates a new pty behind the same path. ``unsupported``
    lists commands (``"+CLCC"``, ``"+CPIN"``...) the modem answers with ``ERROR``,
    to play a plainer 27.007 modem.
    """

    def __init__(
        self,
        dialect: Literal["gsm", "voicemodem"] = "gsm",
        *,
        model: str | None = None,
        country: str = "FR",
        tcp_port: int | None = None,
        voice: Voice | None = None,
        ring_interval: float | None = None,
        pin: str = "",
        directory: str | Path | None = None,
        seed: int = 0,
        unsupported: Iterable[str] = (),
        ect: bool = True,
        hook_flash: bool = False,
    ) -> None:
        self.dialect: str = dialect
        self.model = _checked_model(dialect, model)
        _check_ringing(country, ring_interval)
        self.country = country
        self.tcp_port = tcp_port
        self.voice = voice
        self.ring_interval = ring_interval or RING_PERIOD[country]
        self.pin = pin
        self.pin_ok = not pin
        self.unsupported = frozenset(c.upper() for c in unsupported)
        self.ect = ect
        """The network accepts explicit call transfer (AT+CHLD=4)."""
        self.hook_flash = hook_flash
        """The analog line offers the operator's call transfer (hook flash, dial, hang up)."""
        self._init_modem_state(seed)
        self.commands = CommandSet(self)
        self.engine = CallEngine(self)
        self._init_ports(directory)
        self._sms_ref = 0
        self._concat: dict[tuple[str, int], dict[int, SubmitPdu]] = {}
        self._timers: list[threading.Timer] = []
        self._started = False
        self._closed = False

    def _init_modem_state(self, seed: int) -> None:
        """The modem's state: phones, signal, faults, what the box sent, SMS store, audio and hook."""
        self.phones: list[SimPhone] = []
        self.phone_calls = PhoneCalls()
        self.rssi = 20
        self.registration = 1
        self.rng = random.Random(seed)
        self.faults = Faults()
        self.recorded = Recording()
        self.sms_store: list[StoredSms] = []
        self.pcm_on = False
        self.off_hook = False
        self.lock = threading.RLock()

    def _init_ports(self, directory: str | Path | None) -> None:
        """The ptys (AT, SIM7600 audio, GSM SMS) in ``directory`` or a temporary one; TCP and sessions."""
        self._own_dir = directory is None
        self._dir = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="permanence-sim-"))
        self._main = PtyPort(self._dir / "modem")
        self._audio = PtyPort(self._dir / "audio") if self.model == "sim7600" else None
        self._sms = PtyPort(self._dir / "sms") if self.dialect == "gsm" else None
        self.sessions: list[Session] = []
        self._tcp: TcpServer | None = None
        self._audio_thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def port(self) -> str:
        return self._main.path

    @property
    def audio_port(self) -> str | None:
        return self._audio.path if self._audio else None

    @property
    def sms_port(self) -> str | None:
        return self._sms.path if self._sms else None

    @property
    def tcp_url(self) -> str | None:
        return f"socket://127.0.0.1:{self._tcp.port}" if self._tcp else None

    @property
    def plugged(self) -> bool:
        return self._main.plugged

    def start(self) -> Simulator:
        if self._started:
            return self
        self._started = True
        self._plug()
        if self.tcp_port is not None:
            self._tcp = TcpServer(self, self.tcp_port)
            self._tcp.start()
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for t in self._timers:
            t.cancel()
        self.engine.close()
        if self._tcp is not None:
            self._tcp.close()
        self._unplug()
        if self._own_dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _plug(self) -> None:
        with self.lock:
            ports = [(self._main, "modem", "main"), (self._sms, "sms", "sms")]
            for pty, name, role in ports:
                if pty is None:
                    continue
                pty.plug()
                s = Session(self, name, pty, role)
                self.sessions.append(s)
                s.start()
            if self._audio is not None:
                self._audio.plug()
                self._audio_thread = threading.Thread(target=self._audio_loop, args=(self._audio,),
                                                      name="sim-audio", daemon=True)
                self._audio_thread.start()

    def _unplug(self) -> None:
        with self.lock:
            sessions = [s for s in self.sessions if s.role != "tcp"]
            self.sessions = [s for s in self.sessions if s.role == "tcp"]
            for pty in (self._main, self._sms, self._audio):
                if pty is not None:
                    pty.unplug()
        for s in sessions:
            s.stop()
        if self._audio_thread is not None:
            self._audio_thread.join(timeout=2)
            self._audio_thread = None

    def replug(self) -> None:
        """Plug the modem back (a new pty behind the same paths), as after a USB re-enumeration."""
        if self._closed or self._main.plugged:
            return
        self.pcm_on = False
        self.off_hook = False
        self._plug()
        self.urc("RDY" if self.dialect == "gsm" else "OK")
        log.info("simulator: replugged %s", self.port)

    def unplug(self) -> None:
        self.engine.network_end("port unplugged")
        self._unplug()
        log.info("simulator: unplugged %s", self.port)

    def power_cycle(self) -> None:
        """What a power GPIO does: faults cleared, ports vanish and come back."""
        self.faults = Faults()
        self.unplug()
        self.replug()

    def modem_reset(self) -> None:
        """AT+CRESET: the modem reboots (its USB ports vanish and come back), audio revived."""
        self.faults.dead_audio = False

        def later() -> None:
            self.unplug()
            time.sleep(0.3)
            self.replug()
        threading.Thread(target=later, daemon=True).start()

    # ------------------------------------------------------------------ faults
    def inject(self, fault: str, **kw: float | int) -> None:
        """Inject a fault: unplug [duration], replug, garbage [count], mute [duration], unmute,
        one_way_audio (caller audio replaced by silence), dead_audio (the SIM7600 audio port
        sends nothing until AT+CRESET or a power cycle), noise [level_dbfs], drop_call, clear."""
        if fault not in FAULTS:
            raise ConfigError(f"simulator: unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")
        duration = kw.get("duration")
        if fault == "unplug":
            self.unplug()
            if duration is not None:
                self._later(float(duration), self.replug)
        elif fault == "replug":
            self.replug()
        elif fault == "garbage":
            self._garbage(int(kw.get("count", 20)))
        elif fault == "mute":
            self.faults.mute = True
            if duration is not None:
                self._later(float(duration), lambda: setattr(self.faults, "mute", False))
        elif fault == "unmute":
            self.faults.mute = False
        elif fault == "one_way_audio":
            self.faults.one_way = True
        elif fault == "dead_audio":
            self.faults.dead_audio = True
        elif fault == "noise":
            self.faults.noise_dbfs = float(kw.get("level_dbfs", -30.0))
        elif fault == "drop_call":
            self.engine.network_end("call dropped by the network")
        elif fault == "clear":
            self.faults = Faults()

    def _later(self, delay: float, fn: Callable[[], None]) -> None:
        t = threading.Timer(delay, fn)
        t.daemon = True
        self._timers.append(t)
        t.start()

    def _garbage(self, count: int) -> None:
        out = bytearray()
        for _ in range(count):
            kind = self.rng.randrange(4)
            if kind == 0:
                out += bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 60))) + b"\r\n"
            elif kind == 1:
                out += b"\r\n+CXYZ: " + str(self.rng.random()).encode() + b"\r\n"
            elif kind == 2:
                out += b"\r\n\xff\xfe\xc3(garbage\r\n"
            else:
                out += b"\r\n\r\n"
        for s in self.main_sessions():
            s.write(bytes(out))

    # ------------------------------------------------------------------ sessions, URCs
    def main_sessions(self) -> list[Session]:
        return [s for s in self.sessions if s.role in ("main", "tcp") and s.alive]

    def urc(self, text: str) -> None:
        for s in self.main_sessions():
            s.urc(text)

    def record_command(self, port: str, text: str) -> None:
        self.recorded.commands.append(text)
        self.recorded.timeline.append((time.monotonic(), port, text))

    def add_tcp_session(self, session: Session) -> None:
        with self.lock:
            self.sessions.append(session)

    # ------------------------------------------------------------------ calls
    def place_call(self, caller: ScriptedCaller) -> CallHandle:
        """Ring the box with ``caller``; returns at once with a handle to wait on."""
        if not self._started:
            raise LineError("simulator: start() it before placing calls")
        return self.engine.place(caller)

    def load_corpus_callers(self, path: str | Path, **overrides: object) -> list[ScriptedCaller]:
        return load_corpus_callers(path, **overrides)

    def in_call(self) -> bool:
        return self.engine.active is not None and self.engine.active.connected

    def current_call(self) -> ActiveCall | None:
        return self.engine.active

    def box_answer(self, s: Session, how: str) -> Reply:
        self.recorded.timeline.append((time.monotonic(), s.name, "<answer>"))
        return self.engine.box_answer(s, how)

    def box_hangup(self, s: Session) -> None:
        self.engine.box_hangup(s)

    def dial(self, s: Session, number: str) -> Reply:
        return self.engine.mp.dial(s, number)

    def chld(self, s: Session, arg: str) -> Reply:
        return self.engine.mp.chld(s, arg)

    def add_phone(self, phone: SimPhone) -> SimPhone:
        """A phone the box can dial (a number no phone answers for cannot be reached)."""
        with self.lock:
            self.phones = [p for p in self.phones if not p.matches(phone.number)] + [phone]
        return phone

    def phone_for(self, number: str) -> SimPhone | None:
        return next((p for p in self.phones if p.matches(number)), None)

    def clcc_lines(self) -> list[str]:
        return self.engine.clcc_lines()

    def cpas(self) -> int:
        c = self.engine.active
        if c is None:
            return 0
        return 4 if c.connected else 3

    # ------------------------------------------------------------------ audio
    def voice_format(self, vsm: str) -> str | None:
        return VOICE_FORMATS.get(self.model, {}).get(vsm.split(",")[0].strip())

    def _audio_loop(self, pty: PtyPort) -> None:
        carry = bytearray()
        while True:
            data = pty.read(0.1)
            if data is None:
                return
            if not data:
                continue
            c = self.engine.active
            if c is None or not c.connected or not self.pcm_on:
                carry.clear()
                continue
            carry += data
            n = len(carry) // FRAME_BYTES * FRAME_BYTES
            if n:
                self.engine.mp.route_box_audio(bytes(carry[:n]))
                del carry[:n]

    def write_audio(self, frame: bytes) -> None:
        if self._audio is not None:
            self._audio.write(frame, timeout=0)

    def box_voice_data(self, data: bytes, s: Session) -> None:
        self.engine.box_voice_data(data, s)

    def vrx_started(self, s: Session) -> None:
        self.engine.vrx_session = s

    def vrx_ended(self, s: Session) -> None:
        self.engine.vrx_session = None

    def vtx_started(self, s: Session) -> None:
        self.engine.vtx_started()

    def vtx_ended(self, s: Session) -> None:
        self.engine.vtx_ended()

    def noise(self, n: int) -> np.ndarray | None:
        if self.faults.noise_dbfs is None:
            return None
        amp = 32768.0 * 10 ** (self.faults.noise_dbfs / 20.0)
        return np.asarray([self.rng.gauss(0.0, amp) for _ in range(n)])

    # ------------------------------------------------------------------ SMS
    @property
    def sent_sms(self) -> list[SentSms]:
        return list(self.recorded.sms)

    def _next_ref(self) -> int:
        with self.lock:
            self._sms_ref = (self._sms_ref + 1) % 256
            return self._sms_ref

    def sms_submitted(self, part: SubmitPdu) -> int:
        ref = self._next_ref()
        self.recorded.sms_parts.append(part)
        if part.parts <= 1 or part.concat_ref is None:
            self.recorded.sms.append(SentSms(part.number, part.text, ref))
            return ref
        key = (part.number, part.concat_ref)
        got = self._concat.setdefault(key, {})
        got[part.part] = part
        if len(got) == part.parts:
            del self._concat[key]
            text = "".join(got[i].text for i in sorted(got))
            self.recorded.sms.append(SentSms(part.number, text, ref))
        return ref

    def sms_text_submitted(self, number: str, text: str) -> int:
        ref = self._next_ref()
        self.recorded.sms.append(SentSms(number, text, ref))
        return ref

    def inject_sms(self, sender: str, text: str) -> int:
        """Store an incoming SMS and announce it with ``+CMTI`` on the ports that asked
        (``AT+CNMI=2,1``), or the SMS port (else the main port). Returns its index."""
        with self.lock:
            idx = max((m.index for m in self.sms_store), default=0) + 1
            self.sms_store.append(StoredSms(idx, sender, text, now_tuple()))
        targets = [s for s in self.sessions if s.alive and s.settings.cnmi_mt > 0]
        if not targets:
            targets = [s for s in self.sessions if s.alive and s.role == "sms"] or self.main_sessions()
        for s in targets:
            s.urc(f'+CMTI: "SM",{idx}')
        return idx

    def sms_delete(self, idx: int, flag: int) -> None:
        with self.lock:
            if flag == 0:
                self.sms_store = [m for m in self.sms_store if m.index != idx]
            elif flag == 1:
                self.sms_store = [m for m in self.sms_store if not m.read]
            else:
                self.sms_store = []


__all__ = ["CallHandle", "CallResult", "Recording", "ScriptedCaller", "SentSms", "Simulator", "StoredSms"]
