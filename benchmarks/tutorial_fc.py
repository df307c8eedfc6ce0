"""The tutorial's vectorised design, re-created for timing: a yardstick, not part of the project.

The article ("深度学习实战教程(三)", 向量化编程) has one ``FullConnectedLayer`` per pair of
layers, 式2 forward and 式7–式10 backward on column vectors. Written here by us from its
equations and description, per sample, shapes as it has them: a sample and ``b`` are columns;
``backward(δ)`` forms the δ of the layer below (``a(1 − a) ⊙ Wᵀδ``, also for the first layer,
whose δ nobody needs) and a new array ``δ·xᵀ``; ``update`` adds ``η·W_grad`` (a new array) to
W, the article's sign. Sigmoid, squared error, U(−0.1, 0.1) weights, zero biases.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class FullConnectedLayer:
    """``a = σ(W·x + b)`` on columns; ``backward`` and ``update`` as the article describes."""

    def __init__(self, input_size, output_size, rng):
        self.W = rng.uniform(-0.1, 0.1, (output_size, input_size))
        self.b = np.zeros((output_size, 1))

    def forward(self, x):
        self.input = x
        self.output = sigmoid(self.W @ x + self.b)  # 式2

    def backward(self, delta):
        x = self.input
        self.delta = x * (1.0 - x) * (self.W.T @ delta)  # 式8, for the layer below
        self.W_grad = delta @ x.T  # δ·xᵀ of 式9 (the article's sign)
        self.b_grad = delta

    def update(self, rate):
        self.W += rate * self.W_grad  # 式9
        self.b += rate * self.b_grad  # 式10


class Network:
    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = [FullConnectedLayer(n_in, n_out, rng)
                       for n_in, n_out in zip(sizes[:-1], sizes[1:])]

    def predict(self, sample):
        output = sample
        for layer in self.layers:
            layer.forward(output)
            output = layer.output
        return output

    def calc_gradient(self, label):
        y = self.layers[-1].output
        delta = y * (1.0 - y) * (label - y)  # 式7
        for layer in reversed(self.layers):
            layer.backward(delta)
            delta = layer.delta

    def update_weight(self, rate):
        for layer in self.layers:
            layer.update(rate)

    def train_one_sample(self, label, sample, rate):
        self.predict(sample)
        self.calc_gradient(label)
        self.update_weight(rate)
