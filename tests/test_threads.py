"""The BLAS thread policy (training/threads.py): parsing, the rule, applying and restoring.

Each checker below is a function returning what went wrong (an empty list when nothing did),
run once on the real code and once on a deliberately wrong stand-in that it must catch.
"""

import argparse
import contextlib
import sys
import warnings

import pytest

from neurons_lab.training import threads
from neurons_lab.training.threads import (
    WORK_PER_THREAD,
    ThreadChoice,
    blas_threads,
    busy_between,
    check_threads,
    choose_threads,
    cpu_times,
    largest_product,
    parse_threads,
    threads_argument,
)

threadpoolctl = pytest.importorskip("threadpoolctl")

# --- --threads parsing and validation --------------------------------------------------------

# (text, cores, expected value or the words the ValueError must contain)
PARSE_CASES = [
    ("auto", 2, None), ("AUTO", 2, None), ("1", 2, 1), ("2", 2, 2), (" 2 ", 4, 2),
    ("0", 2, "at least 1"), ("-1", 2, "at least 1"), ("-3", 8, "at least 1"),
    ("3", 2, "more than the 2 cores"), ("2", 1, "more than the 1 core "),
    ("1.5", 2, "whole number"), ("2.0", 2, "whole number"), ("two", 2, "whole number"),
    ("", 2, "whole number"), ("1e3", 2, "whole number"),
]


def parse_mismatches(parse):
    """Cases of PARSE_CASES where ``parse(text, cores)`` returns or raises something else."""
    wrong = []
    for text, cores, expected in PARSE_CASES:
        try:
            got = parse(text, cores)
        except ValueError as error:
            if not (isinstance(expected, str) and expected in str(error)
                    and "--threads" in str(error)):
                wrong.append((text, cores, f"ValueError: {error}"))
            continue
        except Exception as error:  # anything but a ValueError is wrong for argparse
            wrong.append((text, cores, repr(error)))
            continue
        if isinstance(expected, str) or got != expected:
            wrong.append((text, cores, got))
    return wrong


def test_parse_threads_accepts_auto_and_counts_and_rejects_the_rest():
    assert parse_mismatches(parse_threads) == []


def test_parse_checker_catches_a_parser_that_accepts_any_integer():
    def naive(text, cores):
        return None if text.strip().lower() == "auto" else int(float(text))

    wrong = {case[0] for case in parse_mismatches(naive)}
    assert {"0", "-1", "3", "1.5", "two"} <= wrong


def command_line_error(type_, argv):
    """The error text argparse prints for ``argv`` with ``--threads`` of ``type_`` (or None)."""
    parser = argparse.ArgumentParser(prog="neurons train")
    parser.add_argument("--threads", type=type_, default=None)
    messages = []
    parser.error = messages.append  # instead of printing and exiting
    parser.parse_args(argv)
    return messages[0] if messages else None


