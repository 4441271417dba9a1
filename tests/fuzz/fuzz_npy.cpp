// read_npy_matrix on the fuzz input; a matrix it returns must have the shape it holds values for.
#include <cstddef>
#include <cstdint>

#include "factopic/io/npy.hpp"
#include "fuzz_common.hpp"

using namespace factopic;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::MemFile file;
    try {
        const auto m = io::read_npy_matrix(file.write(std::string_view(reinterpret_cast<const char*>(data), size)));
        if (m.rows < 0 || m.cols < 0 || m.data.size() != static_cast<std::size_t>(m.rows * m.cols))
            fuzz::broken("the matrix's size does not match its shape");
        if (m.data.size() * 4 > size) fuzz::broken("more values than the file has bytes for");
    } catch (const Error&) {
    }
    return 0;
}
