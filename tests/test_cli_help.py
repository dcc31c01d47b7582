"""The --help a new user reads: options say what they take in the words of the contract
(YYYY-MM-DD, YYYY-Www, N, DIR, FILE), never a Python type or a strptime format."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from fmwatch.cli import app

runner = CliRunner()
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)
# "--since <%Y-%m-%d>", "--week <str>", "--priority <int>", "--out <path>": what typer shows by default
PYTHON_METAVAR = re.compile(r"--[\w-]+ <(?:str|int|float|path|%[^>]*)>")


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "eval"])
def test_help_names_what_each_option_takes(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert not PYTHON_METAVAR.search(result.output), PYTHON_METAVAR.findall(result.output)


def test_the_dates_and_weeks_are_spelled_as_in_the_contract():
    assert "--since YYYY-MM-DD" in runner.invoke(app, ["run", "--help"]).output
    digest = runner.invoke(app, ["digest", "--help"], env={"COLUMNS": "120"}).output
    assert "--since YYYY-MM-DD" in digest and "--week YYYY-Www" in digest and "--out DIR" in digest
    assert "--db PATH" in runner.invoke(app, ["--help"]).output
