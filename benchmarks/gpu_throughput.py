"""Training and inference throughput of one ResNet three ways: torch by hand, skorch, CNNClassifier.

The workload of issue 5: a ResNet-style network (``CNNClassifier(architecture="resnet")``'s
module) trained on 25,600 synthetic 3x32x32 images with batch 256, measured as images per second

1. in a hand-written torch loop with the data resident on the device (the yardstick),
2. in skorch's ``NeuralNetClassifier`` as it comes (NumPy in, its DataLoader, its predict_proba),
3. in ``skdl.neural_network.CNNClassifier``,

and ``predict_proba`` of 2 and 3 against a hand-written inference loop. Targets: training at least
0.95x the hand-written loop's images/s, ``predict_proba`` at least 0.8x its loop.

Usage::

    python benchmarks/gpu_throughput.py            # full size on a GPU (a few minutes)
    python benchmarks/gpu_throughput.py --small    # CPU-sized: 1,024 images, a narrow ResNet

Without CUDA the small size is chosen automatically.
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
    from skdl.neural_network._modules import build_cnn

SHAPE = (3, 32, 32)
N_CLASSES = 10


def make_images(n_images, seed=0):
    """Synthetic images whose class is a linear function of a few pixels (learnable, cheap)."""
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
    result = function()
    _sync(device)
    return time.perf_counter() - start, result


def _module(width, seed=0):
    torch.manual_seed(seed)
    return build_cnn("resnet", SHAPE, N_CLASSES, width=width)


def _torch_loop(args, X, y):
    X_device, y_device = torch.from_numpy(X).to(args.device), torch.from_numpy(y).to(args.device)
    trained = {}

    def fit():
        trained["module"] = train_loop(
            _module(args.width), X_device, y_device, epochs=args.epochs, batch_size=args.batch_size,
            lr=args.lr, device=args.device,
        )

    return fit, lambda: predict_proba_loop(trained["module"], X, device=args.device)


def _skorch(args, X, y):
    from skorch import NeuralNetClassifier

    net = NeuralNetClassifier(
        _module(args.width), criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.AdamW,
        lr=args.lr, batch_size=args.batch_size, max_epochs=args.epochs, train_split=None,
        iterator_train__shuffle=True, device=args.device, verbose=0,
    )
    return lambda: net.fit(X, y), lambda: net.predict_proba(X)


def _ours(args, X, y):
    model = CNNClassifier(
        architecture="resnet", width=args.width, max_epochs=args.epochs, batch_size=args.batch_size,
        lr=args.lr, weight_decay=0.0, dropout=0.0, schedule="constant", device=args.device,
        n_jobs=args.threads, random_state=0,
    )
    return lambda: model.fit(X, y), lambda: model.predict_proba(X)


WAYS = {
    "torch loop, data on device": _torch_loop,
    "skorch NeuralNetClassifier": _skorch,
    "skdl CNNClassifier": _ours,
}


def measure(args):
    """``{way: [training images/s, predict_proba images/s]}``, each the best of ``args.repeat``."""
    X, y = make_images(args.n_images)
    # Warm-up (CUDA context, cuDNN autotuning, allocator, first-call costs) outside the timings.
    warm_fit, warm_predict = _torch_loop(argparse.Namespace(**{**vars(args), "epochs": 1}), X[:512], y[:512])
    warm_fit()
    warm_predict()
    ways = {name: way(args, X, y) for name, way in WAYS.items()}
    seconds = {name: [np.inf, np.inf] for name in ways}
    # Round-robin repeats, so that the three see the same machine; the fastest run of each is kept.
    for _ in range(args.repeat):
        for name, (fit, predict_proba) in ways.items():
            seconds[name][0] = min(seconds[name][0], _timed(fit, args.device)[0])
            seconds[name][1] = min(seconds[name][1], _timed(predict_proba, args.device)[0])
    rows = {
        name: [args.n_images * args.epochs / fit_s, args.n_images / predict_s]
        for name, (fit_s, predict_s) in seconds.items()
    }
    return rows


def report(rows, args):
    base_train, base_infer = rows["torch loop, data on device"]
    print(
        f"ResNet (width {args.width}) on {args.n_images:,} synthetic {SHAPE[0]}x{SHAPE[1]}x{SHAPE[2]} "
        f"images, batch {args.batch_size}, {args.epochs} epoch(s), best of {args.repeat}, device {args.device}"
        + (f", {args.threads} CPU thread(s)" if torch.device(args.device).type == "cpu" else "")
    )
    print(f"{'':<30}{'train img/s':>12}{'vs loop':>9}{'predict_proba img/s':>22}{'vs loop':>9}")
    for name, (train, infer) in rows.items():
        print(f"{name:<30}{train:>12,.0f}{train / base_train:>8.2f}x{infer:>22,.0f}{infer / base_infer:>8.2f}x")
    ours_train, ours_infer = rows["skdl CNNClassifier"]
    print(
        f"targets: training >= 0.95x the loop ({ours_train / base_train:.2f}x), "
        f"predict_proba >= 0.8x the loop ({ours_infer / base_infer:.2f}x)"
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="CPU-sized run (automatic without CUDA)")
    parser.add_argument("--device", default=None, help="default: cuda when available, else cpu")
    parser.add_argument("--n-images", type=int, default=None, help="default 25,600 (1,024 with --small)")
    parser.add_argument("--epochs", type=int, default=None, help="default 2 (1 with --small)")
    parser.add_argument("--width", type=int, default=None, help="ResNet width, default 32 (8 with --small)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads for all three (default 1)")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each, the best is kept (default 2)")
    args = parser.parse_args(argv)
    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    args.small = args.small or not torch.cuda.is_available()
    args.n_images = args.n_images or (1024 if args.small else 25_600)
    args.epochs = args.epochs or (1 if args.small else 2)
    args.width = args.width or (8 if args.small else 32)
    return args


def main(argv=None):
    missing = missing_requirements(["torch", "skorch"])
    if missing:
        raise SystemExit(f"gpu_throughput.py {how_to_install(missing)}")
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if torch.device(args.device).type == "cuda":
        torch.backends.cudnn.benchmark = True
    rows = measure(args)
    report(rows, args)
    return rows


if __name__ == "__main__":
    main()
