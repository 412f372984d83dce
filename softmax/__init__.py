"""softmax: a checked, numerically stable implementation of softmax regression.

The production package of the project. Every function here is the subject of claims in
the `derivations` registry, which proves the math with SymPy and tests this code against
independent references. This package never imports SymPy.
"""

from softmax import datasets, notation
from softmax.functions import log_softmax, logsumexp, softmax
from softmax.gradient import cross_entropy_grad, cross_entropy_loss_and_grad, log_likelihood_grad
from softmax.loss import cross_entropy, log_likelihood
from softmax.model import SoftmaxRegression

__all__ = [
    "SoftmaxRegression",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_loss_and_grad",
    "datasets",
    "log_likelihood",
    "log_likelihood_grad",
    "log_softmax",
    "logsumexp",
    "notation",
    "softmax",
]
__version__ = "0.1.0"
