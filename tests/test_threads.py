"""The BLAS thread rule (neurons_lab/training/threads.py): ``--threads``, the rule, applying the
count and restoring it. Each checker returns what went wrong and is shown catching a wrong one.
"""

import argparse
import contextlib
import sys
import warnings

import pytest

from neurons_lab.training import threads
from neurons_lab.training.threads import (
    LARGE_PRODUCT,
    ThreadChoice,
    blas_threads,
    check_threads,
    choose_threads,
    largest_product,
    threads_argument,
)

threadpoolctl = pytest.importorskip("threadpoolctl")


def command_line_error(argv):
    """The error argparse reports for ``--threads`` in ``argv`` (None when it is accepted)."""
    parser = argparse.ArgumentParser(prog="neurons train")
    parser.add_argument("--threads", type=threads_argument, default=None)
    messages = []
    parser.error = messages.append  # instead of printing and exiting
    parser.parse_args(argv)
    return messages[0] if messages else None


@pytest.mark.parametrize("text, value", [("auto", None), ("AUTO", None), ("1", 1),
                                         (" 2 ", 2), ("2", 2)])
def test_threads_option_accepts_auto_and_counts(monkeypatch, text, value):
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    assert threads_argument(text) == value


@pytest.mark.parametrize("text, words", [
    ("0", "from 1 to the 2 cores this process may use, got 0"), ("-1", "got -1"),
    ("3", "from 1 to the 2 cores"), ("1.5", "whole number"), ("two", "whole number"),
    ("", "whole number"), ("1e3", "whole number")])
def test_threads_option_names_what_is_wrong(monkeypatch, text, words):
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    message = command_line_error(["--threads", text])
    assert message and "--threads" in message and words in message, message


def test_check_threads_types_and_limits():
    assert check_threads(2, cores=2) == 2 and check_threads(2.0, cores=2) == 2
    for bad in (1.5, "2", None, True, [1]):
        with pytest.raises(TypeError, match="threads must be a whole number"):
            check_threads(bad, cores=2)
    for bad in (0, 5):
        with pytest.raises(ValueError, match=f"from 1 to the 4 cores .*, got {bad}"):
            check_threads(bad, cores=4)
    with pytest.raises(ValueError, match="from 1 to the 1 core this"):
        check_threads(2, cores=1)


CNN = ["1x28x28", "conv20x5", "pool2", 100, 10]


def test_largest_product_of_dense_and_convolutional_specs():
    assert largest_product([784, 300, 10]) == 784 * 300
    assert largest_product([2, 3, 4, 1]) == 12
    # conv20x5 on 1x28x28: 20·1·5·5 per output position, 24×24 positions; then 20·12·12 → 100
    assert largest_product(CNN) == max(20 * 25 * 24 * 24, 20 * 12 * 12 * 100) == 288_000
    # stride and padding: conv16x3s1p1 keeps 32×32; after pool2, 16·16·16 → 10
    assert largest_product(["3x32x32", "conv16x3s1p1", "pool2", 10]) == 16 * 27 * 32 * 32
    assert largest_product(["1x8x8", "conv4x3s2p0", 5]) == max(4 * 9 * 9, 4 * 9 * 5)
    assert largest_product([784, 300, "drop0.5", 10]) == 784 * 300


