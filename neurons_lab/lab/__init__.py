"""lab: the real ``neurons`` object graph running in the browser (Pyodide), nothing to install.

- :mod:`.engine` runs in the page (and in CPython, for the tests): it builds a ``neurons``
  Network, steps it phase by phase, trains it, and reports every number as JSON;
- :mod:`.datasets`: the lab's small 2-D data sets (XOR, spiral, moons), standard library only;
- :mod:`.pyodide`: fetches the pinned Pyodide from the npm registry, integrity checked;
- :mod:`.site`: the files of the lab's site (page, the package's own ``.py`` files, Pyodide),
  served on 127.0.0.1 or written to a folder.

The engine and data sets import nothing outside the standard library, ``neurons`` and the
stdlib-only part of ``neurons_lab.explain``: they are what Pyodide loads.
"""
