// The CPU backend's full SVDs (LAPACK with the call's threads): by LAPACK's gesdd on the
// densified matrix, and by the Gram matrix and selective refinement. The latter works on the
// short side (m ≤ n; src/decomp/svd/api.cpp transposes a tall matrix):
//  1. Exactly parallel columns with a single non-zero (14,428 of the 26,576 columns of the
//     4-category counts) are merged into one column per row: Ã = A·B with B's columns
//     orthonormal, so Ã's right singular vectors expand to A's exactly.
//  2. G = ÃÃᵀ by a sparse kernel, and its eigen-decomposition G = U₀ΛU₀ᵀ (LAPACK syevd).
//  3. Z = U₀ᵀÃ, so that Ã = U₀Z exactly up to U₀'s rounding. The rows of Z are the would-be
//     σᵢvᵢᵀ; their Gram matrix M = ZZᵀ shows which ones are orthogonal to working precision.
//     Row j is accepted (set T) if it is not negligible and |Mᵢⱼ|/(dᵢdⱼ) ≤ 1e-13 for every
//     accepted i < j, with dⱼ = ‖Z row j‖ its singular value. Syevd's error on G is about
//     ε·σ₁²/(σᵢσⱼ) in these cosines, so what fails is the small and the null singular values.
//  4. The other rows R (refined) are orthogonalised against the accepted ones twice
//     (classical Gram–Schmidt, twice is enough), QR-factorised, and the QR repeated until
//     its basis is orthogonal to the accepted rows (a rank-deficient block's completion
//     columns need this). Then R = K·Qᵀ with a small triangular core K, whose SVD (gesdd)
//     gives the remaining singular values and vectors.
//  5. The reconstruction error is the dropped coupling between R and T, at most 1e-13 of
//     the refined singular values; the orthogonality errors are at working precision.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "../small_dense.hpp"
#include "factopic/linalg/lapack.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/parallel.hpp"
#include "svd.hpp"

