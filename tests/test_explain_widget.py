"""The step-through widget's Python side: it steps the live network (the object afterwards is
the one that took the step), and Step / Back move through the recorded formulas."""

import pytest

from neurons_lab.explain import article_example
from neurons_lab.explain.walkthrough import fmt

pytest.importorskip("anywidget")
from neurons_lab.explain.widget import StepThrough  # noqa: E402


@pytest.mark.parametrize("impl", ["neurons", "vectorized"])
def test_the_widget_steps_the_live_network(impl):
    ex = article_example()
    net, twin = ex.build(impl), ex.build(impl)
    w = StepThrough(net, ex.sample, ex.label, ex.rate)
    twin.train_one_sample(ex.label, ex.sample, ex.rate)
    assert str(net.parameters()) == str(twin.parameters())
    assert w.net is net and len(w.steps) == len(w.trace.steps) > 5
    assert w.current()[1] == [] and w.index == 0
    assert w.back() == 0  # clamped at the start
    w.step()
    heading, lines = w.current()
    assert heading.startswith("Phase 1")
    w.step(10_000)
    assert w.index == len(w.steps)
    heading, lines = w.current()
    assert heading.startswith("Phase 4") and "<svg" in w.svg


def test_the_numbers_shown_are_the_objects():
    ex = article_example()
    net = ex.build("neurons")
    w = StepThrough(net, ex.sample, ex.label, ex.rate, lang="zh")
    w.step()
    node4 = net.layers[1].nodes[0]
    heading, lines = w.current()
    assert "阶段 1" in heading and lines[-1].endswith(fmt(node4.output))
    last = w.steps[-1]
    w9b = net.layers[2].nodes[1].upstream[-1]
    assert last["lines"][-1].endswith(f"= {fmt(w9b.weight)}")
    assert last["reveal"]["e-2-1-b"]["w"] == w9b.weight
