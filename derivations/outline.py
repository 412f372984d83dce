"""The tutorial's sections in its order, and the modules that declare each one's claims.

A claim's section is the section of the module it is declared in: nothing else names it.
The registry imports exactly these modules, in this order.
"""

from __future__ import annotations

#: key, English title, the tutorial's heading, the declaring modules (in `derivations.sections`).
_OUTLINE = (
    ("definition", "The softmax function and its worked example", "softmax的例子 / 基本特性",
     ("definition",)),
    ("entropy", "Entropy and cross-entropy", "熵与交叉熵", ("entropy",)),
    ("likelihood", "Maximum likelihood and cross-entropy", "极大似然评估",
     ("likelihood", "likelihood_equivalence")),
    ("loss", "What the loss means", "损失函数的含义", ("loss", "loss_simulations")),
    ("model", "The linear model and the matrix forms G, S, Q", "建模 / softmax计算",
     ("model", "model_matrices")),
    ("matrix-loss", "The loss in matrix form", "交叉熵(极大似然评估)计算",
     ("matrix_loss", "matrix_loss_final")),
    ("optimisation", "Signs and update rules", "参数优化", ("optimisation",)),
    ("gradient", "The gradient, step by step", "求偏导函数", ("gradient", "gradient_lines")),
    ("many-samples", "Many samples and the matrix D", "多个样本与矩阵运算", ("many_samples",)),
    ("summary", "The algorithm summary", "算法总结", ("summary",)),
    ("training", "The training loop", "编码实现", ("training", "training_run")),
    ("implementation", "What the production code relies on", "(this project)",
     ("implementation", "implementation_logs", "implementation_api", "implementation_axes",
      "implementation_blocks", "implementation_contract", "implementation_kernel",
      "implementation_loss")),
)  # fmt: skip

#: Section key -> (English title, the tutorial's heading), in the tutorial's order.
SECTIONS = {key: (title, heading) for key, title, heading, _ in _OUTLINE}

#: Declaring module -> its section key, in registration order.
MODULES = {f"derivations.sections.{name}": key for key, _, _, names in _OUTLINE for name in names}


def section_of(module: str) -> str:
    """The section whose claims `module` declares.

    >>> section_of("derivations.sections.many_samples")
    'many-samples'
    """
    try:
        return MODULES[module]
    except KeyError:
        raise ValueError(
            f"module {module!r} declares claims but is not in derivations.outline"
        ) from None
