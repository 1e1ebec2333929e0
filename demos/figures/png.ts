/**
 * PNG output for the figures, with well-kept libraries rather than a hand-written encoder:
 * `pngjs` encodes raster images (the decision map's colour field), and `@resvg/resvg-js`
 * renders a whole SVG figure to PNG. The text is drawn with the DejaVu Sans font shipped by
 * the `dejavu-fonts-ttf` package, never a system font, so the PNG files are the same on every
 * machine with the same package versions.
 */
import { Resvg } from '@resvg/resvg-js';
import * as path from 'node:path';
import { PNG } from 'pngjs';

/** An RGBA raster (4 bytes per pixel, rows top to bottom) as a PNG `data:` URI for an SVG <image>. */
export function rasterToPngDataUri(rgba: Uint8Array, width: number, height: number): string {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** Renders an SVG document to PNG bytes at `scale` times its size (2 gives a sharp image for print). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: false,
      fontFiles: [path.join(FONT_DIR, 'DejaVuSans.ttf'), path.join(FONT_DIR, 'DejaVuSans-Bold.ttf')],
      defaultFontFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