def test_the_command_line_shows_the_reason(monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    assert command_line_error(threads_argument, ["--threads", "2"]) is None
    for value, words in (("0", "at least 1, got 0"), ("-1", "at least 1"),
                         ("3", "more than the 2 cores"), ("x", "whole number")):
        message = command_line_error(threads_argument, ["--threads", value])
        assert "--threads" in message and words in message, message


def test_the_command_line_check_catches_a_generic_message():
    message = command_line_error(parse_threads, ["--threads", "0"])
    assert "at least 1" not in message  # argparse's own "invalid parse_threads value: '0'"


def test_check_threads_types_and_limits():
    assert check_threads(2, cores=2) == 2
    assert check_threads(2.0, cores=2) == 2  # an integral float is a count
    for bad in (1.5, "2", None, True, [1]):
        with pytest.raises(TypeError, match="threads must be a whole number"):
            check_threads(bad, cores=2)
    with pytest.raises(ValueError, match="threads must be at least 1, got 0"):
        check_threads(0, cores=2)
    with pytest.raises(ValueError, match="threads=5 is more than the 4 cores"):
        check_threads(5, cores=4)


# --- the rule --------------------------------------------------------------------------------

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


# (layer_sizes, batch, cores, busy cores, expected threads)
EDGE = 2 * WORK_PER_THREAD  # the smallest product (batch × largest) given two threads
RULE_CASES = [
    ([784, 300, 10], 1, 2, 0, 1),     # one sample: gemv, never worth a second thread
    ([784, 300, 10], 10, 2, 0, 1),
    ([784, 500, 10], 10, 2, 0, 1),    # the case: 1.95 ms on two threads, 1.32 on one
    ([784, 300, 10], 32, 2, 0, 1),    # 7.5 M multiply-adds: below the crossover
    ([784, 300, 10], 64, 2, 0, 2),    # 15 M: above it
    ([784, 300, 10], 256, 2, 0, 2),
    ([784, 500, 10], 256, 2, 0, 2),
    ([784, 500, 10], 256, 2, 1, 1),   # another process holds one of the two cores
    ([784, 500, 10], 256, 2, 2, 1),   # both: still at least one
    ([784, 500, 10], 256, 1, 0, 1),   # never more threads than cores
    ([784, 1000, 10], 1024, 4, 0, 4),
    ([784, 1000, 10], 1024, 4, 1, 3),
    ([EDGE, 1], 1, 2, 0, 2),          # the boundary itself, either side
    ([EDGE - 1, 1], 1, 2, 0, 1),
    ([EDGE // 4, 1], 4, 2, 0, 2),     # the batch counts as much as the layer
    (CNN, 1, 2, 0, 1),
    (CNN, EDGE // 288_000 + 1, 2, 0, 2),
]


def rule_mismatches(rule):
    """Cases of RULE_CASES where ``rule(sizes, batch, cores=, busy=)`` picks another count."""
    return [(sizes, batch, cores, busy, expected, got)
            for sizes, batch, cores, busy, expected in RULE_CASES
            if (got := rule(sizes, batch, cores=cores, busy=busy).threads) != expected]


def test_the_rule_on_the_table_of_cases():
    assert rule_mismatches(choose_threads) == []


@pytest.mark.parametrize("wrong_rule", [
    lambda sizes, batch, cores, busy: ThreadChoice(cores, "all cores, OpenBLAS's default"),
    lambda sizes, batch, cores, busy: ThreadChoice(1, "always one"),
    lambda sizes, batch, cores, busy: ThreadChoice(  # ignores the load
        choose_threads(sizes, batch, cores=cores, busy=0).threads, "blind to the load"),
    lambda sizes, batch, cores, busy: ThreadChoice(  # ignores the batch size
        choose_threads(sizes, 1, cores=cores, busy=busy).threads, "per sample"),
])
def test_the_rule_checker_catches_wrong_rules(wrong_rule):
    assert rule_mismatches(wrong_rule) != []


def test_explicit_threads_override_the_rule_and_are_checked():
    assert choose_threads([784, 300, 10], 1, threads=2, cores=2) == (2, "set explicitly")
    assert choose_threads([784, 1000, 10], 1024, threads=1, cores=2).threads == 1
    with pytest.raises(ValueError, match="more than the 2 cores"):
        choose_threads([784, 300, 10], 1, threads=3, cores=2)


def test_the_load_is_measured_only_when_more_than_one_thread_is_wanted(monkeypatch):
    calls = []
    monkeypatch.setattr(threads, "busy_cores", lambda cores: calls.append(cores) or 1)
    assert choose_threads([784, 300, 10], 10, cores=2).threads == 1
    assert calls == []
    choice = choose_threads([784, 500, 10], 256, cores=2)
    assert calls == [2] and choice.threads == 1 and "keep 1 of 2 cores busy" in choice.reason


def test_busy_time_from_proc_stat_snapshots():
    before = cpu_times("cpu  9 0 0 9 0 0 0 0 0 0\n"
                      "cpu0 100 0 0 100 0 0 0 0 0 0\ncpu1 100 0 0 100 0 0 0 0 0 0\n")
    # cpu0: 10 ticks all busy; cpu1: 8 of 10 idle (iowait counts as idle)
    after = cpu_times("cpu0 105 0 5 100 0 0 0 0 0 0\ncpu1 101 0 1 106 2 0 0 0 0 0\n")
    assert before == {"cpu0": (200, 100), "cpu1": (200, 100)}
    assert busy_between(before, after) == pytest.approx(1.2)
    only = cpu_times("cpu0 1 0 0 1 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0\n", allowed={"cpu1"})
    assert list(only) == ["cpu1"]


# --- applying and restoring ------------------------------------------------------------------

def blas_counts():
    return [info["num_threads"] for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas"]


def leaks(make_context, threads, raise_inside=False):
    """What is wrong with ``make_context(threads)``: it must set every BLAS to ``threads``
    inside and give back the outer counts afterwards (also when the block raises)."""
    import numpy as np

    np.ones((2, 2)) @ np.ones((2, 2))  # NumPy's BLAS is loaded
    wrong = []
    with threadpoolctl.threadpool_limits(2, user_api="blas"):  # a known outer state
        outer = blas_counts()
        try:
            with make_context(threads):
                if blas_counts() != [threads] * len(outer):
                    wrong.append(f"inside: {blas_counts()}")
                if raise_inside:
                    raise KeyError("inside")
        except KeyError:
            pass
        if blas_counts() != outer:
            wrong.append(f"after: {blas_counts()} instead of {outer}")
    return wrong


@pytest.mark.parametrize("raise_inside", [False, True])
def test_blas_threads_applies_inside_and_restores_after(raise_inside):
    assert leaks(blas_threads, 1, raise_inside) == []


def test_blas_threads_takes_a_choice_and_reports_what_it_applied():
    with blas_threads(ThreadChoice(1, "test")) as applied:
        assert applied == 1 and set(blas_counts()) == {1}
    before = blas_counts()
    with blas_threads(None) as applied:
        assert applied is None and blas_counts() == before


@contextlib.contextmanager
def leaky(threads):
    threadpoolctl.threadpool_limits(threads, user_api="blas")  # never restored
    yield threads


@contextlib.contextmanager
def restores_only_on_success(threads):
    limits = threadpoolctl.threadpool_limits(threads, user_api="blas")
    yield threads
    limits.restore_original_limits()


@contextlib.contextmanager
def does_nothing(threads):
    yield threads


def test_the_leak_checker_catches_wrong_contexts():
    assert leaks(leaky, 1) != []
    assert leaks(restores_only_on_success, 1) == []
    assert leaks(restores_only_on_success, 1, raise_inside=True) != []
    assert leaks(does_nothing, 1) != []


def test_bad_counts_are_refused_before_anything_changes():
    before = blas_counts()
    for bad, error in ((0, ValueError), (-2, ValueError), (1.5, TypeError), ("1", TypeError)):
        with pytest.raises(error, match="threads"):
            blas_threads(bad)
    assert blas_counts() == before


def test_without_threadpoolctl_nothing_changes_and_it_says_so(monkeypatch):
    before = blas_counts()  # (this module keeps its own reference to threadpoolctl)
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # `import threadpoolctl` fails
    monkeypatch.setattr(threads, "_warned", [])
    with pytest.warns(RuntimeWarning, match="threadpoolctl is not installed"):
        with blas_threads(1) as applied:
            assert applied is None and blas_counts() == before
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once, not on every run
        with blas_threads(1):
            assert blas_counts() == before
