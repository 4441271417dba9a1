#include "factopic/io/npy.hpp"

#include <fmt/core.h>

#include <bit>
#include <cstdint>
#include <type_traits>

namespace factopic::io {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy writer assumes a little-endian host");

template <typename T>
void write_header(AtomicFile& file, const std::string& shape, bool fortran) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
    std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': {}, 'shape': {}, }}",
                                   std::is_same_v<T, float> ? "<f4" : "<f8", fortran ? "True" : "False", shape);
    // Magic (6) + version (2) + length (2) + dict + padding + '\n' is a multiple of 64.
    const std::size_t unpadded = 10 + dict.size() + 1;
    dict.append((64 - unpadded % 64) % 64, ' ');
    dict.push_back('\n');
    const auto len = static_cast<std::uint16_t>(dict.size());
    std::string head = "\x93NUMPY";
    head.push_back('\x01');
    head.push_back('\x00');
    head.push_back(static_cast<char>(len & 0xff));
    head.push_back(static_cast<char>(len >> 8));
    file.write(head);
    file.write(dict);
}

}  // namespace

template <typename T>
void write_npy(AtomicFile& file, const linalg::Matrix<T>& m) {
    write_header<T>(file, fmt::format("({}, {})", m.rows, m.cols), true);
    file.write(std::string_view(reinterpret_cast<const char*>(m.ptr()), m.data.size() * sizeof(T)));
}

template <typename T>
void write_npy(AtomicFile& file, const std::vector<T>& v) {
    write_header<T>(file, fmt::format("({},)", v.size()), false);
    file.write(std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)));
}

template void write_npy(AtomicFile&, const linalg::Matrix<float>&);
template void write_npy(AtomicFile&, const linalg::Matrix<double>&);
template void write_npy(AtomicFile&, const std::vector<float>&);
template void write_npy(AtomicFile&, const std::vector<double>&);

}  // namespace factopic::io
