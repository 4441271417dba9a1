// The SVD method options shared by svd, sweep and topics, and the one place that turns them
// into a decomposition.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "factopic/decomp/svd.hpp"

namespace factopic::cli {

struct SvdMethodArgs {
    bool full = false;
    static constexpr std::int64_t k_unset = std::numeric_limits<std::int64_t>::min();
    std::int64_t k = k_unset;
    std::string method;  ///< empty: gram with --full, krylov with -k
    int oversamples = 10;
    int power_iters = -1;
    std::string normalizer = "auto";
    std::uint64_t seed = 0;
    double tol = 1e-6;
    int block = 0;
};

/// Binds --full, -k, --method, --oversamples, --power-iters, --normalizer, --seed, --tol.
/// with_full: whether --full is offered (sweep chooses its ranks itself and omits it);
/// with_nmf: whether --method also accepts nmf (sweep).
void add_svd_method_options(CLI::App& app, SvdMethodArgs& args, bool with_full = true, bool with_nmf = false);

/// Exactly one of --full and -k, a method that fits: InvalidArgument otherwise.
void validate(const SvdMethodArgs& args);

/// The method chosen (its default filled in).
decomp::SvdMethod chosen_method(const SvdMethodArgs& args);

decomp::TruncatedSvdOptions truncated_options(const SvdMethodArgs& args, std::int64_t k);

/// The full SVD or the k leading triplets, as args say.
template <typename T>
decomp::SvdResult<T> decompose(const CsrMatrix<T>& x, const SvdMethodArgs& args);

}  // namespace factopic::cli
