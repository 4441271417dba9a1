// Fortran BLAS/LAPACK through OpenBLAS. Character arguments carry gfortran's hidden length
// arguments (size_t, appended), which the C-implemented BLAS ignore and LAPACK may read.
#include "factopic/linalg/lapack.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>

#include "factopic/core/error.hpp"
#include "factopic/runtime/parallel.hpp"

using fint = int;  // OpenBLAS's default (LP64) integer
using flen = std::size_t;

extern "C" {
void dgemm_(const char*, const char*, const fint*, const fint*, const fint*, const double*, const double*, const fint*,
            const double*, const fint*, const double*, double*, const fint*, flen, flen);
void sgemm_(const char*, const char*, const fint*, const fint*, const fint*, const float*, const float*, const fint*,
            const float*, const fint*, const float*, float*, const fint*, flen, flen);
void dsyrk_(const char*, const char*, const fint*, const fint*, const double*, const double*, const fint*,
            const double*, double*, const fint*, flen, flen);
void ssyrk_(const char*, const char*, const fint*, const fint*, const float*, const float*, const fint*, const float*,
            float*, const fint*, flen, flen);
void dsyevd_(const char*, const char*, const fint*, double*, const fint*, double*, double*, const fint*, fint*,
             const fint*, fint*, flen, flen);
void dgesdd_(const char*, const fint*, const fint*, double*, const fint*, double*, double*, const fint*, double*,
             const fint*, double*, const fint*, fint*, fint*, flen);
void sgesdd_(const char*, const fint*, const fint*, float*, const fint*, float*, float*, const fint*, float*,
             const fint*, float*, const fint*, fint*, fint*, flen);
void dgeqrf_(const fint*, const fint*, double*, const fint*, double*, double*, const fint*, fint*);
void sgeqrf_(const fint*, const fint*, float*, const fint*, float*, float*, const fint*, fint*);
void dorgqr_(const fint*, const fint*, const fint*, double*, const fint*, const double*, double*, const fint*, fint*);
void sorgqr_(const fint*, const fint*, const fint*, float*, const fint*, const float*, float*, const fint*, fint*);
void dpotrf_(const char*, const fint*, double*, const fint*, fint*, flen);
void dtrtri_(const char*, const char*, const fint*, double*, const fint*, fint*, flen, flen);
void dgetrf_(const fint*, const fint*, double*, const fint*, fint*, fint*);
void sgetrf_(const fint*, const fint*, float*, const fint*, fint*, fint*);
}

