#include "factopic/linalg/sparse.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "factopic/runtime/parallel.hpp"

namespace factopic::linalg {

template <typename T>
CsrMatrix<T> transpose(const CsrMatrix<T>& a) {
    CsrMatrix<T> t;
    t.rows = a.cols;
    t.cols = a.rows;
    t.indptr.assign(static_cast<std::size_t>(a.cols + 1), 0);
    for (const auto j : a.indices) ++t.indptr[static_cast<std::size_t>(j) + 1];
    for (std::int64_t j = 0; j < a.cols; ++j) t.indptr[j + 1] += t.indptr[j];
    t.indices.resize(a.indices.size());
    t.values.resize(a.values.size());
    std::vector<std::int64_t> next(t.indptr.begin(), t.indptr.end() - 1);
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t p = a.indptr[i]; p < a.indptr[i + 1]; ++p) {
            const auto q = next[static_cast<std::size_t>(a.indices[p])]++;
            t.indices[q] = static_cast<std::int32_t>(i);
            t.values[q] = a.values[p];
        }
    return t;
}

namespace {

/// out[0..W) = Σ_p v_p·x(r0 .. r0+W, col_p) over one row's entries, accumulated in registers
/// (a loop over out[] in memory would chain every entry on a store-to-load round trip).
template <int W, typename T, typename U>
inline void row_strip(const std::int32_t* idx, const T* val, std::int64_t count, const U* x, std::int64_t ldx,
                      std::int64_t r0, U* out) {
    U acc[W] = {};
    for (std::int64_t p = 0; p < count; ++p) {
        const U v = static_cast<U>(val[p]);
        const U* in = x + static_cast<std::int64_t>(idx[p]) * ldx + r0;
        for (int r = 0; r < W; ++r) acc[r] += v * in[r];
    }
    for (int r = 0; r < W; ++r) out[r0 + r] = acc[r];
}

}  // namespace

namespace {

/// out[0..k) = Σ_j A(i, j)·X(:, j) for one row i, strip by strip.
template <typename T, typename U>
inline void row_product(const CsrMatrix<T>& a, const U* xp, std::int64_t k, std::int64_t i, U* out) {
    const std::int64_t lo = a.indptr[i], count = a.indptr[i + 1] - lo;
    const std::int32_t* idx = a.indices.data() + lo;
    const T* val = a.values.data() + lo;
    switch (k) {  // one pass over the row for the usual small widths
#define FACTOPIC_W(W) \
    case W: return row_strip<W>(idx, val, count, xp, k, 0, out);
        FACTOPIC_W(3) FACTOPIC_W(5) FACTOPIC_W(6) FACTOPIC_W(7) FACTOPIC_W(10) FACTOPIC_W(12)
#undef FACTOPIC_W
        default: break;
    }
    std::int64_t r0 = 0;
    for (; r0 + 16 <= k; r0 += 16) row_strip<16>(idx, val, count, xp, k, r0, out);
    if (r0 + 8 <= k) {
        row_strip<8>(idx, val, count, xp, k, r0, out);
        r0 += 8;
    }
    if (r0 + 4 <= k) {
        row_strip<4>(idx, val, count, xp, k, r0, out);
        r0 += 4;
    }
    if (r0 + 2 <= k) {
        row_strip<2>(idx, val, count, xp, k, r0, out);
        r0 += 2;
    }
    if (r0 < k) row_strip<1>(idx, val, count, xp, k, r0, out);
}

}  // namespace

template <typename T, typename U>
void multiply_rowwise(const CsrMatrix<T>& a, const Matrix<U>& x, Matrix<U>& y) {
    const std::int64_t k = x.rows;
    if (y.rows != k || y.cols != a.rows) y = Matrix<U>(k, a.rows);
    runtime::parallel_for(
        static_cast<std::size_t>(a.rows),
        [&](std::size_t i) {
            row_product(a, x.ptr(), k, static_cast<std::int64_t>(i), y.col(static_cast<std::int64_t>(i)));
        },
        256);
}

template <typename T, typename U>
void multiply_rows(const CsrMatrix<T>& a, const Matrix<U>& x, std::int64_t lo, std::int64_t hi, U* out) {
    const std::int64_t k = x.rows;
    for (std::int64_t i = lo; i < hi; ++i) row_product(a, x.ptr(), k, i, out + (i - lo) * k);
}

namespace {

/// w = Σ_p v_p·x(r0.., col_p) over one row of M, then out(r0.., col_p) += v_p·w.
template <int W>
inline void gram_strip(const std::int32_t* idx, const double* val, std::int64_t count, const double* x,
                       std::int64_t ldx, std::int64_t r0, double* out) {
    double w[W] = {};
    for (std::int64_t p = 0; p < count; ++p) {
        const double* in = x + static_cast<std::int64_t>(idx[p]) * ldx + r0;
        for (int r = 0; r < W; ++r) w[r] += val[p] * in[r];
    }
    for (std::int64_t p = 0; p < count; ++p) {
        double* o = out + static_cast<std::int64_t>(idx[p]) * ldx + r0;
        for (int r = 0; r < W; ++r) o[r] += val[p] * w[r];
    }
}

}  // namespace

