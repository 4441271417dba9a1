// What the CPU backend's SVD files (svd_*.cpp) share.
#pragma once

#include "cpu.hpp"
#include "factopic/core/error.hpp"

namespace factopic::backend::cpu {

/// The given side of an uploaded matrix with double values (InvalidArgument for float values:
/// the SVD computes in double).
inline const CsrMatrix<double>& double_side(const Sparse& x, Side s) {
    const auto* of = std::get_if<HostSparseOf<double>>(&x.storage<HostSparse>().of);
    if (of == nullptr) throw InvalidArgument("backend: the SVD's operations need a matrix uploaded in double");
    return of->side(s);
}

}  // namespace factopic::backend::cpu
