# %% [markdown]
# # 6 · A CNN in the object graph
#
# A 1×6×6 image, a conv layer of 2 filters 3×3 (stride 1, no padding: two 4×4 maps), 2×2
# max-pooling (two 2×2 maps) and 3 sigmoid outputs. In `neurons` every output position of the
# conv layer is a Node, and every number of a filter is ONE `SharedWeight` used by many
# `Connection`s. Formula (1) of the CNN article,
# `net[f,y,x] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v]·in[c, y+u, x+v]`, is 式1 of that node.
#
# **对象图中的卷积网络。** 卷积层的每个输出位置是一个节点，卷积核的每个数是一个被多个连接共享的
# `SharedWeight`。CNN 文章的公式 (1) 就是该节点的式1。

# %%
import numpy as np

import neurons
import neurons_lab  # noqa: F401
import vectorized

spec = ["1x6x6", "conv2x3", "pool2", 3]
net = neurons.Network(spec, seed=0)
image = [((r * 7 + c * 3) % 5) / 4 for r in range(6) for c in range(6)]
label = [0.9, 0.1, 0.1]
net.predict(image)
conv, pool = net.layers[1], net.layers[2]
net

# %% [markdown]
# ## Formula (1) at one position / 公式 (1) 在一个位置上
# Filter f = 1 at row y = 2, column x = 1 of its map. 滤波器 1 在第 2 行第 1 列。

# %%
f, y, x = 1, 2, 1
node = conv.nodes[(f * 4 + y) * 4 + x]
terms = [(conv.W[f][0][u][v].weight, image[(y + u) * 6 + x + v])
         for u in range(3) for v in range(3)]
total = conv.b[f].weight + sum(w * xi for w, xi in terms)
print("net = b[1] + " + " + ".join(f"{w:.3f}·{xi:.2f}" for w, xi in terms[:3]) + " + … (9 terms)")
print(f"    = {total!r}   node.net = {node.net!r}")
assert abs(total - node.net) < 1e-15
node

# %% [markdown]
# ## Max-pooling routes δ to the winner / 最大池化把 δ 传给最大值
# A pool node outputs the largest value of its 2×2 window; its connection to the winner has
# weight 1 and the others 0, so 式4 of the conv nodes below passes δ to the winner only.
# 池化节点输出窗口最大值；只有最大值所在的节点收到 δ。

# %%
net.calc_delta(label)
p = pool.nodes[0]
print(p)
for conn in p.upstream:
    c = conn.upstream_node
    print(f"  conv node (f={c.filter}, y={c.y}, x={c.x}): a = {c.output:.6f}  "
          f"weight to pool = {conn.weight:g}  δ = {c.delta:+.3e}")

# %% [markdown]
# ## A shared weight's gradient is the sum of its connections' / 共享权重的梯度是各连接梯度之和
# `∂E/∂w = Σ over the connections using w of (−δ_j x_i)`: each `SharedConnection` keeps its
# contribution, the `SharedWeight` the sum, and 式5 steps the shared weight once.

# %%
net.calc_gradient()
w = conv.W[0][0][1][1]
contributions = [c.gradient for c in w.connections]
print(w)
print("contributions:", " ".join(f"{g:+.2e}" for g in contributions))
print(f"sum {sum(contributions)!r}   w.gradient {w.gradient!r}")
assert abs(sum(contributions) - w.gradient) < 1e-15
w

# %% [markdown]
# ## Equal to the matrices / 与矩阵实现一致
# The same seed gives the same start in `vectorized`, whose conv layer computes all positions
# as one matrix product (im2col). Gradients and the step agree to rounding.
# 相同的随机数 seed 给出相同的初始权重；梯度与更新都一致。

# %%
twin = vectorized.Network(spec, seed=0)
gn = neurons.Network(spec, seed=0).get_gradient(label, image)
gv = twin.get_gradient(label, image)
for k, ((dWn, dbn), (dWv, dbv)) in enumerate(zip(gn, gv)):
    diff = max(np.abs(np.array(dWn) - dWv).max(), np.abs(np.array(dbn) - dbv).max())
    print(f"layer with parameters {k}: dW shape {np.shape(dWv)}, largest difference {diff:.1e}")
    assert diff < 1e-12
net.update_weight(0.5)
twin.train_one_sample(label, image, 0.5)
print("after one step, conv W differs by",
      np.abs(np.array(net.parameters()[0][0]) - twin.layers[0].W).max())
twin
