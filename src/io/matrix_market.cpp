#include "factopic/io/matrix_market.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "factopic/core/error.hpp"
#include "factopic/core/piece_reader.hpp"
#include "factopic/io/atomic_file.hpp"

namespace factopic::io {

namespace {

enum class MmFormat { coordinate, array };
enum class MmField { real, integer, pattern };
enum class MmSymmetry { general, symmetric, skew_symmetric };

// Column indices are int32; rows share the limit so that a corrupt size line cannot ask for an
// indptr array of absurd size.
constexpr std::int64_t max_dimension = std::numeric_limits<std::int32_t>::max();

// Rows and columns cost memory before any entry is read (8 bytes of row offsets per row here,
// a factor's row or column per row or column in every decomposition), so a size line may not
// declare more of them than the file has bytes, beyond this allowance (8 MiB of row offsets).
// A real matrix has few empty rows or columns, and each non-empty one takes a line of at least
// six bytes, so the rule only stops size lines that lie.
constexpr std::int64_t free_dimension = std::int64_t{1} << 20;

/// ParseError at the size line when it declares more rows or columns than the rule allows.
void require_plausible_shape(const std::string& path, std::size_t size_line, std::int64_t rows, std::int64_t cols,
                             std::uint64_t bytes) {
    const std::int64_t limit = std::max<std::int64_t>(
        free_dimension, static_cast<std::int64_t>(std::min<std::uint64_t>(bytes, max_dimension)));
    const auto check = [&](std::int64_t n, const char* what) {
        if (n > limit)
            throw ParseError(path, size_line,
                             "the size line declares " + std::to_string(n) + " " + what + " in a file of " +
                                 std::to_string(bytes) + " bytes: above " + std::to_string(free_dimension) + ", " +
                                 what + " may not outnumber the file's bytes (most would be empty)");
    };
    check(rows, "rows");
    check(cols, "columns");
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

struct Line {
    std::string_view text;   ///< without the line end and surrounding white space
    std::size_t number = 0;  ///< 1-based
};

/// Splits a trimmed line at white space into out; returns the number of fields, N + 1 when
/// there are more than N.
template <std::size_t N>
std::size_t split_fields(std::string_view text, std::array<std::string_view, N>& out) {
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_blank(text[i])) ++i;
        if (i == text.size()) break;
        std::size_t j = i;
        while (j < text.size() && !is_blank(text[j])) ++j;
        if (n == N) return N + 1;
        out[n++] = text.substr(i, j - i);
        i = j;
    }
    return n;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// A token for an error message, quoted and cut short.
std::string quoted(std::string_view token) {
    constexpr std::size_t max_shown = 40;
    // Appending rather than operator+ keeps GCC 12's -Wrestrict false positive away.
    std::string out(1, '\'');
    out.append(token.substr(0, max_shown));
    if (token.size() > max_shown) out.append("...");
    out.push_back('\'');
    return out;
}

template <typename T>
constexpr const char* scalar_name() {
    return std::is_same_v<T, float> ? "float" : "double";
}

class Parser {
public:
    explicit Parser(const std::string& path) : m_path(path) {}

    [[noreturn]] void fail(std::size_t line, const std::string& message) const {
        throw ParseError(m_path, line, message);
    }

    /// A 1-based index in [1, bound], returned 0-based.
    std::int32_t index(std::string_view token, std::int64_t bound, const char* what, std::size_t line) const {
        std::int64_t v = 0;
        const char* const last = token.data() + token.size();
        const auto [ptr, ec] = std::from_chars(token.data(), last, v);
        if (ec == std::errc::invalid_argument || ptr != last)
            fail(line, std::string("malformed ") + what + " index " + quoted(token));
        if (ec == std::errc::result_out_of_range || v < 1 || v > bound)
            fail(line, std::string(what) + " index " + std::string(token) + " out of range [1, " +
                           std::to_string(bound) + "]");
        return static_cast<std::int32_t>(v - 1);
    }

    /// A count on the size line: a non-negative integer.
    std::int64_t count(std::string_view token, const char* what, std::string_view text, std::size_t line) const {
        std::int64_t v = 0;
        const char* const last = token.data() + token.size();
        const auto [ptr, ec] = std::from_chars(token.data(), last, v);
        if (ec != std::errc{} || ptr != last || v < 0)
            fail(line, "bad size line " + quoted(text) + ": " + what + " " + quoted(token) +
                           " is not a non-negative 64-bit integer");
        return v;
    }

