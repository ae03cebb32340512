"""pyACL (`import acl`, spec ../shared/spec/acl-api.md §8) over small models whose results are
computed here: addmul.om (sum = a + b, prod = a * b over float32[2,3]) and affine_dynbatch.om
(y = 2x + 1 over float32[N,3], batch gears 1, 2, 4), written by tests/api/make_api_test_models."""
import os
import threading
import unittest

import numpy as np

import acl

MODELS = os.environ.get("KILN_API_TEST_MODELS", "")
ADDMUL = os.path.join(MODELS, "addmul.om")
AFFINE = os.path.join(MODELS, "affine_dynbatch.om")

ACL_SUCCESS = 0
ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_MEM_MALLOC_NORMAL_ONLY = 2
ACL_MEMCPY_HOST_TO_DEVICE = 1
ACL_MEMCPY_DEVICE_TO_HOST = 2
ACL_MEMCPY_DEVICE_TO_DEVICE = 3
ACL_CALLBACK_BLOCK = 1
ACL_FLOAT = 0
ACL_FORMAT_ND = 2
NPY_FLOAT32 = 11
ACL_ERROR_RT_NO_CALLBACK_SUBSCRIBER = 107015

# Every function of the spec's §8.3 tables, by sub-module.
SPEC_FUNCTIONS = {
    "": "init finalize get_soc_name create_data_buffer destroy_data_buffer update_data_buffer get_data_buffer_addr "
        "get_data_buffer_size get_data_buffer_size_v2 data_type_size create_tensor_desc destroy_tensor_desc "
        "get_tensor_desc_size set_tensor_const",
    "rt": "set_device reset_device get_device get_device_count get_run_mode create_context destroy_context "
          "set_context get_context create_stream destroy_stream synchronize_stream synchronize_device malloc free "
          "malloc_host free_host memcpy memcpy_async memset subscribe_report unsubscribe_report process_report "
          "launch_callback",
    "mdl": "load_from_file load_from_mem load_from_file_with_mem load_from_mem_with_mem query_size unload "
           "create_desc destroy_desc get_desc get_num_inputs get_num_outputs get_input_size_by_index "
           "get_output_size_by_index get_input_dims get_input_dims_v2 get_output_dims get_cur_output_dims "
           "get_input_name_by_index get_output_name_by_index get_input_format get_output_format "
           "get_input_data_type get_output_data_type get_input_index_by_name get_output_index_by_name "
           "get_dynamic_batch get_dynamic_hw set_dynamic_batch_size set_dynamic_hw_size set_input_dynamic_dims "
           "get_input_dynamic_gear_count get_input_dynamic_dims create_dataset destroy_dataset add_dataset_buffer "
           "get_dataset_num_buffers get_dataset_buffer execute execute_async",
    "op": "set_model_dir create_attr destroy_attr cast execute_v2",
    "util": "start_thread stop_thread bytes_to_ptr numpy_to_ptr ptr_to_bytes ptr_to_numpy numpy_contiguous_to_ptr",
}


def check(test, ret, what):
    test.assertEqual(ret, ACL_SUCCESS, "{} returned {}: {}".format(what, ret, acl.get_recent_err_msg()))


class Packaging(unittest.TestCase):
    def test_every_spec_function_is_listed_by_dir(self):
        for sub, names in SPEC_FUNCTIONS.items():
            module = getattr(acl, sub) if sub else acl
            listed = dir(module)
            for name in names.split():
                self.assertIn(name, listed, "acl.{}{}".format(sub + "." if sub else "", name))
                self.assertTrue(callable(getattr(module, name)))
        self.assertTrue(hasattr(acl, "media"))

    def test_wrong_arguments_raise_type_error(self):
        with self.assertRaises(TypeError):
            acl.rt.malloc(16)
        with self.assertRaises(TypeError):
            acl.rt.launch_callback(print, None, 1)  # all four arguments are required
        with self.assertRaises(TypeError):
            acl.mdl.load_from_file(42)
        with self.assertRaises(TypeError):
            acl.util.numpy_to_ptr([1, 2, 3])


