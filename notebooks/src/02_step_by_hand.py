# %% [markdown]
# # 2 · One training step of the 3-4-2 network, every number by hand
#
# The tutorial's network: 3 inputs (nodes 1–3), 4 hidden nodes (4–7), 2 outputs (8, 9), sigmoid
# everywhere, `E = ½Σ(t−y)²`, sample x = (1, 0.5, 0.2), target t = (0.9, 0.1), rate η = 0.5.
# One step is four phases, numbered the same everywhere in this project:
# **1 forward** (式1) · **2 δ** (式3, 式4) · **3 gradient** (∂E/∂w = −δ_j x_i) · **4 update** (式5).
#
# **3-4-2 网络的一步训练，逐个数字手算。** 一步训练分四个阶段（全项目编号一致）：
# 1 前向（式1）· 2 误差项 δ（式3、式4）· 3 梯度（∂E/∂w = −δ_j x_i）· 4 更新权重（式5）。
#
# Names: the weight from node i to node j is `w_ji`; it is the object `Connection(i → j)` and
# the matrix entry `W[j, i]` (notebook 3). 命名：从节点 i 到节点 j 的权重记作 `w_ji`。

# %%
import math

import neurons_lab  # noqa: F401
from neurons_lab.explain import article_example

ex = article_example(seed=0)
names = ex.namer()
net = ex.build("neurons")
x, t, rate = ex.sample, ex.label, ex.rate
L = len(net.layers) - 1


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def compare(rows):
    """Print (name, by hand, object's value) rows and insist they agree."""
    for name, mine, theirs in rows:
        print(f"  {name:>8}  by hand {mine:+.12f}   object {theirs:+.12f}")
        assert abs(mine - theirs) < 1e-12, name


net

# %% [markdown]
# ## Phase 1: forward, 式1 / 第 1 阶段：前向计算
# `net_j = Σ_i w_ji x_i + w_jb`, `a_j = sigmoid(net_j)`, layer after layer.

# %%
net.predict(x)
rows = []
for k in range(1, L + 1):
    for j, node in enumerate(net.layers[k].nodes):
        total = sum(c.weight * c.upstream_node.output for c in node.upstream)
        rows.append((names.out(k, j), sigmoid(total), node.output))
compare(rows)
E = 0.5 * sum((tj - n.output) ** 2 for tj, n in zip(t, net.layers[L].nodes))
print(f"E = ½Σ(t−y)² = {E:.12f}   net.loss: {net.loss(net.layers[L].outputs(), t):.12f}")

# %% [markdown]
# ## Phase 2: δ = −∂E/∂net / 第 2 阶段：误差项
# Output nodes, **式3**: `δ_j = y_j(1−y_j)(t_j−y_j)`. Hidden nodes, **式4**:
# `δ_i = a_i(1−a_i) Σ_k w_ki δ_k` over the nodes k above. 输出层用式3，隐藏层用式4。

# %%
net.calc_delta(t)
rows = [(names.delta(L, j), n.output * (1 - n.output) * (t[j] - n.output), n.delta)
        for j, n in enumerate(net.layers[L].nodes)]
for k in range(L - 1, 0, -1):
    for j, n in enumerate(net.layers[k].nodes):
        above = sum(c.weight * c.downstream_node.delta for c in n.downstream)
        rows.append((names.delta(k, j), n.output * (1 - n.output) * above, n.delta))
compare(rows)

# %% [markdown]
# ## Phase 3 and 4: gradient and update / 第 3、4 阶段：梯度与更新
# Each `Connection` stores the true gradient `∂E/∂w_ji = −δ_j x_i` (PyTorch's sign; the article
# stores δ_j x_i and adds it), and **式5** steps `w_ji ← w_ji − η·∂E/∂w_ji`, which is the
# article's `w_ji + η δ_j x_i`. 连接保存真实梯度 −δ_j x_i；式5：w ← w − η·梯度，与文章的
# w + η δ x 是同一步。

