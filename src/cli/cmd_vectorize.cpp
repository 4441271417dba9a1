// factopic vectorize: corpus → document–term matrix (Matrix Market), vocabulary, labels, ids.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "commands.hpp"
#include "factopic/core/error.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/matrix_market.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/corpus.hpp"
#include "factopic/text/vectorizer.hpp"
#include "inputs.hpp"
#include "options.hpp"
#include "outputs.hpp"
#include "progress.hpp"

namespace factopic::cli {
namespace {

using runtime::Clock;
using runtime::since;

struct VectorizeArgs {
    CorpusArgs corpus;
    VectorizerArgs vectorizer;
    std::string matrix_path, vocab_path, labels_path, ids_path, dates_path;
    int top_terms = 20;
    int threads = 0;
    bool json = false;
};

std::vector<std::pair<std::string, std::int64_t>> top_terms(const text::Vectorizer& v, int n) {
    const auto& totals = v.term_totals();
    std::vector<std::size_t> order(totals.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto k = std::min<std::size_t>(static_cast<std::size_t>(std::max(n, 0)), order.size());
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
        [&](std::size_t a, std::size_t b) { return totals[a] != totals[b] ? totals[a] > totals[b] : a < b; });
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (std::size_t i = 0; i < k; ++i) out.emplace_back(v.vocabulary()[order[i]], totals[order[i]]);
    return out;
}

template <typename T>
std::int64_t empty_rows(const CsrMatrix<T>& X) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < X.rows; ++i) n += X.row_nnz(i) == 0;
    return n;
}

