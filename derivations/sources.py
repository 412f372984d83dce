"""The literature and code the claims cite, each written once (`Claim.references`)."""

BISHOP = "Bishop, Pattern Recognition and Machine Learning (2006), §4.3.4"
BLANCHARD = (
    "Blanchard, Higham & Higham (2021), IMA J. Numer. Anal. 41(4), doi:10.1093/imanum/draa038"
)
COVER_THOMAS = "Cover & Thomas, Elements of Information Theory, 2nd ed., Thm 2.6.3"
DASK_GLM = "dask-glm (github.com/dask/dask-glm): per-block gradients reduced on the workers"
HIGHAM = "Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §4.2 (pairwise sum)"
KNUTH = "Knuth, The Art of Computer Programming vol. 2, §4.2.2 (TwoSum)"
MARKSTEIN = (
    "Markstein, Computation of elementary functions on the IBM RISC System/6000 processor, "
    "IBM J. Res. Dev. 34(1), 1990"
)
SCIPY = "scipy.special.logsumexp, softmax (SciPy 1.17 documentation): b, return_sign, axis"
TUTORIAL_CODE = "chkui/ml-math-softmax, sample/softmax_train (the tutorial's code)"
