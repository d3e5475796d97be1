#!/usr/bin/env python3
"""The CUDA training step projected onto a GPU from each kernel's FLOPs and DRAM bytes.

  perf/cuda/project_step.py CONFIG.toml DATASET_DIR [--batch 65536] [--gpu h100-sxm]

For every kernel launch of one training step of the model CONFIG describes on the data set's
schema, the FLOPs and the DRAM bytes it must move (each activation read or written once per
launch, the weights once per launch: the L2 holds a layer's weights), then the time the
roofline bounds it to: max(FLOPs / peak, bytes / bandwidth), for the precisions of the composed
GEMMs: fp32 on the SIMT units (cuda/mmn/kernels/composed_gemm.cuh, train.precision = "fp32"),
tf32 or bf16 operands on the tensor cores with fp32 accumulation (composed_gemm_tc.cuh,
train.precision = "tf32" or "bf16": activations, master weights and optimizer state stay fp32 in
DRAM, operands are rounded in shared memory), and bf16 with the towers' activations also stored
in bf16 (their bytes halved; not built). The deterministic fold of a layer with few 32 x 32
gradient tiles splits over row ranges (cuda/mmn/kernels/fold_split.cuh): its parts' scratch
traffic is counted as a launch of its own. These are projections from the code's data movement,
not measurements: launch latency and occupancy are not in them. Prints a markdown table.
"""
import argparse
import json
import sys
import tomllib
from dataclasses import dataclass

# Peak figures assumed (dense, no sparsity), from the vendors' data sheets.
GPUS = {
    "h100-sxm": {"name": "H100 SXM", "fp32": 67e12, "tf32": 495e12, "bf16": 990e12, "bandwidth": 3.35e12},
    "a100-sxm": {"name": "A100 SXM 80GB", "fp32": 19.5e12, "tf32": 156e12, "bf16": 312e12, "bandwidth": 2.04e12},
}
PRECISIONS = ("fp32", "tf32", "bf16", "bf16 storage")
F32 = 4


@dataclass
class Launch:
    kernel: str
    flops: float  # in the composed GEMMs (tensor-core eligible) when gemm, else SIMT work
    bytes: float
    gemm: bool = False
    activation_bytes: float = 0.0  # the part of bytes that bf16 storage halves

    def _times(self, gpu, precision):
        peak = gpu["bf16" if precision == "bf16 storage" else precision] if self.gemm else gpu["fp32"]
        moved = self.bytes - (self.activation_bytes / 2 if precision == "bf16 storage" else 0.0)
        return self.flops / peak, moved / gpu["bandwidth"]

    def seconds(self, gpu, precision):
        return max(self._times(gpu, precision))

    def bound(self, gpu, precision):
        compute, memory = self._times(gpu, precision)
        return "compute" if compute >= memory else "memory"


@dataclass
class Shape:
    batch: int
    fields: int  # embedded fields (categorical, plus type and scenario with domain features)
    dense: int
    dim: int
    types: int
    scenarios: int
    field_rows: list  # each embedded field's table rows
    ctr: list
    cvr: list
    cvr_groups: int  # weight sets a CVR layer composes per domain: shared, type, scenario

    @property
    def width(self):
        return self.fields * self.dim + self.dense


def shape_of(config, schema, batch):
    model = config.get("model", {})
    kind = model.get("kind", "mmn")
    domain_features = kind == "shared" or model.get("domain_features", False)
    categorical = schema["categorical"]
    fields = len(categorical) + (2 if domain_features else 0)
    rows = [c["vocab_size"] for c in categorical]
    if domain_features:
        rows += [schema["n_types"], schema["n_scenarios"]]
    if kind == "mmn":
        groups = 1 + (1 if model.get("type_part", True) else 0) + (1 if model.get("scenario_part", True) else 0)
    else:
        groups = 1
    return Shape(batch, fields, len(schema["dense"]), model.get("embedding_dim", 16), schema["n_types"],
                 schema["n_scenarios"], rows, list(model.get("ctr_hidden", [256, 128])),
                 list(model.get("cvr_hidden", [256, 128])), groups)


def weight_floats(s, inp, out, composed):
    if not composed:
        return inp * out + out
    # W shared, one Wt per type, one Ws per scenario, and their biases.
    sets = 1 + (s.types if s.cvr_groups >= 2 else 0) + (s.scenarios if s.cvr_groups >= 3 else 0)
    return sets * (inp * out + out)


