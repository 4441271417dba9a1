// factopic topics: the main job. Reads and vectorizes a corpus (tf-idf, English stop words by
// default) or takes a Matrix Market file, decomposes it (NMF by default; svd, rsvd, krylov), and
// reports what a person judges topics by: the corpus, the method and its error, each topic's top
// words with its coherence and its size, the diversity of the topics, and, when the documents
// carry labels, how the topics line up with them.
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <tuple>

#include "commands.hpp"
#include "doc_topics.hpp"
#include "factopic/core/error.hpp"
#include "factopic/core/version.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/npy.hpp"
#include "factopic/linalg/lapack.hpp"
#include "factopic/model/assignment.hpp"
#include "factopic/model/fit.hpp"
#include "factopic/model/model.hpp"
#include "factopic/model/quality.hpp"
#include "factopic/runtime/clock.hpp"
#include "inputs.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "options.hpp"
#include "outputs.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "report_views.hpp"
#include "svd_options.hpp"
#include "sweep.hpp"
#include "topics_args.hpp"

namespace factopic::cli {
namespace {

using runtime::Clock;
using runtime::since;

/// A fitted model (the library's model::fit_topic_model) and how the CLI words its method.
template <typename T>
struct Decomposition {
    model::TopicModelFit<T> fit;
    nlohmann::json json;      // method-specific fields
    std::string method_line;  // after "method     "
    decomp::NmfOptions nmf;   // nmf: the options it ran with (a model keeps them)
};

template <typename T>
Decomposition<T> fit_topics(const LoadedMatrix<T>& in, const TopicsArgs& a) {
    model::TopicModelOptions o;
    o.method = model::parse_topic_method(a.method);
    o.k = a.k;
    o.top = a.top;
    o.assign = assign_options(a.doc);
    if (o.method == model::TopicMethod::nmf) {
        NmfMethodArgs na = a.nmf;
        na.options.seed = a.svd.options.seed;
        o.nmf = nmf_options(na, a.k);
    } else if (o.method != model::TopicMethod::svd) {
        SvdMethodArgs svd = a.svd;
        svd.k = a.k;
        svd.method = a.method;
        validate(svd);
        o.svd = truncated_options(svd, a.k);
    }
    Decomposition<T> d;
    d.nmf = o.nmf;
    d.fit = [&] {  // the progress line is gone before anything else is printed
        if (o.method != model::TopicMethod::nmf) {
            const Progress progress(o.method == model::TopicMethod::svd ? "svd (full)" : "svd");
            return model::fit_topic_model(in.x, o, in.labels);
        }
        Progress progress(fmt::format("nmf {}", decomp::to_string(o.nmf.solver)));
        o.nmf.on_iteration = [&progress](int iteration, int max_iter) {
            progress.update(iteration, max_iter);
            return true;
        };
        try {
            return model::fit_topic_model(in.x, o, in.labels);
        } catch (const model::NmfFailed& e) {
            throw DataError(divergence_message(d.nmf, e.solver, e.status, e.diagnosis, e.data_norm));
        }
    }();
    const model::TopicModelFit<T>& f = d.fit;
    if (f.nmf) {
        const decomp::NmfResult<T>& r = *f.nmf;
        warn_if_empty(r, d.nmf);
        if (r.status == decomp::Status::max_iterations && r.tol > 0)
            print_warning(convergence_warning(r.solver, r.iterations, r.tol));
        d.json = {{"method", "nmf"},
                  {"solver", decomp::to_string(r.solver)},
                  {"init", decomp::to_string(r.init)},
                  {"iterations", r.iterations},
                  {"status", decomp::to_string(r.status)},
                  {"converged", r.status == decomp::Status::converged},
                  {"reconstruction_error", r.reconstruction_error},
                  {"relative_error", r.relative_error},
                  {"negative_entries", r.negative_entries}};
        d.method_line =
            fmt::format("nmf ({}, init {}), k = {}, {} in {} iterations, {:.3f} s; error {:.6f} (relative {:.6f})",
                        decomp::to_string(r.solver), decomp::to_string(r.init), a.k, status_text(r.status),
                        r.iterations, r.seconds, r.reconstruction_error, r.relative_error);
        return d;
    }
    const decomp::SvdResult<T>& r = *f.svd;
    const std::int64_t k = a.k;
    d.json = {{"method", a.method},
              {"algorithm", decomp::to_string(r.method)},
              {"singular_values", std::vector<T>(r.s.begin(), r.s.begin() + k)}};
    const std::string algorithm = decomp::to_string(r.method);
    d.method_line = fmt::format("{}, k = {}, {:.3f} s; singular values {:.4g} … {:.4g}",
                                algorithm == a.method ? a.method : fmt::format("{} ({})", a.method, algorithm), k,
                                r.seconds, r.s.front(), r.s[static_cast<std::size_t>(k - 1)]);
    return d;
}

/// The report's heading lines: (name, text).
template <typename T>
std::vector<std::pair<std::string, std::string>> summary_lines(const LoadedMatrix<T>& in, const Decomposition<T>& d,
                                                               const TopicsArgs& a, Clock::time_point start) {
    const auto& f = d.fit;
    std::vector<std::pair<std::string, std::string>> lines;
    lines.emplace_back("corpus", fmt::format("{} documents ({} empty), {} terms, {} non-zeros: {}", in.x.rows,
                                             f.empty_documents, in.x.cols, in.x.nnz(), in.description));
    lines.emplace_back("method", d.method_line);
    lines.emplace_back("quality", fmt::format("coherence NPMI {:.4f}, UMass {:.4f} (mean over topics of their top {} "
                                              "words, document co-occurrence); diversity {:.3f} (top {})",
                                              f.quality.coherence.npmi_mean, f.quality.coherence.umass_mean,
                                              k_coherence_top, f.quality.diversity, k_diversity_top));
    lines.emplace_back("outliers", unassigned_text(f.unassigned, a.doc));
    if (f.labelled)
        lines.emplace_back(
            "labels",
            fmt::format(
                "dominant topic of each document vs its label: NMI {:.4f}, ARI {:.4f}{}", f.alignment.nmi,
                f.alignment.ari,
                f.unassigned > 0 ? fmt::format(" (the {} documents with a topic)", in.x.rows - f.unassigned) : ""));
    lines.emplace_back("time", fmt::format("read {:.3f} s, vectorize {:.3f} s, decompose {:.3f} s, total {:.3f} s",
                                           in.read_s, in.vectorize_s, f.decompose_seconds, since(start)));
    return lines;
}

template <typename T>
std::string model_bytes_of(const LoadedMatrix<T>& in, const Decomposition<T>& d, const TopicsArgs& a) {
    const auto& f = d.fit;
    model::TopicModel m;
    m.method = a.method;
    m.vectorizer = in.vectorizer;
    m.vocabulary = in.vocabulary;
    m.idf = in.idf;
    m.nmf = d.nmf;
    m.terms = f.terms.template cast<double>();
    m.singular_values = f.singular_values;
    m.fitted_on_matrix = !in.vectorized;
    nlohmann::json meta = d.json;
    meta["source"] = in.description;
    meta["created_by"] = fmt::format("factopic {}", k_version);
    meta["documents"] = in.x.rows;
    meta["nnz"] = in.x.nnz();
    meta["coherence"] = {{"npmi_mean", f.quality.coherence.npmi_mean}, {"umass_mean", f.quality.coherence.umass_mean}};
    meta["diversity"] = f.quality.diversity;
    if (f.labelled) meta["labels"] = {{"nmi", f.alignment.nmi}, {"ari", f.alignment.ari}};
    m.metadata = meta.dump();
    return model::encode(m);
}

/// The documents in the plane of the two leading principal directions of their topic weights
/// (a k × k eigenproblem), at most `limit` of them (every n-th, so the same ones every time).
template <typename T>
void document_map(const LoadedMatrix<T>& in, const model::TopicModelFit<T>& f, std::int64_t limit, ReportData& r) {
    const std::int64_t m = f.docs.rows, k = f.docs.cols;
    std::vector<double> mean(static_cast<std::size_t>(k), 0.0);
    for (std::int64_t t = 0; t < k; ++t) {
        for (std::int64_t i = 0; i < m; ++i) mean[static_cast<std::size_t>(t)] += static_cast<double>(f.docs(i, t));
        mean[static_cast<std::size_t>(t)] /= static_cast<double>(std::max<std::int64_t>(m, 1));
    }
    linalg::Matrix<double> cov = linalg::Matrix<double>::zeros(k, k);
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t s = 0; s < k; ++s)
            for (std::int64_t t = 0; t <= s; ++t)
                cov(s, t) += (static_cast<double>(f.docs(i, s)) - mean[static_cast<std::size_t>(s)]) *
                             (static_cast<double>(f.docs(i, t)) - mean[static_cast<std::size_t>(t)]);
    std::vector<double> lambda;
    linalg::syevd(cov, lambda);  // ascending; the lower triangle was filled
    std::vector<std::vector<double>> axes;
    for (std::int64_t c = k - 1; c >= std::max<std::int64_t>(k - 2, 0); --c) {
        std::vector<double> v(cov.col(c), cov.col(c) + k);
        // A fixed sign: the largest component positive.
        const auto big =
            std::max_element(v.begin(), v.end(), [](double p, double q) { return std::abs(p) < std::abs(q); });
        if (*big < 0)
            for (double& x : v) x = -x;
        axes.push_back(std::move(v));
    }
    const std::int64_t stride = std::max<std::int64_t>(1, (m + limit - 1) / limit);
    for (std::int64_t i = 0; i < m; i += stride) {
        ReportPoint p;
        for (std::size_t ax = 0; ax < axes.size(); ++ax) {
            double c = 0;
            for (std::int64_t t = 0; t < k; ++t)
                c += (static_cast<double>(f.docs(i, t)) - mean[static_cast<std::size_t>(t)]) *
                     axes[ax][static_cast<std::size_t>(t)];
            (ax == 0 ? p.x : p.y) = c;
        }
        p.topic = f.dominant[static_cast<std::size_t>(i)];
        p.id = in.ids[static_cast<std::size_t>(i)];
        if (f.labelled) p.label = in.labels[static_cast<std::size_t>(i)];
        r.map.push_back(std::move(p));
    }
    r.map_documents = m;
    r.map_note = fmt::format(
        "Each dot is a document, placed by the two main directions (principal components) of "
        "the documents' topic weights and coloured by its dominant topic{}.",
        stride > 1 ? fmt::format("; every {}th of the {} documents is shown", stride, m) : "");
}

template <typename T>
ReportData report_of(const LoadedMatrix<T>& in, const model::TopicModelFit<T>& f, const TopicsArgs& a,
                     const std::vector<std::pair<std::string, std::string>>& summary) {
    ReportData r;
    r.title = fmt::format("factopic: {} topics of {}", f.terms.rows, in.description);
    r.summary = summary;
    r.signed_topics = f.signed_topics;
    const std::int64_t k = f.terms.rows;
    for (std::int64_t t = 0; t < k; ++t) {
        const auto ts = static_cast<std::size_t>(t);
        ReportTopic topic;
        for (const auto& w : f.topics[ts].top)
            topic.top.emplace_back(in.vocabulary[static_cast<std::size_t>(w.term)], w.weight);
        for (const auto& w : f.topics[ts].negative)
            topic.negative.emplace_back(in.vocabulary[static_cast<std::size_t>(w.term)], w.weight);
        topic.has_quality = true;
        topic.npmi = f.quality.coherence.npmi[ts];
        topic.umass = f.quality.coherence.umass[ts];
        topic.size = f.sizes[ts];
        if (f.labelled) {
            topic.label = f.alignment.topics[ts].label;
            topic.share = f.alignment.topics[ts].share;
        }
        r.topics.push_back(std::move(topic));
    }
    // The scree plot: all singular values of a full SVD, else the leading ones from the Krylov method.
    const std::int64_t r_max = std::min(in.x.rows, in.x.cols);
    if (a.method == "svd") {
        r.singular_values.assign(f.svd->s.begin(), f.svd->s.end());
        r.singular_values_note = "All singular values of the exact SVD.";
    } else {
        decomp::TruncatedSvdOptions so;
        so.k = std::min<std::int64_t>(std::max<std::int64_t>(2 * k, 30), r_max);
        so.method = decomp::SvdMethod::krylov;
        const auto svd = decomp::truncated_svd(in.x, so);
        r.singular_values.assign(svd.s.begin(), svd.s.end());
        r.singular_values_note =
            fmt::format("The {} leading singular values (Krylov SVD, relative accuracy 1e-6).", so.k);
    }
    if (!a.sweep.empty() || a.k_auto) {
        // The model topics fits, at every k (-k auto: the curve k was chosen from).
        r.sweep = a.k_auto && a.sweep.empty() ? a.k_curve
                                              : sweep_topics(in.x, parse_ks(a.sweep).ranks(in.x.rows, in.x.cols),
                                                             a.method, a.svd, a.nmf, a.choose);
        r.sweep_method = sweep_method_name(a.method, a.nmf);
    } else {
        r.notes.push_back("The reconstruction error against k: give --sweep START:STOP[:STEP] to draw it.");
    }
    if (f.labelled) {
        r.labels = f.alignment.labels;
    } else {
        r.notes.push_back("The topic-label table: the documents carry no labels (sub-folders, newsgroups).");
    }
    add_topic_views(ViewInputs<T>{f.terms, f.docs, f.signed_topics, in.x, in.vocabulary, in.ids, in.labels, in.snippets,
                                  in.dates, f.dominant},
                    r);
    if (k >= 2)
        document_map(in, f, a.map_points, r);
    else
        r.notes.push_back("The document map: it needs at least 2 topics.");
    return r;
}

template <typename T>
void print_json(const LoadedMatrix<T>& in, const Decomposition<T>& d, const TopicsArgs& a,
                const nlohmann::json& timings, const nlohmann::json& written) {
    const auto& f = d.fit;
    nlohmann::json j = matrix_json(in, a.input);
    j.update(d.json);
    j["k"] = f.terms.rows;
    j["corpus"] = {
        {"documents", in.x.rows}, {"terms", in.x.cols}, {"nnz", in.x.nnz()}, {"empty_documents", f.empty_documents}};
    j["topics"] = topics_json(f.topics, in.vocabulary);
    const nlohmann::json support = support_json(f.support);
    for (std::size_t t = 0; t < j["topics"].size() && t < support.size(); ++t) {
        j["topics"][t]["size"] = f.sizes[t];
        j["topics"][t].update(support[t]);
    }
    j["topic_sizes"] = f.sizes;
    j["unassigned_documents"] = f.unassigned;
    j["min_topic_weight"] = a.doc.min_topic_weight;
    j["few_documents_threshold"] = model::few_documents_threshold(in.x.rows);
    j["coherence"] = {{"top", k_coherence_top},
                      {"cooccurrence", "document"},
                      {"npmi", f.quality.coherence.npmi},
                      {"umass", f.quality.coherence.umass},
                      {"npmi_mean", f.quality.coherence.npmi_mean},
                      {"umass_mean", f.quality.coherence.umass_mean}};
    j["diversity"] = {{"top", k_diversity_top}, {"value", f.quality.diversity}};
    j["labels"] = f.labelled ? labels_json(f.alignment) : nlohmann::json(nullptr);
    if (f.labelled) j["labels"]["unassigned"] = f.alignment.unassigned;
    j["timings"] = timings;
    j["outputs"] = written;
    if (a.k_auto) j["choose_k"] = k_choice_json(a);
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

template <typename T>
void print_text(const LoadedMatrix<T>& in, const model::TopicModelFit<T>& f,
                const std::vector<std::pair<std::string, std::string>>& summary,
                const std::vector<std::pair<std::string, std::string>>& written) {
    for (const auto& [name, text] : summary) fmt::print("{:<10} {}\n", name, text);
    for (const auto& [name, text] : written) fmt::print("{:<10} {}\n", name, text);
    std::size_t label_width = 5;
    if (f.labelled)
        for (const auto& tl : f.alignment.topics) label_width = std::max(label_width, tl.label.size() + 6);
    fmt::print("\ntopic    npmi    umass   docs  {}{}\n",
               f.labelled ? fmt::format("{:<{}}  ", "label", label_width) : "",
               f.signed_topics ? "words (+ largest, - most negative)" : "words");
    const std::string pad(31 + (f.labelled ? label_width + 2 : 0), ' ');  // under the "+ " of the line above
    for (std::size_t t = 0; t < f.topics.size(); ++t) {
        std::string label;
        if (f.labelled) {
            const auto& tl = f.alignment.topics[t];
            label = fmt::format("{:<{}}  ", label_cell(tl), label_width);
        }
        fmt::print("{:>5}  {:>6.3f}  {:>7.3f}  {:>5}  {}{}{}{}\n", t, f.quality.coherence.npmi[t],
                   f.quality.coherence.umass[t], f.sizes[t], label, f.signed_topics ? "+ " : "",
                   words_of(f.topics[t].top, in.vocabulary), support_cell(f.support[t]));
        if (f.signed_topics && !f.topics[t].negative.empty())
            fmt::print("{}- {}\n", pad, words_of(f.topics[t].negative, in.vocabulary));
    }
}

template <typename T>
void run_typed(const TopicsArgs& given, io::OutputFiles& outputs, Clock::time_point start) {
    const LoadedMatrix<T> in = load_matrix<T>(given.input);
    if (in.vocabulary.empty())
        throw InvalidArgument("topics need the terms: give a corpus, or --vocabulary with a .mtx input");
    const TopicsArgs a = with_chosen_k(in.x, given);
    const Decomposition<T> d = fit_topics(in, a);
    const model::TopicModelFit<T>& f = d.fit;
    const auto summary = summary_lines(in, d, a, start);

    const auto t_write = Clock::now();
    std::vector<std::pair<std::string, std::string>> written;
    nlohmann::json written_json = nlohmann::json::object();
    if (outputs[0]) {
        write_doc_topics(*outputs[0], f.docs, in.ids, in.labels, f.dominant, a.doc.normalize);
        written.emplace_back("wrote", fmt::format("document-topic weights {}", a.doc_topics_path));
        written_json["doc_topics"] = a.doc_topics_path;
    }
    if (outputs[1]) {
        const std::string bytes = model_bytes_of(in, d, a);
        outputs[1]->write(bytes);
        written.emplace_back("model", fmt::format("{} ({} bytes)", a.model_path, bytes.size()));
        written_json["model"] = {{"path", a.model_path}, {"bytes", bytes.size()}};
    }
    double report_s = 0;
    if (outputs[2]) {
        const auto t_report = Clock::now();
        const std::string html = render_report(report_of(in, f, a, summary));
        report_s = since(t_report);
        outputs[2]->write(html);
        written.emplace_back("report", fmt::format("{} ({} bytes)", a.report_path, html.size()));
        written_json["report"] = {{"path", a.report_path}, {"bytes", html.size()}};
    }
    for (const auto& [index, factor, name, key, path] :
         {std::tuple{3, &f.docs, "W", "w", &a.w_path}, {4, &f.terms, "H", "h", &a.h_path}})
        if (outputs[index]) {
            io::write_npy(*outputs[index], *factor);
            written.emplace_back("wrote", fmt::format("{} {}", name, *path));
            written_json[key] = *path;
        }
    outputs.commit();
    const double write_s = since(t_write) - report_s;

    if (a.json) {
        nlohmann::json timings = {{"read", in.read_s},
                                  {"vectorize", in.vectorize_s},
                                  {"decompose", f.decompose_seconds},
                                  {"quality", f.quality_seconds},
                                  {"write", write_s},
                                  {"total", since(start)}};
        if (outputs[2]) timings["report"] = report_s;
        print_json(in, d, a, timings, written_json);
        return;
    }
    if (a.k_auto) print_k_choice(a);
    print_text(in, f, summary, written);
}

bool is_model_file(const std::string& path) { return path.size() > 4 && path.compare(path.size() - 4, 4, ".ftm") == 0; }

/// report model.ftm: what the model holds (topics, singular values, how it was fitted); the
/// document-based sections need the corpus.
void run_model_report(const TopicsArgs& a) {
    for (const auto& [option, path] : {std::pair{"--vocabulary", &a.input.vocabulary_file},
                                       {"--labels", &a.input.labels_file},
                                       {"--ids", &a.input.ids_file}})
        if (!path->empty())
            throw InvalidArgument(fmt::format("{} applies to a Matrix Market input, not to a model", option));
    io::OutputFiles outputs({{"-o", a.report_path}}, {{"MODEL", a.input.corpus.path}});
    keep_report_off_standard_output(outputs);
    const model::TopicModel m = model::load_model(a.input.corpus.path);
    const nlohmann::json header = nlohmann::json::parse(model::header_json(m));
    const auto& meta = header.at("metadata");
    ReportData r;
    const std::string source = meta.value("source", std::string("?"));
    r.title = fmt::format("factopic: {} topics of {}", m.k(), source);
    r.summary.emplace_back("model",
                           fmt::format("{}: factopic model format {}", a.input.corpus.path, model::k_model_version));
    r.summary.emplace_back("method", m.method == "nmf"
                                         ? fmt::format("nmf ({}, init {}), k = {}", decomp::to_string(m.nmf.solver),
                                                       decomp::to_string(m.nmf.init), m.k())
                                         : fmt::format("{}, k = {}", m.method, m.k()));
    r.summary.emplace_back("fitted on", fmt::format("{}: {} documents, {} terms", source,
                                                    meta.value("documents", std::int64_t{0}), m.terms.cols));
    if (meta.contains("coherence"))
        r.summary.emplace_back(
            "quality", fmt::format("coherence NPMI {:.4f}, UMass {:.4f}; diversity {:.3f}",
                                   meta.at("coherence").at("npmi_mean").get<double>(),
                                   meta.at("coherence").at("umass_mean").get<double>(), meta.value("diversity", 0.0)));
    if (meta.contains("labels"))
        r.summary.emplace_back("labels",
                               fmt::format("NMI {:.4f}, ARI {:.4f}", meta.at("labels").at("nmi").get<double>(),
                                           meta.at("labels").at("ari").get<double>()));
    r.signed_topics = m.method != "nmf";
    for (const auto& t : decomp::topics_from_rows(m.terms, m.k(), a.top, r.signed_topics)) {
        ReportTopic topic;
        for (const auto& w : t.top) topic.top.emplace_back(m.vocabulary[static_cast<std::size_t>(w.term)], w.weight);
        for (const auto& w : t.negative)
            topic.negative.emplace_back(m.vocabulary[static_cast<std::size_t>(w.term)], w.weight);
        r.topics.push_back(std::move(topic));
    }
    add_term_views(m.terms, r);
    r.singular_values = m.singular_values;
    r.singular_values_note = "The singular values the model keeps.";
    r.notes.push_back(
        "Topic sizes, the intertopic map and term relevance, representative documents, the topics per "
        "label, the document map and coherence per topic: they need the documents. Run `factopic "
        "report CORPUS` (or transform the documents with this model).");
    const std::string html = render_report(r);
    outputs[0]->write(html);
    outputs.commit();
    if (a.json) {
        fmt::print("{}\n",
                   nlohmann::json({{"model", a.input.corpus.path},
                                   {"k", m.k()},
                                   {"method", m.method},
                                   {"outputs", {{"report", {{"path", a.report_path}, {"bytes", html.size()}}}}}})
                       .dump(2));
        return;
    }
    for (const auto& [name, text] : r.summary) fmt::print("{:<10} {}\n", name, text);
    fmt::print("{:<10} {} ({} bytes)\n", "report", a.report_path, html.size());
}

void run(const TopicsArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.input.corpus.quiet, a.json);
    if (!a.report_path.empty() && is_model_file(a.input.corpus.path)) {
        run_model_report(a);
        return;
    }
    if (a.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", a.k));
    if (!a.sweep.empty()) (void)parse_ks(a.sweep);  // a bad spec fails before any work
    validate(a.nmf);
    (void)assign_options(a.doc);
    check_normalize(a.doc, a.doc_topics_path, a.method != "nmf");
    io::OutputFiles outputs({{"--doc-topics", a.doc_topics_path},
                             {"-o", a.model_path, true},
                             {"-o", a.report_path},
                             {"--w", a.w_path, true},
                             {"--h", a.h_path, true}},
                            matrix_inputs(a.input, a.nmf));
    keep_report_off_standard_output(outputs);
    with_dtype(a.input.vectorizer, [&]<typename T>() { run_typed<T>(a, outputs, start); });
}

}  // namespace

void add_model_options(CLI::App& sub, TopicsArgs& args, bool exact_svds) {
    add_matrix_options(sub, args.input);
    std::vector<std::string> methods = model::topic_method_names();
    if (exact_svds)  // sweep: also the full SVD's own methods
        for (const auto m : {decomp::SvdMethod::gram, decomp::SvdMethod::gesdd})
            methods.push_back(decomp::to_string(m));
    sub.add_option("--method", args.method, "How to find the topics")
        ->check(CLI::IsMember(methods))
        ->capture_default_str();
    sub.add_option("--oversamples", args.svd.options.oversamples, "rsvd, krylov: extra columns of the start block")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub.add_option("--power-iters", args.svd.options.power_iters,
                   "rsvd: power iterations (default: scikit-learn's auto)")
        ->check(CLI::NonNegativeNumber);
    sub.add_option("--seed", args.svd.options.seed, "Seed: rsvd and krylov start blocks, nmf's random inits")
        ->capture_default_str();
    add_nmf_method_options(sub, args.nmf, false);
}

namespace {

/// The options topics and fit share: the model, k, the report.
void add_topics_options(CLI::App& sub, TopicsArgs& args) {
    add_model_options(sub, args);
    add_row_files_options(sub, args.input, true);  // not sweep's: it shows no documents
    sub.add_option("-k", args.k_text, "Number of topics, or auto: choose it from --k-range (README, \"Choosing k\")")
        ->capture_default_str();
    sub.add_option("--top", args.top, "Words shown per topic")->check(CLI::PositiveNumber)->capture_default_str();
    sub.add_option(
        "--doc-topics", args.doc_topics_path,
        "Write each document's topic weights here, as CSV (NMF: W; SVD: A V, i.e. U times the singular values)");
    add_doc_topics_options(sub, args.doc);
    add_choose_k_options(sub, args.choose, true);
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

namespace {

/// A sub-command on the topics pipeline: its arguments (tf-idf by default: topics read best off
/// tf-idf, the lecture's choice), the shared options, the help text with its example line(s),
/// and run() as the callback once the caller has added its own options.
std::pair<CLI::App*, std::shared_ptr<TopicsArgs>> topics_pipeline(CLI::App& app, const char* name,
                                                                  const char* description, const std::string& help,
                                                                  const char* example) {
    auto args = std::make_shared<TopicsArgs>();
    auto* sub = app.add_subcommand(name, description);
    sub->footer(help + "Example:\n  factopic " + name +
                " data/20news-4cat.tar.gz --subset train \\\n"
                "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
                "      --remove headers,footers,quotes " +
                example);
    add_topics_options(*sub, *args);
    sub->callback([args] {
        resolve_k(*args);
        run(*args);
    });
    return {sub, args};
}

}  // namespace

void register_topics(CLI::App& app) {
    topics_pipeline(app, "topics", "The main job: a corpus's topics, their quality and their labels", k_report_help,
                    "-k 6 --doc-topics W.csv");
}

void register_fit(CLI::App& app) {
    auto [sub, args] = topics_pipeline(
        app, "fit", "Find a corpus's topics as topics does, and save the model",
        std::string(k_report_help) +
            "The model file (-o) holds the vectorizer as fitted (settings, vocabulary, idf weights), the method\n"
            "and its options, and the topic-term factor, with a checksum; it is written atomically. Apply it\n"
            "to new documents with `factopic transform`, show it with `factopic inspect`.\n"
            "From a .mtx (with --vocabulary) the model keeps the weighting the matrix got (its values as they are,\n"
            "or --weighting tfidf of its counts, with the idf) and no tokenizer: transform then embeds a .mtx over\n"
            "the same columns, never text.\n",
        "-k 6 -o model.ftm");
    sub->add_option("-o,--output", args->model_path, "Write the model here (.ftm)")->required();
    sub->add_option("--w", args->w_path,
                    "Also write the document-topic factor here, as .npy (documents x k: NMF's W; SVD: A V)");
    sub->add_option("--h", args->h_path,
                    "Also write the whole topic-term factor here, as .npy (k x terms: NMF's H; SVD: the first k rows "
                    "of Vt), columns in the vocabulary's order");
}

void register_report(CLI::App& app) {
    auto [sub, args] = topics_pipeline(
        app, "report", "One self-contained HTML page with the topics and their figures",
        "From a corpus (or a .mtx with --vocabulary): finds the topics as topics does, then writes a page with\n"
        "the summary, the topic table (coherence, documents, dominant label), bar charts of each topic's word\n"
        "weights (signed for SVD), the intertopic distance map and, for the topic clicked there or in the\n"
        "table, its terms by relevance with a lambda slider (NMF; LDAvis, Sievert & Shirley 2014), the 3 most\n"
        "typical documents of each topic (a corpus), the topic-similarity heat map, the singular-value scree\n"
        "plot, the error against k (--sweep), topic sizes, the topic shares per label (when there are labels;\n"
        "the 49 largest and the others), topics over time (--date-field) and a 2-D map of the\n"
        "documents coloured by dominant topic. From a model (.ftm): the topics and what the model records.\n"
        "The charts are Vega-Lite, drawn by Vega and vega-embed inlined into the page: it opens offline.\n",
        "-k 6 --sweep 2:20:2 -o report.html");
    sub->add_option("-o,--output", args->report_path, "Write the page here (.html)")->required();
    args->input.keep_snippets = true;
    add_date_field_option(*sub, args->input.corpus);
    sub->add_option("--sweep", args->sweep, "Also draw the relative error for these k: START:STOP[:STEP] or a list");
    sub->add_option("--map-points", args->map_points, "Most documents on the map (every n-th is drawn)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
}

}  // namespace factopic::cli
