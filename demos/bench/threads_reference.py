"""The reference speeds of speed_reference.py on a chosen number of PyTorch threads, in wall-clock
and CPU time.

speed_reference.py times PyTorch on one thread (it calls torch.set_num_threads(1) when it is
imported) and reports wall-clock seconds. `npm run bench -- --threads 2` also needs PyTorch on two
threads, and the CPU time of each run (the machine may be shared: other jobs slow the wall clock
more than the CPU time). This script loads speed_reference.py as a module, sets PyTorch's threads
after it did, replaces its timer by one that reads both clocks, and runs the same workloads.

Run:  /usr/bin/python3 demos/bench/threads_reference.py demos/bench/speed_reference.py --threads 2 cnn
Prints one line per measurement, then one JSON line: for each of the script's keys (e.g.
pytorch_cnn_epoch_s, the median wall-clock seconds of its repeats) the same key with _cpu_s in
place of _s (the CPU seconds of the process in the same repeat: time.process_time, which counts
every thread of the process), and "torch_threads".
"""
import importlib.util
import json
import sys
import time


def load_reference(path):
    spec = importlib.util.spec_from_file_location("speed_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "--threads" or not args[2].isdigit() or int(args[2]) < 1:
        sys.exit("usage: threads_reference.py SPEED_REFERENCE --threads N [course|mlp|cnn ...]")
    reference, threads, which = args[0], int(args[2]), args[3:] or ["course", "mlp", "cnn"]
    module = load_reference(reference)
    if module.torch is not None:
        module.torch.set_num_threads(threads)  # after the module's own set_num_threads(1)

    measured = []  # (wall, cpu) of the median repeat of each median_time call, in call order

    def median_time(fn):
        runs = []
        for _ in range(module.REPEATS):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        runs.sort()
        measured.append(runs[len(runs) // 2])
        return runs[len(runs) // 2][0]

    module.median_time = median_time
    table = {"course": module.course, "mlp": module.mlp, "cnn": module.cnn}
    bad = [w for w in which if w not in table]
    if bad:
        sys.exit(f"unknown workload(s) {bad}; choose from {sorted(table)}")
    results = {"torch_threads": module.torch.get_num_threads() if module.torch is not None else 0}
    for w in which:
        start = len(measured)
        out = table[w]()
        # each dict lists its keys in the order its median_time calls ran
        for key, (wall, cpu) in zip(out.keys(), measured[start:]):
            print(f"{key:24s} {wall:8.3f} s wall, {cpu:8.3f} s CPU  (median of {module.REPEATS})")
            results[key] = round(wall, 4)
            results[key[:-2] + "_cpu_s"] = round(cpu, 4)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
