// How a decomposition ended: one status for the NMF and SVD results.
#pragma once

#include <string>

namespace factopic::decomp {

enum class Status {
    converged,       ///< its stopping rule (tol) ended it; the methods without one (the full SVDs, rsvd) always
    max_iterations,  ///< it ran its most iterations (NMF max_iter, Krylov max_blocks) without meeting tol
    target_reached,  ///< NMF target_error was given and reached
    cancelled,       ///< NmfOptions::on_iteration returned false: the factors after that iteration
    diverged,        ///< NMF: the error or a factor became NaN or infinite, or (pgd, adam) the error ended above
                     ///< both its initial value and ‖A‖_F, the error of W = H = 0: the factors mean nothing
    degenerate,  ///< NMF: finite, but W·H explains nothing of A (‖A − WH‖_F ≥ (1 − 1e-12)·‖A‖_F, as for
                 ///< W·H = 0) with no regularisation that would make that the optimum: the data's
                 ///< scale against scikit-learn's absolute thresholds (1e-6 in NNDSVD, float32 ε in mu)
};
/// "converged", "max_iterations", "target_reached", "cancelled", "diverged", "degenerate".
std::string to_string(Status s);

}  // namespace factopic::decomp