def fold_parts(inp, out, rows):
    """The split fold's part count, as kernels::fold_parts (fold_split.cuh) chooses it."""
    tiles = -(-inp // 32) * -(-out // 32)
    return max(1, min(8, -(-264 // tiles), rows // 512))


def tower_launches(s, name, hidden, composed):
    b = s.batch
    widths = [s.width] + hidden + [1]
    launches = []
    for l in range(len(widths) - 1):
        inp, out = widths[l], widths[l + 1]
        w = weight_floats(s, inp, out, composed) * F32
        gemm = 2.0 * b * inp * out
        tag = f"{name} layer {l} {inp}->{out}"
        forward = F32 * b * (inp + out)
        launches.append(Launch(f"{tag}: forward", gemm, forward + w, True, forward))
        # dx: dy, the forward output (its ReLU mask), dx written; weights read.
        dx = F32 * b * (2 * out + inp)
        launches.append(Launch(f"{tag}: input gradient", gemm, dx + w, True, dx))
        # The fold: x and dy read, every weight set's gradient written.
        launches.append(Launch(f"{tag}: weight gradient", gemm, forward + w, True, forward))
        parts = fold_parts(inp, out, b)
        if parts > 1:
            # Every part zeroed and written, then read by the sum, which updates the gradients.
            launches.append(Launch(f"{tag}: weight gradient, {parts} parts zeroed and summed", parts * w,
                                   (3 * parts + 1) * w))
    return launches


def step_launches(s):
    b, width = s.batch, s.width
    launches = []
    launches.append(Launch("embedding gather (h0)", 0, 4 * b * s.fields + F32 * b * s.dense + 2 * F32 * b * width))
    launches.append(Launch("routing by domain (histogram, scan, scatter, tile table)", 0, 4 * 6 * b))
    launches.extend(tower_launches(s, "CTR", s.ctr, False))
    launches.append(Launch("CVR rows gathered by domain (h0)", 0, 2 * F32 * b * width + 4 * b))
    launches.extend(tower_launches(s, "CVR", s.cvr, s.cvr_groups > 1))
    launches.append(Launch("CVR logits and gradients scattered", 0, 2 * 2 * F32 * b + 2 * 4 * b))
    launches.append(Launch("weighted BCE and its gradients", 20.0 * b, b * (2 * F32 + 2 + 4 + 2 * F32)))
    launches.append(Launch("CVR input gradient scattered back into dh0", b * width, 3 * F32 * b * width + 4 * b))
    # Embedding backward: a 4-pass radix sort of (id, row) per field, then the segmented row sum
    # from dh0 into at most one row per (row, field).
    pairs = b * s.fields
    launches.append(Launch("embedding backward: sort (id, row)", 0, 4 * 2 * 2 * 8 * pairs))
    launches.append(Launch("embedding backward: row sums", pairs * s.dim, F32 * b * width + (F32 * s.dim + 4) * pairs))
    dense = sum(weight_floats(s, i, o, False) for i, o in zip([width] + s.ctr, s.ctr + [1]))
    dense += sum(weight_floats(s, i, o, s.cvr_groups > 1) for i, o in zip([width] + s.cvr, s.cvr + [1]))
    launches.append(Launch(f"Adam, dense ({dense / 1e6:.2f} M parameters)", 13.0 * dense, 7 * F32 * dense))
    touched = sum(min(b, rows) for rows in s.field_rows)
    launches.append(Launch("Adam, touched embedding rows (at most)", 13.0 * touched * s.dim,
                           7 * F32 * touched * s.dim + 4 * touched))
    return launches


def table(launches, gpu):
    def us(x):
        return f"{x * 1e6:.1f}"

    lines = [
        "| kernel | GFLOP | MB | FLOP/B | fp32 µs | tf32 µs | bf16 µs | bf16 storage µs | bound at bf16 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    totals = {p: 0.0 for p in PRECISIONS}
    for launch in launches:
        times = {p: launch.seconds(gpu, p) for p in PRECISIONS}
        for p in PRECISIONS:
            totals[p] += times[p]
        intensity = launch.flops / launch.bytes if launch.bytes else 0.0
        lines.append(f"| {launch.kernel} | {launch.flops / 1e9:.3f} | {launch.bytes / 1e6:.1f} | {intensity:.1f} | "
                     f"{us(times['fp32'])} | {us(times['tf32'])} | {us(times['bf16'])} | {us(times['bf16 storage'])} | "
                     f"{launch.bound(gpu, 'bf16')} |")
    lines.append(f"| **step** | | | | **{us(totals['fp32'])}** | **{us(totals['tf32'])}** | "
                 f"**{us(totals['bf16'])}** | **{us(totals['bf16 storage'])}** | |")
    return "\n".join(lines), totals


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    parser.add_argument("dataset", help="a data set directory (its dataset.json holds the schema)")
    parser.add_argument("--batch", type=int, default=65536)
    parser.add_argument("--gpu", choices=sorted(GPUS), default="h100-sxm")
    parser.add_argument("--json", help="also write the launches and totals here")
    args = parser.parse_args(argv)
    try:
        with open(args.config, "rb") as f:
            config = tomllib.load(f)
        with open(f"{args.dataset}/dataset.json") as f:
            schema = json.load(f)["schema"]
    except (OSError, ValueError, KeyError) as e:
        print(f"project_step.py: error: {e}", file=sys.stderr)
        return 2
    gpu = GPUS[args.gpu]
    shape = shape_of(config, schema, args.batch)
    launches = step_launches(shape)
    text, totals = table(launches, gpu)
    print(f"Projected training step on an {gpu['name']} (peaks assumed: fp32 {gpu['fp32'] / 1e12:.0f}, "
          f"tf32 {gpu['tf32'] / 1e12:.0f}, bf16 {gpu['bf16'] / 1e12:.0f} TFLOP/s; HBM "
          f"{gpu['bandwidth'] / 1e12:.2f} TB/s), batch {args.batch}, h0 width {shape.width}, "
          f"{shape.types} x {shape.scenarios} domains:\n")
    print(text)
    print("\nSamples/s at the projected step: " +
          ", ".join(f"{p} {args.batch / totals[p] / 1e6:.1f} M" for p in PRECISIONS) + ".")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"gpu": gpu, "batch": args.batch,
                       "launches": [{"kernel": l.kernel, "flops": l.flops, "bytes": l.bytes, "gemm": l.gemm,
                                     "seconds": {p: l.seconds(gpu, p) for p in PRECISIONS}} for l in launches],
                       "step_seconds": totals}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