template <typename T>
void run_typed(const VectorizeArgs& a, text::Vectorizer& vectorizer, const text::Corpus& corpus,
               io::OutputFiles& outputs, double read_s, Clock::time_point start) {
    io::AtomicFile* matrix_file = outputs[0];

    const auto t0 = Clock::now();
    const CsrMatrix<T> X = [&] {
        const Progress progress("vectorizing");
        return vectorizer.fit_transform<T>(corpus.texts);
    }();
    const double vectorize_s = since(t0);

    const auto t1 = Clock::now();
    if (matrix_file) {
        io::write_matrix_market(
            *matrix_file, X,
            fmt::format("factopic vectorize: {} documents x {} terms ({})", X.rows, X.cols, a.vectorizer.weighting));
    }
    if (outputs[1]) io::write_lines(*outputs[1], vectorizer.vocabulary());
    if (outputs[2]) io::write_lines(*outputs[2], corpus.labels);
    if (outputs[3]) io::write_lines(*outputs[3], corpus.ids);
    if (outputs[4]) io::write_lines(*outputs[4], corpus.dates);
    outputs.commit();
    const double write_s = since(t1);
    const double total_s = since(start);

    const auto empty = empty_rows(X);
    const auto top = top_terms(vectorizer, a.top_terms);
    if (a.json) {
        nlohmann::json j;
        j["source"] = corpus.source;
        j["layout"] = corpus.layout;
        j["documents"] = X.rows;
        j["terms"] = X.cols;
        j["nnz"] = X.nnz();
        j["empty_documents"] = empty;
        j["weighting"] = a.vectorizer.weighting;
        j["dtype"] = a.vectorizer.dtype;
        j["threads"] = runtime::max_threads();
        j["bytes_read"] = corpus.bytes_read;
        j["skipped"] = skipped_json(corpus.skipped);
        j["pruned_terms"] = vectorizer.pruned_terms().size();
        j["top_terms"] = nlohmann::json::array();
        for (const auto& [term, count] : top) j["top_terms"].push_back({term, count});
        j["timings"] = {{"read", read_s},
                        {"vectorize", vectorize_s},
                        {"tokenize", vectorizer.timings().tokenize},
                        {"merge", vectorizer.timings().merge},
                        {"weight", vectorizer.timings().weight},
                        {"write", write_s},
                        {"total", total_s}};
        nlohmann::json written = nlohmann::json::object();
        if (!a.matrix_path.empty()) written["matrix"] = a.matrix_path;
        if (!a.vocab_path.empty()) written["vocabulary"] = a.vocab_path;
        if (!a.labels_path.empty()) written["labels"] = a.labels_path;
        if (!a.ids_path.empty()) written["ids"] = a.ids_path;
        if (!a.dates_path.empty()) written["dates"] = a.dates_path;
        j["outputs"] = written;
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    const std::string selection = describe_selection(a.corpus);
    fmt::print("corpus     {} documents from {} ({}{}), {:.1f} MB of text\n", corpus.size(), corpus.source,
               corpus.layout, selection.empty() ? "" : ": " + selection, static_cast<double>(corpus.bytes_read) / 1e6);
    const double density =
        X.rows && X.cols ? 100.0 * static_cast<double>(X.nnz()) / (double(X.rows) * double(X.cols)) : 0;
    fmt::print("matrix     {} x {}, {} non-zeros ({:.3f}% dense), {} empty documents, {} {}, stop words {}\n", X.rows,
               X.cols, X.nnz(), density, empty, a.vectorizer.weighting, a.vectorizer.dtype, a.vectorizer.stop_words);
    fmt::print("timings    read {:.3f} s, vectorize {:.3f} s, write {:.3f} s, total {:.3f} s ({} threads)\n", read_s,
               vectorize_s, write_s, total_s, runtime::max_threads());
    for (const auto& [label, path] : {std::pair{"matrix", a.matrix_path},
                                      {"vocabulary", a.vocab_path},
                                      {"labels", a.labels_path},
                                      {"ids", a.ids_path},
                                      {"dates", a.dates_path}})
        if (!path.empty()) fmt::print("wrote      {} {}\n", label, path);
    if (!top.empty()) {
        fmt::print("top terms  (by total count)\n");
        for (std::size_t i = 0; i < top.size(); ++i)
            fmt::print("  {:>3}  {:<20} {:>8}\n", i + 1, top[i].first, top[i].second);
    }
}

void run(const VectorizeArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.corpus.quiet, a.json);
    runtime::set_threads(a.threads);
    const auto corpus_opts = corpus_options(a.corpus);
    if (!a.dates_path.empty() && a.corpus.date_field.empty())
        throw InvalidArgument("--dates writes each document's --date-field value: give --date-field");
    text::Vectorizer vectorizer(vectorizer_options(a.vectorizer));
    // Opened before any work, so that an unwritable path fails at once, not after the corpus.
    io::OutputFiles outputs({{"-o", a.matrix_path},
                             {"--vocab", a.vocab_path},
                             {"--labels", a.labels_path},
                             {"--ids", a.ids_path},
                             {"--dates", a.dates_path}},
                            corpus_inputs(a.corpus, a.vectorizer));
    keep_report_off_standard_output(outputs);
    const auto t0 = Clock::now();
    const text::Corpus corpus = [&] {
        const Progress progress("reading");
        return text::read_corpus(a.corpus.path, corpus_opts);
    }();
    const double read_s = since(t0);
    warn_skipped(corpus);
    if (a.vectorizer.dtype == "float32")
        run_typed<float>(a, vectorizer, corpus, outputs, read_s, start);
    else
        run_typed<double>(a, vectorizer, corpus, outputs, read_s, start);
}

}  // namespace

void register_vectorize(CLI::App& app) {
    auto args = std::make_shared<VectorizeArgs>();
    auto* sub = app.add_subcommand("vectorize", "Read a corpus and write its document-term matrix (Matrix Market)");
    sub->footer(
        "Example:\n"
        "  factopic vectorize data/20news-4cat.tar.gz --subset train \\\n"
        "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
        "      --remove headers,footers,quotes --weighting tfidf -o X.mtx --vocab vocab.txt");
    add_corpus_options(*sub, args->corpus);
    add_date_field_option(*sub, args->corpus);
    add_vectorizer_options(*sub, args->vectorizer);
    sub->add_option("-o,--output", args->matrix_path, "Write the matrix here (Matrix Market, documents x terms)");
    sub->add_option("--vocab", args->vocab_path, "Write the vocabulary here, one term per line in column order");
    sub->add_option("--labels", args->labels_path, "Write each document's label here, one per line in row order");
    sub->add_option("--ids", args->ids_path, "Write each document's id (its path in the corpus) here, in row order");
    sub->add_option("--dates", args->dates_path,
                    "Write each document's date (--date-field) here, one per line in row order (empty: none)");
    sub->add_option("--top-terms", args->top_terms, "How many of the most frequent terms to report")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    add_threads_option(*sub, args->threads);
    sub->add_flag("--json", args->json, "Print one JSON object instead of the summary");
    sub->callback([args] { run(*args); });
}

}  // namespace factopic::cli
