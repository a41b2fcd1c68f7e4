"""A model whose losses are a script: training rules (early stopping, the divergence guard,
restoring the best parameters) tested on loss sequences chosen by hand.

`Scripted(script)` reports `script[k]` as its full-data loss after k steps of
`BatchGD(learning_rate=1)`: its gradient is always 1, so after k steps `params == [-k]`.
Epoch e (0-based) therefore records `script[e + 1]`, and the initial loss is `script[0]`;
past the end of the script the last value repeats.
"""

import numpy as np


class Scripted:
    n_features = 1

    def __init__(self, losses):
        self.script = [float(v) for v in losses]
        self.params = np.zeros(1)

    def loss_and_grad(self, X, y):
        k = round(-self.params[0])
        return self.script[min(k, len(self.script) - 1)], np.ones(1)
