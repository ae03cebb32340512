"""Image classification, asynchronous with callbacks (pyACL): the shape of the Ascend sample
resnet50_async_imagenet_classification/src/acl_net.py (spec acl-api.md §7.4, Python).

    python3 acl_net.py [--model ../model/resnet50.om] [--executions 20] [--interval 4] [--pool 8]
                       [input.bin|input.npy ...]

A report thread started with acl.util.start_thread loops on acl.rt.process_report; the stream
reports to it (acl.rt.subscribe_report). Each execution takes an (input, output) dataset pair
from a memory pool, runs acl.mdl.execute_async on the stream, and every `interval` executions
acl.rt.launch_callback queues a BLOCK callback that prints the top-1 class of each finished
execution and returns its pair to the pool. Then synchronize_stream, unsubscribe_report, the exit
flag, stop_thread, and release.
"""
import argparse
import glob
import os
import sys
import threading

import acl

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from acl_utils import (ACL_CALLBACK_BLOCK, ACL_MEM_MALLOC_HUGE_FIRST, ACL_MEM_MALLOC_NORMAL_ONLY,  # noqa: E402
                       check_ret, copy_to_device, copy_to_host_floats, destroy_dataset, load_model,
                       open_device, print_top_k, read_picture, release_model_and_device)


class Net(object):
    def __init__(self, device_id, model_path, pool_size):
        self.device_id = device_id
        self.model_path = model_path
        self.pool_size = pool_size
        self.context = None
        self.stream = None
        self.model_id = None
        self.model_desc = None
        self.pool = []          # free (input dataset, output dataset) pairs
        self.all_pairs = []
        self.pool_lock = threading.Lock()
        self.exit_flag = False
        self.printed = 0
        self.init_resource()

    def init_resource(self):
        print("[INFO]  init resource stage:")
        self.context = open_device(self.device_id)
        self.stream, ret = acl.rt.create_stream()
        check_ret("acl.rt.create_stream", ret)
        self.model_id, self.model_desc = load_model(self.model_path)
        self.input_size = acl.mdl.get_input_size_by_index(self.model_desc, 0)
        for _ in range(self.pool_size):
            pair = (self._create_dataset([self.input_size], ACL_MEM_MALLOC_HUGE_FIRST),
                    self._create_dataset([acl.mdl.get_output_size_by_index(self.model_desc, i)
                                          for i in range(acl.mdl.get_num_outputs(self.model_desc))],
                                         ACL_MEM_MALLOC_NORMAL_ONLY))
            self.pool.append(pair)
            self.all_pairs.append(pair)
        print("[INFO]  loaded {}; memory pool of {} dataset pairs".format(self.model_path, self.pool_size))

    @staticmethod
    def _create_dataset(sizes, policy):
        dataset = acl.mdl.create_dataset()
        for size in sizes:
            dev_ptr, ret = acl.rt.malloc(size, policy)
            check_ret("acl.rt.malloc", ret)
            _, ret = acl.mdl.add_dataset_buffer(dataset, acl.create_data_buffer(dev_ptr, size))
            check_ret("acl.mdl.add_dataset_buffer", ret)
        return dataset

    def _process_callback(self, args_list):
        """The report thread: callbacks queued on the stream run here, inside process_report."""
        context, timeout = args_list
        acl.rt.set_context(context)
        while True:
            acl.rt.process_report(timeout)  # 107012 until subscribed / after unsubscribing: harmless
            if self.exit_flag:
                break

    def callback_func(self, jobs):
        """Runs on the report thread once the executions queued before it have finished."""
        for path, (input_dataset, output_dataset) in jobs:
            buffer = acl.mdl.get_dataset_buffer(output_dataset, 0)
            scores = copy_to_host_floats(acl.get_data_buffer_addr(buffer), acl.get_data_buffer_size_v2(buffer))
            print_top_k(scores, "{}, execution {}:".format(path, self.printed), k=1)
            self.printed += 1
            with self.pool_lock:
                self.pool.append((input_dataset, output_dataset))
        del jobs[:]

    def run(self, inputs, executions, interval):
        tid, ret = acl.util.start_thread(self._process_callback, [self.context, 50])
        check_ret("acl.util.start_thread", ret)
        check_ret("acl.rt.subscribe_report", acl.rt.subscribe_report(tid, self.stream))
        pictures = [(path, read_picture(path)) for path in inputs]
        for path, picture in pictures:
            if picture.nbytes != self.input_size:
                raise Exception("{} has {} bytes, the model input needs {}".format(path, picture.nbytes,
                                                                                   self.input_size))
        jobs = []
        try:
            for n in range(executions):
                path, picture = pictures[n % len(pictures)]
                with self.pool_lock:
                    pair = self.pool.pop() if self.pool else None
                if pair is None:
                    # Every pair is in flight: queue a callback for the executions not yet covered
                    # by one, and wait for the callbacks to return their pairs.
                    if jobs:
                        check_ret("acl.rt.launch_callback",
                                  acl.rt.launch_callback(self.callback_func, jobs, ACL_CALLBACK_BLOCK, self.stream))
                        jobs = []
                    check_ret("acl.rt.synchronize_stream", acl.rt.synchronize_stream(self.stream))
                    with self.pool_lock:
                        if not self.pool:
                            raise Exception("memory pool empty after synchronizing the stream")
                        pair = self.pool.pop()
                input_dataset, output_dataset = pair
                copy_to_device(acl.get_data_buffer_addr(acl.mdl.get_dataset_buffer(input_dataset, 0)),
                               self.input_size, picture)
                check_ret("acl.mdl.execute_async",
                          acl.mdl.execute_async(self.model_id, input_dataset, output_dataset, self.stream))
                jobs.append((path, pair))
                if (n + 1) % interval == 0 or n + 1 == executions:
                    check_ret("acl.rt.launch_callback",
                              acl.rt.launch_callback(self.callback_func, jobs, ACL_CALLBACK_BLOCK, self.stream))
                    jobs = []
            check_ret("acl.rt.synchronize_stream", acl.rt.synchronize_stream(self.stream))
        finally:
            acl.rt.unsubscribe_report(tid, self.stream)
            self.exit_flag = True
            acl.util.stop_thread(tid)
        print("[INFO]  {} executions, {} results printed by callbacks".format(executions, self.printed))

    def release_resource(self):
        print("[INFO]  release resource stage:")
        for pair in self.all_pairs:
            for dataset in pair:
                destroy_dataset(dataset)
        release_model_and_device(self.model_desc, self.model_id, self.stream, self.context, self.device_id)


def main():
    parser = argparse.ArgumentParser(description="ResNet-50 classification with pyACL (asynchronous, callbacks)")
    parser.add_argument("--model", default="../model/resnet50.om")
    parser.add_argument("--device", type=int, default=0)
    parser.add_argument("--executions", type=int, default=100)
    parser.add_argument("--interval", type=int, default=1, help="a callback every N executions")
    parser.add_argument("--pool", type=int, default=100, help="input/output dataset pairs in the memory pool")
    parser.add_argument("inputs", nargs="*", help="preprocessed pictures (.bin float32 or .npy)")
    args = parser.parse_args()
    if args.executions < 1 or args.interval < 1 or args.pool < 1:
        sys.exit("[ERROR] --executions, --interval and --pool must be >= 1")
    inputs = args.inputs or sorted(glob.glob("../data/*.bin"))
    if not inputs:
        sys.exit("[ERROR] no input pictures: pass .bin/.npy files or put .bin files in ../data")
    net = Net(args.device, args.model, args.pool)
    try:
        net.run(inputs, args.executions, args.interval)
    finally:
        net.release_resource()


if __name__ == "__main__":
    main()
