# %% [markdown]
# # 3 · The same step as matrices, and the proof the two agree
#
# `vectorized` is the same network with one `FullConnectedLayer` per pair of layers: `W` of
# shape (out, in), `b` of shape (out,). One name map holds in every view of this project:
#
# **w_ji  ↔  `Connection(k−1-i → k-j)` (neurons)  ↔  `layers[k−1].W[j, i]` (vectorized)**
#
# (k is the layer of node j; `neurons` counts the input layer as `layers[0]`, `vectorized`
# keeps only layers with weights.) The formulas become 式2 `a = f(W·x + b)`, 式7 (output δ),
# 式8 `δ = a(1−a) ⊙ Wᵀ_above δ_above`, the gradient `−δ xᵀ` and 式9/式10 `W −= η·W_grad`.
#
# **同一步的矩阵形式，以及两者一致的证明。** 命名对照：w_ji ↔ `Connection(i → j)` ↔ `W[j, i]`。

# %%
import numpy as np

import neurons_lab  # noqa: F401
from neurons_lab.explain import article_example

ex = article_example(seed=0)
names = ex.namer()
net = ex.build("vectorized")
x, t, rate = np.array(ex.sample), np.array(ex.label), ex.rate
W1, b1 = net.layers[0].W.copy(), net.layers[0].b.copy()
W2, b2 = net.layers[1].W.copy(), net.layers[1].b.copy()
k, j, i = 1, 0, 2
print(f"{names.weight(k, j, i)} = Connection(0-{i} → 1-{j}) = layers[0].W[{j}, {i}] = {W1[j, i]!r}")
net

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


net.predict(x)                       # phase 1: 式2, layer by layer
a1 = sigmoid(W1 @ x + b1)
y = sigmoid(W2 @ a1 + b2)
net.calc_delta(t)                    # phase 2: 式7, 式8
d2 = y * (1 - y) * (t - y)
d1 = a1 * (1 - a1) * (W2.T @ d2)
net.calc_gradient()                  # phase 3: −δ xᵀ
net.update_weight(rate)              # phase 4: 式9, 式10
for name, mine, theirs in [("a1", a1, net.layers[0].output), ("y", y, net.layers[1].output),
                           ("δ2", d2, net.layers[1].delta), ("δ1", d1, net.layers[0].delta),
                           ("W2_grad", -np.outer(d2, a1), net.layers[1].W_grad),
                           ("W1 new", W1 + rate * np.outer(d1, x), net.layers[0].W)]:
    print(f"{name:>8}: largest difference by hand vs layer {np.abs(mine - theirs).max():.1e}")
    assert np.allclose(mine, theirs, rtol=0, atol=1e-15)

# %% [markdown]
# ## The proof: both packages, number by number / 证明：两个包逐个数字一致
# Each row pairs a number a `neurons` object held with the array element that stands for it,
# after the same phase (what `neurons explain --impl both` prints).
# 每行把 `neurons` 对象中的数与 `vectorized` 数组中对应的元素配对。

# %%
from neurons_lab.explain.compare import record_both, render_both

lines = render_both(*record_both(ex), ex.title, names, "en")
print("\n".join(lines[:24] + ["  …"] + lines[-2:]))

# %% [markdown]
# Not just this network: any sizes, activations and losses give the same gradients (to
# rounding: BLAS sums in another order than a Python loop). 任意网络结构都给出相同的梯度。

# %%
import random

import neurons
import vectorized

rng = random.Random(1)
worst = 0.0
for trial in range(20):
    sizes = [rng.randint(1, 5) for _ in range(rng.randint(2, 4))]
    kw = dict(activation=rng.choice(["sigmoid", "tanh", "relu"]),
              output=rng.choice(["sigmoid", "identity", "softmax"]), seed=trial)
    kw["loss"] = "cross_entropy" if kw["output"] == "softmax" else rng.choice(["mse", "hinge"])
    sample = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    label = [0.0] * sizes[-1]
    label[rng.randrange(sizes[-1])] = 1.0
    gn = neurons.Network(sizes, **kw).get_gradient(label, sample)
    gv = vectorized.Network(sizes, **kw).get_gradient(label, sample)
    for (dWn, dbn), (dWv, dbv) in zip(gn, gv):
        worst = max(worst, np.abs(np.array(dWn) - dWv).max(), np.abs(np.array(dbn) - dbv).max())
print(f"20 random networks: largest gradient difference {worst:.1e}")
assert worst < 1e-12
