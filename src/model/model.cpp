#include "factopic/model/model.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "factopic/core/error.hpp"
#include "factopic/core/json_depth.hpp"
#include "factopic/core/piece_reader.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/linalg/sparse.hpp"

namespace factopic::model {
namespace {

static_assert(std::endian::native == std::endian::little, "the model format is written as the machine's bytes");

constexpr std::array<char, 8> k_magic{'\x89', 'F', 'T', 'M', '\r', '\n', '\x1a', '\n'};
constexpr std::size_t k_header_bytes = 8 + 4 + 4 + 8;
constexpr std::size_t k_trailer_bytes = 8;

// ---------------------------------------------------------------------------------------------
// Writing.

class Writer {
public:
    template <typename U>
    void scalar(U v) {
        static_assert(std::is_trivially_copyable_v<U>);
        const auto* p = reinterpret_cast<const char*>(&v);
        m_out.append(p, sizeof v);
    }
    void string(std::string_view s) {
        scalar<std::uint64_t>(s.size());
        m_out.append(s);
    }
    void strings(const std::vector<std::string>& v) {
        scalar<std::uint64_t>(v.size());
        for (const auto& s : v) string(s);
    }
    void doubles(const double* p, std::size_t n) {
        scalar<std::uint64_t>(n);
        if (n > 0) m_out.append(reinterpret_cast<const char*>(p), n * sizeof(double));
    }
    std::string& bytes() { return m_out; }

private:
    std::string m_out;
};

// ---------------------------------------------------------------------------------------------
// Reading: every read checks what is left, so a short or lying file is an error, not a crash.

class Reader {
public:
    Reader(std::string_view bytes, const std::string& name) : m_bytes(bytes), m_name(name) {}

