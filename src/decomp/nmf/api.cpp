// NMF's public entry points (see nmf.hpp): the names of its modes, nmf() as its steps (check,
// start, iterate, finish, judge the result) and frobenius_error. The solvers live in the other
// files of this folder (listed in detail.hpp).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "../finite.hpp"
#include "../names.hpp"
#include "detail.hpp"
#include "factopic/core/error.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/clock.hpp"

namespace factopic::decomp {

namespace {

using detail::NameTable;

constexpr NameTable<NmfSolver> k_solvers = {
    {NmfSolver::cd, "cd"}, {NmfSolver::mu, "mu"}, {NmfSolver::pgd, "pgd"}, {NmfSolver::adam, "adam"}};
constexpr NameTable<NmfInit> k_inits = {{NmfInit::random, "random"},
                                        {NmfInit::nndsvd, "nndsvd"},
                                        {NmfInit::nndsvda, "nndsvda"},
                                        {NmfInit::nndsvdar, "nndsvdar"},
                                        {NmfInit::custom, "custom"}};
constexpr NameTable<BetaLoss> k_beta_losses = {{BetaLoss::frobenius, "frobenius"},
                                               {BetaLoss::kullback_leibler, "kullback-leibler"}};

}  // namespace

std::string to_string(NmfSolver s) { return detail::name_of(k_solvers, s); }
NmfSolver parse_nmf_solver(const std::string& name) { return detail::parse_name(k_solvers, name, "NMF solver"); }
std::string to_string(NmfInit i) { return detail::name_of(k_inits, i); }
NmfInit parse_nmf_init(const std::string& name) { return detail::parse_name(k_inits, name, "NMF init"); }
std::string to_string(BetaLoss b) { return detail::name_of(k_beta_losses, b); }
BetaLoss parse_beta_loss(const std::string& name) { return detail::parse_name(k_beta_losses, name, "beta loss"); }
std::vector<std::string> nmf_solver_names() { return detail::names_of(k_solvers); }
std::vector<std::string> nmf_init_names() { return detail::names_of(k_inits); }
std::vector<std::string> beta_loss_names() { return detail::names_of(k_beta_losses); }

using namespace nmf_detail;

namespace {

using runtime::Clock;
using runtime::since;

std::int64_t count_negative(const Matrix<double>& x) {
    return std::count_if(x.data.begin(), x.data.end(), [](double v) { return v < 0; });
}

/// What a run leaves besides the factors.
struct Fit {
    Outcome out;
    double norm2 = 0;  // ‖A‖²_F
    double frob = 0;   // ‖A − WH‖_F of the returned factors
    std::int64_t clipped = 0, negative = 0;
};

/// The solver's iterations from the start f.
Outcome iterate(const Problem& pb, DeviceFactors& f, const NmfOptions& options) {
    const Regularization reg = regularization(options, pb.x.rows(), pb.x.cols());
    const int max_iter = *options.max_iter;  // with_defaults filled it in
    // cd and mu set an empty document's weights to exactly 0 in their first W step (its
    // gradient is G·w, its numerator 0); adam keeps a 0 it starts from (a zero gradient
    // there), pgd only with the reset after each W step.
    if (options.solver == NmfSolver::pgd || options.solver == NmfSolver::adam) pb.be.zero_columns(f.wr, pb.empty);
    switch (options.solver) {
        case NmfSolver::cd:
            return run_cd(pb, f, options, reg, max_iter);
        case NmfSolver::mu:
            return run_mu(pb, f, options, reg, max_iter);
        case NmfSolver::pgd:
            return run_pgd(pb, f, options, max_iter);
        case NmfSolver::adam:
            return run_adam(pb, f, options, max_iter);
    }
    return {};
}

/// The factors as returned (pgd's and adam's projected to ≥ 0) and their errors.
void finish(const Problem& pb, DeviceFactors& f, const NmfOptions& options, Fit& fit) {
    const backend::Backend& be = pb.be;
    Outcome& out = fit.out;
    if (options.solver == NmfSolver::pgd || options.solver == NmfSolver::adam) {
        // The penalty keeps negatives small, not absent: the returned factors are projected.
        fit.clipped = be.clamp_below(f.wr, 0.0) + be.clamp_below(f.h, 0.0);
        if (fit.clipped > 0 || out.iterations == 0) out.error = frobenius_error_rw(be, pb.x, pb.norm2, f.wr, f.h);
    }
    if (out.iterations == 0 && options.solver != NmfSolver::pgd && options.solver != NmfSolver::adam)
        out.error = options.beta_loss == BetaLoss::kullback_leibler ? kl_error(be, pb.x, f.wr, f.h)
                                                                    : frobenius_error_rw(be, pb.x, pb.norm2, f.wr, f.h);
    fit.frob =
        options.beta_loss == BetaLoss::kullback_leibler ? frobenius_error_rw(be, pb.x, pb.norm2, f.wr, f.h) : out.error;
}

/// Iterates from f and finishes, timing both phases. The factors are on the backend from the
/// upload after the init to the download after the finish.
template <typename T>
Fit fit_factors(const backend::Backend& be, const CsrMatrix<T>& a, Factors& f, const NmfOptions& options,
                runtime::PhaseTimer& timer) {
    // After the init, so that Aᵀ and the SVD's workspace are never held together, and
    // released before the result's copies of the factors are made.
    const Problem pb(be, a);
    Fit fit;
    fit.norm2 = pb.norm2;
    DeviceFactors d{be.upload(std::move(f.wr)), be.upload(std::move(f.h))};
    fit.out = iterate(pb, d, options);
    timer.mark("iterations");
    finish(pb, d, options, fit);
    f.wr = be.download(d.wr);
    f.h = be.download(d.h);
    fit.negative = count_negative(f.wr) + count_negative(f.h);
    timer.mark("finish");
    return fit;
}

/// The result in the caller's layout (W as m × k) and scalar type, with the run's figures.
template <typename T>
NmfResult<T> to_result(Factors f, const NmfOptions& o, Fit fit) {
    NmfResult<T> r;
    if constexpr (std::is_same_v<T, double>) {
        r.w = linalg::transpose(f.wr);
        f.wr = Matrix<double>();
        r.h = std::move(f.h);
    } else {
        r.w = linalg::transpose(f.wr).template cast<T>();
        f.wr = Matrix<double>();
        r.h = f.h.template cast<T>();
    }
    r.solver = o.solver;
    r.init = o.init;
    r.beta_loss = o.beta_loss;
    r.reconstruction_error = fit.out.error;
    r.relative_error = fit.norm2 > 0 ? fit.frob / std::sqrt(fit.norm2) : 0.0;
    r.iterations = fit.out.iterations;
    r.max_iter = *o.max_iter;
    r.tol = *o.tol;
    r.status = fit.out.diverged         ? Status::diverged
               : fit.out.reached_target ? Status::target_reached
               : fit.out.converged      ? Status::converged
               : fit.out.cancelled      ? Status::cancelled
                                        : Status::max_iterations;
    r.diagnosis = std::move(fit.out.diagnosis);
    r.losses = std::move(fit.out.losses);
    r.negative_entries = fit.negative;
    r.clipped = fit.clipped;
    return r;
}

/// A read-only pass over the factors as returned (after the rounding to T), so that no NaN or
/// infinity is ever handed back as a result: such a result is diverged.
template <typename T>
void flag_non_finite(NmfResult<T>& r) {
    if (r.status == Status::diverged) return;
    const auto flag = [&](const std::string& what) {
        r.status = Status::diverged;
        r.diagnosis = what;
    };
    if (const auto at = detail::first_non_finite(r.w))
        flag(fmt::format("W({}, {}) is {}", at->first + 1, at->second + 1, r.w(at->first, at->second)));
    else if (const auto bt = detail::first_non_finite(r.h))
        flag(fmt::format("H({}, {}) is {}", bt->first + 1, bt->second + 1, r.h(bt->first, bt->second)));
    else if (!std::isfinite(r.reconstruction_error) || !std::isfinite(r.relative_error))
        flag(fmt::format("the final error is {}", r.reconstruction_error));
}

/// Any non-negative A ≠ 0 has a rank-1 NMF better than 0 (its leading singular pair); only
/// regularisation can make W·H = 0 the optimum. 1e-12: k = 1 on m orthogonal documents
/// explains 1/m of ‖A‖², a relative error of 1 − 1/(2m), below this for m < 5e11.
template <typename T>
void flag_degenerate(NmfResult<T>& r, const NmfOptions& options) {
    const bool regularised = options.alpha_w > 0 || options.alpha_h.value_or(0) > 0;
    if (r.status != Status::diverged && !regularised && r.relative_error >= 1 - 1e-12) {
        r.status = Status::degenerate;
        r.diagnosis = fmt::format("W·H explains nothing of A (relative error {:.15g}, as for W = H = 0{})",
                                  r.relative_error, r.relative_error == 1 ? ": W·H is 0" : "");
    }
}

}  // namespace

template <typename T>
NmfResult<T> nmf(const CsrMatrix<T>& a, const NmfOptions& given, const runtime::ExecutionContext& context) {
    const runtime::ContextScope scope(context);
    const auto start = Clock::now();
    const backend::Backend& be = backend::backend_for(context);
    require_valid_matrix(be, a);
    require_valid_options(given, a.rows, a.cols);
    const NmfOptions options = with_defaults(given);
    std::vector<Phase> phases;
    runtime::PhaseTimer timer(phases);
    Factors f = initialize(a, options);
    timer.mark("init");
    Fit fit = fit_factors(be, a, f, options, timer);
    NmfResult<T> r = to_result<T>(std::move(f), options, std::move(fit));
    flag_non_finite(r);
    flag_degenerate(r, options);
    r.phases = std::move(phases);
    r.seconds = since(start);
    return r;
}

template <typename T>
NmfResult<T> nmf(const Matrix<T>& a, const NmfOptions& options, const runtime::ExecutionContext& context) {
    return nmf(linalg::to_csr(a), options, context);  // NaN entries kept: the check names them
}

template <typename T>
double frobenius_error(const CsrMatrix<T>& a, const Matrix<T>& w, const Matrix<T>& h) {
    if (w.rows != a.rows || h.cols != a.cols || w.cols != h.rows)
        throw InvalidArgument(fmt::format("shapes do not fit: A {} x {}, W {} x {}, H {} x {}", a.rows, a.cols, w.rows,
                                          w.cols, h.rows, h.cols));
    const backend::Backend& be = backend::backend_for(runtime::ExecutionContext{});
    const Sparse x = be.upload(a, false);
    const Dense wr = be.upload(linalg::transpose(w).template cast<double>()), hd = be.upload(h.template cast<double>());
    return frobenius_error_rw(be, x, be.squared_norm(x), wr, hd);
}

#define FACTOPIC_NMF(T)                                                                                  \
    template NmfResult<T> nmf(const CsrMatrix<T>&, const NmfOptions&, const runtime::ExecutionContext&); \
    template NmfResult<T> nmf(const Matrix<T>&, const NmfOptions&, const runtime::ExecutionContext&);    \
    template double frobenius_error(const CsrMatrix<T>&, const Matrix<T>&, const Matrix<T>&);
FACTOPIC_NMF(float)
FACTOPIC_NMF(double)
#undef FACTOPIC_NMF

}  // namespace factopic::decomp
