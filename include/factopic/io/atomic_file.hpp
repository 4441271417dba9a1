// Output files that appear whole or not at all: data goes to a temporary file beside the target,
// is flushed and fsync'ed, and is renamed over the target only when everything succeeded. A
// failure (or an exception before commit) removes the temporary and leaves any old file alone.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace factopic::io {

class AtomicFile {
public:
    /// Opens a temporary file next to path; throws IoError naming path when that fails.
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view bytes);
    /// Flushes, fsyncs and renames into place; throws IoError on any failure.
    void commit();
    const std::string& path() const noexcept { return m_path; }

private:
    void fail(const char* what);
    std::string m_path;
    std::string m_temp;
    std::FILE* m_file = nullptr;
    bool m_committed = false;
};

/// Writes a whole file atomically.
void write_file_atomic(const std::string& path, std::string_view bytes);

/// Writes one string per line atomically (vocabulary, labels, ids).
void write_lines_atomic(const std::string& path, const std::vector<std::string>& lines);

}  // namespace factopic::io
