"""Dialect tables per modem model: what each one answers to identification, its voice formats, its SMS centre."""

from __future__ import annotations

MODELS: dict[str, dict[str, str]] = {
    "sim7600": {"cgmi": "SIMCOM INCORPORATED", "cgmm": "SIMCOM_SIM7600E-H", "cgmr": "+CGMR: LE20B04SIM7600M22",
                "ati": "Manufacturer: SIMCOM INCORPORATED\nModel: SIMCOM_SIM7600E-H\n"
                       "Revision: SIM7600M22_V2.0\nIMEI: 861234567890123\n+GCAP: +CGSM"},
    "sim800": {"cgmi": "SIMCOM_Ltd", "cgmm": "SIMCOM_SIM800C", "cgmr": "Revision:1418B05SIM800C24",
               "ati": "SIM800 R14.18"},
    "usr5637": {"ati0": "5601", "ati3": "U.S. Robotics 56K FAX USB V1.2.23", "cgmi": "U.S. Robotics",
                "cgmm": "5637"},
    "cx93010": {"ati0": "56000", "ati3": "CX93001-EIS_V0.2002-V92", "cgmi": "Conexant", "cgmm": "CX93010"},
}
IMEI = "861234567890123"
IMSI = "208011234567890"
SMSC = "+33695000695"
CME_TEXT = {3: "operation not allowed", 4: "operation not supported", 10: "SIM not inserted",
            11: "SIM PIN required", 16: "incorrect password", 21: "invalid index", 30: "no network service",
            50: "Incorrect parameters", 100: "unknown"}
CMS_TEXT = {302: "operation not allowed", 304: "invalid PDU mode parameter", 305: "invalid text mode parameter",
            321: "invalid memory index", 500: "unknown error"}
VOICE_FORMATS = {
    "usr5637": {"128": "u8", "129": "s16le", "130": "alaw", "131": "ulaw"},
    "cx93010": {"1": "u8", "4": "ulaw", "5": "alaw"},
}
"""``AT+VSM`` codes per voice modem."""
DIALECT_OF = {"sim7600": "gsm", "sim800": "gsm", "usr5637": "voicemodem", "cx93010": "voicemodem"}
DEFAULT_MODEL = {"gsm": "sim7600", "voicemodem": "usr5637"}
