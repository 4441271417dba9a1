#include "matrix_input.hpp"

#include <fmt/core.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "factopic/core/error.hpp"
#include "factopic/core/file.hpp"
#include "factopic/core/piece_reader.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/matrix_market.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/vectorizer.hpp"
#include "progress.hpp"
#include "report_views.hpp"

namespace factopic::cli {
namespace {

using runtime::Clock;
using runtime::since;

/// One term per line, as vectorize --vocab writes it. As scikit-learn's CountVectorizer refuses
/// a vocabulary with a repeated term, so is this one; and an empty term, which no token matches.
std::vector<std::string> read_vocabulary(const std::string& path, std::int64_t cols) {
    const std::string text = read_short_lines(path, k_max_term_line);
    std::vector<std::string> terms;
    std::unordered_map<std::string_view, std::size_t> first_line;
    const std::vector<std::string_view> lines = text::split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].empty()) throw ParseError(path, i + 1, "empty term: every line must hold a term");
        const auto [it, fresh] = first_line.emplace(lines[i], i + 1);
        if (!fresh)
            throw ParseError(path, i + 1,
                             fmt::format("duplicate term in vocabulary: '{}{}' (first on line {})",
                                         lines[i].substr(0, 60), lines[i].size() > 60 ? "..." : "", it->second));
        terms.emplace_back(lines[i]);
    }
    if (static_cast<std::int64_t>(terms.size()) != cols)
        throw DataError(fmt::format("{}: {} terms, but the matrix has {} columns", path, terms.size(), cols));
    return terms;
}

}  // namespace

void add_matrix_options(CLI::App& app, MatrixArgs& a) {
    const std::size_t first = app.get_options().size();
    add_corpus_options(app, a.corpus, "CORPUS|X.mtx",
                       "A corpus (folder, archive, lines or JSON Lines, as for vectorize) or a Matrix Market file "
                       "(.mtx: rows are documents, columns terms; its values are used as they are unless "
                       "--weighting tfidf is given, which takes them as counts)");
    add_vectorizer_options(app, a.vectorizer);
    classify_matrix_options(app, first, a.matrix_options);
    app.add_option("--vocabulary", a.vocabulary_file,
                   "For a .mtx input: the term of each column, one per line (vectorize --vocab writes it)");
    add_threads_option(app, a.threads);
}

void add_row_files_options(CLI::App& app, MatrixArgs& a, bool labels) {
    app.add_option("--ids", a.ids_file,
                   "For a .mtx input: the id of each row, one per line (vectorize --ids writes it; default 'row N')");
    if (labels)
        app.add_option("--labels", a.labels_file,
                       "For a .mtx input: the label of each row, one per line, an empty line for none (vectorize "
                       "--labels writes it)");
}

std::vector<std::string> read_row_file(const std::string& path, std::int64_t rows, const char* what) {
    const std::string text = read_short_lines(path, k_max_term_line);
    std::vector<std::string> out;
    for (const std::string_view line : text::split_lines(text)) out.emplace_back(line);
    if (static_cast<std::int64_t>(out.size()) != rows)
        throw DataError(
            fmt::format("{}: {} {} (one per line), but the matrix has {} rows", path, out.size(), what, rows));
    return out;
}

template <typename T>
text::VectorizerOptions weigh_matrix(CsrMatrix<T>& x, const MatrixArgs& a, std::vector<double>& idf) {
    const auto* given = a.matrix_options.weighting;
    text::VectorizerOptions o;
    o.use_english_stop_words = false;  // no text was tokenized: a model must not claim stop words
    o.weighting = text::Weighting::Count;
    o.binary = a.vectorizer.binary;
    if (given && given->count() > 0 && a.vectorizer.weighting == "tfidf") {
        o.weighting = text::Weighting::Tfidf;
        o.norm = a.vectorizer.norm == "l1"     ? text::Norm::L1
                 : a.vectorizer.norm == "none" ? text::Norm::None
                                               : text::Norm::L2;
        o.use_idf = !a.vectorizer.no_idf;
        o.smooth_idf = !a.vectorizer.no_smooth_idf;
        o.sublinear_tf = a.vectorizer.sublinear_tf;
    }
    // The matrix is fine as it is; it is the option that does not fit it (exit 2).
    if (o.weighting == text::Weighting::Tfidf) {
        try {
            text::require_counts(x);
        } catch (const DataError& e) {
            throw InvalidArgument(
                fmt::format("{}: --weighting tfidf needs counts, but {}; leave out --weighting to "
                            "use the values as they are",
                            a.corpus.path, e.what()));
        }
    }
    try {
        idf = text::fit_weigh_counts(x, o);
    } catch (const DataError& e) {
        throw InvalidArgument(fmt::format("{}: --weighting tfidf --no-smooth-idf: {}; leave out --no-smooth-idf",
                                          a.corpus.path, e.what()));
    }
    return o;
}

