// Singular value decompositions. Everything is computed in double; float inputs are widened
// and the outputs rounded, which is both faster and far more accurate than LAPACK's float
// routines (measured in docs/research/full-svd.md).
//
// The full SVD ("gram") works on the short side (m ≤ n; a tall matrix is transposed):
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
//
// The truncated SVDs work with M = A or Aᵀ, whichever is tall, so that the Krylov space of
// MᵀM lives on the short side:
//  - krylov: block Lanczos with full reorthogonalisation: each block's image is projected off
//    the last two blocks (the Lanczos recurrence, whose coefficients are H's new columns: H is
//    block tridiagonal), then once off the whole basis (classical Gram–Schmidt), then QR. Two
//    passes over the basis per block instead of four, with the basis orthonormal to 1e-15 on
//    the 20 Newsgroups. H grows by one block per step; its eigen-decomposition runs at
//    checkpoints, and a Ritz pair's residual is ‖R_next·y_last‖ (only the last block's image
//    leaves span(Q)), so convergence costs no extra products. A Ritz value has converged when
//    the residual or the Kato–Temple bound (residual² over the gap to its neighbours) proves
//    it within tol. The final Ritz vectors V give
//    M·V, orthonormalised by CholeskyQR2 in the row-wise layout, and a k × k gesdd.
//  - rsvd: scikit-learn's randomized_svd step by step (Gaussian start on M's short side, power
//    iterations with the chosen normaliser, QR, B = QᵀM, gesdd).
//  Both run LAPACK on one thread and split big gemms into fixed blocks (linalg::SerialBlas,
//  gemm_fixed), so their results do not depend on the thread count.
#include "factopic/decomp/svd.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <unordered_map>

#include "factopic/core/error.hpp"
#include "factopic/linalg/lapack.hpp"
#include "factopic/linalg/sparse.hpp"
#include "factopic/runtime/clock.hpp"
#include "factopic/runtime/parallel.hpp"
#include "finite.hpp"
#include "names.hpp"