    template <typename T>
    T value(std::string_view token, MmField field, std::size_t line) const {
        std::string_view t = token;
        // C's strtod accepts a leading '+', from_chars does not.
        if (t.size() > 1 && t[0] == '+' && t[1] != '+' && t[1] != '-') t.remove_prefix(1);
        const char* const last = t.data() + t.size();
        if (field == MmField::integer) {
            std::int64_t v = 0;
            const auto [ptr, ec] = std::from_chars(t.data(), last, v);
            if (ec == std::errc::invalid_argument || ptr != last)
                fail(line, "malformed integer value " + quoted(token));
            if (ec == std::errc::result_out_of_range)
                fail(line, "integer value " + quoted(token) + " does not fit in 64 bits");
            return static_cast<T>(v);
        }
        T v{};
        const auto [ptr, ec] = std::from_chars(t.data(), last, v);
        if (ec == std::errc::invalid_argument || ptr != last) fail(line, "malformed value " + quoted(token));
        if (ec == std::errc::result_out_of_range) {
            // from_chars reports both overflow and underflow; only overflow is an error, an
            // underflow rounds to zero as strtod's result does.
            const std::string copy(t);
            if (std::fabs(std::strtold(copy.c_str(), nullptr)) >= 1)
                fail(line, "value " + quoted(token) + " is out of range for " + scalar_name<T>());
            return T(0);
        }
        if (!std::isfinite(v)) fail(line, "NaN/Inf value " + quoted(token) + " is not allowed");
        return v;
    }

private:
    const std::string& m_path;
};

/// The lines of a file read in chunks: memory holds one chunk and the line being read, never
/// the whole file, and a line longer than max_line_bytes (an endless one, from /dev/zero or a
/// binary file) is an error as soon as it passes the limit.
class Lines {
public:
    Lines(PieceReader& file, const Parser& parser) : m_file(file), m_parser(parser) {}

    /// The first bytes, before any line is taken: enough to check the banner's first word.
    std::string_view peek(std::size_t n) {
        while (m_buf.size() - m_pos < n && m_file.read(m_buf, chunk_bytes) > 0) {
        }
        return std::string_view(m_buf).substr(m_pos, n);
    }

    bool next(Line& line) {
        std::size_t nl = m_buf.find('\n', m_pos);
        while (nl == std::string::npos) {
            if (m_pos > 0) {
                m_buf.erase(0, m_pos);
                m_pos = 0;
            }
            const std::size_t scanned = m_buf.size();
            if (m_buf.size() > max_line_bytes)
                m_parser.fail(m_number + 1, "line longer than " + std::to_string(max_line_bytes) +
                                                " bytes (Matrix Market lines have at most 1024 characters)");
            if (m_file.read(m_buf, chunk_bytes) == 0) break;
            nl = m_buf.find('\n', scanned);
        }
        if (m_pos == m_buf.size()) return false;
        const std::size_t end = nl == std::string::npos ? m_buf.size() : nl;
        std::string_view text = std::string_view(m_buf).substr(m_pos, end - m_pos);
        m_pos = nl == std::string::npos ? m_buf.size() : nl + 1;
        while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
        while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
        line = {text, ++m_number};
        return true;
    }

    /// The next line that is neither blank nor a '%' comment.
    bool next_data(Line& line) {
        while (next(line))
            if (!line.text.empty() && line.text.front() != '%') return true;
        return false;
    }

private:
    // The NIST format limits a line to 1024 characters; this is lenient towards writers that
    // ignore it while still stopping an endless line early.
    static constexpr std::size_t max_line_bytes = std::size_t{1} << 20;
    static constexpr std::size_t chunk_bytes = std::size_t{1} << 16;

