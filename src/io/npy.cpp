#include "factopic/io/npy.hpp"

#include <fmt/core.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <regex>
#include <type_traits>

#include "factopic/core/error.hpp"
#include "factopic/core/file.hpp"

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

linalg::Matrix<double> read_npy_matrix(const std::string& path) {
    const std::string bytes = read_file(path);
    const auto fail = [&](const std::string& why) { return ParseError(path, 0, why); };
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw fail("not a .npy file (no \\x93NUMPY magic)");
    const auto major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_len = 0, offset = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(bytes[8]) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) throw fail("truncated header");
        for (int b = 3; b >= 0; --b)
            header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + static_cast<std::size_t>(b)]);
        offset = 12;
    } else {
        throw fail(fmt::format("unsupported .npy format version {}", major));
    }
    if (bytes.size() < offset + header_len) throw fail("truncated header");
    const std::string header = bytes.substr(offset, header_len);
    std::smatch descr, order, shape;
    if (!std::regex_search(header, descr, std::regex(R"('descr'\s*:\s*'([^']*)')")) ||
        !std::regex_search(header, order, std::regex(R"('fortran_order'\s*:\s*(True|False))")) ||
        !std::regex_search(header, shape, std::regex(R"('shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*\))")))
        throw fail(fmt::format("expected a 2-D array; the header is {}",
                               header.substr(0, header.find_last_not_of(" \n") + 1)));
    const std::string type = descr[1];
    if (type != "<f8" && type != "<f4")
        throw fail(fmt::format("dtype '{}' is not supported (float64 '<f8' or float32 '<f4')", type));
    const bool fortran = order[1] == "True";
    const std::int64_t rows = std::stoll(shape[1]), cols = std::stoll(shape[2]);
    const std::size_t width = type == "<f8" ? 8 : 4, count = static_cast<std::size_t>(rows * cols);
    const std::size_t data = offset + header_len;
    if (bytes.size() != data + count * width)
        throw fail(fmt::format("{} bytes of data, but a {} x {} {} array needs {}", bytes.size() - data, rows, cols,
                               type, count * width));
    linalg::Matrix<double> m(rows, cols);
    for (std::size_t e = 0; e < count; ++e) {
        double v;
        if (width == 8) {
            std::memcpy(&v, bytes.data() + data + e * 8, 8);
        } else {
            float f;
            std::memcpy(&f, bytes.data() + data + e * 4, 4);
            v = f;
        }
        const auto r =
            static_cast<std::int64_t>(fortran ? e % static_cast<std::size_t>(std::max<std::int64_t>(rows, 1))
                                              : e / static_cast<std::size_t>(std::max<std::int64_t>(cols, 1)));
        const auto c =
            static_cast<std::int64_t>(fortran ? e / static_cast<std::size_t>(std::max<std::int64_t>(rows, 1))
                                              : e % static_cast<std::size_t>(std::max<std::int64_t>(cols, 1)));
        m(r, c) = v;
    }
    return m;
}

}  // namespace factopic::io