namespace factopic::decomp {

namespace {

using detail::name_of;
using detail::NameTable;
using detail::parse_name;

constexpr NameTable<SvdMethod> k_methods = {
    {SvdMethod::gram, "gram"}, {SvdMethod::gesdd, "gesdd"}, {SvdMethod::rsvd, "rsvd"}, {SvdMethod::krylov, "krylov"}};
constexpr NameTable<Normalizer> k_normalizers = {
    {Normalizer::automatic, "auto"}, {Normalizer::none, "none"}, {Normalizer::lu, "lu"}, {Normalizer::qr, "qr"}};

}  // namespace

std::string to_string(SvdMethod m) { return name_of(k_methods, m); }
SvdMethod parse_svd_method(const std::string& name) { return parse_name(k_methods, name, "SVD method"); }
bool is_full(SvdMethod m) { return m == SvdMethod::gram || m == SvdMethod::gesdd; }
std::string to_string(Normalizer n) { return name_of(k_normalizers, n); }
Normalizer parse_normalizer(const std::string& name) {
    return parse_name(k_normalizers, name, "power-iteration normalizer");
}

namespace {

using linalg::Matrix;
using runtime::Clock;
using runtime::since;
constexpr double eps = std::numeric_limits<double>::epsilon();

class PhaseTimer {
public:
    explicit PhaseTimer(std::vector<Phase>& out) : m_out(out), m_t(Clock::now()) {}
    void mark(const char* name) {
        const auto now = Clock::now();
        m_out.emplace_back(name, std::chrono::duration<double>(now - m_t).count());
        m_t = now;
    }

private:
    std::vector<Phase>& m_out;
    Clock::time_point m_t;
};

void require_nonempty(std::int64_t m, std::int64_t n) {
    if (m <= 0 || n <= 0) throw InvalidArgument(fmt::format("cannot decompose an empty matrix ({} x {})", m, n));
}

/// A view of x (a CsrMatrix or a Matrix) in double: x itself when it is double, else a widened copy.
template <template <typename> class Container, typename T>
class Widened {
public:
    explicit Widened(const Container<T>& x) {
        if constexpr (std::is_same_v<T, double>) {
            m_ptr = &x;
        } else {
            m_copy = x.template cast<double>();
            m_ptr = &*m_copy;
        }
    }
    const Container<double>& operator*() const { return *m_ptr; }

private:
    std::optional<Container<double>> m_copy;
    const Container<double>* m_ptr = nullptr;
};

/// svd_flip(u, v, u_based_decision=True): the largest-magnitude entry of each column of U
/// becomes positive (the first such entry on ties), and the matching row of Vᵀ follows.
double flip_sign(const double* col, std::int64_t n) {
    std::int64_t best = 0;
    for (std::int64_t i = 1; i < n; ++i)
        if (std::abs(col[i]) > std::abs(col[best])) best = i;
    return n == 0 || col[best] >= 0 ? 1.0 : -1.0;
}

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

SvdResult<double> transposed(SvdResult<double>&& r) {
    Matrix<double> u = linalg::transpose(r.vt);
    Matrix<double> vt = linalg::transpose(r.u);
    r.u = std::move(u);
    r.vt = std::move(vt);
    return std::move(r);
}

template <typename T>
SvdResult<T> finish(SvdResult<double>&& r, Clock::time_point start) {
    flip_signs(r.u, r.vt);
    SvdResult<T> out;
    if constexpr (std::is_same_v<T, double>) {
        out.u = std::move(r.u);
        out.vt = std::move(r.vt);
        out.s = std::move(r.s);
    } else {
        out.u = r.u.template cast<T>();
        out.vt = r.vt.template cast<T>();
        out.s.assign(r.s.begin(), r.s.end());
    }
    // After the rounding to T, which can overflow a float singular value on its own.
    const auto refuse = [](const std::string& where) {
        throw DataError(
            fmt::format("the SVD came out with a non-finite value ({}): the scale of the data is beyond "
                        "what this precision carries; rescale the matrix, or keep it in double precision",
                        where));
    };
    for (std::size_t i = 0; i < out.s.size(); ++i)
        if (!std::isfinite(out.s[i])) refuse(fmt::format("singular value {} is {}", i + 1, out.s[i]));
    if (const auto at = detail::first_non_finite(out.u))
        refuse(fmt::format("U({}, {}) is {}", at->first + 1, at->second + 1, out.u(at->first, at->second)));
    if (const auto at = detail::first_non_finite(out.vt))
        refuse(fmt::format("Vt({}, {}) is {}", at->first + 1, at->second + 1, out.vt(at->first, at->second)));
    out.method = r.method;
    out.iterations = r.iterations;
    out.refined = r.refined;
    out.phases = std::move(r.phases);
    out.seconds = since(start);
    return out;
}

// ---------------------------------------------------------------------------------------
// Full SVD by LAPACK on the dense matrix.

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

// ---------------------------------------------------------------------------------------
// Full SVD by the Gram matrix and selective refinement (m ≤ n).

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

SvdResult<double> full_gram(const CsrMatrix<double>& a) {
    SvdResult<double> r;
    r.method = SvdMethod::gram;
    PhaseTimer timer(r.phases);
    const std::int64_t m = a.rows, n = a.cols;

    const MergedColumns merged = merge_columns(linalg::transpose(a), m);
    const CsrMatrix<double>& mt = merged.rows;  // Ãᵀ
    const std::int64_t nm = mt.rows;
    Matrix<double> g = linalg::gram_rows(linalg::transpose(mt), mt);
    timer.mark("gram");

    std::vector<double> lambda;
    linalg::syevd(g, lambda);  // ascending; column m−1−c of g is U₀'s column c
    Matrix<double> u0t(m, m);  // column i = row i of U₀
    for (std::int64_t c = 0; c < m; ++c) {
        const double* src = g.col(m - 1 - c);
        for (std::int64_t i = 0; i < m; ++i) u0t(c, i) = src[i];
    }
    timer.mark("eigen");

    Matrix<double> z;
    linalg::multiply_rowwise(mt, u0t, z);  // m × n′, Z = U₀ᵀÃ
    timer.mark("project");
    Matrix<double> gz(m, m);
    linalg::syrk('U', 'N', m, nm, 1.0, z.ptr(), m, 0.0, gz.ptr(), m);
    timer.mark("cosines");

    std::vector<double> d(static_cast<std::size_t>(m));
    for (std::int64_t j = 0; j < m; ++j) d[static_cast<std::size_t>(j)] = std::sqrt(std::max(gz(j, j), 0.0));
    const double dmax = *std::max_element(d.begin(), d.end());
    const double negligible = std::sqrt(10.0 * static_cast<double>(m) * eps) * dmax;
    constexpr double cosine_tol = 1e-13;
    std::vector<char> accepted(static_cast<std::size_t>(m), 0);
    std::vector<std::int64_t> accepted_rows, refined_rows;
    for (std::int64_t j = 0; j < m; ++j) {
        const double dj = d[static_cast<std::size_t>(j)];
        bool ok = dj > negligible;
        for (std::int64_t i = 0; ok && i < j; ++i)
            if (accepted[static_cast<std::size_t>(i)] &&
                std::abs(gz(i, j)) > cosine_tol * d[static_cast<std::size_t>(i)] * dj)
                ok = false;
        accepted[static_cast<std::size_t>(j)] = ok;
        (ok ? accepted_rows : refined_rows).push_back(j);
    }
    std::vector<double> inv_d2(static_cast<std::size_t>(m), 0.0);
    for (const auto j : accepted_rows)
        inv_d2[static_cast<std::size_t>(j)] = 1.0 / (d[static_cast<std::size_t>(j)] * d[static_cast<std::size_t>(j)]);
    const auto q = static_cast<std::int64_t>(refined_rows.size());
    r.refined = q;

    // The refined block: R = K·Qᵀ with Q (n′ × q) orthonormal and orthogonal to the accepted rows.
    Matrix<double> u_core, vt_core_rows;  // U₀_R·W (m × q), (Q·X)ᵀ (q × n′)
    std::vector<double> s_core;
    if (q > 0) {
        Matrix<double> basis(nm, q);
        for (std::int64_t c = 0; c < q; ++c) {
            const auto row = refined_rows[static_cast<std::size_t>(c)];
            double* dst = basis.col(c);
            for (std::int64_t gidx = 0; gidx < nm; ++gidx) dst[gidx] = z(row, gidx);
        }
        // First pass: the coefficients vᵢᵀ(z row j) = M_ij / dᵢ are already known from the cosines.
        {
            Matrix<double> c = Matrix<double>::zeros(m, q);
            for (std::int64_t col = 0; col < q; ++col) {
                const auto j = refined_rows[static_cast<std::size_t>(col)];
                for (const auto i : accepted_rows)
                    c(i, col) = (i <= j ? gz(i, j) : gz(j, i)) * inv_d2[static_cast<std::size_t>(i)];
            }
            linalg::gemm('T', 'N', nm, q, m, -1.0, z.ptr(), m, c.ptr(), m, 1.0, basis.ptr(), nm);
        }
        project_out(z, inv_d2, basis);  // twice is enough (Kahan, Parlett)
        Matrix<double> tri, tri2;
        linalg::qr(basis, &tri);
        // QR completes a rank-deficient block (the null rows) with arbitrary directions, which
        // need the projection again; a full-rank block passes the check at once.
        const double tol = 1e-15 * std::sqrt(static_cast<double>(nm));
        for (int round = 0; round < 3; ++round) {
            if (project_out(z, inv_d2, basis, tol) <= tol) break;
            project_out(z, inv_d2, basis);
            linalg::qr(basis, &tri2);
            tri = upper_product(tri2, tri);
        }
        Matrix<double> core = linalg::transpose(tri);  // K = trᵀ (q × q)
        Matrix<double> w, xt;
        linalg::gesdd(core, w, s_core, xt);
        Matrix<double> u0r(m, q);
        for (std::int64_t c = 0; c < q; ++c) {
            const double* src = g.col(m - 1 - refined_rows[static_cast<std::size_t>(c)]);
            std::copy(src, src + m, u0r.col(c));
        }
        u_core = Matrix<double>(m, q);
        linalg::gemm('N', 'N', m, q, q, 1.0, u0r.ptr(), m, w.ptr(), q, 0.0, u_core.ptr(), m);
        Matrix<double> v_core(nm, q);
        linalg::gemm('N', 'T', nm, q, q, 1.0, basis.ptr(), nm, xt.ptr(), q, 0.0, v_core.ptr(), nm);
        vt_core_rows = linalg::transpose(v_core);
    }
    timer.mark("refine");

    // Order the triplets by descending singular value: entry ≥ 0 is an accepted row of Z,
    // entry < 0 is core triplet −1 − entry.
    std::vector<std::pair<double, std::int64_t>> order;
    order.reserve(static_cast<std::size_t>(m));
    for (const auto j : accepted_rows) order.emplace_back(d[static_cast<std::size_t>(j)], j);
    for (std::int64_t c = 0; c < q; ++c) order.emplace_back(s_core[static_cast<std::size_t>(c)], -1 - c);
    std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first > y.first; });

