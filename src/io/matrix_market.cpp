#include "factopic/io/matrix_market.hpp"

#include <charconv>

#include "factopic/io/atomic_file.hpp"

namespace factopic::io {

template <typename T>
void write_matrix_market(AtomicFile& file, const CsrMatrix<T>& A, const std::string& comment) {
    std::string buf;
    buf.reserve(1 << 20);
    buf += "%%MatrixMarket matrix coordinate real general\n";
    if (!comment.empty()) buf += "% " + comment + "\n";
    buf += std::to_string(A.rows) + " " + std::to_string(A.cols) + " " + std::to_string(A.nnz()) + "\n";
    // A line is at most 19 + 1 + 10 + 1 + 24 + 1 characters; each field stops one short of the
    // end so that its separator always fits.
    char num[96];
    char* const last = num + sizeof num - 1;
    for (std::int64_t i = 0; i < A.rows; ++i) {
        for (std::int64_t k = A.indptr[i]; k < A.indptr[i + 1]; ++k) {
            char* p = std::to_chars(num, last, i + 1).ptr;
            *p++ = ' ';
            p = std::to_chars(p, last, static_cast<std::int64_t>(A.indices[k]) + 1).ptr;
            *p++ = ' ';
            p = std::to_chars(p, last, A.values[k]).ptr;
            *p++ = '\n';
            buf.append(num, p);
        }
        if (buf.size() > (1 << 20) - 256) {
            file.write(buf);
            buf.clear();
        }
    }
    file.write(buf);
}

template <typename T>
void write_matrix_market(const std::string& path, const CsrMatrix<T>& A, const std::string& comment) {
    AtomicFile file(path);
    write_matrix_market(file, A, comment);
    file.commit();
}

template void write_matrix_market<double>(AtomicFile&, const CsrMatrix<double>&, const std::string&);
template void write_matrix_market<float>(AtomicFile&, const CsrMatrix<float>&, const std::string&);
template void write_matrix_market<double>(const std::string&, const CsrMatrix<double>&, const std::string&);
template void write_matrix_market<float>(const std::string&, const CsrMatrix<float>&, const std::string&);

}  // namespace factopic::io
