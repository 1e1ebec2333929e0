/**
 * The second thread's program: self-contained JavaScript, kept as a string so that a worker can
 * run it wherever minidl itself runs (from the TypeScript sources, from the compiled dist/, from a
 * browser bundle) without a file of its own. It defines one function, `runKernelWorker(message)`;
 * the code that starts the worker appends the line that calls it with the first message
 * (lib/tensor/node-workers.ts for Node's worker_threads, `webWorkers` in wasm-threads.ts for a
 * browser's Web Worker).
 *
 * What it does (wasm-threads.ts explains the protocol; the slots are CONTROL_SLOTS there):
 *
 *   instance = new WebAssembly.Instance(message.module, { env: { memory: message.memory } })
 *     (if that throws: MESSAGE ← its message, READY ← −1, return)
 *   where the worker can tell it ends (Node.js: its process's 'exit' event, after process.exit or
 *     an uncaught error): on the way out, MESSAGE ← 'it ended with exit code …', ENDED ← 1, and
 *     wake the calling thread if it sleeps on DONE
 *   READY ← 1
 *   forever:
 *     spin while SEQ is unchanged, for at most message.spinMicroseconds; then sleep on SEQ
 *       (Atomics.wait; SLEEPING ← 1 meanwhile, so that the calling thread knows to wake it)
 *     KERNEL < 0: stop
 *     claim the task (CLAIMED: seq − 1 → seq); if the calling thread took it first, skip it
 *     run kernel KERNEL on the arguments ARGS…, then DONE ← seq (and wake the calling thread
 *       if it sleeps on DONE); an exception sets MESSAGE ← its message and FAILED ← 1 instead of
 *       killing the loop
 *
 * It never returns to its event loop until told to stop: a worker exists only to run kernels.
 */
export const KERNEL_WORKER_SOURCE = `
function runKernelWorker(message) {
  'use strict';
  var S = message.slots;
  var memory = message.memory;
  var control = new Int32Array(memory.buffer, message.control, S.SIZE);
  var kernels;
  function writeMessage(text) {
    text = String(text).slice(0, S.SIZE - S.MESSAGE);
    for (var i = 0; i < text.length; i++) control[S.MESSAGE + i] = text.charCodeAt(i);
    Atomics.store(control, S.MESSAGE_LENGTH, text.length);
  }
  function errorText(err) {
    return err instanceof Error ? err.name + ': ' + err.message : String(err);
  }
  try {
    var instance = new WebAssembly.Instance(message.module, { env: { memory: memory } });
    kernels = message.kernels.map(function (name) { return instance.exports[name]; });
  } catch (err) {
    writeMessage(errorText(err));
    Atomics.store(control, S.READY, -1);
    Atomics.notify(control, S.READY);
    return;
  }
  var clock = typeof performance !== 'undefined' ? performance : Date;
  var spin = message.spinMicroseconds / 1000;
  var A = S.ARGS;
  if (typeof process === 'object' && process !== null && typeof process.on === 'function') {
    process.on('exit', function (code) {
      writeMessage('it ended with exit code ' + code);
      Atomics.store(control, S.ENDED, 1);
      Atomics.notify(control, S.DONE);
    });
  }
  var seen = Atomics.load(control, S.SEQ);
  Atomics.store(control, S.READY, 1);
  Atomics.notify(control, S.READY);
  for (;;) {
    var seq = Atomics.load(control, S.SEQ);
    if (seq === seen) {
      var start = clock.now(), n = 0;
      while (seq === seen) {
        if ((++n & 255) === 0 && clock.now() - start > spin) {
          Atomics.store(control, S.SLEEPING, 1);
          if (Atomics.load(control, S.SEQ) === seen) Atomics.wait(control, S.SEQ, seen);
          Atomics.store(control, S.SLEEPING, 0);
          start = clock.now();
        }
        seq = Atomics.load(control, S.SEQ);
      }
    }
    seen = seq;
    var kernel = Atomics.load(control, S.KERNEL);
    if (kernel < 0) return;
    if (Atomics.compareExchange(control, S.CLAIMED, (seq - 1) | 0, seq) !== ((seq - 1) | 0)) continue;
    try {
      kernels[kernel](control[A], control[A + 1], control[A + 2], control[A + 3], control[A + 4], control[A + 5],
        control[A + 6], control[A + 7], control[A + 8], control[A + 9], control[A + 10], control[A + 11],
        control[A + 12], control[A + 13], control[A + 14], control[A + 15], control[A + 16], control[A + 17],
        control[A + 18], control[A + 19]);
    } catch (err) {
      writeMessage(errorText(err));
      Atomics.store(control, S.FAILED, 1);
    }
    Atomics.store(control, S.DONE, seq);
    if (Atomics.load(control, S.WAITING) === 1) Atomics.notify(control, S.DONE);
  }
}
`;