    // Signs are fixed here (svd_flip), so that Vᵀ is written once, already flipped.
    r.s.resize(static_cast<std::size_t>(m));
    r.u = Matrix<double>(m, m);
    std::vector<double> scale(static_cast<std::size_t>(m));
    std::vector<std::int64_t> source(static_cast<std::size_t>(m));
    for (std::int64_t p = 0; p < m; ++p) {
        const auto [sv, src] = order[static_cast<std::size_t>(p)];
        r.s[static_cast<std::size_t>(p)] = sv;
        source[static_cast<std::size_t>(p)] = src;
        const double* col = src >= 0 ? g.col(m - 1 - src) : u_core.col(-1 - src);
        const double sign = flip_sign(col, m);
        double* out = r.u.col(p);
        for (std::int64_t i = 0; i < m; ++i) out[i] = sign * col[i];
        scale[static_cast<std::size_t>(p)] = sign / (src >= 0 ? d[static_cast<std::size_t>(src)] : 1.0);
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
            const double* cc = q > 0 ? vt_core_rows.col(grp) : nullptr;
            for (std::int64_t p = 0; p < m; ++p) {
                const auto src = source[static_cast<std::size_t>(p)];
                const double v = src >= 0 ? zc[src] : cc[-1 - src];
                out[p] = v * scale[static_cast<std::size_t>(p)] * wj;
            }
        },
        64);
    timer.mark("assemble");
    return r;
}

// ---------------------------------------------------------------------------------------
// Truncated SVD. M is A or Aᵀ, whichever is tall (M.rows ≥ M.cols).

struct Oriented {
    CsrMatrix<double> other;  // the transpose of A, made here when needed
    const CsrMatrix<double>* mp;
    const CsrMatrix<double>* mtp = nullptr;
    bool transposed = false;  // M = Aᵀ
    const CsrMatrix<double>& m() const { return *mp; }
    const CsrMatrix<double>& mt() const { return *mtp; }

    /// M only (mt() unavailable) unless `both`: a tall A is then used as it is, untransposed.
    Oriented(const CsrMatrix<double>& a, bool both) {
        transposed = a.rows < a.cols;
        if (transposed || both) other = linalg::transpose(a);
        mp = transposed ? &other : &a;
        if (both) mtp = transposed ? &a : &other;
    }
    Oriented(const Oriented&) = delete;
};

using linalg::gaussian;

/// Buffers reused from one sparse product to the next: the row-wise forms of the operands
/// (fresh memory costs a page fault per 4 KiB here, a sizeable part of a product's time).
struct ProductBuffers {
    Matrix<double> in, out;
};

/// Y = M·X for X given column-major (cols × l): Y is rows × l column-major.
void apply(const CsrMatrix<double>& mat, const Matrix<double>& x, Matrix<double>& y, ProductBuffers& buf) {
    linalg::transpose_into(x, buf.in);
    linalg::multiply_rowwise(mat, buf.in, buf.out);
    linalg::transpose_into(buf.out, y);
}

Matrix<double> apply(const CsrMatrix<double>& mat, const Matrix<double>& x) {
    ProductBuffers buf;
    Matrix<double> y;
    apply(mat, x, y, buf);
    return y;
}

void normalize(Matrix<double>& y, Normalizer how) {
    if (how != Normalizer::lu && how != Normalizer::qr) return;
    const linalg::SerialBlas serial;
    if (how == Normalizer::lu)
        linalg::permuted_lower(y);
    else
        linalg::qr(y);
}

/// The SVD of M·v for orthonormal right vectors v (short × k), kept row-wise: (M·v)ᵀ is k × long,
/// which is A's Vᵀ layout when M = Aᵀ, so no long matrix is ever transposed. CholeskyQR2 in that
/// layout (Householder on one thread when it is ill-conditioned), then gesdd of the k × k
/// triangle. Gives U_Mᵀ (k × long), s and V_M (short × k).
void restricted_svd_rowwise(const CsrMatrix<double>& mat, const Matrix<double>& v, Matrix<double>& ut_long,
                            std::vector<double>& s, Matrix<double>& v_short) {
    const std::int64_t k = v.cols, n_long = mat.rows;
    Matrix<double> xt;
    linalg::multiply_rowwise(mat, linalg::transpose(v), xt);  // (M·v)ᵀ, k × long
    Matrix<double> total;
    bool ok = true;
    for (int round = 0; round < 2 && ok; ++round) {
        Matrix<double> g(k, k);
        linalg::gemm_fixed('N', 'T', k, k, n_long, 1.0, xt.ptr(), k, xt.ptr(), k, 0.0, g.ptr(), k);
        ok = linalg::cholesky_upper(g);
        if (ok) {
            double lo = g(0, 0), hi = g(0, 0);
            for (std::int64_t i = 1; i < k; ++i) {
                lo = std::min(lo, g(i, i));
                hi = std::max(hi, g(i, i));
            }
            ok = lo > 1e-7 * hi;  // κ ≲ 1e7: CholeskyQR2 is as accurate as Householder
        }
        if (!ok) break;
        Matrix<double> inv = g;
        linalg::invert_upper(inv);
        linalg::multiply_left_inplace('T', inv, xt);  // Qᵀ = R⁻ᵀ·Xᵀ
        total = round == 0 ? std::move(g) : upper_product(g, total);
    }
    if (!ok) {
        Matrix<double> x = linalg::transpose(xt), rh;
        {
            const linalg::SerialBlas serial;
            linalg::qr(x, &rh);
        }
        total = total.rows == k ? upper_product(rh, total) : std::move(rh);
        xt = linalg::transpose(x);
    }
    Matrix<double> w, zt;
    {
        const linalg::SerialBlas serial;
        linalg::gesdd(total, w, s, zt);
    }
    linalg::multiply_left_inplace('T', w, xt);  // U_Mᵀ = Wᵀ·Qᵀ
    ut_long = std::move(xt);
    v_short = Matrix<double>(v.rows, k);  // V_M = v·Z
    linalg::gemm_fixed('N', 'T', v.rows, k, k, 1.0, v.ptr(), v.rows, zt.ptr(), k, 0.0, v_short.ptr(), v.rows);
}

/// A rows × cols matrix (contents unspecified) in the memory of `storage` when it has room,
/// else a fresh one. Memory a process has already touched is cheap to reuse; touching fresh
/// memory costs a page fault per page, and on the virtual machines factopic is measured on a
/// first touch of 2 MiB took from 0.2 to 4 ms — as much as a sparse product.
Matrix<double> reuse_as(Matrix<double>&& storage, std::int64_t rows, std::int64_t cols) {
    const auto size = static_cast<std::size_t>(rows * cols);
    if (storage.data.capacity() < size) return Matrix<double>(rows, cols);
    Matrix<double> m = std::move(storage);
    m.data.resize(size);  // within capacity: no reallocation, nothing written
    m.rows = rows;
    m.cols = cols;
    return m;
}

