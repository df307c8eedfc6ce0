"""neurons CNNs: the tiny convolution worked by hand, the wiring (receptive fields, zero padding,
flatten order), the seeded initialisation order, parameters and their errors, and the reprs.

Reference values come from formula (1) written out as loops here, independently of the
package's object graph; the checker is shown catching a true (flipped) convolution.
"""

import random

import pytest

import neurons
from neurons.conv import ConvNode
from neurons.shared import SharedConnection, SharedWeight

X4 = [float(v) for v in range(1, 17)]  # a 1×4×4 map, x[y][x] = 4y + x + 1, row-major
W2 = [[[[1.0, 2.0], [3.0, 4.0]]]]  # one 2×2 filter
B2 = [0.5]


def conv_by_formula(x, shape, W, b, stride, padding):
    """Formula (1) as loops: out[f,y,x] = b[f] + Σ_c Σ_u Σ_v W[f,c,u,v]·in[c, yS+u−P, xS+v−P],
    on a flat row-major input; returns nested lists [f][y][x]."""
    C, H, Wd = shape
    K = len(W[0][0])
    out_h, out_w = (H + 2 * padding - K) // stride + 1, (Wd + 2 * padding - K) // stride + 1
    out = []
    for f in range(len(W)):
        rows = []
        for y in range(out_h):
            row = []
            for xx in range(out_w):
                total = b[f]
                for c in range(C):
                    for u in range(K):
                        for v in range(K):
                            i, j = y * stride + u - padding, xx * stride + v - padding
                            if 0 <= i < H and 0 <= j < Wd:
                                total += W[f][c][u][v] * x[(c * H + i) * Wd + j]
                row.append(total)
            rows.append(row)
        out.append(rows)
    return out


def conv_net(token, W=W2, b=B2, shape="1x4x4"):
    """input → conv (identity) → 1 output node reading every conv node with weight 1."""
    net = neurons.Network([shape, token, 1], activation="identity", output="identity", seed=0)
    n = len(net.layers[1].nodes)
    net.set_parameters([(W, b), ([[1.0] * n], [0.0])])
    return net


def conv_outputs(net):
    N, OH, OW = net.layers[1].shape
    values = [node.output for node in net.layers[1].nodes]
    return [[values[(f * OH + y) * OW:(f * OH + y + 1) * OW] for y in range(OH)]
            for f in range(N)]


@pytest.mark.parametrize("token, stride, padding, expected", [
    # stride 1: out[y, x] = 40y + 10x + 44 + 0.5
    ("conv1x2", 1, 0, [[44.5, 54.5, 64.5], [84.5, 94.5, 104.5], [124.5, 134.5, 144.5]]),
    ("conv1x2s2", 2, 0, [[44.5, 64.5], [124.5, 144.5]]),
    # padding 1, stride 2: the corner sees only x[0,0]·W[1,1] = 4; the centre 6+14+30+44
    ("conv1x2s2p1", 2, 1, [[4.5, 18.5, 12.5], [46.5, 94.5, 44.5], [26.5, 44.5, 16.5]]),
])
def test_tiny_convolution_by_hand(token, stride, padding, expected):
    net = conv_net(token)
    net.predict(X4)
    assert conv_outputs(net) == [expected]
    assert conv_outputs(net) == conv_by_formula(X4, (1, 4, 4), W2, B2, stride, padding)


def test_tiny_convolution_padding_1_stride_1():
    net = conv_net("conv1x2p1")
    net.predict(X4)
    out = conv_outputs(net)[0]
    assert len(out) == 5 and len(out[0]) == 5
    # corners: only one weight meets the input: 4·1, 3·4, 2·13, 1·16 — and one Connection
    assert [out[0][0], out[0][4], out[4][0], out[4][4]] == [4.5, 12.5, 26.5, 16.5]
    assert [out] == conv_by_formula(X4, (1, 4, 4), W2, B2, 1, 1)
    corner = net.layers[1].nodes[0]
    assert [c.weight for c in corner.upstream] == [4.0, 0.5]  # W[1,1] · x[0,0], then the bias
    assert corner.upstream[0].upstream_node is net.layers[0].nodes[0]


def test_tiny_convolution_backward_by_hand():
    """δ = 1 at every conv node (identity, output weight 1, t = y + 1): each shared weight's
    gradient is −Σ of the inputs it met, the bias's −(number of positions)."""
    net = conv_net("conv1x2")
    y = net.predict(X4)
    net.calc_delta([y[0] + 1.0])
    assert [node.delta for node in net.layers[1].nodes] == [1.0] * 9
    net.calc_gradient()
    (dW, db), (dV, dc) = net.get_gradient([y[0] + 1.0], X4)
    assert dW == [[[[-54.0, -63.0], [-90.0, -99.0]]]]  # −(1+2+3+5+6+7+9+10+11), …
    assert db == [-9.0]
    assert dV == [[-v for row in conv_outputs(net)[0] for v in row]] and dc == [-1.0]


