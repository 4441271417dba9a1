// Small dense helpers on the host (small_dense.hpp): LAPACK through linalg, on one thread unless
// asked otherwise, and the loops on k × k matrices that several of the SVD's steps use.
#include "small_dense.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "factopic/linalg/lapack.hpp"

namespace factopic::backend::small {

namespace {

/// One thread for the scope when asked (linalg::SerialBlas), else nothing.
class ThreadScope {
public:
    explicit ThreadScope(Threads threads) {
        if (threads == Threads::one) m_serial.emplace();
    }

private:
    std::optional<linalg::SerialBlas> m_serial;
};

}  // namespace

void syevd(Matrix<double>& a, std::vector<double>& w, Threads threads) {
    const ThreadScope scope(threads);
    linalg::syevd(a, w);
}

void gesdd(Matrix<double>& a, Matrix<double>& u, std::vector<double>& s, Matrix<double>& vt, Threads threads) {
    const ThreadScope scope(threads);
    linalg::gesdd(a, u, s, vt);
}

bool cholesky_upper(Matrix<double>& g, Threads threads) {
    const ThreadScope scope(threads);
    return linalg::cholesky_upper(g);
}

void invert_upper(Matrix<double>& r, Threads threads) {
    const ThreadScope scope(threads);
    linalg::invert_upper(r);
}

Matrix<double> product(char ta, const Matrix<double>& a, char tb, const Matrix<double>& b) {
    const linalg::SerialBlas serial;
    const std::int64_t m = ta == 'N' ? a.rows : a.cols, inner = ta == 'N' ? a.cols : a.rows;
    const std::int64_t n = tb == 'N' ? b.cols : b.rows;
    Matrix<double> c(m, n);
    linalg::gemm(ta, tb, m, n, inner, 1.0, a.ptr(), a.rows, b.ptr(), b.rows, 0.0, c.ptr(), m);
    return c;
}

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

double flip_sign(const double* col, std::int64_t n) {
    std::int64_t best = 0;
    for (std::int64_t i = 1; i < n; ++i)
        if (std::abs(col[i]) > std::abs(col[best])) best = i;
    return n == 0 || col[best] >= 0 ? 1.0 : -1.0;
}

}  // namespace factopic::backend::small
