// The BLAS and LAPACK calls the decompositions make, as overloads for float and double over
// OpenBLAS's Fortran symbols (Debian's OpenBLAS ships no LAPACKE). Workspace queries and the
// info codes are handled here: a failure throws factopic::Error naming the routine.
#pragma once

#include <cstdint>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::linalg {

/// C = alpha·op(A)·op(B) + beta·C, op = transpose when the flag is 'T'.
void gemm(char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a,
          std::int64_t lda, const double* b, std::int64_t ldb, double beta, double* c, std::int64_t ldc);
void gemm(char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
          std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc);

/// C = alpha·A·Aᵀ + beta·C (trans 'N', A n × k) or alpha·Aᵀ·A + beta·C (trans 'T', A k × n);
/// only the uplo triangle of C is written.
void syrk(char uplo, char trans, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
          double beta, double* c, std::int64_t ldc);
void syrk(char uplo, char trans, std::int64_t n, std::int64_t k, float alpha, const float* a, std::int64_t lda,
          float beta, float* c, std::int64_t ldc);

/// Eigen-decomposition of the symmetric n × n matrix a (its lower triangle) by divide and
/// conquer: a becomes the eigenvectors, w the eigenvalues in ascending order.
void syevd(Matrix<double>& a, std::vector<double>& w);

/// Thin SVD of the m × n matrix a (destroyed) by divide and conquer: u (m × r), s (r),
/// vt (r × n), r = min(m, n), singular values descending.
void gesdd(Matrix<double>& a, Matrix<double>& u, std::vector<double>& s, Matrix<double>& vt);
void gesdd(Matrix<float>& a, Matrix<float>& u, std::vector<float>& s, Matrix<float>& vt);

/// Householder QR of the m × n matrix a (m ≥ n) in place: a becomes the thin Q; if r is
/// given it receives the n × n upper triangular R.
void qr(Matrix<double>& a, Matrix<double>* r = nullptr);
void qr(Matrix<float>& a, Matrix<float>* r = nullptr);

/// LU with partial pivoting of the m × n matrix a (m ≥ n) in place: a becomes P·L, the row-
/// permuted unit lower trapezoidal factor (scipy.linalg.lu(a, permute_l=True)[0]).
void permuted_lower(Matrix<double>& a);
void permuted_lower(Matrix<float>& a);

/// Cholesky factor of the symmetric positive definite matrix g (its upper triangle) in place:
/// g becomes R with g = RᵀR (lower triangle zeroed). false, and g undefined, when g is not
/// numerically positive definite.
bool cholesky_upper(Matrix<double>& g);

/// The inverse of the upper triangular r, in place.
void invert_upper(Matrix<double>& r);

/// While alive, BLAS and LAPACK calls run on one thread. OpenBLAS's OpenMP build splits work
/// by omp_get_max_threads(), and how it splits changes the rounding (measured: gemm, geqrf,
/// syevd and gesdd all differ in the last bits between 1 and 2 threads).
class SerialBlas {
public:
    SerialBlas();
    ~SerialBlas();
    SerialBlas(const SerialBlas&) = delete;
    SerialBlas& operator=(const SerialBlas&) = delete;

private:
    int m_saved;
};

/// gemm whose result does not depend on the thread count: C is cut into fixed blocks of
/// columns (or of rows, when C is narrow), each computed by a single-threaded gemm, the blocks
/// in parallel.
void gemm_fixed(char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a,
                std::int64_t lda, const double* b, std::int64_t ldb, double beta, double* c, std::int64_t ldc);

/// C = alpha·Aᵀ·B (m × n) for A (k × m) and B (k × n) with a long inner dimension k (the
/// coefficients of a block against a basis): the inner dimension is cut into fixed blocks whose
/// products run in parallel (each on one thread) and are summed in order, so the result does not
/// depend on the thread count. gemm_fixed would run such a product on one thread.
void gemm_tn_split(std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
                   const double* b, std::int64_t ldb, double* c, std::int64_t ldc);

/// X ← op(T)·X in place for a square T (k × k, op = 'N' or 'T') and a wide X (k × n): the same
/// fixed column blocks as gemm_fixed, each copied aside before it is overwritten, so that no
/// second k × n matrix is held.
void multiply_left_inplace(char op, const Matrix<double>& t, Matrix<double>& x);

/// X·Xᵀ (k × k) of a wide k × n matrix, summed over fixed blocks of columns in a fixed order, so
/// the result does not depend on the thread count.
Matrix<double> gram_wide(const Matrix<double>& x);

}  // namespace factopic::linalg