    template <typename U>
    U scalar(const char* what) {
        need(sizeof(U), what);
        U v;
        std::memcpy(&v, m_bytes.data() + m_pos, sizeof v);
        m_pos += sizeof v;
        return v;
    }
    /// A count of items of `item_bytes` each that must fit in what is left.
    std::size_t count(const char* what, std::size_t item_bytes) {
        const auto n = scalar<std::uint64_t>(what);
        if (item_bytes > 0 && n > (m_bytes.size() - m_pos) / item_bytes)
            fail(fmt::format("{} claims {} entries, more than the file holds", what, n));
        return static_cast<std::size_t>(n);
    }
    std::string string(const char* what) {
        const std::size_t n = count(what, 1);
        std::string s(m_bytes.substr(m_pos, n));
        m_pos += n;
        return s;
    }
    std::vector<std::string> strings(const char* what) {
        const std::size_t n = count(what, 8);  // each string has at least its length
        std::vector<std::string> v;
        v.reserve(n);
        for (std::size_t i = 0; i < n; ++i) v.push_back(string(what));
        return v;
    }
    void doubles(const char* what, double* out, std::size_t n) {
        need(n * sizeof(double), what);
        if (n == 0) return;  // out may be an empty vector's null data()
        std::memcpy(out, m_bytes.data() + m_pos, n * sizeof(double));
        m_pos += n * sizeof(double);
    }
    std::vector<double> doubles(const char* what) {
        std::vector<double> v(count(what, sizeof(double)));
        doubles(what, v.data(), v.size());
        return v;
    }
    bool done() const noexcept { return m_pos == m_bytes.size(); }
    [[noreturn]] void fail(const std::string& why) const {
        throw DataError(fmt::format("{}: not a valid factopic model: {}", m_name, why));
    }

private:
    void need(std::size_t n, const char* what) const {
        if (n > m_bytes.size() - m_pos) fail(fmt::format("it ends inside the {}", what));
    }
    std::string_view m_bytes;
    std::size_t m_pos = 0;
    const std::string& m_name;
};

// ---------------------------------------------------------------------------------------------
// Options as JSON (the header): readable with any JSON tool, and new fields do not break old files.

using nlohmann::json;

/// A header object's fields, each checked for its type (and an integer for its range), so that
/// a hand-edited or foreign header is reported by field name, not by the JSON library's text.
class Fields {
public:
    Fields(const json& object, std::string where) : m_object(object), m_where(std::move(where)) {
        if (!m_object.is_object()) throw DataError(fmt::format("header field '{}' is not an object", m_where));
    }
    const json& at(const char* key) const {
        const auto it = m_object.find(key);
        if (it == m_object.end()) throw DataError(fmt::format("header field '{}' is missing", name(key)));
        return *it;
    }
    std::string string(const char* key) const {
        const json& v = at(key);
        if (!v.is_string()) wrong(key, v, "a string");
        return v.get<std::string>();
    }
    bool boolean(const char* key) const {
        const json& v = at(key);
        if (!v.is_boolean()) wrong(key, v, "true or false");
        return v.get<bool>();
    }
    double number(const char* key) const { return number_of(at(key), key); }
    double number_of(const json& v, const char* key) const {
        if (!v.is_number()) wrong(key, v, "a number");
        return v.get<double>();
    }
    template <typename I>
    I integer(const char* key) const {
        return integer_of<I>(at(key), key);
    }
    template <typename I>
    I integer_of(const json& v, const char* key) const {
        const bool fits = v.is_number_unsigned() ? std::in_range<I>(v.get<std::uint64_t>())
                                                 : v.is_number_integer() && std::in_range<I>(v.get<std::int64_t>());
        if (!fits)
            wrong(key, v,
                  fmt::format("an integer in [{}, {}]", std::numeric_limits<I>::min(), std::numeric_limits<I>::max()));
        return v.is_number_unsigned() ? static_cast<I>(v.get<std::uint64_t>()) : static_cast<I>(v.get<std::int64_t>());
    }
    std::string name(const char* key) const { return m_where.empty() ? key : m_where + "." + key; }

private:
    [[noreturn]] void wrong(const char* key, const json& v, const std::string& expected) const {
        std::string shown = v.dump(-1, ' ', false, json::error_handler_t::replace);
        if (shown.size() > 40) shown = shown.substr(0, 40) + "...";
        throw DataError(fmt::format("header field '{}' is {}, expected {}", name(key), shown, expected));
    }
    const json& m_object;
    std::string m_where;
};

/// The metadata fields inspect and report show must have the types fit writes (a number may be
/// null: JSON's stand-in for NaN, e.g. an undefined coherence); other fields are free.
void check_metadata(const json& meta) {
    const Fields f(meta, "metadata");
    const auto number_or_null = [](const Fields& g, const char* key) {
        if (!g.at(key).is_null()) (void)g.number(key);
    };
    for (const char* key : {"source", "created_by"})
        if (meta.contains(key)) (void)f.string(key);
    for (const char* key : {"documents", "iterations"})
        if (meta.contains(key)) (void)f.integer<std::int64_t>(key);
    for (const char* key : {"reconstruction_error", "relative_error", "diversity"})
        if (meta.contains(key)) number_or_null(f, key);
    for (const auto& [key, a, b] :
         {std::tuple{"coherence", "npmi_mean", "umass_mean"}, std::tuple{"labels", "nmi", "ari"}})
        if (meta.contains(key)) {
            const Fields g(f.at(key), f.name(key));
            number_or_null(g, a);
            number_or_null(g, b);
        }
}

constexpr std::size_t k_max_header_depth = 64;

/// The JSON library's message without its "[json.exception.parse_error.101] " tag.
std::string json_reason(const json::exception& e) {
    std::string_view what = e.what();
    if (what.substr(0, 16) == "[json.exception.") {
        const auto close = what.find("] ");
        if (close != std::string_view::npos) what.remove_prefix(close + 2);
    }
    return std::string(what);
}

/// Options read back from a file, checked by the same rules as options given on the command
/// line, but reported as the file's fault (DataError), not the user's (InvalidArgument).
template <typename Check>
void require_stored_options(const char* what, Check&& check) {
    try {
        check();
    } catch (const InvalidArgument& e) {
        throw DataError(fmt::format("stored {} option out of range: {}", what, e.what()));
    }
}

const char* norm_name(text::Norm n) { return n == text::Norm::L1 ? "l1" : n == text::Norm::L2 ? "l2" : "none"; }

json bound_json(const text::DfBound& b) { return {{"proportion", b.proportion}, {"value", b.value}}; }

json vectorizer_json(const text::VectorizerOptions& o) {
    return {{"weighting", o.weighting == text::Weighting::Tfidf ? "tfidf" : "count"},
            {"english_stop_words", o.use_english_stop_words},
            {"min_df", bound_json(o.min_df)},
            {"max_df", bound_json(o.max_df)},
            {"max_features", o.max_features ? json(*o.max_features) : json(nullptr)},
            {"ngram", {o.ngram_min, o.ngram_max}},
            {"binary", o.binary},
            {"norm", norm_name(o.norm)},
            {"use_idf", o.use_idf},
            {"smooth_idf", o.smooth_idf},
            {"sublinear_tf", o.sublinear_tf}};
}

text::VectorizerOptions vectorizer_from(const json& j, std::vector<std::string> stop_words) {
    const Fields f(j, "vectorizer");
    text::VectorizerOptions o;
    const std::string weighting = f.string("weighting");
    if (weighting != "tfidf" && weighting != "count") throw DataError(fmt::format("weighting '{}'", weighting));
    o.weighting = weighting == "tfidf" ? text::Weighting::Tfidf : text::Weighting::Count;
    o.use_english_stop_words = f.boolean("english_stop_words");
    o.stop_words = std::move(stop_words);
    const auto bound = [&](const char* key) {
        const Fields b(f.at(key), f.name(key));
        return text::DfBound{b.boolean("proportion"), b.number("value")};
    };
    o.min_df = bound("min_df");
    o.max_df = bound("max_df");
    if (!f.at("max_features").is_null()) o.max_features = f.integer<std::int64_t>("max_features");
    const json& ngram = f.at("ngram");
    if (!ngram.is_array() || ngram.size() != 2)
        throw DataError(fmt::format("header field 'vectorizer.ngram' is {}, expected [min, max]", ngram.dump()));
    o.ngram_min = f.integer_of<int>(ngram[0], "ngram");
    o.ngram_max = f.integer_of<int>(ngram[1], "ngram");
    o.binary = f.boolean("binary");
    const std::string norm = f.string("norm");
    if (norm != "l1" && norm != "l2" && norm != "none") throw DataError(fmt::format("norm '{}'", norm));
    o.norm = norm == "l1" ? text::Norm::L1 : norm == "l2" ? text::Norm::L2 : text::Norm::None;
    o.use_idf = f.boolean("use_idf");
    o.smooth_idf = f.boolean("smooth_idf");
    o.sublinear_tf = f.boolean("sublinear_tf");
    require_stored_options("vectorizer", [&] { o.validate(); });
    return o;
}

// The options left unset (the solver's defaults) are stored as the values that meant "unset"
// before they were std::optional — max_iter 0, tol, alpha_h and lam -1, lr 0 — so that the files
// written before and after read the same.
json nmf_json(const decomp::NmfOptions& o) {
    return {{"k", o.k},
            {"solver", decomp::to_string(o.solver)},
            {"init", decomp::to_string(o.init)},
            {"beta_loss", decomp::to_string(o.beta_loss)},
            {"max_iter", o.max_iter.value_or(0)},
            {"tol", o.tol.value_or(-1.0)},
            {"seed", o.seed},
            {"alpha_w", o.alpha_w},
            {"alpha_h", o.alpha_h.value_or(-1.0)},
            {"l1_ratio", o.l1_ratio},
            {"shuffle", o.shuffle},
            {"lam", o.lam.value_or(-1.0)},
            {"mu", o.mu},
            {"lr", o.lr.value_or(0.0)},
            {"anneal", o.anneal},
            {"anneal_every", o.anneal_every},
            {"project", o.project},
            {"beta1", o.beta1},
            {"beta2", o.beta2},
            {"adam_eps", o.adam_eps}};
}

decomp::NmfOptions nmf_from(const json& j) {
    const Fields f(j, "nmf");
    decomp::NmfOptions o;
    o.k = f.integer<std::int64_t>("k");
    o.solver = decomp::parse_nmf_solver(f.string("solver"));
    o.init = decomp::parse_nmf_init(f.string("init"));
    o.beta_loss = decomp::parse_beta_loss(f.string("beta_loss"));
    // The stored "unset" values (see nmf_json) back to unset; any other value is given, and
    // validated as such (max_iter -1 is out of range, not unset).
    if (const int max_iter = f.integer<int>("max_iter"); max_iter != 0) o.max_iter = max_iter;
    if (const double tol = f.number("tol"); tol >= 0) o.tol = tol;
    o.seed = f.integer<std::uint64_t>("seed");
    o.alpha_w = f.number("alpha_w");
    if (const double alpha_h = f.number("alpha_h"); alpha_h >= 0) o.alpha_h = alpha_h;
    o.l1_ratio = f.number("l1_ratio");
    o.shuffle = f.boolean("shuffle");
    if (const double lam = f.number("lam"); lam >= 0) o.lam = lam;
    o.mu = f.number("mu");
    if (const double lr = f.number("lr"); lr != 0) o.lr = lr;
    o.anneal = f.number("anneal");
    o.anneal_every = f.integer<int>("anneal_every");
    o.project = f.boolean("project");
    o.beta1 = f.number("beta1");
    o.beta2 = f.number("beta2");
    o.adam_eps = f.number("adam_eps");
    require_stored_options("NMF", [&] { decomp::validate_nmf_options(o); });
    return o;
}

bool is_method(const std::string& m) { return m == "nmf" || m == "svd" || m == "rsvd" || m == "krylov"; }

/// The header's JSON text parsed, or r.fail naming what is wrong with it.
json parse_header(const std::string& text, const Reader& r) {
    if (json_depth(text, k_max_header_depth) > k_max_header_depth)
        r.fail(fmt::format("its header nests deeper than {} levels", k_max_header_depth));
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        r.fail(fmt::format("its header is not valid JSON: {}", json_reason(e)));
    }
}

/// What Vectorizer::restore checks of a model fitted on documents, for one fitted on a matrix:
/// the terms unique and not empty, one finite positive idf weight per term under tf-idf with idf.
void check_matrix_vocabulary(const TopicModel& m) {
    if (m.vocabulary.empty()) throw DataError("the vocabulary is empty");
    std::vector<std::string_view> sorted(m.vocabulary.begin(), m.vocabulary.end());
    std::sort(sorted.begin(), sorted.end());
    const auto repeat = std::adjacent_find(sorted.begin(), sorted.end());
    if (repeat != sorted.end()) throw DataError(fmt::format("the vocabulary repeats the term '{}'", *repeat));
    const bool wants_idf = m.vectorizer.weighting == text::Weighting::Tfidf && m.vectorizer.use_idf;
    if (m.idf.size() != (wants_idf ? m.vocabulary.size() : 0))
        throw DataError(fmt::format("{} idf weights for {} terms ({})", m.idf.size(), m.vocabulary.size(),
                                    wants_idf ? "tf-idf needs one per term" : "only tf-idf with idf has them"));
    for (std::size_t j = 0; j < m.idf.size(); ++j)
        if (!std::isfinite(m.idf[j]) || m.idf[j] <= 0)
            throw DataError(fmt::format("idf weight {} of term '{}' is {}", j, m.vocabulary[j], m.idf[j]));
}

}  // namespace