/// max |G − I| over the entries of a square G.
double max_identity_error(const Matrix<double>& gram) {
    double worst = 0;
    for (std::int64_t j = 0; j < gram.cols; ++j)
        for (std::int64_t i = 0; i < gram.rows; ++i)
            worst = std::max(worst, std::abs(gram(i, j) - (i == j ? 1.0 : 0.0)));
    return worst;
}

/// Small dense products for the k × k matrices of the Ritz step (one thread, see SerialBlas).
Matrix<double> small_product(char ta, const Matrix<double>& a, char tb, const Matrix<double>& b) {
    const std::int64_t m = ta == 'N' ? a.rows : a.cols, inner = ta == 'N' ? a.cols : a.rows;
    const std::int64_t n = tb == 'N' ? b.cols : b.rows;
    Matrix<double> c(m, n);
    linalg::gemm(ta, tb, m, n, inner, 1.0, a.ptr(), a.rows, b.ptr(), b.rows, 0.0, c.ptr(), m);
    return c;
}

/// The SVD of M restricted to span(v), for v (short × k) whose columns are nearly orthonormal
/// and nearly right singular vectors of M (converged Ritz vectors), with three passes over the
/// long side: X = M·v (row-wise), its Gram matrix, and one k × k rotation of X.
///  - F = R_v⁻¹ from vᵀv = R_vᵀR_v: v_o = v·F is orthonormal (one CholeskyQR round is exact to
///    working precision for a basis this close to orthonormal), and X_o = X·F = M·v_o.
///  - X_o's columns are nearly orthogonal, so with S = diag(1/‖X_o column‖) the Gram matrix of
///    X_o·S is I + E with E small. Its Cholesky factor R̃ gives X_o = Q·R, R = R̃·S⁻¹, with Q
///    orthonormal to ε·κ(X_o·S)² (CholeskyQR's error), κ² ≤ 3 when ‖E‖₂ ≤ k·max|Eᵢⱼ| ≤ 1/2.
///    The column scaling keeps large and small singular values apart: no κ(X_o)² enters.
///  - R = W·Σ·Zᵀ (gesdd, k × k): U_Mᵀ = (F·R⁻¹·W)ᵀ·Xᵀ and V_M = v·F·Z.
/// Xᵀ is made in `spare`'s memory when that is large enough (see reuse_as). Returns false, and
/// changes nothing but `spare`, when v or X_o·S is too far from orthogonal for that.
bool restricted_svd_gram(const CsrMatrix<double>& mat, const Matrix<double>& v, Matrix<double>& ut_long,
                         std::vector<double>& s, Matrix<double>& v_short, Matrix<double>& spare) {
    const std::int64_t k = v.cols, n_short = v.rows;
    Matrix<double> f(k, k);  // vᵀv, then R_v, then F
    linalg::gemm_tn_split(k, k, n_short, 1.0, v.ptr(), n_short, v.ptr(), n_short, f.ptr(), k);
    if (!(max_identity_error(f) * static_cast<double>(k) <= 0.5) || !linalg::cholesky_upper(f)) return false;
    linalg::invert_upper(f);
    Matrix<double> xt = reuse_as(std::move(spare), k, mat.rows);
    linalg::multiply_rowwise(mat, linalg::transpose(v), xt);  // Xᵀ = (M·v)ᵀ, k × long
    const Matrix<double> g = linalg::gram_wide(xt);
    const linalg::SerialBlas serial;
    Matrix<double> gt = small_product('T', f, 'N', small_product('N', g, 'N', f));  // X_oᵀX_o
    std::vector<double> scale(static_cast<std::size_t>(k));
    for (std::int64_t i = 0; i < k; ++i) {
        if (!(gt(i, i) > 0)) return false;
        scale[static_cast<std::size_t>(i)] = 1.0 / std::sqrt(gt(i, i));
    }
    for (std::int64_t j = 0; j < k; ++j)
        for (std::int64_t i = 0; i < k; ++i)
            gt(i, j) *= scale[static_cast<std::size_t>(i)] * scale[static_cast<std::size_t>(j)];
    if (!(max_identity_error(gt) * static_cast<double>(k) <= 0.5) || !linalg::cholesky_upper(gt)) return false;
    Matrix<double> r = gt;  // R = R̃·S⁻¹
    for (std::int64_t j = 0; j < k; ++j)
        for (std::int64_t i = 0; i <= j; ++i) r(i, j) /= scale[static_cast<std::size_t>(j)];
    Matrix<double> w, zt;
    linalg::gesdd(r, w, s, zt);
    linalg::invert_upper(gt);  // R⁻¹ = S·R̃⁻¹
    for (std::int64_t j = 0; j < k; ++j)
        for (std::int64_t i = 0; i <= j; ++i) gt(i, j) *= scale[static_cast<std::size_t>(i)];
    const Matrix<double> t = small_product('N', f, 'N', small_product('N', gt, 'N', w));
    const Matrix<double> fz = small_product('N', f, 'T', zt);
    linalg::multiply_left_inplace('T', t, xt);
    ut_long = std::move(xt);
    v_short = Matrix<double>(n_short, k);
    linalg::gemm_fixed('N', 'N', n_short, k, k, 1.0, v.ptr(), n_short, fz.ptr(), k, 0.0, v_short.ptr(), n_short);
    return true;
}