class Util(unittest.TestCase):
    def test_bytes_round_trip(self):
        data = bytes(range(256)) * 3
        ptr = acl.util.bytes_to_ptr(data)
        self.assertNotEqual(ptr, 0)
        self.assertEqual(acl.util.ptr_to_bytes(ptr, len(data)), data)
        self.assertEqual(acl.util.ptr_to_bytes(ptr + 10, 5), data[10:15])  # address arithmetic (§8.2)

    def test_numpy_views_without_copy(self):
        a = np.arange(12, dtype=np.float32).reshape(3, 4)
        ptr = acl.util.numpy_to_ptr(a)
        self.assertEqual(ptr, a.ctypes.data)
        view = acl.util.ptr_to_numpy(ptr, (3, 4), NPY_FLOAT32)
        self.assertEqual(view.dtype, np.float32)
        self.assertEqual(view.shape, (3, 4))
        np.testing.assert_array_equal(view, a)
        view[1, 2] = -7
        self.assertEqual(a[1, 2], -7)  # same memory
        ints = acl.util.ptr_to_numpy(acl.util.numpy_to_ptr(np.array([5, 6], np.int32)), (2,), 5)
        self.assertEqual(ints.dtype, np.int32)
        with self.assertRaises(ValueError):
            acl.util.numpy_to_ptr(a.T)  # not C-contiguous
        ptr, owner = acl.util.numpy_contiguous_to_ptr(a.T)
        self.assertTrue(owner.flags["C_CONTIGUOUS"])
        self.assertEqual(ptr, owner.ctypes.data)
        np.testing.assert_array_equal(owner, a.T)

    def test_start_thread_id_is_the_threads_pthread_self(self):
        seen = []

        def body(args):
            seen.append((threading.get_ident(), args))

        tid, ret = acl.util.start_thread(body, [1, "x"])
        self.assertEqual(ret, ACL_SUCCESS)
        self.assertEqual(acl.util.stop_thread(tid), ACL_SUCCESS)
        self.assertEqual(seen, [(tid, [1, "x"])])
        self.assertNotEqual(acl.util.stop_thread(tid), ACL_SUCCESS)  # already reaped

    def test_thread_exception_is_swallowed(self):
        def body(args):
            raise RuntimeError("expected by the test")

        tid, ret = acl.util.start_thread(body, None)
        self.assertEqual(ret, ACL_SUCCESS)
        self.assertEqual(acl.util.stop_thread(tid), ACL_SUCCESS)


