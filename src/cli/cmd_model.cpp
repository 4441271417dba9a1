// factopic transform and inspect: what a saved model (factopic fit -o model.ftm) is good for.
// transform embeds new documents with the training-time vectorizer and the model's factor;
// inspect shows what the model holds.
#include <fmt/core.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "doc_topics.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/matrix_market.hpp"
#include "factopic/model/assignment.hpp"
#include "factopic/model/model.hpp"
#include "factopic/model/quality.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "factopic/text/corpus.hpp"
#include "inputs.hpp"
#include "matrix_input.hpp"
#include "options.hpp"
#include "outputs.hpp"
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
    std::string labels_file, ids_file;  // a .mtx input's rows
    MatrixOnlyOptions matrix_options;   // the corpus options a .mtx input refuses
    std::string doc_topics_path;
    DocTopicsArgs doc;
    int top = 10;
    int threads = 0;
    bool json = false;
};

/// The documents to embed, over the model's terms: a corpus read and vectorized by the model's
/// vectorizer, or a .mtx of counts weighted as the model's training matrix was.
struct Documents {
    CsrMatrix<double> x;
    std::vector<std::string> ids, labels;
    std::string source;       // the corpus's source, or the .mtx path
    std::string description;  // the text report's "(layout: selection)" or "(Matrix Market)"
    std::optional<text::CorpusSkipped> skipped;
    double read_s = 0, vectorize_s = 0;
};

Documents read_documents(const TransformArgs& a, const model::TopicModel& m) {
    Documents docs;
    auto t = Clock::now();
    if (is_matrix_market(a.corpus.path)) {
        {
            const Progress progress("reading");
            docs.x = io::read_matrix_market<double>(a.corpus.path);
        }
        docs.read_s = since(t);
        t = Clock::now();
        try {
            model::weigh_like_training(m, docs.x);
        } catch (const DataError& e) {
            const bool tfidf = m.vectorizer.weighting == text::Weighting::Tfidf;
            throw DataError(fmt::format("{}: {}; the model {} takes {}", a.corpus.path, e.what(), a.model_path,
                                        tfidf ? fmt::format("counts over its {} terms, which it weighs by tf-idf as "
                                                            "its training matrix was",
                                                            m.terms.cols)
                                              : fmt::format("a matrix over its {} terms", m.terms.cols)));
        }
        docs.vectorize_s = since(t);
        docs.labels =
            a.labels_file.empty() ? std::vector<std::string>{} : read_row_file(a.labels_file, docs.x.rows, "labels");
        if (!a.ids_file.empty()) {
            docs.ids = read_row_file(a.ids_file, docs.x.rows, "ids");
        } else {
            for (std::int64_t i = 0; i < docs.x.rows; ++i) docs.ids.push_back(fmt::format("row {}", i + 1));
        }
        docs.source = a.corpus.path;
        docs.description = "(Matrix Market)";
        return docs;
    }
    if (m.fitted_on_matrix)
        throw InvalidArgument(
            fmt::format("{} was fitted on a matrix, not on documents: it has no vectorizer to read {} "
                        "with; transform a .mtx of counts over its {} terms instead",
                        a.model_path, a.corpus.path, m.terms.cols));
    const text::Vectorizer vectorizer = model::vectorizer_of(m);
    text::Corpus corpus = [&] {
        const Progress progress("reading");
        return text::read_corpus(a.corpus.path, corpus_options(a.corpus));
    }();
    docs.read_s = since(t);
    warn_skipped(corpus);
    t = Clock::now();
    {
        const Progress progress("vectorizing");
        docs.x = vectorizer.transform<double>(corpus.texts);
    }
    docs.vectorize_s = since(t);
    docs.ids = std::move(corpus.ids);
    docs.labels = std::move(corpus.labels);
    docs.source = corpus.source;
    const std::string selection = describe_selection(a.corpus);
    docs.description = fmt::format("({}{})", corpus.layout, selection.empty() ? "" : ": " + selection);
    docs.skipped = corpus.skipped;
    return docs;
}

