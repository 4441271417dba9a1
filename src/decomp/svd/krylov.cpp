// The truncated SVD by block Lanczos on MᵀM (M = A or Aᵀ, whichever is tall, so that the
// Krylov space lives on the short side) with Rayleigh–Ritz (Golub & Underwood 1977).
//
// Reorthogonalisation is partial, not full. Each block's image is projected off the last two
// blocks (the Lanczos recurrence, whose coefficients are H's new columns: H is block
// tridiagonal); every 1 to 3 blocks, as the loss of orthogonality measured by the previous such
// pass allows, once more off the whole basis (one classical Gram–Schmidt pass); then
// Householder QR. A block that QR shows to be (numerically) rank deficient is projected off the
// whole basis twice more and factored again (at most two such rounds). Like Simon's (1984)
// partial reorthogonalisation, but scheduled by the loss the last whole pass measured rather
// than by an estimate of it. The basis so stays orthonormal to about 1e-12, far inside the
// semi-orthogonality (√ε) under which the Ritz values are exact to working precision.
//
// H grows by one block per step; its eigen-decomposition runs at checkpoints (CheckSchedule),
// where the Ritz values' residuals and Kato–Temple bounds decide convergence
// (krylov_bounds.cpp). The converged Ritz vectors go to the final Ritz step (ritz.cpp).
#include <algorithm>
#include <cmath>
#include <memory>

#include "detail.hpp"