class Runtime(unittest.TestCase):
    """A device, a context and a stream around each test, released afterwards."""

    def setUp(self):
        check(self, acl.init(), "acl.init")
        check(self, acl.rt.set_device(0), "set_device")
        self.context, ret = acl.rt.create_context(0)
        check(self, ret, "create_context")
        self.stream, ret = acl.rt.create_stream()
        check(self, ret, "create_stream")
        self.allocations = []

    def tearDown(self):
        for ptr in self.allocations:
            acl.rt.free(ptr)
        check(self, acl.rt.destroy_stream(self.stream), "destroy_stream")
        check(self, acl.rt.destroy_context(self.context), "destroy_context")
        check(self, acl.rt.reset_device(0), "reset_device")
        check(self, acl.finalize(), "acl.finalize")

    def malloc(self, size):
        ptr, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
        check(self, ret, "malloc")
        self.allocations.append(ptr)
        return ptr

    def to_device(self, array):
        array = np.ascontiguousarray(array)
        ptr = self.malloc(array.nbytes)
        check(self, acl.rt.memcpy(ptr, array.nbytes, acl.util.numpy_to_ptr(array), array.nbytes,
                                  ACL_MEMCPY_HOST_TO_DEVICE), "memcpy h2d")
        return ptr

    def dataset(self, ptrs_sizes):
        ds = acl.mdl.create_dataset()
        self.assertNotEqual(ds, 0)
        for ptr, size in ptrs_sizes:
            buf = acl.create_data_buffer(ptr, size)
            self.assertNotEqual(buf, 0)
            _, ret = acl.mdl.add_dataset_buffer(ds, buf)
            check(self, ret, "add_dataset_buffer")
        return ds

    def destroy_dataset(self, ds):
        for i in range(acl.mdl.get_dataset_num_buffers(ds)):
            check(self, acl.destroy_data_buffer(acl.mdl.get_dataset_buffer(ds, i)), "destroy_data_buffer")
        check(self, acl.mdl.destroy_dataset(ds), "destroy_dataset")

    def read_floats(self, ds, index, shape):
        buf = acl.mdl.get_dataset_buffer(ds, index)
        size = acl.get_data_buffer_size_v2(buf)
        host, ret = acl.rt.malloc_host(size)
        check(self, ret, "malloc_host")
        check(self, acl.rt.memcpy(host, size, acl.get_data_buffer_addr(buf), size, ACL_MEMCPY_DEVICE_TO_HOST),
              "memcpy d2h")
        out = acl.util.ptr_to_numpy(host, (size // 4,), NPY_FLOAT32).copy()
        check(self, acl.rt.free_host(host), "free_host")
        n = int(np.prod(shape))
        return out[:n].reshape(shape)


class AddMul(Runtime):
    a = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    b = np.array([[0.5, -1, 2], [10, 0, -3]], np.float32)

    def load(self, how="file"):
        if how == "file":
            model_id, ret = acl.mdl.load_from_file(ADDMUL)
        elif how == "with_mem":
            work, weight, ret = acl.mdl.query_size(ADDMUL)
            check(self, ret, "query_size")
            self.assertGreater(work, 0)
            self.assertGreater(weight, 0)
            model_id, ret = acl.mdl.load_from_file_with_mem(ADDMUL, self.malloc(work), work, self.malloc(weight), weight)
        else:
            with open(ADDMUL, "rb") as f:
                self.model_bytes = f.read()
            model_id, ret = acl.mdl.load_from_mem(acl.util.bytes_to_ptr(self.model_bytes), len(self.model_bytes))
        check(self, ret, "load " + how)
        return model_id

    def describe(self, model_id):
        desc = acl.mdl.create_desc()
        self.assertNotEqual(desc, 0)
        check(self, acl.mdl.get_desc(desc, model_id), "get_desc")
        return desc

    def io(self, desc, a, b):
        inputs = self.dataset([(self.to_device(a), 24), (self.to_device(b), 24)])
        outputs = self.dataset([(self.malloc(acl.mdl.get_output_size_by_index(desc, i)),
                                 acl.mdl.get_output_size_by_index(desc, i)) for i in range(2)])
        return inputs, outputs

    def test_description(self):
        model_id = self.load()
        desc = self.describe(model_id)
        self.assertEqual(acl.mdl.get_num_inputs(desc), 2)
        self.assertEqual(acl.mdl.get_num_outputs(desc), 2)
        for i in range(2):
            self.assertEqual(acl.mdl.get_input_size_by_index(desc, i), 24)
            self.assertEqual(acl.mdl.get_output_size_by_index(desc, i), 24)
            self.assertEqual(acl.mdl.get_input_data_type(desc, i), ACL_FLOAT)
            self.assertEqual(acl.mdl.get_output_data_type(desc, i), ACL_FLOAT)
            self.assertEqual(acl.mdl.get_input_format(desc, i), ACL_FORMAT_ND)
        self.assertEqual(acl.mdl.get_input_name_by_index(desc, 1), "b")
        self.assertEqual(acl.mdl.get_output_name_by_index(desc, 0), "sum")
        self.assertEqual(acl.mdl.get_input_name_by_index(desc, 9), "")  # invalid index: "" (§10)
        dims, ret = acl.mdl.get_input_dims(desc, 0)
        check(self, ret, "get_input_dims")
        self.assertEqual(dims, {"name": "a", "dimCount": 2, "dims": [2, 3]})
        dims, ret = acl.mdl.get_output_dims(desc, 1)
        check(self, ret, "get_output_dims")
        self.assertEqual((dims["dimCount"], dims["dims"]), (2, [2, 3]))
        self.assertEqual(acl.mdl.get_input_index_by_name(desc, "b"), (1, ACL_SUCCESS))
        self.assertEqual(acl.mdl.get_output_index_by_name(desc, "prod"), (1, ACL_SUCCESS))
        _, ret = acl.mdl.get_input_index_by_name(desc, "nope")
        self.assertNotEqual(ret, ACL_SUCCESS)
        check(self, acl.mdl.destroy_desc(desc), "destroy_desc")
        check(self, acl.mdl.unload(model_id), "unload")

    def test_execute_from_file_mem_and_with_mem(self):
        for how in ("file", "with_mem", "mem"):
            model_id = self.load(how)
            desc = self.describe(model_id)
            inputs, outputs = self.io(desc, self.a, self.b)
            check(self, acl.mdl.execute(model_id, inputs, outputs), "execute")
            np.testing.assert_array_equal(self.read_floats(outputs, 0, (2, 3)), self.a + self.b)
            np.testing.assert_array_equal(self.read_floats(outputs, 1, (2, 3)), self.a * self.b)
            dims, ret = acl.mdl.get_cur_output_dims(desc, 0)
            check(self, ret, "get_cur_output_dims")
            self.assertEqual(dims["dims"], [2, 3])
            self.destroy_dataset(inputs)
            self.destroy_dataset(outputs)
            check(self, acl.mdl.destroy_desc(desc), "destroy_desc")
            check(self, acl.mdl.unload(model_id), "unload")

    def test_errors_are_codes(self):
        desc = acl.mdl.create_desc()
        self.assertNotEqual(acl.mdl.get_desc(desc, 987654), ACL_SUCCESS)
        self.assertNotEqual(acl.get_recent_err_msg(), "")
        acl.mdl.destroy_desc(desc)
        _, ret = acl.mdl.load_from_file(os.path.join(MODELS, "missing.om"))
        self.assertNotEqual(ret, ACL_SUCCESS)
        self.assertNotEqual(acl.mdl.unload(987654), ACL_SUCCESS)
        self.assertEqual(acl.mdl.get_dataset_buffer(acl.mdl.create_dataset(), 3), 0)

    def test_callback_without_subscriber(self):
        ret = acl.rt.launch_callback(lambda data: None, None, ACL_CALLBACK_BLOCK, self.stream)
        self.assertEqual(ret, ACL_ERROR_RT_NO_CALLBACK_SUBSCRIBER)

    def test_async_sequence_with_callbacks(self):
        """The Python async sample's sequence (spec §7.4): a report thread from start_thread,
        subscribe, execute_async per job with a BLOCK callback every 2 jobs, synchronize,
        unsubscribe while the thread still loops, then the exit flag and stop_thread."""
        model_id = self.load()
        desc = self.describe(model_id)
        state = {"exit": False, "thread": None, "results": {}, "errors": 0}

        def process_callback(args):
            context, timeout = args
            state["thread"] = threading.get_ident()
            acl.rt.set_context(context)
            while not state["exit"]:
                acl.rt.process_report(timeout)

        def callback(pairs):
            state["callback_thread"] = threading.get_ident()
            for job, (inputs, outputs) in pairs:
                state["results"][job] = (self.read_floats(outputs, 0, (2, 3)), self.read_floats(outputs, 1, (2, 3)))
            pairs.clear()

        def failing_callback(data):
            state["errors"] += 1
            raise ValueError("raised on purpose: printed and swallowed")

        tid, ret = acl.util.start_thread(process_callback, [self.context, 50])
        check(self, ret, "start_thread")
        check(self, acl.rt.subscribe_report(tid, self.stream), "subscribe_report")
        jobs = 8
        pending, datasets = [], []
        for job in range(jobs):
            inputs, outputs = self.io(desc, self.a + job, self.b)
            datasets += [inputs, outputs]
            check(self, acl.mdl.execute_async(model_id, inputs, outputs, self.stream), "execute_async")
            pending.append((job, (inputs, outputs)))
            if job % 2 == 1:
                check(self, acl.rt.launch_callback(callback, pending, ACL_CALLBACK_BLOCK, self.stream), "launch")
                pending = []
            if job == 4:
                check(self, acl.rt.launch_callback(failing_callback, None, ACL_CALLBACK_BLOCK, self.stream), "launch")
        check(self, acl.rt.synchronize_stream(self.stream), "synchronize_stream")
        check(self, acl.rt.unsubscribe_report(tid, self.stream), "unsubscribe_report")
        state["exit"] = True
        check(self, acl.util.stop_thread(tid), "stop_thread")

        self.assertEqual(state["thread"], tid)
        self.assertEqual(state["callback_thread"], tid)  # callbacks ran on the subscribed thread
        self.assertEqual(state["errors"], 1)
        self.assertEqual(sorted(state["results"]), list(range(jobs)))
        for job, (s, p) in state["results"].items():
            np.testing.assert_array_equal(s, self.a + job + self.b)
            np.testing.assert_array_equal(p, (self.a + job) * self.b)
        for ds in datasets:
            self.destroy_dataset(ds)
        acl.mdl.destroy_desc(desc)
        check(self, acl.mdl.unload(model_id), "unload")


class DynamicBatch(Runtime):
    def test_gears(self):
        model_id, ret = acl.mdl.load_from_file(AFFINE)
        check(self, ret, "load_from_file")
        desc = acl.mdl.create_desc()
        check(self, acl.mdl.get_desc(desc, model_id), "get_desc")
        batch, ret = acl.mdl.get_dynamic_batch(desc)
        check(self, ret, "get_dynamic_batch")
        self.assertEqual(batch, {"batchCount": 3, "batch": [1, 2, 4]})
        self.assertEqual(acl.mdl.get_num_inputs(desc), 2)  # x and the gear input
        gear_index, ret = acl.mdl.get_input_index_by_name(desc, "ascend_mbatch_shape_data")
        check(self, ret, "get_input_index_by_name")
        self.assertEqual(acl.mdl.get_input_name_by_index(desc, gear_index), "ascend_mbatch_shape_data")
        self.assertEqual(acl.mdl.get_input_size_by_index(desc, 0), 4 * 3 * 4)  # the largest gear

        for n in (1, 2, 4):
            x = np.arange(3 * n, dtype=np.float32).reshape(n, 3) - 2
            gear_size = acl.mdl.get_input_size_by_index(desc, gear_index)
            inputs = self.dataset([(self.to_device(x), x.nbytes), (self.malloc(gear_size), gear_size)])
            out_size = acl.mdl.get_output_size_by_index(desc, 0)
            outputs = self.dataset([(self.malloc(out_size), out_size)])
            check(self, acl.mdl.set_dynamic_batch_size(model_id, inputs, gear_index, n), "set_dynamic_batch_size")
            check(self, acl.mdl.execute(model_id, inputs, outputs), "execute")
            dims, ret = acl.mdl.get_cur_output_dims(desc, 0)
            check(self, ret, "get_cur_output_dims")
            self.assertEqual(dims["dims"], [n, 3])
            np.testing.assert_array_equal(self.read_floats(outputs, 0, (n, 3)), 2 * x + 1)
            if n == 2:
                self.assertNotEqual(acl.mdl.set_dynamic_batch_size(model_id, inputs, gear_index, 3), ACL_SUCCESS)
            self.destroy_dataset(inputs)
            self.destroy_dataset(outputs)
        acl.mdl.destroy_desc(desc)
        check(self, acl.mdl.unload(model_id), "unload")


class RuntimeQueries(Runtime):
    def test_device_context_memory(self):
        self.assertEqual(acl.rt.get_device(), (0, ACL_SUCCESS))
        count, ret = acl.rt.get_device_count()
        check(self, ret, "get_device_count")
        self.assertGreaterEqual(count, 1)
        self.assertEqual(acl.rt.get_run_mode(), (1, ACL_SUCCESS))  # ACL_HOST
        self.assertEqual(acl.rt.get_context(), (self.context, ACL_SUCCESS))
        self.assertIsInstance(acl.get_soc_name(), str)
        ptr = self.malloc(256)
        host = np.zeros(256, np.uint8)
        check(self, acl.rt.memset(ptr, 256, 7, 100), "memset")
        check(self, acl.rt.memcpy(acl.util.numpy_to_ptr(host), 256, ptr, 256, ACL_MEMCPY_DEVICE_TO_HOST), "memcpy")
        self.assertEqual(host[:100].tolist(), [7] * 100)
        self.assertEqual(host[100:].tolist(), [0] * 156)  # allocations are zero-filled
        self.assertNotEqual(acl.rt.memcpy(ptr, 8, ptr + 128, 16, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_SUCCESS)
        check(self, acl.rt.memcpy_async(ptr, 256, acl.util.numpy_to_ptr(host), 256, ACL_MEMCPY_HOST_TO_DEVICE,
                                        self.stream), "memcpy_async")
        check(self, acl.rt.synchronize_stream(self.stream), "synchronize_stream")
        check(self, acl.rt.synchronize_device(), "synchronize_device")

    def test_buffers_and_tensor_descs(self):
        ptr = self.malloc(64)
        buf = acl.create_data_buffer(ptr, 64)
        self.assertEqual(acl.get_data_buffer_addr(buf), ptr)
        self.assertEqual(acl.get_data_buffer_size_v2(buf), 64)
        self.assertEqual(acl.get_data_buffer_size(buf), 64)
        check(self, acl.update_data_buffer(buf, ptr + 32, 32), "update_data_buffer")
        self.assertEqual(acl.get_data_buffer_addr(buf), ptr + 32)
        check(self, acl.destroy_data_buffer(buf), "destroy_data_buffer")
        self.assertEqual(acl.data_type_size(ACL_FLOAT), 4)
        self.assertEqual(acl.data_type_size(1), 2)  # ACL_FLOAT16
        desc = acl.create_tensor_desc(ACL_FLOAT, [2, 3, 4], ACL_FORMAT_ND)
        self.assertNotEqual(desc, 0)
        self.assertEqual(acl.get_tensor_desc_size(desc), 96)
        self.assertIsNone(acl.destroy_tensor_desc(desc))

    def test_cast_op(self):
        src = np.array([1.5, -2.25, 3.0, 65504.0], np.float32)
        src_desc = acl.create_tensor_desc(ACL_FLOAT, [4], ACL_FORMAT_ND)
        dst_desc = acl.create_tensor_desc(1, [4], ACL_FORMAT_ND)  # ACL_FLOAT16
        src_buf = acl.create_data_buffer(self.to_device(src), 16)
        dst_ptr = self.malloc(8)
        dst_buf = acl.create_data_buffer(dst_ptr, 8)
        check(self, acl.op.cast(src_desc, src_buf, dst_desc, dst_buf, 0, self.stream), "op.cast")
        check(self, acl.rt.synchronize_stream(self.stream), "synchronize_stream")
        out = np.zeros(4, np.float16)
        check(self, acl.rt.memcpy(acl.util.numpy_to_ptr(out), 8, dst_ptr, 8, ACL_MEMCPY_DEVICE_TO_HOST), "memcpy")
        np.testing.assert_array_equal(out, src.astype(np.float16))
        for b in (src_buf, dst_buf):
            acl.destroy_data_buffer(b)
        for d in (src_desc, dst_desc):
            acl.destroy_tensor_desc(d)


if __name__ == "__main__":
    unittest.main()
