"""neurons: get_gradient agrees with central differences (式6) on random networks."""

from hypothesis import assume, given

import neurons
from neurons_lab.training.gradcheck import check_gradient
from tests.strategies import cases, near_kink


def layer_nets(net):
    return [[node.net for node in layer.nodes] for layer in net.layers[1:]]


@given(cases())
def test_gradient_matches_central_differences(case):
    config, label, sample = case
    net = neurons.Network(**config)
    output = net.predict(sample)
    assume(not near_kink(config, layer_nets(net), output, label))
    for report in check_gradient(net, label, sample):
        assert report.worst < 1e-6, (config, report)


def test_every_output_and_loss_pair_is_checked():
    """The strategy above covers all pairs; check each one once explicitly too."""
    from tests.strategies import ACTIVATIONS, OUTPUT_LOSS

    sample = [0.3, -0.7, 1.1]
    for hidden in ACTIVATIONS:
        for output, loss in OUTPUT_LOSS:
            for l2 in (0.0, 0.05):
                config = dict(layer_sizes=[3, 4, 3], activation=hidden, output=output,
                              loss=loss, l2=l2, seed=7, init="xavier")
                net = neurons.Network(**config)
                label = [0.0, 1.0, 0.0]
                out = net.predict(sample)
                if near_kink(config | {"activation": [hidden]}, layer_nets(net), out, label):
                    continue
                worst = max(r.worst for r in check_gradient(net, label, sample))
                assert worst < 1e-6, (hidden, output, loss, l2, worst)
