import { Tensor } from '../../lib';

/**
 * The centres of a resolution × resolution grid of pixels over the unit square, one point
 * [x₁, x₂] per row, in image order: row 0 is the top of the picture (x₂ near 1), column 0 the
 * left (x₁ near 0). A decision map feeds these points to the network and paints pixel k with
 * the output of row k.
 */
export function unitSquareGrid(resolution: number): Tensor {
  const grid = new Tensor([resolution * resolution, 2]);
  for (let row = 0; row < resolution; row++) {
    for (let col = 0; col < resolution; col++) {
      const k = row * resolution + col;
      grid.data[2 * k] = (col + 0.5) / resolution; //           x₁ grows to the right
      grid.data[2 * k + 1] = 1 - (row + 0.5) / resolution; //   x₂ grows upwards (image rows go down)
    }
  }
  return grid;
}
