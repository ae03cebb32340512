"""pyACL on ResNet-50: converted with Kiln's atc (`kiln convert`, $KILN_TOOL) into a temporary .om,
executed through acl.mdl.execute and acl.mdl.execute_async + a callback, scores compared with
PyTorch's (models/torch/resnet50_op17/expected). Skips when models/ is absent (scripts/models.sh)."""
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np

import acl
from test_acl import ACL_CALLBACK_BLOCK, Runtime, check

RESNET50 = os.path.join(os.environ.get("KILN_SOURCE_DIR", ""), "models", "torch", "resnet50_op17")
TOOL = os.environ.get("KILN_TOOL", "")


@unittest.skipUnless(os.path.isfile(os.path.join(RESNET50, "model.onnx")), "models/ absent (scripts/models.sh)")
@unittest.skipUnless(os.path.isfile(TOOL), "KILN_TOOL (the kiln executable) not set")
class ResNet50(Runtime):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kiln_acl_resnet50_")
        cls.om = os.path.join(cls.dir, "resnet50.om")
        subprocess.run([TOOL, "convert", "--model=" + os.path.join(RESNET50, "model.onnx"), "--framework=5",
                        "--soc_version=Ascend310", "--output=" + cls.om[:-3]], check=True, stdout=subprocess.DEVNULL)
        cls.x = np.load(os.path.join(RESNET50, "inputs", "input.npy")).astype(np.float32)
        cls.expected = np.load(os.path.join(RESNET50, "expected", "output.npy")).reshape(-1)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_sync_and_async(self):
        model_id, ret = acl.mdl.load_from_file(self.om)
        check(self, ret, "load_from_file")
        desc = acl.mdl.create_desc()
        check(self, acl.mdl.get_desc(desc, model_id), "get_desc")
        self.assertEqual(acl.mdl.get_input_size_by_index(desc, 0), self.x.nbytes)
        self.assertEqual(acl.mdl.get_output_size_by_index(desc, 0), 4000)
        inputs = self.dataset([(self.to_device(self.x), self.x.nbytes)])
        outputs = self.dataset([(self.malloc(4000), 4000)])

        check(self, acl.mdl.execute(model_id, inputs, outputs), "execute")
        scores = self.read_floats(outputs, 0, (1000,))
        np.testing.assert_allclose(scores, self.expected, rtol=1e-3, atol=1e-3)
        self.assertEqual(int(scores.argmax()), int(self.expected.argmax()))

        # The same through the stream, read back by a BLOCK callback on a report thread.
        check(self, acl.rt.memset(acl.get_data_buffer_addr(acl.mdl.get_dataset_buffer(outputs, 0)), 4000, 0, 4000),
              "memset")
        state = {"exit": False, "scores": None}

        def report_loop(args):
            acl.rt.set_context(args[0])
            while not state["exit"]:
                acl.rt.process_report(args[1])

        def callback(_):
            state["scores"] = self.read_floats(outputs, 0, (1000,))

        tid, ret = acl.util.start_thread(report_loop, [self.context, 20])
        check(self, ret, "start_thread")
        check(self, acl.rt.subscribe_report(tid, self.stream), "subscribe_report")
        check(self, acl.mdl.execute_async(model_id, inputs, outputs, self.stream), "execute_async")
        check(self, acl.rt.launch_callback(callback, None, ACL_CALLBACK_BLOCK, self.stream), "launch_callback")
        check(self, acl.rt.synchronize_stream(self.stream), "synchronize_stream")
        check(self, acl.rt.unsubscribe_report(tid, self.stream), "unsubscribe_report")
        state["exit"] = True
        check(self, acl.util.stop_thread(tid), "stop_thread")
        np.testing.assert_array_equal(state["scores"], scores)

        self.destroy_dataset(inputs)
        self.destroy_dataset(outputs)
        check(self, acl.mdl.destroy_desc(desc), "destroy_desc")
        check(self, acl.mdl.unload(model_id), "unload")


if __name__ == "__main__":
    unittest.main()
