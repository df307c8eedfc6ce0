"""What each number is called: the article's node numbers, or Matt Mazur's names.

The article numbers the nodes 1, 2, 3, … layer after layer (a 3-4-2 network: inputs 1–3,
hidden 4–7, outputs 8–9) and calls the weight from node i to node j ``w_ji`` (target first),
a node's bias ``w_jb``. Layers are indexed k = 0 (input) … L (output), nodes i = 0, 1, …
inside a layer, as in ``net.layers[k].nodes[i]``.
"""

from .errors import ExplainError


class ArticleNames:
    """Symbols for a network with ``layer_sizes``, in the article's numbering."""

    def __init__(self, layer_sizes):
        self.sizes = list(layer_sizes)
        self.offsets = [sum(self.sizes[:k]) for k in range(len(self.sizes))]

    def number(self, k, i):
        """The article's number of node i of layer k (1-based, across layers)."""
        return self.offsets[k] + i + 1

    def node(self, k, i):
        return str(self.number(k, i))

    def out(self, k, i):
        """x for an input, a for a hidden node, y for an output (the article's letters)."""
        letter = "x" if k == 0 else ("y" if k == len(self.sizes) - 1 else "a")
        return f"{letter}{self.node(k, i)}"

    def net(self, k, i):
        return f"net{self.node(k, i)}"

    def delta(self, k, i):
        return f"δ{self.node(k, i)}"

    def target(self, i):
        return f"t{self.node(len(self.sizes) - 1, i)}"

    def weight(self, k, j, i):
        """w_ji of the connection from node i of layer k−1 to node j of layer k."""
        a, b = self.node(k, j), self.node(k - 1, i)
        return f"w{a}{b}" if len(a) == 1 and len(b) == 1 else f"w{a},{b}"

    def bias(self, k, j):
        return f"w{self.node(k, j)}b"


class MazurNames(ArticleNames):
    """Matt Mazur's 2-2-2 worked example: inputs i1, i2, hidden h1, h2, outputs o1, o2,
    weights w1…w8 (w1, w2 from i1, i2 into h1; w3, w4 into h2; w5, w6 into o1; w7, w8 into o2).
    His biases b1 (hidden) and b2 (outputs) are one connection per node here: b_h1, b_h2, …"""

    LETTERS = ("i", "h", "o")

    def __init__(self, layer_sizes=(2, 2, 2)):
        if list(layer_sizes) != [2, 2, 2]:
            raise ExplainError(f"Mazur's names fit a 2-2-2 network, not {list(layer_sizes)}")
        super().__init__(layer_sizes)

    def node(self, k, i):
        return f"{self.LETTERS[k]}{i + 1}"

    def out(self, k, i):
        return self.node(k, i) if k == 0 else f"out_{self.node(k, i)}"

    def net(self, k, i):
        return f"net_{self.node(k, i)}"

    def delta(self, k, i):
        return f"δ_{self.node(k, i)}"

    def target(self, i):
        return f"target_o{i + 1}"

    def weight(self, k, j, i):
        return f"w{4 * (k - 1) + 2 * j + i + 1}"

    def bias(self, k, j):
        return f"b_{self.node(k, j)}"


SCHEMES = {"article": ArticleNames, "mazur": MazurNames}
