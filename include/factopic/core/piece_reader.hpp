// Reading a file in pieces, for parsers of files a user did not write: a parser checks the
// signature in the first bytes before it reads the rest, reads only as far as the header says,
// and never reserves memory for more than the file can hold. A device or a pipe (/dev/zero, a
// FIFO) is read like a file, but only as far as its reader asks, so an endless one cannot
// exhaust memory. (core/file.hpp's InputFile is the corpus readers' counterpart: it refuses
// devices outright, since a corpus has no header to stop at.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace factopic {

class PieceReader {
public:
    /// Opens path for reading. IoError naming it when it is missing, a directory or unreadable.
    explicit PieceReader(const std::string& path);
    ~PieceReader();
    PieceReader(const PieceReader&) = delete;
    PieceReader& operator=(const PieceReader&) = delete;

    const std::string& path() const noexcept { return m_path; }

    /// Bytes on disk for a regular file; nullopt for a pipe, a device or a socket.
    std::optional<std::uint64_t> size() const noexcept { return m_size; }

    /// Appends up to n more bytes to out, fewer only at the end of the file; returns how many.
    /// Memory grows with the bytes actually read, whatever n is. IoError when a read fails.
    std::size_t read(std::string& out, std::uint64_t n);

    /// Whether every byte has been read (a pipe or device is asked for one more byte, which
    /// the next read returns).
    bool at_end();

    /// Bytes returned by read so far.
    std::uint64_t consumed() const noexcept { return m_consumed; }

private:
    std::size_t read_some(char* buf, std::size_t n);

    std::string m_path;
    int m_fd = -1;
    std::optional<std::uint64_t> m_size;
    std::uint64_t m_consumed = 0;
    std::optional<char> m_peeked;
    bool m_eof = false;
};

/// The whole file at path, for a list of short lines (terms, stop words): a ParseError naming
/// the file and line when a line is longer than max_line bytes, so that an endless line (a
/// binary file, /dev/zero) stops the read early instead of filling memory.
std::string read_short_lines(const std::string& path, std::size_t max_line);

/// The longest line read_short_lines accepts in a term or stop-word list (1 MiB).
inline constexpr std::size_t k_max_term_line = std::size_t{1} << 20;

}  // namespace factopic
