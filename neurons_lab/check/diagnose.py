"""Naming the usual mistake behind a difference: each hypothesis says what a wrong
implementation would have returned, and the one that matches the candidate's numbers (to 1e-9)
is the diagnosis.

Transforms of the reference: sign flipped, transposed W, factor of the batch size, L2 on
biases, ½ missing (all on the gradient or the step); non-finite softmax output. Derivative at
the wrong point is simulated: a fully connected forward and backward written for this purpose
only (sigmoid, tanh, relu, identity; mse or softmax + cross-entropy), with the derivative's
output form y(1−y), 1−y² evaluated at net.
"""

import numpy as np

from .compare import agree

CLOSE = 1e-9

SIGN = ("sign flipped: these are −∂E/∂w, what the article stores (δ_j·x_i, then w += η·δ_j·x_i); "
        "the API returns the true gradient ∂E/∂w = −δ_j·x_i and steps w −= η·∂E/∂w")
SIGN_DELTA = ("sign flipped: this δ is +∂E/∂net; the article's δ is −∂E/∂net, e.g. "
              "δ = y(1−y)(t−y) at a sigmoid output with ½Σ(t−y)²")
SIGN_STEP = ("sign flipped in the step: the weights moved up the gradient; with the true "
             "gradient the step is w −= η·∂E/∂w (the article's w += η·δ·x)")
TRANSPOSED = ("transposed W: the gradient is laid out (in, out), W[i, j]; the project's W[j, i] "
              "is w_ji, shape (out, in): the gradient is −δ·xᵀ, not −x·δᵀ")
SHAPES = ("transposed W? the shapes do not fit: the project's W is (out, in), W[j, i] = w_ji, so "
          "a layer computes W·x + b (a batch of rows: X·Wᵀ + b) and its gradient is (out, in)")
BATCH = ("factor of the batch size ({n}): the gradient is the sum over the batch's {n} samples; "
         "it must be their mean (E_total = mean(E) + λ/2 ΣW²)")
BATCH_DIVIDED = ("factor of the batch size ({n}): the gradient is divided by the batch size "
                 "twice (or λW divided too); it must be the mean of the samples' gradients")
L2_BIAS = ("L2 applied to biases: ∂E/∂b has λ·b added; the L2 term λ/2 ΣW² covers weights only, "
           "never biases")
L2_MISSING = ("L2 missing: ∂E/∂W lacks λ·W (E_total = mean(E) + λ/2 ΣW², whose gradient adds "
              "λ·w_ji to every weight's)")
HALF = ("½ missing in the loss: E = Σ(t−y)² doubles every gradient; the project's mse is "
        "E = ½Σ(t−y)², whose ∂E/∂y is y − t")
SOFTMAX = ("softmax without the max subtracted: e^net overflows (net ≈ 800 here, e^709.8 is the "
           "largest float64); compute e^(net − max net) / Σ e^(net − max net), the same softmax")
AT_NET = ("derivative taken at net instead of the output: f'(net) written in the output y "
          "(sigmoid y(1−y), tanh 1−y²) was evaluated at net")
AT_OUTPUT = ("derivative taken at the output instead of net: f'(net) (sigmoid σ(net)(1−σ(net)), "
             "tanh 1−tanh²(net)) was evaluated at y = f(net)")


def _close(a, b):
    return agree(a, b, CLOSE)


def _all(pairs_e, pairs_g, test):
    try:
        return all(test(np.asarray(e, float), np.asarray(g, float))
                   for pe, pg in zip(pairs_e, pairs_g) for e, g in zip(pe, pg)) \
            and len(pairs_e) == len(pairs_g)
    except (TypeError, ValueError):
        return False


def gradient(case, params, expected, got, n=1, simulate=None):
    """The diagnosis of a gradient difference, or None. ``expected``/``got``: [(dW, db), …];
    ``params`` the weights they were taken at; ``n`` the batch size."""
    lam = case.l2
    data = [(eW - lam * W, eb) for (eW, eb), (W, _) in zip(expected, params)]

    def scaled(k):  # data part × k, L2 part as it should be
        return [(k * dW + lam * W, k * db) for (dW, db), (W, _) in zip(data, params)]

    if _all(expected, got, lambda e, g: e.ndim == 2 and g.shape == e.T.shape
            and _close(e, g.T) or _close(e, g)) and not _all(expected, got, _close) \
            and any(np.ndim(e[0]) == 2 for e in expected):
        return TRANSPOSED
    if _all(expected, got, lambda e, g: _close(-e, g)) or \
            _all(scaled(-1.0), got, _close):
        return SIGN
    if case.loss == "mse" and _all(scaled(2.0), got, _close):
        return HALF
    if n > 1 and _all(scaled(float(n)), got, _close):
        return BATCH.format(n=n)
    if n > 1 and (_all(scaled(1.0 / n), got, _close) or
                  _all([(e / n, b / n) for e, b in expected], got, _close)):
        return BATCH_DIVIDED.format(n=n)
    if lam and _all(data, got, _close):
        return L2_MISSING
    if lam and _all([(eW, eb + lam * b) for (eW, eb), (_, b) in zip(expected, params)], got,
                    _close):
        return L2_BIAS
    return _simulated(simulate, got, "gradients")


