"""Rich display in Jupyter: registered formatters draw networks, layers, nodes and connections
of both packages with their current values; showing an object changes no number."""

import subprocess
import sys
from pathlib import Path

import pytest

import neurons
import vectorized
from neurons_lab.explain import display
from neurons_lab.explain.drawing import NEGATIVE, POSITIVE

IPython = pytest.importorskip("IPython")
ROOT = Path(__file__).resolve().parent.parent
CNN = ["1x6x6", "conv2x3", "pool2", 3]
IMAGE = [((r * 7 + c * 3) % 5) / 4 for r in range(6) for c in range(6)]


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    assert display.register(ip) >= 10
    return ip


def html(shell, obj):
    data, _ = shell.display_formatter.format(obj)
    return data.get("text/html")


def trained(package, spec, label, sample):
    net = package.Network(spec, seed=0)
    net.train_one_sample(label, sample, 0.5)
    return net


def test_fully_connected_networks_draw_with_values(shell):
    for package in (neurons, vectorized):
        net = trained(package, [3, 4, 2], [0.9, 0.1], [1.0, 0.5, 0.2])
        before = net.parameters()
        out = html(shell, net)
        assert out.startswith("<div class='neurons-lab'><svg") and "δ=" in out
        assert POSITIVE in out and NEGATIVE in out
        assert str(before) == str(net.parameters())  # drawing changes nothing


def test_objects_of_the_graph_draw(shell):
    net = trained(neurons, [3, 4, 2], [0.9, 0.1], [1.0, 0.5, 0.2])
    node, conn = net.layers[1].nodes[0], net.connections[0]
    assert f"{node.delta:.4g}" in html(shell, node)
    out = html(shell, conn)
    assert f"{conn.weight:.4g}" in out and f"{conn.gradient:.4g}" in out
    assert "nodes[3]" in html(shell, net.layers[1])


def test_cnns_draw_maps_and_filters(shell):
    for package in (neurons, vectorized):
        net = trained(package, CNN, [1.0, 0.0, 0.0], IMAGE)
        out = html(shell, net)
        assert "W[1,0]" in out and "∂E/∂W[1,0]" in out and "map 1" in out
    net = trained(neurons, CNN, [1.0, 0.0, 0.0], IMAGE)
    shared = net.shared_weights[0]
    assert "shared by" in html(shell, shared)
    assert "PoolNode" in html(shell, net.layers[2].nodes[0])
    assert "map 0" in html(shell, net.layers[1])
    vnet = trained(vectorized, CNN, [1.0, 0.0, 0.0], IMAGE)
    for layer in vnet.layers:
        assert html(shell, layer).startswith("<div class='neurons-lab'>")


def test_other_objects_are_left_alone(shell):
    assert html(shell, [1, 2]) is None
    assert display.html_of(object()) is None


def test_outside_ipython_nothing_is_registered():
    code = ("import sys, neurons_lab; ipython = 'IPython' in sys.modules; "
            "import neurons_lab.explain.display as d; print(ipython, d.register())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.split() == ["False", "0"]
