"""Enzyme kinetics."""
from __future__ import annotations

import numpy as np


def michaelis_menten_rate(substrate_uM, vmax, km_uM):
    """Michaelis–Menten rate v = Vmax·[S] / (Km + [S]), in the units of ``vmax``.

    Works on scalars and numpy arrays. Raises ValueError for negative inputs or Km ≤ 0.
    """
    s = np.asarray(substrate_uM, dtype=float)
    if np.any(~np.isfinite(s)) or np.any(s < 0):
        raise ValueError("substrate_uM must be finite and ≥ 0")
    if not np.isfinite(vmax) or vmax < 0:
        raise ValueError("vmax must be finite and ≥ 0")
    if not np.isfinite(km_uM) or km_uM <= 0:
        raise ValueError("km_uM must be finite and > 0")
    rate = vmax * s / (km_uM + s)
    return float(rate) if rate.ndim == 0 else rate