def test_formula_checker_catches_a_true_convolution():
    """conv_by_formula would notice a flipped kernel (convolution) in place of formula (1)."""
    flipped = [[[row[::-1] for row in W2[0][0][::-1]]]]
    net = conv_net("conv1x2", W=flipped)
    net.predict(X4)
    assert conv_outputs(net) != conv_by_formula(X4, (1, 4, 4), W2, B2, 1, 0)


def test_receptive_fields_and_shared_weights():
    net = neurons.Network(["2x5x4", "conv3x3s2p1", 2], seed=0)
    conv = net.layers[1]
    assert conv.shape == (3, 3, 2) and len(conv.nodes) == 18
    node = conv.nodes[(2 * 3 + 1) * 2 + 0]  # filter 2, y 1, x 0: rows 1–3, cols −1–1
    assert isinstance(node, ConvNode) and (node.filter, node.y, node.x) == (2, 1, 0)
    field = node.upstream[:-1]
    assert all(isinstance(c, SharedConnection) for c in node.upstream)
    # column −1 is padding: 2 channels × 3 rows × 2 columns remain
    assert [(c.shared.channel, c.shared.u, c.shared.v) for c in field] == [
        (ch, u, v) for ch in range(2) for u in range(3) for v in (1, 2)]
    assert [c.upstream_node.node_index for c in field] == [
        ch * 20 + row * 4 + col for ch in range(2) for row in (1, 2, 3) for col in (0, 1)]
    assert node.upstream[-1].shared is conv.b[2] and node.upstream[-1].upstream_node.is_const
    # one SharedWeight per filter number, used by every connection that carries it
    assert len(net.shared_weights) == 3 * 2 * 3 * 3 + 3
    assert all(isinstance(w, SharedWeight) for w in net.shared_weights)
    assert all(c.shared is w for w in net.shared_weights for c in w.connections)
    assert sum(len(w.connections) for w in net.shared_weights) == sum(
        len(n.upstream) for n in conv.nodes)
    assert len(conv.b[0].connections) == 6  # every position of filter 0


def test_fully_connected_layer_reads_the_maps_row_major():
    net = neurons.Network(["1x4x4", "conv2x3", "pool1", 3], seed=1)
    pool, full = net.layers[2], net.layers[3]
    for node in full.nodes:
        ups = [c.upstream_node for c in node.upstream[:-1]]
        assert ups == pool.nodes  # (c, y, x) row-major: PyTorch's flatten of NCHW
        assert [(p.channel, p.y, p.x) for p in ups] == [
            (c, y, x) for c in range(2) for y in range(2) for x in range(2)]


def test_seeded_draws_fill_each_filter_row_major_then_biases():
    net = neurons.Network(["2x3x3", "conv2x2", "pool2", 3, 2], seed=11)
    rng = random.Random(11)
    draws = [rng.uniform(-0.1, 0.1) for _ in range(2 * 2 * 2 * 2 + 2 + 2 * 3 + 3 + 3 * 2 + 2)]
    (W1, b1), (W2_, b2), (W3, b3) = net.parameters()
    assert W1 == [[[draws[16 * 0 + 8 * f + 4 * c + 2 * u: 16 * 0 + 8 * f + 4 * c + 2 * u + 2]
                    for u in range(2)] for c in range(2)] for f in range(2)]
    assert b1 == draws[16:18]
    assert W2_ == [draws[18:20], draws[20:22], draws[22:24]] and b2 == draws[24:27]
    assert [w.weight for w in net.weights] == draws  # each trained number once, in draw order


@pytest.mark.parametrize("init, bound", [("xavier", (6 / (2 * 4 + 3 * 4)) ** 0.5),
                                         ("he", (6 / (2 * 4)) ** 0.5)])
def test_scaled_inits_use_the_filter_fans(init, bound):
    net = neurons.Network(["2x3x3", "conv3x2", 1], init=init, seed=5)
    rng = random.Random(5)
    W, b = net.parameters()[0]
    assert [v for f in W for c in f for u in c for v in u] == [
        rng.uniform(-bound, bound) for _ in range(3 * 2 * 2 * 2)]
    assert b == [0.0, 0.0, 0.0]


