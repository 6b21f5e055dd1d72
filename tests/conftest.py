"""Shared helpers for the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli.main import main

CARDS = Path(__file__).parent / "cards"


@pytest.fixture(autouse=True, scope="session")
def _private_result_store(tmp_path_factory):
    """The CLI keeps finished runs in a result store; the tests use one of their own (shared
    by the session, as a user's is shared by their runs), never the user's cache."""
    path = tmp_path_factory.mktemp("store") / "runs.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_STORE", str(path))
        yield path


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
