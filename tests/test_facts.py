"""Each fact written once: docstrings point to the claims that state an algorithm's
guarantees, and the families' References sections cite what the registrations cite.

The References sections are tested against the registrations rather than generated from them:
a registration's ``reference`` is the short citation figures and the report print
("Korpelevich (1976)"), while the References section carries the full entry (title, venue,
arXiv id), which the registration does not hold.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections import defaultdict

import pytest

from workbench.cards.claims import load_claims
from workbench.catalogue import catalogue

CLAIMS_LINE = re.compile(r"^Claims:\s*(.*)$")
# Surnames before a year in parentheses: "Cai, Alacaoglu, Diakonikolas (2023)",
# "Robbins and Monro (1951)", "Tiapkin et al. (2025)", "Bailey, Gidel, Piliouras (COLT 2020)".
_SURNAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
CITATION = re.compile(rf"((?:{_SURNAME}(?:, and |, | and ))*{_SURNAME})(?: et al\.)?"
                      r" \((?:[A-Z]+ )?\d{4}[a-z]?\)")
ARXIV = re.compile(r"arXiv (\d{4}\.\d{4,5})")


def docstring_claims(doc: str) -> list[str]:
    """The claim ids of a docstring's ``Claims:`` paragraph (it may wrap over lines)."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        match = CLAIMS_LINE.match(line.strip())
        if match:
            text = [match.group(1)]
            for more in lines[i + 1:]:
                if not more.strip():
                    break
                text.append(more.strip())
            return [c for c in re.split(r"[,\s]+", " ".join(text).rstrip(".")) if c]
    return []


def _registrations() -> dict[object, set[tuple[str, str]]]:
    """Every registered run function with the (problem, algorithm) names it runs as."""
    runs: dict[object, set[tuple[str, str]]] = defaultdict(set)
    for name, problem in catalogue().items():
        for algorithm in problem.algorithms.values():
            runs[algorithm.run].add((name, algorithm.name))
    return runs


def test_docstring_claims_exist_and_are_about_that_algorithm():
    claims = {c.id: c for c in load_claims()}
    checked = 0
    for run, registered in _registrations().items():
        ids = docstring_claims(inspect.getdoc(run) or "")
        where = f"{run.__module__}.{run.__name__}"
        assert len(ids) == len(set(ids)), f"{where} names a claim twice"
        for claim_id in ids:
            assert claim_id in claims, f"{where} names {claim_id!r}, which no card holds"
            claim = claims[claim_id]
            algorithms = {claim.algorithm} | ({claim.compare.algorithm} if claim.compare
                                              else set())
            assert any((claim.problem, a) in registered for a in algorithms), (
                f"{where} names {claim_id!r}, a claim about {claim.problem}/"
                f"{'/'.join(sorted(algorithms))}; it runs as "
                f"{', '.join(sorted(f'{p}/{a}' for p, a in registered))}")
            checked += 1
    assert checked >= len(claims)


def test_every_claim_is_named_by_its_algorithms_docstring():
    """A card's claim is the one place its guarantee is stated; the wrapper of the algorithm
    it is about points to it (a new claim adds its id to that docstring)."""
    run_of = {registration: run for run, registered in _registrations().items()
              for registration in registered}
    for claim in load_claims():
        run = run_of[(claim.problem, claim.algorithm)]
        assert claim.id in docstring_claims(inspect.getdoc(run) or ""), (
            f"{claim.id} ({claim.source}) is about {claim.problem}/{claim.algorithm}: add it "
            f"to the 'Claims:' line of {run.__module__}.{run.__name__}'s docstring")


def test_docstring_claims_parser():
    doc = "Summary.\n\nClaims: a-b, c.d,\ne_f.\n\nMore text, not ids."
    assert docstring_claims(doc) == ["a-b", "c.d", "e_f"]
    assert docstring_claims("No claims here.") == []


def _references(package: str) -> str:
    doc = importlib.import_module(package).__doc__ or ""
    head = "References\n----------"
    return doc.split(head, 1)[1] if head in doc else ""


def citations(reference: str) -> tuple[list[str], list[str]]:
    """The surnames and arXiv ids a registration's reference cites."""
    names = [n for match in CITATION.finditer(reference)
             for n in re.split(r", and |, | and ", match.group(1))]
    return names, ARXIV.findall(reference)


def test_citation_parser():
    assert citations("Robbins and Monro (1951); step 1/sqrt(t)") == (["Robbins", "Monro"], [])
    assert citations("Koloskova, Hendrikx, Stich (2023), arXiv 2305.01588") == (
        ["Koloskova", "Hendrikx", "Stich"], ["2305.01588"])
    assert citations("alternating play; Bailey, Gidel, Piliouras (COLT 2020)")[0] == [
        "Bailey", "Gidel", "Piliouras"]
    assert citations("classical Runge-Kutta on dz/dt = -F(z)") == ([], [])


@pytest.mark.parametrize("family", sorted({p.family for p in catalogue().values()}))
def test_references_section_cites_every_registered_reference(family):
    """Every surname and arXiv id a registration cites appears in the References section of
    the family that registers it, or of the package that defines the method (the shared
    operator methods are cited once, in ``problems/operators``)."""
    cited = 0
    for problem in catalogue().values():
        if problem.family != family:
            continue
        for algorithm in problem.algorithms.values():
            home = algorithm.run.__module__.rsplit(".", 1)[0]
            sections = _references(f"workbench.problems.{family}") + _references(home)
            names, arxiv = citations(algorithm.reference)
            for item in [*names, *arxiv]:
                assert item in sections, (
                    f"{problem.name}/{algorithm.name} cites {item!r} "
                    f"({algorithm.reference!r}); the References of {family} and {home} do not")
            cited += len(names)
    assert cited > 0, f"no registration of {family} cites a paper"
