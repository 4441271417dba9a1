// The error-against-k sweep that `factopic sweep` prints and `factopic report --sweep` draws.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
#include "nmf_options.hpp"
#include "svd_options.hpp"

namespace factopic::cli {

/// "2:40:2" (inclusive), "2:40" (step 1) or "5,10,20"; InvalidArgument naming the spec otherwise.
std::vector<std::int64_t> parse_ks(const std::string& spec);

struct SweepPoint {
    std::int64_t k;
    double error;    ///< ‖A − A_k‖_F / ‖A‖_F
    double seconds;  ///< the decomposition that gave it
};

/// The method as the sweep's table and charts name it: "nmf (cd)", "krylov", ...
std::string sweep_method_name(const SvdMethodArgs& svd, const NmfMethodArgs& nmf_args, bool nmf);

/// The relative error for every k (each 1 <= k <= min(m, n), else InvalidArgument): NMF fits one
/// factorisation per k; rsvd one randomized SVD per k; the exact methods one decomposition whose
/// prefixes are the best rank-k approximations.
template <typename T>
std::vector<SweepPoint> sweep_errors(const CsrMatrix<T>& x, const std::vector<std::int64_t>& ks,
                                     const SvdMethodArgs& svd, const NmfMethodArgs& nmf_args, bool nmf);

}  // namespace factopic::cli
