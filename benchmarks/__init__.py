"""Speed benchmarks: every kernel against its NumPy twin and the arithmetic floor, side by side.

Run ``python -m benchmarks`` from the checkout's root (``--help`` for options; ``--family F``
for one family). Importing this package limits BLAS to one thread: the variables below are
set here, in the package's first module, so that they are in place before anything imports
NumPy. Not a test suite: nothing here runs under pytest.
"""

from __future__ import annotations

import os
import sys

#: Thread-count variables of the BLAS builds NumPy may use, all set to 1.
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                  "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
for _name in BLAS_VARIABLES:
    os.environ[_name] = "1"

#: True when NumPy was loaded before this package set the variables (they are then ignored).
NUMPY_LOADED_FIRST = "numpy" in sys.modules
