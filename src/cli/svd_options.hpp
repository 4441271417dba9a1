// The SVD method options shared by svd, sweep and topics, and the one place that turns them
// into a decomposition.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "factopic/decomp/svd.hpp"

namespace factopic::cli {

/// The SVD options as the library has them: the numbers bind to the fields of `options`
/// (decomp::TruncatedSvdOptions), so the CLI's defaults and unset options are the library's;
/// the method and the normalizer are read as their names, k is filled in by truncated_options.
struct SvdMethodArgs {
    bool full = false;
    std::optional<std::int64_t> k;
    std::string method;  ///< empty: gram with --full, krylov with -k
    decomp::TruncatedSvdOptions options;
    std::string normalizer = decomp::to_string(options.normalizer);
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
