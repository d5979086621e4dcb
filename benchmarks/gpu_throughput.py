"""Training and inference throughput of ResNet-18: a hand-written torch loop, skorch, CNNClassifier.

The workload of issue 14: ``CNNClassifier(architecture="resnet", width=64)``, d2l's ResNet-18
(with the 3x3 stem the package uses below 64 pixels: the usual CIFAR ResNet-18), trained on
25,600 random CIFAR-sized 3x32x32 images with batch 256, in float32 and in bfloat16 autocast,
measured as images per second

1. in a hand-written torch loop with the same settings (``benchmarks/_torch_loops.py``: from
   NumPy, the data moved to the device once, AdamW, channels-last on CUDA, the same autocast),
2. in skorch's ``NeuralNetClassifier`` as it comes (NumPy in, its DataLoader; float32 only,
   skorch having no autocast of its own),
3. in ``skdl.neural_network.CNNClassifier``,

and ``predict_proba`` of 2 and 3 against a hand-written inference loop. Targets: training at least
0.95x the loop's images/s, ``predict_proba`` at least 0.9x its loop, in each precision; and, on
a GPU, bfloat16 at least 1.3x float32.

Usage::

    python benchmarks/gpu_throughput.py            # full size on a GPU (a few minutes)
    python benchmarks/gpu_throughput.py --small    # CPU-sized: 1,024 images, a narrow ResNet-18

Without CUDA the small size is chosen automatically (the test suite runs it, smaller still).
"""

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from benchmarks._side_by_side import how_to_install, missing_requirements  # noqa: E402
from benchmarks._torch_loops import predict_proba_loop, train_loop  # noqa: E402

# asv imports every module of benchmarks/, also where torch is missing; this script needs it.
if not missing_requirements(["torch", "skorch"]):
    import torch

    from skdl.neural_network import CNNClassifier
    from skdl.neural_network._architectures import build_cnn

SHAPE = (3, 32, 32)
N_CLASSES = 10
# float32 throughout, or bfloat16 autocast (named, not torch.bfloat16: torch may be missing here).
PRECISIONS = ("float32", "bfloat16")


