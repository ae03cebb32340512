// Image classification, synchronous: the shape of the Ascend sample
// resnet50_imagenet_classification, written against the AscendCL API only.
//
//   main [--model ../model/resnet50.om] [--config ../src/acl.json] [input.bin ...]
//
// Each input is a preprocessed picture: float32, NCHW 1x3x224x224 (602112 bytes), exactly the
// model's input size. Without inputs the sample classifies every ../data/*.bin. For each picture
// it prints the top-5 classes.
//
// Steps (all AscendCL): init, open device 0, create a context and a stream, query the model's
// memory needs and load it into memory we allocate, build the input/output datasets, copy each
// picture host -> device, execute, copy the scores device -> host, print, release everything.
#include <dirent.h>

#include <cstring>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "sample_utils.h"

namespace {

struct Options {
  std::string model = "../model/resnet50.om";
  std::string config = "../src/acl.json";
  std::vector<std::string> inputs;
};

bool ParseArgs(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--model" || arg == "--config") && i + 1 < argc) {
      (arg == "--model" ? opt->model : opt->config) = argv[++i];
    } else if (arg.compare(0, 2, "--") == 0) {
      ERROR_LOG("unknown option %s; usage: main [--model M.om] [--config acl.json] [input.bin ...]", arg.c_str());
      return false;
    } else {
      opt->inputs.push_back(arg);
    }
  }
  if (opt->inputs.empty()) {  // like the original sample: every .bin under ../data
    if (DIR* dir = opendir("../data")) {
      while (dirent* e = readdir(dir)) {
        std::string name = e->d_name;
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".bin") == 0) opt->inputs.push_back("../data/" + name);
      }
      closedir(dir);
    }
  }
  if (opt->inputs.empty()) {
    ERROR_LOG("no input pictures: pass .bin files or put them in ../data");
    return false;
  }
  return true;
}

// Everything the sample acquires, released in reverse order by Release().
class Classifier {
 public:
  bool Init(const Options& opt) {
    // An existing config file is passed to aclInit; otherwise none (as the samples do).
    const bool haveConfig = std::ifstream(opt.config.c_str()).good();
    ACL_CHECK(aclInit(haveConfig ? opt.config.c_str() : nullptr), false);
    initialized_ = true;
    ACL_CHECK(aclrtSetDevice(deviceId_), false);
    deviceOpen_ = true;
    ACL_CHECK(aclrtCreateContext(&context_, deviceId_), false);
    ACL_CHECK(aclrtCreateStream(&stream_), false);
    ACL_CHECK(aclrtGetRunMode(&runMode_), false);
    INFO_LOG("device %d open, run mode %s", deviceId_, runMode_ == ACL_HOST ? "ACL_HOST" : "ACL_DEVICE");

    // The model runs in memory the application provides, sized by aclmdlQuerySize.
    ACL_CHECK(aclmdlQuerySize(opt.model.c_str(), &workSize_, &weightSize_), false);
    ACL_CHECK(aclrtMalloc(&workPtr_, workSize_, ACL_MEM_MALLOC_HUGE_FIRST), false);
    ACL_CHECK(aclrtMalloc(&weightPtr_, weightSize_, ACL_MEM_MALLOC_HUGE_FIRST), false);
    ACL_CHECK(aclmdlLoadFromFileWithMem(opt.model.c_str(), &modelId_, workPtr_, workSize_, weightPtr_, weightSize_),
              false);
    modelLoaded_ = true;
    INFO_LOG("loaded %s (work %zu bytes, weights %zu bytes)", opt.model.c_str(), workSize_, weightSize_);

    desc_ = aclmdlCreateDesc();
    if (desc_ == nullptr) {
      ERROR_LOG("aclmdlCreateDesc failed");
      return false;
    }
    ACL_CHECK(aclmdlGetDesc(desc_, modelId_), false);
    return CreateDatasets();
  }

