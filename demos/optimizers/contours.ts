/**
 * Contour lines of a function of two variables, by marching squares (Lorensen & Cline's
 * marching cubes, in two dimensions), for the contour plot of `npm run optimizers`.
 *
 * The function is sampled on a grid of (nx + 1) × (ny + 1) corners over [x0, x1] × [y0, y1].
 * In each of the nx × ny cells, every edge whose two corners lie on either side of the level
 * is crossed by the contour; the crossing is placed by linear interpolation between the two
 * corner values, and the crossings of a cell are joined in pairs by straight segments. A cell
 * with the level crossing all four edges (a saddle) is resolved by the value at its centre,
 * the mean of its corners. Within a cell a segment is a chord of the true curve, so a finer
 * grid gives a smoother line.
 */

/** One segment of a contour: from (x1, y1) to (x2, y2), in the function's coordinates. */
export type Segment = [number, number, number, number];

/** A function sampled on a grid (see `sampleGrid`). */
export interface SampledGrid {
  /** Cells along x and along y (the corners are one more each way). */
  nx: number;
  ny: number;
  /** The corners' x at i = 0 and i = nx, y at j = 0 and j = ny. */
  xRange: [number, number];
  yRange: [number, number];
  /** The value at corner (i, j), stored at j·(nx + 1) + i. */
  values: Float64Array;
}

/** Samples `f` at the (nx + 1) × (ny + 1) corners of a grid over xRange × yRange. */
export function sampleGrid(f: (x: number, y: number) => number, xRange: [number, number], yRange: [number, number], nx: number, ny: number): SampledGrid {
  const values = new Float64Array((nx + 1) * (ny + 1));
  for (let j = 0; j <= ny; j++) {
    const y = yRange[0] + ((yRange[1] - yRange[0]) * j) / ny;
    for (let i = 0; i <= nx; i++) values[j * (nx + 1) + i] = f(xRange[0] + ((xRange[1] - xRange[0]) * i) / nx, y);
  }
  return { nx, ny, xRange, yRange, values };
}

/** The segments of the contour `f = level` over the sampled grid (see the file's comment). */
export function contourSegments(grid: SampledGrid, level: number): Segment[] {
  const { nx, ny, xRange, yRange, values } = grid;
  const dx = (xRange[1] - xRange[0]) / nx;
  const dy = (yRange[1] - yRange[0]) / ny;
  const at = (i: number, j: number): number => values[j * (nx + 1) + i];
  const segments: Segment[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const below = Number(at(i, j) < level) + Number(at(i + 1, j) < level) + Number(at(i + 1, j + 1) < level) + Number(at(i, j + 1) < level);
      if (below === 0 || below === 4) continue; //                          every corner on one side: no contour here
      // the corners counter-clockwise from the bottom left: (i, j), (i+1, j), (i+1, j+1), (i, j+1)
      const corners: Array<[number, number, number]> = [
        [xRange[0] + i * dx, yRange[0] + j * dy, at(i, j)],
        [xRange[0] + (i + 1) * dx, yRange[0] + j * dy, at(i + 1, j)],
        [xRange[0] + (i + 1) * dx, yRange[0] + (j + 1) * dy, at(i + 1, j + 1)],
        [xRange[0] + i * dx, yRange[0] + (j + 1) * dy, at(i, j + 1)],
      ];
      // where the level crosses each edge k (corner k to corner k+1), by linear interpolation
      const crossings: Array<[number, number]> = [];
      for (let k = 0; k < 4; k++) {
        const [xa, ya, va] = corners[k];
        const [xb, yb, vb] = corners[(k + 1) % 4];
        if ((va < level) !== (vb < level)) {
          const t = (level - va) / (vb - va);
          crossings.push([xa + t * (xb - xa), ya + t * (yb - ya)]);
        }
      }
      if (crossings.length === 2) {
        segments.push([...crossings[0], ...crossings[1]]);
      } else if (crossings.length === 4) {
        // a saddle: corners 0 and 2 on one side, 1 and 3 on the other. If the centre is on
        // corner 0's side, the contour separates corners 1 and 3 from the centre: join the
        // crossings around each of them (edges 0–1 with 1–2, and 2–3 with 3–0); otherwise join
        // those around corners 0 and 2 (edges 3–0 with 0–1, and 1–2 with 2–3).
        const centre = (corners[0][2] + corners[1][2] + corners[2][2] + corners[3][2]) / 4;
        if ((centre < level) === (corners[0][2] < level)) {
          segments.push([...crossings[0], ...crossings[1]], [...crossings[2], ...crossings[3]]);
        } else {
          segments.push([...crossings[3], ...crossings[0]], [...crossings[1], ...crossings[2]]);
        }
      }
    }
  }
  return segments;
}
