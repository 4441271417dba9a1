// Host-side dense linear algebra on the small matrices of the SVD (k × k or l × l: Rayleigh
// quotients, Ritz problems, Gram matrices and their factors), which every backend solves on the
// host: LAPACK through linalg. Not virtual: a backend hands these matrices back as
// linalg::Matrix<double> and the solver calls these directly.
#pragma once

#include <cstdint>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::backend::small {

using linalg::Matrix;

/// How many threads a LAPACK call may use: `one` (results independent of the thread count), or
/// `call`, the call's thread count (OpenBLAS threads some routines above a size: results may
/// depend on the thread count there).
enum class Threads { one, call };

/// Eigen-decomposition of a symmetric a: a ← its eigenvectors, w ← its eigenvalues ascending.
void syevd(Matrix<double>& a, std::vector<double>& w, Threads threads = Threads::one);
/// a = U·diag(s)·Vᵀ (a is overwritten).
void gesdd(Matrix<double>& a, Matrix<double>& u, std::vector<double>& s, Matrix<double>& vt,
           Threads threads = Threads::one);
/// g ← R with g = RᵀR (upper R, the lower triangle zeroed); false when g is not positive definite.
bool cholesky_upper(Matrix<double>& g, Threads threads = Threads::one);
/// r ← r⁻¹ for an upper-triangular r.
void invert_upper(Matrix<double>& r, Threads threads = Threads::one);
/// op(a)·op(b), op = 'N' or 'T', on one thread.
Matrix<double> product(char ta, const Matrix<double>& a, char tb, const Matrix<double>& b);
/// The upper triangle of A·B for upper-triangular q × q A and B.
Matrix<double> upper_product(const Matrix<double>& a, const Matrix<double>& b);
/// max |G − I| over the entries of a square G.
double max_identity_error(const Matrix<double>& gram);
/// svd_flip(u, v, u_based_decision=True) for one column of U: the sign that makes its entry of
/// largest magnitude positive (the first such entry on ties).
double flip_sign(const double* col, std::int64_t n);

}  // namespace factopic::backend::small