/// Orthonormalises the columns of x against the orthonormal columns of basis[:, :b] and among
/// themselves (b ≥ 1): classical Gram–Schmidt, local then whole, and Householder QR, so that the
/// projected x equals x·R with the returned R (l × l, upper). When x was (numerically) rank
/// deficient, QR completes it with arbitrary directions, which a check catches and projects again;
/// the same when what is left of x is rounding next to `scale` (in: the largest column norm of the
/// images so far, updated with x's): the Krylov space of a matrix of low rank is exhausted, or
/// the block itself was such a completion (its image is rounding too). QR would blow that up into
/// unit vectors far from orthogonal to the basis.
/// `known` is basis[:, lo:b]ᵀ·x, already computed ((b − lo) × l): the first pass removes those
/// components only (block Lanczos: in exact arithmetic x has no others), and the second pass runs
/// against the whole basis — unless `full` is false (partial reorthogonalisation, see
/// truncated_krylov). `loss` receives what the second pass found: the largest |qᵢᵀx_c| / ‖x_c‖
/// (0 when it was skipped).
Matrix<double> orthonormalize_against(const Matrix<double>& basis, std::int64_t b, Matrix<double>& x,
                                      const Matrix<double>& known, std::int64_t lo, bool full, double& loss,
                                      double& scale) {
    const std::int64_t n = x.rows, l = x.cols;
    Matrix<double> c(b, l);
    const auto coefficients = [&] { linalg::gemm_tn_split(b, l, n, 1.0, basis.ptr(), n, x.ptr(), n, c.ptr(), b); };
    const auto subtract = [&] {
        linalg::gemm_fixed('N', 'N', n, l, b, -1.0, basis.ptr(), n, c.ptr(), b, 1.0, x.ptr(), n);
    };
    Matrix<double> r, r_next;
    const auto householder = [&](Matrix<double>& rr) {
        const linalg::SerialBlas serial;
        linalg::qr(x, &rr);
    };
    loss = 0;
    for (std::int64_t j = 0; j < l; ++j) {
        double norm2 = 0;
        for (std::int64_t i = 0; i < n; ++i) norm2 += x(i, j) * x(i, j);
        scale = std::max(scale, std::sqrt(norm2));
    }
    linalg::gemm_fixed('N', 'N', n, l, b - lo, -1.0, basis.col(lo), n, known.ptr(), b - lo, 1.0, x.ptr(), n);
    if (full) {
        coefficients();
        for (std::int64_t j = 0; j < l; ++j) {
            double norm2 = 0, worst = 0;
            for (std::int64_t i = 0; i < n; ++i) norm2 += x(i, j) * x(i, j);
            for (std::int64_t i = 0; i < b; ++i) worst = std::max(worst, std::abs(c(i, j)));
            if (worst > 0) loss = std::max(loss, norm2 > 0 ? worst / std::sqrt(norm2) : 1.0);
        }
        subtract();
    }
    householder(r);
    for (int round = 0; round < 2; ++round) {
        // A well-conditioned block keeps the projection's orthogonality through QR.
        double smallest = std::abs(r(0, 0)), largest = smallest;
        for (std::int64_t i = 1; i < l; ++i) {
            smallest = std::min(smallest, std::abs(r(i, i)));
            largest = std::max(largest, std::abs(r(i, i)));
        }
        if (smallest > 1e-8 * largest && smallest > 1e-8 * scale) break;
        coefficients();
        const double worst = *std::max_element(c.data.begin(), c.data.begin() + b * l,
                                               [](double p, double q) { return std::abs(p) < std::abs(q); });
        if (std::abs(worst) <= 1e-14) break;
        for (int pass = 0; pass < 2; ++pass) {
            coefficients();
            subtract();
        }
        householder(r_next);
        r = upper_product(r_next, r);
    }
    return r;
}

SvdResult<double> truncated_rsvd(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k) {
    SvdResult<double> r;
    r.method = SvdMethod::rsvd;
    PhaseTimer timer(r.phases);
    const std::int64_t short_side = o.m().cols;
    const std::int64_t l = std::min<std::int64_t>(k + std::max(opt.oversamples, 0), short_side);
    const int iters = opt.power_iters >= 0 ? opt.power_iters
                                           : (static_cast<double>(k) < 0.1 * static_cast<double>(short_side) ? 7 : 4);
    Normalizer how = opt.normalizer;
    if (how == Normalizer::automatic) how = iters <= 2 ? Normalizer::none : Normalizer::lu;
    r.iterations = iters;

    Matrix<double> q = gaussian(short_side, l, opt.seed);  // scikit-learn: Q on M's short side
    ProductBuffers long_buf, short_buf;
    Matrix<double> y;
    for (int it = 0; it < iters; ++it) {
        apply(o.m(), q, y, long_buf);
        normalize(y, how);
        apply(o.mt(), y, q, short_buf);
        normalize(q, how);
    }
    apply(o.m(), q, y, long_buf);
    {
        const linalg::SerialBlas serial;
        linalg::qr(y);
    }  // long × l, orthonormal range basis
    timer.mark("range");
    // B = Qᵀ·M (l × short), then its SVD.
    Matrix<double> b = linalg::transpose(apply(o.mt(), y));
    Matrix<double> ub, vtb;
    std::vector<double> s;
    {
        const linalg::SerialBlas serial;
        linalg::gesdd(b, ub, s, vtb);
    }
    const std::int64_t long_side = o.m().rows;
    r.u = Matrix<double>(long_side, k);
    linalg::gemm_fixed('N', 'N', long_side, k, l, 1.0, y.ptr(), long_side, ub.ptr(), l, 0.0, r.u.ptr(), long_side);
    r.vt = Matrix<double>(k, short_side);
    for (std::int64_t j = 0; j < short_side; ++j)
        for (std::int64_t i = 0; i < k; ++i) r.vt(i, j) = vtb(i, j);
    r.s.assign(s.begin(), s.begin() + k);
    timer.mark("svd");
    return r;
}

