"""Checks an `mmn export` ONNX model against `mmn predict` with ONNX Runtime.

usage: onnx_check.py MODEL.onnx INPUTS.csv PREDICTIONS.csv [--tolerance 1e-5] [--id-out-of-range]

INPUTS.csv: a header "type,scenario,c0..c{F-1},d0..d{D-1}" and one row per input row
(categorical ids as integers, dense values as floats); PREDICTIONS.csv: `mmn predict`'s
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


def read_inputs(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    feeds = {"type": table[:, header.index("type")].astype(np.int64),
             "scenario": table[:, header.index("scenario")].astype(np.int64)}
    cat = [i for i, name in enumerate(header) if name.startswith("c")]
    dense = [i for i, name in enumerate(header) if name.startswith("d")]
    if cat:
        feeds["categorical"] = table[:, cat].astype(np.int64)
    if dense:
        feeds["dense"] = table[:, dense].astype(np.float32)
    return feeds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("inputs")
    parser.add_argument("predictions")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--id-out-of-range", action="store_true",
                        help="instead: expect ONNX Runtime to refuse a categorical id past the vocabulary")
    args = parser.parse_args()

    onnx.checker.check_model(onnx.load(args.model), full_check=True)
    feeds = read_inputs(args.inputs)
    expected = np.loadtxt(args.predictions, delimiter=",", skiprows=1, ndmin=2)
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    feeds = {k: v for k, v in feeds.items() if k in names}
    if args.id_out_of_range:
        feeds["categorical"][0, 0] = 1 << 40
        try:
            session.run(["p_ctr", "p_cvr"], feeds)
        except Exception as e:  # ONNX Runtime raises its own exception types
            print(f"refused as expected: {str(e)[:200]}")
            return 0
        print("an id past the vocabulary gave probabilities instead of an error")
        return 1
    start = time.perf_counter()
    p_ctr, p_cvr = session.run(["p_ctr", "p_cvr"], feeds)
    seconds = time.perf_counter() - start
    rows = len(p_ctr)
    if rows != len(expected):
        print(f"row count: ONNX Runtime {rows}, mmn predict {len(expected)}")
        return 1
    d_ctr = np.abs(p_ctr - expected[:, 0]).max()
    d_cvr = np.abs(p_cvr - expected[:, 1]).max()
    print(f"{rows} rows; largest difference p_ctr {d_ctr:.3g}, p_cvr {d_cvr:.3g}; "
          f"ONNX Runtime {rows / seconds:.0f} rows/s")
    return 0 if max(d_ctr, d_cvr) <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
