#include "core/npy.h"

#include <cstring>

#include "core/file_util.h"

namespace kiln {

namespace {

struct Descr {
  const char* code;  // numpy dtype.str without the byte-order character
  DType dtype;
};
constexpr Descr kDescrs[] = {
    {"f4", DType::kFloat32}, {"f8", DType::kFloat64}, {"f2", DType::kFloat16}, {"i1", DType::kInt8},
    {"i2", DType::kInt16},   {"i4", DType::kInt32},   {"i8", DType::kInt64},   {"u1", DType::kUInt8},
    {"u2", DType::kUInt16},  {"u4", DType::kUInt32},  {"u8", DType::kUInt64},  {"b1", DType::kBool},
};

// Finds the value text after `'key':` in the header dict.
std::string header_field(const std::string& header, const std::string& key) {
  auto pos = header.find("'" + key + "'");
  if (pos == std::string::npos) return {};
  pos = header.find(':', pos);
  if (pos == std::string::npos) return {};
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  if (pos >= header.size()) return {};
  char open = header[pos];
  char close = open == '(' ? ')' : open == '\'' ? '\'' : ',';
  size_t end = header.find(close, pos + 1);
  if (end == std::string::npos) return {};
  return header.substr(open == '(' || open == '\'' ? pos + 1 : pos, end - pos - (open == '(' || open == '\'' ? 1 : 0));
}

}  // namespace

Expected<Tensor> parse_npy(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) {
    return invalid_argument("'{}' is not a .npy file (bad magic)", name);
  }
  int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0;
  size_t header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return invalid_argument("'{}' is truncated", name);
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    header_start = 12;
  } else {
    return unsupported("'{}' uses .npy format version {}", name, major);
  }
  if (header_start + header_len > bytes.size()) return invalid_argument("'{}' is truncated in its header", name);
  std::string header = bytes.substr(header_start, header_len);
  std::string descr = header_field(header, "descr");
  std::string fortran = header_field(header, "fortran_order");
  std::string shape_text = header_field(header, "shape");
  if (descr.size() < 3) return invalid_argument("'{}' has no dtype descr in its header", name);
  if (fortran.find("True") != std::string::npos) {
    return unsupported("'{}' is in Fortran order; save it with numpy.ascontiguousarray first", name);
  }
  char order = descr[0];
  std::string code = descr.substr(1);
  DType dtype = DType::kUndefined;
  for (const Descr& d : kDescrs) {
    if (code == d.code) dtype = d.dtype;
  }
  if (dtype == DType::kUndefined) return unsupported("'{}' has numpy dtype '{}', which Kiln does not read", name, descr);
  if (order == '>' && dtype_size(dtype) > 1) return unsupported("'{}' is big-endian ('{}')", name, descr);
  Shape shape;
  size_t pos = 0;
  while (pos < shape_text.size()) {
    while (pos < shape_text.size() && (shape_text[pos] == ' ' || shape_text[pos] == ',')) ++pos;
    if (pos >= shape_text.size()) break;
    size_t end = pos;
    while (end < shape_text.size() && std::isdigit(static_cast<unsigned char>(shape_text[end]))) ++end;
    if (end == pos) return invalid_argument("'{}' has a malformed shape '({})'", name, shape_text);
    shape.push_back(std::stoll(shape_text.substr(pos, end - pos)));
    pos = end;
  }
  size_t data_start = header_start + header_len;
  Tensor t(dtype, shape);
  if (bytes.size() - data_start < t.nbytes()) {
    return invalid_argument("'{}' holds {} data bytes but shape {} of {} needs {}", name, bytes.size() - data_start,
                            shape_str(shape), dtype_name(dtype), t.nbytes());
  }
  if (t.nbytes()) std::memcpy(t.raw(), bytes.data() + data_start, t.nbytes());
  return t;
}

Expected<Tensor> read_npy(const std::string& path) {
  KILN_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return parse_npy(bytes, path);
}

std::string serialize_npy(const Tensor& t) {
  const char* code = nullptr;
  for (const Descr& d : kDescrs) {
    if (d.dtype == t.dtype()) code = d.code;
  }
  Tensor data = t;
  if (!code) {  // bfloat16 and others: widen to float32, which numpy reads natively
    data = cast_tensor(t, DType::kFloat32);
    code = "f4";
  }
  std::string shape;
  for (size_t i = 0; i < t.shape().size(); ++i) shape += std::to_string(t.shape()[i]) + (t.shape().size() == 1 ? "," : i + 1 < t.shape().size() ? ", " : "");
  std::string header = fmt::format("{{'descr': '{}{}', 'fortran_order': False, 'shape': ({}), }}",
                                   dtype_size(data.dtype()) == 1 ? "|" : "<", code, shape);
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(static_cast<const char*>(data.raw()), data.nbytes());
  return out;
}

Status write_npy(const std::string& path, const Tensor& t) {
  return write_file_atomic(path, serialize_npy(t));
}

}  // namespace kiln
