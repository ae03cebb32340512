"""Image classification, synchronous (pyACL): the shape of the Ascend sample
resnet50_imagenet_classification/src/acl_net.py.

    python3 acl_net.py [--model ../model/resnet50.om] [--device 0] [input.bin|input.npy ...]

Each input is a preprocessed picture (float32 NCHW 1x3x224x224: 602112 bytes as .bin, or a .npy
array); without inputs every ../data/*.bin is classified. For each picture it prints the top-5.

Steps: acl.init, set_device, create_context, load_from_file, create_desc/get_desc, build the
input and output datasets in device memory, then per picture memcpy host -> device, execute,
read each output back (get_dataset_buffer -> get_data_buffer_addr -> memcpy device -> host), and
release everything in reverse order.
"""
import argparse
import glob
import os
import sys

import numpy as np

import acl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from acl_utils import (ACL_MEM_MALLOC_HUGE_FIRST, ACL_MEM_MALLOC_NORMAL_ONLY, check_ret,  # noqa: E402
                       copy_to_device, copy_to_host_floats, destroy_dataset, load_model,
                       open_device, print_top_k, read_picture, release_model_and_device)


class Net(object):
    def __init__(self, device_id, model_path):
        self.device_id = device_id
        self.model_path = model_path
        self.context = None
        self.model_id = None
        self.model_desc = None
        self.input_dataset = None
        self.output_dataset = None
        self.input_size = 0
        self.init_resource()

    def init_resource(self):
        print("[INFO]  init resource stage:")
        self.context = open_device(self.device_id)
        self.model_id, self.model_desc = load_model(self.model_path)
        print("[INFO]  loaded {} (model id {}, {} input(s), {} output(s))".format(
            self.model_path, self.model_id, acl.mdl.get_num_inputs(self.model_desc),
            acl.mdl.get_num_outputs(self.model_desc)))
        self._gen_input_dataset()
        self._gen_output_dataset()

    def _gen_input_dataset(self):
        self.input_size = acl.mdl.get_input_size_by_index(self.model_desc, 0)
        dev_ptr, ret = acl.rt.malloc(self.input_size, ACL_MEM_MALLOC_HUGE_FIRST)
        check_ret("acl.rt.malloc", ret)
        self.input_dataset = acl.mdl.create_dataset()
        buffer = acl.create_data_buffer(dev_ptr, self.input_size)
        _, ret = acl.mdl.add_dataset_buffer(self.input_dataset, buffer)
        check_ret("acl.mdl.add_dataset_buffer", ret)

    def _gen_output_dataset(self):
        self.output_dataset = acl.mdl.create_dataset()
        for i in range(acl.mdl.get_num_outputs(self.model_desc)):
            size = acl.mdl.get_output_size_by_index(self.model_desc, i)
            dev_ptr, ret = acl.rt.malloc(size, ACL_MEM_MALLOC_NORMAL_ONLY)
            check_ret("acl.rt.malloc", ret)
            _, ret = acl.mdl.add_dataset_buffer(self.output_dataset, acl.create_data_buffer(dev_ptr, size))
            check_ret("acl.mdl.add_dataset_buffer", ret)

    def run(self, path):
        picture = read_picture(path)
        if picture.nbytes != self.input_size:
            raise Exception("{} has {} bytes, the model input needs {}".format(path, picture.nbytes, self.input_size))
        buffer = acl.mdl.get_dataset_buffer(self.input_dataset, 0)
        copy_to_device(acl.get_data_buffer_addr(buffer), self.input_size, picture)
        check_ret("acl.mdl.execute", acl.mdl.execute(self.model_id, self.input_dataset, self.output_dataset))
        self._print_result(path)

    def _print_result(self, path):
        for i in range(acl.mdl.get_dataset_num_buffers(self.output_dataset)):
            buffer = acl.mdl.get_dataset_buffer(self.output_dataset, i)
            scores = copy_to_host_floats(acl.get_data_buffer_addr(buffer), acl.get_data_buffer_size_v2(buffer))
            # The output's current shape, as the Ascend Python sample reads it.
            dims, ret = acl.mdl.get_cur_output_dims(self.model_desc, i)
            check_ret("acl.mdl.get_cur_output_dims", ret)
            scores = scores[:int(np.prod(dims["dims"]))].reshape(dims["dims"])
            print_top_k(scores, "{}, output {}:".format(path, i))

    def release_resource(self):
        print("[INFO]  release resource stage:")
        destroy_dataset(self.input_dataset)
        destroy_dataset(self.output_dataset)
        release_model_and_device(self.model_desc, self.model_id, None, self.context, self.device_id)


def main():
    parser = argparse.ArgumentParser(description="ResNet-50 classification with pyACL (synchronous)")
    parser.add_argument("--model", default="../model/resnet50.om")
    parser.add_argument("--device", type=int, default=0)
    parser.add_argument("inputs", nargs="*", help="preprocessed pictures (.bin float32 or .npy)")
    args = parser.parse_args()
    inputs = args.inputs or sorted(glob.glob("../data/*.bin"))
    if not inputs:
        sys.exit("[ERROR] no input pictures: pass .bin/.npy files or put .bin files in ../data")
    net = Net(args.device, args.model)
    try:
        for path in inputs:
            net.run(path)
    finally:
        net.release_resource()
    print("[INFO]  classified {} picture(s)".format(len(inputs)))


if __name__ == "__main__":
    main()
