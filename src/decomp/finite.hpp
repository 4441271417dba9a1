// The read-only pass that every decomposition makes over its result before handing it back:
// a NaN or an infinity anywhere means the factors are meaningless, whatever the loss says.
// Private to src/decomp.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include "factopic/linalg/dense.hpp"

namespace factopic::decomp::detail {

/// The first non-finite entry of x in storage order, as (row, column); nullopt when none.
template <typename T>
std::optional<std::pair<std::int64_t, std::int64_t>> first_non_finite(const linalg::Matrix<T>& x) {
    for (std::int64_t j = 0; j < x.cols; ++j) {
        const T* c = x.col(j);
        for (std::int64_t i = 0; i < x.rows; ++i)
            if (!std::isfinite(c[i])) return std::pair{i, j};
    }
    return std::nullopt;
}

}  // namespace factopic::decomp::detail