# (layer_sizes, batch, cores, expected threads)
RULE_CASES = [
    ([784, 300, 10], 1, 2, 1), ([784, 300, 10], 10, 2, 1), ([784, 500, 10], 10, 2, 1),
    ([784, 300, 10], 64, 2, 1),   # 15 M multiply-adds: two threads gain ×1.2 at most
    ([784, 500, 10], 64, 2, 1),
    ([784, 300, 10], 256, 2, 2),  # 60 M
    ([784, 500, 10], 256, 1, 1),  # never more threads than cores
    ([784, 1000, 10], 1024, 4, 4),
    ([LARGE_PRODUCT, 1], 1, 2, 2), ([LARGE_PRODUCT - 1, 1], 1, 2, 1),  # the boundary
    ([LARGE_PRODUCT // 4, 1], 4, 2, 2),  # the batch counts as much as the layer
    (CNN, 64, 2, 1), (CNN, LARGE_PRODUCT // 288_000 + 1, 2, 2),
]


def rule_mismatches(rule):
    return [(sizes, batch, cores, expected, got)
            for sizes, batch, cores, expected in RULE_CASES
            if (got := rule(sizes, batch, cores=cores).threads) != expected]


def test_the_rule_on_the_table_of_cases():
    assert rule_mismatches(choose_threads) == []


@pytest.mark.parametrize("wrong_rule", [
    lambda sizes, batch, cores: ThreadChoice(cores, "all cores, OpenBLAS's default"),
    lambda sizes, batch, cores: ThreadChoice(1, "always one"),
    lambda sizes, batch, cores: choose_threads(sizes, 1, cores=cores),  # ignores the batch
])
def test_the_rule_checker_catches_wrong_rules(wrong_rule):
    assert rule_mismatches(wrong_rule) != []


def test_explicit_threads_override_the_rule_and_the_reason_says_why():
    assert choose_threads([784, 300, 10], 1, threads=2, cores=2) == (2, "set explicitly")
    assert choose_threads([784, 1000, 10], 1024, threads=1, cores=2).threads == 1
    with pytest.raises(ValueError, match="from 1 to the 2 cores"):
        choose_threads([784, 300, 10], 1, threads=3, cores=2)
    reason = choose_threads([784, 300, 10], 10, cores=2).reason
    assert reason == "784-300-10, batch 10: 2,352,000 multiply-adds in the largest product, " \
                     "below 50,000,000"


def blas_counts():
    return [info["num_threads"] for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas"]


def leaks(make_context, count, raise_inside=False):
    """What is wrong with ``make_context(count)``: every BLAS must use ``count`` threads
    inside and get back the outer counts afterwards, also when the block raises."""
    import numpy as np

    np.ones((2, 2)) @ np.ones((2, 2))  # NumPy's BLAS is loaded
    wrong = []
    with threadpoolctl.threadpool_limits(2, user_api="blas"):  # a known outer state
        outer = blas_counts()
        with contextlib.suppress(KeyError):
            with make_context(count):
                if blas_counts() != [count] * len(outer):
                    wrong.append(f"inside: {blas_counts()}")
                if raise_inside:
                    raise KeyError("inside")
        if blas_counts() != outer:
            wrong.append(f"after: {blas_counts()} instead of {outer}")
    return wrong


@pytest.mark.parametrize("raise_inside", [False, True])
def test_blas_threads_applies_inside_and_restores_after(raise_inside):
    assert leaks(blas_threads, 1, raise_inside) == []


@contextlib.contextmanager
def restores_only_on_success(count):
    limits = threadpoolctl.threadpool_limits(count, user_api="blas")
    yield count
    limits.restore_original_limits()


@contextlib.contextmanager
def does_nothing(count):
    yield count


def test_the_leak_checker_catches_wrong_contexts():
    assert leaks(restores_only_on_success, 1) == []
    assert leaks(restores_only_on_success, 1, raise_inside=True) != []
    assert leaks(does_nothing, 1) != []


def test_blas_threads_takes_a_choice_none_and_refuses_bad_counts():
    with blas_threads(ThreadChoice(1, "test")) as applied:
        assert applied == 1 and set(blas_counts()) == {1}
    before = blas_counts()
    with blas_threads(None) as applied:
        assert applied is None and blas_counts() == before
    for bad, error in ((0, ValueError), (-2, ValueError), (1.5, TypeError), ("1", TypeError)):
        with pytest.raises(error, match="threads"), blas_threads(bad):
            pass
    assert blas_counts() == before


def test_without_threadpoolctl_nothing_changes_and_it_says_so_once(monkeypatch):
    before = blas_counts()
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # `import threadpoolctl` fails
    monkeypatch.setattr(threads, "_warned", [])
    with pytest.warns(RuntimeWarning, match="threadpoolctl is not installed"):
        with blas_threads(1) as applied:
            assert applied is None and blas_counts() == before
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with blas_threads(1):
            assert blas_counts() == before
