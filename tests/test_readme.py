"""The README's generated parts match what generates them."""

from __future__ import annotations

from pathlib import Path

from workbench.cli.listing import BEGIN, END

README = Path(__file__).resolve().parents[1] / "README.md"
REGENERATE = "workbench list --format markdown"


def _block(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END)
    return text[start:end + len(END)]


def test_readme_catalogue_is_the_list_commands_output(run_cli):
    status, out, err = run_cli("list", "--format", "markdown")
    assert status == 0, err
    assert out.startswith(BEGIN) and out.rstrip("\n").endswith(END)
    text = README.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert _block(text) == out.rstrip("\n"), (
        f"the README's catalogue table is out of date: replace the block between its marker "
        f"comments with the output of '{REGENERATE}'")


def test_markdown_catalogue_has_a_row_per_family_with_every_claim(run_cli):
    from workbench.cards.claims import load_claims
    from workbench.catalogue import catalogue

    _, out, _ = run_cli("list", "--format", "markdown")
    rows = [line for line in out.splitlines() if line.startswith("| ")][1:]
    families = sorted({p.family for p in catalogue().values()})
    assert [row.split(" | ")[0][2:] for row in rows] == families
    claims = load_claims()
    counted = sum(int(row.split(" | ")[3].split(" claim")[0]) for row in rows
                  if not row.endswith("| none |"))
    assert counted == len(claims)
    logistic = next(row for row in rows if row.startswith("| logistic |"))
    assert "`l2` (" in logistic and "`sgd`" in logistic and "`rakhlin2012_sgd` (1)" in logistic
    # --family keeps one row; the plain listing is unchanged by the option's default.
    _, one, _ = run_cli("list", "--format", "markdown", "--family", "logistic")
    assert [line for line in one.splitlines() if line.startswith("| ")][1:] == [logistic]
    assert run_cli("list")[1] == run_cli("list", "--format", "table")[1]
