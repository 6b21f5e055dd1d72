"""Package discovery for setuptools (the metadata is in pyproject.toml).

``workbench/`` installs as ``workbench``, ``problems/`` as ``workbench.problems`` and
``rates/`` as ``workbench.rates``, each with every subfolder that holds an ``__init__.py``.
"""

from setuptools import find_packages, setup

ROOTS = {"workbench": "workbench", "workbench.problems": "problems", "workbench.rates": "rates"}
packages, package_dir = [], {}
for name, folder in ROOTS.items():
    packages.append(name)
    package_dir[name] = folder
    for sub in find_packages(where=folder):
        packages.append(f"{name}.{sub}")
        package_dir[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"
setup(packages=packages, package_dir=package_dir)
