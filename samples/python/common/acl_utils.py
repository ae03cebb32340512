"""Helpers shared by the pyACL samples, in the style of the Ascend samples' constant.py /
acl_util.py: the constants the samples define for themselves, a return-code check, reading a
preprocessed picture, moving bytes between NumPy and AscendCL memory, and printing the top-k."""
import numpy as np

import acl

# AscendCL constants (the samples spell them out rather than importing them).
ACL_SUCCESS = 0
ACL_MEM_MALLOC_HUGE_FIRST = 0
ACL_MEM_MALLOC_NORMAL_ONLY = 2
ACL_MEMCPY_HOST_TO_HOST = 0
ACL_MEMCPY_HOST_TO_DEVICE = 1
ACL_MEMCPY_DEVICE_TO_HOST = 2
ACL_MEMCPY_DEVICE_TO_DEVICE = 3
ACL_CALLBACK_NO_BLOCK = 0
ACL_CALLBACK_BLOCK = 1
ACL_HOST = 1
ACL_DYNAMIC_TENSOR_NAME = "ascend_mbatch_shape_data"
NPY_FLOAT32 = 11


def check_ret(message, ret):
    """Raises with AscendCL's explanation when a call failed."""
    if ret != ACL_SUCCESS:
        raise Exception("{} failed ret={}: {}".format(message, ret, acl.get_recent_err_msg()))


def read_picture(path):
    """A preprocessed picture: a .npy array or a raw float32 .bin file, as a flat float32 array."""
    if path.endswith(".npy"):
        return np.ascontiguousarray(np.load(path), dtype=np.float32).reshape(-1)
    return np.fromfile(path, dtype=np.float32)


def copy_to_device(dev_ptr, dev_size, array):
    """Copies a NumPy array into AscendCL memory of dev_size bytes."""
    array = np.ascontiguousarray(array)
    data = array.tobytes()
    if "bytes_to_ptr" in dir(acl.util):
        src = acl.util.bytes_to_ptr(data)
    else:
        src = acl.util.numpy_to_ptr(array)
    check_ret("acl.rt.memcpy", acl.rt.memcpy(dev_ptr, dev_size, src, len(data), ACL_MEMCPY_HOST_TO_DEVICE))


def copy_to_host_floats(dev_ptr, size):
    """Copies `size` bytes of float32 results from AscendCL memory into a new NumPy array."""
    host, ret = acl.rt.malloc_host(size)
    check_ret("acl.rt.malloc_host", ret)
    try:
        check_ret("acl.rt.memcpy", acl.rt.memcpy(host, size, dev_ptr, size, ACL_MEMCPY_DEVICE_TO_HOST))
        if "ptr_to_bytes" in dir(acl.util):
            return np.frombuffer(acl.util.ptr_to_bytes(host, size), dtype=np.float32).copy()
        return acl.util.ptr_to_numpy(host, (size // 4,), NPY_FLOAT32).copy()
    finally:
        acl.rt.free_host(host)


def print_top_k(scores, title, k=5):
    """Prints "top i: index[c] value[v]" lines, highest score first (ties: lower index first)."""
    scores = np.asarray(scores, dtype=np.float32).reshape(-1)
    order = np.argsort(-scores, kind="stable")[:k]
    print("[INFO]  {}".format(title))
    for rank, index in enumerate(order):
        print("[INFO]    top {}: index[{}] value[{:f}]".format(rank + 1, index, scores[index]))


def open_device(device_id):
    """The samples' common set-up: initialise AscendCL, open the device, create a context (made
    current for this thread). Returns the context."""
    check_ret("acl.init", acl.init())
    check_ret("acl.rt.set_device", acl.rt.set_device(device_id))
    context, ret = acl.rt.create_context(device_id)
    check_ret("acl.rt.create_context", ret)
    return context


def load_model(model_path):
    """Loads an offline model and fills its description. Returns (model_id, model_desc)."""
    model_id, ret = acl.mdl.load_from_file(model_path)
    check_ret("acl.mdl.load_from_file", ret)
    model_desc = acl.mdl.create_desc()
    check_ret("acl.mdl.get_desc", acl.mdl.get_desc(model_desc, model_id))
    return model_id, model_desc


def destroy_dataset(dataset, free_memory=True):
    """Destroys a dataset, its data buffers and (with free_memory) the memory they point at."""
    if not dataset:
        return
    for i in range(acl.mdl.get_dataset_num_buffers(dataset)):
        buffer = acl.mdl.get_dataset_buffer(dataset, i)
        if free_memory:
            acl.rt.free(acl.get_data_buffer_addr(buffer))
        acl.destroy_data_buffer(buffer)
    acl.mdl.destroy_dataset(dataset)


def release_model_and_device(model_desc, model_id, stream, context, device_id):
    """The samples' common tear-down, in the order AscendCL expects: description, model, stream,
    context, device, library. Zero / None handles are skipped."""
    if model_desc:
        acl.mdl.destroy_desc(model_desc)
    if model_id is not None:
        acl.mdl.unload(model_id)
    if stream:
        acl.rt.destroy_stream(stream)
    if context:
        acl.rt.destroy_context(context)
    acl.rt.reset_device(device_id)
    acl.finalize()
