# %% [markdown]
# # 7 · Exercises: write the formulas yourself
#
# Fill in each function below with plain Python, then run the last cell: `check` runs your
# functions on random networks, compares every number with the one the library's own phase
# computed, and names the first node or connection that differs and by how much.
# Unwritten functions (still raising `NotImplementedError`) are reported as not written yet.
#
# **练习：自己写出公式。** 在下面每个函数中填入代码，然后运行最后一个单元格：`check` 会在随机网络
# 上运行你的函数，与库的结果逐个比较，并指出第一个不同的节点或连接以及相差多少。

# %%
from neurons_lab.explain.exercises import check

# %% [markdown]
# **式3** — δ_j of an output node (sigmoid output, E = ½Σ(t−y)²) from its output y and target t.
# 输出层节点的 δ。

# %% exercise
def output_delta(y, t):
    raise NotImplementedError  # your code here / 在这里写代码

# %% [markdown]
# **式4** — δ_i of a hidden sigmoid node from its output a, the weights w_ki of its connections
# to the layer above and those nodes' δ_k (two lists in the same order). 隐藏层节点的 δ。

# %% exercise
def hidden_delta(a, weights, deltas):
    raise NotImplementedError  # your code here / 在这里写代码

# %% [markdown]
# **The gradient** ∂E/∂w_ji from δ_j and x_i (mind the sign: δ = −∂E/∂net).
# 梯度（注意符号）。

# %% exercise
def gradient(delta, x):
    raise NotImplementedError  # your code here / 在这里写代码

# %% [markdown]
# **式5** — the new weight from the old one, the rate η and the gradient. 更新后的权重。

# %% exercise
def update(weight, rate, gradient):
    raise NotImplementedError  # your code here / 在这里写代码

# %% [markdown]
# **A conv filter's weight** is shared by many connections: its gradient from the lists of δ_j
# and x_i of every connection that uses it. 卷积核共享权重的梯度。

# %% exercise
def conv_gradient(deltas, inputs):
    raise NotImplementedError  # your code here / 在这里写代码

# %%
report = check(output_delta=output_delta, hidden_delta=hidden_delta, gradient=gradient,
               update=update, conv_gradient=conv_gradient)
print(report)
report.raise_if_wrong()  # an error here names the first difference / 出错时指出第一个不同之处
