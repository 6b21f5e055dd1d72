"""Theory-checking workbench for optimization convergence rates."""

from pathlib import Path

__version__ = "0.1.0"

# Installed, the catalogue (problems/) and the claim cards (rates/) live inside this package as
# workbench.problems and workbench.rates. In a source checkout they sit beside it; adding the
# checkout's root to this package's search path gives them the same names there.
_checkout = Path(__file__).resolve().parent.parent
if not (Path(__file__).parent / "problems").is_dir() and (_checkout / "problems").is_dir():
    __path__.append(str(_checkout))
