"""The tutorial's object design, re-created in Python 3 as a speed baseline for ``neurons``.

"深度学习实战教程(三)" builds its network from Node, ConstNode, Layer, Connection, Connections and
Network objects; this module re-creates that *design* (written here, not copied) and keeps what
matters for speed as the tutorial has it: every layer, the output layer too, ends with a
ConstNode (output 1); ``calc_delta`` visits every layer below the output, input layer and
ConstNodes included, each node summing over its downstream connections (式4);
``update_weight`` walks layer → node → connection, whose ``update_weight`` calls
``calc_gradient`` (δ_j·x_i, the article's sign) and adds ``rate · gradient`` (式5); nodes sum
with ``functools.reduce`` and a lambda, as the code the article links does. One choice is
faster than the original: the sigmoid uses ``math.exp`` (stdlib, for PyPy), not NumPy's
``exp`` on a float (slower NumPy scalars after).
Sigmoid everywhere and ½Σ(t−y)², as in the tutorial.
"""

import math
import random
from functools import reduce


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


class Node:
    def __init__(self, layer_index, node_index):
        self.layer_index = layer_index
        self.node_index = node_index
        self.downstream = []
        self.upstream = []
        self.output = 0.0
        self.delta = 0.0

    def set_output(self, output):
        self.output = output

    def calc_output(self):  # 式1: σ(Σ_i w_ji x_i)
        net = reduce(lambda ret, conn: ret + conn.upstream_node.output * conn.weight,
                     self.upstream, 0.0)
        self.output = sigmoid(net)

    def calc_output_layer_delta(self, label):  # 式3
        self.delta = self.output * (1.0 - self.output) * (label - self.output)

    def calc_hidden_layer_delta(self):  # 式4: a(1 − a) Σ_k w_kj δ_k
        downstream_delta = reduce(lambda ret, conn: ret + conn.downstream_node.delta * conn.weight,
                                  self.downstream, 0.0)
        self.delta = self.output * (1.0 - self.output) * downstream_delta


class ConstNode:
    """Output 1; the tutorial gives it a delta too (always 0, since 1·(1 − 1) = 0)."""

    def __init__(self, layer_index, node_index):
        self.layer_index = layer_index
        self.node_index = node_index
        self.downstream = []
        self.output = 1.0
        self.delta = 0.0

    def calc_hidden_layer_delta(self):
        downstream_delta = reduce(lambda ret, conn: ret + conn.downstream_node.delta * conn.weight,
                                  self.downstream, 0.0)
        self.delta = self.output * (1.0 - self.output) * downstream_delta


class Layer:
    def __init__(self, layer_index, node_count):
        self.layer_index = layer_index
        self.nodes = [Node(layer_index, i) for i in range(node_count)]
        self.nodes.append(ConstNode(layer_index, node_count))

    def set_output(self, data):
        for node, value in zip(self.nodes, data):
            node.set_output(value)

    def calc_output(self):
        for node in self.nodes[:-1]:
            node.calc_output()


class Connection:
    def __init__(self, upstream_node, downstream_node, rng):
        self.upstream_node = upstream_node
        self.downstream_node = downstream_node
        self.weight = rng.uniform(-0.1, 0.1)
        self.gradient = 0.0

    def calc_gradient(self):  # the article's sign: δ_j · x_i
        self.gradient = self.downstream_node.delta * self.upstream_node.output

    def update_weight(self, rate):  # 式5
        self.calc_gradient()
        self.weight += rate * self.gradient


class Network:
    def __init__(self, layer_sizes, seed=None):
        rng = random.Random(seed)
        self.layers = [Layer(k, n) for k, n in enumerate(layer_sizes)]
        self.connections = []
        for lower, upper in zip(self.layers, self.layers[1:]):
            for up in lower.nodes:  # the ConstNode too: its connections are the biases
                for down in upper.nodes[:-1]:
                    conn = Connection(up, down, rng)
                    self.connections.append(conn)
                    down.upstream.append(conn)
                    up.downstream.append(conn)

    def predict(self, sample):
        self.layers[0].set_output(sample)
        for layer in self.layers[1:]:
            layer.calc_output()
        return [node.output for node in self.layers[-1].nodes[:-1]]

    def calc_delta(self, label):
        for node, t in zip(self.layers[-1].nodes, label):
            node.calc_output_layer_delta(t)
        for layer in self.layers[-2::-1]:
            for node in layer.nodes:
                node.calc_hidden_layer_delta()

    def update_weight(self, rate):
        for layer in self.layers[:-1]:
            for node in layer.nodes:
                for conn in node.downstream:
                    conn.update_weight(rate)

    def train_one_sample(self, label, sample, rate):
        self.predict(sample)
        self.calc_delta(label)
        self.update_weight(rate)
