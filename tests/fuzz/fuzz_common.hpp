// What the fuzz targets share: an in-memory file to hand the readers a path (they take paths, not
// buffers), and the rule that decides a finding. A target calls the public API the way the CLI
// does and catches factopic::Error, the typed errors a bad input is allowed to produce; anything
// else (a sanitizer report, another exception type escaping, a timeout, memory over the limits
// given to libFuzzer) is a finding.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "factopic/core/error.hpp"

namespace factopic::fuzz {

/// A memfd reached through /proc/self/fd/N: no disk, no temporary file to clean up after a crash,
/// and opening the path gives a fresh file offset, as a real file would.
class MemFile {
public:
    MemFile() : m_fd(::memfd_create("factopic-fuzz", MFD_CLOEXEC)) {
        if (m_fd < 0) std::abort();
        m_path = "/proc/self/fd/" + std::to_string(m_fd);
    }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    ~MemFile() { ::close(m_fd); }

    /// Replaces the contents with bytes; returns the path to read them from.
    const std::string& write(std::string_view bytes) {
        if (::ftruncate(m_fd, 0) != 0) std::abort();
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::pwrite(m_fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
            if (n <= 0) std::abort();
            done += static_cast<std::size_t>(n);
        }
        return m_path;
    }

private:
    int m_fd;
    std::string m_path;
};

/// The last byte of a fuzz input chooses options; the rest is the file. Seeds are real files with
/// one option byte appended, so the file part stays intact.
struct Split {
    std::uint8_t options = 0;
    std::string_view bytes;
};
inline Split split_options(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return {};
    return {data[size - 1], std::string_view(reinterpret_cast<const char*>(data), size - 1)};
}

/// An invariant of a successful read that does not hold: stop with a report, as a crash would.
[[noreturn]] inline void broken(const char* what) {
    (void)::write(2, "fuzz invariant broken: ", 23);
    (void)::write(2, what, std::string_view(what).size());
    (void)::write(2, "\n", 1);
    std::abort();
}

}  // namespace factopic::fuzz