namespace factopic::backend::cpu {

namespace {

using small::flip_sign;
using small::upper_product;
using FullSvd = Backend::FullSvd;
inline constexpr double eps = std::numeric_limits<double>::epsilon();

/// Ã's columns as the rows of a CSR matrix, and how A's columns expand from them.
struct MergedColumns {
    CsrMatrix<double> rows;           ///< Ãᵀ, n′ × m
    std::vector<std::int32_t> group;  ///< A's column j is weight[j] × Ã's column group[j]; −1: empty
    std::vector<double> weight;
};

MergedColumns merge_columns(const CsrMatrix<double>& at, std::int64_t m) {
    const std::int64_t n = at.rows;
    MergedColumns out;
    out.group.assign(static_cast<std::size_t>(n), -1);
    out.weight.assign(static_cast<std::size_t>(n), 0.0);
    std::vector<std::int32_t> row_group(static_cast<std::size_t>(m), -1);  // single-entry group of each row
    std::vector<double> sumsq;
    std::vector<std::int64_t> first;  // the A column that opened each group
    for (std::int64_t j = 0; j < n; ++j) {
        const auto nnz = at.row_nnz(j);
        if (nnz == 0) continue;
        std::int32_t g;
        if (nnz == 1) {
            auto& rg = row_group[static_cast<std::size_t>(at.indices[at.indptr[j]])];
            if (rg < 0) {
                rg = static_cast<std::int32_t>(first.size());
                first.push_back(j);
                sumsq.push_back(0);
            }
            g = rg;
            const double v = at.values[at.indptr[j]];
            sumsq[static_cast<std::size_t>(g)] += v * v;
        } else {
            g = static_cast<std::int32_t>(first.size());
            first.push_back(j);
            sumsq.push_back(0);
        }
        out.group[static_cast<std::size_t>(j)] = g;
    }
    const auto n_merged = static_cast<std::int64_t>(first.size());
    if (n_merged < m) {
        // Too few columns left to carry m orthonormal right singular vectors: do not merge.
        out.rows = at;
        std::iota(out.group.begin(), out.group.end(), 0);
        std::fill(out.weight.begin(), out.weight.end(), 1.0);
        return out;
    }
    CsrMatrix<double>& r = out.rows;
    r.rows = n_merged;
    r.cols = m;
    r.indptr.resize(static_cast<std::size_t>(n_merged + 1));
    r.indptr[0] = 0;
    for (std::int64_t g = 0; g < n_merged; ++g) {
        const auto j = first[static_cast<std::size_t>(g)];
        const auto nnz = at.row_nnz(j);
        r.indptr[g + 1] = r.indptr[g] + nnz;
        if (nnz == 1) {
            r.indices.push_back(at.indices[at.indptr[j]]);
            r.values.push_back(std::sqrt(sumsq[static_cast<std::size_t>(g)]));
        } else {
            r.indices.insert(r.indices.end(), at.indices.begin() + at.indptr[j], at.indices.begin() + at.indptr[j + 1]);
            r.values.insert(r.values.end(), at.values.begin() + at.indptr[j], at.values.begin() + at.indptr[j + 1]);
        }
    }
    for (std::int64_t j = 0; j < n; ++j) {
        const auto g = out.group[static_cast<std::size_t>(j)];
        if (g < 0) continue;
        out.weight[static_cast<std::size_t>(j)] =
            at.row_nnz(j) == 1 ? at.values[at.indptr[j]] / r.values[r.indptr[g]] : 1.0;
    }
    return out;
}

/// Removes from the columns of x their components along the accepted right singular vectors
/// vᵢ = z row i / dᵢ (inv_d2 = 1/dᵢ² on accepted rows, 0 elsewhere): x ← x − Σᵢ vᵢ(vᵢᵀx).
/// Returns the largest |vᵢᵀx_c| found; when that is at most `skip_below`, x is left as it is.
double project_out(const Matrix<double>& z, const std::vector<double>& inv_d2, Matrix<double>& x,
                   double skip_below = -1) {
    const std::int64_t m = z.rows, n = z.cols, q = x.cols;
    Matrix<double> c(m, q);
    linalg::gemm('N', 'N', m, q, n, 1.0, z.ptr(), m, x.ptr(), n, 0.0, c.ptr(), m);
    double worst = 0;
    for (std::int64_t col = 0; col < q; ++col)
        for (std::int64_t i = 0; i < m; ++i) {
            const double w = inv_d2[static_cast<std::size_t>(i)];
            worst = std::max(worst, std::abs(c(i, col)) * std::sqrt(w));
            c(i, col) *= w;
        }
    if (worst > skip_below) linalg::gemm('T', 'N', n, q, m, -1.0, z.ptr(), m, c.ptr(), m, 1.0, x.ptr(), n);
    return worst;
}

/// U₀ᵀ (m × m, column i = row i of U₀) from the eigenvectors of G, which syevd leaves in g in
/// ascending order: column m−1−c of g is U₀'s column c.
Matrix<double> eigenvectors_transposed(const Matrix<double>& g) {
    const std::int64_t m = g.rows;
    Matrix<double> u0t(m, m);
    for (std::int64_t c = 0; c < m; ++c) {
        const double* src = g.col(m - 1 - c);
        for (std::int64_t i = 0; i < m; ++i) u0t(c, i) = src[i];
    }
    return u0t;
}

/// Step 3's verdict on the rows of Z, from their Gram matrix gz (upper triangle).
struct RowSplit {
    std::vector<double> d;       ///< ‖Z row j‖
    std::vector<double> inv_d2;  ///< 1/dⱼ² on accepted rows, 0 on refined ones
    std::vector<std::int64_t> accepted, refined;
};

RowSplit split_rows(const Matrix<double>& gz) {
    const std::int64_t m = gz.rows;
    RowSplit s;
    s.d.resize(static_cast<std::size_t>(m));
    for (std::int64_t j = 0; j < m; ++j) s.d[static_cast<std::size_t>(j)] = std::sqrt(std::max(gz(j, j), 0.0));
    const double dmax = *std::max_element(s.d.begin(), s.d.end());
    const double negligible = std::sqrt(10.0 * static_cast<double>(m) * eps) * dmax;
    constexpr double cosine_tol = 1e-13;
    std::vector<char> accepted(static_cast<std::size_t>(m), 0);
    for (std::int64_t j = 0; j < m; ++j) {
        const double dj = s.d[static_cast<std::size_t>(j)];
        bool ok = dj > negligible;
        for (std::int64_t i = 0; ok && i < j; ++i)
            if (accepted[static_cast<std::size_t>(i)] &&
                std::abs(gz(i, j)) > cosine_tol * s.d[static_cast<std::size_t>(i)] * dj)
                ok = false;
        accepted[static_cast<std::size_t>(j)] = ok;
        (ok ? s.accepted : s.refined).push_back(j);
    }
    s.inv_d2.assign(static_cast<std::size_t>(m), 0.0);
    for (const auto j : s.accepted)
        s.inv_d2[static_cast<std::size_t>(j)] =
            1.0 / (s.d[static_cast<std::size_t>(j)] * s.d[static_cast<std::size_t>(j)]);
    return s;
}

/// The SVD of the refined rows of Z (step 4), R = K·Qᵀ with Q (n′ × q) orthonormal and
/// orthogonal to the accepted rows.
struct RefinedCore {
    Matrix<double> u;        ///< U₀_R·W, m × q
    std::vector<double> s;   ///< q
    Matrix<double> vt_rows;  ///< (Q·X)ᵀ, q × n′
};

RefinedCore refine(const Matrix<double>& g, const Matrix<double>& z, const Matrix<double>& gz, const RowSplit& split) {
    const std::int64_t m = z.rows, nm = z.cols;
    const auto q = static_cast<std::int64_t>(split.refined.size());
    Matrix<double> basis(nm, q);
    for (std::int64_t c = 0; c < q; ++c) {
        const auto row = split.refined[static_cast<std::size_t>(c)];
        double* dst = basis.col(c);
        for (std::int64_t gidx = 0; gidx < nm; ++gidx) dst[gidx] = z(row, gidx);
    }
    // First pass: the coefficients vᵢᵀ(z row j) = M_ij / dᵢ are already known from the cosines.
    {
        Matrix<double> c = Matrix<double>::zeros(m, q);
        for (std::int64_t col = 0; col < q; ++col) {
            const auto j = split.refined[static_cast<std::size_t>(col)];
            for (const auto i : split.accepted)
                c(i, col) = (i <= j ? gz(i, j) : gz(j, i)) * split.inv_d2[static_cast<std::size_t>(i)];
        }
        linalg::gemm('T', 'N', nm, q, m, -1.0, z.ptr(), m, c.ptr(), m, 1.0, basis.ptr(), nm);
    }
    project_out(z, split.inv_d2, basis);  // twice is enough (Kahan, Parlett)
    Matrix<double> tri, tri2;
    linalg::qr(basis, &tri);
    // QR completes a rank-deficient block (the null rows) with arbitrary directions, which
    // need the projection again; a full-rank block passes the check at once.
    const double tol = 1e-15 * std::sqrt(static_cast<double>(nm));
    for (int round = 0; round < 3; ++round) {
        if (project_out(z, split.inv_d2, basis, tol) <= tol) break;
        project_out(z, split.inv_d2, basis);
        linalg::qr(basis, &tri2);
        tri = upper_product(tri2, tri);
    }
    Matrix<double> core = linalg::transpose(tri);  // K = trᵀ (q × q)
    RefinedCore out;
    Matrix<double> w, xt;
    linalg::gesdd(core, w, out.s, xt);
    Matrix<double> u0r(m, q);
    for (std::int64_t c = 0; c < q; ++c) {
        const double* src = g.col(m - 1 - split.refined[static_cast<std::size_t>(c)]);
        std::copy(src, src + m, u0r.col(c));
    }
    out.u = Matrix<double>(m, q);
    linalg::gemm('N', 'N', m, q, q, 1.0, u0r.ptr(), m, w.ptr(), q, 0.0, out.u.ptr(), m);
    Matrix<double> v_core(nm, q);
    linalg::gemm('N', 'T', nm, q, q, 1.0, basis.ptr(), nm, xt.ptr(), q, 0.0, v_core.ptr(), nm);
    out.vt_rows = linalg::transpose(v_core);
    return out;
}

/// U, s and Vᵀ from the accepted rows of Z and the refined core, in descending order of the
/// singular values, with A's right vectors expanded from Ã's. Signs are fixed here (svd_flip),
/// so that Vᵀ is written once, already flipped.
void assemble(const Matrix<double>& g, const Matrix<double>& z, const RowSplit& split, const RefinedCore& core,
              const MergedColumns& merged, std::int64_t n, FullSvd& r) {
    const std::int64_t m = z.rows;
    const auto q = static_cast<std::int64_t>(split.refined.size());
    // Entry ≥ 0 is an accepted row of Z, entry < 0 is core triplet −1 − entry.
    std::vector<std::pair<double, std::int64_t>> order;
    order.reserve(static_cast<std::size_t>(m));
    for (const auto j : split.accepted) order.emplace_back(split.d[static_cast<std::size_t>(j)], j);
    for (std::int64_t c = 0; c < q; ++c) order.emplace_back(core.s[static_cast<std::size_t>(c)], -1 - c);
    std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first > y.first; });