SvdResult<double> truncated_krylov(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k) {
    SvdResult<double> r;
    r.method = SvdMethod::krylov;
    PhaseTimer timer(r.phases);
    const std::int64_t n = o.m().cols;  // the short side: the Krylov space of MᵀM lives here
    // Block size: small blocks need fewer vectors in all, larger ones read A fewer times per
    // vector; measured best on the 20 Newsgroups: 4 for k ≤ 20, 8 above.
    const std::int64_t l = std::min<std::int64_t>(opt.block > 0 ? opt.block : (k <= 20 ? 4 : 8), n);
    // Rayleigh–Ritz once the space can hold k + oversamples vectors, then whenever it has grown
    // by a tenth, or as far as the convergence trend suggests (see `shortfall`): the Ritz values
    // need not be watched after every block.
    const std::int64_t first_check = std::min<std::int64_t>(k + std::max(opt.oversamples, 0), n);
    std::int64_t next_check = first_check, last_check_b = 0;
    double last_shortfall = 0;
    const std::int64_t max_blocks = opt.max_blocks > 0 ? opt.max_blocks : (n + l - 1) / l;
    const std::int64_t capacity = std::min<std::int64_t>(n, l * max_blocks);
    // Q, n × b in use. Its columns are left uninitialised, so a generous first reservation costs
    // only address space: pages are touched as blocks arrive. 8k + 4l columns covered every run
    // on the 20 Newsgroups (at most 6k + 4); growing means a fresh allocation and a copy, whose
    // page faults cost more than the products they wait for when memory is fragmented.
    Matrix<double> basis;
    std::int64_t b = 0;
    const auto reserve = [&](std::int64_t width) {
        if (b + width <= basis.cols) return;
        const std::int64_t cols =
            std::min(capacity, std::max(2 * basis.cols, std::max<std::int64_t>(b + width, 8 * k + 4 * l)));
        Matrix<double> grown(n, cols);
        std::copy(basis.ptr(), basis.ptr() + n * b, grown.ptr());
        basis = std::move(grown);
    };

    Matrix<double> block = gaussian(n, l, opt.seed);
    {
        const linalg::SerialBlas serial;
        linalg::qr(block);
    }
    Matrix<double> y;      // Ritz vectors' coefficients
    Matrix<double> h_all;  // b × b Rayleigh quotient
    double t_sparse = 0, t_orth = 0, t_ritz = 0;
    Matrix<double> image;  // MᵀM·block
    linalg::GramProduct gram_product(o.m());
    std::int64_t converged_b = 0, previous_width = 0;
    // Partial reorthogonalisation: after the local pass, a block keeps components along the
    // older blocks at rounding level, and they grow by a roughly constant factor per block
    // (about 30 on the 20 Newsgroups' tf-idf, thousands on their counts). The pass against the
    // whole basis runs every `interval` blocks, and what it finds sets the interval: longer while
    // the loss it removes stays below 1e-13, shorter above 1e-11. The basis so stays orthonormal
    // to about 1e-12, far inside the semi-orthogonality (√ε) under which the Ritz values are
    // exact to working precision, and the final Ritz vectors are orthonormalised once more
    // (restricted_svd_gram).
    int interval = 1, since_full = 0;
    double image_scale = 0;  // the largest image column norm so far: about ‖MᵀM‖
    for (std::int64_t step = 0;; ++step) {
        const std::int64_t width = block.cols;
        reserve(width);
        std::copy(block.ptr(), block.ptr() + n * width, basis.col(b));
        auto t_phase = Clock::now();
        gram_product.apply(block, image);  // MᵀM·block
        t_sparse += since(t_phase);
        t_phase = Clock::now();
        // H grows with every block (its new columns are cheap); the eigen-decomposition waits.
        b += width;
        r.iterations = static_cast<int>(step + 1);

        // Rayleigh–Ritz: H = Qᵀ·MᵀM·Q (grown by the new block's columns and rows), its leading
        // eigenpairs and their residuals.
        // H's new columns: Q[:, lo:b]ᵀ·image for this block and the one before — in exact arithmetic
        // the image has no component along older blocks (H is block tridiagonal), and with the
        // basis kept orthonormal to working precision what it has there is rounding, which the
        // second Gram–Schmidt pass removes from the next block and H does not need.
        const std::int64_t b_old = b - width, lo = std::max<std::int64_t>(0, b_old - previous_width);
        Matrix<double> cols(b - lo, width);  // also the first (local) Gram–Schmidt pass
        {
            linalg::gemm_tn_split(b - lo, width, n, 1.0, basis.col(lo), n, image.ptr(), n, cols.ptr(), b - lo);
            Matrix<double> grown = Matrix<double>::zeros(b, b);
            for (std::int64_t j = 0; j < b_old; ++j) std::copy(h_all.col(j), h_all.col(j) + b_old, grown.col(j));
            for (std::int64_t j = 0; j < width; ++j)
                for (std::int64_t i = lo; i < b; ++i) {
                    const double v =
                        i >= b_old ? 0.5 * (cols(i - lo, j) + cols(b_old - lo + j, i - b_old)) : cols(i - lo, j);
                    grown(i, b_old + j) = v;
                    grown(b_old + j, i) = v;
                }
            h_all = std::move(grown);
        }
        previous_width = width;
        bool done = b >= capacity;
        // The next block: this block's image orthonormalised against the basis, so that
        // (I − QQᵀ)·image = next·R_next.
        Matrix<double> next, r_next;
        double orth = 0;  // counted apart from the Rayleigh–Ritz time it falls within
        if (!done) {
            const auto t_o = Clock::now();
            next = image;
            const bool full = ++since_full >= interval;
            double loss = 0;
            r_next = orthonormalize_against(basis, b, next, cols, lo, full, loss, image_scale);
            if (full) {
                if (loss < 1e-13)
                    interval = std::min(interval + 1, 3);
                else if (loss > 1e-11)
                    interval = 1;
                since_full = 0;
            }
            if (b + next.cols > capacity) next = linalg::columns(next, 0, capacity - b);
            orth = since(t_o);
            t_orth += orth;
        }
        if (done || b >= next_check) {
            next_check = std::max(b + l, b + b / 10);
            Matrix<double> h = h_all;
            std::vector<double> lambda;
            {
                const linalg::SerialBlas serial;
                linalg::syevd(h, lambda);
            }
            const std::int64_t kk = std::min(k, b);
            y = Matrix<double>(b, kk);
            std::vector<double> lk(static_cast<std::size_t>(kk));
            for (std::int64_t c = 0; c < kk; ++c) {
                std::copy(h.col(b - 1 - c), h.col(b - 1 - c) + b, y.col(c));
                lk[static_cast<std::size_t>(c)] = lambda[static_cast<std::size_t>(b - 1 - c)];
            }
            if (!done && kk == k) {
                // The residual MᵀM·Qy − θ·Qy of a Ritz pair is (I − QQᵀ)·MᵀM·Qy, and only the last
                // block's image reaches outside span(Q) (each earlier image made the next
                // block): its norm is ‖R_next · (the last block's rows of y)‖. Pair k + 1 (when
                // the space holds it) gives the gap below pair k.
                const std::int64_t tracked = std::min(k + 1, b);
                std::vector<double> theta(static_cast<std::size_t>(tracked)), res(static_cast<std::size_t>(tracked));
                for (std::int64_t c = 0; c < tracked; ++c) {
                    const double* yc = h.col(b - 1 - c);
                    theta[static_cast<std::size_t>(c)] = lambda[static_cast<std::size_t>(b - 1 - c)];
                    double norm2 = 0;
                    for (std::int64_t i = 0; i < width; ++i) {
                        double e = 0;
                        for (std::int64_t j = i; j < width; ++j) e += r_next(i, j) * yc[b - width + j];
                        norm2 += e * e;
                    }
                    res[static_cast<std::size_t>(c)] = std::sqrt(norm2);
                }
                // Converged when |θ − λ| ≤ tol·θ is proven: by the residual itself (there is an
                // eigenvalue within ‖r‖ of θ), or by Kato–Temple, |θ − λ| ≤ ‖r‖²/δ, where δ is
                // the distance from θ to the neighbouring Ritz values, each widened by its own
                // residual so that it bounds the distance to the other eigenvalues.
                const double noise = 10.0 * static_cast<double>(n) * eps * std::max(theta[0], 0.0);
                double shortfall = 0;  // the largest bound / target over the k pairs: done at ≤ 1
                for (std::int64_t c = 0; c < k; ++c) {
                    const auto i = static_cast<std::size_t>(c);
                    const double th = std::max(theta[i], 0.0), r2 = res[i] * res[i];
                    double gap = std::numeric_limits<double>::infinity();
                    if (c > 0) gap = std::min(gap, theta[i - 1] - res[i - 1] - theta[i]);
                    gap = c + 1 < tracked ? std::min(gap, theta[i] - theta[i + 1] - res[i + 1]) : 0.0;
                    const double bound = gap > 0 ? std::min(res[i], r2 / gap) : res[i];
                    const double target = opt.tol * th + noise;
                    shortfall = std::max(shortfall, target > 0 ? bound / target : (bound > 0 ? HUGE_VAL : 0.0));
                }
                done = shortfall <= 1;
                // The bounds fall about geometrically with the basis size: from the last two checks,
                // the next one goes to about 70% of the way to where the trend reaches the target
                // (at least a block on, at most a sixth of the basis), not after every block.
                if (!done && last_shortfall > shortfall && shortfall < HUGE_VAL && b > last_check_b) {
                    const double per_column =
                        std::log(last_shortfall / shortfall) / static_cast<double>(b - last_check_b);
                    const double ahead = 0.7 * std::log(shortfall) / per_column;
                    next_check = b + std::clamp<std::int64_t>(static_cast<std::int64_t>(ahead), l, std::max(l, b / 6));
                }
                last_shortfall = shortfall;
                last_check_b = b;
            }
        }
        t_ritz += since(t_phase) - orth;
        if (done) {
            converged_b = b;
            break;
        }
        block = std::move(next);
    }
    timer.mark("krylov");
    r.phases.insert(r.phases.end(), {{"products", t_sparse}, {"orthogonalize", t_orth}, {"rayleigh_ritz", t_ritz}});
    Matrix<double> v(n, k);  // Ritz vectors Q·Y
    linalg::gemm_fixed('N', 'N', n, k, converged_b, 1.0, basis.ptr(), n, y.ptr(), converged_b, 0.0, v.ptr(), n);
    Matrix<double> ut_long, v_short;
    // The basis's memory, touched block by block, holds the long k × n matrix of the Ritz step.
    const bool gram = !opt.qr_ritz && restricted_svd_gram(o.m(), v, ut_long, r.s, v_short, basis);
    basis = Matrix<double>();  // freed before the QR-based step makes its long matrices
    if (!gram) {
        {
            const linalg::SerialBlas serial;
            linalg::qr(v);
        }
        restricted_svd_rowwise(o.m(), v, ut_long, r.s, v_short);
    }
    if (o.transposed) {  // A = Mᵀ: A's U is V_M, A's Vᵀ is U_Mᵀ
        r.u = std::move(v_short);
        r.vt = std::move(ut_long);
    } else {
        r.u = linalg::transpose(ut_long);
        r.vt = linalg::transpose(v_short);
    }
    timer.mark(gram ? "ritz" : "ritz_qr");
    return r;
}

}  // namespace

