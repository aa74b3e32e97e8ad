"""Saving from the settings page changes only the edited keys of the configuration file: every
comment, the order and the formatting stay (issue 18, requirement 5; one TOML writer, tomlkit)."""

from __future__ import annotations

import difflib
import shutil
import tomllib
from pathlib import Path

import pytest

from appliance.config import load_config
from appliance.web import settings_edit
from appliance.web.settings_edit import form_defaults

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "permanence.toml"


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "permanence.toml"
    shutil.copy(EXAMPLE, path)
    return path


def save(path: Path, tmp_path: Path, section: str, **changes: str) -> list[str]:
    form = form_defaults(load_config(path)) | changes  # what the page sends: every field, some edited
    _cfg, keys = settings_edit.save_section(path, tmp_path, section, form, who="admin", ip="127.0.0.1")
    return keys


def test_saving_one_setting_changes_only_its_line(example: Path, tmp_path: Path) -> None:
    before = example.read_text(encoding="utf-8")
    keys = save(example, tmp_path, "company", phone="+33472000000")
    assert keys == ["company.phone"]
    removed, added = diff(before, example.read_text(encoding="utf-8"))
    assert removed == ['phone = "+33145000000"'] and added == ['phone = "+33472000000"']


@pytest.mark.parametrize(("section", "changes", "removed", "added"), [
    ("company", {"hours_fri": "08:00-12:00"}, ['fri = "08:00-12:00, 13:30-17:00"'], ['fri = "08:00-12:00"']),
    ("company", {"name": 'Martin & Fils "Chauffage"'}, ['name = "Maintenance Industrielle Martin"'],
     ['name = "Martin & Fils \\"Chauffage\\""']),
    ("company", {"conversion_rate": "35"}, ["conversion_rate = 0.40"], ["conversion_rate = 0.35"]),
    ("rota", {"ack_minutes": "7"}, ["ack_minutes = 5.0"], ["ack_minutes = 7"]),
])
def test_each_edit_touches_its_own_lines(example: Path, tmp_path: Path, section: str, changes: dict[str, str],
                                          removed: list[str], added: list[str]) -> None:
    before = example.read_text(encoding="utf-8")
    save(example, tmp_path, section, **changes)
    after = example.read_text(encoding="utf-8")
    assert diff(before, after) == (removed, added)
    assert [ln for ln in after.splitlines() if ln.startswith("#")] == [
        ln for ln in before.splitlines() if ln.startswith("#")]  # every comment kept


def test_a_new_faq_topic_is_added_and_nothing_else_moves(example: Path, tmp_path: Path) -> None:
    before = example.read_text(encoding="utf-8")
    faq = form_defaults(load_config(example))["faq"] + "\nlivraison: Nous livrons le mardi"
    assert save(example, tmp_path, "faq", faq=faq) == ["company.faq.livraison"]
    removed, added = diff(before, example.read_text(encoding="utf-8"))
    assert removed == [] and added == ['livraison = "Nous livrons le mardi"']


def test_a_value_with_every_kind_of_character_stays_valid_toml(example: Path, tmp_path: Path) -> None:
    text = "Accès: «cour» \\ 'quote' \"double\" — 10 % ; tab\tnon"  # a tab is refused (control character)
    with pytest.raises(Exception, match="control characters"):
        save(example, tmp_path, "company", address=text)
    save(example, tmp_path, "company", address=text.replace("\t", " "))
    data = tomllib.loads(example.read_text(encoding="utf-8"))
    assert data["company"]["address"] == text.replace("\t", " ")
