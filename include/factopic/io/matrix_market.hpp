// Matrix Market exchange format (NIST): "coordinate real general", 1-based (row, column, value)
// triplets. Values are written in the shortest form that reads back to the identical number, so
// a file round-trips exactly.
#pragma once

#include <string>

#include "factopic/core/csr.hpp"
#include "factopic/io/atomic_file.hpp"

namespace factopic::io {

/// Writes A into an open atomic file (the caller commits it).
template <typename T>
void write_matrix_market(AtomicFile& file, const CsrMatrix<T>& A, const std::string& comment = {});

/// Writes A atomically to path; comment (optional, one line) goes after the banner.
template <typename T>
void write_matrix_market(const std::string& path, const CsrMatrix<T>& A, const std::string& comment = {});

}  // namespace factopic::io