void run_transform(const TransformArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.corpus.quiet, a.json);
    runtime::set_threads(a.threads);
    if (is_matrix_market(a.corpus.path)) {
        check_matrix_options(a.matrix_options, VectorizerArgs{}, a.corpus.path);
    } else {
        for (const auto& [option, path] : {std::pair{"--labels", &a.labels_file}, {"--ids", &a.ids_file}})
            if (!path->empty())
                throw InvalidArgument(
                    fmt::format("{} applies to a Matrix Market input; a corpus brings its own", option));
    }
    const model::AssignOptions assign = assign_options(a.doc);
    io::OutputFiles outputs({{"--doc-topics", a.doc_topics_path}},
                            {{"MODEL", a.model_path},
                             {is_matrix_market(a.corpus.path) ? "MATRIX" : "CORPUS", a.corpus.path},
                             {"--labels", a.labels_file},
                             {"--ids", a.ids_file}});
    keep_report_off_standard_output(outputs);
    const model::TopicModel m = model::load_model(a.model_path);
    check_normalize(a.doc, a.doc_topics_path, m.method != "nmf");
    const Documents docs = read_documents(a, m);
    const CsrMatrix<double>& x = docs.x;
    const double read_s = docs.read_s, vectorize_s = docs.vectorize_s;
    auto t = Clock::now();
    const linalg::Matrix<double> w = [&] {
        const Progress progress("transform");
        return model::embed(m, x);
    }();
    const double transform_s = since(t);

    const std::int64_t k = m.k();
    const std::vector<std::int64_t> dominant = model::assign_topics(w, assign);
    const std::vector<std::int64_t> sizes = model::topic_sizes(dominant, k);
    const std::int64_t unassigned = model::unassigned_documents(dominant);
    const std::vector<model::TopicSupport> support = model::topic_support(w);
    const bool labelled = model::has_labels(docs.labels);
    model::LabelAlignment alignment;
    if (labelled) alignment = model::align_labels(dominant, k, docs.labels);
    const std::int64_t empty = model::empty_rows(x);

    if (outputs[0]) write_doc_topics(*outputs[0], w, docs.ids, docs.labels, dominant, a.doc.normalize);
    outputs.commit();
    const auto shown = decomp::topics_from_rows(m.terms, k, a.top, false);

    if (a.json) {
        nlohmann::json j;
        j["model"] = {{"path", a.model_path}, {"method", m.method}, {"k", k}, {"terms", m.terms.cols}};
        j["corpus"] = {{"source", docs.source}, {"documents", x.rows}, {"nnz", x.nnz()}, {"empty_documents", empty}};
        if (docs.skipped) j["corpus"]["skipped"] = skipped_json(*docs.skipped);
        j["topic_sizes"] = sizes;
        j["unassigned_documents"] = unassigned;
        j["min_topic_weight"] = a.doc.min_topic_weight;
        j["few_documents_threshold"] = model::few_documents_threshold(x.rows);
        j["topic_support"] = support_json(support);
        j["labels"] = labelled ? labels_json(alignment) : nlohmann::json(nullptr);
        if (labelled) j["labels"]["unassigned"] = alignment.unassigned;
        j["timings"] = {
            {"read", read_s}, {"vectorize", vectorize_s}, {"transform", transform_s}, {"total", since(start)}};
        nlohmann::json written = nlohmann::json::object();
        if (!a.doc_topics_path.empty()) written["doc_topics"] = a.doc_topics_path;
        j["outputs"] = written;
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    fmt::print("model      {}: {}, {} terms\n", a.model_path, method_summary(m), m.terms.cols);
    fmt::print("corpus     {} documents ({} with none of the model's terms), {} non-zeros: {} {}\n", x.rows, empty,
               x.nnz(), docs.source, docs.description);
    fmt::print("outliers   {}\n", unassigned_text(unassigned, a.doc));
    if (labelled)
        fmt::print("labels     dominant topic of each document vs its label: NMI {:.4f}, ARI {:.4f}{}\n", alignment.nmi,
                   alignment.ari,
                   unassigned > 0 ? fmt::format(" (the {} documents with a topic)", x.rows - unassigned) : "");
    fmt::print("time       read {:.3f} s, vectorize {:.3f} s, transform {:.3f} s, total {:.3f} s\n", read_s,
               vectorize_s, transform_s, since(start));
    if (!a.doc_topics_path.empty()) fmt::print("wrote      {}\n", a.doc_topics_path);
    fmt::print("\ntopic   docs  {}words\n", labelled ? "label                      " : "");
    for (std::int64_t topic = 0; topic < k; ++topic) {
        const auto ts = static_cast<std::size_t>(topic);
        std::string label;
        if (labelled) {
            const auto& tl = alignment.topics[ts];
            label = fmt::format("{:<25}  ", label_cell(tl));
        }
        fmt::print("{:>5}  {:>5}  {}{}{}\n", topic, sizes[ts], label, words_of(shown[ts].top, m.vocabulary),
                   support_cell(support[ts]));
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
        j["input"] = m.fitted_on_matrix ? "matrix" : "corpus";
        // The whole topic-term factor, not only the top words: a row per topic, a column per term
        // of "vocabulary", in its order (H for NMF, the first k rows of Vt for SVD methods).
        j["vocabulary"] = m.vocabulary;
        nlohmann::json rows = nlohmann::json::array();
        for (std::int64_t t = 0; t < m.k(); ++t) {
            std::vector<double> row(static_cast<std::size_t>(m.terms.cols));
            for (std::int64_t c = 0; c < m.terms.cols; ++c) row[static_cast<std::size_t>(c)] = m.terms(t, c);
            rows.push_back(std::move(row));
        }
        j["topic_term"] = std::move(rows);
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    const auto& v = header.at("vectorizer");
    const auto& meta = header.at("metadata");
    fmt::print("model      {}: factopic model format {}\n", a.model_path, model::k_model_version);
    fmt::print("method     {}\n", method_summary(m));
    if (m.fitted_on_matrix) {
        const std::string weighting =
            m.vectorizer.weighting == text::Weighting::Tfidf
                ? fmt::format("tf-idf of its counts, norm {}{}", v.at("norm").get<std::string>(),
                              m.idf.empty() ? "" : ", idf weights")
            : m.vectorizer.binary ? "binary"
                                  : "its values as they are";
        fmt::print("input      a matrix (.mtx), {} terms: {}; transform takes a .mtx over them, not text\n",
                   m.terms.cols, weighting);
    } else {
        fmt::print(
            "vectorizer {}, {} terms, stop words {}{}, ngram {}:{}, norm {}{}\n", v.at("weighting").get<std::string>(),
            m.terms.cols, v.at("english_stop_words").get<bool>() ? "english" : "none",
            m.vectorizer.stop_words.empty() ? "" : fmt::format(" + {} of the user's", m.vectorizer.stop_words.size()),
            m.vectorizer.ngram_min, m.vectorizer.ngram_max, v.at("norm").get<std::string>(),
            m.idf.empty() ? "" : ", idf weights");
    }
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
        "A .mtx input holds counts over the model's terms (in its column order), weighted as the training\n"
        "matrix was; a model fitted on a .mtx takes only a .mtx (it has no tokenizer).\n"
        "Example:\n"
        "  factopic transform model.ftm data/20news-4cat.tar.gz --subset test \\\n"
        "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
        "      --remove headers,footers,quotes --doc-topics W-test.csv");
    sub->add_option("MODEL", args->model_path, "A model written by factopic fit")->required();
    const std::size_t first = sub->get_options().size();
    add_corpus_options(*sub, args->corpus, "CORPUS|X.mtx",
                       "The documents to embed: a corpus (as for vectorize), or a Matrix Market file over the model's "
                       "terms (counts, for a tf-idf model), weighted as the training matrix was");
    classify_matrix_options(*sub, first, args->matrix_options);
    sub->add_option("--ids", args->ids_file, "For a .mtx input: the id of each row, one per line");
    sub->add_option("--labels", args->labels_file,
                    "For a .mtx input: the label of each row, one per line, an empty line for none");
    sub->add_option("--doc-topics", args->doc_topics_path,
                    "Write each document's topic weights here, as CSV (id, label, dominant topic, weights)");
    add_doc_topics_options(*sub, args->doc);
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
