#include "frontend/onnx/tensor_proto.h"

#include <algorithm>

// onnx_pb.h defines ONNX_API, which the generated onnx-data header needs: keep this order.
#include <onnx/onnx_pb.h>
#include <onnx/onnx-data_pb.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/file_util.h"

namespace kiln::onnx_frontend {

namespace fs = std::filesystem;

namespace {

// Memory-maps [offset, offset+length) of `path` read-only; the mapping lives as long as the
// returned owner.
Expected<Tensor> map_external(const std::string& path, size_t offset, size_t length, DType dtype,
                              const Shape& shape) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return not_found("external data file '{}' cannot be opened: {}", path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return io_error("cannot stat external data file '{}'", path);
  }
  size_t file_size = static_cast<size_t>(st.st_size);
  if (offset > file_size || length > file_size - offset) {
    ::close(fd);
    return invalid_model("external data '{}' is {} bytes, but the tensor needs bytes [{}, {})",
                         path, file_size, offset, offset + length);
  }
  if (length == 0) {
    ::close(fd);
    return Tensor(dtype, shape);
  }
  // mmap needs a page-aligned offset: map from the page start and point inside.
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t aligned = offset / page * page;
  size_t map_len = length + (offset - aligned);
  void* base = ::mmap(nullptr, map_len, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(aligned));
  ::close(fd);
  if (base == MAP_FAILED) return io_error("cannot map external data file '{}'", path);
  std::shared_ptr<void> owner(base, [map_len](void* p) { ::munmap(p, map_len); });
  void* data = static_cast<char*>(base) + (offset - aligned);
  if (reinterpret_cast<uintptr_t>(data) % 64 != 0) {
    // Unaligned in the file: copy once so kernels can rely on aligned data.
    Tensor copy(dtype, shape);
    std::memcpy(copy.raw(), data, length);
    return copy;
  }
  return Tensor::wrap(dtype, shape, data, owner);
}

// Fills `t` from a typed field whose size tensor_from_proto has already checked.
template <typename Field, typename Convert>
void copy_field(const Field& field, Tensor& t, Convert convert) {
  for (int64_t i = 0, n = t.numel(); i < n; ++i) convert(i, field);
}

// The inline field a tensor of `dtype` keeps its values in, and how many that field holds.
struct InlineValues {
  const char* field;
  size_t count;
};

InlineValues inline_values(const onnx::TensorProto& proto, DType dtype) {
  if (proto.has_raw_data()) return {"raw_data", proto.raw_data().size()};
  switch (dtype) {
    case DType::kFloat32: return {"float_data", static_cast<size_t>(proto.float_data_size())};
    case DType::kFloat64: return {"double_data", static_cast<size_t>(proto.double_data_size())};
    case DType::kInt64: return {"int64_data", static_cast<size_t>(proto.int64_data_size())};
    case DType::kUInt32:
    case DType::kUInt64: return {"uint64_data", static_cast<size_t>(proto.uint64_data_size())};
    case DType::kString: return {"string_data", static_cast<size_t>(proto.string_data_size())};
    default: return {"int32_data", static_cast<size_t>(proto.int32_data_size())};
  }
}

}  // namespace

Expected<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir,
                                   const std::string& what) {
  return tensor_from_proto(proto, base_dir, what, nullptr);
}

