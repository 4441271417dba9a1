// The arguments of the sub-commands on the topics pipeline (topics, fit, report) and the part of
// them sweep shares: the input, the method and its solver options, with topics' defaults, so
// that sweep and -k auto fit exactly the model topics fits.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "doc_topics.hpp"
#include "factopic/model/fit.hpp"
#include "matrix_input.hpp"
#include "nmf_options.hpp"
#include "svd_options.hpp"
#include "sweep.hpp"

namespace factopic::cli {

struct TopicsArgs {
    // Topics read best off tf-idf (the lecture's choice): the default of every command that fits them.
    TopicsArgs() { input.vectorizer.weighting = "tfidf"; }

    MatrixArgs input;
    // The library's defaults (model::TopicModelOptions), not a restatement of them.
    std::string method = model::to_string(model::TopicModelOptions{}.method);
    std::int64_t k = model::TopicModelOptions{}.k;
    std::string k_text = std::to_string(k);  // -k as given: a number, or auto (resolve_k)
    bool k_auto = false;
    ChooseKArgs choose;               // -k auto: the ranks, the runs and the rule
    std::vector<SweepPoint> k_curve;  // -k auto: the curve k was chosen from (filled after the choice)
    SvdMethodArgs svd;
    NmfMethodArgs nmf;
    int top = model::TopicModelOptions{}.top;
    std::string doc_topics_path;
    DocTopicsArgs doc;           // --min-topic-weight, --normalize
    std::string model_path;      // fit: where the model goes
    std::string report_path;     // report: where the page goes
    std::string w_path, h_path;  // fit: the factors as .npy
    std::string sweep;           // report: ranks for the error-against-k chart
    std::int64_t map_points = 5000;
    bool json = false;
};

/// Binds what decides the model: CORPUS|X.mtx with the vectorizer options, --method, the SVD
/// options (--oversamples, --power-iters, --seed) and the NMF solver options. exact_svds: --method
/// also takes gram and gesdd (sweep, whose exact SVDs give every k from one decomposition).
void add_model_options(CLI::App& sub, TopicsArgs& args, bool exact_svds = false);

/// -k as given: a number (k) or auto (k_auto); InvalidArgument naming it otherwise, and for
/// an option of -k auto given without it (--k-range, --min-stability; --seeds and
/// --stability-init also apply to report --sweep), or a malformed --k-range or --seeds.
void resolve_k(TopicsArgs& args);

/// args itself, or with -k auto: the sweep over --k-range of the model args describe (k_curve)
/// and the k the rule chooses from it (k).
template <typename T>
TopicsArgs with_chosen_k(const CsrMatrix<T>& x, const TopicsArgs& args);

/// -k auto's curve, the rule and its choice: as lines before the topics, and as JSON.
void print_k_choice(const TopicsArgs& args);
nlohmann::json k_choice_json(const TopicsArgs& args);

}  // namespace factopic::cli
