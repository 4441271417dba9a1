// NumPy .npy files for dense factors: written as format 1.0 (numpy.load reads them directly),
// read back for custom initial factors.
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

/// Reads a 2-D float32 or float64 array (C or Fortran order, format 1.0–3.0) as a matrix of
/// doubles. ParseError (naming the file) for anything else: wrong magic, a truncated file, another
/// dtype or dimensionality.
linalg::Matrix<double> read_npy_matrix(const std::string& path);

}  // namespace factopic::io
