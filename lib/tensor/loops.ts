import type { LayerLoops } from './backend/interface';
import { activeBackend } from './backend/select';

export type { AdamUpdate, LayerLoops, SgdUpdate, WindowGeometry } from './backend/interface';

/**
 * A layer's own loop, or the backend's faster twin of it: how a layer runs a loop written in
 * its file.
 *
 * ReLU's loops are in relu.ts, under ReLU's formula; the layer calls
 *
 *   fastLoop('reluForward', reluForward)(input.data, output.data, n);
 *
 * On the 'js' backend that is `reluForward` itself. The 'wasm' backend has a twin of it by the
 * same name (backend/interface.ts `LayerLoops`), compiled from the same operations in the same
 * order, so it returns the same bits, faster; the call runs the twin. A loop without a twin
 * (BatchNorm's, Tanh's forward) always runs as written.
 */
export function fastLoop<K extends keyof LayerLoops>(name: K, loop: LayerLoops[K]): LayerLoops[K] {
  return activeBackend().loops[name] ?? loop;
}