template <typename T>
void require_workable_scale(const CsrMatrix<T>& a, const char* what) {
    double largest = 0;
    std::int64_t row = 0, col = 0;
    for (std::int64_t i = 0; i < a.rows; ++i)
        for (std::int64_t q = a.indptr[i]; q < a.indptr[i + 1]; ++q) {
            const double v = std::fabs(static_cast<double>(a.values[q]));
            if (!std::isfinite(v))
                throw DataError(fmt::format("entry ({}, {}) (row, column; 1-based) is {}: {} needs finite entries",
                                            i + 1, a.indices[q] + 1, a.values[q], what));
            if (v > largest) {
                largest = v;
                row = i;
                col = a.indices[q];
            }
        }
    if (largest == 0) return;
    // ‖A‖_F = largest·‖A/largest‖_F: no square in the sum can overflow or underflow.
    double scaled = 0;
    for (const T v : a.values) {
        const double x = static_cast<double>(v) / largest;
        scaled += x * x;
    }
    const double norm = largest * std::sqrt(scaled);
    if (norm >= k_min_workable_norm && norm <= k_max_workable_norm) return;
    throw DataError(fmt::format(
        "the matrix's Frobenius norm is {} (largest entry {:.6g} at row {}, column {}, 1-based): {} works in double "
        "precision, where squares of entries this {} {}; it needs {:g} <= |A|_F <= {:g}: rescale the matrix "
        "(multiply every entry by one constant) first",
        std::isfinite(norm) ? fmt::format("{:.3g}", norm) : "beyond the largest double", largest, row + 1, col + 1,
        what, norm > 1 ? "large" : "small", norm > 1 ? "overflow" : "vanish below the smallest normal number",
        k_min_workable_norm, k_max_workable_norm));
}

template <typename T>
std::int64_t numerical_rank(const std::vector<T>& s, std::int64_t m, std::int64_t n) {
    if (s.empty()) return 0;
    const double tol = static_cast<double>(s.front()) * static_cast<double>(std::max(m, n)) *
                       static_cast<double>(std::numeric_limits<T>::epsilon());
    return std::count_if(s.begin(), s.end(), [&](T v) { return static_cast<double>(v) > tol; });
}

template <typename T>
SvdResult<T> full_svd(const CsrMatrix<T>& a, const FullSvdOptions& options) {
    const auto start = Clock::now();
    require_nonempty(a.rows, a.cols);
    require_workable_scale(a, "the SVD");
    if (!is_full(options.method))
        throw InvalidArgument(
            fmt::format("'{}' is not a full SVD method (choose gram or gesdd)", to_string(options.method)));
    const Widened<CsrMatrix, T> ad(a);
    SvdResult<double> r;
    if (options.method == SvdMethod::gesdd)
        r = full_gesdd(*ad);
    else if (a.rows <= a.cols)
        r = full_gram(*ad);
    else
        r = transposed(full_gram(linalg::transpose(*ad)));
    return finish<T>(std::move(r), start);
}

template <typename T>
SvdResult<T> truncated_svd(const CsrMatrix<T>& a, const TruncatedSvdOptions& options) {
    const auto start = Clock::now();
    require_nonempty(a.rows, a.cols);
    const std::int64_t r_max = std::min(a.rows, a.cols);
    if (options.k < 1 || options.k > r_max)
        throw InvalidArgument(fmt::format("k = {} is out of range: the matrix is {} x {}, so 1 <= k <= {}", options.k,
                                          a.rows, a.cols, r_max));
    if (options.tol <= 0 || !std::isfinite(options.tol))
        throw InvalidArgument(fmt::format("tol = {} must be a positive number", options.tol));
    require_workable_scale(a, "the SVD");
    const Widened<CsrMatrix, T> ad(a);
    const Oriented o(*ad, options.method == SvdMethod::rsvd);  // the Krylov method reads M only
    SvdResult<double> r;
    switch (options.method) {
        case SvdMethod::rsvd:
            r = truncated_rsvd(o, options, options.k);
            if (o.transposed) r = transposed(std::move(r));
            break;
        case SvdMethod::krylov:
            r = truncated_krylov(o, options, options.k);
            break;  // already A's orientation
        default:
            throw InvalidArgument(
                fmt::format("'{}' is not a truncated SVD method (choose rsvd or krylov)", to_string(options.method)));
    }
    return finish<T>(std::move(r), start);
}

