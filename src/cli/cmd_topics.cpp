// factopic topics: the topics of a corpus — for an NMF (the default), the rows of H, each with
// its largest words; for an SVD, the rows of Vᵀ, each with its largest and, because SVD topics
// are signed, its most negative words.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "factopic/core/error.hpp"
#include "factopic/decomp/nmf.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/runtime/parallel.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "svd_options.hpp"

namespace factopic::cli {
namespace {

struct TopicsArgs {
    MatrixArgs input;
    std::string method = "nmf";
    std::int64_t k = 10;
    SvdMethodArgs svd;
    NmfMethodArgs nmf;
    int top = 8;
    bool json = false;
};

template <typename T>
void run_typed(const TopicsArgs& a) {
    const LoadedMatrix<T> in = load_matrix<T>(a.input);
    if (in.vocabulary.empty())
        throw InvalidArgument("topics need the terms: give a corpus, or --vocabulary with a .mtx input");
    if (a.method == "nmf") {
        NmfMethodArgs na = a.nmf;
        na.seed = a.svd.seed;
        const auto r = decomp::nmf(in.x, nmf_options(na, a.k));
        if (!r.converged && !r.reached_target && r.tol > 0)
            fmt::print(stderr, "{}\n", convergence_warning(r.solver, r.iterations, r.tol));
        const auto topics = decomp::topics_from_rows(r.h, a.k, a.top, false);
        if (a.json) {
            nlohmann::json j = matrix_json(in, a.input);
            j["method"] = "nmf";
            j["solver"] = decomp::to_string(r.solver);
            j["k"] = topics.size();
            j["iterations"] = r.iterations;
            j["converged"] = r.converged;
            j["reconstruction_error"] = r.reconstruction_error;
            j["relative_error"] = r.relative_error;
            j["topics"] = topics_json(topics, in.vocabulary);
            j["timings"] = {{"read", in.read_s}, {"vectorize", in.vectorize_s}, {"decompose", r.seconds}};
            fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
            return;
        }
        fmt::print("matrix     {} x {}, {} non-zeros, {}\n", in.x.rows, in.x.cols, in.x.nnz(), in.description);
        fmt::print(
            "method     nmf ({}, init {}), {} topics, {} iterations in {:.3f} s, error {:.6f} (relative {:.6f})\n",
            decomp::to_string(r.solver), decomp::to_string(r.init), topics.size(), r.iterations, r.seconds,
            r.reconstruction_error, r.relative_error);
        print_topics(topics, in.vocabulary, false);
        return;
    }
    SvdMethodArgs svd = a.svd;
    if (a.method == "svd") {
        svd.full = true;
        svd.method = "gram";
    } else {
        svd.k = a.k;
        svd.method = a.method;
    }
    validate(svd);
    const auto r = decompose(in.x, svd);
    const auto topics = decomp::topics_from_rows(r.vt, a.k, a.top, true);
    if (a.json) {
        nlohmann::json j = matrix_json(in, a.input);
        j["method"] = a.method;
        j["k"] = topics.size();
        j["singular_values"] = std::vector<T>(r.s.begin(), r.s.begin() + static_cast<std::ptrdiff_t>(topics.size()));
        j["topics"] = topics_json(topics, in.vocabulary);
        j["timings"] = {{"read", in.read_s}, {"vectorize", in.vectorize_s}, {"decompose", r.seconds}};
        fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    fmt::print("matrix     {} x {}, {} non-zeros, {}\n", in.x.rows, in.x.cols, in.x.nnz(), in.description);
    fmt::print("method     {} ({}), {} topics in {:.3f} s\n", a.method, decomp::to_string(r.method), topics.size(),
               r.seconds);
    print_topics(topics, in.vocabulary, true);
}

void run(const TopicsArgs& a) {
    if (a.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", a.k));
    with_dtype(a.input.vectorizer, [&]<typename T>() { run_typed<T>(a); });
}

}  // namespace

void register_topics(CLI::App& app) {
    auto args = std::make_shared<TopicsArgs>();
    auto* sub = app.add_subcommand("topics", "Print the topics of a corpus: top words per topic");
    sub->footer(
        "nmf (default): the rows of H of a non-negative factorisation (--solver cd|mu|pgd|adam, --init ...).\n"
        "svd: the exact full SVD, its first k rows of Vt; rsvd and krylov: the k leading triplets only.\n"
        "SVD topics show their largest words (+) and their most negative ones (-): they are signed.\n"
        "Example:\n"
        "  factopic topics ../shared/data/20news-bydate.tar.gz --subset train \\\n"
        "      --categories alt.atheism,talk.religion.misc,comp.graphics,sci.space \\\n"
        "      --remove headers,footers,quotes --weighting tfidf -k 6");
    add_matrix_options(*sub, args->input);
    sub->add_option("--method", args->method, "How to find the topics")
        ->check(CLI::IsMember({"nmf", "svd", "rsvd", "krylov"}))
        ->capture_default_str();
    sub->add_option("-k", args->k, "Number of topics")->capture_default_str();
    sub->add_option("--top", args->top, "Words per topic")->check(CLI::PositiveNumber)->capture_default_str();
    sub->add_option("--oversamples", args->svd.oversamples, "rsvd, krylov: extra columns of the start block")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub->add_option("--power-iters", args->svd.power_iters, "rsvd: power iterations (default: scikit-learn's auto)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--seed", args->svd.seed, "Seed: rsvd and krylov start blocks, nmf's random inits")
        ->capture_default_str();
    add_nmf_method_options(*sub, args->nmf, false);
    sub->add_flag("--json", args->json, "Print one JSON object instead of the list");
    sub->callback([args] { run(*args); });
}

}  // namespace factopic::cli
