"""pyACL over the C tests' .om fixtures (tests/capi/make_capi_test_models): dynamic image size and
dynamic dims through the Python spellings of the gear functions (spec §8.3). Skips when the
fixture folder has no models (KILN_CAPI_TEST_MODELS)."""
import os
import unittest

import numpy as np

import acl
from test_acl import ACL_SUCCESS, Runtime, check

MODELS = os.environ.get("KILN_CAPI_TEST_MODELS", "")
DYN_HW = os.path.join(MODELS, "dyn_hw.om")
DYN_DIMS = os.path.join(MODELS, "dyn_dims.om")
GEAR_INPUT = "ascend_mbatch_shape_data"


def have(path):
    return os.path.isfile(path)


class GearModel(Runtime):
    def load(self, path):
        model_id, ret = acl.mdl.load_from_file(path)
        check(self, ret, "load_from_file " + path)
        desc = acl.mdl.create_desc()
        check(self, acl.mdl.get_desc(desc, model_id), "get_desc")
        gear_index, ret = acl.mdl.get_input_index_by_name(desc, GEAR_INPUT)
        check(self, ret, "get_input_index_by_name")
        return model_id, desc, gear_index

    def run_gear(self, model_id, desc, gear_index, x, select):
        gear_size = acl.mdl.get_input_size_by_index(desc, gear_index)
        inputs = self.dataset([(self.to_device(x), x.nbytes), (self.malloc(gear_size), gear_size)])
        out_size = acl.mdl.get_output_size_by_index(desc, 0)
        outputs = self.dataset([(self.malloc(out_size), out_size)])
        check(self, select(inputs), "select gear")
        check(self, acl.mdl.execute(model_id, inputs, outputs), "execute")
        dims, ret = acl.mdl.get_cur_output_dims(desc, 0)
        check(self, ret, "get_cur_output_dims")
        y = self.read_floats(outputs, 0, tuple(dims["dims"]))
        self.destroy_dataset(inputs)
        self.destroy_dataset(outputs)
        return dims["dims"], y

    def unload(self, model_id, desc):
        check(self, acl.mdl.destroy_desc(desc), "destroy_desc")
        check(self, acl.mdl.unload(model_id), "unload")


@unittest.skipUnless(have(DYN_HW), "no dyn_hw.om in KILN_CAPI_TEST_MODELS")
class DynamicImageSize(GearModel):
    def test_gears(self):
        # x [1,3,-1,-1], gears (2,2) and (4,3): y = 2x + 1.
        model_id, desc, gear_index = self.load(DYN_HW)
        hw, ret = acl.mdl.get_dynamic_hw(desc, -1)  # index unused: -1 as the C samples pass
        check(self, ret, "get_dynamic_hw")
        self.assertEqual(hw, {"hwCount": 2, "hw": [[2, 2], [4, 3]]})
        for h, w in ((2, 2), (4, 3)):
            x = np.arange(3 * h * w, dtype=np.float32).reshape(1, 3, h, w)
            dims, y = self.run_gear(model_id, desc, gear_index, x,
                                    lambda ds: acl.mdl.set_dynamic_hw_size(model_id, ds, gear_index, h, w))
            self.assertEqual(dims, [1, 3, h, w])
            np.testing.assert_array_equal(y, 2 * x + 1)
        ds = acl.mdl.create_dataset()
        self.assertNotEqual(acl.mdl.set_dynamic_hw_size(model_id, ds, gear_index, 3, 3), ACL_SUCCESS)
        acl.mdl.destroy_dataset(ds)
        self.unload(model_id, desc)


@unittest.skipUnless(have(DYN_DIMS), "no dyn_dims.om in KILN_CAPI_TEST_MODELS")
class DynamicDims(GearModel):
    def test_gears(self):
        # x [-1,-1,-1,3] ND, gears (1,2,2), (2,2,2), (1,4,4): y = x + 1.
        model_id, desc, gear_index = self.load(DYN_DIMS)
        count, ret = acl.mdl.get_input_dynamic_gear_count(desc, -1)
        check(self, ret, "get_input_dynamic_gear_count")
        self.assertEqual(count, 3)
        gears, ret = acl.mdl.get_input_dynamic_dims(desc, -1, count)
        check(self, ret, "get_input_dynamic_dims")
        self.assertEqual([g["dims"] for g in gears], [[1, 2, 2, 3], [2, 2, 2, 3], [1, 4, 4, 3]])
        for n, h, w in ((1, 2, 2), (2, 2, 2), (1, 4, 4)):
            x = np.arange(n * h * w * 3, dtype=np.float32).reshape(n, h, w, 3) / 4
            request = {"name": "", "dimCount": 4, "dims": [n, h, w, 3]}
            dims, y = self.run_gear(model_id, desc, gear_index, x,
                                    lambda ds: acl.mdl.set_input_dynamic_dims(model_id, ds, gear_index, request))
            self.assertEqual(dims, [n, h, w, 3])
            np.testing.assert_array_equal(y, x + 1)
        ds = acl.mdl.create_dataset()
        bad = {"dimCount": 4, "dims": [3, 2, 2, 3]}
        self.assertNotEqual(acl.mdl.set_input_dynamic_dims(model_id, ds, gear_index, bad), ACL_SUCCESS)
        acl.mdl.destroy_dataset(ds)
        self.unload(model_id, desc)


if __name__ == "__main__":
    unittest.main()