    PieceReader& m_file;
    const Parser& m_parser;
    std::string m_buf;
    std::size_t m_pos = 0;
    std::size_t m_number = 0;
};

template <typename T>
struct Triplet {
    std::int32_t row;
    std::int32_t col;
    T value;
};

template <typename T>
struct ColumnValue {
    std::int32_t col;
    T value;
};

}  // namespace

template <typename T>
CsrMatrix<T> read_matrix_market(const std::string& path) {
    PieceReader file(path);
    const Parser parser(path);
    Lines lines(file, parser);
    Line line;

    // Banner: %%MatrixMarket matrix <format> <field> <symmetry>. Its first word is checked on
    // the first bytes, so a file of another kind fails before a line of it is read.
    constexpr std::string_view banner = "%%matrixmarket";
    std::string_view head = lines.peek(256);
    if (head.empty()) parser.fail(0, "empty file: no %%MatrixMarket banner");
    while (!head.empty() && is_blank(head.front())) head.remove_prefix(1);
    if (lower_ascii(head.substr(0, banner.size())) != banner)
        parser.fail(1, "missing Matrix Market banner: the first line must start with %%MatrixMarket");
    if (!lines.next(line)) parser.fail(0, "empty file: no %%MatrixMarket banner");
    std::array<std::string_view, 5> words;
    const std::size_t n_words = split_fields(line.text, words);
    if (n_words == 0 || lower_ascii(words[0]) != "%%matrixmarket")
        parser.fail(line.number, "missing Matrix Market banner: the first line must start with %%MatrixMarket");
    if (n_words != 5)
        parser.fail(line.number, "bad banner " + quoted(line.text) +
                                     ": expected '%%MatrixMarket matrix <format> <field> <symmetry>'");
    const std::string object = lower_ascii(words[1]);
    const std::string format_word = lower_ascii(words[2]);
    const std::string field_word = lower_ascii(words[3]);
    const std::string symmetry_word = lower_ascii(words[4]);
    if (object != "matrix") parser.fail(line.number, "unsupported object " + quoted(words[1]) + ": expected 'matrix'");
    MmFormat format{};
    if (format_word == "coordinate")
        format = MmFormat::coordinate;
    else if (format_word == "array")
        format = MmFormat::array;
    else
        parser.fail(line.number, "unknown format " + quoted(words[2]) + ": expected 'coordinate' or 'array'");
    MmField field{};
    if (field_word == "real" || field_word == "double")
        field = MmField::real;
    else if (field_word == "integer")
        field = MmField::integer;
    else if (field_word == "pattern")
        field = MmField::pattern;
    else if (field_word == "complex")
        parser.fail(line.number, "complex matrices are not supported");
    else
        parser.fail(line.number,
                    "unknown field " + quoted(words[3]) + ": expected 'real', 'double', 'integer' or 'pattern'");
    MmSymmetry symmetry{};
    if (symmetry_word == "general")
        symmetry = MmSymmetry::general;
    else if (symmetry_word == "symmetric")
        symmetry = MmSymmetry::symmetric;
    else if (symmetry_word == "skew-symmetric")
        symmetry = MmSymmetry::skew_symmetric;
    else if (symmetry_word == "hermitian")
        parser.fail(line.number, "hermitian matrices are not supported (they are complex)");
    else
        parser.fail(line.number,
                    "unknown symmetry " + quoted(words[4]) + ": expected 'general', 'symmetric' or 'skew-symmetric'");
    if (format == MmFormat::array && field == MmField::pattern)
        parser.fail(line.number, "'array pattern' is not a valid Matrix Market type");
    if (field == MmField::pattern && symmetry == MmSymmetry::skew_symmetric)
        parser.fail(line.number, "'pattern skew-symmetric' is not a valid Matrix Market type");

    // Size line: "rows cols entries" (coordinate) or "rows cols" (array).
    if (!lines.next_data(line)) parser.fail(0, "missing size line after the banner");
    const std::size_t size_line = line.number;
    const std::size_t size_fields = format == MmFormat::coordinate ? 3 : 2;
    const char* const size_rule =
        format == MmFormat::coordinate ? "expected 'rows columns entries'" : "expected 'rows columns'";
    std::array<std::string_view, 3> fields;
    if (split_fields(line.text, fields) != size_fields)
        parser.fail(size_line, "bad size line " + quoted(line.text) + ": " + size_rule);
    const std::int64_t rows = parser.count(fields[0], "rows", line.text, size_line);
    const std::int64_t cols = parser.count(fields[1], "columns", line.text, size_line);
    if (rows > max_dimension || cols > max_dimension)
        parser.fail(size_line, "bad size line " + quoted(line.text) + ": rows and columns are limited to " +
                                   std::to_string(max_dimension));
    if (rows == 0 || cols == 0)
        throw DataError(path + ": empty matrix (" + std::to_string(rows) + " rows, " + std::to_string(cols) +
                        " columns)");
    if (file.size()) require_plausible_shape(path, size_line, rows, cols, *file.size());
    if (symmetry != MmSymmetry::general && rows != cols)
        parser.fail(size_line, std::string(symmetry == MmSymmetry::symmetric ? "symmetric" : "skew-symmetric") +
                                   " matrix must be square, the size line declares " + std::to_string(rows) +
                                   " rows and " + std::to_string(cols) + " columns");
    std::int64_t expected = 0;
    if (format == MmFormat::coordinate)
        expected = parser.count(fields[2], "entries", line.text, size_line);
    else if (symmetry == MmSymmetry::general)
        expected = rows * cols;
    else if (symmetry == MmSymmetry::symmetric)
        expected = rows * (rows + 1) / 2;
    else
        expected = rows * (rows - 1) / 2;

    // Entries, mirrored ones included, in file order. A line takes at least two bytes, which
    // bounds the reservation whatever the size line claims; a pipe's entries are not reserved.
    const bool mirrored = symmetry != MmSymmetry::general;
    Array<Triplet<T>> triplets;
    if (file.size())
        triplets.reserve(
            static_cast<std::size_t>(std::min<std::int64_t>(expected, static_cast<std::int64_t>(*file.size() / 2))) *
            (mirrored ? 2 : 1));
    const auto add = [&](std::int32_t i, std::int32_t j, T v) {
        triplets.push_back({i, j, v});
        if (mirrored && i != j) triplets.push_back({j, i, symmetry == MmSymmetry::skew_symmetric ? -v : v});
    };
    const std::size_t entry_fields = format == MmFormat::array ? 1 : field == MmField::pattern ? 2 : 3;
    const char* const entry_rule = format == MmFormat::array   ? "expected 1 value"
                                   : field == MmField::pattern ? "expected 2 fields (row column)"
                                                               : "expected 3 fields (row column value)";
    // Next array position (column-major; the lower triangle for symmetric, strict for skew).
    std::int64_t ai = symmetry == MmSymmetry::skew_symmetric ? 1 : 0;
    std::int64_t aj = 0;
    std::int64_t found = 0;
    while (lines.next_data(line)) {
        if (found == expected)
            parser.fail(line.number, "too many entries: the size line (line " + std::to_string(size_line) +
                                         ") declares " + std::to_string(expected) + ", this is entry " +
                                         std::to_string(expected + 1));
        const std::size_t n = split_fields(line.text, fields);
        if (n != entry_fields)
            parser.fail(line.number,
                        std::string(entry_rule) + ", found " +
                            (n > fields.size() ? "more than " + std::to_string(fields.size()) : std::to_string(n)) +
                            " in " + quoted(line.text));
        if (format == MmFormat::coordinate) {
            const std::int32_t i = parser.index(fields[0], rows, "row", line.number);
            const std::int32_t j = parser.index(fields[1], cols, "column", line.number);
            if (symmetry == MmSymmetry::skew_symmetric && i == j)
                parser.fail(line.number, "skew-symmetric matrix has a diagonal entry (" + std::to_string(i + 1) + ", " +
                                             std::to_string(j + 1) + ")");
            add(i, j, field == MmField::pattern ? T(1) : parser.value<T>(fields[2], field, line.number));
        } else {
            const T v = parser.value<T>(fields[0], field, line.number);
            if (v != T(0)) add(static_cast<std::int32_t>(ai), static_cast<std::int32_t>(aj), v);
            if (++ai == rows) {
                ++aj;
                ai = symmetry == MmSymmetry::general ? 0 : symmetry == MmSymmetry::symmetric ? aj : aj + 1;
            }
        }
        ++found;
    }
    if (found < expected)
        parser.fail(size_line, "too few entries: the size line declares " + std::to_string(expected) +
                                   ", the file has " + std::to_string(found));
    if (!file.size()) require_plausible_shape(path, size_line, rows, cols, file.consumed());

    // CSR: count per row into indptr, scatter in file order (indptr[i] then ends row i - 1, so a
    // shift restores the starts), then sort each row stably by column and sum duplicates in file
    // order. One array of rows + 1 offsets: no second one for the scatter.
    CsrMatrix<T> A;
    A.rows = rows;
    A.cols = cols;
    A.indptr.assign(static_cast<std::size_t>(rows) + 1, 0);
    for (const auto& t : triplets) ++A.indptr[static_cast<std::size_t>(t.row) + 1];
    for (std::size_t i = 0; i < static_cast<std::size_t>(rows); ++i) A.indptr[i + 1] += A.indptr[i];
    Array<ColumnValue<T>> by_row(triplets.size());
    for (const auto& t : triplets)
        by_row[static_cast<std::size_t>(A.indptr[static_cast<std::size_t>(t.row)]++)] = {t.col, t.value};
    Array<Triplet<T>>().swap(triplets);  // free before the CSR arrays grow
    for (std::size_t i = static_cast<std::size_t>(rows); i > 0; --i) A.indptr[i] = A.indptr[i - 1];
    A.indptr[0] = 0;

    A.indices.reserve(by_row.size());
    A.values.reserve(by_row.size());
    const auto by_col = [](const ColumnValue<T>& a, const ColumnValue<T>& b) { return a.col < b.col; };
    std::int64_t row_start = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(rows); ++i) {
        const auto b = by_row.begin() + row_start;
        const auto e = by_row.begin() + A.indptr[i + 1];
        row_start = A.indptr[i + 1];
        if (!std::is_sorted(b, e, by_col)) std::stable_sort(b, e, by_col);
        for (auto it = b; it != e;) {
            const std::int32_t col = it->col;
            T sum = it->value;
            for (++it; it != e && it->col == col; ++it) sum += it->value;
            if (sum == T(0)) continue;
            if (!std::isfinite(sum))
                throw DataError(path + ": the entries at row " + std::to_string(i + 1) + ", column " +
                                std::to_string(col + 1) + " sum to Inf in " + scalar_name<T>());
            A.indices.push_back(col);
            A.values.push_back(sum);
        }
        A.indptr[i + 1] = static_cast<std::int64_t>(A.indices.size());
    }
    return A;
}

