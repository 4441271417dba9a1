// scikit-learn's svd_flip (u-based), which fixes the sign of every singular pair so that the
// results are comparable with scikit-learn's and from one method to another.
#include "detail.hpp"

namespace factopic::decomp::svd_detail {

void flip_signs(Matrix<double>& u, Matrix<double>& vt) {
    std::vector<double> sign(static_cast<std::size_t>(u.cols));
    bool any = false;
    for (std::int64_t c = 0; c < u.cols; ++c) {
        sign[static_cast<std::size_t>(c)] = flip_sign(u.col(c), u.rows);
        if (sign[static_cast<std::size_t>(c)] > 0) continue;
        any = true;
        double* uc = u.col(c);
        for (std::int64_t i = 0; i < u.rows; ++i) uc[i] = -uc[i];
    }
    if (!any) return;
    for (std::int64_t j = 0; j < vt.cols; ++j)  // Vᵀ column by column: its rows are strided
        for (std::int64_t c = 0; c < vt.rows; ++c) vt(c, j) *= sign[static_cast<std::size_t>(c)];
}

}  // namespace factopic::decomp::svd_detail
