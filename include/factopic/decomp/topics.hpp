// Topics read off the rows of a factor (Vᵀ of an SVD, H of an NMF): for each row, the terms
// with the largest weights and, for signed factors, those with the most negative ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::decomp {

struct TermWeight {
    std::int64_t term = 0;  ///< column index
    double weight = 0;
};

struct Topic {
    std::vector<TermWeight> top;       ///< descending weight
    std::vector<TermWeight> negative;  ///< ascending weight (most negative first); only weights below
                                       ///< −1e-10 × the row's largest magnitude (smaller is rounding noise)
};

/// Topics from the first `count` rows of a k × n factor; `top` terms each. Ties go to the lower
/// column index, so the result is deterministic.
template <typename T>
std::vector<Topic> topics_from_rows(const linalg::Matrix<T>& factor, std::int64_t count, std::int64_t top,
                                    bool with_negative);

}  // namespace factopic::decomp
