"""The walkthrough's words in English and Chinese; the language defaults to the locale's."""

import os

from .errors import ExplainError

LANGS = ("zh", "en")

TEXT = {
    "en": {
        "title": "One training step (train_one_sample) of the {title} network, {how}",
        "how_neurons": "node by node (neurons)",
        "how_vectorized": "as matrices (vectorized)",
        "how_both": "neurons and vectorized side by side",
        "given": "sample, target and learning rate:",
        "note": "Every number is read from the network's objects right after the library's own "
                "phase ran (shown to 9 significant digits); nothing is recomputed.",
        "forward": "Phase 1 — forward: net.predict(x). 式1: y_j = sigmoid(Σ_i w_ji·x_i + w_jb)",
        "loss": "The sample's error: net.loss(y, t), E = ½Σ_i (t_i − y_i)²",
        "output_delta": "Phase 2 — error terms: net.calc_delta(t). Output layer, 式3: "
                        "δ_j = y_j(1−y_j)(t_j−y_j)",
        "hidden_delta": "Hidden layers (same call), 式4: δ_i = a_i(1−a_i)·Σ_k w_ki·δ_k, "
                        "with the weights before the update",
        "gradient": "Phase 3 — gradients: net.calc_gradient(). ∂E/∂w_ji = −δ_j·x_ji (a bias "
                    "has x = 1); the article keeps δ_j·x_ji, the negative",
        "update": "Phase 4 — update: net.update_weight(η). 式5: w_ji ← w_ji + η·δ_j·x_ji "
                  "= w_ji − η·∂E/∂w_ji",
        "m_forward": "Phase 1 — forward: net.predict(x), layer by layer. 式2: a = f(W·x + b); "
                     "read: layer.input, layer.net, layer.output",
        "m_loss": "The sample's error: net.loss(y, t), E = ½Σ(t − y)²",
        "m_output_delta": "Phase 2 — net.calc_delta(t). Output layer, 式7: δ = y(1−y)(t−y); "
                          "read: layer.delta",
        "m_hidden_delta": "Hidden layers, 式8: δ⁽ˡ⁾ = a⁽ˡ⁾(1−a⁽ˡ⁾)∘(W⁽ˡ⁺¹⁾ᵀ·δ⁽ˡ⁺¹⁾)",
        "m_gradient": "Phase 3 — net.calc_gradient(): ∂E/∂W = −δ·xᵀ, ∂E/∂b = −δ; read: "
                      "layer.W_grad, layer.b_grad",
        "m_update": "Phase 4 — net.update_weight(η). 式9: W ← W + η·δ·xᵀ = W − η·∂E/∂W; "
                    "式10: b ← b + η·δ; read: layer.W, layer.b",
        "forward_any": "Phase 1 — forward: net.predict(x). 式1: y_j = f(Σ_i w_ji·x_i + w_jb), "
                       "f = {f}",
        "loss_any": "The sample's error: net.loss(y, t), {E}",
        "output_delta_any": "Phase 2 — error terms: net.calc_delta(t). Output layer ({out}, "
                            "{loss}), 式3 generalised: {formula}",
        "hidden_delta_any": "Hidden layers (same call), 式4: δ_i = f'(net_i)·Σ_k w_ki·δ_k "
                            "(sigmoid f' = a(1−a), tanh 1−a², relu [net>0]), weights before "
                            "the update",
        "loss_after": "E after the step (net.loss of a new net.predict(x)): {after} "
                      "(before: {before})",
        "mazur_note": "Note: Mazur's post differs in one point. He gives each layer ONE shared "
                      "bias (b1 = 0.35 for both hidden nodes, b2 = 0.60 for both outputs) and "
                      "never updates it; here every node has its own bias connection (b_h1, "
                      "b_h2, b_o1, b_o2, starting at his values) and all four are updated. "
                      "His weights w1…w8 and every number he publishes come out the same.",
        "cnn_title": "One training step (train_one_sample) of a small CNN: input 1×6×6, conv "
                     "2 filters 3×3 (sigmoid), max-pool 2×2, 3 sigmoid outputs, {how}",
        "cnn_forward": "Phase 1 — forward: net.predict(x). Formula (1) of the CNN lesson at "
                       "filter 1, row 2, column 1 (式1 of that conv node; every W is shared "
                       "by all positions)",
        "cnn_pool": "Max-pooling, the window holding that position: its largest value moves on",
        "cnn_route": "Phase 2 — net.calc_delta(t). The pool node's δ (式4 from the outputs), "
                     "then 式4 below it: the pool passes δ to its window's winner only "
                     "(weight 1), the three others get 0 (weight 0)",
        "cnn_shared": "Phase 3 — net.calc_gradient(). The shared weight W[1,0,1,1] is ONE "
                      "number used at every position: its gradient is the sum of its "
                      "connections' −δ_j·x_i",
        "cnn_update": "Phase 4 — net.update_weight(η). 式5 once on the shared weight",
        "cnn_end": "Done. Compare the two packages: neurons explain --example cnn --impl both",
        "m_loss_any": "The sample's error: net.loss(y, t), {E}",
        "m_output_delta_any": "Phase 2 — net.calc_delta(t). Output layer ({out}, {loss}), "
                              "式7 generalised: δ = −∂E/∂net; read: layer.delta",
        "m_hidden_delta_any": "Hidden layers, 式8: δ⁽ˡ⁾ = f'(net⁽ˡ⁾)∘(W⁽ˡ⁺¹⁾ᵀ·δ⁽ˡ⁺¹⁾)",
        "c_forward": "Forward (net.predict): node outputs and weighted inputs",
        "c_delta": "Error terms δ (net.calc_delta)",
        "c_gradient": "Gradients ∂E/∂w (net.calc_gradient)",
        "c_update": "Weights after net.update_weight(η)",
        "c_header": ("quantity", "neurons", "vectorized", "|difference|"),
        "largest": "Largest difference between the two: {diff} ({name}); "
                   "the project's tolerance is 1e-12.",
        "end": "Done: every weight has taken one step. Draw it: neurons draw; step through it "
               "in a browser: neurons explain --html page.html",
    },
    "zh": {
        "title": "{title} 网络的一次训练(train_one_sample),{how}",
        "how_neurons": "逐个节点(neurons)",
        "how_vectorized": "矩阵形式(vectorized)",
        "how_both": "neurons 与 vectorized 并排对照",
        "given": "样本、目标值和学习速率:",
        "note": "下面每个数都是库自己的阶段执行完之后,直接从网络对象中读出的(显示 9 位有效数字),"
                "没有另外重算。",
        "forward": "阶段 1 — 前向计算:net.predict(x)。式1:y_j = sigmoid(Σ_i w_ji·x_i + w_jb)",
        "loss": "这个样本的误差:net.loss(y, t),E = ½Σ_i (t_i − y_i)²",
        "output_delta": "阶段 2 — 误差项:net.calc_delta(t)。输出层,式3:"
                        "δ_j = y_j(1−y_j)(t_j−y_j)",
        "hidden_delta": "隐藏层(同一次调用),式4:δ_i = a_i(1−a_i)·Σ_k w_ki·δ_k,"
                        "用的是更新之前的权重",
        "gradient": "阶段 3 — 梯度:net.calc_gradient()。∂E/∂w_ji = −δ_j·x_ji(偏置项的 x 为 1);"
                    "文章里存的是它的相反数 δ_j·x_ji",
        "update": "阶段 4 — 更新权重:net.update_weight(η)。式5:w_ji ← w_ji + η·δ_j·x_ji "
                  "= w_ji − η·∂E/∂w_ji",
        "m_forward": "阶段 1 — 前向计算:net.predict(x),逐层进行。式2:a = f(W·x + b);"
                     "读取 layer.input、layer.net、layer.output",
        "m_loss": "这个样本的误差:net.loss(y, t),E = ½Σ(t − y)²",
        "m_output_delta": "阶段 2 — net.calc_delta(t)。输出层,式7:δ = y(1−y)(t−y);"
                          "读取 layer.delta",
        "m_hidden_delta": "隐藏层,式8:δ⁽ˡ⁾ = a⁽ˡ⁾(1−a⁽ˡ⁾)∘(W⁽ˡ⁺¹⁾ᵀ·δ⁽ˡ⁺¹⁾)",
        "m_gradient": "阶段 3 — net.calc_gradient():∂E/∂W = −δ·xᵀ,∂E/∂b = −δ;"
                      "读取 layer.W_grad、layer.b_grad",
        "m_update": "阶段 4 — net.update_weight(η)。式9:W ← W + η·δ·xᵀ = W − η·∂E/∂W;"
                    "式10:b ← b + η·δ;读取 layer.W、layer.b",
        "forward_any": "阶段 1 — 前向计算:net.predict(x)。式1:y_j = f(Σ_i w_ji·x_i + w_jb),"
                       "f = {f}",
        "loss_any": "这个样本的误差:net.loss(y, t),{E}",
        "output_delta_any": "阶段 2 — 误差项:net.calc_delta(t)。输出层({out},{loss}),"
                            "推广的式3:{formula}",
        "hidden_delta_any": "隐藏层(同一次调用),式4:δ_i = f'(net_i)·Σ_k w_ki·δ_k"
                            "(sigmoid 的 f' = a(1−a),tanh 为 1−a²,relu 为 [net>0]),"
                            "用的是更新之前的权重",
        "loss_after": "这一步之后的 E(重新 net.predict(x) 再 net.loss):{after}"
                      "(之前:{before})",
        "mazur_note": "注意:Mazur 的文章有一点不同。他每层只用一个共享的偏置(两个隐藏节点共用 "
                      "b1 = 0.35,两个输出共用 b2 = 0.60),而且不更新它;这里每个节点有自己的"
                      "偏置连接(b_h1、b_h2、b_o1、b_o2,初值取他的数),四个都会更新。他的权重 "
                      "w1…w8 和他公布的每个数都一样。",
        "cnn_title": "一个小卷积网络的一次训练(train_one_sample):输入 1×6×6,卷积 2 个 3×3 "
                     "滤波器(sigmoid),2×2 最大池化,3 个 sigmoid 输出,{how}",
        "cnn_forward": "阶段 1 — 前向计算:net.predict(x)。CNN 文章的公式 (1),在滤波器 1、"
                       "第 2 行、第 1 列(该卷积节点的式1;每个 W 被所有位置共享)",
        "cnn_pool": "最大池化:包含这个位置的窗口,最大值被传到下一层",
        "cnn_route": "阶段 2 — net.calc_delta(t)。池化节点的 δ(由输出层按式4算出),再按式4"
                     "往下传:池化只把 δ 传给窗口里的最大值(权重 1),其余三个得到 0(权重 0)",
        "cnn_shared": "阶段 3 — net.calc_gradient()。共享权重 W[1,0,1,1] 是所有位置共用的"
                      "一个数:它的梯度是各个连接的 −δ_j·x_i 之和",
        "cnn_update": "阶段 4 — net.update_weight(η)。式5 对共享权重只做一次",
        "cnn_end": "完成。对照两种实现:neurons explain --example cnn --impl both",
        "m_loss_any": "这个样本的误差:net.loss(y, t),{E}",
        "m_output_delta_any": "阶段 2 — net.calc_delta(t)。输出层({out},{loss}),"
                              "推广的式7:δ = −∂E/∂net;读取 layer.delta",
        "m_hidden_delta_any": "隐藏层,式8:δ⁽ˡ⁾ = f'(net⁽ˡ⁾)∘(W⁽ˡ⁺¹⁾ᵀ·δ⁽ˡ⁺¹⁾)",
        "c_forward": "前向计算(net.predict):节点的输出和加权输入",
        "c_delta": "误差项 δ(net.calc_delta)",
        "c_gradient": "梯度 ∂E/∂w(net.calc_gradient)",
        "c_update": "net.update_weight(η) 之后的权重",
        "c_header": ("量", "neurons", "vectorized", "|差|"),
        "largest": "两者的最大差别:{diff}({name});项目的容差是 1e-12。",
        "end": "完成:每个权重都走了一步。画出网络:neurons draw;在浏览器里一步一步看:"
               "neurons explain --html page.html",
    },
}


def default_lang(environ=None):
    """"zh" when the locale (LC_ALL, LC_MESSAGES, LANG, in that order) is Chinese, else "en"."""
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def text(lang):
    if lang not in TEXT:
        raise ExplainError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return TEXT[lang]