template text::VectorizerOptions weigh_matrix(CsrMatrix<float>&, const MatrixArgs&, std::vector<double>&);
template text::VectorizerOptions weigh_matrix(CsrMatrix<double>&, const MatrixArgs&, std::vector<double>&);

bool is_matrix_market(const std::string& path) {
    const auto dot = path.rfind('.');
    if (dot == std::string::npos) return false;
    std::string ext = path.substr(dot);
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".mtx" || ext == ".mm";
}

template <typename T>
LoadedMatrix<T> load_matrix(const MatrixArgs& a) {
    runtime::set_threads(a.threads);
    LoadedMatrix<T> out;
    if (is_matrix_market(a.corpus.path)) {
        check_matrix_options(a.matrix_options, a.vectorizer, a.corpus.path);
        if (!a.corpus.date_field.empty())  // report's, declared after the options check_matrix_options knows
            throw InvalidArgument("--date-field applies to a corpus, not to the Matrix Market input " + a.corpus.path);
        const auto t0 = Clock::now();
        {
            const Progress progress("reading");
            out.x = io::read_matrix_market<T>(a.corpus.path);
        }
        out.read_s = since(t0);
        const auto t1 = Clock::now();
        out.vectorizer = weigh_matrix(out.x, a, out.idf);
        out.vectorize_s = since(t1);
        // Every decomposition checks this too; here the error can name the file.
        try {
            decomp::require_workable_scale(out.x, "factopic");
        } catch (const DataError& e) {
            throw DataError(fmt::format("{}: {}", a.corpus.path, e.what()));
        }
        if (!a.vocabulary_file.empty()) out.vocabulary = read_vocabulary(a.vocabulary_file, out.x.cols);
        if (!a.labels_file.empty()) out.labels = read_row_file(a.labels_file, out.x.rows, "labels");
        if (!a.ids_file.empty()) {
            out.ids = read_row_file(a.ids_file, out.x.rows, "ids");
        } else {
            out.ids.reserve(static_cast<std::size_t>(out.x.rows));
            for (std::int64_t i = 0; i < out.x.rows; ++i) out.ids.push_back(fmt::format("row {}", i + 1));
        }
        const bool tfidf = out.vectorizer.weighting == text::Weighting::Tfidf;
        out.description = fmt::format("{} (Matrix Market){}", a.corpus.path,
                                      tfidf                   ? ", tfidf"
                                      : out.vectorizer.binary ? ", binary"
                                                              : "");
        return out;
    }
    for (const auto& [option, path] :
         {std::pair{"--vocabulary", &a.vocabulary_file}, {"--labels", &a.labels_file}, {"--ids", &a.ids_file}})
        if (!path->empty())
            throw InvalidArgument(fmt::format("{} applies to a Matrix Market input; a corpus brings its own", option));
    const auto corpus_opts = corpus_options(a.corpus);
    text::Vectorizer vectorizer(vectorizer_options(a.vectorizer));
    const auto t0 = Clock::now();
    const text::Corpus corpus = [&] {
        const Progress progress("reading");
        return text::read_corpus(a.corpus.path, corpus_opts);
    }();
    out.read_s = since(t0);
    warn_skipped(corpus);
    out.skipped = corpus.skipped;
    const auto t1 = Clock::now();
    {
        const Progress progress("vectorizing");
        out.x = vectorizer.fit_transform<T>(corpus.texts);
    }
    out.vectorize_s = since(t1);
    out.vocabulary = vectorizer.vocabulary();
    out.vectorized = true;
    out.vectorizer = vectorizer.options();
    out.idf = vectorizer.idf();
    out.ids = corpus.ids;
    out.labels = corpus.labels;
    out.dates = corpus.dates;
    if (a.keep_snippets) {
        out.snippets.reserve(corpus.size());
        for (const auto& t : corpus.texts) out.snippets.push_back(document_snippet(t));
    }
    const std::string selection = describe_selection(a.corpus);
    out.description = fmt::format("{} ({}{}), {}", corpus.source, corpus.layout,
                                  selection.empty() ? "" : ": " + selection, a.vectorizer.weighting);
    return out;
}

