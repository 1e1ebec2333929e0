/**
 * The page's colours. The decision map uses the disk figures' choices
 * (demos/figures/disk-figures.ts): blue = outside (class 0), red = inside (class 1), light grey
 * on the boundary. The layer inspector uses a different diverging scale (purple < 0 < orange)
 * so that weights and gradients are never mistaken for classes.
 */

export type Rgb = [number, number, number];

/** Point colours by label: 0 outside (blue), 1 inside (red). */
export const CLASS_COLORS = ['#4393c3', '#d6604d'];

/** Chart lines: training set and test set. */
export const TRAIN_COLOR = '#3b4a5a';
export const TEST_COLOR = '#e66101';

/** Shown for NaN (a network whose weights blew up). */
const NOT_A_NUMBER: Rgb = [120, 120, 120];

function interpolate(stops: Rgb[], t: number): Rgb {
  if (Number.isNaN(t)) return NOT_A_NUMBER;
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(u));
  const f = u - k;
  const a = stops[k], b = stops[k + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as Rgb;
}

/** The decision map: 0 (sure outside) blue → 0.5 light grey → 1 (sure inside) red. */
export function mapColor(t: number): Rgb {
  return interpolate([[33, 102, 172], [247, 247, 247], [178, 24, 43]], t);
}

/** The map's background: `mapColor` mixed with 30 % white, so the points drawn over it stand out. */
export function fieldColor(t: number): Rgb {
  return mapColor(t).map((c) => Math.round(255 - 0.7 * (255 - c))) as Rgb;
}

/** Heat maps: −1 purple → 0 white → +1 orange (values divided by the largest |value| first). */
export function heatColor(t: number): Rgb {
  return interpolate([[64, 0, 75], [153, 112, 171], [247, 247, 247], [241, 163, 64], [179, 88, 6]], (t + 1) / 2);
}

export function css([r, g, b]: Rgb): string {
  return `rgb(${r},${g},${b})`;
}
