"""README.md keeps up with the code: every command, option and setting is documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from search.cli import cli
from search.config import Settings, env_name
from web.params import STATE_KEYS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_and_option_is_in_the_readme(name):
    command = cli.commands[name]
    assert f"sitrep {name}" in README
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(f"{flag}" in README for flag in param.opts), (name, param.opts)


@pytest.mark.parametrize("name", sorted(Settings.help_texts()))
def test_every_setting_is_in_the_configuration_table(name):
    assert f"| `{name}` | `{env_name(name)}`" in README


@pytest.mark.parametrize("name", STATE_KEYS)
def test_every_url_parameter_is_documented(name):
    assert f"`{name}`" in README
