// read_matrix_market on the fuzz input, in double and float; a matrix it returns must be valid CSR.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "factopic/io/matrix_market.hpp"
#include "fuzz_common.hpp"

using namespace factopic;

namespace {

template <typename T>
void check_csr(const CsrMatrix<T>& a) {
    if (a.rows <= 0 || a.cols <= 0) fuzz::broken("an empty matrix was returned instead of DataError");
    if (a.indptr.size() != static_cast<std::size_t>(a.rows) + 1 || a.indptr[0] != 0 || a.indptr.back() != a.nnz() ||
        a.indices.size() != a.values.size())
        fuzz::broken("indptr does not frame the entries");
    for (std::int64_t i = 0; i < a.rows; ++i) {
        if (a.indptr[i] > a.indptr[i + 1]) fuzz::broken("indptr decreases");
        for (std::int64_t p = a.indptr[i]; p < a.indptr[i + 1]; ++p) {
            if (a.indices[p] < 0 || a.indices[p] >= a.cols) fuzz::broken("a column index out of range");
            if (p > a.indptr[i] && a.indices[p - 1] >= a.indices[p]) fuzz::broken("columns not increasing");
            if (!std::isfinite(a.values[p]) || a.values[p] == T(0)) fuzz::broken("a stored zero or non-finite");
        }
    }
}

template <typename T>
void read_as(const std::string& path) {
    try {
        check_csr(io::read_matrix_market<T>(path));
    } catch (const Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::MemFile file;
    const auto& path = file.write(std::string_view(reinterpret_cast<const char*>(data), size));
    read_as<double>(path);
    read_as<float>(path);
    return 0;
}
