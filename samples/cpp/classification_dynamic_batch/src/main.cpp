// Image classification with a dynamic batch: the shape of the Ascend sample
// googlenet_imagenet_dynamic_batch, written against the AscendCL API only.
//
//   main --model resnet18_dynbatch.om --batch 2 picture1.bin [picture2.bin ...]
//
// The model was converted with gears, e.g.
//   atc --model=resnet18.onnx --framework=5 --input_shape="input:-1,3,224,224"
//       --dynamic_batch_size="1,2,4,8" --soc_version=Ascend310 --output=resnet18_dynbatch
// so it has an extra input `ascend_mbatch_shape_data` (ACL_DYNAMIC_TENSOR_NAME). The sample
// allocates every input at the largest gear, fills the data input with `batch` pictures (reused
// in turn when fewer are given), selects the gear with aclmdlSetDynamicBatchSize and prints the
// top-5 classes of each picture.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "sample_utils.h"

namespace {

struct Options {
  std::string model = "../model/resnet18_dynbatch.om";
  uint64_t batch = 2;
  std::vector<std::string> pictures;
};

bool ParseArgs(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--model" && i + 1 < argc) {
      opt->model = argv[++i];
    } else if (arg == "--batch" && i + 1 < argc) {
      long value = std::strtol(argv[++i], nullptr, 10);
      if (value <= 0) {
        ERROR_LOG("--batch needs a positive number");
        return false;
      }
      opt->batch = static_cast<uint64_t>(value);
    } else if (arg.compare(0, 2, "--") == 0) {
      ERROR_LOG("usage: main [--model M.om] [--batch N] picture.bin ...");
      return false;
    } else {
      opt->pictures.push_back(arg);
    }
  }
  if (opt->pictures.empty()) {
    ERROR_LOG("give at least one picture (.bin, float32 NCHW 3x224x224)");
    return false;
  }
  return true;
}

void FreeDataset(aclmdlDataset* dataset) {
  if (dataset == nullptr) return;
  for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(dataset); ++i) {
    aclDataBuffer* buffer = aclmdlGetDatasetBuffer(dataset, i);
    aclrtFree(aclGetDataBufferAddr(buffer));
    aclDestroyDataBuffer(buffer);
  }
  aclmdlDestroyDataset(dataset);
}

