#include "svd_options.hpp"

#include <fmt/core.h>

#include "factopic/core/error.hpp"
#include "progress.hpp"

namespace factopic::cli {

void add_svd_method_options(CLI::App& app, SvdMethodArgs& a, bool with_full, bool with_nmf) {
    if (with_full) {
        app.add_flag("--full", a.full, "The full thin SVD: r = min(documents, terms) triplets");
        app.add_option("-k", a.k, "The k leading singular triplets (truncated SVD), 1 <= k <= min(m, n)");
    }
    std::vector<std::string> methods = decomp::svd_method_names();
    if (with_nmf) methods.emplace_back("nmf");
    app.add_option("--method", a.method,
                   with_nmf ? "gram or gesdd (full SVD); krylov or rsvd (truncated SVD); nmf"
                            : "gram or gesdd (full); krylov or rsvd (truncated)")
        ->check(CLI::IsMember(methods));
    app.add_option("--oversamples", a.options.oversamples, "Extra columns of the random start block (rsvd, krylov)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--power-iters", a.options.power_iters,
                   "rsvd: power iterations (default: scikit-learn's auto, 7 if k < 0.1 min(m, n) else 4)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--normalizer", a.normalizer,
                   "rsvd: normalisation between power iterations (auto: none if <= 2 iterations, else lu)")
        ->check(CLI::IsMember(decomp::normalizer_names()))
        ->capture_default_str();
    app.add_option("--seed", a.options.seed, "Seed of the random start block")->capture_default_str();
    app.add_option("--block", a.options.block, "krylov: vectors per Krylov block (default 4 for k <= 20, else 8)")
        ->check(CLI::PositiveNumber);
    app.add_option("--tol", a.options.tol,
                   "krylov: relative accuracy of each sigma^2, proven by the residual or the Kato-Temple bound")
        ->capture_default_str();
}

decomp::SvdMethod chosen_method(const SvdMethodArgs& a) {
    if (!a.method.empty()) return decomp::parse_svd_method(a.method);
    return a.full ? decomp::SvdMethod::gram : decomp::SvdMethod::krylov;
}

void validate(const SvdMethodArgs& a) {
    if (a.full == a.k.has_value())
        throw InvalidArgument(a.full ? "give either --full or -k K, not both" : "give --full or -k K (k >= 1)");
    if (!a.full && *a.k < 1) throw InvalidArgument(fmt::format("k = {} is out of range: k must be at least 1", *a.k));
    const auto m = chosen_method(a);
    if (a.full && !decomp::is_full(m))
        throw InvalidArgument(fmt::format(
            "--method {} is a truncated method: use it with -k, or --method gram|gesdd with --full", a.method));
    if (!a.full && decomp::is_full(m))
        throw InvalidArgument(fmt::format(
            "--method {} computes the full SVD: use it with --full, or --method krylov|rsvd with -k", a.method));
    if (!(a.options.tol > 0 && a.options.tol < 1))
        throw InvalidArgument(fmt::format("--tol {} must be in (0, 1)", a.options.tol));
}

decomp::TruncatedSvdOptions truncated_options(const SvdMethodArgs& a, std::int64_t k) {
    decomp::TruncatedSvdOptions o = a.options;
    o.k = k;
    o.method = chosen_method(a);
    o.normalizer = decomp::parse_normalizer(a.normalizer);
    return o;
}

template <typename T>
decomp::SvdResult<T> decompose(const CsrMatrix<T>& x, const SvdMethodArgs& a) {
    const Progress progress(a.full ? "svd (full)" : "svd");
    if (a.full) return decomp::full_svd(x, {chosen_method(a)});
    return decomp::truncated_svd(x, truncated_options(a, *a.k));
}

template decomp::SvdResult<float> decompose(const CsrMatrix<float>&, const SvdMethodArgs&);
template decomp::SvdResult<double> decompose(const CsrMatrix<double>&, const SvdMethodArgs&);

}  // namespace factopic::cli