namespace factopic::linalg {
namespace {

fint to_fint(std::int64_t v, const char* what) {
    if (v < 0 || v > std::numeric_limits<fint>::max())
        throw InvalidArgument(fmt::format("{} = {} is outside what 32-bit LAPACK can take", what, v));
    return static_cast<fint>(v);
}

void check(fint info, const char* routine) {
    if (info < 0) throw Error(fmt::format("{}: argument {} had an illegal value", routine, -info));
    if (info > 0) throw DataError(fmt::format("{} did not converge (info = {})", routine, info));
}

template <typename T>
fint work_size(T w) {
    return static_cast<fint>(static_cast<double>(w) * (1 + 1e-7)) + 1;
}

template <typename T, typename Geqrf, typename Orgqr>
void qr_impl(Matrix<T>& a, Matrix<T>* r, Geqrf geqrf, Orgqr orgqr) {
    const fint m = to_fint(a.rows, "rows"), n = to_fint(a.cols, "cols"), lda = to_fint(a.ld(), "ld");
    if (m < n) throw InvalidArgument(fmt::format("qr: {} x {} matrix is wider than tall", m, n));
    if (n == 0) return;
    HugeArray<T> tau(static_cast<std::size_t>(n));
    fint info = 0, lwork = -1;
    T q1{}, q2{};
    geqrf(&m, &n, a.ptr(), &lda, tau.data(), &q1, &lwork, &info);
    orgqr(&m, &n, &n, a.ptr(), &lda, tau.data(), &q2, &lwork, &info);
    lwork = std::max({work_size(q1), work_size(q2), n * 64});
    HugeArray<T> work(static_cast<std::size_t>(lwork));
    geqrf(&m, &n, a.ptr(), &lda, tau.data(), work.data(), &lwork, &info);
    check(info, "geqrf");
    if (r) {
        *r = Matrix<T>::zeros(n, n);
        for (fint j = 0; j < n; ++j)
            for (fint i = 0; i <= j; ++i) (*r)(i, j) = a(i, j);
    }
    orgqr(&m, &n, &n, a.ptr(), &lda, tau.data(), work.data(), &lwork, &info);
    check(info, "orgqr");
}

template <typename T, typename Getrf>
void permuted_lower_impl(Matrix<T>& a, Getrf getrf) {
    const fint m = to_fint(a.rows, "rows"), n = to_fint(a.cols, "cols"), lda = to_fint(a.ld(), "ld");
    if (m < n) throw InvalidArgument(fmt::format("lu: {} x {} matrix is wider than tall", m, n));
    HugeArray<fint> ipiv(static_cast<std::size_t>(std::max(n, 1)));
    fint info = 0;
    getrf(&m, &n, a.ptr(), &lda, ipiv.data(), &info);
    if (info < 0) check(info, "getrf");  // info > 0 (an exact zero pivot) still yields a valid L
    // L: unit lower trapezoidal part of the factored a.
    for (fint j = 0; j < n; ++j) {
        T* c = a.col(j);
        std::fill(c, c + j, T(0));
        c[j] = T(1);
    }
    // P·L: undo the row interchanges in reverse order.
    for (fint i = n - 1; i >= 0; --i) {
        const fint p = ipiv[static_cast<std::size_t>(i)] - 1;
        if (p == i) continue;
        for (fint j = 0; j < n; ++j) std::swap(a(i, j), a(p, j));
    }
}

template <typename T, typename Gesdd>
void gesdd_impl(Matrix<T>& a, Matrix<T>& u, std::vector<T>& s, Matrix<T>& vt, Gesdd f) {
    const fint m = to_fint(a.rows, "rows"), n = to_fint(a.cols, "cols"), lda = to_fint(a.ld(), "ld");
    const fint r = std::min(m, n);
    u = Matrix<T>(m, r);
    vt = Matrix<T>(r, n);
    s.assign(static_cast<std::size_t>(r), T(0));
    if (r == 0) return;
    HugeArray<T> sa(static_cast<std::size_t>(r));
    const fint ldu = std::max<fint>(m, 1), ldvt = std::max<fint>(r, 1);
    HugeArray<fint> iwork(static_cast<std::size_t>(8 * r));
    fint info = 0, lwork = -1;
    T query{};
    f("S", &m, &n, a.ptr(), &lda, sa.data(), u.ptr(), &ldu, vt.ptr(), &ldvt, &query, &lwork, iwork.data(), &info, 1);
    check(info, "gesdd (workspace query)");
    lwork = work_size(query);
    HugeArray<T> work(static_cast<std::size_t>(lwork));
    f("S", &m, &n, a.ptr(), &lda, sa.data(), u.ptr(), &ldu, vt.ptr(), &ldvt, work.data(), &lwork, iwork.data(), &info,
      1);
    check(info, "gesdd");
    std::copy(sa.begin(), sa.end(), s.begin());
}

}  // namespace

namespace {

fint leading(std::int64_t ld, const char* what) { return to_fint(std::max<std::int64_t>(ld, 1), what); }

template <typename T, typename Routine>
void gemm_impl(Routine f, char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, T alpha, const T* a,
               std::int64_t lda, const T* b, std::int64_t ldb, T beta, T* c, std::int64_t ldc) {
    if (m == 0 || n == 0) return;
    const fint M = to_fint(m, "m"), N = to_fint(n, "n"), K = to_fint(k, "k"), LA = leading(lda, "lda"),
               LB = leading(ldb, "ldb"), LC = leading(ldc, "ldc");
    f(&ta, &tb, &M, &N, &K, &alpha, a, &LA, b, &LB, &beta, c, &LC, 1, 1);
}

template <typename T, typename Routine>
void syrk_impl(Routine f, char uplo, char trans, std::int64_t n, std::int64_t k, T alpha, const T* a, std::int64_t lda,
               T beta, T* c, std::int64_t ldc) {
    if (n == 0) return;
    const fint N = to_fint(n, "n"), K = to_fint(k, "k"), LA = leading(lda, "lda"), LC = leading(ldc, "ldc");
    f(&uplo, &trans, &N, &K, &alpha, a, &LA, &beta, c, &LC, 1, 1);
}

}  // namespace

void gemm(char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a,
          std::int64_t lda, const double* b, std::int64_t ldb, double beta, double* c, std::int64_t ldc) {
    gemm_impl(dgemm_, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm(char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
          std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
    gemm_impl(sgemm_, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void syrk(char uplo, char trans, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
          double beta, double* c, std::int64_t ldc) {
    syrk_impl(dsyrk_, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}

void syrk(char uplo, char trans, std::int64_t n, std::int64_t k, float alpha, const float* a, std::int64_t lda,
          float beta, float* c, std::int64_t ldc) {
    syrk_impl(ssyrk_, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}

void syevd(Matrix<double>& a, std::vector<double>& w) {
    const fint n = to_fint(a.rows, "n"), lda = to_fint(a.ld(), "ld");
    w.assign(static_cast<std::size_t>(n), 0.0);
    if (n == 0) return;
    HugeArray<double> wa(static_cast<std::size_t>(n));
    fint info = 0, lwork = -1, liwork = -1, iquery = 0;
    double query = 0;
    dsyevd_("V", "L", &n, a.ptr(), &lda, wa.data(), &query, &lwork, &iquery, &liwork, &info, 1, 1);
    check(info, "syevd (workspace query)");
    lwork = work_size(query);
    liwork = iquery;
    HugeArray<double> work(static_cast<std::size_t>(lwork));
    HugeArray<fint> iwork(static_cast<std::size_t>(liwork));
    dsyevd_("V", "L", &n, a.ptr(), &lda, wa.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
    check(info, "syevd");
    std::copy(wa.begin(), wa.end(), w.begin());
}

bool cholesky_upper(Matrix<double>& g) {
    const fint n = to_fint(g.rows, "n"), lda = to_fint(g.ld(), "ld");
    fint info = 0;
    dpotrf_("U", &n, g.ptr(), &lda, &info, 1);
    if (info < 0) check(info, "potrf");
    if (info > 0) return false;
    for (fint j = 0; j < n; ++j)
        for (fint i = j + 1; i < n; ++i) g(i, j) = 0;
    return true;
}

void invert_upper(Matrix<double>& r) {
    const fint n = to_fint(r.rows, "n"), lda = to_fint(r.ld(), "ld");
    fint info = 0;
    dtrtri_("U", "N", &n, r.ptr(), &lda, &info, 1, 1);
    check(info, "trtri");
}

SerialBlas::SerialBlas() : m_saved(runtime::max_threads()) { runtime::set_threads(1); }
SerialBlas::~SerialBlas() { runtime::set_threads(m_saved); }

namespace {

/// Columns per block of an output with `rows` rows: a shape-only rule, never the thread count.
std::int64_t column_block(std::int64_t rows) {
    return std::max<std::int64_t>(32, 65536 / std::max<std::int64_t>(rows, 1));
}

/// body(lo, len) for the blocks [lo, lo + len) of [0, extent) of `step` each, in parallel, each
/// block's BLAS call on one thread: inside a parallel region OpenBLAS runs single-threaded, and
/// with a single block SerialBlas forces it, so results never depend on the thread count.
template <typename Body>
void for_fixed_blocks(std::int64_t extent, std::int64_t step, Body&& body) {
    const auto blocks = static_cast<std::size_t>((extent + step - 1) / step);
    std::optional<SerialBlas> serial;
    if (blocks == 1) serial.emplace();
    runtime::parallel_for(
        blocks,
        [&](std::size_t blk) {
            const std::int64_t lo = static_cast<std::int64_t>(blk) * step;
            body(lo, std::min(step, extent - lo));
        },
        1);
}

}  // namespace

void gemm_fixed(char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a,
                std::int64_t lda, const double* b, std::int64_t ldb, double beta, double* c, std::int64_t ldc) {
    const std::int64_t col_block = column_block(m);
    constexpr std::int64_t row_block = 512;
    const bool by_cols = n >= 2 * col_block || m < 2 * row_block;
    for_fixed_blocks(by_cols ? n : m, by_cols ? col_block : row_block, [&](std::int64_t lo, std::int64_t len) {
        if (by_cols) {
            const double* bb = tb == 'N' ? b + lo * ldb : b + lo;
            gemm(ta, tb, m, len, k, alpha, a, lda, bb, ldb, beta, c + lo * ldc, ldc);
        } else {
            const double* aa = ta == 'N' ? a + lo : a + lo * lda;
            gemm(ta, tb, len, n, k, alpha, aa, lda, b, ldb, beta, c + lo, ldc);
        }
    });
}

void gemm_tn_split(std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a, std::int64_t lda,
                   const double* b, std::int64_t ldb, double* c, std::int64_t ldc) {
    // Up to 8 blocks of the inner dimension, fixed by k alone; partial products summed in order.
    const std::int64_t blocks = std::clamp<std::int64_t>(k / 2048, 1, 8), step = (k + blocks - 1) / blocks;
    std::vector<Matrix<double>> partial(static_cast<std::size_t>(blocks));
    for_fixed_blocks(k, step, [&](std::int64_t lo, std::int64_t len) {
        Matrix<double>& p = partial[static_cast<std::size_t>(lo / step)];
        p = Matrix<double>(m, n);
        gemm('T', 'N', m, n, len, alpha, a + lo, lda, b + lo, ldb, 0.0, p.ptr(), m);
    });
    for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < m; ++i) {
            double sum = partial[0](i, j);
            for (std::size_t blk = 1; blk < partial.size(); ++blk) sum += partial[blk](i, j);
            c[i + j * ldc] = sum;
        }
}

void multiply_left_inplace(char op, const Matrix<double>& t, Matrix<double>& x) {
    const std::int64_t k = x.rows;
    if (t.rows != k || t.cols != k)
        throw InvalidArgument(fmt::format("multiply_left_inplace: T is {} x {}, X has {} rows", t.rows, t.cols, k));
    for_fixed_blocks(x.cols, column_block(k), [&](std::int64_t lo, std::int64_t len) {
        std::vector<double> aside(x.col(lo), x.col(lo) + k * len);
        gemm(op, 'N', k, len, k, 1.0, t.ptr(), k, aside.data(), k, 0.0, x.col(lo), k);
    });
}

void gesdd(Matrix<double>& a, Matrix<double>& u, std::vector<double>& s, Matrix<double>& vt) {
    gesdd_impl(a, u, s, vt, dgesdd_);
}
void gesdd(Matrix<float>& a, Matrix<float>& u, std::vector<float>& s, Matrix<float>& vt) {
    gesdd_impl(a, u, s, vt, sgesdd_);
}
void qr(Matrix<double>& a, Matrix<double>* r) { qr_impl(a, r, dgeqrf_, dorgqr_); }
void qr(Matrix<float>& a, Matrix<float>* r) { qr_impl(a, r, sgeqrf_, sorgqr_); }
void permuted_lower(Matrix<double>& a) { permuted_lower_impl(a, dgetrf_); }
void permuted_lower(Matrix<float>& a) { permuted_lower_impl(a, sgetrf_); }

Matrix<double> gram_wide(const Matrix<double>& x) {
    const std::int64_t k = x.rows, n = x.cols;
    // Blocks of columns fixed by the shape; each block's syrk is single-threaded (inside the
    // parallel region, or forced when there is one block), the partial sums added in order.
    const std::int64_t step = std::max<std::int64_t>(1024, 262144 / std::max<std::int64_t>(k, 1));
    const auto blocks = static_cast<std::size_t>(std::max<std::int64_t>((n + step - 1) / step, 1));
    std::vector<Matrix<double>> partial(blocks);
    std::optional<SerialBlas> serial;
    if (blocks == 1) serial.emplace();
    runtime::parallel_for(
        blocks,
        [&](std::size_t blk) {
            const std::int64_t lo = static_cast<std::int64_t>(blk) * step, len = std::min(step, n - lo);
            partial[blk] = Matrix<double>::zeros(k, k);
            if (len > 0 && k > 0)
                syrk('U', 'N', k, len, 1.0, x.col(lo), x.ld(), 0.0, partial[blk].ptr(), partial[blk].ld());
        },
        1);
    Matrix<double> g = std::move(partial[0]);
    for (std::size_t b = 1; b < blocks; ++b)
        for (std::int64_t j = 0; j < k; ++j)
            for (std::int64_t i = 0; i <= j; ++i) g(i, j) += partial[b](i, j);
    for (std::int64_t j = 0; j < k; ++j)
        for (std::int64_t i = j + 1; i < k; ++i) g(i, j) = g(j, i);
    return g;
}

}  // namespace factopic::linalg
