// Gather / GatherElements with a run-time index tensor: randomized against a
// direct multi-index oracle for every data and index type, run-time indices
// out of range (kInvalidArgument from Invoke, nothing read out of bounds:
// ASan), and hostile files refused at load.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "mote/diagnostics.h"
#include "mote/model.h"
#include "util/mote_builder.h"

namespace mote {
namespace {

using schema::ElementType;
using testing::Bytes;
using Shape = std::vector<int32_t>;

size_t Count(const Shape& s) {
  size_t n = 1;
  for (int32_t d : s) n *= static_cast<size_t>(d);
  return n;
}

std::vector<size_t> Strides(const Shape& s) {
  std::vector<size_t> st(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * static_cast<size_t>(s[d]);
  return st;
}

// Multi-index of flat position `k` in `s`.
std::vector<int64_t> Unflat(size_t k, const Shape& s) {
  std::vector<int64_t> i(s.size());
  for (size_t d = s.size(); d-- > 0;) {
    i[d] = static_cast<int64_t>(k % static_cast<size_t>(s[d]));
    k /= static_cast<size_t>(s[d]);
  }
  return i;
}

std::vector<float> Quant(ElementType t) {
  return t == ElementType::Int8 || t == ElementType::Int16 ? std::vector<float>{0.25f}
                                                           : std::vector<float>{};
}
std::vector<int32_t> Zp(ElementType t) {
  return t == ElementType::Int8    ? std::vector<int32_t>{3}
         : t == ElementType::Int16 ? std::vector<int32_t>{0}
                                   : std::vector<int32_t>{};
}

size_t SizeOf(ElementType t) {
  return t == ElementType::Int8 ? 1 : t == ElementType::Int16 ? 2 : t == ElementType::Int64 ? 8 : 4;
}

struct GatherModel {
  ElementType type = ElementType::Float32;
  ElementType index_type = ElementType::Int32;
  Shape data = {3, 4}, indices = {2}, out = {2, 4};
  int axis = 0;
  bool elements = false;
  bool const_data = false;
  std::vector<uint8_t> data_bytes;  // the constant data (const_data)
  std::vector<float> out_scale;     // empty: the data's

  testing::ModelSpec Spec() const {
    const GatherModel m = *this;
    const std::vector<float> os = out_scale.empty() ? Quant(type) : out_scale;
    testing::TensorSpec d{"data", type, data, Quant(type), Zp(type), -1, const_data ? 0 : -1,
                          0,      {}};
    testing::ModelSpec spec =
        testing::OneOp(schema::OpCode::Gather, schema::OpOptions::GatherOptions,
                       {d,
                        {"indices", index_type, indices, {}, {}, -1, -1, 0, {}},
                        {"y", type, out, os, Zp(type), -1, -1, 0, {}}},
                       {0, 1}, {2}, [m](flatbuffers::FlatBufferBuilder& fbb) {
                         return schema::CreateGatherOptions(fbb, m.axis, m.elements).Union();
                       });
    if (const_data) spec.buffers = {data_bytes};
    return spec;
  }
};

std::string g_last;  // the last diagnostic, for failure messages
void Remember(const Diagnostic& d, void*) { g_last = d.message; }

Status LoadStatus(const testing::ModelSpec& spec) {
  SetDiagnosticHandler(Remember, nullptr);
  const testing::Aligned a(testing::BuildMote(spec));
  return Model::Load({a.data(), a.size()}).status();
}

std::vector<uint8_t> IndexBytes(const std::vector<int64_t>& v, ElementType t) {
  if (t == ElementType::Int64) return Bytes(v);
  std::vector<int32_t> n(v.begin(), v.end());
  return Bytes(n);
}

// Random data bytes (any pattern is a valid int8/int16/int32; floats of small integers).
std::vector<uint8_t> RandomData(std::mt19937& rng, ElementType t, size_t n) {
  std::vector<uint8_t> b(n * SizeOf(t));
  if (t == ElementType::Float32) {
    std::vector<float> f(n);
    for (auto& v : f)
      v = static_cast<float>(std::uniform_int_distribution<int>(-1000, 1000)(rng)) / 8;
    std::memcpy(b.data(), f.data(), b.size());
  } else {
    for (auto& v : b) v = static_cast<uint8_t>(rng());
  }
  return b;
}

void ExpectGather(ElementType type, ElementType index_type, bool elements, bool const_data,
                  uint32_t seed) {
  std::mt19937 rng(seed);
  const auto r = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const size_t es = SizeOf(type);
  for (int iter = 0; iter < 200; ++iter) {
    GatherModel m;
    m.type = type;
    m.index_type = index_type;
    m.elements = elements;
    m.const_data = const_data;
    const int rank = r(1, 3);
    m.data.clear();
    for (int d = 0; d < rank; ++d) m.data.push_back(r(1, 5));
    m.axis = r(0, rank - 1);
    const size_t axis = static_cast<size_t>(m.axis);
    m.indices.clear();
    if (elements) {
      for (int d = 0; d < rank; ++d) {
        m.indices.push_back(d == m.axis ? r(1, 6) : r(1, m.data[static_cast<size_t>(d)]));
      }
      m.out = m.indices;
    } else {
      const int irank = r(0, 2);
      for (int d = 0; d < irank; ++d) m.indices.push_back(r(1, 4));
      m.out.assign(m.data.begin(), m.data.begin() + m.axis);
      m.out.insert(m.out.end(), m.indices.begin(), m.indices.end());
      m.out.insert(m.out.end(), m.data.begin() + m.axis + 1, m.data.end());
      if (m.out.empty()) continue;  // a scalar output (0-D tensors are not model tensors here)
    }
    const int dim = m.data[axis];
    std::vector<int64_t> idx(Count(m.indices));
    for (auto& v : idx) v = r(-dim, dim - 1);  // negative ones count from the end
    const std::vector<uint8_t> data = RandomData(rng, type, Count(m.data));
    m.data_bytes = data;
    std::vector<std::vector<uint8_t>> inputs;
    if (!const_data) inputs.push_back(data);
    inputs.push_back(IndexBytes(idx, index_type));
    SetDiagnosticHandler(Remember, nullptr);
    const auto res = testing::RunMote(testing::BuildMote(m.Spec()), inputs);
    ASSERT_EQ(res.status, Status::kOk) << "iter " << iter << ": " << g_last;
    const std::vector<uint8_t>& got = res.outputs[0];
    ASSERT_EQ(got.size(), Count(m.out) * es);
    const std::vector<size_t> ds = Strides(m.data);
    for (size_t k = 0; k < Count(m.out); ++k) {
      const std::vector<int64_t> o = Unflat(k, m.out);
      size_t src = 0;
      if (elements) {
        const int64_t v = idx[k] < 0 ? idx[k] + dim : idx[k];
        for (size_t d = 0; d < m.data.size(); ++d)
          src += static_cast<size_t>(d == axis ? v : o[d]) * ds[d];
      } else {
        size_t j = 0;
        const std::vector<size_t> is = Strides(m.indices);
        for (size_t d = 0; d < m.indices.size(); ++d) j += static_cast<size_t>(o[axis + d]) * is[d];
        const int64_t v = idx[j] < 0 ? idx[j] + dim : idx[j];
        for (size_t d = 0; d < m.data.size(); ++d) {
          const int64_t at = d < axis ? o[d] : d == axis ? v : o[d + m.indices.size() - 1];
          src += static_cast<size_t>(at) * ds[d];
        }
      }
      ASSERT_EQ(0, std::memcmp(got.data() + k * es, data.data() + src * es, es))
          << "iter " << iter << " element " << k;
    }
  }
}

TEST(GatherOp, FloatInt32Indices) {
  ExpectGather(ElementType::Float32, ElementType::Int32, false, false, 1);
}
TEST(GatherOp, Int8Int64Indices) {
  ExpectGather(ElementType::Int8, ElementType::Int64, false, false, 2);
}
TEST(GatherOp, Int16Int32Indices) {
  ExpectGather(ElementType::Int16, ElementType::Int32, false, false, 3);
}
TEST(GatherOp, Int32Data) { ExpectGather(ElementType::Int32, ElementType::Int32, false, false, 4); }
TEST(GatherOp, ConstantTableEmbedding) {
  ExpectGather(ElementType::Int8, ElementType::Int32, false, true, 5);
}
TEST(GatherOp, ConstantFloatTable) {
  ExpectGather(ElementType::Float32, ElementType::Int64, false, true, 6);
}
TEST(GatherElementsOp, Float) {
  ExpectGather(ElementType::Float32, ElementType::Int32, true, false, 7);
}
TEST(GatherElementsOp, Int8Int64Indices) {
  ExpectGather(ElementType::Int8, ElementType::Int64, true, false, 8);
}
TEST(GatherElementsOp, Int16) {
  ExpectGather(ElementType::Int16, ElementType::Int32, true, false, 9);
}

// An index outside [-dim, dim) read at run time: Invoke fails, naming the op;
// nothing outside the data is read (ASan builds check that).
TEST(GatherOp, RunTimeIndexOutOfRangeFailsInvoke) {
  for (bool elements : {false, true}) {
    for (int64_t bad : {int64_t{4}, int64_t{-5}, int64_t{1} << 40, INT64_MIN}) {
      for (ElementType it : {ElementType::Int32, ElementType::Int64}) {
        if (it == ElementType::Int32 && (bad > INT32_MAX || bad < INT32_MIN)) continue;
        GatherModel m;
        m.index_type = it;
        m.elements = elements;
        m.data = {4, 3};
        m.indices = elements ? Shape{2, 3} : Shape{2};
        m.out = elements ? Shape{2, 3} : Shape{2, 3};
        std::vector<int64_t> idx(Count(m.indices), 1);
        idx.back() = bad;
        std::vector<float> data(12, 1.0f);
        const auto res =
            testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(data), IndexBytes(idx, it)});
        EXPECT_EQ(res.status, Status::kInvalidArgument)
            << "index " << bad << " elements " << elements;
        // The same model runs again once the index is valid.
        idx.back() = -4;
        const auto ok =
            testing::RunMote(testing::BuildMote(m.Spec()), {Bytes(data), IndexBytes(idx, it)});
        EXPECT_EQ(ok.status, Status::kOk);
      }
    }
  }
}

TEST(GatherOp, HostileFilesAreRefused) {
  EXPECT_EQ(LoadStatus(GatherModel{}.Spec()), Status::kOk) << g_last;
  const auto refused = [](GatherModel m, const char* why) {
    EXPECT_EQ(LoadStatus(m.Spec()), Status::kCorruptFile) << why;
  };
  GatherModel m;
  m.axis = 2;
  refused(m, "axis past the rank");
  m = GatherModel{};
  m.axis = -1;
  refused(m, "negative axis (modelc normalizes it)");
  m = GatherModel{};
  m.out = {2, 5};
  refused(m, "output shape");
  m = GatherModel{};
  m.out = {2, 4, 1};
  refused(m, "output rank");
  m = GatherModel{};
  m.index_type = ElementType::Float32;
  refused(m, "float indices");
  m = GatherModel{};
  m.index_type = ElementType::Int16;
  refused(m, "int16 indices");
  m = GatherModel{};
  m.type = ElementType::Int8;
  m.out_scale = {0.5f};
  refused(m, "output parameters differ from the data's");
  m = GatherModel{};
  m.type = ElementType::UInt8;
  refused(m, "uint8 data");
  m = GatherModel{};
  m.elements = true;
  m.indices = {2, 5};
  m.out = {2, 5};
  refused(m, "elements: indices exceed the data off the axis");
  m = GatherModel{};
  m.elements = true;
  m.indices = {2};
  m.out = {2};
  refused(m, "elements: rank differs");
  m = GatherModel{};
  m.elements = true;
  m.indices = {5, 4};
  m.out = {5, 4};
  EXPECT_EQ(LoadStatus(m.Spec()), Status::kOk) << "elements: more indices than data along the axis";
}

}  // namespace
}  // namespace mote
