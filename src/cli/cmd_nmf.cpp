// factopic nmf: the non-negative factorisation A ≈ W·H of a corpus's document–term matrix (or
// of any non-negative Matrix Market matrix) by one of four solvers; writes W, H and the
// document–topic table, and prints the topics (the rows of H).
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "doc_topics.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/io/atomic_file.hpp"
#include "factopic/io/npy.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "inputs.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "options.hpp"
#include "outputs.hpp"
#include "progress.hpp"

namespace factopic::cli {
namespace {

using runtime::Clock;
using runtime::since;

struct NmfArgs {
    MatrixArgs input;
    NmfMethodArgs nmf;
    std::int64_t k = 10;
    std::string w_path, h_path, doc_topics_path;
    DocTopicsArgs doc;
    int top = 10;
    bool json = false;
};

template <typename T>
void run_typed(const NmfArgs& a, const decomp::NmfOptions& options, io::OutputFiles& outputs, Clock::time_point start) {
    const LoadedMatrix<T> in = load_matrix<T>(a.input);
    const MemoryWatch watch;
    const decomp::NmfResult<T> r = fit_nmf(in.x, options);
    const double added_mb = watch.added_mb();
    const double input_mb = csr_mb(in.x);
    const double factors_mb =
        static_cast<double>((in.x.rows + in.x.cols) * options.k * std::int64_t{sizeof(T)}) / (1024.0 * 1024.0);
    if (r.status == decomp::Status::max_iterations && r.tol > 0)
        print_warning(convergence_warning(r.solver, r.iterations, r.tol));

    const auto t_write = Clock::now();
    if (outputs[0]) io::write_npy(*outputs[0], r.w);
    if (outputs[1]) io::write_npy(*outputs[1], r.h);
    if (outputs[2])
        write_doc_topics(*outputs[2], r.w, in.ids, in.labels, model::assign_topics(r.w, assign_options(a.doc)),
                         a.doc.normalize);
    outputs.commit();
    const double write_s = since(t_write);
    const double total_s = since(start);

    std::vector<decomp::Topic> topics;
    if (a.top > 0) topics = decomp::topics_from_rows(r.h, r.h.rows, a.top, false);

    if (a.json) {
        nlohmann::json j = matrix_json(in, a.input);
        j["k"] = options.k;
        j["solver"] = decomp::to_string(r.solver);
        j["init"] = decomp::to_string(r.init);
        j["beta_loss"] = decomp::to_string(r.beta_loss);
        j["iterations"] = r.iterations;
        j["status"] = decomp::to_string(r.status);
        j["converged"] = r.status == decomp::Status::converged;
        if (options.target_error > 0) j["reached_target"] = r.status == decomp::Status::target_reached;
        j["reconstruction_error"] = r.reconstruction_error;
        j["relative_error"] = r.relative_error;
        j["negative_entries"] = r.negative_entries;
        j["clipped"] = r.clipped;
        j["losses"] = r.losses;
        j["topics"] = topics_json(topics, in.vocabulary);  // the schema of topics, svd and inspect
        j["timings"] = {{"read", in.read_s},
                        {"vectorize", in.vectorize_s},
                        {"decompose", r.seconds},
                        {"write", write_s},
                        {"total", total_s}};
        nlohmann::json phases = nlohmann::json::object();
        for (const auto& [name, s] : r.phases) phases[name] = s;
        j["phases"] = phases;
        j["peak_memory_mb"] = peak_memory_mb();
        j["memory_mb"] = {{"input", input_mb}, {"factors", factors_mb}, {"decompose_added", added_mb}};
        nlohmann::json written = nlohmann::json::object();
        if (!a.w_path.empty()) written["w"] = a.w_path;
        if (!a.h_path.empty()) written["h"] = a.h_path;
        if (!a.doc_topics_path.empty()) written["doc_topics"] = a.doc_topics_path;
        j["outputs"] = written;
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    fmt::print("matrix     {} x {}, {} non-zeros, {} ({})\n", in.x.rows, in.x.cols, in.x.nnz(), in.description,
               a.input.vectorizer.dtype);
    std::string phases;
    for (const auto& [name, s] : r.phases) phases += fmt::format("{}{} {:.3f}", phases.empty() ? "" : ", ", name, s);
    const std::string status = status_text(r.status);
    fmt::print("nmf        {}{}, k = {}, init {}: {} iterations, {}, {:.3f} s ({})\n", decomp::to_string(r.solver),
               r.beta_loss == decomp::BetaLoss::kullback_leibler ? " (kullback-leibler)" : "", options.k,
               decomp::to_string(r.init), r.iterations, status, r.seconds, phases);
    fmt::print("error      reconstruction {:.6f}, relative {:.6f}, negative entries {}{}\n", r.reconstruction_error,
               r.relative_error, r.negative_entries,
               r.clipped > 0 ? fmt::format(" ({} small negatives set to 0 at the end)", r.clipped) : "");
    fmt::print(
        "timings    read {:.3f} s, vectorize {:.3f} s, decompose {:.3f} s, write {:.3f} s, total {:.3f} s ({} "
        "threads), "
        "peak memory {:.0f} MB\n",
        in.read_s, in.vectorize_s, r.seconds, write_s, total_s, runtime::max_threads(), peak_memory_mb());
    if (added_mb >= 0)
        fmt::print(
            "memory     the factorisation added {:.1f} MB to the process (matrix {:.1f} MB, factors {:.1f} MB)\n",
            added_mb, input_mb, factors_mb);
    for (const auto& [label, path] : {std::pair{"W", a.w_path}, {"H", a.h_path}, {"doc-topics", a.doc_topics_path}})
        if (!path.empty()) fmt::print("wrote      {} {}\n", label, path);
    if (!topics.empty()) {
        fmt::print("topics     (rows of H, largest weights first)\n");
        print_topics(topics, in.vocabulary, false);
    }
}

void run(const NmfArgs& a) {
    const auto start = Clock::now();
    configure_progress(a.input.corpus.quiet, a.json);
    if (a.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", a.k));
    const decomp::NmfOptions options = nmf_options(a.nmf, a.k);
    (void)assign_options(a.doc);
    check_normalize(a.doc, a.doc_topics_path, false);
    io::OutputFiles outputs({{"--w", a.w_path, true}, {"--h", a.h_path, true}, {"--doc-topics", a.doc_topics_path}},
                            matrix_inputs(a.input, a.nmf));
    keep_report_off_standard_output(outputs);
    with_dtype(a.input.vectorizer, [&]<typename T>() { run_typed<T>(a, options, outputs, start); });
}

}  // namespace

void register_nmf(CLI::App& app) {
    auto args = std::make_shared<NmfArgs>();
    auto* sub = app.add_subcommand("nmf", "Non-negative matrix factorisation A = W H: topics as the rows of H");
    sub->footer(
        "Solvers: cd (default; coordinate descent as scikit-learn's solver='cd'), mu (multiplicative updates,\n"
        "         --beta-loss frobenius|kullback-leibler), pgd (gradient descent with a penalty on negatives,\n"
        "         --lam --mu --lr --anneal --anneal-every, --project), adam (--lr --beta1 --beta2 --lam).\n"
        "Example:\n"
        "  factopic nmf data/20news-4cat.tar.gz --subset train \\\n"
        "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
        "      --remove headers,footers,quotes --weighting tfidf -k 6 --doc-topics W.csv");
    add_matrix_options(*sub, args->input);
    add_row_files_options(*sub, args->input, false);
    sub->add_option("-k", args->k, "Number of topics (components)")->capture_default_str();
    add_nmf_method_options(*sub, args->nmf);
    sub->add_option("--w", args->w_path, "Write W (documents x k) here, as .npy");
    sub->add_option("--h", args->h_path, "Write H (k x terms) here, as .npy");
    sub->add_option("--doc-topics", args->doc_topics_path,
                    "Write the document-topic weights here, as CSV (id, label, dominant topic, weights)");
    add_doc_topics_options(*sub, args->doc);
    sub->add_option("--top", args->top, "Words per topic (0: no topics)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub->add_flag("--json", args->json, "Print one JSON object instead of the summary");
    sub->callback([args] { run(*args); });
}

}  // namespace factopic::cli
