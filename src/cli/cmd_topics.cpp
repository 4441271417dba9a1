// factopic topics: the main job. Reads and vectorizes a corpus (tf-idf, English stop words by
// default) or takes a Matrix Market file, decomposes it (NMF by default; svd, rsvd, krylov), and
// reports what a person judges topics by: the corpus, the method and its error, each topic's top
// words with its coherence and its size, the diversity of the topics, and, when the documents
// carry labels, how the topics line up with them.
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/core/version.hpp"
#include "factopic/model/model.hpp"
#include "factopic/model/quality.hpp"
#include "factopic/runtime/clock.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "svd_options.hpp"

namespace factopic::cli {
namespace {

using runtime::Clock;
using runtime::since;

constexpr std::int64_t k_coherence_top = 10;  // gensim's CoherenceModel default (topn)
constexpr std::int64_t k_diversity_top = 25;  // Dieng et al. 2020, "Topic modeling in embedding spaces"

struct TopicsArgs {
    MatrixArgs input;
    std::string method = "nmf";
    std::int64_t k = 10;
    SvdMethodArgs svd;
    NmfMethodArgs nmf;
    int top = 10;
    std::string doc_topics_path;
    std::string model_path;  // fit: where the model goes
    bool json = false;
};

/// What every method hands to the report: the topic-term factor (H or Vᵀ), the document
/// embedding (W or U·Σ), and the lines that describe the run.
template <typename T>
struct Decomposition {
    linalg::Matrix<T> terms;  // k × n
    linalg::Matrix<T> docs;   // m × k
    bool signed_ = false;
    nlohmann::json json;      // method-specific fields
    std::string method_line;  // after "method     "
    double seconds = 0;
    decomp::NmfOptions nmf;             // nmf: the options it ran with (a model keeps them)
    std::vector<double> singular_values;  // svd methods: the k kept
};

template <typename T>
Decomposition<T> run_nmf(const LoadedMatrix<T>& in, const TopicsArgs& a) {
    NmfMethodArgs na = a.nmf;
    na.seed = a.svd.seed;
    const decomp::NmfOptions options = nmf_options(na, a.k);
    auto r = decomp::nmf(in.x, options);
    if (!r.converged && !r.reached_target && r.tol > 0)
        fmt::print(stderr, "{}\n", convergence_warning(r.solver, r.iterations, r.tol));
    Decomposition<T> d;
    d.json = {{"method", "nmf"},
              {"solver", decomp::to_string(r.solver)},
              {"init", decomp::to_string(r.init)},
              {"iterations", r.iterations},
              {"converged", r.converged},
              {"reconstruction_error", r.reconstruction_error},
              {"relative_error", r.relative_error},
              {"negative_entries", r.negative_entries}};
    d.method_line = fmt::format("nmf ({}, init {}), k = {}, {} in {} iterations, {:.3f} s; error {:.6f} (relative {:.6f})",
                                decomp::to_string(r.solver), decomp::to_string(r.init), a.k,
                                r.converged ? "converged" : "stopped", r.iterations, r.seconds,
                                r.reconstruction_error, r.relative_error);
    d.seconds = r.seconds;
    d.terms = std::move(r.h);
    d.docs = std::move(r.w);
    d.nmf = options;
    return d;
}

template <typename T>
Decomposition<T> run_svd(const LoadedMatrix<T>& in, const TopicsArgs& a) {
    SvdMethodArgs svd = a.svd;
    if (a.method == "svd") {
        svd.full = true;
        svd.method = "gram";
    } else {
        svd.k = a.k;
        svd.method = a.method;
    }
    validate(svd);
    auto r = decompose(in.x, svd);
    const std::int64_t k = std::min<std::int64_t>(a.k, static_cast<std::int64_t>(r.s.size()));
    Decomposition<T> d;
    d.signed_ = true;
    // Topics are the first k rows of Vᵀ; a document's weights are its coordinates A·V in them
    // (U·Σ to the SVD's accuracy), exactly what transform gives for the same documents.
    d.terms = linalg::Matrix<T>(k, r.vt.cols);
    for (std::int64_t j = 0; j < r.vt.cols; ++j)
        for (std::int64_t t = 0; t < k; ++t) d.terms(t, j) = r.vt(t, j);
    d.docs = model::project(in.x, d.terms);
    d.json = {{"method", a.method},
              {"algorithm", decomp::to_string(r.method)},
              {"singular_values", std::vector<T>(r.s.begin(), r.s.begin() + k)}};
    d.method_line = fmt::format("{} ({}), k = {}, {:.3f} s; singular values {:.4g} … {:.4g}", a.method,
                                decomp::to_string(r.method), k, r.seconds, r.s.front(),
                                r.s[static_cast<std::size_t>(k - 1)]);
    d.seconds = r.seconds;
    d.singular_values.assign(r.s.begin(), r.s.begin() + k);
    return d;
}

std::vector<std::vector<std::int64_t>> term_lists(const std::vector<decomp::Topic>& topics) {
    std::vector<std::vector<std::int64_t>> out;
    for (const auto& t : topics) {
        std::vector<std::int64_t> words;
        for (const auto& w : t.top) words.push_back(w.term);
        out.push_back(std::move(words));
    }
    return out;
}

bool has_labels(const std::vector<std::string>& labels) {
    return !labels.empty() && std::any_of(labels.begin(), labels.end(), [](const std::string& l) { return !l.empty(); });
}

std::string words_of(const std::vector<decomp::TermWeight>& terms, const std::vector<std::string>& vocabulary) {
    std::string out;
    for (const auto& t : terms) out += (out.empty() ? "" : " ") + vocabulary[static_cast<std::size_t>(t.term)];
    return out;
}

template <typename T>
void run_typed(const TopicsArgs& a, io::OutputFiles& outputs, Clock::time_point start) {
    const LoadedMatrix<T> in = load_matrix<T>(a.input);
    if (in.vocabulary.empty())
        throw InvalidArgument("topics need the terms: give a corpus, or --vocabulary with a .mtx input");
    if (!a.model_path.empty() && !in.vectorized)
        throw InvalidArgument("fit needs a corpus, not a .mtx: the model must vectorize new documents the same way");
    Decomposition<T> d = a.method == "nmf" ? run_nmf(in, a) : run_svd(in, a);
    const std::int64_t k = d.terms.rows;

    // Quality: coherence of the top 10 words over the documents the model was fitted on,
    // diversity of the top 25, and the label alignment of the dominant topics.
    const auto t_quality = Clock::now();
    const auto shown = decomp::topics_from_rows(d.terms, k, a.top, d.signed_);
    const auto for_coherence = term_lists(decomp::topics_from_rows(d.terms, k, k_coherence_top, false));
    const auto for_diversity = term_lists(decomp::topics_from_rows(d.terms, k, k_diversity_top, false));
    std::vector<std::int64_t> indexed;
    for (const auto& words : for_coherence) indexed.insert(indexed.end(), words.begin(), words.end());
    const model::DocumentIndex index(in.x, indexed);
    const model::Coherence coherence = model::coherence(index, for_coherence);
    const double diversity = model::topic_diversity(for_diversity);
    const std::vector<std::int64_t> dominant = model::dominant_topics(d.docs);
    const bool labelled = has_labels(in.labels);
    model::LabelAlignment alignment;
    if (labelled) alignment = model::align_labels(dominant, k, in.labels);
    std::vector<std::int64_t> sizes(static_cast<std::size_t>(k), 0);
    for (const std::int64_t t : dominant) ++sizes[static_cast<std::size_t>(t)];
    const double quality_s = since(t_quality);

    const auto t_write = Clock::now();
    if (outputs[0]) write_doc_topics(*outputs[0], d.docs, in.ids);
    std::size_t model_bytes = 0;
    if (outputs[1]) {
        model::TopicModel m;
        m.method = a.method;
        m.vectorizer = in.vectorizer;
        m.vocabulary = in.vocabulary;
        m.idf = in.idf;
        m.nmf = d.nmf;
        m.terms = d.terms.template cast<double>();
        m.singular_values = d.singular_values;
        nlohmann::json meta = d.json;
        meta["source"] = in.description;
        meta["created_by"] = fmt::format("factopic {}", k_version);
        meta["documents"] = in.x.rows;
        meta["nnz"] = in.x.nnz();
        meta["coherence"] = {{"npmi_mean", coherence.npmi_mean}, {"umass_mean", coherence.umass_mean}};
        meta["diversity"] = diversity;
        if (labelled) meta["labels"] = {{"nmi", alignment.nmi}, {"ari", alignment.ari}};
        m.metadata = meta.dump();
        const std::string bytes = model::encode(m);
        model_bytes = bytes.size();
        outputs[1]->write(bytes);
    }
    outputs.commit();
    const double write_s = since(t_write);

    std::int64_t empty = 0;
    for (std::int64_t i = 0; i < in.x.rows; ++i)
        empty += in.x.indptr[static_cast<std::size_t>(i)] == in.x.indptr[static_cast<std::size_t>(i + 1)];

    if (a.json) {
        nlohmann::json j = matrix_json(in, a.input);
        j.update(d.json);
        j["k"] = k;
        j["corpus"] = {{"documents", in.x.rows}, {"terms", in.x.cols}, {"nnz", in.x.nnz()}, {"empty_documents", empty}};
        j["topics"] = topics_json(shown, in.vocabulary);
        j["topic_sizes"] = sizes;
        j["coherence"] = {{"top", k_coherence_top},
                          {"cooccurrence", "document"},
                          {"npmi", coherence.npmi},
                          {"umass", coherence.umass},
                          {"npmi_mean", coherence.npmi_mean},
                          {"umass_mean", coherence.umass_mean}};
        j["diversity"] = {{"top", k_diversity_top}, {"value", diversity}};
        if (labelled) {
            nlohmann::json per = nlohmann::json::array();
            for (const auto& tl : alignment.topics)
                per.push_back({{"label", tl.label}, {"share", tl.share}, {"size", tl.size}});
            j["labels"] = {{"nmi", alignment.nmi}, {"ari", alignment.ari}, {"topics", per}};
        } else {
            j["labels"] = nullptr;
        }
        j["timings"] = {{"read", in.read_s},     {"vectorize", in.vectorize_s}, {"decompose", d.seconds},
                        {"quality", quality_s},  {"write", write_s},            {"total", since(start)}};
        nlohmann::json written = nlohmann::json::object();
        if (!a.doc_topics_path.empty()) written["doc_topics"] = a.doc_topics_path;
        if (!a.model_path.empty()) written["model"] = {{"path", a.model_path}, {"bytes", model_bytes}};
        j["outputs"] = written;
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }

    fmt::print("corpus     {} documents ({} empty), {} terms, {} non-zeros: {}\n", in.x.rows, empty, in.x.cols,
               in.x.nnz(), in.description);
    fmt::print("method     {}\n", d.method_line);
    fmt::print("quality    coherence NPMI {:.4f}, UMass {:.4f} (mean over topics of their top {} words, document "
               "co-occurrence); diversity {:.3f} (top {})\n",
               coherence.npmi_mean, coherence.umass_mean, k_coherence_top, diversity, k_diversity_top);
    if (labelled)
        fmt::print("labels     dominant topic of each document vs its label: NMI {:.4f}, ARI {:.4f}\n", alignment.nmi,
                   alignment.ari);
    fmt::print("time       read {:.3f} s, vectorize {:.3f} s, decompose {:.3f} s, total {:.3f} s\n", in.read_s,
               in.vectorize_s, d.seconds, since(start));
    if (!a.model_path.empty()) fmt::print("model      {} ({} bytes)\n", a.model_path, model_bytes);
    std::size_t label_width = 5;
    if (labelled)
        for (const auto& tl : alignment.topics) label_width = std::max(label_width, tl.label.size() + 6);
    fmt::print("\ntopic    npmi    umass   docs  {}{}\n", labelled ? fmt::format("{:<{}}  ", "label", label_width) : "",
               d.signed_ ? "words (+ largest, - most negative)" : "words");
    const std::string pad(22 + (labelled ? label_width + 2 : 0), ' ');
    for (std::int64_t t = 0; t < k; ++t) {
        const auto ts = static_cast<std::size_t>(t);
        std::string label;
        if (labelled) {
            const auto& tl = alignment.topics[ts];
            label = fmt::format("{:<{}}  ", tl.size > 0 ? fmt::format("{} {:.0f}%", tl.label, 100 * tl.share) : "-",
                                label_width);
        }
        fmt::print("{:>5}  {:>6.3f}  {:>7.3f}  {:>5}  {}{}{}\n", t, coherence.npmi[ts], coherence.umass[ts], sizes[ts],
                   label, d.signed_ ? "+ " : "", words_of(shown[ts].top, in.vocabulary));
        if (d.signed_ && !shown[ts].negative.empty())
            fmt::print("{}- {}\n", pad, words_of(shown[ts].negative, in.vocabulary));
    }
}

void run(const TopicsArgs& a) {
    const auto start = Clock::now();
    if (a.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", a.k));
    io::OutputFiles outputs({a.doc_topics_path, a.model_path});
    with_dtype(a.input.vectorizer, [&]<typename T>() { run_typed<T>(a, outputs, start); });
}

}  // namespace

namespace {

/// The options topics and fit share: the input, the method and its options, the report.
void add_topics_options(CLI::App& sub, TopicsArgs& args) {
    add_matrix_options(sub, args.input);
    sub.add_option("--method", args.method, "How to find the topics")
        ->check(CLI::IsMember({"nmf", "svd", "rsvd", "krylov"}))
        ->capture_default_str();
    sub.add_option("-k", args.k, "Number of topics")->capture_default_str();
    sub.add_option("--top", args.top, "Words shown per topic")->check(CLI::PositiveNumber)->capture_default_str();
    sub.add_option("--doc-topics", args.doc_topics_path,
                   "Write each document's topic weights here, as CSV (NMF: W; SVD: A V, i.e. U times the singular values)");
    sub.add_option("--oversamples", args.svd.oversamples, "rsvd, krylov: extra columns of the start block")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub.add_option("--power-iters", args.svd.power_iters, "rsvd: power iterations (default: scikit-learn's auto)")
        ->check(CLI::NonNegativeNumber);
    sub.add_option("--seed", args.svd.seed, "Seed: rsvd and krylov start blocks, nmf's random inits")
        ->capture_default_str();
    add_nmf_method_options(sub, args.nmf, false);
    sub.add_flag("--json", args.json, "Print one JSON object instead of the report");
}

const char* k_report_help =
    "Prints the corpus, the method and its error, the mean coherence (NPMI and UMass of each topic's top\n"
    "10 words over the documents) and diversity (distinct share of the top 25 words), then one line per\n"
    "topic: its coherence, its documents (those whose largest weight it is), their most common label and\n"
    "its share (when the corpus has labels: sub-folders, newsgroups), and its top words. With labels,\n"
    "the NMI and ARI of each document's dominant topic against its label.\n"
    "nmf (default): the rows of H of a non-negative factorisation (--solver cd|mu|pgd|adam, --init ...).\n"
    "svd: the exact full SVD, its first k rows of Vt; rsvd and krylov: the k leading triplets only.\n"
    "SVD topics show their largest words (+) and their most negative ones (-): they are signed.\n";

}  // namespace

void register_topics(CLI::App& app) {
    auto args = std::make_shared<TopicsArgs>();
    args->input.vectorizer.weighting = "tfidf";  // topics read best off tf-idf (the lecture's choice)
    auto* sub = app.add_subcommand("topics", "The main job: a corpus's topics, their quality and their labels");
    sub->footer(std::string(k_report_help) +
                "Example:\n"
                "  factopic topics ../shared/data/20news-bydate.tar.gz --subset train \\\n"
                "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
                "      --remove headers,footers,quotes -k 6 --doc-topics W.csv");
    add_topics_options(*sub, *args);
    sub->callback([args] { run(*args); });
}

void register_fit(CLI::App& app) {
    auto args = std::make_shared<TopicsArgs>();
    args->input.vectorizer.weighting = "tfidf";
    auto* sub = app.add_subcommand("fit", "Find a corpus's topics as topics does, and save the model");
    sub->footer(std::string(k_report_help) +
                "The model file (-o) holds the vectorizer as fitted (settings, vocabulary, idf weights), the method\n"
                "and its options, and the topic-term factor, with a checksum; it is written atomically. Apply it\n"
                "to new documents with `factopic transform`, show it with `factopic inspect`.\n"
                "Example:\n"
                "  factopic fit ../shared/data/20news-bydate.tar.gz --subset train \\\n"
                "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
                "      --remove headers,footers,quotes -k 6 -o model.ftm");
    add_topics_options(*sub, *args);
    sub->add_option("-o,--output", args->model_path, "Write the model here (.ftm)")->required();
    sub->callback([args] { run(*args); });
}

}  // namespace factopic::cli
