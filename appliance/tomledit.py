"""The one TOML writer (tomlkit): the settings page edits the configuration file in place, and
``permanence config check`` prints the effective configuration.

:func:`edit` changes only the keys whose value changed: every comment, the order of the file
and its formatting stay as the owner wrote them (the documented example keeps its
documentation after a save from the settings page). Strings are escaped by tomlkit, so no
value can produce invalid TOML (a control character is refused before, by the configuration's
own validation).

>>> text = '# who answers\\n[company]\\nname = "ACME"  # said in the greeting\\nphone = ""\\n'
>>> new, keys = edit(text, {"company": {"name": "ACME", "phone": "+33612345678"}}, source="<doc>")
>>> keys
['company.phone']
>>> print(new, end="")
# who answers
[company]
name = "ACME"  # said in the greeting
phone = "+33612345678"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.container import Container
from tomlkit.items import AoT, Table

from .errors import ConfigError

_GONE = object()


def parse(text: str, *, source: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def plain(doc: tomlkit.TOMLDocument) -> dict[str, Any]:
    """The document's data as plain Python values (what ``tomllib.loads`` gives)."""
    data: dict[str, Any] = doc.unwrap()
    return data


def changed_paths(old: Any, new: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Keys whose value differs; tables compared key by key, lists (and arrays of tables) whole."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[tuple[str, ...]] = []
        for k in sorted(set(old) | set(new), key=str):
            out += changed_paths(old.get(k, _GONE), new.get(k, _GONE), (*prefix, str(k)))
        return out
    return [] if old == new else [prefix]


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _item(value: Any) -> Any:
    """A tomlkit item for a plain value: a list of tables becomes an array of tables."""
    if isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) for v in value):
        aot = tomlkit.aot()
        for v in value:
            t = tomlkit.table()
            t.update(v)
            aot.append(t)
        return aot
    return value


def _set(container: Container | Table, path: tuple[str, ...], value: Any) -> None:
    head, rest = path[0], path[1:]
    if not rest:
        if value is _GONE:
            if head in container:
                del container[head]
        else:
            container[head] = _item(value)
        return
    if head not in container:
        if value is _GONE:
            return
        container[head] = tomlkit.table()
    sub = container[head]
    if isinstance(sub, AoT) or not isinstance(sub, Container | Table | dict):  # replaced as a whole above
        raise ConfigError(f"{dotted(path)}: cannot edit inside a {type(sub).__name__}")
    _set(sub, rest, value)  # type: ignore[arg-type]


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for k in path:
        if not isinstance(node, Mapping) or k not in node:
            return _GONE
        node = node[k]
    return node


def edit(text: str, new: Mapping[str, Any], *, source: str) -> tuple[str, list[str]]:
    """``text`` with the values of ``new`` where they differ from the file's; (new text, changed keys)."""
    doc = parse(text, source=source)
    paths = changed_paths(plain(doc), new)
    for path in paths:
        _set(doc, path, _lookup(new, path))
    return tomlkit.dumps(doc), [dotted(p) for p in paths]


def dumps(data: Mapping[str, Any], *, header: str = "") -> str:
    """TOML text for plain data (tables, arrays of tables, scalars); ``header``: a first comment line."""
    doc = tomlkit.document()
    if header:
        doc.add(tomlkit.comment(header))
    for k, v in data.items():
        doc[k] = _item(v)
    return tomlkit.dumps(doc)
