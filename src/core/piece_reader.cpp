#include "factopic/core/piece_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "factopic/core/error.hpp"

namespace factopic {

namespace {
constexpr std::size_t k_chunk = std::size_t{1} << 16;
}

PieceReader::PieceReader(const std::string& path) : m_path(path) {
    // "-" is standard input, through a copy of its descriptor.
    m_fd = path == "-" ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
        ::close(m_fd);
        throw IoError("cannot read " + path + ": " + std::strerror(err));
    }
    if (S_ISREG(st.st_mode)) m_size = static_cast<std::uint64_t>(st.st_size);
}

PieceReader::~PieceReader() { ::close(m_fd); }

std::size_t PieceReader::read_some(char* buf, std::size_t n) {
    while (true) {
        const ssize_t got = ::read(m_fd, buf, n);
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno == EINTR) continue;
        throw IoError("cannot read " + m_path + ": " + std::strerror(errno));
    }
}

std::size_t PieceReader::read(std::string& out, std::uint64_t n) {
    const std::size_t before = out.size();
    if (n > 0 && m_peeked) {
        out.push_back(*m_peeked);
        m_peeked.reset();
        --n;
    }
    // A regular file's size bounds the reservation; anything else grows as bytes arrive.
    if (m_size && *m_size > m_consumed)
        out.reserve(out.size() + static_cast<std::size_t>(std::min<std::uint64_t>(n, *m_size - m_consumed)));
    char buf[k_chunk];
    while (n > 0 && !m_eof) {
        const std::size_t got = read_some(buf, static_cast<std::size_t>(std::min<std::uint64_t>(n, sizeof buf)));
        if (got == 0) {
            m_eof = true;
            break;
        }
        out.append(buf, got);
        n -= got;
    }
    const std::size_t added = out.size() - before;
    m_consumed += added;
    return added;
}

bool PieceReader::at_end() {
    if (m_peeked) return false;
    if (m_eof) return true;
    char c = 0;
    if (read_some(&c, 1) == 0) {
        m_eof = true;
        return true;
    }
    m_peeked = c;
    return false;
}

std::string read_short_lines(const std::string& path, std::size_t max_line) {
    PieceReader file(path);
    std::string bytes;
    std::size_t line_start = 0, line_number = 1, scanned = 0;
    const auto too_long = [&] {
        return ParseError(path, line_number,
                          "line longer than " + std::to_string(max_line) + " bytes: not a list of one term per line");
    };
    while (file.read(bytes, k_chunk) > 0) {
        for (; scanned < bytes.size(); ++scanned)
            if (bytes[scanned] == '\n') {
                if (scanned - line_start > max_line) throw too_long();
                line_start = scanned + 1;
                ++line_number;
            }
        if (bytes.size() - line_start > max_line) throw too_long();
    }
    return bytes;
}

}  // namespace factopic
