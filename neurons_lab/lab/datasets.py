"""The lab's 2-D data sets, drawn with ``random.Random(seed)`` (standard library only, so the
page and CPython draw the same points). Each returns (points, classes): points a list of
[x, y], classes a list of ints, in a mixed order (training does not shuffle).

Coordinates are rounded to 6 decimals: the browser's sin and cos (Pyodide's C library) can
differ from the system's in the last bit, and rounding makes both give the same points."""

import math
import random


def xor():
    """The four corners of the unit square; class 1 where exactly one coordinate is 1."""
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]


def spiral(points_per_class=60, n_classes=3, noise=0.2, seed=0):
    """K interleaved arms: arm c at radius r = 0…1, angle 2πc/K + 4r + noise·N(0, 1)."""
    rng = random.Random(seed)
    points, classes = [], []
    for c in range(n_classes):
        for n in range(points_per_class):
            r = n / max(points_per_class - 1, 1)
            angle = 2 * math.pi * c / n_classes + 4.0 * r + noise * rng.gauss(0.0, 1.0)
            points.append([round(r * math.sin(angle), 6), round(r * math.cos(angle), 6)])
            classes.append(c)
    return _mixed(points, classes, rng)


def moons(points_per_class=60, noise=0.1, seed=0):
    """Two interleaved half circles (class 0 above, class 1 below), centred on the origin."""
    rng = random.Random(seed)
    points, classes = [], []
    for c in range(2):
        for n in range(points_per_class):
            t = math.pi * n / max(points_per_class - 1, 1)
            x, y = (math.cos(t), math.sin(t)) if c == 0 else (1 - math.cos(t), 0.5 - math.sin(t))
            points.append([round(x - 0.5 + noise * rng.gauss(0.0, 1.0), 6),
                           round(y - 0.25 + noise * rng.gauss(0.0, 1.0), 6)])
            classes.append(c)
    return _mixed(points, classes, rng)


def _mixed(points, classes, rng):
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[k] for k in order], [classes[k] for k in order]


DATASETS = {"xor": xor, "spiral": spiral, "moons": moons}


def targets(classes, n_outputs):
    """Target vectors: one-hot over ``n_outputs``, or [class] for a single output node."""
    if n_outputs == 1:
        return [[float(c)] for c in classes]
    return [[1.0 if k == c else 0.0 for k in range(n_outputs)] for c in classes]
