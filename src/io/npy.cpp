#include "factopic/io/npy.hpp"

#include <fmt/core.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "factopic/core/error.hpp"
#include "factopic/core/piece_reader.hpp"

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

namespace {

/// The header dictionary of a .npy file, a Python literal such as
/// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
struct NpyHeader {
    std::string descr;
    bool fortran = false;
    std::vector<std::uint64_t> shape;
};

/// Parses the literals numpy writes (strings, True/False, tuples of non-negative integers)
/// without a regular expression engine, whose recursion a long header could exhaust.
class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& path) : m_text(text), m_path(path) {}

    NpyHeader parse() {
        NpyHeader h;
        bool descr = false, order = false, shape = false;
        expect('{');
        while (true) {
            skip_space();
            if (peek() == '}') break;
            const std::string key = string_literal();
            expect(':');
            skip_space();
            if (key == "descr") {
                h.descr = string_literal();
                descr = true;
            } else if (key == "fortran_order") {
                h.fortran = boolean();
                order = true;
            } else if (key == "shape") {
                h.shape = tuple();
                shape = true;
            } else {
                fail(fmt::format("unexpected key '{}' in the header (descr, fortran_order and shape only)", key));
            }
            skip_space();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() != '}') fail(fmt::format("expected ',' or '}}' at header offset {}", m_pos));
        }
        ++m_pos;
        skip_space();
        if (m_pos != m_text.size())
            fail(fmt::format("unexpected text after the header dictionary at offset {}", m_pos));
        if (!descr || !order || !shape) fail("the header lacks one of 'descr', 'fortran_order', 'shape'");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& why) const { throw ParseError(m_path, 0, why); }
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    void skip_space() {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n'))
            ++m_pos;
    }
    void expect(char c) {
        skip_space();
        if (peek() != c) fail(fmt::format("expected '{}' at header offset {}", c, m_pos));
        ++m_pos;
    }
    std::string string_literal() {
        skip_space();
        const char quote = peek();
        if (quote != '\'' && quote != '"') fail(fmt::format("expected a quoted string at header offset {}", m_pos));
        const std::size_t end = m_text.find(quote, m_pos + 1);
        if (end == std::string_view::npos) fail("unterminated string in the header");
        std::string s(m_text.substr(m_pos + 1, end - m_pos - 1));
        m_pos = end + 1;
        return s;
    }
    bool boolean() {
        for (const std::string_view word : {std::string_view("True"), std::string_view("False")})
            if (m_text.substr(m_pos, word.size()) == word) {
                m_pos += word.size();
                return word == "True";
            }
        fail(fmt::format("expected True or False at header offset {}", m_pos));
    }
    std::vector<std::uint64_t> tuple() {
        expect('(');
        std::vector<std::uint64_t> dims;
        while (true) {
            skip_space();
            if (peek() == ')') break;
            std::uint64_t v = 0;
            const char* const first = m_text.data() + m_pos;
            const auto [ptr, ec] = std::from_chars(first, m_text.data() + m_text.size(), v);
            if (ec == std::errc::result_out_of_range)
                fail(fmt::format("shape entry {} does not fit in 64 bits",
                                 m_text.substr(m_pos, m_text.find_first_not_of("0123456789", m_pos) - m_pos)));
            if (ec != std::errc{}) fail(fmt::format("expected a dimension at header offset {}", m_pos));
            m_pos += static_cast<std::size_t>(ptr - first);
            dims.push_back(v);
            if (dims.size() > 32) fail("more than 32 dimensions");
            skip_space();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() != ')') fail(fmt::format("expected ',' or ')' at header offset {}", m_pos));
        }
        ++m_pos;
        return dims;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    const std::string& m_path;
};

// numpy refuses headers over 10,000 bytes unless told otherwise (max_header_size); a factor's
// header is about 118.
constexpr std::size_t max_header_bytes = 1 << 16;

}  // namespace

linalg::Matrix<double> read_npy_matrix(const std::string& path) {
    PieceReader file(path);
    const auto fail = [&](const std::string& why) { return ParseError(path, 0, why); };
    std::string bytes;
    file.read(bytes, 10);
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw fail("not a .npy file (no \\x93NUMPY magic)");
    const auto major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_len = 0, offset = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(bytes[8]) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (file.read(bytes, 2) < 2) throw fail("truncated header");
        for (int b = 3; b >= 0; --b)
            header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + static_cast<std::size_t>(b)]);
        offset = 12;
    } else {
        throw fail(fmt::format("unsupported .npy format version {}", major));
    }
    if (header_len > max_header_bytes)
        throw fail(fmt::format("a header of {} bytes (more than {}): not a matrix factopic can read", header_len,
                               max_header_bytes));
    if (file.read(bytes, header_len) < header_len) throw fail("truncated header");
    const std::string_view raw = std::string_view(bytes).substr(offset);
    const NpyHeader header = HeaderParser(raw, path).parse();
    if (header.shape.size() != 2)
        throw fail(
            fmt::format("expected a 2-D array; the header is {}", raw.substr(0, raw.find_last_not_of(" \n") + 1)));
    const std::string& type = header.descr;
    if (type != "<f8" && type != "<f4")
        throw fail(fmt::format("dtype '{}' is not supported (float64 '<f8' or float32 '<f4')", type));
    const bool fortran = header.fortran;
    const std::uint64_t rows = header.shape[0], cols = header.shape[1];
    const std::uint64_t width = type == "<f8" ? 8 : 4;
    // The data's size in bytes, unless it overflows: then no file can hold it.
    std::uint64_t count = 0, need = 0;
    const bool overflow = __builtin_mul_overflow(rows, cols, &count) || __builtin_mul_overflow(count, width, &need) ||
                          rows > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
                          cols > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    const std::size_t data = offset + header_len;
    if (overflow) throw fail(fmt::format("a {} x {} {} array has more bytes than any file can hold", rows, cols, type));
    if (file.size() && *file.size() != data + need)
        throw fail(fmt::format("{} bytes of data, but a {} x {} {} array needs {}",
                               *file.size() >= data ? *file.size() - data : 0, rows, cols, type, need));
    bytes.erase(0, data);
    file.read(bytes, need);
    if (bytes.size() != need)
        throw fail(
            fmt::format("{} bytes of data, but a {} x {} {} array needs {}", bytes.size(), rows, cols, type, need));
    if (!file.at_end())
        throw fail(fmt::format("more bytes of data than a {} x {} {} array needs ({})", rows, cols, type, need));
    const auto r_count = static_cast<std::int64_t>(rows), c_count = static_cast<std::int64_t>(cols);
    linalg::Matrix<double> m(r_count, c_count);
    for (std::uint64_t e = 0; e < count; ++e) {
        double v;
        if (width == 8) {
            std::memcpy(&v, bytes.data() + e * 8, 8);
        } else {
            float f;
            std::memcpy(&f, bytes.data() + e * 4, 4);
            v = f;
        }
        const auto r = static_cast<std::int64_t>(fortran ? e % rows : e / cols);
        const auto c = static_cast<std::int64_t>(fortran ? e / rows : e % cols);
        m(r, c) = v;
    }
    return m;
}

}  // namespace factopic::io
