"""neurons: the tutorial's network as an object graph (Network, Layer, Node, ConstNode,
Connection, Connections), backprop computed node by node. Standard library only."""

from .activators import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .connection import Connection, Connections
from .layer import Layer
from .losses import LOSSES
from .network import INITS, Network
from .node import ConstNode, Node

__all__ = [
    "Network", "Layer", "Node", "ConstNode", "Connection", "Connections",
    "HIDDEN_ACTIVATIONS", "OUTPUT_ACTIVATIONS", "LOSSES", "INITS",
]