Expected<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir,
                                   const std::string& what, const ExternalDataResolver* resolver) {
  if (!dtype_is_valid(proto.data_type())) {
    return unsupported("{} has data type {}, which Kiln does not support", what,
                       proto.data_type());
  }
  DType dtype = static_cast<DType>(proto.data_type());
  Shape shape;
  for (int64_t d : proto.dims()) {
    if (d < 0) return invalid_model("{} has a negative dimension {}", what, d);
    shape.push_back(d);
  }
  // guard against absurd sizes before allocating
  {
    // Multiply the non-zero dims: shape_numel's running product must not overflow even when a
    // zero dim comes last (found by the loader fuzzer), and 0-byte dtypes (string) still count.
    long double nonzero = 1;
    for (int64_t d : shape) nonzero *= static_cast<long double>(std::max<int64_t>(d, 1));
    const long double bytes = nonzero * static_cast<long double>(std::max<size_t>(dtype_size(dtype), 1));
    if (nonzero > static_cast<long double>(1ULL << 40) || bytes > static_cast<long double>(1ULL << 40)) {
      return invalid_model("{} claims {} elements, more than Kiln can hold", what,
                           shape_str(shape));
    }
  }
  const size_t elem = dtype_size(dtype);
  const int64_t n = shape_numel(shape);

  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    size_t offset = 0;
    std::optional<size_t> length;
    for (const auto& kv : proto.external_data()) {
      try {
        if (kv.key() == "location") location = kv.value();
        else if (kv.key() == "offset") offset = std::stoull(kv.value());
        else if (kv.key() == "length") length = std::stoull(kv.value());
      } catch (...) {
        return invalid_model("{} has a malformed external_data {} '{}'", what, kv.key(), kv.value());
      }
    }
    if (location.empty()) return invalid_model("{} is external but names no location", what);
    if (resolver && *resolver) {
      if (dtype == DType::kString) return unsupported("{}: external string data", what);
      const size_t need = static_cast<size_t>(n) * elem;
      if (length && *length != need) {
        return invalid_model("{} external data length is {} bytes but dims {} of {} need {}",
                             what, *length, shape_str(shape), dtype_name(dtype), need);
      }
      return (*resolver)(ExternalDataRef{location, offset, need, dtype, shape, what});
    }
    fs::path loc(location);
    if (loc.is_absolute() || location.find("..") != std::string::npos) {
      return invalid_model("{} external data location '{}' must be a relative path inside the model's folder",
                           what, location);
    }
    if (dtype == DType::kString) return unsupported("{}: external string data", what);
    size_t need = static_cast<size_t>(n) * elem;
    if (length && *length != need) {
      return invalid_model("{} external data length is {} bytes but dims {} of {} need {}",
                           what, *length, shape_str(shape), dtype_name(dtype), need);
    }
    std::string path = (fs::path(base_dir) / loc).string();
    return map_external(path, offset, need, dtype, shape);
  }

  if (dtype == DType::kComplex64 || dtype == DType::kComplex128) {
    return unsupported("{}: complex tensors", what);
  }
  if (proto.has_raw_data() && dtype == DType::kString) {
    return invalid_model("{}: strings cannot use raw_data", what);
  }
  // Check the stored values against the dims before allocating: the dims alone may claim up to
  // 2^40 bytes (found by the loader fuzzer), but a model can only hold what its bytes carry.
  const InlineValues stored = inline_values(proto, dtype);
  const size_t need = proto.has_raw_data() ? static_cast<size_t>(n) * elem : static_cast<size_t>(n);
  if (stored.count != need) {
    return invalid_model("{} has {} {} in {} but dims {} of {} need {}", what, stored.count,
                         proto.has_raw_data() ? "bytes" : "values", stored.field, shape_str(shape),
                         dtype_name(dtype), need);
  }
  Tensor t(dtype, shape);
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (!raw.empty()) std::memcpy(t.raw(), raw.data(), raw.size());
    return t;
  }
  if (n == 0) return t;

  switch (dtype) {
    case DType::kFloat32:
      copy_field(proto.float_data(), t,
                 [&](int64_t i, const auto& f) { t.data<float>()[i] = f[static_cast<int>(i)]; });
      break;
    case DType::kFloat64:
      copy_field(proto.double_data(), t,
                 [&](int64_t i, const auto& f) { t.data<double>()[i] = f[static_cast<int>(i)]; });
      break;
    case DType::kInt64:
      copy_field(proto.int64_data(), t,
                 [&](int64_t i, const auto& f) { t.data<int64_t>()[i] = f[static_cast<int>(i)]; });
      break;
    case DType::kUInt32:
    case DType::kUInt64:
      copy_field(proto.uint64_data(), t, [&](int64_t i, const auto& f) {
        if (dtype == DType::kUInt32) t.data<uint32_t>()[i] = static_cast<uint32_t>(f[static_cast<int>(i)]);
        else t.data<uint64_t>()[i] = f[static_cast<int>(i)];
      });
      break;
    case DType::kString:
      copy_field(proto.string_data(), t,
                 [&](int64_t i, const auto& f) { t.data<std::string>()[i] = f[static_cast<int>(i)]; });
      break;
    default: {
      // int32_data carries int32 and every narrower type (fp16/bf16 as their bit patterns).
      copy_field(proto.int32_data(), t, [&](int64_t i, const auto& f) {
        int32_t v = f[static_cast<int>(i)];
        switch (dtype) {
          case DType::kInt32: t.data<int32_t>()[i] = v; break;
          case DType::kInt16: t.data<int16_t>()[i] = static_cast<int16_t>(v); break;
          case DType::kInt8: t.data<int8_t>()[i] = static_cast<int8_t>(v); break;
          case DType::kUInt16: t.data<uint16_t>()[i] = static_cast<uint16_t>(v); break;
          case DType::kUInt8: t.data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
          case DType::kBool: t.data<bool>()[i] = v != 0; break;
          case DType::kFloat16: t.data<float16>()[i].bits = static_cast<uint16_t>(v); break;
          case DType::kBFloat16: t.data<bfloat16>()[i].bits = static_cast<uint16_t>(v); break;
          default: break;
        }
      });
      break;
    }
  }
  return t;
}

