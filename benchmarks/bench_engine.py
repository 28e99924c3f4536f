"""Speed and memory of the autograd engine, against plain numpy, HIPS autograd and PyTorch.

Run from the project root (unsetting the OpenBLAS overrides lets OpenBLAS pick
the kernel for this CPU; the table says which one ran):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/bench_engine.py

It prints a table and writes benchmarks/results.md.  PyTorch is measured where
it can be imported (``pip install torch==2.13.0`` into .venv; not a dependency
of the project).  The five figures:

1. per-node overhead: a chain of 2,000 elementwise operations (log, exp,
   multiply by 0.5, add 1.0, cycling) on a (16,) float64 array, forward and
   backward, in microseconds per operation.  Numpy's figure is the same
   forward and the backward arithmetic written by hand; the engine's target
   is at most 4x numpy's.
2. an MLP training step (784-256-256-10, ReLU, softmax cross-entropy from the
   library's operations, batch 128, float32): target at most 1.2x numpy.
3. a tiny MLP step (2-16-16-1, ReLU, mean squared error, 64 points,
   float64): target at most 3x numpy.
4. broadcasting: (256, 1, 64) * (1, 128, 64), sum, backward: at most 1.1x numpy.
5. a chain of 1,000,000 operations: time, and peak memory per node, each
   engine in a fresh process (twice, taking turns; the faster run counts):
   target at most PyTorch's time (forward plus backward) and memory.

Every time is the best of 15 timeit loops (the median is shown too), the
engines taking turns loop by loop: the machine is shared, and the best run is
the one least disturbed by others.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import timeit
from pathlib import Path

import numpy as np

import autograd_lite as al
from autograd_lite import Tensor, no_grad

try:
    import torch
except ImportError:  # an optional comparison
    torch = None
import autograd
import autograd.numpy as anp

HERE = Path(__file__).resolve().parent
LOAD_AT_START = os.getloadavg()  # the machine may be shared: the results say how busy it was
CHAIN_LENGTH = 2_000
DEEP_LENGTH = 1_000_000
DEEP_RUNS = 2  # fresh processes per engine for the million-operation chain; the fastest counts


def interleaved_times(cases: list, number: int, rounds: int = 15) -> dict:
    """Seconds per call of each function: {name: (best, median)} over ``rounds`` timeit loops.

    The loops of the different functions take turns, so a burst of load from
    another process slows all of them alike instead of one.  Each loop starts
    with one untimed call: the first call after another function pays for
    memory that function gave back (about 0.1 ms for the MLP), whichever
    function it is, so it is left out of every figure alike.
    """
    times = {name: [] for name, _ in cases}
    for _ in range(rounds):
        for name, fn in cases:
            fn()
            times[name].append(timeit.timeit(fn, number=number) / number)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


# ---------------------------------------------------------------- 1. per-node overhead

CHAIN_X = np.linspace(1.0, 2.0, 16)
CHAIN_GRAD = np.ones(16)


def chain_numpy():
    inputs, y = [], CHAIN_X
    for i in range(CHAIN_LENGTH):
        inputs.append(y)
        step = i % 4
        if step == 0:
            y = np.log(y)
        elif step == 1:
            y = np.exp(y)
        elif step == 2:
            y = np.multiply(y, 0.5)
        else:
            y = np.add(y, 1.0)
    outputs = inputs[1:] + [y]
    grad = CHAIN_GRAD
    for i in reversed(range(CHAIN_LENGTH)):
        step = i % 4
        if step == 0:
            grad = grad / inputs[i]  # log_back
        elif step == 1:
            grad = grad * outputs[i]  # exp_back
        elif step == 2:
            grad = grad * 0.5  # multiply_back0
        # add_back0: the gradient passes through unchanged
    return grad


def chain_forward(y, log, exp, multiply, add):
    """The chain's forward pass with one engine's operations: log, exp, multiply, add, in turn."""
    for i in range(CHAIN_LENGTH):
        step = i % 4
        if step == 0:
            y = log(y)
        elif step == 1:
            y = exp(y)
        elif step == 2:
            y = multiply(y, 0.5)
        else:
            y = add(y, 1.0)
    return y


def chain_engine():
    x = Tensor(CHAIN_X, requires_grad=True)
    chain_forward(x, al.log, al.exp, al.multiply, al.add).backward(CHAIN_GRAD)
    return x.grad.array


def _chain_hips_loss(x):
    return anp.sum(chain_forward(x, anp.log, anp.exp, anp.multiply, anp.add) * CHAIN_GRAD)


_chain_hips_grad = autograd.grad(_chain_hips_loss)


def chain_hips():
    return _chain_hips_grad(CHAIN_X)


def chain_torch():
    x = torch.tensor(CHAIN_X, requires_grad=True)
    chain_forward(x, torch.log, torch.exp, torch.mul, torch.add).backward(torch.from_numpy(CHAIN_GRAD))
    return x.grad.numpy()


# ---------------------------------------------------------------- 2. an MLP step

_rng = np.random.default_rng(0)
BATCH = 128
MLP_X = _rng.standard_normal((BATCH, 784)).astype(np.float32)
MLP_LABELS = _rng.integers(0, 10, BATCH)
MLP_ROWS = np.arange(BATCH)
MLP_PARAMS = [
    (_rng.standard_normal((784, 256)) * 0.05).astype(np.float32), np.zeros(256, np.float32),
    (_rng.standard_normal((256, 256)) * 0.05).astype(np.float32), np.zeros(256, np.float32),
    (_rng.standard_normal((256, 10)) * 0.05).astype(np.float32), np.zeros(10, np.float32),
]


def mlp_numpy():
    """The same forward, and the backward of each operation written out by hand."""
    w1, b1, w2, b2, w3, b3 = MLP_PARAMS
    z1 = MLP_X @ w1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ w2 + b2
    h2 = np.maximum(z2, 0)
    logits = h2 @ w3 + b3
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    log_p = shifted - np.log(s)
    loss = -log_p[MLP_ROWS, MLP_LABELS].mean()
    g_log_p = np.zeros_like(log_p)  # indexing and mean
    np.add.at(g_log_p, (MLP_ROWS, MLP_LABELS), np.float32(-1.0 / BATCH))
    g_log_s = -g_log_p.sum(axis=1, keepdims=True)  # log_p = shifted - log(s)
    g_shifted = g_log_p + (g_log_s / s) * e  # through log, sum and exp
    g_z3 = g_shifted
    grads = [None] * 6
    grads[4], grads[5], g_h2 = h2.T @ g_z3, g_z3.sum(axis=0), g_z3 @ w3.T
    g_z2 = g_h2 * (z2 > 0)
    grads[2], grads[3], g_h1 = h1.T @ g_z2, g_z2.sum(axis=0), g_z2 @ w2.T
    g_z1 = g_h1 * (z1 > 0)
    grads[0], grads[1] = MLP_X.T @ g_z1, g_z1.sum(axis=0)
    return loss, grads


def mlp_numpy_fused():
    """For information: the backward a person would fuse by hand, softmax - one_hot."""
    w1, b1, w2, b2, w3, b3 = MLP_PARAMS
    z1 = MLP_X @ w1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ w2 + b2
    h2 = np.maximum(z2, 0)
    logits = h2 @ w3 + b3
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[MLP_ROWS, MLP_LABELS]).mean()
    g_z3 = p
    g_z3[MLP_ROWS, MLP_LABELS] -= 1
    g_z3 /= BATCH
    g_z2 = (g_z3 @ w3.T) * (z2 > 0)
    g_z1 = (g_z2 @ w2.T) * (z1 > 0)
    return loss, [MLP_X.T @ g_z1, g_z1.sum(0), h1.T @ g_z2, g_z2.sum(0), h2.T @ g_z3, g_z3.sum(0)]


MLP_TENSORS = [Tensor(p, requires_grad=True) for p in MLP_PARAMS]
MLP_X_TENSOR = Tensor(MLP_X)


def mlp_engine():
    w1, b1, w2, b2, w3, b3 = MLP_TENSORS
    for p in MLP_TENSORS:
        p.grad = None
    h1 = (MLP_X_TENSOR @ w1 + b1).relu()
    h2 = (h1 @ w2 + b2).relu()
    logits = h2 @ w3 + b3
    with no_grad():  # a constant shift: its gradient cancels, so none is computed
        row_max = logits.max(dim=1, keepdim=True)
    shifted = logits - row_max
    log_p = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    loss = -log_p[MLP_ROWS, MLP_LABELS].mean()
    loss.backward()
    return loss, [p.grad.array for p in MLP_TENSORS]


def _mlp_hips_loss(params):
    w1, b1, w2, b2, w3, b3 = params
    h1 = anp.maximum(anp.matmul(MLP_X, w1) + b1, 0)
    h2 = anp.maximum(anp.matmul(h1, w2) + b2, 0)
    logits = anp.matmul(h2, w3) + b3
    shifted = logits - anp.max(logits, axis=1, keepdims=True)  # HIPS differentiates the max too
    log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
    return -anp.mean(log_p[MLP_ROWS, MLP_LABELS])


_mlp_hips_grad = autograd.grad(_mlp_hips_loss)


def mlp_hips():
    return _mlp_hips_grad(MLP_PARAMS)


if torch is not None:
    MLP_TORCH = [torch.tensor(p, requires_grad=True) for p in MLP_PARAMS]
    MLP_X_TORCH, MLP_LABELS_TORCH = torch.from_numpy(MLP_X), torch.from_numpy(MLP_LABELS)


def mlp_torch():
    w1, b1, w2, b2, w3, b3 = MLP_TORCH
    for p in MLP_TORCH:
        p.grad = None
    logits = torch.relu(torch.relu(MLP_X_TORCH @ w1 + b1) @ w2 + b2) @ w3 + b3
    shifted = logits - logits.amax(dim=1, keepdim=True).detach()
    log_p = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    loss = -log_p[torch.arange(BATCH), MLP_LABELS_TORCH].mean()
    loss.backward()
    return loss


# ---------------------------------------------------------------- 2b. a tiny MLP step

# 2-16-16-1 with ReLU, a mean squared error, 64 points, float64: a handful of small operations,
# so the figure is mostly the engine's bookkeeping, as in a learner's first training loop.
TINY_POINTS = 64
TINY_X = _rng.standard_normal((TINY_POINTS, 2))
TINY_Y = np.sin(TINY_X[:, :1] * 2.0) * TINY_X[:, 1:]
TINY_PARAMS = [
    _rng.standard_normal((2, 16)) * 0.5, np.zeros(16),
    _rng.standard_normal((16, 16)) * 0.25, np.zeros(16),
    _rng.standard_normal((16, 1)) * 0.25, np.zeros(1),
]


def tiny_numpy():
    """The same forward, and the backward of each operation written out by hand."""
    w1, b1, w2, b2, w3, b3 = TINY_PARAMS
    z1 = TINY_X @ w1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ w2 + b2
    h2 = np.maximum(z2, 0)
    out = h2 @ w3 + b3
    diff = out - TINY_Y
    loss = (diff * diff).mean()
    g_out = diff * (2.0 / diff.size)  # through mean and the square
    grads = [None] * 6
    grads[4], grads[5], g_h2 = h2.T @ g_out, g_out.sum(axis=0), g_out @ w3.T
    g_z2 = g_h2 * (z2 > 0)
    grads[2], grads[3], g_h1 = h1.T @ g_z2, g_z2.sum(axis=0), g_z2 @ w2.T
    g_z1 = g_h1 * (z1 > 0)
    grads[0], grads[1] = TINY_X.T @ g_z1, g_z1.sum(axis=0)
    return loss, grads


TINY_TENSORS = [Tensor(p, requires_grad=True) for p in TINY_PARAMS]
TINY_X_TENSOR, TINY_Y_TENSOR = Tensor(TINY_X), Tensor(TINY_Y)


def tiny_engine():
    w1, b1, w2, b2, w3, b3 = TINY_TENSORS
    for p in TINY_TENSORS:
        p.grad = None
    h1 = (TINY_X_TENSOR @ w1 + b1).relu()
    h2 = (h1 @ w2 + b2).relu()
    diff = h2 @ w3 + b3 - TINY_Y_TENSOR
    loss = (diff * diff).mean()
    loss.backward()
    return loss, [p.grad.array for p in TINY_TENSORS]


def _tiny_hips_loss(params):
    w1, b1, w2, b2, w3, b3 = params
    h1 = anp.maximum(anp.matmul(TINY_X, w1) + b1, 0)
    h2 = anp.maximum(anp.matmul(h1, w2) + b2, 0)
    diff = anp.matmul(h2, w3) + b3 - TINY_Y
    return anp.mean(diff * diff)


_tiny_hips_grad = autograd.grad(_tiny_hips_loss)


def tiny_hips():
    return _tiny_hips_grad(TINY_PARAMS)


if torch is not None:
    TINY_TORCH = [torch.tensor(p, requires_grad=True) for p in TINY_PARAMS]
    TINY_X_TORCH, TINY_Y_TORCH = torch.from_numpy(TINY_X), torch.from_numpy(TINY_Y)


def tiny_torch():
    w1, b1, w2, b2, w3, b3 = TINY_TORCH
    for p in TINY_TORCH:
        p.grad = None
    h1 = torch.relu(TINY_X_TORCH @ w1 + b1)
    h2 = torch.relu(h1 @ w2 + b2)
    diff = h2 @ w3 + b3 - TINY_Y_TORCH
    loss = (diff * diff).mean()
    loss.backward()
    return loss


# ---------------------------------------------------------------- 3. broadcasting

BC_A = _rng.standard_normal((256, 1, 64))
BC_B = _rng.standard_normal((1, 128, 64))
BC_TENSORS = [Tensor(BC_A, requires_grad=True), Tensor(BC_B, requires_grad=True)]


def broadcast_numpy():
    """The engine's arithmetic by hand: d(sum)/d(product) is 1 everywhere, a broadcast view."""
    product = BC_A * BC_B
    total = product.sum()
    grad_product = np.broadcast_to(np.ones(()), product.shape)
    grad_a = (grad_product * BC_B).sum(axis=1, keepdims=True)
    grad_b = (grad_product * BC_A).sum(axis=0, keepdims=True)
    return total, grad_a, grad_b


