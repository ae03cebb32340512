"""Image classification with a dynamic-batch model (pyACL): the shape of the Ascend sample
googlenet_imagenet_dynamic_batch, on a model converted with --dynamic_batch_size.

    python3 acl_net.py [--model ../model/resnet18_dynbatch.om] [--batch N] input.bin|input.npy ...

The pictures are classified in one execution of batch N (default: the number of pictures; it
must be one of the model's gears, listed by acl.mdl.get_dynamic_batch). The model's extra input
`ascend_mbatch_shape_data` (found with acl.mdl.get_input_index_by_name) gets a buffer of its
own, acl.mdl.set_dynamic_batch_size picks the gear, and acl.mdl.get_cur_output_dims gives the
output shape of that gear.
"""
import argparse
import os
import sys

import numpy as np

import acl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from acl_utils import (ACL_DYNAMIC_TENSOR_NAME, ACL_MEM_MALLOC_HUGE_FIRST, check_ret,  # noqa: E402
                       copy_to_device, copy_to_host_floats, destroy_dataset, load_model,
                       open_device, print_top_k, read_picture, release_model_and_device)


class Net(object):
    def __init__(self, device_id, model_path):
        self.device_id = device_id
        self.model_path = model_path
        self.model_id = None
        self.model_desc = None
        self.context = None
        self.buffers = []  # device memory to free
        self.init_resource()

    def init_resource(self):
        print("[INFO]  init resource stage:")
        self.context = open_device(self.device_id)
        self.model_id, self.model_desc = load_model(self.model_path)
        batch, ret = acl.mdl.get_dynamic_batch(self.model_desc)
        check_ret("acl.mdl.get_dynamic_batch", ret)
        self.gears = batch["batch"]
        print("[INFO]  loaded {}; batch gears {}".format(self.model_path, self.gears))

    def _malloc(self, size):
        dev_ptr, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_HUGE_FIRST)
        check_ret("acl.rt.malloc", ret)
        self.buffers.append(dev_ptr)
        return dev_ptr

    def run(self, paths, batch):
        if batch not in self.gears:
            raise Exception("batch {} is not a gear of the model; its gears are {}".format(batch, self.gears))
        pictures = [read_picture(p) for p in paths]
        pictures = [pictures[i % len(pictures)] for i in range(batch)]
        data = np.concatenate(pictures)
        max_size = acl.mdl.get_input_size_by_index(self.model_desc, 0)  # sized for the largest gear
        if data.nbytes * max(self.gears) != max_size * batch:
            raise Exception("{} picture(s) of {} bytes do not fit the model input ({} bytes at batch {})".format(
                batch, pictures[0].nbytes, max_size, max(self.gears)))
        gear_index, ret = acl.mdl.get_input_index_by_name(self.model_desc, ACL_DYNAMIC_TENSOR_NAME)
        check_ret("acl.mdl.get_input_index_by_name", ret)

        input_dataset = acl.mdl.create_dataset()
        for i in range(acl.mdl.get_num_inputs(self.model_desc)):
            if i == gear_index:
                size = acl.mdl.get_input_size_by_index(self.model_desc, i)
                dev_ptr = self._malloc(size)
            else:
                # Only the pictures actually used (smaller than the largest gear), as the sample does.
                size = data.nbytes
                dev_ptr = self._malloc(size)
                copy_to_device(dev_ptr, size, data)
            _, ret = acl.mdl.add_dataset_buffer(input_dataset, acl.create_data_buffer(dev_ptr, size))
            check_ret("acl.mdl.add_dataset_buffer", ret)
        output_dataset = acl.mdl.create_dataset()
        for i in range(acl.mdl.get_num_outputs(self.model_desc)):
            size = acl.mdl.get_output_size_by_index(self.model_desc, i)
            _, ret = acl.mdl.add_dataset_buffer(output_dataset, acl.create_data_buffer(self._malloc(size), size))
            check_ret("acl.mdl.add_dataset_buffer", ret)

        check_ret("acl.mdl.set_dynamic_batch_size",
                  acl.mdl.set_dynamic_batch_size(self.model_id, input_dataset, gear_index, batch))
        check_ret("acl.mdl.execute", acl.mdl.execute(self.model_id, input_dataset, output_dataset))

        buffer = acl.mdl.get_dataset_buffer(output_dataset, 0)
        dims, ret = acl.mdl.get_cur_output_dims(self.model_desc, 0)
        check_ret("acl.mdl.get_cur_output_dims", ret)
        shape = dims["dims"]
        scores = copy_to_host_floats(acl.get_data_buffer_addr(buffer), acl.get_data_buffer_size_v2(buffer))
        scores = scores[:int(np.prod(shape))].reshape(shape[0], -1)
        print("[INFO]  batch {}: output 0 has shape {}".format(batch, shape))
        for i in range(batch):
            print_top_k(scores[i], "picture {} ({}):".format(i, paths[i % len(paths)]))
        for dataset in (input_dataset, output_dataset):
            destroy_dataset(dataset, free_memory=False)  # the memory is self.buffers, freed below

    def release_resource(self):
        print("[INFO]  release resource stage:")
        for dev_ptr in self.buffers:
            acl.rt.free(dev_ptr)
        release_model_and_device(self.model_desc, self.model_id, None, self.context, self.device_id)


def main():
    parser = argparse.ArgumentParser(description="Dynamic-batch classification with pyACL")
    parser.add_argument("--model", default="../model/resnet18_dynbatch.om")
    parser.add_argument("--device", type=int, default=0)
    parser.add_argument("--batch", type=int, default=0, help="a gear of the model (default: number of pictures)")
    parser.add_argument("inputs", nargs="+", help="preprocessed pictures (.bin float32 or .npy)")
    args = parser.parse_args()
    net = Net(args.device, args.model)
    try:
        net.run(args.inputs, args.batch or len(args.inputs))
    finally:
        net.release_resource()


if __name__ == "__main__":
    main()
