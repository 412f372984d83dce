"""One module per tutorial section; importing this package registers every claim."""

from derivations.sections import (  # noqa: F401  (imports register the claims)
    definition,
    entropy,
    gradient,
    implementation,
    implementation_api,
    implementation_api_conform,
    implementation_blocks,
    implementation_contract,
    implementation_kernel,
    implementation_loss,
    likelihood,
    loss,
    many_samples,
    matrix_loss,
    model,
    optimisation,
    summary,
    training,
)