def _simulated(simulate, got, what):
    if simulate is None:
        return None
    for (point, words), scope in ((p, s) for p in (("net", AT_NET), ("output", AT_OUTPUT))
                                  for s in ("all", "output", "hidden")):
        result = simulate(point, scope)
        if result is None:
            return None
        words += {"all": "", "output": " (in the output layer's δ)",
                  "hidden": " (in the hidden layers' δ)"}[scope]
        if what == "gradients" and _all(result[what], got, _close):
            return words
        if what == "deltas" and len(result[what]) == len(got) and \
                all(_close(e, g) for e, g in zip(result[what], got)):
            return words
    return None


def deltas(expected, got, simulate=None):
    """The diagnosis of a δ difference, or None (lists of arrays, one per layer)."""
    try:
        if len(expected) == len(got) and all(_close(-e, g) for e, g in zip(expected, got)):
            return SIGN_DELTA
    except (TypeError, ValueError):
        return None
    return _simulated(simulate, got, "deltas")


def output(case, expected, got):
    """The diagnosis of an output difference, or None."""
    g = np.asarray(got, dtype=float) if np.size(got) else None
    if case.output == "softmax" and g is not None and g.shape == np.shape(expected) and \
            not np.all(np.isfinite(g)) and np.all(np.isfinite(expected)):
        return SOFTMAX
    return None


def loss(case, expected, got):
    if case.loss == "mse" and _close(2.0 * expected, got):
        return HALF
    return None


def step(case, params, expected_after, got_after, rate, n=1):
    """The diagnosis of parameters that differ after one step from ``params``."""
    lam = case.l2
    moved = [(eW - W, eb - b) for (eW, eb), (W, b) in zip(expected_after, params)]

    def after(f):
        return [f(W, b, dW, db) for (W, b), (dW, db) in zip(params, moved)]

    if _all(after(lambda W, b, dW, db: (W - dW, b - db)), got_after, _close):
        return SIGN_STEP
    if n > 1 and _all(after(lambda W, b, dW, db: (W + n * (dW + rate * lam * W)
                                                  - rate * lam * W, b + n * db)),
                      got_after, _close):
        return BATCH.format(n=n)
    if lam and _all(after(lambda W, b, dW, db: (W + dW, b + db - rate * lam * b)), got_after,
                    _close):
        return L2_BIAS
    return None


# -- the simulation of a derivative taken at the wrong point ---------------------------------

def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


F = {"sigmoid": _sigmoid, "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0.0),
     "identity": lambda v: v}
PRIME_OF_Y = {"sigmoid": lambda y: y * (1.0 - y), "tanh": lambda y: 1.0 - y * y,
              "relu": lambda y: (y > 0.0) * 1.0, "identity": np.ones_like}


def simulator(case, params, X, T):
    """``simulate(point, scope)`` → {"gradients", "deltas"} of a network whose f' is evaluated
    at the wrong ``point`` ("net": the y-form at net; "output": the net-form at y) in the
    ``scope`` "all", "output" or "hidden" layers, for the batch X (N, in), T (N, out); None
    where the simulation does not apply."""
    acts = tuple(case.activation) + (case.output,)
    elementwise = [a for a in acts if a != "softmax"]
    applies = not case.is_cnn and set(elementwise) <= set(F) and \
        {"sigmoid", "tanh"} & set(elementwise) and \
        (case.loss == "mse" and case.output != "softmax" or
         case.loss == "cross_entropy" and case.output == "softmax")
    if not applies:
        return lambda point, scope="all": None

    def run(point, scope="all"):
        def prime(name, net, y, top=False):
            if scope == ("hidden" if top else "output"):
                return PRIME_OF_Y[name](y)  # this layer right
            return PRIME_OF_Y[name](net) if point == "net" else PRIME_OF_Y[name](F[name](y))
        ys, nets = [np.asarray(X, float)], []
        with np.errstate(all="ignore"):
            for (W, b), name in zip(params, acts):
                net = ys[-1] @ np.asarray(W).T + b
                nets.append(net)
                if name == "softmax":
                    e = np.exp(net - net.max(axis=-1, keepdims=True))
                    ys.append(e / e.sum(axis=-1, keepdims=True))
                else:
                    ys.append(F[name](net))
            L, N = len(params), len(X)
            delta = T - ys[-1] if acts[-1] == "softmax" else \
                prime(acts[-1], nets[-1], ys[-1], top=True) * (T - ys[-1])
            grads, deltas = [], []
            for k in range(L - 1, -1, -1):
                W = np.asarray(params[k][0])
                grads.insert(0, (-(delta.T @ ys[k]) / N + case.l2 * W, -delta.mean(axis=0)))
                deltas.insert(0, delta[0] if N == 1 else delta)
                if k:
                    delta = prime(acts[k - 1], nets[k - 1], ys[k]) * (delta @ W)
        return {"gradients": grads, "deltas": deltas}
    return run
