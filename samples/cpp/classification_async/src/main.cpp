// Image classification, asynchronous with callbacks: the shape of the Ascend sample
// resnet50_async_imagenet_classification, written against the AscendCL API only.
//
//   main [--model ../model/resnet50.om] [--executions 100] [--interval 1] [--pool 100] input.bin
//
// The picture (float32 NCHW 1x3x224x224) is copied into a pool of input/output dataset pairs.
// The main thread queues `executions` aclmdlExecuteAsync calls on one stream and, every
// `interval` executions, an ACL_CALLBACK_BLOCK callback task. A report thread subscribed to the
// stream runs those callbacks (aclrtProcessReport): each prints the top-1 class of the executions
// queued before it and returns their dataset pairs to the pool, so the main thread can keep
// submitting while earlier work runs.
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acl/acl.h"
#include "sample_utils.h"

namespace {

struct Options {
  std::string model = "../model/resnet50.om";
  std::string input;
  size_t executions = 100, interval = 1, pool = 100;
};

struct DatasetPair {
  aclmdlDataset* input = nullptr;
  aclmdlDataset* output = nullptr;
  size_t execution = 0;
};

// Dataset pairs not in flight. Callbacks give pairs back; the submitter waits when none is free.
class Pool {
 public:
  void Put(DatasetPair pair) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(pair);
    ready_.notify_one();
  }
  DatasetPair Take() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return !free_.empty(); });
    DatasetPair pair = free_.back();
    free_.pop_back();
    return pair;
  }
  std::vector<DatasetPair> Drain() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<DatasetPair> all;
    all.swap(free_);
    return all;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<DatasetPair> free_;
};

Pool g_pool;
aclrtRunMode g_runMode = ACL_HOST;
size_t g_callbacks = 0;  // only touched by the report thread

// A batch of executions a callback reports on (allocated by the submitter, freed by the callback).
struct CallbackBatch {
  std::vector<DatasetPair> pairs;
};

void CallBackFunc(void* userData) {
  CallbackBatch* batch = static_cast<CallbackBatch*>(userData);
  for (size_t p = 0; p < batch->pairs.size(); ++p) {
    const DatasetPair& pair = batch->pairs[p];
    aclDataBuffer* buffer = aclmdlGetDatasetBuffer(pair.output, 0);
    void* data = aclGetDataBufferAddr(buffer);
    size_t size = aclGetDataBufferSizeV2(buffer);
    // In host mode the scores live in device memory: stage them in host memory first.
    void* host = data;
    if (g_runMode == ACL_HOST) {
      if (aclrtMallocHost(&host, size) != ACL_SUCCESS ||
          aclrtMemcpy(host, size, data, size, ACL_MEMCPY_DEVICE_TO_HOST) != ACL_SUCCESS) {
        ERROR_LOG("callback: copying the scores of execution %zu failed: %s", pair.execution, aclGetRecentErrMsg());
        g_pool.Put(pair);
        continue;
      }
    }
    const float* scores = static_cast<const float*>(host);
    size_t best = 0;
    for (size_t i = 1; i < size / sizeof(float); ++i) {
      if (scores[i] > scores[best]) best = i;
    }
    INFO_LOG("execution %zu: top 1: index[%zu] value[%f]", pair.execution, best, scores[best]);
    if (g_runMode == ACL_HOST) aclrtFreeHost(host);
    g_pool.Put(pair);
  }
  ++g_callbacks;
  delete batch;
}

// The report thread: binds the context, then runs callbacks until told to stop.
void ProcessCallback(aclrtContext context, const std::atomic<bool>* exitFlag) {
  aclrtSetCurrentContext(context);
  while (!*exitFlag) {
    aclError ret = aclrtProcessReport(100);
    // 507012 = no report within 100 ms, 107012 = not subscribed yet: both are normal here.
    if (ret != ACL_SUCCESS && ret != ACL_ERROR_RT_REPORT_TIMEOUT && ret != ACL_ERROR_RT_THREAD_SUBSCRIBE) {
      ERROR_LOG("aclrtProcessReport failed, errorCode = %d", static_cast<int>(ret));
    }
  }
}

bool ParseArgs(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--model" && i + 1 < argc) {
      opt->model = argv[++i];
    } else if ((arg == "--executions" || arg == "--interval" || arg == "--pool") && i + 1 < argc) {
      long value = std::strtol(argv[++i], nullptr, 10);
      if (value <= 0) {
        ERROR_LOG("%s needs a positive number", arg.c_str());
        return false;
      }
      (arg == "--executions" ? opt->executions : arg == "--interval" ? opt->interval : opt->pool) =
          static_cast<size_t>(value);
    } else if (arg.compare(0, 2, "--") != 0 && opt->input.empty()) {
      opt->input = arg;
    } else {
      ERROR_LOG("usage: main [--model M.om] [--executions N] [--interval K] [--pool P] input.bin");
      return false;
    }
  }
  if (opt->input.empty()) opt->input = "../data/dog1_1024_683.bin";
  if (opt->pool < opt->interval) {
    ERROR_LOG("--pool (%zu) must be at least --interval (%zu): a callback frees the pairs", opt->pool, opt->interval);
    return false;
  }
  return true;
}