  bool Classify(const std::string& path) {
    std::vector<char> picture;
    if (!sample::ReadFile(path, &picture)) return false;
    if (picture.size() != inputSize_) {
      ERROR_LOG("%s has %zu bytes, the model input needs %zu", path.c_str(), picture.size(), inputSize_);
      return false;
    }
    ACL_CHECK(aclrtMemcpy(inputDevice_, inputSize_, picture.data(), picture.size(), ACL_MEMCPY_HOST_TO_DEVICE), false);
    ACL_CHECK(aclmdlExecute(modelId_, input_, output_), false);

    // Read every output back through the dataset, as the original sample does.
    for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(output_); ++i) {
      aclDataBuffer* buffer = aclmdlGetDatasetBuffer(output_, i);
      void* data = aclGetDataBufferAddr(buffer);
      size_t size = aclGetDataBufferSizeV2(buffer);
      std::vector<float> scores(size / sizeof(float));
      ACL_CHECK(aclrtMemcpy(scores.data(), size, data, size, ACL_MEMCPY_DEVICE_TO_HOST), false);
      sample::PrintTopK(scores.data(), scores.size(), 5, path + ", output " + std::to_string(i) + ":");
    }
    return true;
  }

  void Release() {
    DestroyDataset(output_, true);
    output_ = nullptr;
    DestroyDataset(input_, false);
    input_ = nullptr;
    if (inputDevice_ != nullptr) aclrtFree(inputDevice_);
    if (desc_ != nullptr) aclmdlDestroyDesc(desc_);
    if (modelLoaded_) aclmdlUnload(modelId_);
    if (workPtr_ != nullptr) aclrtFree(workPtr_);
    if (weightPtr_ != nullptr) aclrtFree(weightPtr_);
    if (stream_ != nullptr) aclrtDestroyStream(stream_);
    if (context_ != nullptr) aclrtDestroyContext(context_);
    if (deviceOpen_) aclrtResetDevice(deviceId_);
    if (initialized_) aclFinalize();
    INFO_LOG("resources released");
  }

 private:
  bool CreateDatasets() {
    inputSize_ = aclmdlGetInputSizeByIndex(desc_, 0);
    ACL_CHECK(aclrtMalloc(&inputDevice_, inputSize_, ACL_MEM_MALLOC_HUGE_FIRST), false);
    input_ = aclmdlCreateDataset();
    aclDataBuffer* in = aclCreateDataBuffer(inputDevice_, inputSize_);
    ACL_CHECK(aclmdlAddDatasetBuffer(input_, in), false);

    output_ = aclmdlCreateDataset();
    for (size_t i = 0; i < aclmdlGetNumOutputs(desc_); ++i) {
      size_t size = aclmdlGetOutputSizeByIndex(desc_, i);
      void* device = nullptr;
      ACL_CHECK(aclrtMalloc(&device, size, ACL_MEM_MALLOC_NORMAL_ONLY), false);
      aclDataBuffer* out = aclCreateDataBuffer(device, size);
      ACL_CHECK(aclmdlAddDatasetBuffer(output_, out), false);
    }
    return true;
  }

  static void DestroyDataset(aclmdlDataset* dataset, bool freeMemory) {
    if (dataset == nullptr) return;
    for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(dataset); ++i) {
      aclDataBuffer* buffer = aclmdlGetDatasetBuffer(dataset, i);
      if (freeMemory) aclrtFree(aclGetDataBufferAddr(buffer));
      aclDestroyDataBuffer(buffer);
    }
    aclmdlDestroyDataset(dataset);
  }

  int32_t deviceId_ = 0;
  bool initialized_ = false, deviceOpen_ = false, modelLoaded_ = false;
  aclrtContext context_ = nullptr;
  aclrtStream stream_ = nullptr;
  aclrtRunMode runMode_ = ACL_HOST;
  uint32_t modelId_ = 0;
  size_t workSize_ = 0, weightSize_ = 0, inputSize_ = 0;
  void *workPtr_ = nullptr, *weightPtr_ = nullptr, *inputDevice_ = nullptr;
  aclmdlDesc* desc_ = nullptr;
  aclmdlDataset *input_ = nullptr, *output_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!ParseArgs(argc, argv, &opt)) return 1;
  Classifier classifier;
  bool ok = classifier.Init(opt);
  for (size_t i = 0; ok && i < opt.inputs.size(); ++i) ok = classifier.Classify(opt.inputs[i]);
  classifier.Release();
  if (!ok) return 1;
  INFO_LOG("classified %zu picture(s)", opt.inputs.size());
  return 0;
}
