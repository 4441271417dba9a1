#include "factopic/linalg/sparse.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "factopic/runtime/parallel.hpp"

namespace factopic::linalg {

namespace {

/// Cuts rows [0, a.rows) into `parts` ranges of about equal entry counts: parts + 1 bounds.
template <typename T>
std::vector<std::int64_t> balanced_rows(const CsrMatrix<T>& a, std::int64_t parts) {
    std::vector<std::int64_t> bounds(static_cast<std::size_t>(parts + 1), a.rows);
    bounds[0] = 0;
    for (std::int64_t c = 1; c < parts; ++c) {
        const std::int64_t target = a.nnz() * c / parts;
        bounds[static_cast<std::size_t>(c)] =
            std::upper_bound(a.indptr.begin(), a.indptr.end(), target) - a.indptr.begin() - 1;
    }
    return bounds;
}

}  // namespace

template <typename T>
CsrMatrix<T> transpose(const CsrMatrix<T>& a) {
    // Each thread counts, then places, the entries of its own range of A's rows: a row of Aᵀ
    // lists them by A's row, range after range, so the result does not depend on the cut.
    const std::int64_t parts = std::max(1, std::min(runtime::max_threads(), 16));
    const std::vector<std::int64_t> bounds = balanced_rows(a, parts);
    const auto cols = static_cast<std::size_t>(a.cols);
    std::vector<std::vector<std::int64_t>> next(static_cast<std::size_t>(parts));
    runtime::parallel_for(
        static_cast<std::size_t>(parts),
        [&](std::size_t c) {
            std::vector<std::int64_t>& count = next[c];
            count.assign(cols, 0);
            for (std::int64_t p = a.indptr[bounds[c]]; p < a.indptr[bounds[c + 1]]; ++p)
                ++count[static_cast<std::size_t>(a.indices[p])];
        },
        1);
    CsrMatrix<T> t;
    t.rows = a.cols;
    t.cols = a.rows;
    t.indptr.resize(cols + 1);
    t.indptr[0] = 0;
    std::int64_t total = 0;
    for (std::size_t j = 0; j < cols; ++j) {  // count → first position of range c in row j
        for (auto& count : next) {
            const std::int64_t here = count[j];
            count[j] = total;
            total += here;
        }
        t.indptr[j + 1] = total;
    }
    t.indices.resize(a.indices.size());
    t.values.resize(a.values.size());
    runtime::parallel_for(
        static_cast<std::size_t>(parts),
        [&](std::size_t c) {
            std::vector<std::int64_t>& pos = next[c];
            for (std::int64_t i = bounds[c]; i < bounds[c + 1]; ++i)
                for (std::int64_t p = a.indptr[i]; p < a.indptr[i + 1]; ++p) {
                    const auto q = pos[static_cast<std::size_t>(a.indices[p])]++;
                    t.indices[q] = static_cast<std::int32_t>(i);
                    t.values[q] = a.values[p];
                }
        },
        1);
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
    // The cases of the macro tables below stay on their lines: clang-format 14 takes a macro case
    // for an expression and breaks the lines and the default label apart.
    // clang-format off
    switch (k) {  // one pass over the row for the usual small widths
#define FACTOPIC_W(W) \
    case W: return row_strip<W>(idx, val, count, xp, k, 0, out);
        FACTOPIC_W(3) FACTOPIC_W(5) FACTOPIC_W(6) FACTOPIC_W(7) FACTOPIC_W(10) FACTOPIC_W(12)
#undef FACTOPIC_W
        default: break;
    }
    // clang-format on
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

GramProduct::GramProduct(const CsrMatrix<double>& m, std::int64_t group_entries)
    : m_m(m), m_diagonal(static_cast<std::size_t>(m.cols), 0.0) {
    // A row with a single entry v in column j adds v²·x_j to y_j: it goes into a diagonal, applied
    // once per product, instead of a row visit (two thirds of the 20 Newsgroups' terms occur in
    // one document only).
    std::int64_t entries = 0;
    for (std::int64_t i = 0; i < m.rows; ++i) {
        const std::int64_t lo = m.indptr[i], count = m.indptr[i + 1] - lo;
        if (count == 1) {
            const double v = m.values[lo];
            m_diagonal[static_cast<std::size_t>(m.indices[lo])] += v * v;
        } else if (count > 1) {
            m_rows.push_back(i);
            entries += count;
        }
    }
    // Groups of consecutive rows with about equal entry counts, one partial sum each. Their number
    // follows from the shape alone, never from the thread count, so that the result does not
    // depend on it. 2^19 entries a group: 2 groups on all 20 Newsgroups, where with 2 threads a
    // product of 4 vectors took 2.17 ms in 2 groups, 2.5-2.7 ms in 3 to 11 (the zeroing and the
    // adding up of the partial sums grow, and an odd count leaves a thread idle) and 3.9 ms in 1.
    // A group also has at least 4 entries per column of M, so that zeroing and adding up its
    // partial sum (a column's k values) stays small beside its scatter, and the partial sums
    // together stay within a quarter of M's entries.
    const std::int64_t groups = std::clamp<std::int64_t>(
        std::min(entries / std::max<std::int64_t>(group_entries, 1), entries / std::max<std::int64_t>(4 * m.cols, 1)),
        1, 64);
    m_groups.assign(1, 0);
    std::int64_t seen = 0;
    for (std::size_t r = 0; r < m_rows.size(); ++r) {
        seen += m.indptr[m_rows[r] + 1] - m.indptr[m_rows[r]];
        if (static_cast<std::int64_t>(m_groups.size()) < groups &&
            seen * groups >= entries * static_cast<std::int64_t>(m_groups.size()))
            m_groups.push_back(r + 1);
    }
    while (static_cast<std::int64_t>(m_groups.size()) <= groups) m_groups.push_back(m_rows.size());
}

namespace {

using Vec4 = double __attribute__((vector_size(32)));
using Vec2 = double __attribute__((vector_size(16)));

template <typename V>
inline V load(const double* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <typename V>
inline void store(double* p, V v) {
    std::memcpy(p, &v, sizeof v);
}

/// One row of M with entries (idx, val): w = Σ_p val_p·x(idx_p, :), then y(idx_p, :) += val_p·w
/// for each entry, x and y row-wise with K values a row. w is held in vector registers: K/4
/// four-wide parts, then a two-wide and a single one for the rest (a plain array of K doubles
/// compiled to scalar code or to memory round trips).
template <int K>
inline void fused_row(const std::int32_t* idx, const double* val, std::int64_t count, const double* x, double* y) {
    constexpr int q4 = K / 4, q2 = (K % 4) / 2, q1 = K % 2, o2 = 4 * q4, o1 = o2 + 2 * q2;
    Vec4 w4[q4 > 0 ? q4 : 1] = {};
    Vec2 w2 = {};
    double w1 = 0;
    for (std::int64_t p = 0; p < count; ++p) {
        const double v = val[p];
        const double* in = x + static_cast<std::int64_t>(idx[p]) * K;
        for (int q = 0; q < q4; ++q) w4[q] += v * load<Vec4>(in + 4 * q);
        if constexpr (q2 > 0) w2 += v * load<Vec2>(in + o2);
        if constexpr (q1 > 0) w1 += v * in[o1];
    }
    for (std::int64_t p = 0; p < count; ++p) {
        const double v = val[p];
        double* out = y + static_cast<std::int64_t>(idx[p]) * K;
        for (int q = 0; q < q4; ++q) store(out + 4 * q, load<Vec4>(out + 4 * q) + v * w4[q]);
        if constexpr (q2 > 0) store(out + o2, load<Vec2>(out + o2) + v * w2);
        if constexpr (q1 > 0) out[o1] += v * w1;
    }
}

/// The same for a width known at run time only; w is the caller's k values.
inline void fused_row(const std::int32_t* idx, const double* val, std::int64_t count, const double* x, double* y,
                      std::int64_t k, double* w) {
    std::fill(w, w + k, 0.0);
    for (std::int64_t p = 0; p < count; ++p) {
        const double v = val[p];
        const double* in = x + static_cast<std::int64_t>(idx[p]) * k;
        for (std::int64_t r = 0; r < k; ++r) w[r] += v * in[r];
    }
    for (std::int64_t p = 0; p < count; ++p) {
        const double v = val[p];
        double* out = y + static_cast<std::int64_t>(idx[p]) * k;
        for (std::int64_t r = 0; r < k; ++r) out[r] += v * w[r];
    }
}

/// The rows m_rows[lo, hi) of M, in order, through row(idx, val, count) each.
template <typename Row>
void group_rows(const CsrMatrix<double>& m, const std::vector<std::int64_t>& rows, std::size_t lo, std::size_t hi,
                Row row) {
    for (std::size_t r = lo; r < hi; ++r) {
        const std::int64_t i = rows[r], first = m.indptr[i];
        row(m.indices.data() + first, m.values.data() + first, m.indptr[i + 1] - first);
    }
}

}  // namespace

void GramProduct::apply(const Matrix<double>& x, Matrix<double>& y) {
    const std::int64_t k = x.cols, n = m_m.cols;
    const auto groups = static_cast<std::int64_t>(m_groups.size()) - 1;
    if (y.rows != n || y.cols != k) y = Matrix<double>(n, k);
    if (m_partial.rows != k * n || m_partial.cols != groups) m_partial = Matrix<double>(k * n, groups);
    linalg::transpose_into(x, m_x);  // row-wise, k × n
    const double* xr = m_x.ptr();
    // Each group's rows, in order, into the group's own partial sum (row-wise, k × n).
    runtime::parallel_for(
        static_cast<std::size_t>(groups),
        [&](std::size_t g) {
            double* part = m_partial.col(static_cast<std::int64_t>(g));
            std::fill(part, part + k * n, 0.0);
            const std::size_t lo = m_groups[g], hi = m_groups[g + 1];
            // The usual block widths as compile-time strides: each entry's k products are one
            // unrolled run of vector instructions.
            // clang-format off
            switch (k) {
#define FACTOPIC_K(K)                                                                                                 \
    case K:                                                                                                           \
        return group_rows(m_m, m_rows, lo, hi, [&](const std::int32_t* idx, const double* val, std::int64_t count) { \
            fused_row<K>(idx, val, count, xr, part);                                                                  \
        });
                FACTOPIC_K(1) FACTOPIC_K(2) FACTOPIC_K(4) FACTOPIC_K(6) FACTOPIC_K(8) FACTOPIC_K(10) FACTOPIC_K(12)
                FACTOPIC_K(16)
#undef FACTOPIC_K
                default: {
                    std::vector<double> w(static_cast<std::size_t>(k));
                    group_rows(m_m, m_rows, lo, hi, [&](const std::int32_t* idx, const double* val, std::int64_t count) {
                        fused_row(idx, val, count, xr, part, k, w.data());
                    });
                }
            }
            // clang-format on
        },
        1);
    // Y = the partial sums added in group order, plus the diagonal.
    runtime::parallel_for(
        static_cast<std::size_t>((n + 511) / 512),
        [&](std::size_t blk) {
            const std::int64_t lo = static_cast<std::int64_t>(blk) * 512, hi = std::min(n, lo + 512);
            for (std::int64_t c = 0; c < k; ++c)
                for (std::int64_t j = lo; j < hi; ++j) {
                    double sum = 0;
                    for (std::int64_t g = 0; g < groups; ++g) sum += m_partial(j * k + c, g);
                    y(j, c) = sum + m_diagonal[static_cast<std::size_t>(j)] * m_x(c, j);
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

template <typename T>
Matrix<double> to_dense(const CsrMatrix<T>& a) {
    Matrix<double> d = Matrix<double>::zeros(a.rows, a.cols);
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t p = a.indptr[i]; p < a.indptr[i + 1]; ++p) d(i, a.indices[p]) = a.values[p];
    return d;
}

template <typename T>
CsrMatrix<T> to_csr(const Matrix<T>& a) {
    CsrMatrix<T> s;
    s.rows = a.rows;
    s.cols = a.cols;
    s.indptr.assign(static_cast<std::size_t>(a.rows + 1), 0);
    for (std::int64_t i = 0; i < a.rows; ++i) {
        for (std::int64_t j = 0; j < a.cols; ++j)
            if (a(i, j) != 0) {
                s.indices.push_back(static_cast<std::int32_t>(j));
                s.values.push_back(a(i, j));
            }
        s.indptr[static_cast<std::size_t>(i + 1)] = static_cast<std::int64_t>(s.values.size());
    }
    return s;
}

#define FACTOPIC_SPARSE(T)                                                                                        \
    template CsrMatrix<T> transpose(const CsrMatrix<T>&);                                                         \
    template void multiply_rowwise(const CsrMatrix<T>&, const Matrix<float>&, Matrix<float>&);                    \
    template void multiply_rowwise(const CsrMatrix<T>&, const Matrix<double>&, Matrix<double>&);                  \
    template void multiply_rows(const CsrMatrix<T>&, const Matrix<double>&, std::int64_t, std::int64_t, double*); \
    template Matrix<double> gram_rows(const CsrMatrix<T>&, const CsrMatrix<T>&);                                  \
    template double frobenius_norm(const CsrMatrix<T>&);                                                          \
    template Matrix<double> to_dense(const CsrMatrix<T>&);                                                        \
    template CsrMatrix<T> to_csr(const Matrix<T>&);
FACTOPIC_SPARSE(float)
FACTOPIC_SPARSE(double)
#undef FACTOPIC_SPARSE

}  // namespace factopic::linalg
