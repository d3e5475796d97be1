"""perf/cuda/project_step.py: each launch's FLOPs and bytes for a shape worked out by hand, the
bound the roofline gives, and the command's output and errors."""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = sys.argv.pop(1) if len(sys.argv) > 1 else "perf/cuda/project_step.py"
spec = importlib.util.spec_from_file_location("project_step", SCRIPT)
project_step = importlib.util.module_from_spec(spec)
spec.loader.exec_module(project_step)

CONFIG = '[model]\nkind = "mmn"\nembedding_dim = 4\nctr_hidden = [8]\ncvr_hidden = [8]\n'
SCHEMA = {"categorical": [{"name": "a", "vocab_size": 10}, {"name": "b", "vocab_size": 1000}],
          "dense": ["x"], "n_types": 2, "n_scenarios": 3, "has_truth": False}
H100 = project_step.GPUS["h100-sxm"]


def shape(batch=100):
    return project_step.shape_of({"model": {"kind": "mmn", "embedding_dim": 4, "ctr_hidden": [8],
                                            "cvr_hidden": [8]}}, SCHEMA, batch)


def launch(name):
    return next(l for l in project_step.step_launches(shape()) if l.kernel == name)


class ProjectStep(unittest.TestCase):
    def test_composed_layer_launches_count_every_weight_set(self):
        # h0: 2 fields x 4 + 1 dense = 9; W, 2 Wt, 3 Ws of 9 x 8 plus biases: 6 x 80 floats.
        forward = launch("CVR layer 0 9->8: forward")
        self.assertEqual(forward.flops, 2 * 100 * 9 * 8)
        self.assertEqual(forward.bytes, 4 * 100 * (9 + 8) + 4 * 6 * 80)
        self.assertTrue(forward.gemm)
        ctr = launch("CTR layer 0 9->8: input gradient")
        self.assertEqual(ctr.bytes, 4 * 100 * (2 * 8 + 9) + 4 * 80)

    def test_touched_rows_are_bounded_by_each_tables_rows(self):
        rows = launch("Adam, touched embedding rows (at most)")
        self.assertEqual(rows.flops, 13.0 * (10 + 100) * 4)

    def test_tensor_cores_move_a_dense_layer_from_the_compute_to_the_memory_bound(self):
        l = project_step.Launch("512->512", 2.0 * 65536 * 512 * 512, 4.0 * 65536 * 1024, True, 4.0 * 65536 * 1024)
        self.assertEqual(l.bound(H100, "fp32"), "compute")
        self.assertAlmostEqual(l.seconds(H100, "fp32"), l.flops / 67e12)
        self.assertEqual(l.bound(H100, "bf16"), "memory")
        self.assertAlmostEqual(l.seconds(H100, "bf16"), l.bytes / 3.35e12)
        self.assertAlmostEqual(l.seconds(H100, "bf16 storage"), l.bytes / 2 / 3.35e12)
        simt = project_step.Launch("loss", 1e12, 1.0, False)
        self.assertAlmostEqual(simt.seconds(H100, "bf16"), 1e12 / 67e12)  # no tensor cores off the GEMMs

    def test_command_prints_the_table_and_names_a_missing_data_set(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "c.toml")
            with open(config, "w") as f:
                f.write(CONFIG)
            os.mkdir(os.path.join(tmp, "data"))
            with open(os.path.join(tmp, "data", "dataset.json"), "w") as f:
                json.dump({"schema": SCHEMA}, f)
            out = subprocess.run([sys.executable, SCRIPT, config, os.path.join(tmp, "data"), "--batch", "100",
                                  "--json", os.path.join(tmp, "p.json")], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("| CVR layer 0 9->8: forward | 0.000 |", out.stdout)
            self.assertIn("| **step** |", out.stdout)
            with open(os.path.join(tmp, "p.json")) as f:
                saved = json.load(f)
            self.assertEqual(saved["batch"], 100)
            self.assertGreater(saved["step_seconds"]["fp32"], saved["step_seconds"]["bf16 storage"])
            missing = subprocess.run([sys.executable, SCRIPT, config, os.path.join(tmp, "nowhere")],
                                     capture_output=True, text=True)
            self.assertEqual(missing.returncode, 2)
            self.assertIn("nowhere", missing.stderr)


if __name__ == "__main__":
    unittest.main()
