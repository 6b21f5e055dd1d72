"""Shared helpers for the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli.main import main

CARDS = Path(__file__).parent / "cards"


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process; return (exit status, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def verify_json(run_cli):
    """``workbench verify --json`` on test cards; returns (status, {id: result})."""

    def verify(*argv: str) -> tuple[int, dict[str, dict]]:
        status, out, err = run_cli("verify", "--json", "--no-progress", "--jobs", "1", *argv)
        assert out.strip(), err
        return status, {r["id"]: r for r in json.loads(out)}

    return verify
