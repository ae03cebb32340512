// Helpers for the .om tests: small models built in code, a metadata block for them, temporary
// folders, and a section assembler for hand-made (damaged) files with a valid checksum.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "offline/offline_model.h"
#include "offline/om_format.h"
#include "passes/pass_check.h"

namespace kiln::test_util {

namespace fs = std::filesystem;

// A fresh empty folder under the system temp dir, removed on destruction.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("kiln_om_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename().string());
    return names;
  }
};

// x[1,3,8,8] -> Conv(3x3, pad 1) + bias -> Relu -> Reshape[1,-1] -> MatMul -> Add -> y[1,5]; the
// CPU passes fuse Conv+Relu into kiln.FusedConv.
inline GraphBuilder conv_model() {
  GraphBuilder b(17);
  ir::Value* x = b.input("x", {1, 3, 8, 8}, 7);
  ir::Node* conv = b.node("Conv", {x, b.constant(random_tensor({4, 3, 3, 3}, 11)), b.constant(random_tensor({4}, 12))});
  attr_ints(conv, "pads", {1, 1, 1, 1});
  attr_ints(conv, "kernel_shape", {3, 3});
  ir::Value* r = b.op("Relu", {conv->outputs[0]});
  ir::Value* flat = b.op("Reshape", {r, b.ints({1, -1})});
  ir::Value* mm = b.op("MatMul", {flat, b.constant(random_tensor({256, 5}, 13))});
  b.output(b.op("Add", {mm, b.constant(random_tensor({5}, 14))}));
  EXPECT_TRUE(b.g->finalize().is_ok());
  return b;
}

// The interface block the converter would write for a model whose inputs/outputs are plain data.
inline offline::Metadata meta_for(const ir::Model& model) {
  offline::Metadata m;
  m.producer = "kiln test";
  m.isa = "avx2";
  m.soc_version = "cpu";
  m.command_line = "atc --model=test.onnx --framework=5 --output=test --soc_version=cpu";
  m.source_path = "test.onnx";
  m.source_hash = "0123456789abcdef";
  auto desc = [](const ir::Value* v) {
    offline::TensorDesc d;
    d.name = d.graph_name = v->name;
    d.dtype = v->type.elem;
    if (v->type.dims) {
      for (const ir::Dim& dim : *v->type.dims) d.dims.push_back(dim.known() ? dim.value : -1);
    }
    d.format = d.dims.size() == 4 ? offline::Format::kNCHW : offline::Format::kND;
    if (v->type.fully_known()) d.bytes = shape_numel(v->type.concrete()) * static_cast<int64_t>(dtype_size(v->type.elem));
    return d;
  };
  for (const ir::Value* v : model.graph->inputs) m.inputs.push_back(desc(v));
  for (const ir::Value* v : model.graph->outputs) m.outputs.push_back(desc(v));
  return m;
}

inline void expect_close(const std::vector<Value>& got, const std::vector<Value>& want, double rtol = 1e-4,
                         double atol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const Tensor& a = got[i].tensor();
    const Tensor& b = want[i].tensor();
    ASSERT_EQ(a.dtype(), b.dtype()) << "output " << i;
    ASSERT_EQ(a.shape(), b.shape()) << "output " << i;
    for (int64_t k = 0; k < a.numel(); ++k) {
      const double x = a.as_double(k), y = b.as_double(k);
      ASSERT_LE(std::abs(x - y), atol + rtol * std::abs(y)) << "output " << i << " element " << k;
    }
  }
}

template <typename T>
void poke(std::string& file, size_t offset, T value) {
  std::memcpy(file.data() + offset, &value, sizeof value);
}
template <typename T>
T peek(const std::string& file, size_t offset) {
  T v;
  std::memcpy(&v, file.data() + offset, sizeof v);
  return v;
}
inline void fix_checksum(std::string& file) {
  poke<uint64_t>(file, offline::kOffChecksum,
                 offline::om_checksum(reinterpret_cast<const uint8_t*>(file.data()), file.size()));
}

// A well-formed file (header, table, aligned sections, checksum) from raw section bytes.
inline std::string assemble(const std::vector<std::pair<uint32_t, std::string>>& sections) {
  using namespace offline;
  size_t end = align_up(kHeaderBytes + sections.size() * kSectionEntryBytes);
  std::vector<size_t> offsets;
  for (const auto& s : sections) {
    offsets.push_back(end);
    end = align_up(end + s.second.size());
  }
  std::string file(end, '\0');
  std::memcpy(file.data(), kMagic, sizeof kMagic);
  poke<uint32_t>(file, kOffVersion, kFormatVersion);
  poke<uint32_t>(file, kOffHeaderBytes, kHeaderBytes);
  poke<uint64_t>(file, kOffFileBytes, file.size());
  poke<uint32_t>(file, kOffSectionCount, static_cast<uint32_t>(sections.size()));
  poke<uint32_t>(file, kOffEntryBytes, kSectionEntryBytes);
  poke<uint64_t>(file, kOffTableOffset, kHeaderBytes);
  for (size_t i = 0; i < sections.size(); ++i) {
    const size_t e = kHeaderBytes + i * kSectionEntryBytes;
    poke<uint32_t>(file, e, sections[i].first);
    poke<uint64_t>(file, e + 8, offsets[i]);
    poke<uint64_t>(file, e + 16, sections[i].second.size());
    std::memcpy(file.data() + offsets[i], sections[i].second.data(), sections[i].second.size());
  }
  fix_checksum(file);
  return file;
}

// Reads `bytes` through read_om_from_bytes from a 64-byte aligned copy.
inline Expected<offline::OfflineModel> read_bytes(const std::string& bytes, bool verify = true,
                                                  const std::string& name = "test.om") {
  std::shared_ptr<void> buf(std::aligned_alloc(64, std::max<size_t>(64, (bytes.size() + 63) / 64 * 64)), std::free);
  if (!bytes.empty()) std::memcpy(buf.get(), bytes.data(), bytes.size());
  offline::ReadOptions o;
  o.verify_checksum = verify;
  return offline::read_om_from_bytes(buf, static_cast<const uint8_t*>(buf.get()), bytes.size(), name, o);
}

}  // namespace kiln::test_util
