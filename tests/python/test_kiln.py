"""The pythonic `kiln` module over the add/mul test models (tests/api: sum = a + b, prod = a * b)."""
import os
import threading
import unittest

import numpy as np

import kiln

MODELS = os.environ.get("KILN_API_TEST_MODELS", "")
RESNET50 = os.path.join(os.environ.get("KILN_SOURCE_DIR", ""), "models", "torch", "resnet50_op17")


class KilnModule(unittest.TestCase):
    a = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    b = np.array([[0.5, -1, 2], [10, 0, -3]], np.float32)

    def model(self, name, **kw):
        return kiln.Model(os.path.join(MODELS, name), **kw)

    def test_infos(self):
        for name, fmt in (("addmul.onnx", "onnx"), ("addmul.om", "om")):
            m = self.model(name, threads=1)
            self.assertEqual(m.format, fmt)
            self.assertEqual([i.name for i in m.inputs], ["a", "b"])
            self.assertEqual([o.name for o in m.outputs], ["sum", "prod"])
            self.assertEqual(m.inputs[0].dtype, np.dtype(np.float32))
            self.assertEqual(m.inputs[1].shape, (2, 3))
            self.assertIn("name='a'", repr(m.inputs[0]))

    def test_run_list_and_dict(self):
        for name in ("addmul.onnx", "addmul.om"):
            m = self.model(name)
            s, p = m.run([self.a, self.b])
            np.testing.assert_array_equal(s, self.a + self.b)
            np.testing.assert_array_equal(p, self.a * self.b)
            self.assertEqual(s.dtype, np.float32)
            out = m.run({"b": self.b, "a": self.a})
            self.assertEqual(sorted(out), ["prod", "sum"])
            np.testing.assert_array_equal(out["sum"], self.a + self.b)
            np.testing.assert_array_equal(out["prod"], self.a * self.b)

    def test_non_contiguous_and_lists_are_accepted(self):
        m = self.model("addmul.om")
        at = np.ascontiguousarray(self.a.T).T  # Fortran order: copied to C order for the run
        self.assertFalse(at.flags["C_CONTIGUOUS"])
        s, _ = m.run([at, self.b.tolist()])
        np.testing.assert_array_equal(s, self.a + self.b)

    def test_outputs_outlive_model(self):
        out = self.model("addmul.onnx").run([self.a, self.b])
        import gc
        gc.collect()
        np.testing.assert_array_equal(out[1], self.a * self.b)

    def test_symbolic_batch(self):
        # affine: y = 2x + 1 over x[N, 3]; the .om has batch gears 1, 2, 4.
        for name in ("affine.onnx", "affine_dynbatch.om"):
            m = self.model(name)
            self.assertEqual(m.inputs[0].shape, (-1, 3))
            for n in (1, 2, 4):
                x = np.arange(3 * n, dtype=np.float32).reshape(n, 3)
                (y,) = m.run([x])
                np.testing.assert_array_equal(y, 2 * x + 1)

    def test_errors(self):
        with self.assertRaises(FileNotFoundError):
            kiln.Model(os.path.join(MODELS, "missing.onnx"))
        with self.assertRaises(ValueError):
            kiln.Model(os.path.join(MODELS, "addmul.om"), threads=-1)
        m = self.model("addmul.om")
        with self.assertRaises(ValueError) as cm:
            m.run([self.a])
        self.assertIn("2 inputs", str(cm.exception))
        with self.assertRaises(ValueError):
            m.run({"a": self.a, "c": self.b})
        with self.assertRaises(ValueError):
            m.run([self.a, self.b.astype(np.int32)])
        with self.assertRaises(TypeError):
            m.run([self.a, np.array(["x"] * 6).reshape(2, 3)])

    def test_threads(self):
        m = self.model("addmul.om", threads=1)
        results = []

        def work(k):
            a = self.a + k
            ok = all(np.array_equal(m.run([a, self.b])[0], a + self.b) for _ in range(20))
            results.append(ok)

        ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(results, [True] * 4)


@unittest.skipUnless(os.path.isfile(os.path.join(RESNET50, "model.onnx")), "models/ absent (scripts/models.sh)")
class KilnResNet50(unittest.TestCase):
    def test_matches_pytorch(self):
        m = kiln.Model(os.path.join(RESNET50, "model.onnx"))
        x = np.load(os.path.join(RESNET50, "inputs", "input.npy")).astype(np.float32)
        expected = np.load(os.path.join(RESNET50, "expected", "output.npy"))
        (y,) = m.run([x])
        self.assertEqual(y.shape, expected.shape)
        np.testing.assert_allclose(y, expected, rtol=1e-3, atol=1e-3)
        self.assertEqual(int(y.argmax()), int(expected.argmax()))


if __name__ == "__main__":
    unittest.main()
