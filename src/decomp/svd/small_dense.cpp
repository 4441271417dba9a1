// Small dense helpers that several of the SVD's steps use on k × k matrices.
#include <algorithm>
#include <cmath>

#include "detail.hpp"

namespace factopic::decomp::svd_detail {

Matrix<double> upper_product(const Matrix<double>& a, const Matrix<double>& b) {
    const std::int64_t q = a.rows;
    Matrix<double> c = Matrix<double>::zeros(q, q);
    for (std::int64_t j = 0; j < q; ++j)
        for (std::int64_t l = 0; l <= j; ++l) {
            const double blj = b(l, j);
            if (blj == 0) continue;
            for (std::int64_t i = 0; i <= l; ++i) c(i, j) += a(i, l) * blj;
        }
    return c;
}

double max_identity_error(const Matrix<double>& gram) {
    double worst = 0;
    for (std::int64_t j = 0; j < gram.cols; ++j)
        for (std::int64_t i = 0; i < gram.rows; ++i)
            worst = std::max(worst, std::abs(gram(i, j) - (i == j ? 1.0 : 0.0)));
    return worst;
}

}  // namespace factopic::decomp::svd_detail