template LoadedMatrix<float> load_matrix(const MatrixArgs&);
template LoadedMatrix<double> load_matrix(const MatrixArgs&);

template <typename T>
nlohmann::json matrix_json(const LoadedMatrix<T>& in, const MatrixArgs& args) {
    nlohmann::json j = {{"source", in.description},
                        {"rows", in.x.rows},
                        {"cols", in.x.cols},
                        {"nnz", in.x.nnz()},
                        {"dtype", args.vectorizer.dtype},
                        {"threads", runtime::max_threads()}};
    if (in.vectorized) j["skipped"] = skipped_json(in.skipped);
    return j;
}

template nlohmann::json matrix_json(const LoadedMatrix<float>&, const MatrixArgs&);
template nlohmann::json matrix_json(const LoadedMatrix<double>&, const MatrixArgs&);

namespace {

/// A "Vm...: N kB" line of /proc/self/status, in MB; -1 when absent.
double status_mb(const char* field) {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    double mb = -1;
    const std::size_t len = std::strlen(field);
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, field, len) == 0 && line[len] == ':') {
            mb = std::strtod(line + len + 1, nullptr) / 1024.0;
            break;
        }
    std::fclose(f);
    return mb;
}

}  // namespace

MemoryWatch::MemoryWatch() {
    std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
    if (!f) return;
    const bool reset = std::fputs("5", f) >= 0;
    if (std::fclose(f) == 0 && reset) m_start_mb = status_mb("VmRSS");
}

double MemoryWatch::added_mb() const {
    if (m_start_mb < 0) return -1;
    const double peak = status_mb("VmHWM");
    return peak < 0 ? -1 : std::max(0.0, peak - m_start_mb);
}

double peak_memory_mb() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

namespace {
std::string term(const std::vector<std::string>& vocabulary, std::int64_t j) {
    return j < static_cast<std::int64_t>(vocabulary.size()) ? vocabulary[static_cast<std::size_t>(j)]
                                                            : fmt::format("#{}", j);
}
}  // namespace

std::string words_of(const std::vector<decomp::TermWeight>& terms, const std::vector<std::string>& vocabulary) {
    std::string out;
    for (const auto& t : terms) out += (out.empty() ? "" : " ") + term(vocabulary, t.term);
    return out;
}

std::string label_cell(const model::TopicLabel& topic) {
    return topic.size > 0 ? fmt::format("{} {:.0f}%", topic.label, 100 * topic.share) : "-";
}

nlohmann::json labels_json(const model::LabelAlignment& alignment) {
    nlohmann::json per = nlohmann::json::array();
    for (const auto& tl : alignment.topics)
        per.push_back({{"label", tl.label}, {"share", tl.share}, {"size", tl.size}});
    return {{"nmi", alignment.nmi}, {"ari", alignment.ari}, {"topics", per}};
}

void print_topics(const std::vector<decomp::Topic>& topics, const std::vector<std::string>& vocabulary, bool signed_) {
    for (std::size_t i = 0; i < topics.size(); ++i) {
        if (!signed_) {
            fmt::print("  {:>3}  {}\n", i, words_of(topics[i].top, vocabulary));
            continue;
        }
        fmt::print("  {:>3}  + {}\n", i, words_of(topics[i].top, vocabulary));
        if (!topics[i].negative.empty()) fmt::print("       - {}\n", words_of(topics[i].negative, vocabulary));
    }
}

nlohmann::json topics_json(const std::vector<decomp::Topic>& topics, const std::vector<std::string>& vocabulary) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : topics) {
        nlohmann::json top = nlohmann::json::array(), neg = nlohmann::json::array();
        for (const auto& w : t.top) top.push_back({term(vocabulary, w.term), w.weight});
        for (const auto& w : t.negative) neg.push_back({term(vocabulary, w.term), w.weight});
        out.push_back({{"top", top}, {"negative", neg}});
    }
    return out;
}

}  // namespace factopic::cli