GramProduct::GramProduct(const CsrMatrix<double>& m)
    : m_m(m), m_diagonal(static_cast<std::size_t>(m.cols), 0.0), m_partial(static_cast<std::size_t>(k_chunks)) {
    // A row with a single entry v in column j adds v²·x_j to y_j: it goes into a diagonal, applied
    // once per product, instead of a row visit (two thirds of the 20 Newsgroups' terms occur in
    // one document only).
    std::int64_t kept_nnz = 0;
    for (std::int64_t i = 0; i < m.rows; ++i) {
        const std::int64_t lo = m.indptr[i], count = m.indptr[i + 1] - lo;
        if (count == 1) {
            const double v = m.values[lo];
            m_diagonal[static_cast<std::size_t>(m.indices[lo])] += v * v;
        } else if (count > 1) {
            m_rows.push_back(i);
            kept_nnz += count;
        }
    }
    const auto rows = static_cast<std::int64_t>(m_rows.size());
    m_bounds.assign(static_cast<std::size_t>(k_chunks + 1), rows);
    m_bounds[0] = 0;
    std::int64_t r = 0, seen = 0;
    for (std::int64_t c = 1; c < k_chunks; ++c) {
        const std::int64_t target = kept_nnz * c / k_chunks;
        while (r < rows && seen < target) {
            const std::int64_t i = m_rows[static_cast<std::size_t>(r)];
            seen += m.indptr[i + 1] - m.indptr[i];
            ++r;
        }
        m_bounds[static_cast<std::size_t>(c)] = r;
    }
}

void GramProduct::apply(const Matrix<double>& x, Matrix<double>& y) {
    const std::int64_t k = x.rows, n = m_m.cols;
    if (y.rows != k || y.cols != n) y = Matrix<double>(k, n);
    runtime::parallel_for(
        static_cast<std::size_t>(k_chunks),
        [&](std::size_t c) {
            Matrix<double>& out = m_partial[c];
            if (out.rows != k || out.cols != n) out = Matrix<double>(k, n);
            std::fill(out.data.begin(), out.data.end(), 0.0);
            for (std::int64_t r = m_bounds[c]; r < m_bounds[c + 1]; ++r) {
                const std::int64_t i = m_rows[static_cast<std::size_t>(r)];
                const std::int64_t lo = m_m.indptr[i], count = m_m.indptr[i + 1] - lo;
                const std::int32_t* idx = m_m.indices.data() + lo;
                const double* val = m_m.values.data() + lo;
                std::int64_t r0 = 0;
                for (; r0 + 8 <= k; r0 += 8) gram_strip<8>(idx, val, count, x.ptr(), k, r0, out.ptr());
                for (; r0 + 4 <= k; r0 += 4) gram_strip<4>(idx, val, count, x.ptr(), k, r0, out.ptr());
                for (; r0 < k; ++r0) gram_strip<1>(idx, val, count, x.ptr(), k, r0, out.ptr());
            }
        },
        1);
    const std::int64_t total = k * n;
    constexpr std::int64_t span = 8192;
    runtime::parallel_for(
        static_cast<std::size_t>((total + span - 1) / span),
        [&](std::size_t blk) {
            const std::int64_t lo = static_cast<std::int64_t>(blk) * span, hi = std::min(total, lo + span);
            double* dst = y.ptr();
            const double* in = x.ptr();
            for (std::int64_t e = lo; e < hi; ++e) {
                double acc = 0;
                for (const auto& part : m_partial) acc += part.ptr()[e];
                dst[e] = acc + m_diagonal[static_cast<std::size_t>(e / k)] * in[e];
            }
        },
        1);
}

template <typename T>
Matrix<double> gram_rows(const CsrMatrix<T>& a, const CsrMatrix<T>& at) {
    const std::int64_t m = a.rows;
    Matrix<double> g(m, m);
    runtime::parallel_for(
        static_cast<std::size_t>(m),
        [&](std::size_t ii) {
            const auto i = static_cast<std::int64_t>(ii);
            double* out = g.col(i);
            std::fill(out, out + m, 0.0);
            for (std::int64_t p = a.indptr[i]; p < a.indptr[i + 1]; ++p) {
                const double v = static_cast<double>(a.values[p]);
                const auto j = a.indices[p];
                for (std::int64_t q = at.indptr[j]; q < at.indptr[j + 1]; ++q)
                    out[at.indices[q]] += v * static_cast<double>(at.values[q]);
            }
        },
        4);
    return g;
}

template <typename T>
double frobenius_norm(const CsrMatrix<T>& a) {
    double s = 0;
    for (const T v : a.values) s += static_cast<double>(v) * static_cast<double>(v);
    return std::sqrt(s);
}

#define FACTOPIC_SPARSE(T)                                                                                        \
    template CsrMatrix<T> transpose(const CsrMatrix<T>&);                                                         \
    template void multiply_rowwise(const CsrMatrix<T>&, const Matrix<float>&, Matrix<float>&);                    \
    template void multiply_rowwise(const CsrMatrix<T>&, const Matrix<double>&, Matrix<double>&);                  \
    template void multiply_rows(const CsrMatrix<T>&, const Matrix<double>&, std::int64_t, std::int64_t, double*); \
    template Matrix<double> gram_rows(const CsrMatrix<T>&, const CsrMatrix<T>&);                                  \
    template double frobenius_norm(const CsrMatrix<T>&);
FACTOPIC_SPARSE(float)
FACTOPIC_SPARSE(double)
#undef FACTOPIC_SPARSE

}  // namespace factopic::linalg
