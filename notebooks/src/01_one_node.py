# %% [markdown]
# # 1 · One node and 式1
#
# A neuron takes the outputs x_i of the nodes below, weighs each with w_ji, adds its bias and
# squashes the sum: **式1** `y_j = f(net_j)`, `net_j = Σ_i w_ji x_i + b_j`, with
# `f = sigmoid(z) = 1 / (1 + e^(−z))`. In `neurons` the node is an object and every weight is a
# `Connection` object; let us compute one node by hand and compare with what the object holds.
#
# **一个节点与式1。** 神经元把下层节点的输出 x_i 乘以权重 w_ji 求和、加上偏置，再经过激活函数：
# 式1 `y_j = f(net_j)`。在 `neurons` 里节点是对象，每个权重是一个 `Connection` 对象。下面我们手算
# 一个节点，并与对象里保存的数值比较。

# %%
import math

import neurons
import neurons_lab  # noqa: F401  (networks, nodes and connections now draw themselves)

net = neurons.Network([3, 1], seed=0)  # 3 inputs, one output node
net

# %% [markdown]
# The drawing shows each node's name (the article numbers nodes 1, 2, 3, … layer after layer),
# its output a and its δ; a line is a weight (blue positive, red negative; hover for its value).
# Now feed a sample through: `predict` is phase 1 of training (forward).
#
# 图中每个节点显示名字（文章把节点按层依次编号 1、2、3……）、输出 a 和 δ；每条线是一个权重
# （蓝色为正，红色为负；鼠标悬停可看数值）。`predict` 是训练的第 1 阶段（前向计算）。

# %%
x = [1.0, 0.5, 0.2]
y = net.predict(x)
node = net.layers[1].nodes[0]
for conn in node.upstream:  # the bias is the connection from the ConstNode (output 1)
    print(conn)
node

# %%
# 式1 by hand, from the weights the connections hold / 按式1手算
net_j = sum(conn.weight * conn.upstream_node.output for conn in node.upstream)
y_j = 1 / (1 + math.exp(-net_j))
print(f"net_j by hand {net_j!r}   node.net    {node.net!r}")
print(f"y_j   by hand {y_j!r}   node.output {node.output!r}")
assert abs(net_j - node.net) < 1e-15 and abs(y_j - node.output) < 1e-15

# %% [markdown]
# The same node with other activations: only f changes, the sum stays. ReLU is `max(0, z)`,
# tanh squashes to (−1, 1), identity passes net on.
#
# 换成其他激活函数：只有 f 改变，加权求和不变。

# %%
for activation in ("sigmoid", "tanh", "relu", "identity"):
    other = neurons.Network([3, 1], output=activation, seed=0)
    out = other.predict(x)[0]
    print(f"{activation:>8}: net = {other.layers[1].nodes[0].net:+.6f}   y = {out:+.6f}")

# %%
import matplotlib.pyplot as plt

z = [v / 10 for v in range(-60, 61)]
plt.figure(figsize=(5, 3))
plt.plot(z, [1 / (1 + math.exp(-v)) for v in z], label="sigmoid")
plt.plot(z, [math.tanh(v) for v in z], label="tanh")
plt.plot(z, [max(0.0, v) / 6 for v in z], label="relu / 6")
plt.scatter([node.net], [node.output], color="black", zorder=3, label="our node")
plt.legend()
plt.title("f(net)")
plt.show()

# %% [markdown]
# **Try it / 动手试试:** change a weight (`node.upstream[0].weight = 0.5`), call `net.predict(x)`
# again and predict the new output before you look. 修改一个权重后先预测输出，再运行验证。
