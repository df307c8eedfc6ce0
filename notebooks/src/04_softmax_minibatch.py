# %% [markdown]
# # 4 · Softmax, cross-entropy and mini-batches on a 2-D toy set
#
# With a softmax output `y_j = e^(net_j) / Σ_k e^(net_k)` and the cross-entropy
# `E = −Σ_k t_k log y_k`, the output δ is simply **`δ_j = t_j − y_j`** (for a one-hot t): the
# y(1−y) of 式3 cancels. Let us see it in the objects.
#
# **Softmax、交叉熵与小批量。** Softmax 输出配合交叉熵损失时，输出层误差项就是 `δ_j = t_j − y_j`。

# %%
import numpy as np

import neurons
import neurons_lab  # noqa: F401

net = neurons.Network([2, 3], output="softmax", loss="cross_entropy", seed=0)
y = net.predict([0.5, -1.0])
t = [0.0, 1.0, 0.0]
net.calc_delta(t)
for j, node in enumerate(net.layers[1].nodes):
    print(f"node {j}: y = {node.output:.6f}   t − y = {t[j] - node.output:+.6f}   "
          f"δ = {node.delta:+.6f}")
    assert abs(node.delta - (t[j] - node.output)) < 1e-15

# %% [markdown]
# ## A mini-batch steps by the mean gradient / 小批量按平均梯度更新
# `train(..., batch_size=B)` runs phases 1–3 per sample, adds each gradient to its connection's
# `batch_sum`, then steps once by the mean. Check it against the mean of single-sample gradients.
# 小批量：逐个样本计算梯度并累加，最后按平均梯度更新一次。

# %%
samples = [[0.5, -1.0], [0.1, 0.3], [-0.7, 0.2]]
labels = [[0, 1, 0], [1, 0, 0], [0, 0, 1]]
a = neurons.Network([2, 3], output="softmax", loss="cross_entropy", seed=0)
b = neurons.Network([2, 3], output="softmax", loss="cross_entropy", seed=0)
grads = [a.get_gradient(lab, s) for lab, s in zip(labels, samples)]
mean_dW = np.mean([g[0][0] for g in grads], axis=0)
a.train(labels, samples, 0.5, 1, batch_size=3)
expected = np.array(b.parameters()[0][0]) - 0.5 * mean_dW
print("largest difference:", np.abs(np.array(a.parameters()[0][0]) - expected).max())

# %% [markdown]
# ## Three spirals / 三条螺旋线
# No straight line separates them; one hidden layer of ReLU nodes does. We train the matrix
# network with three batch sizes and watch the loss. 线性不可分；一个 ReLU 隐藏层即可分开。

# %%
import matplotlib.pyplot as plt

import vectorized
from neurons_lab.training.data import one_hot, spiral_dataset

points, classes = spiral_dataset(100, 3, seed=0)
targets = one_hot(classes, 3)
curves, nets = {}, {}
for batch in (5, 20, 100):
    model = vectorized.Network([2, 40, 3], activation="relu", output="softmax",
                               loss="cross_entropy", init="he", seed=1)
    curves[batch] = [model.train(targets, points, 0.5, 1, batch_size=batch) for _ in range(100)]
    nets[batch] = model
plt.figure(figsize=(5, 3))
for batch, losses in curves.items():
    plt.plot(losses, label=f"batch {batch}")
plt.xlabel("epoch")
plt.ylabel("mean E")
plt.yscale("log")
plt.legend()
plt.show()

# %% [markdown]
# ## Decision regions / 决策区域
# Every point of the plane coloured by the class the network picks (batch 20).

# %%
model = nets[20]
xs = np.linspace(-1.1, 1.1, 150)
grid = np.array([[u, v] for v in xs for u in xs])
picked = model.predict(grid).argmax(axis=1).reshape(len(xs), len(xs))
accuracy = (model.predict(points).argmax(axis=1) == classes).mean()
plt.figure(figsize=(4, 4))
plt.contourf(xs, xs, picked, levels=[-0.5, 0.5, 1.5, 2.5], alpha=0.3, cmap="brg")
plt.scatter(points[:, 0], points[:, 1], c=classes, s=10, cmap="brg")
plt.title(f"training accuracy {accuracy:.0%}")
plt.show()
