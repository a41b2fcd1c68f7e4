"""gdbook: gradient descent three ways (batch, stochastic, mini-batch) as one small numpy engine.

Everything public is importable from the top level:

    >>> from gdbook import LinearRegression, MiniBatchGD, Trainer, make_linear_data
"""

from gdbook.callbacks import Callback, EarlyStopping, RestoreBest, Run
from gdbook.data import make_linear_data
from gdbook.divergence import DivergenceGuard
from gdbook.exceptions import ConvergenceWarning, DivergenceError, PerformanceWarning
from gdbook.history import History
from gdbook.linear import LinearRegression
from gdbook.mlp import MLP
from gdbook.optimizers import BatchGD, GradientDescent, MiniBatchGD, StochasticGD
from gdbook.progress import ProgressBar
from gdbook.schedules import ConstantLR, InverseScalingLR, StepDecayLR
from gdbook.stability import max_stable_learning_rate, mse_hessian, worst_batch_learning_rate
from gdbook.trainer import Trainer

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "BatchGD",
    "Callback",
    "ConstantLR",
    "ConvergenceWarning",
    "DivergenceError",
    "DivergenceGuard",
    "EarlyStopping",
    "GradientDescent",
    "History",
    "InverseScalingLR",
    "LinearRegression",
    "MiniBatchGD",
    "PerformanceWarning",
    "ProgressBar",
    "RestoreBest",
    "Run",
    "StepDecayLR",
    "StochasticGD",
    "Trainer",
    "make_linear_data",
    "max_stable_learning_rate",
    "mse_hessian",
    "worst_batch_learning_rate",
]
