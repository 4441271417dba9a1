// The NMF solver options shared by nmf, topics and sweep, and the one place that turns them
// into decomp::NmfOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "factopic/decomp/nmf.hpp"

namespace factopic::cli {

struct NmfMethodArgs {
    std::string solver = "cd";
    std::string init = "nndsvda";
    std::string w_init, h_init;  ///< custom init: .npy files
    std::string beta_loss = "frobenius";
    int max_iter = 0;
    double tol = -1;  ///< negative: the solver's default
    std::uint64_t seed = 0;
    double alpha_w = 0;
    double alpha_h = -1;
    double l1_ratio = 0;
    bool shuffle = false;
    double lam = -1, mu = 1e-6, lr = 0, anneal = 0.9;
    int anneal_every = 100;
    bool project = false;
    double beta1 = 0.9, beta2 = 0.9;
    double target_error = 0;
};

/// Binds --solver, --init, --w-init, --h-init, --beta-loss, --max-iter, --tol, --seed, --alpha-w,
/// --alpha-h, --l1-ratio, --shuffle, --lam, --mu, --lr, --anneal, --anneal-every, --project,
/// --beta1, --beta2, --target-error. with_seed: false where the caller binds --seed itself.
void add_nmf_method_options(CLI::App& app, NmfMethodArgs& args, bool with_seed = true);

/// The options for rank k (reads the custom init's .npy files).
decomp::NmfOptions nmf_options(const NmfMethodArgs& args, std::int64_t k);

/// The warning printed on stderr when a run stopped at max_iter.
std::string convergence_warning(decomp::NmfSolver solver, int iterations, double tol);

/// decomp::nmf with a progress bar (iterations against max_iter) on stderr while it runs.
template <typename T>
decomp::NmfResult<T> fit_nmf(const CsrMatrix<T>& x, decomp::NmfOptions options);

}  // namespace factopic::cli
