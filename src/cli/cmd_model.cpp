// factopic transform and inspect: what a saved model (factopic fit -o model.ftm) is good for.
// transform embeds new documents with the training-time vectorizer and the model's factor;
// inspect shows what the model holds.
#include <fmt/core.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "outputs.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/model/model.hpp"
#include "factopic/model/quality.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/corpus.hpp"
#include "inputs.hpp"
#include "matrix_input.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace factopic::cli {
namespace {

using runtime::Clock;
using runtime::since;

std::string method_summary(const model::TopicModel& m) {
    if (m.method != "nmf") return fmt::format("{}, k = {}", m.method, m.k());
    return fmt::format("nmf ({}, init {}), k = {}", decomp::to_string(m.nmf.solver), decomp::to_string(m.nmf.init),
                       m.k());
}

// ---------------------------------------------------------------------------------------------
// transform

struct TransformArgs {
    std::string model_path;
    CorpusArgs corpus;
    std::string doc_topics_path;
    int top = 10;
    int threads = 0;
    bool json = false;
};

void run_transform(const TransformArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.corpus.quiet, a.json);
    runtime::set_threads(a.threads);
    if (is_matrix_market(a.corpus.path))
        throw InvalidArgument("transform reads documents (a corpus), not a .mtx: the model vectorizes them itself");
    io::OutputFiles outputs({{"--doc-topics", a.doc_topics_path}},
                            {{"MODEL", a.model_path}, {"CORPUS", a.corpus.path}});
    keep_report_off_standard_output(outputs);
    const model::TopicModel m = model::load_model(a.model_path);
    const text::Vectorizer vectorizer = model::vectorizer_of(m);

    auto t = Clock::now();
    const text::Corpus corpus = [&] {
        const Progress progress("reading");
        return text::read_corpus(a.corpus.path, corpus_options(a.corpus));
    }();
    const double read_s = since(t);
    warn_skipped(corpus);
    t = Clock::now();
    const CsrMatrix<double> x = [&] {
        const Progress progress("vectorizing");
        return vectorizer.transform<double>(corpus.texts);
    }();
    const double vectorize_s = since(t);
    t = Clock::now();
    const linalg::Matrix<double> w = [&] {
        const Progress progress("transform");
        return model::embed(m, x);
    }();
    const double transform_s = since(t);

    const std::int64_t k = m.k();
    const std::vector<std::int64_t> dominant = model::dominant_topics(w);
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(k), 0);
    for (const std::int64_t topic : dominant) ++sizes[static_cast<std::size_t>(topic)];
    const bool labelled = model::has_labels(corpus.labels);
    model::LabelAlignment alignment;
    if (labelled) alignment = model::align_labels(dominant, k, corpus.labels);
    const std::int64_t empty = model::empty_rows(x);

    if (outputs[0]) write_doc_topics(*outputs[0], w, corpus.ids);
    outputs.commit();
    const auto shown = decomp::topics_from_rows(m.terms, k, a.top, false);

    if (a.json) {
        nlohmann::json j;
        j["model"] = {{"path", a.model_path}, {"method", m.method}, {"k", k}, {"terms", m.terms.cols}};
        j["corpus"] = {{"source", corpus.source},
                       {"documents", x.rows},
                       {"nnz", x.nnz()},
                       {"empty_documents", empty},
                       {"skipped", skipped_json(corpus.skipped)}};
        j["topic_sizes"] = sizes;
        j["labels"] = labelled ? labels_json(alignment) : nlohmann::json(nullptr);
        j["timings"] = {{"read", read_s}, {"vectorize", vectorize_s}, {"transform", transform_s}, {"total", since(start)}};
        nlohmann::json written = nlohmann::json::object();
        if (!a.doc_topics_path.empty()) written["doc_topics"] = a.doc_topics_path;
        j["outputs"] = written;
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    fmt::print("model      {}: {}, {} terms\n", a.model_path, method_summary(m), m.terms.cols);
    const std::string selection = describe_selection(a.corpus);
    fmt::print("corpus     {} documents ({} with none of the model's terms), {} non-zeros: {} ({}{})\n", x.rows, empty,
               x.nnz(), corpus.source, corpus.layout, selection.empty() ? "" : ": " + selection);
    if (labelled)
        fmt::print("labels     dominant topic of each document vs its label: NMI {:.4f}, ARI {:.4f}\n", alignment.nmi,
                   alignment.ari);
    fmt::print("time       read {:.3f} s, vectorize {:.3f} s, transform {:.3f} s, total {:.3f} s\n", read_s, vectorize_s,
               transform_s, since(start));
    if (!a.doc_topics_path.empty()) fmt::print("wrote      {}\n", a.doc_topics_path);
    fmt::print("\ntopic   docs  {}words\n", labelled ? "label                      " : "");
    for (std::int64_t topic = 0; topic < k; ++topic) {
        const auto ts = static_cast<std::size_t>(topic);
        std::string label;
        if (labelled) {
            const auto& tl = alignment.topics[ts];
            label = fmt::format("{:<25}  ", label_cell(tl));
        }
        fmt::print("{:>5}  {:>5}  {}{}\n", topic, sizes[ts], label, words_of(shown[ts].top, m.vocabulary));
    }
}

