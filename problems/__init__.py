"""The catalogue of synthetic problems, one module per family (installed as workbench.problems).

Each family module defines ``PROBLEMS``, a tuple of :class:`workbench.catalogue.Problem`;
:func:`workbench.catalogue.catalogue` finds them, so a new family is one new file here.
"""