bool CreatePool(aclmdlDesc* desc, const std::vector<char>& picture, size_t count) {
  const size_t inputSize = aclmdlGetInputSizeByIndex(desc, 0);
  if (picture.size() != inputSize) {
    ERROR_LOG("the picture has %zu bytes, the model input needs %zu", picture.size(), inputSize);
    return false;
  }
  for (size_t n = 0; n < count; ++n) {
    DatasetPair pair;
    pair.input = aclmdlCreateDataset();
    pair.output = aclmdlCreateDataset();
    void* in = nullptr;
    ACL_CHECK(aclrtMalloc(&in, inputSize, ACL_MEM_MALLOC_HUGE_FIRST), false);
    ACL_CHECK(aclrtMemcpy(in, inputSize, picture.data(), picture.size(), ACL_MEMCPY_HOST_TO_DEVICE), false);
    ACL_CHECK(aclmdlAddDatasetBuffer(pair.input, aclCreateDataBuffer(in, inputSize)), false);
    for (size_t i = 0; i < aclmdlGetNumOutputs(desc); ++i) {
      size_t size = aclmdlGetOutputSizeByIndex(desc, i);
      void* out = nullptr;
      ACL_CHECK(aclrtMalloc(&out, size, ACL_MEM_MALLOC_HUGE_FIRST), false);
      ACL_CHECK(aclmdlAddDatasetBuffer(pair.output, aclCreateDataBuffer(out, size)), false);
    }
    g_pool.Put(pair);
  }
  return true;
}

void DestroyPool() {
  std::vector<DatasetPair> pairs = g_pool.Drain();
  for (size_t p = 0; p < pairs.size(); ++p) {
    aclmdlDataset* sets[2] = {pairs[p].input, pairs[p].output};
    for (int s = 0; s < 2; ++s) {
      for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(sets[s]); ++i) {
        aclDataBuffer* buffer = aclmdlGetDatasetBuffer(sets[s], i);
        aclrtFree(aclGetDataBufferAddr(buffer));
        aclDestroyDataBuffer(buffer);
      }
      aclmdlDestroyDataset(sets[s]);
    }
  }
}

// Queues the executions and their callbacks; returns false on the first failed submission.
bool Submit(uint32_t modelId, aclrtStream stream, const Options& opt) {
  CallbackBatch* batch = new CallbackBatch;
  for (size_t n = 0; n < opt.executions; ++n) {
    DatasetPair pair = g_pool.Take();
    pair.execution = n;
    aclError ret = aclmdlExecuteAsync(modelId, pair.input, pair.output, stream);
    if (ret != ACL_SUCCESS) {
      ERROR_LOG("aclmdlExecuteAsync failed, errorCode = %d: %s", static_cast<int>(ret), aclGetRecentErrMsg());
      g_pool.Put(pair);
      delete batch;
      return false;
    }
    batch->pairs.push_back(pair);
    if (batch->pairs.size() == opt.interval || n + 1 == opt.executions) {
      ret = aclrtLaunchCallback(CallBackFunc, batch, ACL_CALLBACK_BLOCK, stream);
      if (ret != ACL_SUCCESS) {
        ERROR_LOG("aclrtLaunchCallback failed, errorCode = %d: %s", static_cast<int>(ret), aclGetRecentErrMsg());
        delete batch;
        return false;
      }
      batch = new CallbackBatch;
    }
  }
  delete batch;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!ParseArgs(argc, argv, &opt)) return 1;
  std::vector<char> picture;
  if (!sample::ReadFile(opt.input, &picture)) return 1;

  ACL_CHECK(aclInit(nullptr), 1);
  ACL_CHECK(aclrtSetDevice(0), 1);
  aclrtContext context = nullptr;
  ACL_CHECK(aclrtCreateContext(&context, 0), 1);
  aclrtStream stream = nullptr;
  ACL_CHECK(aclrtCreateStream(&stream), 1);
  ACL_CHECK(aclrtGetRunMode(&g_runMode), 1);

  size_t workSize = 0, weightSize = 0;
  void *workPtr = nullptr, *weightPtr = nullptr;
  uint32_t modelId = 0;
  ACL_CHECK(aclmdlQuerySize(opt.model.c_str(), &workSize, &weightSize), 1);
  ACL_CHECK(aclrtMalloc(&workPtr, workSize, ACL_MEM_MALLOC_HUGE_FIRST), 1);
  ACL_CHECK(aclrtMalloc(&weightPtr, weightSize, ACL_MEM_MALLOC_HUGE_FIRST), 1);
  ACL_CHECK(aclmdlLoadFromFileWithMem(opt.model.c_str(), &modelId, workPtr, workSize, weightPtr, weightSize), 1);
  aclmdlDesc* desc = aclmdlCreateDesc();
  ACL_CHECK(aclmdlGetDesc(desc, modelId), 1);
  bool ok = CreatePool(desc, picture, opt.pool);

  // The report thread, identified to AscendCL by its pthread id (what std::thread::id prints).
  std::atomic<bool> exitFlag(false);
  std::thread reporter(ProcessCallback, context, &exitFlag);
  std::ostringstream oss;
  oss << reporter.get_id();
  const uint64_t tid = std::stoull(oss.str());
  if (ok) ok = aclrtSubscribeReport(tid, stream) == ACL_SUCCESS;
  if (ok) ok = Submit(modelId, stream, opt);
  aclError syncRet = aclrtSynchronizeStream(stream);
  if (syncRet != ACL_SUCCESS) {
    ERROR_LOG("aclrtSynchronizeStream failed, errorCode = %d: %s", static_cast<int>(syncRet), aclGetRecentErrMsg());
    ok = false;
  }
  exitFlag = true;
  reporter.join();
  // As in the original sample, the subscription is removed after the thread has exited.
  aclrtUnSubscribeReport(tid, stream);
  INFO_LOG("%zu executions, %zu callbacks", opt.executions, g_callbacks);

  DestroyPool();
  aclmdlDestroyDesc(desc);
  aclmdlUnload(modelId);
  aclrtFree(workPtr);
  aclrtFree(weightPtr);
  aclrtDestroyStream(stream);
  aclrtDestroyContext(context);
  aclrtResetDevice(0);
  aclFinalize();
  return ok ? 0 : 1;
}
