"""neurons_lab: the tools around the two networks of ``neurons`` and ``vectorized``.

- ``neurons_lab.training``: data sets (MNIST and small generated ones), the training loop with
  honest evaluation, checkpoints, the numerical gradient check (式6), scoring and voting;
- ``neurons_lab.explain``: every number of a training step, as text, a drawing, a page and
  pictures of training;
- ``neurons_lab.cli``: the ``neurons`` command (``python -m neurons_lab``).

Everything here talks to the public API of both networks and never changes them.
"""

import sys as _sys

if "IPython" in _sys.modules:  # in Jupyter: networks, layers, nodes, connections draw themselves
    from .explain import display as _display

    _display.register()
