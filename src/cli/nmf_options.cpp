#include "nmf_options.hpp"

#include <fmt/core.h>

#include "factopic/core/error.hpp"
#include "factopic/io/npy.hpp"
#include "factopic/linalg/sparse.hpp"
#include "options.hpp"
#include "progress.hpp"

namespace factopic::cli {

constexpr const char* k_solver_group = "Solver options (pgd, adam)";

void add_nmf_method_options(CLI::App& app, NmfMethodArgs& a, bool with_seed) {
    app.add_option("--solver", a.solver, "cd (coordinate descent), mu (multiplicative), pgd (gradient descent), adam")
        ->check(CLI::IsMember(decomp::nmf_solver_names()))
        ->capture_default_str();
    app.add_option("--init", a.init, "Initial W, H: random, nndsvd, nndsvda, nndsvdar or custom (--w-init, --h-init)")
        ->check(CLI::IsMember(decomp::nmf_init_names()))
        ->capture_default_str();
    app.add_option("--w-init", a.w_init, "init custom: W (documents x k) as .npy");
    app.add_option("--h-init", a.h_init, "init custom: H (k x terms) as .npy");
    app.add_option("--beta-loss", a.beta_loss, "mu: frobenius or kullback-leibler")
        ->check(CLI::IsMember(decomp::beta_loss_names()))
        ->capture_default_str();
    app.add_option("--max-iter", a.options.max_iter,
                   "Most iterations, at least 1 (default: cd, mu 200; pgd, adam 1000)");
    app.add_option("--tol", a.options.tol,
                   "Stop when cd's projected-gradient violation is tol x its first value, or (mu, pgd, adam) the "
                   "error fell by less than tol x the initial error in 10 iterations; 0: never (default: adam "
                   "1e-5, the others 1e-4)")
        ->check(CLI::NonNegativeNumber);
    if (with_seed)
        app.add_option("--seed", a.options.seed, "Seed of random init, nndsvdar, --shuffle and the SVD of nndsvd*")
            ->capture_default_str();
    app.add_option("--alpha-w", a.options.alpha_w, "Regularisation of W (scikit-learn 1.2 scaling: x terms)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--alpha-h", a.options.alpha_h, "Regularisation of H (x documents; default: the same as --alpha-w)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--l1-ratio", a.options.l1_ratio, "Share of L1 in the regularisation (0: L2 only)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    app.add_flag("--shuffle", a.options.shuffle, "cd: visit the components in a random order each sweep");
    // The lecture's gradient-descent knobs: a help section of their own, after the options most
    // runs need (issue 14).
    app.add_option("--lam", a.options.lam, "pgd, adam: weight of the penalty on negatives (default: pgd 100, adam 1e6)")
        ->check(CLI::NonNegativeNumber)
        ->group(k_solver_group);
    app.add_option("--mu", a.options.mu, "pgd: entries below mu are penalised")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str()
        ->group(k_solver_group);
    app.add_option("--lr", a.options.lr, "pgd, adam: learning rate (default: pgd 1/L per block, adam 1e-3)")
        ->check(CLI::PositiveNumber)
        ->group(k_solver_group);
    app.add_option("--anneal", a.options.anneal, "pgd, adam: multiply the learning rate by this ...")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str()
        ->group(k_solver_group);
    app.add_option("--anneal-every", a.options.anneal_every, "... every this many iterations")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group(k_solver_group);
    app.add_flag("--project", a.options.project, "pgd: clip W and H to >= 0 after every step")->group(k_solver_group);
    app.add_option("--beta1", a.options.beta1, "adam: decay of the first moment")
        ->check(CLI::Range(0.0, 0.999999))
        ->capture_default_str()
        ->group(k_solver_group);
    app.add_option("--beta2", a.options.beta2, "adam: decay of the second moment")
        ->check(CLI::Range(0.0, 0.999999))
        ->capture_default_str()
        ->group(k_solver_group);
    app.add_option("--target-error", a.options.target_error,
                   "Stop as soon as the reconstruction error is at most this (for benchmarks)")
        ->check(CLI::NonNegativeNumber);
}

void validate(const NmfMethodArgs& a) {
    if (a.options.max_iter && *a.options.max_iter < 1)
        throw InvalidArgument(
            fmt::format("--max-iter {} is out of range: it must be at least 1 (leave it out for the solver's default)",
                        *a.options.max_iter));
}

decomp::NmfOptions nmf_options(const NmfMethodArgs& a, std::int64_t k) {
    validate(a);
    decomp::NmfOptions o = a.options;
    o.k = k;
    o.solver = decomp::parse_nmf_solver(a.solver);
    o.init = decomp::parse_nmf_init(a.init);
    o.beta_loss = decomp::parse_beta_loss(a.beta_loss);
    const bool custom = o.init == decomp::NmfInit::custom;
    if (custom != (!a.w_init.empty() || !a.h_init.empty()) || (custom && (a.w_init.empty() || a.h_init.empty())))
        throw InvalidArgument(custom ? "--init custom needs both --w-init W.npy and --h-init H.npy"
                                     : "--w-init and --h-init go with --init custom");
    if (custom) {
        o.w_init = io::read_npy_matrix(a.w_init);
        o.h_init = io::read_npy_matrix(a.h_init);
    }
    return o;
}

std::string convergence_warning(decomp::NmfSolver solver, int iterations, double tol) {
    return fmt::format(
        "warning: nmf ({}) did not converge in {} iteration{} (tol {}): raise --max-iter, or loosen --tol",
        decomp::to_string(solver), iterations, iterations == 1 ? "" : "s", tol);
}

std::string status_text(decomp::Status status) {
    switch (status) {
        case decomp::Status::converged:
            return "converged";
        case decomp::Status::max_iterations:
            return "stopped at --max-iter";
        case decomp::Status::target_reached:
            return "reached the target error";
        case decomp::Status::diverged:
        case decomp::Status::degenerate:
        case decomp::Status::cancelled:
            break;
    }
    return decomp::to_string(status);
}

std::string divergence_message(const decomp::NmfOptions& o, decomp::NmfSolver solver, decomp::Status status,
                               const std::string& diagnosis, double data_norm) {
    using decomp::NmfSolver;
    // The causes the options point at first (they are what the user can change at once), the
    // scale of the data last (it is behind every other divergence once the options are sane).
    std::vector<std::string> causes;
    const bool gradient = solver == NmfSolver::pgd || solver == NmfSolver::adam;
    if (gradient && o.lr)
        causes.push_back(fmt::format("the learning rate --lr {:g} is too large for this data: try a smaller one{}",
                                     *o.lr, solver == NmfSolver::pgd ? " (or leave it out: pgd's 1/L step)" : ""));
    else if (solver == NmfSolver::adam)
        causes.push_back("adam's default learning rate (1e-3) does not suit data of this scale: give a smaller --lr");
    const double alpha_h = o.alpha_h.value_or(o.alpha_w);
    if (o.alpha_w > 0 || alpha_h > 0)
        causes.push_back(fmt::format("the regularisation (--alpha-w {:g}, --alpha-h {:g}) is too strong: lower it",
                                     o.alpha_w, alpha_h));
    causes.push_back(fmt::format(
        "the scale of the data (|A|_F = {:.6g}): the solvers, as scikit-learn's, have absolute constants (the "
        "nndsvd inits drop factor entries below 1e-6, mu floors its denominators at 1.2e-7{}), so rescale the "
        "data to entries of order 1",
        data_norm, solver == NmfSolver::pgd ? fmt::format(", pgd penalises entries below --mu {:g}", o.mu) : ""));
    std::string likely;
    for (const auto& c : causes) likely += (likely.empty() ? "" : "; or ") + c;
    return fmt::format("nmf ({}) {}: {}; likely cause: {}", decomp::to_string(solver),
                       status == decomp::Status::degenerate ? "found nothing" : "diverged", diagnosis, likely);
}

template <typename T>
decomp::NmfResult<T> fit_nmf(const CsrMatrix<T>& x, const decomp::NmfOptions& options) {
    decomp::NmfResult<T> r = [&] {  // the progress line is gone before anything else is printed
        Progress progress(fmt::format("nmf {}", decomp::to_string(options.solver)));
        decomp::NmfOptions with_progress = options;
        with_progress.on_iteration = [&progress](int iteration, int max_iter) {
            progress.update(iteration, max_iter);
            return true;
        };
        return decomp::nmf(x, with_progress);
    }();
    if (r.status == decomp::Status::diverged || r.status == decomp::Status::degenerate)
        throw DataError(divergence_message(options, r.solver, r.status, r.diagnosis, linalg::frobenius_norm(x)));
    warn_if_empty(r, options);
    return r;
}

template <typename T>
void warn_if_empty(const decomp::NmfResult<T>& r, const decomp::NmfOptions& options) {
    if (r.relative_error >= 1 - 1e-12)  // regularised (else degenerate): W·H = 0 can be its optimum
        print_warning(fmt::format(
            "warning: nmf ({}): W·H explains nothing of A (relative error {:.6f}): the regularisation "
            "(--alpha-w {:g}, --alpha-h {:g}) outweighs the data; every topic is empty",
            decomp::to_string(r.solver), r.relative_error, options.alpha_w, options.alpha_h.value_or(options.alpha_w)));
}

template decomp::NmfResult<float> fit_nmf(const CsrMatrix<float>&, const decomp::NmfOptions&);
template decomp::NmfResult<double> fit_nmf(const CsrMatrix<double>&, const decomp::NmfOptions&);
template void warn_if_empty(const decomp::NmfResult<float>&, const decomp::NmfOptions&);
template void warn_if_empty(const decomp::NmfResult<double>&, const decomp::NmfOptions&);

}  // namespace factopic::cli
