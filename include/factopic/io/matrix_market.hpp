// Matrix Market exchange format (NIST, https://math.nist.gov/MatrixMarket/formats.html): reading
// any real matrix into CSR, and writing CSR as "coordinate real general", 1-based (row, column,
// value) triplets. Values are written in the shortest form that reads back to the identical
// number, so a file round-trips exactly.
#pragma once

#include <string>

#include "factopic/core/csr.hpp"
#include "factopic/io/atomic_file.hpp"

namespace factopic::io {

/// Reads the Matrix Market file at path into CSR (columns strictly increasing within each row).
///
/// Accepted banners (every word case-insensitive):
///   %%MatrixMarket matrix coordinate real|double|integer|pattern general|symmetric|skew-symmetric
///   %%MatrixMarket matrix array      real|double|integer         general|symmetric|skew-symmetric
/// complex and hermitian matrices are rejected, as are the combinations the NIST spec forbids
/// (array pattern, pattern skew-symmetric). Lines starting with '%' and blank lines are skipped
/// anywhere after the banner; "\r\n" line ends are accepted.
///
/// - coordinate: a "rows cols entries" size line, then one "row col [value]" line per entry
///   (1-based; pattern entries have no value and read as 1). Duplicate (row, col) entries are
///   summed, in file order, as scipy.io.mmread(...).tocsr() does.
/// - array: a "rows cols" size line, then one value per line in column-major order; symmetric
///   stores the lower triangle with its diagonal, skew-symmetric the strict lower triangle, each
///   column by column.
/// - symmetric entries (i, j), i != j, also set (j, i); skew-symmetric ones set (j, i) to minus
///   the value, and a skew-symmetric diagonal entry is an error. Both require a square matrix.
/// - Entries that are exactly zero after summing (explicit zeros, cancelling duplicates, array
///   zeros) are not stored. A matrix written by write_matrix_market without stored zeros
///   therefore reads back identical.
/// - Values are parsed straight into T (correctly rounded); a value below T's range reads as 0,
///   one above it is an error. Rows and columns are limited to 2^31 - 1 (int32 column indices).
///
/// Throws IoError when the file cannot be read; DataError "empty matrix" when it declares 0 rows
/// or 0 columns; ParseError (file and 1-based line) for a missing or unsupported banner, a bad
/// size line, a malformed number, a NaN or Inf value, an index out of range, a skew-symmetric
/// diagonal entry, or more or fewer entries than the size line declares.
template <typename T>
CsrMatrix<T> read_matrix_market(const std::string& path);

/// Writes A into an open atomic file (the caller commits it).
template <typename T>
void write_matrix_market(AtomicFile& file, const CsrMatrix<T>& A, const std::string& comment = {});

/// Writes A atomically to path; comment (optional, one line) goes after the banner.
template <typename T>
void write_matrix_market(const std::string& path, const CsrMatrix<T>& A, const std::string& comment = {});

}  // namespace factopic::io
