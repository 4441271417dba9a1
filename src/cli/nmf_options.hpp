// The NMF solver options shared by nmf, topics and sweep, and the one place that turns them
// into decomp::NmfOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "factopic/decomp/nmf.hpp"

namespace factopic::cli {

/// The NMF options as the library has them: every number binds to its field of `options`, so the
/// CLI's defaults and its unset options are the library's own (decomp::NmfOptions); the enums
/// are read as their names, and k and the custom init's matrices are filled in by nmf_options.
struct NmfMethodArgs {
    decomp::NmfOptions options;
    std::string solver = decomp::to_string(options.solver);
    std::string init = decomp::to_string(options.init);
    std::string beta_loss = decomp::to_string(options.beta_loss);
    std::string w_init, h_init;  ///< custom init: .npy files
};

/// Binds --solver, --init, --w-init, --h-init, --beta-loss, --max-iter, --tol, --seed, --alpha-w,
/// --alpha-h, --l1-ratio, --shuffle, --lam, --mu, --lr, --anneal, --anneal-every, --project,
/// --beta1, --beta2, --target-error. with_seed: false where the caller binds --seed itself.
void add_nmf_method_options(CLI::App& app, NmfMethodArgs& args, bool with_seed = true);

/// The rules the options can be checked against before any work (InvalidArgument): --max-iter
/// at least 1, as scikit-learn's NMF (max_iter: Interval(Integral, 1, None)); 0 does not mean
/// "the default".
void validate(const NmfMethodArgs& args);

/// The options for rank k (validated; reads the custom init's .npy files).
decomp::NmfOptions nmf_options(const NmfMethodArgs& args, std::int64_t k);

/// The warning printed on stderr when a run stopped at max_iter.
std::string convergence_warning(decomp::NmfSolver solver, int iterations, double tol);

/// How the summaries word a status: "converged", "stopped at --max-iter", "reached the target
/// error" (a diverged or degenerate run never reaches a summary: fit_nmf throws).
std::string status_text(decomp::Status status);

/// The one-line error for a diverged or degenerate run: the solver, what went wrong, and the likely cause
/// among the options given (the learning rate, the regularisation) and the scale of the data.
std::string divergence_message(const decomp::NmfOptions& options, decomp::NmfSolver solver, decomp::Status status,
                               const std::string& diagnosis, double data_norm);

/// decomp::nmf with a progress bar (iterations against max_iter) on stderr while it runs.
/// DataError (divergence_message) when the run diverged or is degenerate: its factors are never
/// returned, so they can never be written or reported as a result. A warning on stderr when
/// regularisation made W·H = 0.
template <typename T>
decomp::NmfResult<T> fit_nmf(const CsrMatrix<T>& x, const decomp::NmfOptions& options);

/// The warning on stderr when regularisation made W·H = 0 (every topic empty).
template <typename T>
void warn_if_empty(const decomp::NmfResult<T>& r, const decomp::NmfOptions& options);

}  // namespace factopic::cli
