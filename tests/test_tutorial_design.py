"""benchmarks/tutorial_design.py, the speed baseline, computes the very network neurons does.

A baseline that computed something else (or less) would make the speed ratio meaningless.
"""

import pytest

import neurons
from benchmarks import neurons_timing, tutorial_design


def load(tutorial, params):
    """Copy neurons' [(W, b), …] into the tutorial's connections (its ConstNode is last)."""
    for k, (W, b) in enumerate(params):
        lower, upper = tutorial.layers[k], tutorial.layers[k + 1]
        for j, node in enumerate(upper.nodes[:-1]):
            for conn in node.upstream:
                i = lower.nodes.index(conn.upstream_node)
                conn.weight = W[j][i] if i < len(lower.nodes) - 1 else b[j]


def test_same_outputs_and_same_steps_as_neurons():
    sizes = [5, 4, 3, 2]
    ours = neurons.Network(sizes, seed=3)
    theirs = tutorial_design.Network(sizes, seed=0)
    load(theirs, ours.parameters())
    pairs = neurons_timing.random_samples(5, 2, 4, seed=1)
    for label, sample in pairs * 3:
        assert theirs.predict(sample) == pytest.approx(ours.predict(sample), abs=1e-15)
        ours.train_one_sample(label, sample, 0.5)
        theirs.train_one_sample(label, sample, 0.5)
    fresh = tutorial_design.Network(sizes, seed=0)
    load(fresh, ours.parameters())
    for (_, sample) in pairs:
        assert theirs.predict(sample) == pytest.approx(fresh.predict(sample), abs=1e-14)


def test_the_output_layer_carries_a_const_node_and_its_delta_is_zero():
    net = tutorial_design.Network([2, 2, 2], seed=0)
    assert [type(layer.nodes[-1]).__name__ for layer in net.layers] == ["ConstNode"] * 3
    net.train_one_sample([0.9, 0.1], [1.0, 0.0], 0.3)
    assert all(layer.nodes[-1].delta == 0.0 for layer in net.layers)


def test_compare_with_tutorial_reports_both_times_and_their_ratio():
    result = neurons_timing.compare_with_tutorial([4, 3, 2], repeats=3, min_time=0.001,
                                                  warmup_time=0.0)
    assert result["layer_sizes"] == [4, 3, 2]
    assert result["neurons_seconds"] > 0 and result["tutorial_seconds"] > 0
    assert result["ratio"] > 0
