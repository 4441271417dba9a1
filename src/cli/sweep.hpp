// The sweep over k that `factopic sweep` prints, `factopic report --sweep` draws and `topics -k auto`
// chooses from: for each k, the model topics fits, its error, coherence, diversity and stability.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/decomp/topics.hpp"
#include "factopic/model/fit.hpp"
#include "nmf_options.hpp"
#include "svd_options.hpp"

namespace factopic::cli {

/// The ranks of -k as given: a range START:STOP[:STEP] is kept as its bounds, so that a range
/// such as 2:100000000 is checked against the matrix before a value of it is made.
struct KSpec {
    std::string text;                ///< as the user wrote it, for messages
    std::vector<std::int64_t> list;  ///< a comma list, in order
    bool range = false;              ///< START:STOP[:STEP] (inclusive); list is then empty
    std::int64_t start = 0, stop = 0, step = 1;

    /// The ranks for an m × n matrix: InvalidArgument naming the first k outside
    /// 1 <= k <= min(m, n), before any value of a range is made.
    std::vector<std::int64_t> ranks(std::int64_t m, std::int64_t n) const;
};

/// "2:40:2" (inclusive), "2:40" (step 1) or "5,10,20"; InvalidArgument naming the spec otherwise
/// (a malformed number, a step below 1, a range with no rank).
KSpec parse_ks(const std::string& spec);

using model::k_coherence_top;
using model::k_diversity_top;

/// The ranks -k auto and sweep try when none are given.
inline constexpr const char* k_default_range = "2:20:2";

/// What sweep and -k auto measure at one k, of the model topics would fit with that k. A NaN is
/// a measure not taken (stability with one run, or of an exact SVD, which has no seed).
struct SweepPoint {
    std::int64_t k;
    double error;                                                 ///< ‖A − A_k‖_F / ‖A‖_F of the model's fit
    double seconds;                                               ///< every fit and measure at this k
    double npmi = std::numeric_limits<double>::quiet_NaN();       ///< mean over topics, top k_coherence_top words
    double umass = std::numeric_limits<double>::quiet_NaN();      ///< the same, UMass
    double diversity = std::numeric_limits<double>::quiet_NaN();  ///< distinct share of the top k_diversity_top words
    double stability = std::numeric_limits<double>::quiet_NaN();  ///< mean matched cosine between seeds' runs, [0, 1]
};

/// How sweep and -k auto measure stability and choose k.
struct ChooseKArgs {
    std::string range = k_default_range;  ///< -k auto: --k-range
    std::string seeds = "3";              ///< N (seeds --seed, --seed + 1, ...) or a comma list of seeds
    std::string stability_init = "random";
    double min_stability = 0.8;
    // Whether each was given: an option that does not apply is an error, never ignored.
    const CLI::Option* range_opt = nullptr;
    const CLI::Option* seeds_opt = nullptr;
    const CLI::Option* stability_init_opt = nullptr;
    const CLI::Option* min_stability_opt = nullptr;
};

/// Binds --seeds, --stability-init and --min-stability; with_range: --k-range too (topics -k auto;
/// sweep takes its ranks from -k).
void add_choose_k_options(CLI::App& app, ChooseKArgs& args, bool with_range);

/// The seeds of the stability runs (first = base); InvalidArgument naming --seeds when malformed.
std::vector<std::uint64_t> stability_seeds(const ChooseKArgs& args, std::uint64_t base);

/// The model as the sweep's table and charts name it: "nmf (cd, init nndsvda)", "krylov", ...
std::string sweep_method_name(const std::string& method, const NmfMethodArgs& nmf_args);

/// For every k (each 1 <= k <= min(m, n), else InvalidArgument): the model topics fits with
/// --method method (nmf, svd, rsvd, krylov; sweep also gram, gesdd) and these options, its
/// relative error, coherence (NPMI, UMass) and diversity, and the stability of its topics over
/// the runs of stability_seeds (NMF: with --stability-init; rsvd, krylov: their start blocks).
/// The exact SVDs (svd, gram, gesdd) and krylov decompose once (per seed) at the largest k: every
/// prefix of their triplets is the best rank-k approximation (Eckart-Young).
template <typename T>
std::vector<SweepPoint> sweep_topics(const CsrMatrix<T>& x, const std::vector<std::int64_t>& ks,
                                     const std::string& method, const SvdMethodArgs& svd, const NmfMethodArgs& nmf_args,
                                     const ChooseKArgs& choose);

/// The -k auto rule (README "Choosing k"): among the ks whose stability is at least
/// min_stability (Greene, O'Callaghan & Cunningham 2014) — every k when stability was not
/// measured — the one with the highest mean NPMI (Röder, Both & Hinneburg 2015), the smaller k
/// on a tie; when no k is that stable, the most stable k. points: not empty.
std::int64_t choose_k(const std::vector<SweepPoint>& points, double min_stability);

/// One sentence: the rule and why it chose k.
std::string choice_reason(const std::vector<SweepPoint>& points, double min_stability, std::int64_t k);

/// The curve as a table (one line per k) on stdout, and as JSON (null for a measure not taken).
void print_sweep_table(const std::vector<SweepPoint>& points);
nlohmann::json sweep_points_json(const std::vector<SweepPoint>& points);

}  // namespace factopic::cli