def test_set_parameters_round_trip_and_errors():
    net = neurons.Network(["1x3x3", "conv2x2", "pool2", 2], seed=0)
    params = net.parameters()
    params[0][0][1][0][1][0] = 7.0  # W[1,0,1,0]
    net.set_parameters(params)
    assert net.layers[1].W[1][0][1][0].weight == 7.0 and net.parameters() == params
    before = net.parameters()
    bad = [
        (params[:1], ValueError, "params has 1 layers, the network has 2 with parameters"),
        ([([[[[1.0]]]], [0.0, 0.0]), params[1]], ValueError,
         "params[0] W has 1 filters, layer 1 has 2 filters"),
        ([([params[0][0][0], [[[1.0, 2.0]]]], params[0][1]), params[1]], ValueError,
         "params[0] W[1][0] has 1 rows, the kernel has 2 rows"),
        ([([params[0][0][0], [[[1.0, 2.0], [3.0]]]], params[0][1]), params[1]], ValueError,
         "params[0] W[1][0][1] has 1 values, the kernel has 2"),
        ([([params[0][0][0], [[[1.0, 2.0], [3.0, float("nan")]]]], params[0][1]), params[1]],
         ValueError, "params[0] W[1][0][1] contains non-finite values"),
        ([(params[0][0], [0.0]), params[1]], ValueError, "params[0] b has 1 values, layer 1 has 2"),
        ([("W", params[0][1]), params[1]], TypeError,
         "params[0] W must be a 2×1×2×2 array, got str"),
        ([params[0], ([[0.0] * 3] * 2, [0.0, 0.0])], ValueError,
         "params[1] W[0] has 3 values, layer 2 has 2"),
    ]
    for value, error, words in bad:
        with pytest.raises(error) as info:
            net.set_parameters(value)
        assert words in str(info.value)
        assert net.parameters() == before  # nothing changed


def test_samples_are_flat_and_checked():
    net = neurons.Network(["2x3x3", "conv1x2", 2], seed=0)
    assert net.input_shape == (2, 3, 3) and net.input_size == 18 and net.output_size == 2
    with pytest.raises(ValueError, match="sample has 9 values, the input layer has 18"):
        net.predict([0.0] * 9)
    with pytest.raises(ValueError, match="non-finite"):
        net.get_gradient([0.0, 1.0], [float("inf")] + [0.0] * 17)


def test_reprs_tell_the_story():
    net = neurons.Network(["1x4x4", "conv2x2", "pool3", 3, "drop0.5", 2], seed=3)
    assert repr(net) == ("Network(['1x4x4', 'conv2x2', 'pool3', 3, 'drop0.5', 2], "
                         "sigmoid/mse, 107 connections, 10 shared weights)")
    net.get_gradient([1.0, 0.0], [0.0] * 5 + [9.0] + [0.0] * 10)
    conv = net.layers[1].nodes[1 * 9 + 1 * 3 + 2]
    assert repr(conv) == (f"ConvNode(layer=1, filter=1, y=1, x=2, output={conv.output:.4g}, "
                          f"delta={conv.delta:.4g})")
    w = net.layers[1].W[0][0][1][0]
    assert repr(w) == (f"SharedWeight(layer=1, W[0,0,1,0], weight={w.weight:.4g}, "
                       f"gradient={w.gradient:.4g}, shared by 9 connections)")
    assert "b[1]" in repr(net.layers[1].b[1])
    pool = net.layers[2].nodes[0]
    values = [c.upstream_node.output for c in pool.upstream]
    k = values.index(max(values))  # the first maximum, row-major
    assert pool.winner is pool.upstream[k].upstream_node
    assert repr(pool) == (
        f"PoolNode(layer=2, channel=0, y=0, x=0, window rows 0–2 cols 0–2, winner at row "
        f"{k // 3}, col {k % 3}, output={pool.output:.4g}, delta={pool.delta:.4g})")
    conn = w.connections[0]
    assert repr(conn) == (f"SharedConnection(0-4 → 1-0, W[0,0,1,0]={w.weight:.4g}, "
                          f"contribution={conn.gradient:.4g})")
    assert repr(net.layers[4].nodes[0]).startswith("DropNode(layer=4, index=0, mask=1, ")
    assert repr(net.layers[1]) == "ConvLayer(1, 2 filters 2x2, 2x3x3 nodes, sigmoid)"
    assert repr(net.layers[2]) == "PoolLayer(2, 3x3, 2x1x1 nodes)"


def test_dump_prints_shared_weights_and_nodes(capsys):
    net = neurons.Network(["1x3x3", "conv1x2", "pool2", 2], seed=0)
    net.dump()
    out = capsys.readouterr().out
    assert "layer 1 (conv 1 filters 2x2, stride 1, padding 0, sigmoid):" in out
    assert out.count("SharedWeight(") == 5 and out.count("ConvNode(") == 4
    assert out.count("PoolNode(") == 1 and out.count("SharedConnection(") == 4 * 5
