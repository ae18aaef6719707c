"""The geo command as a user runs it: help, version, extract, lookup, build."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import cli

from .conftest import ROOT


def _commands(parser: argparse.ArgumentParser,
              prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every command of the parser and of its command groups (``gazetteer``), with its
    description."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub.description or ""
                yield from _commands(sub, (*prefix, name))


COMMANDS = dict(_commands(cli._parser()))


def geo(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, check=False)


def test_the_commands_are_found() -> None:
    assert {("build",), ("add",), ("extract",), ("gazetteer",), ("gazetteer", "lookup")} <= set(
        COMMANDS)


@pytest.mark.parametrize("cmd", COMMANDS, ids=" ".join)
def test_every_command_has_help(cmd: tuple[str, ...]) -> None:
    description = COMMANDS[cmd]
    assert description.strip(), f"geo {' '.join(cmd)} has no docstring"
    done = geo(*cmd, "--help")
    assert done.returncode == 0 and "usage: geo" in done.stdout
    assert len(done.stdout.splitlines()) > 3
    assert "".join(description.split()) in "".join(done.stdout.split())  # as argparse wraps it


def test_version() -> None:
    done = geo("--version")
    assert done.returncode == 0 and done.stdout.startswith("geo ")


def test_extract_contract() -> None:
    lines = [{"id": 1, "text": "ERBIL – Kirkuk and Diyala."}, {"id": "b", "text": ""}]
    done = geo("extract", stdin="".join(json.dumps(x) + "\n" for x in lines))
    assert done.returncode == 0, done.stderr
    out = [json.loads(x) for x in done.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b"] and out[1]["mentions"] == []
    m = out[0]["mentions"][0]
    assert set(m) >= {"start", "end", "name", "lat", "lon", "id", "kind", "country", "score"}
    assert lines[0]["text"][m["start"]:m["end"]] == m["name"] == "ERBIL"
    assert [x["name"] for x in out[0]["mentions"]] == ["ERBIL", "Kirkuk", "Diyala"]


def test_extract_rejects_bad_lines_clearly() -> None:
    done = geo("extract", stdin="not json\n")
    assert done.returncode == 1 and "line 1" in done.stderr and "'id' and 'text'" in done.stderr


def test_lookup_json() -> None:
    done = geo("gazetteer", "lookup", "Kirkuk", "Hawler", "--json")
    assert done.returncode == 0
    out = json.loads(done.stdout)
    assert out["Kirkuk"][0]["name"] == "Kirkuk" and out["Hawler"][0]["name"] == "Erbil"
    assert set(out["Kirkuk"][0]) == {"id", "name", "kind", "country", "lat", "lon", "population"}


def test_lookup_country_keeps_only_its_places() -> None:
    done = geo("gazetteer", "lookup", "Paris", "--country", "us", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)["Paris"]
    assert found and {c["country"] for c in found} == {"US"}
    bad = geo("gazetteer", "lookup", "Paris", "--country", "XX")
    assert bad.returncode == 1 and "'XX'" in bad.stderr and "alpha-2" in bad.stderr


def test_build_reports_and_writes(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.md").write_text("# Sinjar\n\nYazidis returned to Sinjar.", encoding="utf-8")
    (seeds / "empty.txt").write_text("", encoding="utf-8")
    done = geo("build", "--seeds", str(seeds), "--out", str(tmp_path / "maps"))
    assert done.returncode == 0, done.stderr
    assert "empty.txt" in done.stderr and "empty article" in done.stderr
    assert "1 articles read, 1 skipped" in done.stdout
    assert (tmp_path / "maps" / "index.html").exists()
    strict = geo("build", "--seeds", str(seeds), "--out", str(tmp_path / "maps"), "--strict")
    assert strict.returncode == 1


def test_missing_seeds_folder_is_a_clear_error(tmp_path: Path) -> None:
    done = geo("build", "--seeds", str(tmp_path / "nope"), "--out", str(tmp_path / "maps"))
    assert done.returncode == 1 and "does not exist" in done.stderr