void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape()) proto->add_dims(d);
  if (t.dtype() == DType::kString) {
    for (int64_t i = 0; i < t.numel(); ++i) proto->add_string_data(t.data<std::string>()[i]);
  } else {
    proto->set_raw_data(t.raw(), t.nbytes());
  }
}

ir::TypeInfo type_from_proto(const onnx::TypeProto& proto) {
  if (proto.has_tensor_type()) {
    const auto& tt = proto.tensor_type();
    DType elem = dtype_is_valid(tt.elem_type()) ? static_cast<DType>(tt.elem_type()) : DType::kUndefined;
    if (!tt.has_shape()) return ir::TypeInfo::tensor_unknown_shape(elem);
    std::vector<ir::Dim> dims;
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value() && d.dim_value() >= 0) dims.emplace_back(d.dim_value());
      else if (d.has_dim_param()) dims.push_back(ir::Dim::named(d.dim_param()));
      else dims.emplace_back();
    }
    return ir::TypeInfo::tensor(elem, std::move(dims));
  }
  if (proto.has_sequence_type()) {
    return ir::TypeInfo::sequence_of(type_from_proto(proto.sequence_type().elem_type()));
  }
  if (proto.has_optional_type()) {
    return ir::TypeInfo::optional_of(type_from_proto(proto.optional_type().elem_type()));
  }
  return {};
}

namespace {

Expected<Value> value_from_sequence(const onnx::SequenceProto& seq, const std::string& what);

Expected<Value> value_from_optional(const onnx::OptionalProto& opt, const std::string& what) {
  switch (opt.elem_type()) {
    case onnx::OptionalProto::TENSOR: {
      KILN_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(opt.tensor_value(), ".", what));
      return Value(std::move(t));
    }
    case onnx::OptionalProto::SEQUENCE:
      return value_from_sequence(opt.sequence_value(), what);
    case onnx::OptionalProto::UNDEFINED:
      return Value();
    default:
      return unsupported("'{}': optional of maps/sparse tensors", what);
  }
}

Expected<Value> value_from_sequence(const onnx::SequenceProto& seq, const std::string& what) {
  if (seq.elem_type() != onnx::SequenceProto::TENSOR && seq.elem_type() != onnx::SequenceProto::UNDEFINED) {
    return unsupported("'{}': sequences of non-tensors", what);
  }
  Sequence s;
  for (const auto& tp : seq.tensor_values()) {
    KILN_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(tp, ".", what));
    s.elem_type = t.dtype();
    s.items.push_back(std::move(t));
  }
  return Value(std::move(s));
}

}  // namespace

Expected<Value> read_value_pb(const std::string& path, const ir::TypeInfo& expected) {
  KILN_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  if (expected.kind == ir::TypeInfo::Kind::kSequence) {
    onnx::SequenceProto seq;
    if (!seq.ParseFromString(bytes)) return invalid_argument("'{}' is not a valid SequenceProto", path);
    KILN_ASSIGN_OR_RETURN(Value v, value_from_sequence(seq, path));
    if (expected.inner && v.sequence().elem_type == DType::kUndefined) v.sequence().elem_type = expected.inner->elem;
    return v;
  }
  if (expected.kind == ir::TypeInfo::Kind::kOptional) {
    onnx::OptionalProto opt;
    if (!opt.ParseFromString(bytes)) return invalid_argument("'{}' is not a valid OptionalProto", path);
    return value_from_optional(opt, path);
  }
  onnx::TensorProto tp;
  if (!tp.ParseFromString(bytes)) return invalid_argument("'{}' is not a valid ONNX TensorProto", path);
  std::string dir = fs::path(path).parent_path().string();
  KILN_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(tp, dir.empty() ? "." : dir, path));
  if (expected.kind == ir::TypeInfo::Kind::kTensor && expected.elem == DType::kBFloat16 &&
      t.dtype() == DType::kUInt16) {
    // ONNX's reference data stores bfloat16 values as their uint16 bit patterns (numpy has no
    // bfloat16); reinterpret them as the declared type.
    Tensor b(DType::kBFloat16, t.shape());
    if (t.nbytes() > 0) std::memcpy(b.raw(), t.raw(), t.nbytes());
    t = std::move(b);
  }
  return Value(std::move(t));
}

Status write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name) {
  onnx::TensorProto tp;
  tensor_to_proto(t, name, &tp);
  return write_file_atomic(path, tp.SerializeAsString());
}

}  // namespace kiln::onnx_frontend
