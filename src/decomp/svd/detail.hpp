// What the SVD's files share: the timer of the phases, the double-precision view of the input,
// the orientation of the truncated methods, a few small dense helpers, and each method's entry
// point (src/decomp/svd/<method>.cpp). Private to src/decomp/svd.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "../../backend/backend.hpp"
#include "../../backend/small_dense.hpp"
#include "factopic/core/csr.hpp"
#include "factopic/decomp/svd.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/runtime/clock.hpp"

namespace factopic::decomp::svd_detail {

using linalg::Matrix;
using runtime::Clock;
using runtime::since;
inline constexpr double eps = std::numeric_limits<double>::epsilon();

using runtime::PhaseTimer;

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

/// The truncated methods work with M = A or Aᵀ, whichever is tall (M.rows ≥ M.cols), so that
/// the Krylov space of MᵀM lives on the short side. A is uploaded to the call's backend, with Aᵀ
/// when M is Aᵀ or when both are needed.
struct Oriented {
    const backend::Backend& be;
    backend::Sparse sparse;   // A, with Aᵀ when uploaded with it
    bool transposed = false;  // M = Aᵀ
    backend::Side m_side, mt_side;
    /// The long and the short side of M.
    std::int64_t long_side() const { return sparse.rows(m_side); }
    std::int64_t short_side() const { return sparse.cols(m_side); }

    /// M only (Mᵀ unavailable) unless `both`: a tall A is then used as it is, untransposed.
    Oriented(const backend::Backend& backend, const CsrMatrix<double>& a, bool both)
        : be(backend),
          sparse(backend.upload(a, a.rows < a.cols || both)),
          transposed(a.rows < a.cols),
          m_side(transposed ? backend::Side::at : backend::Side::a),
          mt_side(transposed ? backend::Side::a : backend::Side::at) {}
    Oriented(const Oriented&) = delete;
};

// small helpers on k × k matrices (src/backend/small_dense.hpp)
using backend::small::flip_sign;
using backend::small::max_identity_error;
using backend::small::upper_product;

// flip.cpp
/// svd_flip on a whole decomposition: U's columns and the matching rows of Vᵀ.
void flip_signs(Matrix<double>& u, Matrix<double>& vt);

// The truncated methods, in double: krylov returns A's orientation, rsvd M's (the caller
// transposes). The full ones are the backend's (full_svd_gram, full_svd_gesdd).
SvdResult<double> truncated_rsvd(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k);
SvdResult<double> truncated_krylov(const Oriented& o, const TruncatedSvdOptions& opt, std::int64_t k);
/// The Krylov method's vectors per block for k triplets of a matrix whose short side is n.
std::int64_t krylov_block_size(const TruncatedSvdOptions& opt, std::int64_t k, std::int64_t n);

// krylov_bounds.cpp
/// The Krylov method's convergence at basis size b = h.rows. For each of the k leading Ritz
/// pairs, the bound on |θ − λ| its residual proves over its target tol·θ (plus rounding noise):
/// `shortfall` is the largest such ratio, and the pairs are converged when it is at most 1;
/// `unconverged` counts the pairs whose ratio is above 1.
struct KrylovConvergence {
    double shortfall = 0;
    std::int64_t unconverged = 0;
};
/// h holds H's eigenvectors and lambda its eigenvalues (ascending, syevd's order), r_next the
/// triangle of the next block (width × width), n is the short side.
KrylovConvergence krylov_convergence(const Matrix<double>& h, const std::vector<double>& lambda,
                                     const Matrix<double>& r_next, std::int64_t width, std::int64_t k, std::int64_t n,
                                     double tol);

/// When the Krylov loop runs Rayleigh–Ritz: once the space can hold k + oversamples vectors,
/// then whenever it has grown by a tenth (at least a block), or as far as the convergence
/// trend suggests: the Ritz values need not be watched after every block.
class CheckSchedule {
public:
    CheckSchedule(std::int64_t first, std::int64_t block) : m_next(first), m_block(block) {}
    bool due(std::int64_t b) const { return b >= m_next; }
    /// A check runs at basis size b: the next one by default.
    void checked(std::int64_t b) { m_next = std::max(b + m_block, b + b / 10); }
    /// The shortfall a check found at b moves the next check along the trend of the last two.
    void observed(std::int64_t b, double shortfall);

private:
    std::int64_t m_next, m_block, m_last_b = 0;
    double m_last_shortfall = 0;
};

// ritz.cpp
/// The Krylov method's last step: the SVD of M restricted to the span of the Ritz vectors
/// V = Q·Y (Q: basis[:, :b], Y: b × k), into r.u, r.s, r.vt in A's orientation. Takes the
/// Gram-based route (phase "ritz") unless `qr_ritz` or its checks fail, then the QR-based one
/// (phase "ritz_qr"). Frees the basis, whose memory it reuses.
void ritz_triplets(const Oriented& o, Matrix<double>& basis, std::int64_t b, const Matrix<double>& y, bool qr_ritz,
                   SvdResult<double>& r, PhaseTimer& timer);

}  // namespace factopic::decomp::svd_detail