def make_images(n_images, seed=0):
    """Random images whose class is a linear function of the pixels (learnable, cheap)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_images, *SHAPE), dtype=np.float32)
    W = rng.standard_normal((int(np.prod(SHAPE)), N_CLASSES)).astype(np.float32)
    y = np.argmax(X.reshape(n_images, -1) @ W, axis=1).astype(np.int64)
    return X, y


def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def _timed(function, device):
    _sync(device)
    start = time.perf_counter()
    function()
    _sync(device)
    return time.perf_counter() - start


def _module(width, seed=0):
    torch.manual_seed(seed)
    return build_cnn("resnet", SHAPE, N_CLASSES, width=width, dropout=0.0)


def _torch_loop(args, X, y, precision):
    channels_last = torch.device(args.device).type == "cuda"
    settings = dict(device=args.device, channels_last=channels_last,
                    autocast_dtype=None if precision == "float32" else getattr(torch, precision))
    trained = {}

    def fit():
        trained["module"] = train_loop(
            _module(args.width), X, y, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, **settings
        )

    return fit, lambda: predict_proba_loop(trained["module"], X, **settings)


def _skorch(args, X, y, precision):
    from skorch import NeuralNetClassifier

    net = NeuralNetClassifier(
        _module(args.width), criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.AdamW,
        optimizer__weight_decay=0.0, lr=args.lr, batch_size=args.batch_size, max_epochs=args.epochs,
        train_split=None, iterator_train__shuffle=True, device=args.device, verbose=0,
    )
    return lambda: net.fit(X, y), lambda: net.predict_proba(X)


def _ours(args, X, y, precision):
    model = CNNClassifier(
        architecture="resnet", width=args.width, max_epochs=args.epochs, batch_size=args.batch_size,
        lr=args.lr, weight_decay=0.0, dropout=0.0, schedule="constant", device=args.device,
        precision=precision, n_jobs=args.threads, random_state=0,
    )
    return lambda: model.fit(X, y), lambda: model.predict_proba(X)


LOOP, SKORCH, OURS = "torch loop", "skorch NeuralNetClassifier", "skdl CNNClassifier"
WAYS = {LOOP: _torch_loop, SKORCH: _skorch, OURS: _ours}


def measure(args):
    """``{(precision, way): (training images/s, predict_proba images/s)}``, best of ``args.repeat``."""
    X, y = make_images(args.n_images)
    # Warm-up (CUDA context, cuDNN autotuning, allocator, first-call costs) outside the timings.
    for precision in args.precisions:
        warm_fit, warm_predict = _torch_loop(argparse.Namespace(**{**vars(args), "epochs": 1}), X[:512], y[:512],
                                             precision)
        warm_fit()
        warm_predict()
    ways = {
        (precision, name): way(args, X, y, precision)
        for precision in args.precisions for name, way in WAYS.items()
        if not (name == SKORCH and precision != "float32")
    }
    seconds = {key: [np.inf, np.inf] for key in ways}
    # Round-robin repeats, so that every way sees the same machine; the fastest run of each is kept.
    for _ in range(args.repeat):
        for key, (fit, predict_proba) in ways.items():
            seconds[key][0] = min(seconds[key][0], _timed(fit, args.device))
            seconds[key][1] = min(seconds[key][1], _timed(predict_proba, args.device))
    return {
        key: (args.n_images * args.epochs / fit_s, args.n_images / predict_s)
        for key, (fit_s, predict_s) in seconds.items()
    }


def report(rows, args):
    """Print the table and the targets; return ``{name: ratio}`` of the targets' ratios."""
    print(
        f"ResNet-18 (width {args.width}) on {args.n_images:,} random {SHAPE[0]}x{SHAPE[1]}x{SHAPE[2]} images, "
        f"batch {args.batch_size}, {args.epochs} epoch(s), best of {args.repeat}, device {args.device}"
        + (f", {args.threads} CPU thread(s)" if torch.device(args.device).type == "cpu" else "")
    )
    print(f"{'':<38}{'train img/s':>12}{'vs loop':>9}{'predict_proba img/s':>22}{'vs loop':>9}")
    ratios = {}
    for (precision, name), (train, infer) in rows.items():
        base_train, base_infer = rows[(precision, LOOP)]
        print(f"{precision + ', ' + name:<38}{train:>12,.0f}{train / base_train:>8.2f}x"
              f"{infer:>22,.0f}{infer / base_infer:>8.2f}x")
        if name == OURS:
            ratios[f"{precision} training vs loop (>= 0.95)"] = train / base_train
            ratios[f"{precision} predict_proba vs loop (>= 0.9)"] = infer / base_infer
    if ("bfloat16", OURS) in rows and ("float32", OURS) in rows:
        ratios["bfloat16 vs float32 training (>= 1.3 on a GPU)"] = rows[("bfloat16", OURS)][0] / rows[("float32", OURS)][0]
    for name, ratio in ratios.items():
        print(f"target: {name}: {ratio:.2f}x")
    return ratios


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="CPU-sized run (automatic without CUDA)")
    parser.add_argument("--device", default=None, help="default: cuda when available, else cpu")
    parser.add_argument("--n-images", type=int, default=None, help="default 25,600 (1,024 with --small)")
    parser.add_argument("--epochs", type=int, default=None, help="default 2 (1 with --small)")
    parser.add_argument("--width", type=int, default=None, help="ResNet-18 width, default 64 (8 with --small)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--precisions", nargs="*", default=list(PRECISIONS), choices=list(PRECISIONS))
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads for all of them (default 1)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each, the best is kept (default 2)")
    args = parser.parse_args(argv)
    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    args.small = args.small or not torch.cuda.is_available()
    args.n_images = args.n_images or (1024 if args.small else 25_600)
    args.epochs = args.epochs or (1 if args.small else 2)
    args.width = args.width or (8 if args.small else 64)
    return args


def main(argv=None):
    missing = missing_requirements(["torch", "skorch"])
    if missing:
        raise SystemExit(f"gpu_throughput.py {how_to_install(missing)}")
    args = parse_args(argv)
    threads, benchmark = torch.get_num_threads(), torch.backends.cudnn.benchmark
    torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = torch.device(args.device).type == "cuda"
    try:
        rows = measure(args)
    finally:  # callable from a test: leave the process as it was
        torch.set_num_threads(threads)
        torch.backends.cudnn.benchmark = benchmark
    return rows, report(rows, args)


if __name__ == "__main__":
    main()
