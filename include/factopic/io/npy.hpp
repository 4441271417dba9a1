// NumPy .npy files (format version 1.0) for dense factors: numpy.load reads them directly.
// Matrices are column-major in memory and are written with fortran_order True, so no copy
// or transpose is made.
#pragma once

#include <string>
#include <vector>

#include "factopic/io/atomic_file.hpp"
#include "factopic/linalg/dense.hpp"

namespace factopic::io {

/// Writes a rows × cols matrix (float32 '<f4' or float64 '<f8') into an open atomic file.
template <typename T>
void write_npy(AtomicFile& file, const linalg::Matrix<T>& m);

/// Writes a vector as a 1-D array.
template <typename T>
void write_npy(AtomicFile& file, const std::vector<T>& v);

}  // namespace factopic::io