// Loads, runs one batch, prints. Returns false on the first failure (resources are released by
// the caller through the pointers it passed).
bool Run(const Options& opt, uint32_t* modelId, bool* loaded, aclmdlDesc** descOut, aclmdlDataset** inputOut,
         aclmdlDataset** outputOut) {
  aclrtRunMode runMode;
  ACL_CHECK(aclrtGetRunMode(&runMode), false);
  ACL_CHECK(aclmdlLoadFromFile(opt.model.c_str(), modelId), false);
  *loaded = true;
  aclmdlDesc* desc = *descOut = aclmdlCreateDesc();
  ACL_CHECK(aclmdlGetDesc(desc, *modelId), false);

  // Every input gets a buffer of its largest-gear size; the data input is input 0.
  aclmdlDataset* input = *inputOut = aclmdlCreateDataset();
  for (size_t i = 0; i < aclmdlGetNumInputs(desc); ++i) {
    size_t size = aclmdlGetInputSizeByIndex(desc, i);
    void* device = nullptr;
    ACL_CHECK(aclrtMalloc(&device, size, ACL_MEM_MALLOC_HUGE_FIRST), false);
    ACL_CHECK(aclmdlAddDatasetBuffer(input, aclCreateDataBuffer(device, size)), false);
    const char* name = aclmdlGetInputNameByIndex(desc, i);
    INFO_LOG("input %zu: %s, %zu bytes%s", i, name, size,
             std::strcmp(name, ACL_DYNAMIC_TENSOR_NAME) == 0 ? " (the gear input)" : "");
  }
  aclmdlBatch gears;
  ACL_CHECK(aclmdlGetDynamicBatch(desc, &gears), false);
  if (gears.batchCount == 0) {
    ERROR_LOG("%s has no dynamic batch gears (convert it with --dynamic_batch_size)", opt.model.c_str());
    return false;
  }
  std::string gearList;
  for (size_t g = 0; g < gears.batchCount; ++g) gearList += (g ? "," : "") + std::to_string(gears.batch[g]);
  INFO_LOG("batch gears: %s; running batch %llu", gearList.c_str(), static_cast<unsigned long long>(opt.batch));

  // The pictures of this batch, one after another in the data input's buffer.
  size_t maxGear = 0;
  for (size_t g = 0; g < gears.batchCount; ++g) maxGear = std::max<size_t>(maxGear, gears.batch[g]);
  const size_t pictureSize = aclmdlGetInputSizeByIndex(desc, 0) / maxGear;
  char* data = static_cast<char*>(aclGetDataBufferAddr(aclmdlGetDatasetBuffer(input, 0)));
  for (uint64_t n = 0; n < opt.batch; ++n) {
    std::vector<char> picture;
    const std::string& path = opt.pictures[n % opt.pictures.size()];
    if (!sample::ReadFile(path, &picture)) return false;
    if (picture.size() != pictureSize) {
      ERROR_LOG("%s has %zu bytes, one picture of the model needs %zu", path.c_str(), picture.size(), pictureSize);
      return false;
    }
    if (n >= maxGear) {
      ERROR_LOG("batch %llu is larger than the largest gear %zu", static_cast<unsigned long long>(opt.batch), maxGear);
      return false;
    }
    ACL_CHECK(aclrtMemcpy(data + n * pictureSize, pictureSize, picture.data(), pictureSize,
                          runMode == ACL_HOST ? ACL_MEMCPY_HOST_TO_DEVICE : ACL_MEMCPY_DEVICE_TO_DEVICE),
              false);
  }

  aclmdlDataset* output = *outputOut = aclmdlCreateDataset();
  for (size_t i = 0; i < aclmdlGetNumOutputs(desc); ++i) {
    size_t size = aclmdlGetOutputSizeByIndex(desc, i);
    void* device = nullptr;
    ACL_CHECK(aclrtMalloc(&device, size, ACL_MEM_MALLOC_HUGE_FIRST), false);
    ACL_CHECK(aclmdlAddDatasetBuffer(output, aclCreateDataBuffer(device, size)), false);
  }

  size_t gearIndex = 0;
  ACL_CHECK(aclmdlGetInputIndexByName(desc, ACL_DYNAMIC_TENSOR_NAME, &gearIndex), false);
  ACL_CHECK(aclmdlSetDynamicBatchSize(*modelId, input, gearIndex, opt.batch), false);
  ACL_CHECK(aclmdlExecute(*modelId, input, output), false);

  // The scores of this gear: [batch, classes].
  aclmdlIODims dims;
  ACL_CHECK(aclmdlGetCurOutputDims(desc, 0, &dims), false);
  const size_t classes = static_cast<size_t>(dims.dims[dims.dimCount - 1]);
  aclDataBuffer* scoresBuffer = aclmdlGetDatasetBuffer(output, 0);
  std::vector<float> scores(opt.batch * classes);
  ACL_CHECK(aclrtMemcpy(scores.data(), scores.size() * sizeof(float), aclGetDataBufferAddr(scoresBuffer),
                        scores.size() * sizeof(float), ACL_MEMCPY_DEVICE_TO_HOST),
            false);
  for (uint64_t n = 0; n < opt.batch; ++n) {
    sample::PrintTopK(&scores[n * classes], classes, 5,
                      "picture " + std::to_string(n) + " (" + opt.pictures[n % opt.pictures.size()] + "):");
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!ParseArgs(argc, argv, &opt)) return 1;
  ACL_CHECK(aclInit(nullptr), 1);
  ACL_CHECK(aclrtSetDevice(0), 1);
  uint32_t modelId = 0;
  bool loaded = false;
  aclmdlDesc* desc = nullptr;
  aclmdlDataset *input = nullptr, *output = nullptr;
  const bool ok = Run(opt, &modelId, &loaded, &desc, &input, &output);
  FreeDataset(input);
  FreeDataset(output);
  if (desc != nullptr) aclmdlDestroyDesc(desc);
  if (loaded) aclmdlUnload(modelId);
  aclrtResetDevice(0);
  aclFinalize();
  return ok ? 0 : 1;
}
