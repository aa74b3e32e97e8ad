"""The AT commands the emulated modems understand, per dialect (the core the simulator and the replay share).

GSM (SIMCom SIM7600 / SIM800, 3GPP TS 27.007 and 27.005) and voice modems
(USRobotics 5637 / Conexant CX93010, ITU V.253). Unknown commands answer
``ERROR`` as a real modem does.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..pdu import PduError, decode_submit, encode_deliver, gsm7_decode_septets
from .dialects import CME_TEXT, CMS_TEXT, IMEI, IMSI, MODELS, SMSC
from .session import Reply, Session

if TYPE_CHECKING:
    from .modem import EmulatedModem

Handler = Callable[[Session, str, str], Reply]


def split_commands(body: str) -> list[str]:
    """Split the text after ``AT`` into single commands: ``E0V1+CMEE=1;+CLIP=1`` -> 4 commands."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c in " ;":
            i += 1
        elif c in "+^$%*#!-":
            j, quoted = i + 1, False
            while j < n and (quoted or body[j] != ";"):
                if body[j] == '"':
                    quoted = not quoted
                j += 1
            out.append(body[i:j].strip())
            i = j + 1
        elif c.upper() == "D":
            out.append(body[i:])
            break
        elif c == "&" or c.upper() == "S" or c.isalpha():
            m = re.match(r"(&?[A-Za-z])(\d*)(=\d*|\?)?", body[i:])
            if not m:
                out.append(body[i:])
                break
            out.append(m.group(0))
            i += len(m.group(0))
            if c.upper() == "S":
                sm = re.match(r"\d*(=\d*|\?)?", body[i:])
                if sm and sm.group(0):
                    out[-1] += sm.group(0)
                    i += len(sm.group(0))
        else:
            out.append(body[i:])
            break
    return out


def csv_fields(s: str) -> list[str]:
    out, cur, quoted = [], "", False
    for ch in s:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


