// Singular value decompositions of a sparse document–term matrix A (m × n):
//  - full_svd: the thin SVD A = U·diag(s)·Vᵀ, r = min(m, n), exact to working precision;
//  - truncated_svd: the k leading singular triplets, never densifying A, by the randomized
//    range finder (Halko, Martinsson & Tropp 2011, as scikit-learn's randomized_svd) or by a
//    block Krylov method (block Lanczos) with partial reorthogonalisation (each block against
//    the two before it, and against the whole basis every 1 to 3 blocks, as the measured loss of
//    orthogonality allows) and a residual-based stop.
// Every result has its signs fixed by scikit-learn's svd_flip (u-based): in each column of U
// the entry of largest magnitude is positive. The truncated methods' results do not depend on
// the thread count; the full methods call multi-threaded LAPACK, whose split of the work by the
// thread count changes the last bits (1e-14 relative, tests/unit/conformance).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "factopic/core/csr.hpp"
#include "factopic/decomp/status.hpp"
#include "factopic/linalg/dense.hpp"
#include "factopic/runtime/context.hpp"

namespace factopic::decomp {

enum class SvdMethod {
    gram,    ///< full: Gram eigen-decomposition + selective refinement (see src/decomp/svd/full_gram.cpp)
    gesdd,   ///< full: LAPACK gesdd on the densified matrix (the reference)
    rsvd,    ///< truncated: randomized range finder with power iterations
    krylov,  ///< truncated: block Krylov (block Lanczos) with Rayleigh–Ritz
};
std::string to_string(SvdMethod m);
/// Parses "gram", "gesdd", "rsvd", "krylov"; anything else throws InvalidArgument.
SvdMethod parse_svd_method(const std::string& name);
std::vector<std::string> svd_method_names();  ///< the names parse_svd_method reads, in order
bool is_full(SvdMethod m);

enum class Normalizer { automatic, none, lu, qr };
std::string to_string(Normalizer n);
Normalizer parse_normalizer(const std::string& name);
std::vector<std::string> normalizer_names();

struct FullSvdOptions {
    SvdMethod method = SvdMethod::gram;
};

struct TruncatedSvdOptions {
    std::int64_t k = 10;
    SvdMethod method = SvdMethod::krylov;
    int oversamples = 10;            ///< extra columns in the range finder / Krylov block
    std::optional<int> power_iters;  ///< rsvd, ≥ 0; unset: scikit-learn's auto (7 if k < 0.1·min(m, n), else 4)
    Normalizer normalizer = Normalizer::automatic;  ///< rsvd; auto: none if ≤ 2 iterations, else LU
    std::uint64_t seed = 0;
    double tol = 1e-6;  ///< krylov: stop once every Ritz value θ = σ² of the k is within tol·θ of
                        ///< an eigenvalue of AᵀA, by its residual (‖AᵀAv − θv‖ ≤ tol·θ) or by
                        ///< Kato–Temple (‖r‖²/gap ≤ tol·θ, gap to the neighbouring Ritz values)
    /// krylov: most Krylov blocks, at least 1; unset: until the basis fills min(m, n). The result's
    /// status says when it stopped the method short of tol; block · max_blocks must be at least k.
    std::optional<int> max_blocks;
    std::optional<int> block;  ///< krylov: vectors per block, at least 1; unset: 4 for k ≤ 20, else 8
    bool qr_ritz = false;      ///< krylov: take the QR-based final step (phase "ritz_qr") even when the
                               ///< Gram-based one (phase "ritz") would do; it is taken anyway when the
                               ///< Gram-based one's checks fail. For tests and comparisons.
};

/// Wall time of one named phase of a decomposition, in seconds.
using Phase = std::pair<std::string, double>;

template <typename T>
struct SvdResult {
    linalg::Matrix<T> u;   ///< m × k
    std::vector<T> s;      ///< k, descending
    linalg::Matrix<T> vt;  ///< k × n
    SvdMethod method = SvdMethod::gram;
    int iterations = 0;        ///< rsvd: power iterations; krylov: blocks
    std::int64_t refined = 0;  ///< gram: singular pairs that needed the refinement step
    /// converged, or max_iterations when krylov filled max_blocks blocks before proving every
    /// one of the k Ritz values within tol (see unconverged). Only krylov has a convergence
    /// test: the full methods are exact to working precision and rsvd runs a fixed number of
    /// power iterations, so they report converged.
    Status status = Status::converged;
    std::int64_t unconverged = 0;  ///< krylov: of the k pairs, those whose bound did not reach tol
    std::vector<Phase> phases;
    double seconds = 0;  ///< the whole decomposition
};

/// The Frobenius norm of A within which the decompositions' double-precision arithmetic is
/// safe: its square (and so every Gram matrix and error term, which are of that size) stays a
/// normal double with room to spare on both sides.
inline constexpr double k_min_workable_norm = 1e-150, k_max_workable_norm = 1e150;

/// DataError unless every entry of A is finite and k_min_workable_norm ≤ ‖A‖_F ≤
/// k_max_workable_norm (an all-zero A passes: callers decide about it). The message names the
/// largest entry (row, column, 1-based) and says to rescale; `what` names the decomposition.
/// ‖A‖_F is computed without overflow or underflow.
template <typename T>
void require_workable_scale(const CsrMatrix<T>& a, const char* what);

/// The number of the singular values s (descending, of an m × n matrix) above
/// s[0]·max(m, n)·ε, numpy's matrix_rank tolerance: the numerical rank, when s holds them all.
template <typename T>
std::int64_t numerical_rank(const std::vector<T>& s, std::int64_t m, std::int64_t n);

/// The full thin SVD. InvalidArgument if A is empty (0 rows or 0 columns); DataError for a
/// non-finite entry or a scale outside require_workable_scale's, or (a guard: it should not
/// happen once the scale is checked) a non-finite value in the result.
template <typename T>
SvdResult<T> full_svd(const CsrMatrix<T>& a, const FullSvdOptions& options = {},
                      const runtime::ExecutionContext& context = {});

/// The k leading singular triplets. InvalidArgument unless 1 ≤ k ≤ min(m, n), tol > 0 and,
/// for krylov with max_blocks > 0, the basis can hold k vectors; DataError as full_svd. A
/// Krylov run cut short by max_blocks is not an error: its status is max_iterations.
template <typename T>
SvdResult<T> truncated_svd(const CsrMatrix<T>& a, const TruncatedSvdOptions& options,
                           const runtime::ExecutionContext& context = {});

struct SvdCheck {
    double reconstruction_error = 0;   ///< ‖A − U·diag(s)·Vᵀ‖_F / ‖A‖_F
    double u_orthogonality_error = 0;  ///< max |UᵀU − I|
    double v_orthogonality_error = 0;  ///< max |VᵀV − I|
    double seconds = 0;
};

/// Checks a decomposition against A without forming A or U·diag(s)·Vᵀ densely whole: the
/// residual is accumulated over blocks of rows (exactly), or for a truncated result whose
/// error is far above rounding, from ‖A‖² − 2·tr(S·UᵀAV) + ‖U·S·Vᵀ‖².
template <typename T>
SvdCheck check_svd(const CsrMatrix<T>& a, const SvdResult<T>& r);

/// ‖A − U_k·diag(s_k)·V_kᵀ‖_F / ‖A‖_F for each prefix k of a decomposition's triplets, by the
/// same identity (for the truncation curve of the sweep).
template <typename T>
std::vector<double> truncation_errors(const CsrMatrix<T>& a, const SvdResult<T>& r,
                                      const std::vector<std::int64_t>& ks);

}  // namespace factopic::decomp