template CsrMatrix<double> read_matrix_market<double>(const std::string&);
template CsrMatrix<float> read_matrix_market<float>(const std::string&);

template <typename T>
void write_matrix_market(AtomicFile& file, const CsrMatrix<T>& A, const std::string& comment) {
    std::string buf;
    buf.reserve(1 << 20);
    buf += "%%MatrixMarket matrix coordinate real general\n";
    if (!comment.empty()) buf += "% " + comment + "\n";
    buf += std::to_string(A.rows) + " " + std::to_string(A.cols) + " " + std::to_string(A.nnz()) + "\n";
    // A line is at most 19 + 1 + 10 + 1 + 24 + 1 characters; each field stops one short of the
    // end so that its separator always fits.
    char num[96];
    char* const last = num + sizeof num - 1;
    for (std::int64_t i = 0; i < A.rows; ++i) {
        for (std::int64_t k = A.indptr[i]; k < A.indptr[i + 1]; ++k) {
            char* p = std::to_chars(num, last, i + 1).ptr;
            *p++ = ' ';
            p = std::to_chars(p, last, static_cast<std::int64_t>(A.indices[k]) + 1).ptr;
            *p++ = ' ';
            p = std::to_chars(p, last, A.values[k]).ptr;
            *p++ = '\n';
            buf.append(num, p);
        }
        if (buf.size() > (1 << 20) - 256) {
            file.write(buf);
            buf.clear();
        }
    }
    file.write(buf);
}

template <typename T>
void write_matrix_market(const std::string& path, const CsrMatrix<T>& A, const std::string& comment) {
    AtomicFile file(path);
    write_matrix_market(file, A, comment);
    file.commit();
}

template void write_matrix_market<double>(AtomicFile&, const CsrMatrix<double>&, const std::string&);
template void write_matrix_market<float>(AtomicFile&, const CsrMatrix<float>&, const std::string&);
template void write_matrix_market<double>(const std::string&, const CsrMatrix<double>&, const std::string&);
template void write_matrix_market<float>(const std::string&, const CsrMatrix<float>&, const std::string&);

}  // namespace factopic::io
