"""Card validation: every malformed card is one clear line naming file, claim and field."""

from __future__ import annotations

import pytest

from workbench.cards.claims import load_claims

GOOD = """
[paper]
title = "A paper"
year = 2024

[[claim]]
id = "c1"
statement = "GD is linear."
problem = "logistic.l2"
algorithm = "gd"
measure = "dist_sq"
rate = "exp(-Omega(T))"
horizon = 100
seeds = 2
"""


def test_builtin_cards_load_and_ids_are_unique():
    claims = load_claims()
    assert len(claims) >= 4
    assert len({c.id for c in claims}) == len(claims)
    for claim in claims:
        assert claim.notes, f"{claim.id} must say in its notes what it measures and why"


def test_good_card_loads(tmp_path):
    card = tmp_path / "good.toml"
    card.write_text(GOOD)
    (claim,) = load_claims([card])
    assert claim.rate.error_bound == "upper" and claim.seeds == 2


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ('problem = "logistic.l2"', 'problem = "logistic.nope"', "problem", "unknown problem"),
        ('algorithm = "gd"', 'algorithm = "adam"', "algorithm", "unknown algorithm"),
        ('measure = "dist_sq"', 'measure = "loss"', "measure", "unknown measure"),
        ('rate = "exp(-Omega(T))"', 'rate = "O(1/T"', "rate", "cannot parse rate"),
        ('rate = "exp(-Omega(T))"', 'rate = "O((1+2*beta)**(-T/2))"', "rate", "beta"),
        ("seeds = 2", "seeds = 0", "seeds", "positive integer"),
        ("seeds = 2", "seeds = 2\nproblem_params = { nn = 3 }", "problem_params", "'nn'"),
        ("seeds = 2", "seeds = 2\nhyper = { step = 3 }", "hyper", "'step'"),
        ("seeds = 2", "seeds = 2\ncolour = 1", "colour", "unknown key"),
        ("seeds = 2", "seeds = 2\ntolerances = { slope = 0.3 }", "tolerances", "why"),
        ("seeds = 2", "seeds = 2\ntolerances = { slop = 0.3, why = 'x' }", "tolerances",
         "unknown tolerance"),
        ("seeds = 2", "seeds = 2\naggregate = 'mode'", "aggregate", "mean"),
        ("horizon = 100\n", "", "horizon", "required"),
        ("seeds = 2", "seeds = 2\n[claim.sweep]\nparameter = 'zeta'\nquantity = 'cost'",
         "sweep.parameter", "zeta"),
        ("seeds = 2", "seeds = 2\n[claim.sweep]\nparameter = 'lam'\nquantity = 'cost'\n"
         "values = [1, 2]\ntarget = 1e-3\ncomplexity = 'O(1/lam)'", "sweep.values", "at least 3"),
    ],
)
def test_bad_cards(tmp_path, run_cli, old, new, field, needle):
    assert old in GOOD
    card = tmp_path / "bad.toml"
    card.write_text(GOOD.replace(old, new, 1))
    status, out, err = run_cli("verify", "--claims", str(card), "--no-progress")
    assert status == 2
    assert out == ""  # no partial output
    assert err.count("\n") == 1
    assert str(card) in err and "claim 'c1'" in err and f"field '{field}'" in err
    assert needle in err


def test_invalid_toml_names_the_file(tmp_path, run_cli):
    card = tmp_path / "broken.toml"
    card.write_text("[paper\ntitle=")
    status, _, err = run_cli("verify", "--claims", str(card))
    assert status == 2 and str(card) in err and "TOML" in err


def test_duplicate_ids_across_cards(tmp_path, run_cli):
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(GOOD)
    status, _, err = run_cli("list", "--claims", str(tmp_path))
    assert status == 2 and "duplicate claim id" in err and "b.toml" in err


def test_each_claim_kind_has_its_law_check():
    """One check per card ``kind`` (the parser's table), each rejecting a law of another
    kind with an error on the ``rate`` field."""
    from workbench.cards.claims import CLAIM_KINDS, KIND_CHECKS
    from workbench.cards.ratelaw import parse_rate
    from workbench.errors import BadInputError

    assert tuple(KIND_CHECKS) == CLAIM_KINDS
    decaying = parse_rate("Theta((1 - mu)**T)")
    growing = parse_rate("Theta((1 + mu)**T)")
    values = {"mu": 0.1}
    KIND_CHECKS["convergence"]({"rate": decaying.text}, decaying, None, values)
    KIND_CHECKS["divergence"]({"rate": growing.text}, growing, None, values)
    KIND_CHECKS["floor"]({}, parse_rate("Theta(mu**2/4)"), None, values)
    for kind, law in (("convergence", growing), ("divergence", decaying), ("floor", decaying)):
        with pytest.raises(BadInputError) as error:
            KIND_CHECKS[kind]({"rate": law.text}, law, None, values)
        assert error.value.field == "rate", kind
