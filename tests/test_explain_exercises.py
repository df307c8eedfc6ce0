"""The exercise checker: the reference answers pass, and each kind of wrong answer is caught
and located (the first node or connection that differs, and by how much)."""

import pytest

from neurons_lab.explain import exercises
from neurons_lab.explain.exercises import REFERENCE, check


def test_reference_answers_pass_every_number():
    report = check(**REFERENCE)
    assert report.ok and [r.status for r in report.results] == ["right"] * 5
    assert all(r.checked > 5 for r in report.results)


def test_unwritten_exercises_are_not_wrong():
    def unwritten(*args):
        raise NotImplementedError

    report = check(output_delta=unwritten, gradient=REFERENCE["gradient"])
    assert report.ok
    assert [r.status for r in report.results] == ["not written", "right"]
    report.raise_if_wrong()


@pytest.mark.parametrize("name, wrong, where", [
    ("output_delta", lambda y, t: y * (1 - y) * (y - t), "node "),          # sign flipped
    ("hidden_delta", lambda a, ws, ds: a * sum(w * d for w, d in zip(ws, ds)), "node "),
    ("gradient", lambda d, x: d * x, "Connection("),                        # the article's sign
    ("update", lambda w, r, g: w + r * g, "Connection("),
    ("conv_gradient", lambda ds, xs: -sum(ds) * sum(xs), "SharedWeight"),
])
def test_each_wrong_answer_is_caught_and_located(name, wrong, where):
    report = check(**{name: wrong})
    (result,) = report.results
    assert result.status == "wrong" and where in result.where
    assert abs(result.yours - result.expected) > 1e-9
    with pytest.raises(AssertionError, match=f"{name}: first differs at"):
        report.raise_if_wrong()


def test_the_weight_is_named_in_every_view():
    report = check(gradient=lambda d, x: d * x)
    where = report.results[0].where
    assert where.startswith("w") and "Connection(0-" in where and "layers[0].W[" in where


def test_a_non_number_is_wrong_not_a_crash():
    report = check(update=lambda w, r, g: None)
    assert report.results[0].status == "wrong"
    assert "(not a number)" in report.results[0].line()


def test_reference_matches_the_formulas_by_hand():
    assert exercises.output_delta(0.5, 1.0) == 0.125
    assert exercises.hidden_delta(0.5, [2.0, 1.0], [0.1, 0.2]) == 0.25 * 0.4
    assert exercises.gradient(0.5, 2.0) == -1.0
    assert exercises.update(1.0, 0.5, 0.2) == 0.9
    assert exercises.conv_gradient([1.0, 2.0], [3.0, 4.0]) == -11.0
