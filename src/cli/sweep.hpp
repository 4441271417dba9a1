// The error-against-k sweep that `factopic sweep` prints and `factopic report --sweep` draws.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "factopic/core/csr.hpp"
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

/// The same for the ranks of a -k spec (KSpec::ranks of x's shape).
template <typename T>
std::vector<SweepPoint> sweep_errors(const CsrMatrix<T>& x, const KSpec& ks, const SvdMethodArgs& svd,
                                     const NmfMethodArgs& nmf_args, bool nmf);

}  // namespace factopic::cli
