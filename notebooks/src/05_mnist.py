# %% [markdown]
# # 5 · MNIST in a few minutes
#
# Handwritten digits, 28×28 pixels, 10 classes. This notebook reads the four standard MNIST
# files from a folder: `data_dir` below, or (None) the download cache that
# `neurons train --download` fills (`~/.cache/neurons/mnist`). Without the files it says so and
# skips the rest. Get them once with `neurons_lab.training.download.download_mnist()`.
#
# **几分钟训练 MNIST。** 从 `data_dir` 指定的目录读取 MNIST 四个标准文件，为 None 时读下载缓存；
# 没有数据时会说明并跳过其余部分。可用 `download_mnist()` 下载一次。

# %%
data_dir = None        # a folder with the four MNIST files, or None: the download cache
train_size = 5000      # more images and epochs: better accuracy, longer wait
epochs = 4

# %%
import numpy as np

import neurons_lab  # noqa: F401
from neurons_lab.training.data import one_hot, scale_pixels
from neurons_lab.training.download import default_cache_dir
from neurons_lab.training.mnist import DataError, load_mnist

folder = data_dir or default_cache_dir()
try:
    data = load_mnist(folder)
    print(data)
except DataError as error:
    data = None
    print(f"SKIPPED: no MNIST here ({error}).\n"
          "Download it once: from neurons_lab.training.download import download_mnist; "
          "download_mnist()")

# %% [markdown]
# A 784-100-10 network (sigmoid hidden layer, softmax output, cross-entropy), trained in
# mini-batches of 10; after each epoch we score 2,000 test images.
# 784-100-10 网络，小批量 10；每轮结束后在 2000 张测试图像上评估。

# %%
history = []
if data is not None:
    import vectorized

    n = min(train_size, len(data.train_images))
    X, T = scale_pixels(data.train_images[:n]), one_hot(data.train_labels[:n])
    X_test, c_test = scale_pixels(data.test_images[:2000]), data.test_labels[:2000]
    net = vectorized.Network([784, 100, 10], output="softmax", loss="cross_entropy",
                             init="xavier", seed=0)
    for epoch in range(1, epochs + 1):
        loss = net.train(T, X, 0.5, 1, batch_size=10)
        accuracy = (net.predict(X_test).argmax(axis=1) == c_test).mean()
        history.append((loss, accuracy))
        print(f"epoch {epoch}: training E {loss:.4f}, test accuracy {accuracy:.2%}")

# %%
if history:
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    left.plot(range(1, len(history) + 1), [h[0] for h in history], marker="o")
    left.set_title("training E / 训练损失")
    right.plot(range(1, len(history) + 1), [h[1] for h in history], marker="o")
    right.set_title("test accuracy / 测试准确率")
    plt.show()

# %% [markdown]
# ## What the hidden nodes look for / 隐藏节点在找什么
# Row j of the first layer's W holds node j's 784 weights: drawn as a 28×28 image (blue
# positive, red negative, as in every drawing here), it shows the strokes that excite the node.
# 第一层 W 的第 j 行是隐藏节点 j 的 784 个权重，画成 28×28 图像（蓝正红负）。

# %%
if history:
    W = net.layers[0].W
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.2))
    for j, ax in enumerate(axes.flat):
        limit = np.abs(W[j]).max()
        ax.imshow(W[j].reshape(28, 28), cmap="RdBu", vmin=-limit, vmax=limit)
        ax.set_axis_off()
    plt.show()
