"""The constants of the AVX2 kernel's exp (lstm-core/src/packed/avx2.rs, `logistic`).

e^r for r in [-ln 2 / 16, ln 2 / 16] as 1 + r + c2 r^2 + c3 r^3, with c2 and c3 chosen by
Remez's exchange algorithm to minimise the largest relative error, and the table 2^(j/8),
j = 0..7, rounded to f32. Prints both with the errors they leave. Needs mpmath and numpy (both
installed with torch from scripts/requirements.txt):

    .venv/bin/python scripts/exp_coefficients.py
"""

import numpy as np
from mpmath import exp, log, mp, mpf

mp.dps = 40
HALF_WIDTH = log(2) / 16
POWERS = (2, 3)  # the free coefficients: 1 + r is kept exact


def relative_error(coefficients, r):
    r = mpf(r)
    value = 1 + r + sum(c * r**k for c, k in zip(coefficients, POWERS))
    return (value - exp(r)) / exp(r)


def remez(iterations=30, samples=20001):
    """Coefficients whose relative error equioscillates at len(POWERS) + 1 points."""
    n = len(POWERS)
    a = float(HALF_WIDTH)
    points = [mpf(a * np.cos(np.pi * i / n)) for i in range(n + 1)][::-1]
    grid = np.linspace(-a, a, samples)
    for _ in range(iterations):
        # e^r - 1 - r - sum c_k r^k = (-1)^i E e^r at each reference point.
        matrix = mp.matrix(n + 1, n + 1)
        rhs = mp.matrix(n + 1, 1)
        for i, r in enumerate(points):
            for j, k in enumerate(POWERS):
                matrix[i, j] = r**k
            matrix[i, n] = (-1) ** i * exp(r)
            rhs[i] = exp(r) - 1 - r
        solution = mp.lu_solve(matrix, rhs)
        coefficients = [solution[j] for j in range(n)]
        errors = np.array([float(relative_error(coefficients, r)) for r in grid])
        # The new reference: the largest error within each run of one sign.
        extremes, start = [], 0
        for i in range(1, len(grid) + 1):
            if i == len(grid) or np.sign(errors[i]) != np.sign(errors[start]):
                extremes.append(max(range(start, i), key=lambda j: abs(errors[j])))
                start = i
        if len(extremes) != n + 1:
            break
        points = [mpf(grid[j]) for j in extremes]
    return coefficients, float(np.abs(errors).max())


coefficients, error = remez()
rounded = [np.float32(float(c)) for c in coefficients]
print("c2, c3 =", [f"{float(c):.9g}" for c in rounded], f"max relative error {error:.3g}")
for j in range(8):
    exact = 2 ** (mpf(j) / 8)
    table = np.float32(float(exact))
    print(f"2^({j}/8) = {float(table):.9g} (relative error {float((table - exact) / exact):.2g})")