// ---------------------------------------------------------------------------------------------
// inspect

/// A metadata number as load_model checked it: a number, or null (NaN when it was written).
double metadata_number(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }

struct InspectArgs {
    std::string model_path;
    int top = 10;
    bool json = false;
};

void run_inspect(const InspectArgs& a) {
    const model::TopicModel m = model::load_model(a.model_path);
    const nlohmann::json header = nlohmann::json::parse(model::header_json(m));
    const bool signed_ = m.method != "nmf";
    const auto topics = decomp::topics_from_rows(m.terms, m.k(), a.top, signed_);
    if (a.json) {
        nlohmann::json j = header;
        j["path"] = a.model_path;
        j["format_version"] = model::k_model_version;
        j["k"] = m.k();
        j["terms"] = m.terms.cols;
        j["stop_words"] = m.vectorizer.stop_words;
        j["singular_values"] = m.singular_values;
        j["topics"] = topics_json(topics, m.vocabulary);
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    const auto& v = header.at("vectorizer");
    const auto& meta = header.at("metadata");
    fmt::print("model      {}: factopic model format {}\n", a.model_path, model::k_model_version);
    fmt::print("method     {}\n", method_summary(m));
    fmt::print("vectorizer {}, {} terms, stop words {}{}, ngram {}:{}, norm {}{}\n", v.at("weighting").get<std::string>(),
               m.terms.cols, v.at("english_stop_words").get<bool>() ? "english" : "none",
               m.vectorizer.stop_words.empty() ? "" : fmt::format(" + {} of the user's", m.vectorizer.stop_words.size()),
               m.vectorizer.ngram_min, m.vectorizer.ngram_max, v.at("norm").get<std::string>(),
               m.idf.empty() ? "" : ", idf weights");
    if (meta.contains("source"))
        fmt::print("fitted on  {}: {} documents, {}\n", meta.at("source").get<std::string>(),
                   meta.value("documents", std::int64_t{0}), meta.value("created_by", std::string("?")));
    const auto number = [&](const char* key) { return meta.contains(key) ? metadata_number(meta.at(key)) : 0.0; };
    if (meta.contains("reconstruction_error"))
        fmt::print("error      {:.6f} (relative {:.6f}) after {} iterations\n", number("reconstruction_error"),
                   number("relative_error"), meta.value("iterations", std::int64_t{0}));
    if (meta.contains("coherence"))
        fmt::print("quality    coherence NPMI {:.4f}, UMass {:.4f}; diversity {:.3f}{}\n",
                   metadata_number(meta.at("coherence").at("npmi_mean")),
                   metadata_number(meta.at("coherence").at("umass_mean")), number("diversity"),
                   meta.contains("labels")
                       ? fmt::format("; labels NMI {:.4f}, ARI {:.4f}", metadata_number(meta.at("labels").at("nmi")),
                                     metadata_number(meta.at("labels").at("ari")))
                       : "");
    fmt::print("\n");
    print_topics(topics, m.vocabulary, signed_);
}

}  // namespace

void register_transform(CLI::App& app) {
    auto args = std::make_shared<TransformArgs>();
    auto* sub = app.add_subcommand("transform", "Embed new documents with a saved model: their topic weights");
    sub->footer(
        "Vectorizes the documents exactly as the training documents were (the model's vocabulary, stop words\n"
        "and idf weights), then: NMF, non-negative least squares with H fixed (scikit-learn's NMF.transform);\n"
        "SVD, the projection X V (TruncatedSVD.transform). Prints each topic's documents and, with labels,\n"
        "the dominant label and the NMI/ARI; --doc-topics writes the weights.\n"
        "Example:\n"
        "  factopic transform model.ftm data/20news-4cat.tar.gz --subset test \\\n"
        "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
        "      --remove headers,footers,quotes --doc-topics W-test.csv");
    sub->add_option("MODEL", args->model_path, "A model written by factopic fit")->required();
    add_corpus_options(*sub, args->corpus, "CORPUS", "The documents to embed (a corpus, as for vectorize)");
    sub->add_option("--doc-topics", args->doc_topics_path, "Write each document's topic weights here, as CSV");
    sub->add_option("--top", args->top, "Words shown per topic")->check(CLI::PositiveNumber)->capture_default_str();
    add_threads_option(*sub, args->threads);
    sub->add_flag("--json", args->json, "Print one JSON object instead of the report");
    sub->callback([args] { run_transform(*args); });
}

void register_inspect(CLI::App& app) {
    auto args = std::make_shared<InspectArgs>();
    auto* sub = app.add_subcommand("inspect", "Show what a saved model holds: settings, fit, topics");
    sub->footer(
        "Checks the file (signature, format version, checksum) and prints the method and its options, the\n"
        "vectorizer's settings, where the model was fitted and how well, and its topics.\n"
        "Example:\n"
        "  factopic inspect model.ftm --top 8");
    sub->add_option("MODEL", args->model_path, "A model written by factopic fit")->required();
    sub->add_option("--top", args->top, "Words shown per topic")->check(CLI::PositiveNumber)->capture_default_str();
    sub->add_flag("--json", args->json, "Print one JSON object instead of the report");
    sub->callback([args] { run_inspect(*args); });
}

}  // namespace factopic::cli
