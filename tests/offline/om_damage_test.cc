// Damaged, truncated, wrong-version and hand-made `.om` files: every one is a clear error naming
// the file (never a crash or an out-of-bounds read: the unit tests also run under ASan+UBSan),
// and write_om leaves nothing behind when it fails.
#include <algorithm>
#include <filesystem>
#include <functional>

#include "core/file_util.h"
#include "frontend/onnx/onnx_writer.h"
#include "offline/om_plan.h"
#include "offline/om_test_util.h"

namespace kiln {
namespace {

using namespace test_util;
using offline::SectionKind;

// A small valid .om (the conv model, optimized, with its plan) as bytes.
const std::string& small_om() {
  static const std::string bytes = [] {
    TempDir dir;
    GraphBuilder b = conv_model();
    auto s = Session::create(b.model);
    EXPECT_TRUE(s);
    EXPECT_TRUE(offline::write_om(dir.file("small.om"), meta_for((*s)->model()), (*s)->model(), &(*s)->memory_plan()).is_ok());
    return *read_file(dir.file("small.om"));
  }();
  return bytes;
}

std::string error_of(const std::string& bytes, bool verify = true) {
  auto om = read_bytes(bytes, verify, "damaged.om");
  if (om) return "";
  EXPECT_NE(om.status().message().find("damaged.om"), std::string::npos) << om.status().message();
  return om.status().message();
}

uint32_t section_kind_at(const std::string& f, size_t i) {
  return peek<uint32_t>(f, offline::kHeaderBytes + i * offline::kSectionEntryBytes);
}
size_t entry_of(const std::string& f, SectionKind kind) {
  for (size_t i = 0; i < peek<uint32_t>(f, offline::kOffSectionCount); ++i) {
    if (section_kind_at(f, i) == static_cast<uint32_t>(kind)) return offline::kHeaderBytes + i * offline::kSectionEntryBytes;
  }
  ADD_FAILURE() << "no section " << static_cast<int>(kind);
  return 0;
}

TEST(OfflineModelDamage, SmallFileReadsBack) {
  ASSERT_GT(small_om().size(), 1000u);
  auto om = read_bytes(small_om());
  ASSERT_TRUE(om) << om.status().to_string();
}

TEST(OfflineModelDamage, EveryTruncationIsAnError) {
  const std::string& f = small_om();
  for (size_t len = 0; len < f.size(); ++len) {
    for (bool verify : {true, false}) {
      std::string msg = error_of(f.substr(0, len), verify);
      ASSERT_FALSE(msg.empty()) << "truncated to " << len << " bytes was accepted";
    }
  }
  EXPECT_NE(error_of(f.substr(0, 10)).find("shorter than the 64-byte"), std::string::npos);
  EXPECT_NE(error_of(f.substr(0, 100)).find("truncated"), std::string::npos);
}

TEST(OfflineModelDamage, EveryCorruptedByteIsAnError) {
  const std::string& f = small_om();
  for (size_t i = 0; i < f.size(); ++i) {
    std::string g = f;
    g[i] = static_cast<char>(g[i] ^ 0x5a);
    ASSERT_FALSE(error_of(g).empty()) << "byte " << i << " corrupted was accepted";
  }
  std::string g = f;
  g[f.size() - 1] ^= 1;
  EXPECT_NE(error_of(g).find("corrupted: checksum"), std::string::npos);
}

// Without the checksum the parsers see every damaged byte: errors or a usable model, never a crash.
TEST(OfflineModelDamage, CorruptedBytesWithoutChecksumNeverCrash) {
  const std::string& f = small_om();
  for (size_t i = 0; i < f.size(); ++i) {
    for (uint8_t x : {0x01, 0xff}) {
      std::string g = f;
      g[i] = static_cast<char>(g[i] ^ x);
      auto om = read_bytes(g, false, "damaged.om");
      // Sessions (oneDNN primitives) are costly: prepare one for the bit flips that still load.
      if (om && x == 0x01) (void)offline::create_session(*om, {});
    }
  }
}

TEST(OfflineModelDamage, WrongVersionNamesFileAndBothVersions) {
  std::string f = small_om();
  poke<uint32_t>(f, offline::kOffVersion, 7);
  fix_checksum(f);
  const std::string msg = error_of(f);
  EXPECT_NE(msg.find("version 7"), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 1"), std::string::npos) << msg;
  EXPECT_EQ(read_bytes(f).status().code(), StatusCode::kUnsupported);
}

TEST(OfflineModelDamage, WrongMagicIsNotAnOm) {
  std::string f = small_om();
  f[0] = 'X';
  EXPECT_NE(error_of(f).find("not a Kiln offline model"), std::string::npos);
  TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir.file("x.om"), f).is_ok());
  EXPECT_FALSE(offline::is_om_file(dir.file("x.om")));
  EXPECT_FALSE(offline::is_om_file(dir.file("missing.om")));
  auto missing = offline::read_om(dir.file("missing.om"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("missing.om"), std::string::npos);
}

TEST(OfflineModelDamage, BadHeaderFieldsAreErrors) {
  const std::string& f = small_om();
  auto with = [&](size_t off, auto value) {
    std::string g = f;
    poke(g, off, value);
    fix_checksum(g);
    return error_of(g);
  };
  EXPECT_NE(with(offline::kOffHeaderBytes, uint32_t{48}).find("header size"), std::string::npos);
  EXPECT_NE(with(offline::kOffFileBytes, uint64_t{f.size() + 64}).find("the header says"), std::string::npos);
  EXPECT_NE(with(offline::kOffSectionCount, uint32_t{0}).find("section count 0"), std::string::npos);
  EXPECT_NE(with(offline::kOffSectionCount, uint32_t{0xffffffff}).find("section count"), std::string::npos);
  EXPECT_NE(with(offline::kOffSectionCount, uint32_t{60}).find("outside"), std::string::npos);
  EXPECT_NE(with(offline::kOffEntryBytes, uint32_t{16}).find("entries are 16 bytes"), std::string::npos);
  EXPECT_NE(with(offline::kOffTableOffset, uint64_t{~0ull - 8}).find("section table"), std::string::npos);
  EXPECT_NE(with(offline::kOffTableOffset, uint64_t{0}).find("section table"), std::string::npos);
}

TEST(OfflineModelDamage, BadSectionOffsetsSizesAndKindsAreErrors) {
  const std::string& f = small_om();
  const size_t graph = entry_of(f, SectionKind::kGraph);
  const size_t weights = entry_of(f, SectionKind::kWeights);
  const size_t meta = entry_of(f, SectionKind::kMeta);
  auto with = [&](size_t off, uint64_t value, bool verify = true) {
    std::string g = f;
    poke<uint64_t>(g, off, value);
    fix_checksum(g);
    return error_of(g, verify);
  };
  EXPECT_NE(with(graph + 8, f.size() + 64).find("lies outside"), std::string::npos);
  EXPECT_NE(with(graph + 16, f.size()).find("lies outside"), std::string::npos);
  EXPECT_NE(with(graph + 16, ~0ull).find("lies outside"), std::string::npos);
  EXPECT_NE(with(weights + 8, ~0ull & ~63ull).find("lies outside"), std::string::npos);
  EXPECT_NE(with(graph + 8, peek<uint64_t>(f, graph + 8) + 8).find("not 64-byte aligned"), std::string::npos);
  EXPECT_NE(with(graph + 8, 0).find("lies outside"), std::string::npos);  // over the header and table
  EXPECT_NE(with(graph + 8, peek<uint64_t>(f, meta + 8)).find("overlap"), std::string::npos);
  // Same kind twice; a required section missing (its kind changed to an unknown one, which is skipped).
  {
    std::string g = f;
    poke<uint32_t>(g, graph, static_cast<uint32_t>(SectionKind::kMeta));
    fix_checksum(g);
    EXPECT_NE(error_of(g).find("appears twice"), std::string::npos);
    poke<uint32_t>(g, graph, 99);
    fix_checksum(g);
    EXPECT_NE(error_of(g).find("has no GRAPH section"), std::string::npos);
  }
  // A section shrunk so its content is cut: the parser of that section reports it.
  EXPECT_NE(with(meta + 16, 10).find("META section is not valid JSON"), std::string::npos);
  EXPECT_NE(with(graph + 16, 10).find("not a valid ONNX model"), std::string::npos);
  EXPECT_NE(with(weights + 16, 64).find("WEIGHTS bytes"), std::string::npos);
}

// Hand-assembled files: a GRAPH whose external data points outside WEIGHTS, misaligned, or at
// another location; META/PLAN that do not match the graph.
struct Parts {
  std::string meta, graph, weights, plan;
  std::shared_ptr<ir::Model> model;
};

Parts parts_with(std::function<Expected<onnx_frontend::ExternalRef>(const Tensor&, std::string& weights)> place) {
  Parts p;
  GraphBuilder b = conv_model();
  auto s = Session::create(b.model);
  EXPECT_TRUE(s);
  p.model = b.model;
  onnx_frontend::WriteOptions o;
  o.external = [&](const Tensor& t) { return place(t, p.weights); };
  p.graph = *onnx_frontend::write_model_bytes((*s)->model(), o);
  p.meta = offline::metadata_to_json(meta_for((*s)->model()));
  p.plan = offline::plan_to_json((*s)->memory_plan());
  return p;
}

Expected<onnx_frontend::ExternalRef> good_place(const Tensor& t, std::string& w) {
  const size_t off = offline::align_up(w.size());
  w.resize(off + t.nbytes());
  std::memcpy(w.data() + off, t.raw(), t.nbytes());
  w.resize(offline::align_up(w.size()));
  return onnx_frontend::ExternalRef{offline::kWeightsLocation, off};
}

std::string file_of(const Parts& p) {
  return assemble({{1, p.meta}, {4, p.plan}, {2, p.graph}, {3, p.weights}});
}

TEST(OfflineModelDamage, HandAssembledGoodFileReads) {
  Parts p = parts_with(good_place);
  auto om = read_bytes(file_of(p));
  ASSERT_TRUE(om) << om.status().to_string();
  EXPECT_TRUE(om->memory_plan);
}

TEST(OfflineModelDamage, BadExternalDataReferencesAreErrors) {
  auto msg = [](auto place) {
    Parts p = parts_with(place);
    return error_of(file_of(p), false);
  };
  EXPECT_NE(msg([](const Tensor& t, std::string& w) {
              auto r = good_place(t, w);
              r->offset += 1u << 30;
              return r;
            }).find("needs WEIGHTS bytes"), std::string::npos);
  EXPECT_NE(msg([](const Tensor& t, std::string& w) {
              auto r = good_place(t, w);
              r->offset = ~0ull - 4;
              return r;
            }).find("needs WEIGHTS bytes"), std::string::npos);
  EXPECT_NE(msg([](const Tensor& t, std::string& w) {
              auto r = good_place(t, w);
              w.resize(w.size() + 64);
              r->offset += 4;
              return r;
            }).find("not 64-byte aligned"), std::string::npos);
  EXPECT_NE(msg([](const Tensor& t, std::string& w) {
              auto r = good_place(t, w);
              r->location = "/etc/passwd";
              return r;
            }).find("may only refer to 'kiln:weights'"), std::string::npos);
}

TEST(OfflineModelDamage, BadPlanAndInterfaceAreErrors) {
  Parts good = parts_with(good_place);
  auto msg = [&](const std::string& plan, const std::string& meta = "") {
    Parts p = good;
    p.plan = plan;
    if (!meta.empty()) p.meta = meta;
    return error_of(file_of(p));
  };
  EXPECT_NE(msg("nope").find("PLAN section is not a JSON object"), std::string::npos);
  EXPECT_NE(msg(R"({"slots":[]})").find("arena_bytes"), std::string::npos);
  EXPECT_NE(msg(R"({"arena_bytes":64,"slots":[["no_such_value",0,64]]})").find("does not have"), std::string::npos);
  EXPECT_NE(msg(R"({"arena_bytes":64,"slots":[["x",0,64]]})").find("not computed by a node"), std::string::npos);
  // A real activation of the graph: outside the arena, too small, misaligned, listed twice.
  const ir::Value* act = nullptr;
  auto om = read_bytes(file_of(good));
  ASSERT_TRUE(om);
  for (const auto& [v, slot] : om->memory_plan->slots) act = v;
  ASSERT_NE(act, nullptr);
  const std::string name = act->name;
  EXPECT_NE(msg(fmt::format(R"({{"arena_bytes":64,"slots":[["{}",0,1000000]]}})", name)).find("outside the 64-byte arena"),
            std::string::npos);
  EXPECT_NE(msg(fmt::format(R"({{"arena_bytes":1000000,"slots":[["{}",0,4]]}})", name)).find("needs"), std::string::npos);
  EXPECT_NE(msg(fmt::format(R"({{"arena_bytes":1000000,"slots":[["{}",8,100000]]}})", name)).find("not 64-byte aligned"),
            std::string::npos);
  EXPECT_NE(msg(fmt::format(R"({{"arena_bytes":1000000,"slots":[["{}",0,100000],["{}",0,100000]]}})", name, name))
                .find("listed twice"),
            std::string::npos);
  EXPECT_NE(msg(R"({"arena_bytes":64,"slots":[],"views":["x"]})").find("views[0]"), std::string::npos);
  EXPECT_NE(msg(R"({"arena_bytes":64,"slots":[[1,2]]})").find("slots[0]"), std::string::npos);
  // META binding to a graph input that does not exist.
  offline::Metadata m = meta_for(*om->model);
  m.inputs[0].graph_name = "ghost";
  EXPECT_NE(msg(good.plan, offline::metadata_to_json(m)).find("'ghost'"), std::string::npos);
  m = meta_for(*om->model);
  m.format_version = 3;
  EXPECT_NE(msg(good.plan, offline::metadata_to_json(m)).find("META says format version 3"), std::string::npos);
}

TEST(OfflineModelWrite, FailedWriteLeavesNothing) {
  TempDir dir;
  GraphBuilder b = conv_model();
  auto s = Session::create(b.model);
  ASSERT_TRUE(s);
  const ir::Model& m = (*s)->model();
  // Into a folder that does not exist.
  Status st = offline::write_om(dir.file("no/such/dir/m.om"), meta_for(m), m, nullptr);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("m.om"), std::string::npos);
  // Onto a path that is a folder: the rename fails and the temporary file is removed.
  std::filesystem::create_directory(dir.file("taken.om"));
  EXPECT_FALSE(offline::write_om(dir.file("taken.om"), meta_for(m), m, nullptr).is_ok());
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"taken.om"});
  // A model that cannot be serialized (a graph attribute without a graph): no file at all, and
  // an existing .om at the path is left as it was.
  ASSERT_TRUE(offline::write_om(dir.file("keep.om"), meta_for(m), m, nullptr).is_ok());
  const std::string before = *read_file(dir.file("keep.om"));
  auto broken = std::make_shared<ir::Model>();
  broken->opsets[""] = 17;
  broken->graph = std::make_shared<ir::Graph>();
  ir::Value* c = broken->graph->get_or_create("c");
  ir::Value* y = broken->graph->get_or_create("y");
  ir::Node* n = broken->graph->add_node("If", "", 17, {c}, {y}, "if");
  n->attrs["then_branch"].kind = ir::Attribute::Kind::kGraph;  // g left null
  EXPECT_FALSE(offline::write_om(dir.file("broken.om"), {}, *broken, nullptr).is_ok());
  EXPECT_FALSE(offline::write_om(dir.file("keep.om"), {}, *broken, nullptr).is_ok());
  auto names = dir.entries();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"keep.om", "taken.om"}));
  EXPECT_EQ(*read_file(dir.file("keep.om")), before);
}

}  // namespace
}  // namespace kiln