    r.s.resize(static_cast<std::size_t>(m));
    r.u = Matrix<double>(m, m);
    std::vector<double> scale(static_cast<std::size_t>(m));
    std::vector<std::int64_t> source(static_cast<std::size_t>(m));
    for (std::int64_t p = 0; p < m; ++p) {
        const auto [sv, src] = order[static_cast<std::size_t>(p)];
        r.s[static_cast<std::size_t>(p)] = sv;
        source[static_cast<std::size_t>(p)] = src;
        const double* col = src >= 0 ? g.col(m - 1 - src) : core.u.col(-1 - src);
        const double sign = flip_sign(col, m);
        double* out = r.u.col(p);
        for (std::int64_t i = 0; i < m; ++i) out[i] = sign * col[i];
        scale[static_cast<std::size_t>(p)] = sign / (src >= 0 ? split.d[static_cast<std::size_t>(src)] : 1.0);
    }
    r.vt = Matrix<double>(m, n);
    runtime::parallel_for(
        static_cast<std::size_t>(n),
        [&](std::size_t jj) {
            double* out = r.vt.col(static_cast<std::int64_t>(jj));
            const auto grp = merged.group[jj];
            if (grp < 0) {
                std::fill(out, out + m, 0.0);
                return;
            }
            const double wj = merged.weight[jj];
            const double* zc = z.col(grp);
            const double* cc = q > 0 ? core.vt_rows.col(grp) : nullptr;
            for (std::int64_t p = 0; p < m; ++p) {
                const auto src = source[static_cast<std::size_t>(p)];
                const double v = src >= 0 ? zc[src] : cc[-1 - src];
                out[p] = v * scale[static_cast<std::size_t>(p)] * wj;
            }
        },
        64);
}

}  // namespace