def broadcast_engine():
    a, b = BC_TENSORS
    a.grad = b.grad = None
    (a * b).sum().backward()
    return a.grad.array, b.grad.array


_broadcast_hips_grad = autograd.grad(lambda a, b: anp.sum(a * b), (0, 1))


def broadcast_hips():
    return _broadcast_hips_grad(BC_A, BC_B)


if torch is not None:
    BC_TORCH = [torch.tensor(BC_A, requires_grad=True), torch.tensor(BC_B, requires_grad=True)]


def broadcast_torch():
    a, b = BC_TORCH
    a.grad = b.grad = None
    (a * b).sum().backward()


# ---------------------------------------------------------------- 4. a million operations, in a fresh process

DEEP_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np
    engine, n = sys.argv[1], int(sys.argv[2])
    if engine == "autograd_lite":
        import autograd_lite as al
        from autograd_lite import Tensor
        x = Tensor(np.linspace(1.0, 2.0, 16), requires_grad=True)
        log, exp, mul, add = al.log, al.exp, al.multiply, al.add
        backward = lambda y: y.backward(np.ones(16))
    else:
        import torch
        x = torch.tensor(np.linspace(1.0, 2.0, 16), requires_grad=True)
        log, exp, mul, add = torch.log, torch.exp, torch.mul, torch.add
        backward = lambda y: y.backward(torch.ones(16, dtype=torch.float64))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    y = x
    for i in range(n // 4):
        y = add(mul(exp(log(y)), 0.5), 1.0)
    built = time.perf_counter()
    backward(y)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del y
    freed = time.perf_counter()
    print(json.dumps({"forward_s": built - start, "backward_s": done - built, "free_s": freed - done,
                      "peak_bytes_per_node": (peak - before) * 1024 / n}))
    """
)


def deep_chain(engine: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", DEEP_SCRIPT, engine, str(DEEP_LENGTH)],
        capture_output=True, text=True, check=True, cwd=HERE.parent,
    )
    return json.loads(result.stdout)


# ---------------------------------------------------------------- the run


def environment() -> list[str]:
    from threadpoolctl import threadpool_info

    blas = [f"{i['internal_api']} {i['version']} ({i.get('architecture')} kernel, {i['num_threads']} threads)"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return [
        f"Python {platform.python_version()}, numpy {np.__version__}, HIPS autograd "
        f"{importlib.metadata.version('autograd')}, PyTorch {torch.__version__ if torch else 'not installed'}",
        f"numpy's BLAS: {', '.join(blas)}; {os.cpu_count()} CPUs",
        "load average (1, 5, 15 min) when the run started: " + ", ".join(f"{x:.2f}" for x in LOAD_AT_START),
        "OPENBLAS_CORETYPE=" + os.environ.get("OPENBLAS_CORETYPE", "(unset)")
        + ", OPENBLAS_L2_SIZE=" + os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
    ]


def check_the_engines_agree() -> None:
    """Benchmarks of wrong code mean nothing: every engine must give the same gradients first."""
    np.testing.assert_allclose(chain_engine(), chain_numpy(), rtol=1e-9)
    np.testing.assert_allclose(chain_hips(), chain_numpy(), rtol=1e-9)
    loss, grads = mlp_numpy()
    engine_loss, engine_grads = mlp_engine()
    assert abs(engine_loss.item() - loss) < 1e-5
    for mine, theirs, fused in zip(engine_grads, grads, mlp_numpy_fused()[1]):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(fused, theirs, rtol=1e-4, atol=1e-6)
    tiny_loss, tiny_grads = tiny_numpy()
    engine_loss, engine_grads = tiny_engine()
    assert abs(engine_loss.item() - tiny_loss) < 1e-12
    for mine, theirs in zip(engine_grads, tiny_grads):
        assert mine.dtype == np.float64
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-14)
    for mine, theirs in zip(tiny_hips(), tiny_grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-14)
    for mine, theirs in zip(broadcast_engine(), broadcast_numpy()[1:]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    if torch is not None:
        np.testing.assert_allclose(chain_torch(), chain_numpy(), rtol=1e-9)
        mlp_torch()
        for p, theirs in zip(MLP_TORCH, grads):
            np.testing.assert_allclose(p.grad.numpy(), theirs, rtol=1e-4, atol=1e-6)
        tiny_torch()
        for p, theirs in zip(TINY_TORCH, tiny_grads):
            np.testing.assert_allclose(p.grad.numpy(), theirs, rtol=1e-10, atol=1e-14)


def main() -> None:
    check_the_engines_agree()
    rows = []  # (figure, engine, best, median, unit, ratio to numpy, target)

    def measure(figure, unit, scale, number, cases, target):
        cases = [(engine, fn) for engine, fn in cases if fn is not None]
        # PyTorch's threads keep spinning after its loop and slow whatever runs next on the two
        # cores, so it is timed on its own, after the others have taken their turns.
        times = interleaved_times([c for c in cases if c[0] != "PyTorch"], number)
        times.update(interleaved_times([c for c in cases if c[0] == "PyTorch"], number))
        base = times["numpy"][0]
        for engine, (best, median) in times.items():
            rows.append((figure, engine, best * scale, median * scale, unit, best / base,
                         target if engine == "autograd_lite" else ""))
            print(f"{figure:<26} {engine:<38} {best * scale:9.3f} {unit:<6} (median {median * scale:.3f})  "
                  f"{best / base:5.2f}x numpy", flush=True)

    per_op = 1e6 / CHAIN_LENGTH
    measure("per-node overhead", "µs/op", per_op, 5, [
        ("numpy", chain_numpy), ("autograd_lite", chain_engine),
        ("HIPS autograd", chain_hips), ("PyTorch", chain_torch if torch else None)], "≤ 4x")
    measure("MLP step (float32)", "ms", 1e3, 10, [
        ("numpy", mlp_numpy), ("autograd_lite", mlp_engine), ("HIPS autograd", mlp_hips),
        ("PyTorch", mlp_torch if torch else None), ("numpy, fused by hand", mlp_numpy_fused)], "≤ 1.2x")
    measure("tiny MLP step (float64)", "µs", 1e6, 50, [
        ("numpy", tiny_numpy), ("autograd_lite", tiny_engine), ("HIPS autograd", tiny_hips),
        ("PyTorch", tiny_torch if torch else None)], "≤ 3x")
    measure("broadcast multiply + sum", "ms", 1e3, 5, [
        ("numpy", broadcast_numpy), ("autograd_lite", broadcast_engine),
        ("HIPS autograd", broadcast_hips), ("PyTorch", broadcast_torch if torch else None)], "≤ 1.1x")

    # Each engine twice, taking turns, and the faster of its two runs (forward + backward): a burst
    # of load from another process during one run would otherwise decide the comparison.
    engines = {"autograd_lite": "autograd_lite", **({"PyTorch": "torch"} if torch is not None else {})}
    runs = {name: [] for name in engines}
    for _ in range(DEEP_RUNS):
        for name, engine in engines.items():
            runs[name].append(deep_chain(engine))
    deep = {name: min(r, key=lambda f: f["forward_s"] + f["backward_s"]) for name, r in runs.items()}
    for engine, figures in deep.items():
        print(f"{'1,000,000-op chain':<26} {engine:<38} forward {figures['forward_s']:.2f} s, backward "
              f"{figures['backward_s']:.2f} s, free {figures['free_s']:.2f} s, "
              f"peak {figures['peak_bytes_per_node']:.0f} bytes/node", flush=True)
    write_results(rows, deep)


def write_results(rows, deep) -> None:
    lines = [
        "# Engine benchmarks",
        "",
        "Written by `benchmarks/bench_engine.py`; regenerate with",
        "",
        "```text",
        "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/bench_engine.py",
        "```",
        "",
        *[f"- {line}" for line in environment()],
        "",
        "Best of 15 timeit loops, the engines taking turns loop by loop, PyTorch timed on its own",
        "afterwards (median in brackets). The ratio is",
        "to plain numpy doing the same forward pass and the same backward arithmetic by hand (best to best);",
        "the target applies to autograd_lite.",
        "",
        "| figure | engine | time | ratio to numpy | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for figure, engine, best, median, unit, ratio, target in rows:
        lines.append(f"| {figure} | {engine} | {best:.3f} {unit} ({median:.3f}) | {ratio:.2f}x | {target} |")
    lines += [
        "",
        f"A chain of {DEEP_LENGTH:,} operations (log, exp, multiply, add on a (16,) float64 array), each engine",
        f"in a fresh process at the default recursion limit, {DEEP_RUNS} runs each taking turns, the faster run",
        "(forward + backward) shown; peak memory is the rise of the process's peak resident set size,",
        "divided by the number of operations.",
        "",
        "| engine | forward | backward | forward + backward | freeing the chain | peak memory per node |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for engine, f in deep.items():
        lines.append(f"| {engine} | {f['forward_s']:.2f} s | {f['backward_s']:.2f} s | "
                     f"{f['forward_s'] + f['backward_s']:.2f} s | {f['free_s']:.2f} s | "
                     f"{f['peak_bytes_per_node']:.0f} bytes |")
    if "PyTorch" in deep:
        mine, theirs = deep["autograd_lite"], deep["PyTorch"]
        time_ratio = (mine["forward_s"] + mine["backward_s"]) / (theirs["forward_s"] + theirs["backward_s"])
        memory_ratio = mine["peak_bytes_per_node"] / theirs["peak_bytes_per_node"]
        lines += ["", f"Target: at most PyTorch's time and memory. autograd_lite takes {time_ratio:.2f}x "
                  f"PyTorch's time (forward + backward) and {memory_ratio:.2f}x its memory per node."]
    lines.append(f"\nLoad average when the run ended: {', '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    (HERE / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'results.md'}")


if __name__ == "__main__":
    main()
