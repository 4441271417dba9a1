#include "factopic/core/file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "factopic/core/error.hpp"

namespace factopic {
namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

}  // namespace

InputFile::InputFile(const std::string& path) : m_path(path) {
    // "-" is standard input, read through a copy of its descriptor. Anything else opens
    // non-blocking first: opening a FIFO with no writer would otherwise wait forever before its
    // type could even be checked.
    const bool standard_input = path == "-";
    int fd = standard_input ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
                            : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw IoError("cannot read " + path + ": " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        ::close(fd);
        throw IoError("cannot read " + path + ": " + kind_of(st.st_mode) + " (only regular files and pipes are read)");
    }
    if (S_ISFIFO(st.st_mode) && !standard_input) {
        // A writer that starts later is waited for rather than read as an empty file: poll on
        // this descriptor wakes at the writer's first bytes or its close (Linux reports no hang-up
        // to a reader opened non-blocking until a writer has come), and the pipe is then read in
        // blocking mode. The descriptor is kept: closing it to open the FIFO again in blocking
        // mode lost what a quick writer had written in between (the pipe is freed with its last
        // reader) and then waited forever for a writer that had come and gone.
        pollfd p{fd, POLLIN, 0};
        while (::poll(&p, 1, -1) < 0) {
            if (errno != EINTR) {
                const int err = errno;
                ::close(fd);
                throw IoError("cannot read " + path + ": " + std::strerror(err));
            }
        }
        const int flags = ::fcntl(fd, F_GETFL);
        if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    } else if (!S_ISFIFO(st.st_mode)) {
        const int flags = ::fcntl(fd, F_GETFL);
        if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        m_regular = true;
        m_size = static_cast<std::uint64_t>(st.st_size);
    }
    m_fd = fd;
}

InputFile::~InputFile() {
    if (m_fd >= 0) ::close(m_fd);
}

std::size_t InputFile::read(char* buf, std::size_t n) {
    while (true) {
        const ssize_t got = ::read(m_fd, buf, n);
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno == EINTR) continue;
        throw IoError("cannot read " + m_path + ": " + std::strerror(errno));
    }
}

std::size_t InputFile::read_full(char* buf, std::size_t n) {
    std::size_t have = 0;
    while (have < n) {
        const std::size_t got = read(buf + have, n - have);
        if (got == 0) break;
        have += got;
    }
    return have;
}

std::string format_bytes(std::uint64_t bytes) {
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    double value = static_cast<double>(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 5) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    if (value == static_cast<double>(static_cast<std::uint64_t>(value)))
        std::snprintf(text, sizeof text, "%.0f %s", value, units[unit]);
    else
        std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

std::string read_file(const std::string& path) { return read_file(path, std::numeric_limits<std::size_t>::max()); }

std::string read_file(const std::string& path, std::size_t max_bytes) {
    InputFile file(path);
    std::string bytes;
    if (file.regular() && file.size() <= max_bytes) bytes.reserve(static_cast<std::size_t>(file.size()));
    char buf[1 << 16];
    while (const std::size_t got = file.read(buf, sizeof buf)) {
        if (got > max_bytes - bytes.size())
            throw DataError(path + ": larger than the limit of " + format_bytes(max_bytes));
        bytes.append(buf, got);
    }
    return bytes;
}

}  // namespace factopic