class CommandSet:
    """Executes command lines for one :class:`~.modem.EmulatedModem` (the simulator, or the replay's)."""

    def __init__(self, sim: EmulatedModem) -> None:
        self.sim = sim
        self.info = MODELS[sim.model]

    # ------------------------------------------------------------------ errors
    def cme(self, s: Session, code: int) -> Reply:
        if s.settings.cmee == 1:
            return Reply(final=f"+CME ERROR: {code}")
        if s.settings.cmee == 2:
            return Reply(final=f"+CME ERROR: {CME_TEXT.get(code, 'unknown')}")
        return Reply(final="ERROR")

    def cms(self, s: Session, code: int) -> Reply:
        if s.settings.cmee == 1:
            return Reply(final=f"+CMS ERROR: {code}")
        if s.settings.cmee == 2:
            return Reply(final=f"+CMS ERROR: {CMS_TEXT.get(code, 'unknown error')}")
        return Reply(final="ERROR")

    # ------------------------------------------------------------------ dispatch
    def execute(self, s: Session, line: str) -> Reply:
        body = line[2:]
        if not body.strip():
            return Reply()
        lines: list[str] = []
        after: list[Callable[[], None]] = []
        for cmd in split_commands(body):
            r = self.one(s, cmd)
            lines += r.lines
            if r.after is not None:
                after.append(r.after)
            if r.final != "OK":
                return Reply(tuple(lines), r.final, _chain(after))
        return Reply(tuple(lines), "OK", _chain(after))

    def one(self, s: Session, cmd: str) -> Reply:
        u = cmd.upper()
        m = re.match(r"^([+^$%*#!&-]?[A-Z][A-Z0-9_]*)(.*)$", u) if not u.startswith("D") else None
        if u.startswith("D"):
            return self.sim.dial(s, cmd[1:])
        if not m:
            return Reply(final="ERROR")
        name, arg = m.group(1), cmd[len(m.group(1)):]
        if name[0].isalpha():
            # basic commands are one letter: "E0" is E with argument "0"
            name, arg = name[0], cmd[1:]
        h = self._table().get(name)
        if h is None or name in self.sim.unsupported:
            return Reply(final="ERROR")
        return h(s, name, arg)

    def _table(self) -> dict[str, Handler]:
        t: dict[str, Handler] = {
            "E": self._echo, "V": self._verbose, "Q": self._quiet, "Z": self._reset, "&F": self._reset,
            "&W": _ok, "&C": _ok, "&D": _ok, "&K": _ok, "X": _ok, "L": _ok, "M": _ok, "S": self._sreg,
            "I": self._ati, "A": self._answer, "H": self._hangup,
            "+CGMI": self._ident("cgmi"), "+GMI": self._ident("cgmi"), "+CGMM": self._ident("cgmm"),
            "+GMM": self._ident("cgmm"), "+CGMR": self._ident("cgmr"), "+GMR": self._ident("cgmr"),
            "+CGSN": self._const(IMEI), "+GSN": self._const(IMEI), "+CMEE": self._cmee,
            "+GCAP": self._const("+GCAP: +CGSM,+FCLASS,+DS"),
        }
        if self.sim.dialect == "gsm":
            t.update({
                "+CIMI": self._const(IMSI), "+CPIN": self._cpin, "+CSQ": self._csq, "+CREG": self._creg,
                "+CEREG": self._creg, "+CGREG": self._creg, "+COPS": self._cops, "+CLIP": self._flag("clip"),
                "+CRC": self._flag("crc"), "+CCWA": self._ccwa, "+CVHU": _ok, "+CLCC": self._clcc,
                "+CHUP": self._hangup, "+CFUN": self._cfun, "+CMGF": self._cmgf, "+CSCS": self._cscs,
                "+CSCA": self._csca, "+CPMS": self._cpms, "+CNMI": self._cnmi, "+CMGS": self._cmgs,
                "+CMGL": self._cmgl, "+CMGR": self._cmgr, "+CMGD": self._cmgd, "+CSMP": self._csmp,
                "+CSDH": _ok, "+CSMS": self._csms, "+CLVL": _ok, "+CMUT": _ok, "+CBC": self._cbc,
                "+CRESET": self._creset, "+CNUM": self._const('+CNUM: "","+33700000000",145'),
                "+CPAS": self._cpas, "+VTS": _ok, "+CTZU": _ok, "+CLTS": _ok, "+CHLD": self._chld,
            })
            if self.sim.model == "sim800":
                t["+DDET"] = self._flag("ddet")
            else:
                t["+CPCMREG"] = self._cpcmreg
        else:
            t.update({
                "+FCLASS": self._fclass, "+VCID": self._flag("vcid"), "#CID": self._flag("vcid"),
                "-SCID": self._flag("vcid"), "+VSM": self._vsm, "+VSD": _ok, "+VLS": self._vls,
                "+VRX": self._vrx, "+VTX": self._vtx, "+VIT": _ok, "+VGT": _ok, "+VGR": _ok, "+VRA": _ok,
                "+VRN": _ok, "+VTD": _ok, "+VTS": _ok, "+VDR": _ok, "+VEM": _ok, "+VNH": _ok, "+VSP": _ok,
            })
        return t

    # ------------------------------------------------------------------ basic
    def _echo(self, s: Session, name: str, arg: str) -> Reply:
        s.settings.echo = arg.strip() != "0"
        return Reply()

    def _verbose(self, s: Session, name: str, arg: str) -> Reply:
        s.settings.verbose = arg.strip() != "0"
        return Reply()

    def _quiet(self, s: Session, name: str, arg: str) -> Reply:
        s.settings.quiet = arg.strip() == "1"
        return Reply()

    def _reset(self, s: Session, name: str, arg: str) -> Reply:
        from .session import Settings

        s.settings = Settings()
        return Reply()

    def _sreg(self, s: Session, name: str, arg: str) -> Reply:
        if arg.endswith("?"):
            return Reply(("000",))
        return Reply()

    def _ati(self, s: Session, name: str, arg: str) -> Reply:
        n = arg.strip() or "0"
        if self.sim.dialect == "gsm":
            return Reply(tuple(self.info["ati"].split("\n")))
        key = "ati" + n
        if key in self.info:
            return Reply((self.info[key],))
        return Reply()

    def _ident(self, key: str) -> Handler:
        def h(s: Session, name: str, arg: str) -> Reply:
            if arg.strip() == "=?":
                return Reply()
            return Reply((self.info[key],))
        return h

    def _const(self, text: str) -> Handler:
        def h(s: Session, name: str, arg: str) -> Reply:
            if arg.strip() == "=?":
                return Reply()
            return Reply((text,))
        return h

    def _flag(self, attr: str) -> Handler:
        def h(s: Session, name: str, arg: str) -> Reply:
            a = arg.strip()
            if a == "?":
                return Reply((f"{name}: {int(getattr(s.settings, attr))}" + (",1" if attr == "clip" else ""),))
            if a == "=?":
                return Reply((f"{name}: (0,1)",))
            if a.startswith("="):
                setattr(s.settings, attr, a[1:2] == "1")
                return Reply()
            return Reply(final="ERROR")
        return h

    def _cmee(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((f"+CMEE: {s.settings.cmee}",))
        if a == "=?":
            return Reply(("+CMEE: (0-2)",))
        if re.fullmatch(r"=[012]", a):
            s.settings.cmee = int(a[1])
            return Reply()
        return Reply(final="ERROR")

    # ------------------------------------------------------------------ calls (both dialects)
    def _answer(self, s: Session, name: str, arg: str) -> Reply:
        return self.sim.box_answer(s, "ATA")

    def _hangup(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "=?":  # a test command (gammu probes AT+CHUP=? at Init) never hangs up
            return Reply()
        if arg.strip() not in ("", "0"):
            return Reply(final="ERROR")
        self.sim.box_hangup(s)
        return Reply()

    # ------------------------------------------------------------------ GSM
    def _cpin(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply(("+CPIN: READY" if self.sim.pin_ok else "+CPIN: SIM PIN",))
        if a.startswith("="):
            if csv_fields(a[1:])[0] == self.sim.pin:
                self.sim.pin_ok = True
                return Reply()
            return self.cme(s, 16)
        return Reply(final="ERROR")

    def _csq(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "=?":
            return Reply(("+CSQ: (0-31,99),(0-7,99)",))
        return Reply((f"+CSQ: {self.sim.rssi},99",))

    def _creg(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((f"{name}: {s.settings.creg},{self.sim.registration}",))
        if a == "=?":
            return Reply((f"{name}: (0-2)",))
        if re.fullmatch(r"=[0-2]", a):
            s.settings.creg = int(a[1])
            return Reply()
        return Reply(final="ERROR")

    def _cops(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "?":
            return Reply(('+COPS: 0,0,"Orange F",7' if self.sim.model == "sim7600" else '+COPS: 0,0,"Orange F"',))
        if arg.strip() == "=?":
            return Reply(('+COPS: (2,"Orange F","Orange","20801",7),,(0-4),(0-2)',))
        return Reply()

    def _ccwa(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((f"+CCWA: {int(s.settings.ccwa)}",))
        if a.startswith("="):
            s.settings.ccwa = csv_fields(a[1:])[0] == "1"
            return Reply()
        return Reply(final="ERROR")

    def _clcc(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "=?":
            return Reply()
        return Reply(tuple(self.sim.clcc_lines()))

    def _chld(self, s: Session, name: str, arg: str) -> Reply:
        return self.sim.chld(s, arg)

    def _cpas(self, s: Session, name: str, arg: str) -> Reply:
        return Reply((f"+CPAS: {self.sim.cpas()}",))

    def _cfun(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "?":
            return Reply(("+CFUN: 1",))
        return Reply()

    def _cbc(self, s: Session, name: str, arg: str) -> Reply:
        return Reply(("+CBC: 0,90,4100",) if self.sim.model == "sim800" else ("+CBC: 4.100V",))

    def _creset(self, s: Session, name: str, arg: str) -> Reply:
        return Reply(after=self.sim.modem_reset)

    def _cpcmreg(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((f"+CPCMREG: {int(self.sim.pcm_on)}",))
        if a in ("=1", "=0"):
            if a == "=1" and not self.sim.in_call():
                return self.cme(s, 3)
            self.sim.pcm_on = a == "=1"
            return Reply()
        return Reply(final="ERROR")

    # ------------------------------------------------------------------ SMS (27.005)
    def _cmgf(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((f"+CMGF: {s.settings.cmgf}",))
        if a == "=?":
            return Reply(("+CMGF: (0,1)",))
        if a in ("=0", "=1"):
            s.settings.cmgf = int(a[1])
            return Reply()
        return Reply(final="ERROR")

    def _cscs(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((f'+CSCS: "{s.settings.cscs}"',))
        if a == "=?":
            return Reply(('+CSCS: ("IRA","GSM","UCS2")',))
        v = a[1:].strip('"').upper() if a.startswith("=") else ""
        if v in ("IRA", "GSM", "UCS2"):
            s.settings.cscs = v
            return Reply()
        return self.cme(s, 4)

    def _csca(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "?":
            return Reply((f'+CSCA: "{SMSC}",145',))
        return Reply()

    def _csms(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "?":
            return Reply(("+CSMS: 0,1,1,1",))
        if arg.strip() == "=?":
            return Reply(("+CSMS: (0,1)",))
        return Reply(("+CSMS: 1,1,1",))

    def _csmp(self, s: Session, name: str, arg: str) -> Reply:
        if arg.strip() == "?":
            return Reply(("+CSMP: 17,167,0,0",))
        return Reply()

    def _cnmi(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((f"+CNMI: 2,{s.settings.cnmi_mt},0,0,0",))
        if a == "=?":
            return Reply(("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)",))
        f = csv_fields(a[1:]) if a.startswith("=") else []
        s.settings.cnmi_mt = int(f[1]) if len(f) > 1 and f[1].isdigit() else 0
        return Reply()

    def _cpms(self, s: Session, name: str, arg: str) -> Reply:
        n = len(self.sim.sms_store)
        a = arg.strip()
        if a == "?":
            return Reply((f'+CPMS: "SM",{n},30,"SM",{n},30,"SM",{n},30',))
        if a == "=?":
            return Reply(('+CPMS: ("SM"),("SM"),("SM")',))
        mems = [m.strip('"').upper() for m in csv_fields(a[1:])] if a.startswith("=") else []
        if not mems or any(m != "SM" for m in mems if m):
            return self.cms(s, 302)
        return Reply((f"+CPMS: {n},30,{n},30,{n},30",))

    def _cmgs(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "=?":
            return Reply()
        if not a.startswith("="):
            return Reply(final="ERROR")
        f = csv_fields(a[1:])
        cmgf, cscs = s.settings.cmgf, s.settings.cscs
        if cmgf == 0:
            if not f[0].isdigit():
                return self.cms(s, 304)

            def pdu_done(body: bytes | None) -> Reply:
                if body is None:
                    return Reply()
                try:
                    part = decode_submit(body.decode("latin-1"))
                except PduError:
                    return self.cms(s, 304)
                ref = self.sim.sms_submitted(part)
                return Reply((f"+CMGS: {ref}",))
            return Reply(final=None, after=lambda: s.enter_prompt(pdu_done))
        number = _decode_charset(f[0], cscs)

        def text_done(body: bytes | None) -> Reply:
            if body is None:
                return Reply()
            text = _decode_charset(body.decode("latin-1"), cscs, raw=body)
            ref = self.sim.sms_text_submitted(number, text)
            return Reply((f"+CMGS: {ref}",))
        return Reply(final=None, after=lambda: s.enter_prompt(text_done))

    def _cmgl(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "=?":
            return Reply(('+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")',)
                         if s.settings.cmgf else ("+CMGL: (0-4)",))
        want = a[1:].strip('"').upper() if a.startswith("=") else ("REC UNREAD" if s.settings.cmgf else "0")
        out: list[str] = []
        for sms in list(self.sim.sms_store):
            stat_n = 0 if not sms.read else 1
            stat_t = "REC UNREAD" if not sms.read else "REC READ"
            if want not in ("ALL", "4", stat_t, str(stat_n)):
                continue
            out += self._sms_lines(s, "+CMGL", sms, with_index=True)
            sms.read = True
        return Reply(tuple(out))

    def _cmgr(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "=?":
            return Reply()
        try:
            idx = int(a[1:].split(",")[0])
        except ValueError:
            return self.cms(s, 321)
        sms = next((m for m in self.sim.sms_store if m.index == idx), None)
        if sms is None:
            return Reply() if self.sim.model == "sim800" else self.cms(s, 321)
        out = self._sms_lines(s, "+CMGR", sms, with_index=False)
        sms.read = True
        return Reply(tuple(out))

    def _sms_lines(self, s: Session, tag: str, sms: object, with_index: bool) -> list[str]:
        from .modem import StoredSms

        assert isinstance(sms, StoredSms)
        idx = f"{sms.index}," if with_index else ""
        if s.settings.cmgf == 0:
            pdu = encode_deliver(sms.sender, sms.text, sms.when)
            return [f"{tag}: {idx}{int(sms.read)},,{len(pdu) // 2 - 1}", pdu]
        y, mo, d, h, mi, se = sms.when
        ts = f"{y % 100:02d}/{mo:02d}/{d:02d},{h:02d}:{mi:02d}:{se:02d}+00"
        stat = "REC READ" if sms.read else "REC UNREAD"
        sender, text = sms.sender, sms.text
        if s.settings.cscs == "UCS2":
            sender, text = sender.encode("utf-16-be").hex().upper(), text.encode("utf-16-be").hex().upper()
        return [f'{tag}: {idx}"{stat}","{sender}","","{ts}"', text]

    def _cmgd(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "=?":
            return Reply(("+CMGD: (1-30),(0-4)",))
        f = csv_fields(a[1:]) if a.startswith("=") else []
        try:
            idx = int(f[0])
            flag = int(f[1]) if len(f) > 1 and f[1] else 0
        except (ValueError, IndexError):
            return self.cms(s, 321)
        self.sim.sms_delete(idx, flag)
        return Reply()

    # ------------------------------------------------------------------ voice modem (V.253)
    def _fclass(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((s.settings.fclass,))
        if a == "=?":
            return Reply(("0,1,8",) if self.sim.model == "cx93010" else ("0,1,1.0,8",))
        if a[1:] in ("0", "1", "1.0", "2", "8"):
            s.settings.fclass = a[1:]
            return Reply()
        return Reply(final="ERROR")

    def _vsm(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply((s.settings.vsm,))
        if a == "=?":
            if self.sim.model == "usr5637":
                return Reply(('128,"8-BIT LINEAR",(7200,8000,11025)', '129,"16-BIT LINEAR",(7200,8000,11025)',
                              '130,"8-BIT ALAW",(8000)', '131,"8-BIT ULAW",(8000)'))
            return Reply(('0,"SIGNED PCM",8,0,(8000),(0),(0)', '1,"UNSIGNED PCM",8,0,(8000),(0),(0)',
                          '4,"G.711U",8,0,(8000),(0),(0)', '5,"G.711A",8,0,(8000),(0),(0)'))
        if not a.startswith("=") or self.sim.voice_format(a[1:]) is None:
            return Reply(final="ERROR")
        s.settings.vsm = a[1:]
        return Reply()

    def _vls(self, s: Session, name: str, arg: str) -> Reply:
        a = arg.strip()
        if a == "?":
            return Reply(("1" if self.sim.in_call() else "0",))
        if a == "=?":
            return Reply(("0,1",))
        if s.settings.fclass != "8":
            return Reply(final="ERROR")
        if a == "=1":
            return self.sim.box_answer(s, "AT+VLS=1")
        if a == "=0":
            self.sim.box_hangup(s)
            return Reply()
        return Reply(final="ERROR")

    def _vrx(self, s: Session, name: str, arg: str) -> Reply:
        if s.settings.fclass != "8" or not self.sim.off_hook:
            return Reply(final="ERROR")

        def go() -> None:
            s.enter_vrx()
            self.sim.vrx_started(s)
        return Reply(final="CONNECT", after=go)

    def _vtx(self, s: Session, name: str, arg: str) -> Reply:
        if s.settings.fclass != "8" or not self.sim.off_hook:
            return Reply(final="ERROR")

        def go() -> None:
            s.enter_vtx()
            self.sim.vtx_started(s)
        return Reply(final="CONNECT", after=go)


def _ok(s: Session, name: str, arg: str) -> Reply:
    return Reply()


def _chain(fns: list[Callable[[], None]]) -> Callable[[], None] | None:
    if not fns:
        return None

    def run() -> None:
        for f in fns:
            f()
    return run


def _decode_charset(text: str, cscs: str, raw: bytes | None = None) -> str:
    t = text.strip()
    if cscs == "UCS2" and re.fullmatch(r"(?:[0-9A-Fa-f]{4})+", t):
        return bytes.fromhex(t).decode("utf-16-be", errors="replace")
    if cscs == "GSM" and raw is not None:
        return gsm7_decode_septets([b & 0x7F for b in raw])
    return text


def now_tuple() -> tuple[int, int, int, int, int, int]:
    t = time.gmtime()
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
