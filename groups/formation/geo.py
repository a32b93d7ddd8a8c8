"""Great-circle distances, and the unit vectors that make distance tests cheap in the kernels.

Two points p, q on the sphere are at most ``km`` apart (along the great circle, radius
``EARTH_RADIUS_KM``) exactly when the dot product of their unit vectors is at least
``cos(km / EARTH_RADIUS_KM)``: three multiplications instead of the haversine's trigonometry,
which is what keeps a distance test O(1) and cheap inside the search.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
# Slack on the cosine threshold, so that a distance computed as exactly the limit passes.
COS_EPS = 1e-12


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points in degrees."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def unit_vectors(points: Sequence[tuple[float, float] | None]) -> tuple[NDArray, NDArray]:
    """(n, 3) unit vectors of (latitude, longitude) points, and which points are known (rows of
    unknown points are zero)."""
    n = len(points)
    known = np.array([p is not None for p in points], dtype=np.bool_).reshape(n)
    latlon = np.array([p for p in points if p is not None], dtype=np.float64).reshape(-1, 2)
    bad = ~((np.abs(latlon[:, 0]) <= 90.0) & (np.abs(latlon[:, 1]) <= 180.0))
    if bad.any():
        lat, lon = latlon[np.flatnonzero(bad)[0]]
        raise ValueError(f"({lat}, {lon}) is not a latitude and longitude in degrees")
    la, lo = np.radians(latlon[:, 0]), np.radians(latlon[:, 1])
    out = np.zeros((n, 3))
    out[known] = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)
    return out, known


def cos_limit(km: float) -> float:
    """The dot-product threshold of a distance limit (see the module docstring)."""
    angle = float(km) / EARTH_RADIUS_KM
    if angle >= math.pi:
        return -2.0  # every two points on Earth are within the limit
    return math.cos(angle) - COS_EPS


def km_between(u: NDArray, v: NDArray) -> float:
    """Great-circle distance in km between two unit vectors (numerically stable near 0)."""
    chord = float(np.linalg.norm(u - v))
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


def fmt_km(km: float) -> str:
    return f"{km:,.0f} km"


def dots(a: NDArray, b: NDArray) -> NDArray[np.float64]:
    """``a @ b.T`` for (m, 3) and (k, 3) unit vectors, as three outer products: BLAS's matrix
    product handles an inner dimension of 3 badly (seconds for 4,000 x 4,000 on a busy
    machine) while this takes a fraction of that."""
    out: NDArray[np.float64] = np.multiply.outer(a[:, 0], b[:, 0])
    out += np.multiply.outer(a[:, 1], b[:, 1])
    out += np.multiply.outer(a[:, 2], b[:, 2])
    return out