namespace factopic::decomp::svd_detail {

namespace {

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
/// against the whole basis — unless `full` is false (partial reorthogonalisation). `loss`
/// receives what the second pass found: the largest |qᵢᵀx_c| / ‖x_c‖ (0 when it was skipped).
Matrix<double> orthonormalize_against(const backend::Backend& be, const Matrix<double>& basis, std::int64_t b,
                                      Matrix<double>& x, const Matrix<double>& known, std::int64_t lo, bool full,
                                      double& loss, double& scale) {
    const std::int64_t l = x.cols;
    Matrix<double> c(b, l);
    const auto coefficients = [&] { be.inner_products(basis, 0, x, c); };
    const auto subtract = [&] { be.subtract_combination(basis, 0, c, x); };
    Matrix<double> r, r_next;
    const auto householder = [&](Matrix<double>& rr) { be.orthonormalize(x, &rr); };
    loss = 0;
    for (const double norm2 : be.column_norms2(x)) scale = std::max(scale, std::sqrt(norm2));
    be.subtract_combination(basis, lo, known, x);
    if (full) {
        coefficients();
        const std::vector<double> norms2 = be.column_norms2(x);
        for (std::int64_t j = 0; j < l; ++j) {
            const double norm2 = norms2[static_cast<std::size_t>(j)];
            double worst = 0;
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

/// The state of the block Lanczos process: the basis Q (n × b), the Rayleigh quotient
/// H = QᵀMᵀMQ (b × b), and what the partial reorthogonalisation and the timings keep.
class BlockKrylov {
public:
    BlockKrylov(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k)
        : m_be(o.be),
          m_gram_product(o.be.gram_operator(o.sparse, o.m_side)),
          m_n(o.short_side()),
          m_k(k),
          m_l(krylov_block_size(opt, k, m_n)),
          m_capacity(std::min<std::int64_t>(m_n, m_l * (opt.max_blocks ? *opt.max_blocks : (m_n + m_l - 1) / m_l))),
          m_schedule(std::min<std::int64_t>(k + std::max(opt.oversamples, 0), m_n), m_l) {}

    std::int64_t block_size() const { return m_l; }
    std::int64_t size() const { return m_b; }
    Matrix<double>& basis() { return m_basis; }
    /// The basis has reached min(n, block · max_blocks) columns: no block can follow.
    bool filled() const { return m_b >= m_capacity; }
    /// The basis spans the whole short side: the Ritz pairs are exact.
    bool complete() const { return m_b >= m_n; }
    bool check_due() const { return m_schedule.due(m_b); }
    /// Seconds spent in the sparse products, the orthonormalisation and Rayleigh–Ritz.
    std::vector<Phase> phases() const {
        return {{"products", m_t_products}, {"orthogonalize", m_t_orth}, {"rayleigh_ritz", m_t_ritz}};
    }

    /// Appends an orthonormal block to Q, computes its image MᵀM·block, and grows H by the
    /// image's components along this block and the one before.
    void extend(const Matrix<double>& block) {
        const std::int64_t width = block.cols;
        reserve(width);
        std::copy(block.ptr(), block.ptr() + m_n * width, m_basis.col(m_b));
        auto t = Clock::now();
        m_gram_product->apply(block, m_image);
        m_t_products += since(t);
        t = Clock::now();
        m_b += width;
        grow_rayleigh_quotient(width);
        m_t_ritz += since(t);
    }

    /// The next block: this block's image orthonormalised against the basis, so that
    /// (I − QQᵀ)·image = next·R_next; cut to the columns the capacity leaves.
    Matrix<double> next_block(Matrix<double>& r_next) {
        const auto t = Clock::now();
        Matrix<double> next = m_image;
        const bool full = ++m_since_full >= m_interval;
        double loss = 0;
        r_next = orthonormalize_against(m_be, m_basis, m_b, next, m_cols, m_lo, full, loss, m_image_scale);
        if (full) {
            if (loss < 1e-13)
                m_interval = std::min(m_interval + 1, 3);
            else if (loss > 1e-11)
                m_interval = 1;
            m_since_full = 0;
        }
        if (m_b + next.cols > m_capacity) next = linalg::columns(next, 0, m_capacity - m_b);
        m_t_orth += since(t);
        return next;
    }

    /// Rayleigh–Ritz: H's eigen-decomposition, the k leading Ritz vectors' coefficients into y
    /// (b × k), and — unless the basis is complete — the convergence test against the next
    /// block's triangle r_next, which sets `unconverged`. Returns whether to stop: converged, or
    /// filled (then `unconverged` says how many pairs max_blocks left short of tol).
    bool rayleigh_ritz(const Matrix<double>& r_next, double tol, Matrix<double>& y, std::int64_t& unconverged) {
        const auto t = Clock::now();
        const std::int64_t b = m_b;
        bool done = filled();
        m_schedule.checked(b);
        Matrix<double> h = m_h;
        std::vector<double> lambda;
        backend::small::syevd(h, lambda);
        // b ≥ k: the first check is due at k + oversamples, and a filled basis holds at least k
        // vectors (truncated_svd checks max_blocks).
        y = Matrix<double>(b, m_k);
        for (std::int64_t c = 0; c < m_k; ++c) std::copy(h.col(b - 1 - c), h.col(b - 1 - c) + b, y.col(c));
        unconverged = 0;
        if (!complete()) {
            const KrylovConvergence c = krylov_convergence(h, lambda, r_next, m_width, m_k, m_n, tol);
            if (!done) {
                done = c.shortfall <= 1;
                m_schedule.observed(b, c.shortfall);
            }
            unconverged = c.unconverged;
        }
        m_t_ritz += since(t);
        return done;
    }

private:
    /// Room for `width` more columns in Q. Its columns are left uninitialised, so a generous
    /// first reservation costs only address space: pages are touched as blocks arrive. 8k + 4l
    /// columns covered every run on the 20 Newsgroups (at most 6k + 4); growing means a fresh
    /// allocation and a copy, whose page faults cost more than the products they wait for when
    /// memory is fragmented.
    void reserve(std::int64_t width) {
        if (m_b + width <= m_basis.cols) return;
        const std::int64_t cols =
            std::min(m_capacity, std::max(2 * m_basis.cols, std::max<std::int64_t>(m_b + width, 8 * m_k + 4 * m_l)));
        Matrix<double> grown(m_n, cols);
        std::copy(m_basis.ptr(), m_basis.ptr() + m_n * m_b, grown.ptr());
        m_basis = std::move(grown);
    }

    /// H's new columns: Q[:, lo:b]ᵀ·image for this block and the one before — in exact
    /// arithmetic the image has no component along older blocks (H is block tridiagonal), and
    /// with the basis kept orthonormal what it has there is rounding, which the reorthogonalisation
    /// removes from the next block and H does not need. They are also the first (local)
    /// Gram–Schmidt pass of the next block (m_cols, m_lo).
    void grow_rayleigh_quotient(std::int64_t width) {
        const std::int64_t b = m_b, b_old = b - width;
        m_lo = std::max<std::int64_t>(0, b_old - m_width);
        const std::int64_t lo = m_lo;
        m_cols = Matrix<double>(b - lo, width);
        Matrix<double>& cols = m_cols;
        m_be.inner_products(m_basis, lo, m_image, cols);
        Matrix<double> grown = Matrix<double>::zeros(b, b);
        for (std::int64_t j = 0; j < b_old; ++j) std::copy(m_h.col(j), m_h.col(j) + b_old, grown.col(j));
        for (std::int64_t j = 0; j < width; ++j)
            for (std::int64_t i = lo; i < b; ++i) {
                const double v =
                    i >= b_old ? 0.5 * (cols(i - lo, j) + cols(b_old - lo + j, i - b_old)) : cols(i - lo, j);
                grown(i, b_old + j) = v;
                grown(b_old + j, i) = v;
            }
        m_h = std::move(grown);
        m_width = width;
    }

    const backend::Backend& m_be;
    std::unique_ptr<backend::Backend::GramOperator> m_gram_product;  // MᵀM·X
    std::int64_t m_n;         // the short side: the Krylov space of MᵀM lives here
    std::int64_t m_k, m_l;    // pairs wanted, vectors per block
    std::int64_t m_capacity;  // the most columns Q may have
    CheckSchedule m_schedule;
    Matrix<double> m_basis;    // Q, n × b in use
    std::int64_t m_b = 0;      // columns of Q in use
    std::int64_t m_width = 0;  // the last block's width
    Matrix<double> m_h;        // H, b × b
    Matrix<double> m_image;    // MᵀM·(the last block)
    Matrix<double> m_cols;     // Q[:, lo:b]ᵀ·image, (b − lo) × width
    std::int64_t m_lo = 0;     // the first column of the block before the last
    // Partial reorthogonalisation: after the local pass, a block keeps components along the
    // older blocks at rounding level, and they grow by a roughly constant factor per block
    // (about 30 on the 20 Newsgroups' tf-idf, thousands on their counts). The pass against the
    // whole basis runs every `m_interval` blocks, and what it finds sets the interval: longer
    // while the loss it removes stays below 1e-13, shorter above 1e-11. The final Ritz vectors
    // are orthonormalised once more (ritz.cpp).
    int m_interval = 1, m_since_full = 0;
    double m_image_scale = 0;  // the largest image column norm so far: about ‖MᵀM‖
    double m_t_products = 0, m_t_orth = 0, m_t_ritz = 0;
};

}  // namespace

std::int64_t krylov_block_size(const TruncatedSvdOptions& opt, std::int64_t k, std::int64_t n) {
    // Small blocks need fewer vectors in all, larger ones read A fewer times per vector;
    // measured best on the 20 Newsgroups: 4 for k ≤ 20, 8 above.
    return std::min<std::int64_t>(opt.block.value_or(k <= 20 ? 4 : 8), n);
}

SvdResult<double> truncated_krylov(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k) {
    SvdResult<double> r;
    r.method = SvdMethod::krylov;
    PhaseTimer timer(r.phases);
    BlockKrylov krylov(o, opt, k);
    Matrix<double> block =
        linalg::gaussian(o.short_side(), krylov.block_size(), opt.seed, runtime::RandomStream::svd_start);
    o.be.orthonormalize(block, nullptr);
    Matrix<double> y;  // the Ritz vectors' coefficients in the basis
    for (;;) {
        krylov.extend(block);
        ++r.iterations;
        // A basis filled by max_blocks short of the whole side still makes the next block's
        // triangle, for the last convergence test: the status needs it.
        Matrix<double> r_next;
        if (!krylov.complete()) block = krylov.next_block(r_next);
        if ((krylov.filled() || krylov.check_due()) && krylov.rayleigh_ritz(r_next, opt.tol, y, r.unconverged)) break;
    }
    if (r.unconverged > 0) r.status = Status::max_iterations;
    timer.mark("krylov");
    for (auto& phase : krylov.phases()) r.phases.push_back(std::move(phase));
    ritz_triplets(o, krylov.basis(), krylov.size(), y, opt.qr_ritz, r, timer);
    return r;
}

}  // namespace factopic::decomp::svd_detail