FullSvd CpuBackend::full_svd_gram(const Sparse& sparse, const PhaseMark& mark) const {
    const CsrMatrix<double>& a = double_side(sparse, Side::a);
    FullSvd r;
    const std::int64_t m = a.rows;

    const MergedColumns merged = merge_columns(linalg::transpose(a), m);
    const CsrMatrix<double>& mt = merged.rows;  // Ãᵀ
    Matrix<double> g = linalg::gram_rows(linalg::transpose(mt), mt);
    mark("gram");

    std::vector<double> lambda;
    linalg::syevd(g, lambda);  // g now holds the eigenvectors
    const Matrix<double> u0t = eigenvectors_transposed(g);
    mark("eigen");

    Matrix<double> z;
    linalg::multiply_rowwise(mt, u0t, z);  // m × n′, Z = U₀ᵀÃ
    mark("project");
    Matrix<double> gz(m, m);
    linalg::syrk('U', 'N', m, mt.rows, 1.0, z.ptr(), m, 0.0, gz.ptr(), m);
    mark("cosines");

    const RowSplit split = split_rows(gz);
    r.refined = static_cast<std::int64_t>(split.refined.size());
    RefinedCore core;
    if (r.refined > 0) core = refine(g, z, gz, split);
    mark("refine");

    assemble(g, z, split, core, merged, a.cols, r);
    mark("assemble");
    return r;
}

// The full SVD by LAPACK's gesdd on the densified matrix: the reference the other methods are
// measured against.
FullSvd CpuBackend::full_svd_gesdd(const Sparse& sparse, const PhaseMark& mark) const {
    const CsrMatrix<double>& a = double_side(sparse, Side::a);
    FullSvd r;
    Matrix<double> dense = linalg::to_dense(a);
    mark("densify");
    linalg::gesdd(dense, r.u, r.s, r.vt);
    mark("gesdd");
    return r;
}

}  // namespace factopic::backend::cpu
