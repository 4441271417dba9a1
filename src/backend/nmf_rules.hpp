// The data of the NMF operations of the Backend (backend.hpp): the update rules of a half-step
// as plain numbers, which each backend runs with its own kernels (src/backend/cpu/nmf.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "factopic/linalg/dense.hpp"

namespace factopic::backend {

// -- NMF types ---------------------------------------------------------------------------------
// NMF keeps both factors row-wise: W as Wr = Wᵀ (k × m) and H (k × n). A half-step updates the
// columns of Y (k × M) from the other factor F (k × N), X = A or Aᵀ (M × N) and G = F·Fᵀ (k × k,
// on the host). The update rules are plain data here; src/backend/<x>/ holds their kernels.

/// Coordinate descent on each column (scikit-learn's _update_cdnmf_fast) with G + l2·I, the l1
/// weight and the order of the coordinates.
struct NmfCdRule {
    const linalg::Matrix<double>* gram = nullptr;
    double l1 = 0, l2 = 0;
    std::vector<std::int64_t> order;
};
/// The multiplicative update for the Frobenius norm: y ← y·p / (G·y + l1 + l2·y).
struct NmfMuRule {
    const linalg::Matrix<double>* gram = nullptr;
    double l1 = 0, l2 = 0;
};
/// A gradient step y − step·(G·y − p), then pgd's penalty below mu (weight lam), or the
/// projection on y ≥ 0 (project).
struct NmfGradientRule {
    const linalg::Matrix<double>* gram = nullptr;
    double step = 0, lam = 0, mu = 0;
    bool project = false;
};
using NmfRule = std::variant<NmfCdRule, NmfMuRule, NmfGradientRule>;

/// What a half-step sums over the columns: the rule's own figure (cd: the projected-gradient
/// violation; 0 for the others) and ⟨Y_new, P⟩, the cross term of ‖A − WH‖².
struct NmfStepSums {
    double own = 0, cross = 0;
};

/// The multiplicative update for the KL divergence: y_t ← y_t·(Σ_j x_ij/(wh)_ij·f_tj) /
/// (f_sum_t + l1 + l2·y_t), f_sum the row sums of F (those equal to 0 read as 1 when
/// zero_sum_is_one).
struct NmfKlRule {
    std::vector<double> f_sum;
    bool zero_sum_is_one = false;
    double l1 = 0, l2 = 0;
};

/// One Adam step on the fast.ai lecture's objective: gradient (G·y − p)·inv_residual +
/// pen·min(y, 0), then the moments with beta1, beta2 and y −= step_size·m1/(√m2/sqrt_c2 + eps).
struct NmfAdamRule {
    const linalg::Matrix<double>* gram = nullptr;
    double inv_residual = 0, pen = 0, beta1 = 0, beta2 = 0, step_size = 0, sqrt_c2 = 0, eps = 0;
};

/// An entry of a sparse matrix (0-based).
struct SparseEntry {
    std::int64_t row = 0, col = 0;
    double value = 0;
};

}  // namespace factopic::backend
