"""Implementations for the tests of ``neurons check``: a correct NumPy class written as the
tutorial's fc.py (rows are samples), one subclass per usual mistake (each overrides one small
method), a tutorial-style pure-Python loop, and forward/backward functions."""

import math

import numpy as np

ACT = {  # f(net), f' written in the output y
    "sigmoid": (lambda n: 1.0 / (1.0 + np.exp(-n)), lambda y: y * (1.0 - y)),
    "tanh": (np.tanh, lambda y: 1.0 - y * y),
    "relu": (lambda n: np.maximum(n, 0.0), lambda y: (y > 0.0) * 1.0),
    "identity": (lambda n: n, np.ones_like),
}


class Layer:
    """fc.py's FullConnectedLayer: W (out, in), b (out,), and what forward leaves behind."""

    def __init__(self, n_in, n_out, activation):
        self.W, self.b = np.zeros((n_out, n_in)), np.zeros(n_out)
        self.activation = activation
        self.input = self.net = self.output = self.delta = None


class FcNet:
    """Correct. Sigmoid/tanh/relu/identity, softmax output, mse or cross-entropy, L2."""

    def __init__(self, layer_sizes, activation="sigmoid", output="sigmoid", loss="mse", l2=0.0):
        if not all(isinstance(n, int) for n in layer_sizes):
            raise NotImplementedError("fully connected only")
        hidden = [activation] * (len(layer_sizes) - 2) if isinstance(activation, str) \
            else list(activation)
        if any(a not in ACT for a in hidden) or output not in list(ACT) + ["softmax"]:
            raise ValueError("unsupported activation")
        if loss not in ("mse", "cross_entropy") or (loss == "cross_entropy") != \
                (output == "softmax"):
            raise ValueError("unsupported loss")
        self.loss_name, self.l2 = loss, l2
        self.layers = [Layer(i, o, a) for i, o, a in
                       zip(layer_sizes, layer_sizes[1:], hidden + [output])]

    # -- the small methods the planted mistakes replace -----------------------------------

    def softmax(self, net):
        e = np.exp(net - net.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def prime(self, layer):
        return ACT[layer.activation][1](layer.output)

    def output_error(self, t, y):
        return t - y  # −∂E/∂y of ½Σ(t−y)²

    def sample_loss(self, y, t):
        return 0.5 * np.sum((t - y) ** 2)

    def weight_gradient(self, layer):
        return -(layer.delta.T @ layer.input) / len(layer.input) + self.l2 * layer.W

    def bias_gradient(self, layer):
        return -layer.delta.mean(axis=0)

    def apply(self, layer, rate):
        layer.W -= rate * layer.W_grad
        layer.b -= rate * layer.b_grad

    # -- the API ---------------------------------------------------------------------------

    def predict(self, sample):
        x = np.atleast_2d(np.asarray(sample, dtype=float))
        for layer in self.layers:
            layer.input, layer.net = x, x @ layer.W.T + layer.b
            f = self.softmax if layer.activation == "softmax" else ACT[layer.activation][0]
            layer.output = x = f(layer.net)
        return x[0] if np.ndim(sample) == 1 else x

    def loss(self, output, label):
        y, t = np.asarray(output, float), np.asarray(label, float)
        if self.loss_name == "cross_entropy":
            return float(-np.sum(t * np.log(np.maximum(y, 1e-300))))
        return float(self.sample_loss(y, t))

    def calc_delta(self, label):
        t, top = np.atleast_2d(np.asarray(label, dtype=float)), self.layers[-1]
        if top.activation == "softmax":
            top.delta = t - top.output
        else:
            top.delta = self.prime(top) * self.output_error(t, top.output)
        for layer, above in zip(self.layers[-2::-1], self.layers[:0:-1]):
            layer.delta = self.prime(layer) * (above.delta @ above.W)

    def calc_gradient(self):
        for layer in self.layers:
            layer.W_grad, layer.b_grad = self.weight_gradient(layer), self.bias_gradient(layer)

    def update_weight(self, rate):
        for layer in self.layers:
            self.apply(layer, rate)

    def get_gradient(self, label, sample):
        self.predict(sample)
        self.calc_delta(label)
        self.calc_gradient()
        return [(layer.W_grad.copy(), layer.b_grad.copy()) for layer in self.layers]

    def train_one_sample(self, label, sample, rate):
        self.get_gradient(label, sample)
        self.update_weight(rate)

    def train(self, labels, data_set, rate, epoch, batch_size=1):
        for _ in range(epoch):
            for k in range(0, len(data_set), batch_size):
                self.train_one_sample(labels[k:k + batch_size], data_set[k:k + batch_size],
                                      rate)

    def parameters(self):
        return [(layer.W.copy(), layer.b.copy()) for layer in self.layers]

    def set_parameters(self, params):
        for layer, (W, b) in zip(self.layers, params):
            layer.W[...], layer.b[...] = W, b


# -- one mistake each ---------------------------------------------------------------------------

class SignFlipped(FcNet):
    """The article's convention kept in get_gradient: W_grad = δ·xᵀ (−∇), then W += η·W_grad."""

    def weight_gradient(self, layer):
        return -super().weight_gradient(layer)

    def bias_gradient(self, layer):
        return -super().bias_gradient(layer)

    def apply(self, layer, rate):
        layer.W += rate * layer.W_grad
        layer.b += rate * layer.b_grad


class Transposed(FcNet):
    """W_grad = −x·δᵀ, laid out (in, out)."""

    def weight_gradient(self, layer):
        return super().weight_gradient(layer).T

    def apply(self, layer, rate):
        layer.W -= rate * layer.W_grad.T
        layer.b -= rate * layer.b_grad


class BatchSum(FcNet):
    """The sum over the batch instead of the mean."""

    def weight_gradient(self, layer):
        return -(layer.delta.T @ layer.input) + self.l2 * layer.W

    def bias_gradient(self, layer):
        return -layer.delta.sum(axis=0)


class L2OnBiases(FcNet):
    def bias_gradient(self, layer):
        return super().bias_gradient(layer) + self.l2 * layer.b


class HalfMissing(FcNet):
    """E = Σ(t−y)², so ∂E/∂y = 2(y − t)."""

    def output_error(self, t, y):
        return 2.0 * (t - y)

    def sample_loss(self, y, t):
        return np.sum((t - y) ** 2)


class SoftmaxNoMax(FcNet):
    def softmax(self, net):
        e = np.exp(net)
        return e / e.sum(axis=1, keepdims=True)


class DerivativeAtNet(FcNet):
    def prime(self, layer):
        return ACT[layer.activation][1](layer.net)


PLANTED = {  # class: the start of the diagnosis check must give
    SignFlipped: "sign flipped",
    Transposed: "transposed W",
    BatchSum: "factor of the batch size",
    L2OnBiases: "L2 applied to biases",
    HalfMissing: "½ missing in the loss",
    SoftmaxNoMax: "softmax without the max subtracted",
    DerivativeAtNet: "derivative taken at net instead of the output",
}


# -- the tutorial's loop, node by node, plain Python ----------------------------------------------

class LoopNet:
    """Sigmoid layers and ½Σ(t−y)² only (it refuses anything else), one sample at a time."""

    def __init__(self, layer_sizes, l2=0.0):
        self.sizes, self.l2 = list(layer_sizes), l2
        self.W = [[[0.0] * i for _ in range(o)] for i, o in zip(self.sizes, self.sizes[1:])]
        self.b = [[0.0] * o for o in self.sizes[1:]]

    def set_parameters(self, params):
        self.W = [[[float(w) for w in row] for row in W] for W, _ in params]
        self.b = [[float(v) for v in b] for _, b in params]

    def parameters(self):
        return [(np.array(W), np.array(b)) for W, b in zip(self.W, self.b)]

    def predict(self, sample):
        self.a = [[float(v) for v in sample]]
        for W, b in zip(self.W, self.b):
            x = self.a[-1]
            self.a.append([1.0 / (1.0 + math.exp(-(sum(w * xi for w, xi in zip(row, x)) + bj)))
                           for row, bj in zip(W, b)])
        return self.a[-1]

    def get_gradient(self, label, sample):
        y = self.predict(sample)
        delta = [yj * (1 - yj) * (tj - yj) for yj, tj in zip(y, label)]  # 式3
        grads = []
        for k in range(len(self.W) - 1, -1, -1):
            x = self.a[k]
            grads.insert(0, ([[-dj * xi + self.l2 * w for xi, w in zip(x, row)]
                              for dj, row in zip(delta, self.W[k])], [-dj for dj in delta]))
            delta = [ai * (1 - ai) * sum(self.W[k][j][i] * delta[j] for j in range(len(delta)))
                     for i, ai in enumerate(x)]  # 式4
        return grads

    def train_one_sample(self, label, sample, rate):
        for (gW, gb), W, b in zip(self.get_gradient(label, sample), self.W, self.b):
            for j, row in enumerate(W):
                for i in range(len(row)):
                    row[i] -= rate * gW[j][i]  # 式5 with the true gradient
                b[j] -= rate * gb[j]


# -- functions on arrays ------------------------------------------------------------------------

def _sigmoid(n):
    return 1.0 / (1.0 + np.exp(-n))


def forward(params, X):
    for W, b in params:
        X = _sigmoid(X @ W.T + b)
    return X


def backward(params, X, T):
    """Mean gradient over the rows of X (sigmoid layers, ½Σ(t−y)², no L2)."""
    acts = [X]
    for W, b in params:
        acts.append(_sigmoid(acts[-1] @ W.T + b))
    delta, grads = acts[-1] * (1 - acts[-1]) * (T - acts[-1]), []
    for k in range(len(params) - 1, -1, -1):
        grads.insert(0, (-(delta.T @ acts[k]) / len(X), -delta.mean(axis=0)))
        delta = acts[k] * (1 - acts[k]) * (delta @ params[k][0])
    return grads


def backward_summed(params, X, T):
    """The same, summed over the batch."""
    return [(dW * len(X), db * len(X)) for dW, db in backward(params, X, T)]
