// Reading input files with errors a user can act on (the path and the system's reason), and with
// a bound: what is read is a regular file or a pipe, never a device that does not end
// (/dev/zero, a terminal), and a caller can cap how much is read before it is held in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace factopic {

/// An input file opened for reading in chunks. Only a regular file or a pipe (a FIFO, a shell's
/// <(...)) is accepted: a directory, a device, a socket is refused with IoError naming the path,
/// so that /dev/zero or /dev/urandom never stream into memory. Opening never blocks on a FIFO
/// that is not a pipe the caller may read (it is opened non-blocking to be checked first).
class InputFile {
public:
    explicit InputFile(const std::string& path);
    ~InputFile();
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    /// Reads up to n bytes into buf; 0 at the end of the file. Throws IoError naming the path.
    std::size_t read(char* buf, std::size_t n);
    /// Reads until buf holds n bytes or the file ends; returns how many it holds.
    std::size_t read_full(char* buf, std::size_t n);
    bool regular() const noexcept { return m_regular; }
    /// The size of a regular file when it was opened; 0 for a pipe.
    std::uint64_t size() const noexcept { return m_size; }
    int fd() const noexcept { return m_fd; }
    const std::string& path() const noexcept { return m_path; }

private:
    std::string m_path;
    int m_fd = -1;
    bool m_regular = false;
    std::uint64_t m_size = 0;
};

/// A byte count for messages: "512 bytes", "64 MiB", "1.5 GiB".
std::string format_bytes(std::uint64_t bytes);

/// The bytes of the file at path. Throws IoError naming path when it is missing, a directory, a
/// device or socket (see InputFile), unreadable, or fails mid-read.
std::string read_file(const std::string& path);

/// The bytes of the file at path, read in chunks and never more than max_bytes of them: a file
/// that holds more throws DataError naming the path and the limit, having held no more than
/// max_bytes in memory. Other failures as read_file(path).
std::string read_file(const std::string& path, std::size_t max_bytes);

}  // namespace factopic
