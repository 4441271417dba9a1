// The full SVD by LAPACK's gesdd on the densified matrix: the reference the other methods are
// measured against.
#include "detail.hpp"
#include "factopic/linalg/lapack.hpp"

namespace factopic::decomp::svd_detail {

SvdResult<double> full_gesdd(const CsrMatrix<double>& a) {
    SvdResult<double> r;
    r.method = SvdMethod::gesdd;
    PhaseTimer timer(r.phases);
    Matrix<double> dense = Matrix<double>::zeros(a.rows, a.cols);
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t p = a.indptr[i]; p < a.indptr[i + 1]; ++p) dense(i, a.indices[p]) = a.values[p];
    timer.mark("densify");
    linalg::gesdd(dense, r.u, r.s, r.vt);
    timer.mark("gesdd");
    return r;
}

}  // namespace factopic::decomp::svd_detail
