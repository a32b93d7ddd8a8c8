"""Reader for MDGPLIB instances (Gallego et al. 2013).

First line ``n G kind lb_1 ub_1 ... lb_G ub_G``; every further line ``i j d_ij`` (0-based, i < j).
The objective is to maximise the sum of d_ij over pairs in the same group.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class MdgpInstance:
    name: str
    kind: str
    distances: NDArray[np.float64]  # symmetric n x n, zero diagonal
    bounds: tuple[tuple[int, int], ...]

    @property
    def n(self) -> int:
        return int(self.distances.shape[0])


def read_mdgplib(path: str | Path) -> MdgpInstance:
    path = Path(path)
    with path.open() as fh:
        header = fh.readline().split()
        if len(header) < 3:
            raise ValueError(f"{path}: the first line must be 'n G kind lb_1 ub_1 ...'")
        n, g, kind = int(header[0]), int(header[1]), header[2]
        nums = [int(x) for x in header[3:]]
        if len(nums) != 2 * g:
            raise ValueError(f"{path}: expected {2 * g} size bounds, found {len(nums)}")
        body = np.loadtxt(fh, dtype=np.float64, ndmin=2)
    d = np.zeros((n, n))
    if body.size:
        if body.shape[1] != 3:
            raise ValueError(f"{path}: every line after the first must be 'i j d_ij'")
        i = body[:, 0].astype(np.int64)
        j = body[:, 1].astype(np.int64)
        if i.min() < 0 or j.min() < 0 or max(i.max(), j.max()) >= n:
            raise ValueError(f"{path}: an element index is outside 0..{n - 1}")
        d[i, j] = body[:, 2]
        d[j, i] = body[:, 2]
    np.fill_diagonal(d, 0.0)
    bounds = tuple((nums[2 * k], nums[2 * k + 1]) for k in range(g))
    return MdgpInstance(name=path.stem, kind=kind, distances=d, bounds=bounds)