# %%
net.calc_gradient()
old = {c: c.weight for c in net.connections}
net.update_weight(rate)
rows = []
for c in list(net.connections)[:6] + list(net.connections)[-3:]:
    k, j = c.downstream_node.layer_index, c.downstream_node.node_index
    up = c.upstream_node
    name = names.bias(k, j) if up.is_const else names.weight(k, j, up.node_index)
    gradient = -c.downstream_node.delta * up.output
    rows.append(("∂E/∂" + name, gradient, c.gradient))
    rows.append((name, old[c] - rate * gradient, c.weight))
compare(rows)
print(f"(all {len(net.connections)} connections follow the same two lines)")

# %% [markdown]
# ## Every number at once / 全部数字
# `neurons explain` prints the whole step, each number read from the objects after the
# library's own phase; here it is from Python (`lang="zh"` for Chinese).
# `neurons explain` 打印整步训练的每个数字；这里在 Python 中调用（`lang="zh"` 为中文）。

# %%
from neurons_lab.explain.trace import record_neurons
from neurons_lab.explain.walkthrough import render_neurons

trace = record_neurons(ex.build("neurons"), x, t, rate, names)
print("\n".join(render_neurons(trace, ex.title, names, "en")[:40]))
print(f"… ({len(trace.steps)} steps in all)")

# %% [markdown]
# Or step through it: Back / Step / Play over the drawing (the widget runs the step on the
# network you give it). 也可以用下面的小部件逐步查看：后退 / 下一步 / 播放。

# %%
from neurons_lab.explain.widget import StepThrough

StepThrough(ex.build("neurons"), x, t, rate)

# %% [markdown]
# ## Stepping through in a debugger / 在调试器中单步执行
# Each formula is computed on one line that training runs, so a breakpoint there fires inside
# `train_one_sample`:
#
# | formula | where to break |
# |---|---|
# | 式4 hidden δ | `Node.calc_hidden_layer_delta` (neurons/node.py, the line `self.delta = …`) |
# | 式5 step | `Connection.update_weight` (neurons/connection.py, `self.weight -= …`) |
# | 式8 hidden δ as matrices | `FullConnectedLayer.backward` (vectorized/layer.py) |
# | 式5 on a CNN's shared weight | `SharedWeight.update_weight` (neurons/shared.py) |
#
# **pdb:** `python -m pdb my_script.py`, then `break neurons/node.py:LINE`, `continue`,
# `p self` (the node's repr: layer, index, output, δ), `p total` (Σ_k w_ki δ_k), `next`,
# `p self.delta`. Or put `breakpoint()` on a line of your own script. **An editor:** in VS Code
# or PyCharm open neurons/node.py, click left of the line number to set a breakpoint, and run
# your script (or this notebook's cell, "Debug Cell") with the debugger; the Variables panel
# shows `self.output`, `self.delta`, and each connection's `weight` and `gradient`.
#
# **pdb：** 用 `python -m pdb 脚本.py` 启动，`break 文件:行号` 设断点，`continue` 运行到断点，
# `p self` 查看节点，`next` 执行一行，`p self.delta` 查看 δ。也可以在自己的代码中写
# `breakpoint()`。**编辑器：** 在 VS Code 或 PyCharm 中点击行号左侧设断点，用调试模式运行。
#
# Below, pdb is driven by a fixed list of commands, so you see what it prints there.
# 下面用固定的命令驱动 pdb，展示它在断点处打印的内容。

# %%
from neurons_lab.explain.debugging import breakpoint_at, run_under_pdb

net = ex.build("neurons")
loss, transcript = run_under_pdb(net.train_one_sample, (t, x, rate), [
    "break " + breakpoint_at("Node.calc_hidden_layer_delta"), "continue",
    "p self", "p total", "next", "p self.delta", "clearall",
    "break " + breakpoint_at("Connection.update_weight"), "continue",
    "p self", "next", "p self.weight"])
print(transcript)
