#include "factopic/model/model.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "factopic/core/error.hpp"
#include "factopic/core/file.hpp"
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
    text::VectorizerOptions o;
    const std::string weighting = j.at("weighting").get<std::string>();
    if (weighting != "tfidf" && weighting != "count") throw DataError(fmt::format("weighting '{}'", weighting));
    o.weighting = weighting == "tfidf" ? text::Weighting::Tfidf : text::Weighting::Count;
    o.use_english_stop_words = j.at("english_stop_words").get<bool>();
    o.stop_words = std::move(stop_words);
    const auto bound = [](const json& b) {
        return text::DfBound{b.at("proportion").get<bool>(), b.at("value").get<double>()};
    };
    o.min_df = bound(j.at("min_df"));
    o.max_df = bound(j.at("max_df"));
    if (!j.at("max_features").is_null()) o.max_features = j.at("max_features").get<std::int64_t>();
    o.ngram_min = j.at("ngram").at(0).get<int>();
    o.ngram_max = j.at("ngram").at(1).get<int>();
    o.binary = j.at("binary").get<bool>();
    const std::string norm = j.at("norm").get<std::string>();
    if (norm != "l1" && norm != "l2" && norm != "none") throw DataError(fmt::format("norm '{}'", norm));
    o.norm = norm == "l1" ? text::Norm::L1 : norm == "l2" ? text::Norm::L2 : text::Norm::None;
    o.use_idf = j.at("use_idf").get<bool>();
    o.smooth_idf = j.at("smooth_idf").get<bool>();
    o.sublinear_tf = j.at("sublinear_tf").get<bool>();
    o.validate();
    return o;
}

json nmf_json(const decomp::NmfOptions& o) {
    return {{"k", o.k},
            {"solver", decomp::to_string(o.solver)},
            {"init", decomp::to_string(o.init)},
            {"beta_loss", decomp::to_string(o.beta_loss)},
            {"max_iter", o.max_iter},
            {"tol", o.tol},
            {"seed", o.seed},
            {"alpha_w", o.alpha_w},
            {"alpha_h", o.alpha_h},
            {"l1_ratio", o.l1_ratio},
            {"shuffle", o.shuffle},
            {"lam", o.lam},
            {"mu", o.mu},
            {"lr", o.lr},
            {"anneal", o.anneal},
            {"anneal_every", o.anneal_every},
            {"project", o.project},
            {"beta1", o.beta1},
            {"beta2", o.beta2},
            {"adam_eps", o.adam_eps}};
}

decomp::NmfOptions nmf_from(const json& j) {
    decomp::NmfOptions o;
    o.k = j.at("k").get<std::int64_t>();
    o.solver = decomp::parse_nmf_solver(j.at("solver").get<std::string>());
    o.init = decomp::parse_nmf_init(j.at("init").get<std::string>());
    o.beta_loss = decomp::parse_beta_loss(j.at("beta_loss").get<std::string>());
    o.max_iter = j.at("max_iter").get<int>();
    o.tol = j.at("tol").get<double>();
    o.seed = j.at("seed").get<std::uint64_t>();
    o.alpha_w = j.at("alpha_w").get<double>();
    o.alpha_h = j.at("alpha_h").get<double>();
    o.l1_ratio = j.at("l1_ratio").get<double>();
    o.shuffle = j.at("shuffle").get<bool>();
    o.lam = j.at("lam").get<double>();
    o.mu = j.at("mu").get<double>();
    o.lr = j.at("lr").get<double>();
    o.anneal = j.at("anneal").get<double>();
    o.anneal_every = j.at("anneal_every").get<int>();
    o.project = j.at("project").get<bool>();
    o.beta1 = j.at("beta1").get<double>();
    o.beta2 = j.at("beta2").get<double>();
    o.adam_eps = j.at("adam_eps").get<double>();
    return o;
}

bool is_method(const std::string& m) { return m == "nmf" || m == "svd" || m == "rsvd" || m == "krylov"; }

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
    json header = {{"method", m.method},
                   {"vectorizer", vectorizer_json(m.vectorizer)},
                   {"metadata", json::parse(m.metadata)}};
    if (m.method == "nmf") header["nmf"] = nmf_json(m.nmf);
    return header.dump();
}

std::string encode(const TopicModel& m) {
    if (!is_method(m.method)) throw InvalidArgument(fmt::format("model method '{}' is not nmf, svd, rsvd or krylov", m.method));
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
    if (bytes.size() < k_header_bytes + k_trailer_bytes)
        head.fail(fmt::format("it is truncated ({} bytes)", bytes.size()));
    std::uint32_t version = 0;
    std::memcpy(&version, bytes.data() + 8, sizeof version);
    if (version != k_model_version)
        throw DataError(fmt::format("{}: model format version {}, but this factopic reads version {}", name, version,
                                    k_model_version));
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
        head.fail(fmt::format("checksum mismatch (stored {:016x}, computed {:016x}): the file is corrupted", stored,
                              actual));

    Reader r(bytes.substr(k_header_bytes, length), name);
    TopicModel m;
    try {
        const json header = json::parse(r.string("header"));
        m.method = header.at("method").get<std::string>();
        if (!is_method(m.method)) r.fail(fmt::format("unknown method '{}'", m.method));
        m.vocabulary = r.strings("vocabulary");
        std::vector<std::string> stops = r.strings("stop words");
        m.vectorizer = vectorizer_from(header.at("vectorizer"), std::move(stops));
        if (m.method == "nmf") m.nmf = nmf_from(header.at("nmf"));
        m.metadata = header.at("metadata").dump();
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
        // The vectorizer checks the vocabulary and the idf weights against each other.
        (void)text::Vectorizer::restore(m.vectorizer, m.vocabulary, m.idf);
    } catch (const json::exception& e) {
        r.fail(fmt::format("its header is not what version {} writes ({})", k_model_version, e.what()));
    } catch (const DataError& e) {
        if (std::string_view(e.what()).find("not a valid factopic model") != std::string_view::npos) throw;
        r.fail(e.what());
    } catch (const InvalidArgument& e) {
        r.fail(e.what());
    }
    return m;
}

void save_model(const TopicModel& model, const std::string& path) { io::write_file_atomic(path, encode(model)); }

TopicModel load_model(const std::string& path) { return decode(read_file(path), path); }

text::Vectorizer vectorizer_of(const TopicModel& model) {
    return text::Vectorizer::restore(model.vectorizer, model.vocabulary, model.idf);
}

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
    const std::int64_t k = factor.rows;
    linalg::Matrix<T> out = linalg::Matrix<T>::zeros(x.rows, k);
    for (std::int64_t i = 0; i < x.rows; ++i)
        for (std::int64_t t = 0; t < k; ++t) {
            double s = 0;
            for (std::int64_t q = x.indptr[static_cast<std::size_t>(i)]; q < x.indptr[static_cast<std::size_t>(i + 1)]; ++q)
                s += static_cast<double>(x.values[static_cast<std::size_t>(q)]) *
                     static_cast<double>(factor(t, x.indices[static_cast<std::size_t>(q)]));
            out(i, t) = static_cast<T>(s);
        }
    return out;
}

template linalg::Matrix<float> embed(const TopicModel&, const CsrMatrix<float>&);
template linalg::Matrix<double> embed(const TopicModel&, const CsrMatrix<double>&);
template linalg::Matrix<float> project(const CsrMatrix<float>&, const linalg::Matrix<float>&);
template linalg::Matrix<double> project(const CsrMatrix<double>&, const linalg::Matrix<double>&);

}  // namespace factopic::model
