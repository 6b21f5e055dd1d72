"""``workbench.jit.njit``: Numba applied on a kernel module's first use, not on import."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

from workbench.jit import LazyKernel

MODULE = textwrap.dedent('''
    import numpy as np

    from workbench.jit import njit


    @njit(cache=False, inline="always")
    def _square(x):
        return x * x


    @njit(cache=False)
    def total_of_squares(v):
        """Sum of squares through a jitted helper."""
        s = 0.0
        for i in range(v.size):
            s += _square(v[i])
        return s
''')


def test_a_kernel_module_is_jitted_on_first_call_and_callees_are_bound(tmp_path, monkeypatch):
    import numba
    import numpy as np

    (tmp_path / "lazy_kernels_example.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("lazy_kernels_example")
    held = module.total_of_squares  # what a methods module holds after "from .kernels import"
    assert isinstance(held, LazyKernel) and held.dispatcher is None
    assert held.__doc__ == "Sum of squares through a jitted helper."
    assert held(np.arange(4.0)) == 14.0
    # The module now holds Numba dispatchers (the helper was compiled as one, not called as a
    # Python object), and the object imported before forwards to the same dispatcher.
    dispatcher_type = type(numba.njit(lambda: 0))
    assert isinstance(module.total_of_squares, dispatcher_type)
    assert isinstance(module._square, dispatcher_type)
    assert held.dispatcher is module.total_of_squares
    assert held.py_func(np.arange(3.0)) == 5.0


def test_listing_the_catalogue_does_not_import_numba():
    code = ("import sys\n"
            "from workbench.catalogue import catalogue\n"
            "from workbench.cards.claims import load_claims\n"
            "catalogue(); load_claims(None)\n"
            "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
