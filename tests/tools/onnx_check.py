"""Checks an `mmn export` ONNX model against `mmn predict` with ONNX Runtime.

usage: onnx_check.py MODEL.onnx INPUTS.csv PREDICTIONS.csv [--tolerance 1e-5] [--batch 1024] [--id-out-of-range]

INPUTS.csv: `mmn data dump`'s rows (type, scenario, the categorical ids, the dense values);
PREDICTIONS.csv: `mmn predict`'s
"p_ctr,p_cvr" for the same rows. Exits 0 when the ONNX checker accepts the file and every
probability agrees within the tolerance; prints the largest differences and ONNX Runtime's
rows/s either way.
"""
import argparse
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort


def read_inputs(path, n_categorical):
    """`mmn data dump`'s CSV: type, scenario, the categorical ids, then the dense values."""
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    feeds = {"type": table[:, 0].astype(np.int64), "scenario": table[:, 1].astype(np.int64),
             "categorical": table[:, 2:2 + n_categorical].astype(np.int64),
             "dense": table[:, 2 + n_categorical:].astype(np.float32)}
    return feeds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("inputs")
    parser.add_argument("predictions")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--batch", type=int, default=1024, help="rows per ONNX Runtime call")
    parser.add_argument("--id-out-of-range", action="store_true",
                        help="instead: expect ONNX Runtime to refuse a categorical id past the vocabulary")
    args = parser.parse_args()

    onnx.checker.check_model(onnx.load(args.model), full_check=True)
    expected = np.loadtxt(args.predictions, delimiter=",", skiprows=1, ndmin=2)
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    inputs = {i.name: i for i in session.get_inputs()}
    n_categorical = inputs["categorical"].shape[1] if "categorical" in inputs else 0
    feeds = {k: v for k, v in read_inputs(args.inputs, n_categorical).items() if k in inputs}
    if args.id_out_of_range:
        feeds["categorical"][0, 0] = 1 << 40
        try:
            session.run(["p_ctr", "p_cvr"], feeds)
        except Exception as e:  # ONNX Runtime raises its own exception types
            print(f"refused as expected: {str(e)[:200]}")
            return 0
        print("an id past the vocabulary gave probabilities instead of an error")
        return 1
    rows = len(feeds["type"])
    p_ctr, p_cvr = np.empty(rows, np.float32), np.empty(rows, np.float32)
    session.run(["p_ctr", "p_cvr"], {k: v[:args.batch] for k, v in feeds.items()})  # warm-up, untimed
    start = time.perf_counter()
    for begin in range(0, rows, args.batch):  # the gathered per-row weights bound a batch's memory
        part = {k: v[begin:begin + args.batch] for k, v in feeds.items()}
        p_ctr[begin:begin + args.batch], p_cvr[begin:begin + args.batch] = session.run(["p_ctr", "p_cvr"], part)
    seconds = time.perf_counter() - start
    if rows != len(expected):
        print(f"row count: ONNX Runtime {rows}, mmn predict {len(expected)}")
        return 1
    d_ctr = np.abs(p_ctr - expected[:, 0]).max()
    d_cvr = np.abs(p_cvr - expected[:, 1]).max()
    print(f"{rows} rows; largest difference p_ctr {d_ctr:.3g}, p_cvr {d_cvr:.3g}; "
          f"ONNX Runtime {rows / seconds:.0f} rows/s in batches of {args.batch}")
    return 0 if max(d_ctr, d_cvr) <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
