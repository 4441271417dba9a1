// Output files that appear whole or not at all: data goes to a temporary file beside the target,
// is flushed and fsync'ed, and is renamed over the target only when everything succeeded. A
// failure (or an exception before commit) removes the temporary and leaves any old file alone.
#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
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
    /// Flushes, fsyncs and closes the temporary; throws IoError on any failure.
    void finish();
    /// Renames the finished temporary over the target; throws IoError on failure.
    void publish();
    /// finish() then publish().
    void commit();
    const std::string& path() const noexcept { return m_path; }

private:
    void fail(const char* what);
    void unregister() noexcept;
    std::string m_path;
    std::string m_temp;
    std::FILE* m_file = nullptr;
    bool m_finished = false;
    bool m_committed = false;
    std::atomic<const char*>* m_pending = nullptr;  // this temporary's entry for signal handlers
};

/// The outputs of one run, which appear together: every file is written and synced before any is
/// renamed into place, so a failure leaves the old files (or none) rather than a mix of new and
/// old. Opened before the run's work, so that an unwritable path fails at once.
class OutputFiles {
public:
    /// Opens a temporary for each non-empty path (an empty path is an output not asked for).
    /// Throws InvalidArgument when two paths name the same file, IoError when one cannot be created.
    explicit OutputFiles(const std::vector<std::string>& paths);
    /// The file for paths[i], or nullptr when paths[i] was empty.
    AtomicFile* operator[](std::size_t i) const noexcept { return m_files[i].get(); }
    /// Finishes every file, then publishes every file.
    void commit();

private:
    std::vector<std::unique_ptr<AtomicFile>> m_files;
};

/// Unlinks the temporary file of every AtomicFile not yet committed or destroyed. Only
/// async-signal-safe calls: meant for a signal handler (the CLI's, on SIGINT and SIGTERM), so that
/// an interrupted run leaves no temporary behind either.
void remove_pending_temporaries() noexcept;

/// Writes a whole file atomically.
void write_file_atomic(const std::string& path, std::string_view bytes);

/// Writes one string per line, each followed by '\n' (vocabulary, labels, ids).
void write_lines(AtomicFile& file, const std::vector<std::string>& lines);

}  // namespace factopic::io
