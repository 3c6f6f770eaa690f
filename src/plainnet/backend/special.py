"""The error function from elementary operations, for any backend.

Neither NumPy nor the array API standard has ``erf``, which GELU needs. This is
W. J. Cody's rational Chebyshev approximation ("Rational Chebyshev
approximations for the error function", Mathematics of Computation 23 (1969),
631-638), in the three intervals and with the coefficients of his later
Fortran routine CALERF (SPECFUN, netlib, 1990), written here from those
published figures:

* ``|x| <= 0.46875``: ``erf(x) = x R1(x^2)``;
* ``0.46875 < |x| <= 4``: ``erfc(|x|) = exp(-x^2) R2(|x|)``;
* ``|x| > 4``: ``erfc(|x|) = exp(-x^2) / |x| (1/sqrt(pi) + R3(1/x^2) / x^2)``;

then ``erf(x) = sign(x) (1 - erfc(|x|))``. ``exp(-x^2)`` is taken as
``exp(-s^2) exp(-(|x| - s)(|x| + s))`` with ``s = |x|`` cut to a multiple of
1/16, which keeps ``x^2``'s rounding error out of it. In float64 the result is
within about 1e-16 of the true value (a few units in the last place); arrays
of float32 are computed in float32.

Every element goes through all three approximations (one array operation
each, any backend), each on its input clipped to its interval so that nothing
overflows, and ``where`` keeps the right one.
"""

from typing import Any

#: R1 on [0, 0.46875]: numerator A and denominator B, in CALERF's order
A = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
B = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
#: R2 on (0.46875, 4]
C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
#: R3 on (4, inf), in 1/x^2
P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
Q = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
#: 1 / sqrt(pi)
SQRPI = 5.6418958354775628695e-1
#: where the first interval ends
THRESH = 0.46875
#: beyond this erfc is below float64's smallest number (CALERF's XBIG): erf
#: rounds to +-1 long before, so the last interval's input is clipped there
XBIG = 26.543


def erf(ops, x) -> Any:
    """``erf(x)`` element-wise, a new array of ``x``'s shape and dtype,
    computed with ``ops``'s functions only (see the module's docstring)."""
    y = ops.xp.abs(x)
    small = _small(ops, ops.xp.minimum(y, THRESH))
    middle = _middle(ops, ops.xp.clip(y, THRESH, 4.0))
    large = _large(ops, ops.xp.clip(y, 4.0, XBIG))
    erfc = ops.where(ops.greater(y, 4.0), large, middle)
    # 1 - erfc as (0.5 - erfc) + 0.5, CALERF's order
    result = ops.where(ops.greater(y, THRESH), (0.5 - erfc) + 0.5, small)
    # erf(-x) = -erf(x), -0.0 included; NaN stays NaN (|NaN| goes through)
    return ops.xp.copysign(result, x)


def _small(ops, y):
    """``y R1(y^2)`` on [0, 0.46875] (``erf`` itself there)."""
    ysq = y * y
    num, den = A[4] * ysq, ysq
    for a, b in zip(A[:3], B[:3], strict=True):
        num = (num + a) * ysq
        den = (den + b) * ysq
    return y * (num + A[3]) / (den + B[3])


def _middle(ops, y):
    """``erfc(y)`` on [0.46875, 4]."""
    num, den = C[8] * y, y
    for c, d in zip(C[:7], D[:7], strict=True):
        num = (num + c) * y
        den = (den + d) * y
    return _times_exp_minus_square(ops, y, (num + C[7]) / (den + D[7]))


def _large(ops, y):
    """``erfc(y)`` on [4, XBIG]."""
    ysq = 1.0 / (y * y)
    num, den = P[5] * ysq, ysq
    for p, q in zip(P[:4], Q[:4], strict=True):
        num = (num + p) * ysq
        den = (den + q) * ysq
    ratio = ysq * (num + P[4]) / (den + Q[4])
    return _times_exp_minus_square(ops, y, (SQRPI - ratio) / y)


def _times_exp_minus_square(ops, y, r):
    """``exp(-y^2) r``, with ``y^2`` split at a multiple of 1/16 (exact) so that
    its rounding error stays out of the exponential."""
    cut = ops.xp.floor(y * 16.0) / 16.0
    rest = (y - cut) * (y + cut)
    return ops.exp(-(cut * cut)) * ops.exp(-rest) * r