namespace {

struct Gramians {
    Matrix<double> utu, vtv, utav;  // k × k each
};

Gramians gramians(const CsrMatrix<double>& a, const Matrix<double>& u, const Matrix<double>& vt) {
    const std::int64_t k = u.cols, m = u.rows, n = vt.cols;
    Gramians g{Matrix<double>(k, k), Matrix<double>(k, k), Matrix<double>(k, k)};
    // Symmetric products (half the work of gemm), mirrored; a check need not be thread-exact.
    linalg::syrk('U', 'T', k, m, 1.0, u.ptr(), m, 0.0, g.utu.ptr(), k);
    linalg::syrk('U', 'N', k, n, 1.0, vt.ptr(), k, 0.0, g.vtv.ptr(), k);
    for (Matrix<double>* sym : {&g.utu, &g.vtv})
        for (std::int64_t j = 0; j < k; ++j)
            for (std::int64_t i = j + 1; i < k; ++i) (*sym)(i, j) = (*sym)(j, i);
    Matrix<double> av;  // (A·V)ᵀ, k × m
    linalg::multiply_rowwise(a, vt, av);
    linalg::gemm_fixed('N', 'N', k, k, m, 1.0, av.ptr(), k, u.ptr(), m, 0.0, g.utav.ptr(), k);  // (AV)ᵀU = (UᵀAV)ᵀ
    return g;
}

/// ‖A − U_k S_k V_kᵀ‖_F² from the identity, for the first kk triplets.
double residual2_identity(double norm2, const Gramians& g, const std::vector<double>& s, std::int64_t kk) {
    double cross = 0, model = 0;
    for (std::int64_t i = 0; i < kk; ++i) {
        cross += s[static_cast<std::size_t>(i)] * g.utav(i, i);
        for (std::int64_t j = 0; j < kk; ++j)
            model += s[static_cast<std::size_t>(i)] * s[static_cast<std::size_t>(j)] * g.utu(i, j) * g.vtv(i, j);
    }
    return norm2 - 2 * cross + model;
}

/// ‖A − U·diag(s)·Vᵀ‖_F² accumulated exactly over blocks of 256 rows.
double residual2_blocked(const CsrMatrix<double>& a, const Matrix<double>& u, const std::vector<double>& s,
                         const Matrix<double>& vt) {
    const std::int64_t m = a.rows, n = a.cols, k = u.cols;
    constexpr std::int64_t rows_per_block = 256;
    double total = 0;
    Matrix<double> us(std::min(rows_per_block, m), k), block(std::min(rows_per_block, m), n);
    for (std::int64_t i0 = 0; i0 < m; i0 += rows_per_block) {
        const std::int64_t br = std::min(rows_per_block, m - i0);
        for (std::int64_t c = 0; c < k; ++c)
            for (std::int64_t i = 0; i < br; ++i) us.ptr()[i + c * br] = u(i0 + i, c) * s[static_cast<std::size_t>(c)];
        linalg::gemm('N', 'N', br, n, k, 1.0, us.ptr(), br, vt.ptr(), k, 0.0, block.ptr(), br);
        for (std::int64_t i = 0; i < br; ++i)
            for (std::int64_t p = a.indptr[i0 + i]; p < a.indptr[i0 + i + 1]; ++p)
                block.ptr()[i + static_cast<std::int64_t>(a.indices[p]) * br] -= a.values[p];
        double part = 0;
        const double* d = block.ptr();
        const std::int64_t count = br * n;
#pragma omp parallel for reduction(+ : part) schedule(static)
        for (std::int64_t e = 0; e < count; ++e) part += d[e] * d[e];
        total += part;
    }
    return total;
}

}  // namespace

template <typename T>
SvdCheck check_svd(const CsrMatrix<T>& a, const SvdResult<T>& r) {
    const auto start = Clock::now();
    const Widened<CsrMatrix, T> ad(a);
    const Widened<Matrix, T> u(r.u), vt(r.vt);
    std::vector<double> s(r.s.begin(), r.s.end());
    const Gramians g = gramians(*ad, *u, *vt);
    SvdCheck c;
    c.u_orthogonality_error = max_identity_error(g.utu);
    c.v_orthogonality_error = max_identity_error(g.vtv);
    const double norm = linalg::frobenius_norm(*ad);
    const double norm2 = norm * norm;
    double res2 = residual2_identity(norm2, g, s, static_cast<std::int64_t>(s.size()));
    // The identity cancels to rounding noise when the residual is small: then sum it exactly.
    if (!(res2 > 1e-6 * norm2)) res2 = residual2_blocked(*ad, *u, s, *vt);
    c.reconstruction_error = norm > 0 ? std::sqrt(std::max(res2, 0.0)) / norm : std::sqrt(std::max(res2, 0.0));
    c.seconds = since(start);
    return c;
}

template <typename T>
std::vector<double> truncation_errors(const CsrMatrix<T>& a, const SvdResult<T>& r,
                                      const std::vector<std::int64_t>& ks) {
    const Widened<CsrMatrix, T> ad(a);
    const Widened<Matrix, T> u(r.u), vt(r.vt);
    std::vector<double> s(r.s.begin(), r.s.end());
    const Gramians g = gramians(*ad, *u, *vt);
    const double norm = linalg::frobenius_norm(*ad);
    std::vector<double> out;
    for (const auto kk : ks) {
        if (kk < 0 || kk > static_cast<std::int64_t>(s.size()))
            throw InvalidArgument(fmt::format("k = {} exceeds the {} computed triplets", kk, s.size()));
        const double res2 = residual2_identity(norm * norm, g, s, kk);
        out.push_back(norm > 0 ? std::sqrt(std::max(res2, 0.0)) / norm : 0.0);
    }
    return out;
}

#define FACTOPIC_SVD(T)                                                                      \
    template void require_workable_scale(const CsrMatrix<T>&, const char*);                  \
    template std::int64_t numerical_rank(const std::vector<T>&, std::int64_t, std::int64_t); \
    template SvdResult<T> full_svd(const CsrMatrix<T>&, const FullSvdOptions&);              \
    template SvdResult<T> truncated_svd(const CsrMatrix<T>&, const TruncatedSvdOptions&);    \
    template SvdCheck check_svd(const CsrMatrix<T>&, const SvdResult<T>&);                   \
    template std::vector<double> truncation_errors(const CsrMatrix<T>&, const SvdResult<T>&, \
                                                   const std::vector<std::int64_t>&);
FACTOPIC_SVD(float)
FACTOPIC_SVD(double)
#undef FACTOPIC_SVD

}  // namespace factopic::decomp