std::uint64_t crc64(std::string_view bytes, std::uint64_t crc) {
    static const auto table = [] {
        std::array<std::uint64_t, 256> t{};
        constexpr std::uint64_t poly = 0xC96C5795D7870F42ULL;  // ECMA-182, reflected
        for (std::uint64_t i = 0; i < 256; ++i) {
            std::uint64_t c = i;
            for (int b = 0; b < 8; ++b) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (const unsigned char c : bytes) crc = table[(crc ^ c) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

std::string header_json(const TopicModel& m) {
    json header = {
        {"method", m.method}, {"vectorizer", vectorizer_json(m.vectorizer)}, {"metadata", json::parse(m.metadata)}};
    if (m.method == "nmf") header["nmf"] = nmf_json(m.nmf);
    // Only matrix models carry the field, so that a model fitted on documents keeps the bytes
    // (and the readers) it had before matrix models existed.
    if (m.fitted_on_matrix) header["input"] = "matrix";
    return header.dump();
}

std::string encode(const TopicModel& m) {
    if (!is_method(m.method))
        throw InvalidArgument(fmt::format("model method '{}' is not nmf, svd, rsvd or krylov", m.method));
    if (m.terms.cols != static_cast<std::int64_t>(m.vocabulary.size()))
        throw InvalidArgument(fmt::format("the factor has {} columns for {} terms", m.terms.cols, m.vocabulary.size()));
    Writer payload;
    payload.string(header_json(m));
    payload.strings(m.vocabulary);
    payload.strings(m.vectorizer.stop_words);
    payload.doubles(m.idf.data(), m.idf.size());
    payload.scalar<std::uint64_t>(static_cast<std::uint64_t>(m.terms.rows));
    payload.scalar<std::uint64_t>(static_cast<std::uint64_t>(m.terms.cols));
    for (std::int64_t t = 0; t < m.terms.rows; ++t)  // row-major: one topic after another
        for (std::int64_t j = 0; j < m.terms.cols; ++j) payload.scalar<double>(m.terms(t, j));
    payload.doubles(m.singular_values.data(), m.singular_values.size());

    Writer file;
    file.bytes().append(k_magic.data(), k_magic.size());
    file.scalar<std::uint32_t>(k_model_version);
    file.scalar<std::uint32_t>(0);
    file.scalar<std::uint64_t>(payload.bytes().size());
    file.bytes() += payload.bytes();
    file.scalar<std::uint64_t>(crc64(file.bytes()));
    return std::move(file.bytes());
}

TopicModel decode(std::string_view bytes, const std::string& name) {
    Reader head(bytes, name);
    if (bytes.size() < k_magic.size() || std::memcmp(bytes.data(), k_magic.data(), k_magic.size()) != 0)
        throw DataError(fmt::format("{}: not a factopic model (no model signature at its start)", name));
    std::uint32_t version = k_model_version;
    if (bytes.size() >= 8 + sizeof version) std::memcpy(&version, bytes.data() + 8, sizeof version);
    if (version != k_model_version)
        throw DataError(fmt::format("{}: model format version {}, but this factopic reads version {}", name, version,
                                    k_model_version));
    if (bytes.size() < k_header_bytes + k_trailer_bytes)
        head.fail(fmt::format("it is truncated ({} bytes)", bytes.size()));
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data() + 16, sizeof length);
    const std::uint64_t expected = k_header_bytes + k_trailer_bytes + length;
    if (length > bytes.size() || expected != bytes.size())
        head.fail(bytes.size() < expected ? fmt::format("it is truncated ({} of {} bytes)", bytes.size(), expected)
                                          : fmt::format("{} bytes follow its end", bytes.size() - expected));
    std::uint64_t stored = 0;
    std::memcpy(&stored, bytes.data() + bytes.size() - k_trailer_bytes, sizeof stored);
    const std::uint64_t actual = crc64(bytes.substr(0, bytes.size() - k_trailer_bytes));
    if (stored != actual)
        head.fail(
            fmt::format("checksum mismatch (stored {:016x}, computed {:016x}): the file is corrupted", stored, actual));

    Reader r(bytes.substr(k_header_bytes, length), name);
    TopicModel m;
    try {
        const json header = parse_header(r.string("header"), r);
        const Fields fields(header, "");
        m.method = fields.string("method");
        if (!is_method(m.method)) r.fail(fmt::format("unknown method '{}'", m.method));
        if (header.contains("input")) {
            const std::string input = fields.string("input");
            if (input != "matrix" && input != "corpus") r.fail(fmt::format("unknown input '{}'", input));
            m.fitted_on_matrix = input == "matrix";
        }
        m.vocabulary = r.strings("vocabulary");
        std::vector<std::string> stops = r.strings("stop words");
        m.vectorizer = vectorizer_from(fields.at("vectorizer"), std::move(stops));
        if (m.method == "nmf") m.nmf = nmf_from(fields.at("nmf"));
        const json& metadata = fields.at("metadata");
        check_metadata(metadata);
        m.metadata = metadata.dump(-1, ' ', false, json::error_handler_t::replace);
        m.idf = r.doubles("idf weights");
        const auto rows = r.scalar<std::uint64_t>("factor shape"), cols = r.scalar<std::uint64_t>("factor shape");
        if (cols != m.vocabulary.size())
            r.fail(fmt::format("the factor has {} columns for {} terms", cols, m.vocabulary.size()));
        if (rows == 0 || rows > (length / sizeof(double)) / std::max<std::uint64_t>(cols, 1))
            r.fail(fmt::format("the factor claims {} x {}, which the file cannot hold", rows, cols));
        m.terms = linalg::Matrix<double>(static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols));
        std::vector<double> row(static_cast<std::size_t>(cols));
        for (std::uint64_t t = 0; t < rows; ++t) {
            r.doubles("factor", row.data(), row.size());
            for (std::uint64_t j = 0; j < cols; ++j) {
                if (!std::isfinite(row[j])) r.fail(fmt::format("factor entry ({}, {}) is {}", t, j, row[j]));
                m.terms(static_cast<std::int64_t>(t), static_cast<std::int64_t>(j)) = row[j];
            }
        }
        m.singular_values = r.doubles("singular values");
        const bool svd = m.method != "nmf";
        if (m.singular_values.size() != (svd ? rows : 0))
            r.fail(fmt::format("{} singular values for a {} model of {} topics", m.singular_values.size(), m.method,
                               rows));
        if (!svd && static_cast<std::int64_t>(rows) != m.nmf.k)
            r.fail(fmt::format("H has {} topics but the options say k = {}", rows, m.nmf.k));
        if (!r.done()) r.fail("unread bytes after the last field");
        // The vectorizer checks the vocabulary and the idf weights against each other; a matrix
        // model's columns keep the user's order, so only their uniqueness and idf are checked.
        if (m.fitted_on_matrix)
            check_matrix_vocabulary(m);
        else
            (void)text::Vectorizer::restore(m.vectorizer, m.vocabulary, m.idf);
    } catch (const json::exception& e) {
        r.fail(fmt::format("its header is not what version {} writes ({})", k_model_version, json_reason(e)));
    } catch (const DataError& e) {
        if (std::string_view(e.what()).find("not a valid factopic model") != std::string_view::npos) throw;
        r.fail(e.what());
    } catch (const InvalidArgument& e) {
        r.fail(e.what());
    }
    return m;
}

void save_model(const TopicModel& model, const std::string& path) { io::write_file_atomic(path, encode(model)); }

TopicModel load_model(const std::string& path) {
    // The signature, version and length come first; the rest is read only as far as the length
    // says, so a file of another kind (or an endless device) is refused on its first bytes and
    // memory grows with what the file holds, not with what its header claims.
    PieceReader file(path);
    std::string bytes;
    file.read(bytes, k_header_bytes);
    std::uint32_t version = 0;
    if (bytes.size() == k_header_bytes) std::memcpy(&version, bytes.data() + 8, sizeof version);
    if (bytes.size() < k_header_bytes || std::memcmp(bytes.data(), k_magic.data(), k_magic.size()) != 0 ||
        version != k_model_version)
        return decode(bytes, path);  // refuses it, naming what is wrong
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data() + 16, sizeof length);
    const std::uint64_t rest = length > std::numeric_limits<std::uint64_t>::max() - k_header_bytes - k_trailer_bytes
                                   ? std::numeric_limits<std::uint64_t>::max()
                                   : length + k_trailer_bytes;
    try {
        if (!file.size()) {
            // A pipe or device has no size to check the length against: its header JSON is
            // parsed as soon as it arrives (before the checksum, which comes last), so a stream
            // that only starts like a model (zeros after it) is refused early.
            const Reader r(std::string_view(), path);
            std::string count;
            if (file.read(count, 8) == 8) {
                std::uint64_t header_len = 0;
                std::memcpy(&header_len, count.data(), 8);
                bytes += count;
                if (header_len > length - std::min<std::uint64_t>(length, 8))
                    r.fail(fmt::format("its header claims {} bytes, more than the payload's {}", header_len, length));
                const std::size_t start = bytes.size();
                if (file.read(bytes, header_len) == header_len) (void)parse_header(bytes.substr(start), r);
            }
        }
        file.read(bytes, rest - (bytes.size() - k_header_bytes));
    } catch (const std::bad_alloc&) {
        // Only a pipe or device can deliver more than memory holds before its claimed length.
        throw DataError(fmt::format("{}: its header claims a payload of {} bytes; memory ran out after {} of them",
                                    path, length, bytes.size()));
    }
    if (bytes.size() == k_header_bytes + rest && !file.at_end()) {
        const std::string extra =
            file.size() && *file.size() > bytes.size() ? fmt::format("{}", *file.size() - bytes.size()) : "more";
        throw DataError(fmt::format("{}: not a valid factopic model: {} bytes follow its end", path, extra));
    }
    return decode(bytes, path);
}

text::Vectorizer vectorizer_of(const TopicModel& model) {
    if (model.fitted_on_matrix)
        throw InvalidArgument("the model was fitted on a matrix: it has no vectorizer to read documents with");
    return text::Vectorizer::restore(model.vectorizer, model.vocabulary, model.idf);
}

template <typename T>
void weigh_like_training(const TopicModel& model, CsrMatrix<T>& x) {
    if (x.cols != model.terms.cols)
        throw DataError(fmt::format("the matrix has {} columns but the model {} terms", x.cols, model.terms.cols));
    if (model.vectorizer.weighting == text::Weighting::Tfidf) text::require_counts(x);
    text::weigh_counts(x, model.vectorizer, model.idf);
}

template void weigh_like_training(const TopicModel&, CsrMatrix<float>&);
template void weigh_like_training(const TopicModel&, CsrMatrix<double>&);

template <typename T>
linalg::Matrix<T> embed(const TopicModel& model, const CsrMatrix<T>& x) {
    if (x.cols != model.terms.cols)
        throw DataError(fmt::format("the matrix has {} terms but the model {}", x.cols, model.terms.cols));
    if (model.method == "nmf") {
        // Documents with none of the model's terms have no topic weight (scikit-learn's transform
        // gives them 0 too); the solver is only asked about the others.
        if (std::none_of(x.values.begin(), x.values.end(), [](T v) { return v != T(0); }))
            return linalg::Matrix<T>::zeros(x.rows, model.k());
        decomp::NmfOptions o = model.nmf;
        return decomp::nmf_transform(x, model.terms.template cast<T>(), o).w;
    }
    return project(x, model.terms);
}

template <typename T, typename F>
linalg::Matrix<T> project(const CsrMatrix<T>& x, const linalg::Matrix<F>& factor) {
    if (x.cols != factor.cols)
        throw DataError(fmt::format("the matrix has {} terms but the factor {}", x.cols, factor.cols));
    // linalg's row-wise product (Y(:, i) = Σ_j X(i, j)·F(:, j), k × documents, in double): one
    // product for the library, parallel over the documents, each sum in the row's order.
    linalg::Matrix<double> yt;
    linalg::multiply_rowwise(x, factor.template cast<double>(), yt);
    return linalg::transpose(yt).template cast<T>();
}

template linalg::Matrix<float> embed(const TopicModel&, const CsrMatrix<float>&);
template linalg::Matrix<double> embed(const TopicModel&, const CsrMatrix<double>&);
template linalg::Matrix<float> project(const CsrMatrix<float>&, const linalg::Matrix<float>&);
template linalg::Matrix<double> project(const CsrMatrix<double>&, const linalg::Matrix<double>&);

}  // namespace factopic::model
