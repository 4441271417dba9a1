// Output files that appear whole or not at all: data goes to a temporary file beside the target,
// is flushed and fsync'ed, and is renamed over the target only when everything succeeded; the
// directory is then fsync'ed, so that the rename itself survives a crash. A failure (or an
// exception before commit) removes the temporary and leaves any old file alone.
//
// Temporaries are named ".<name>.tmp-<pid>-<random>" and hold an flock while their process writes
// them, so that a run killed by SIGKILL (which no handler sees) leaves one that a later run writing
// the same target recognises as stale and removes: its process is gone and nobody holds its lock.
//
// A target that is a symbolic link is replaced at the link's final target (the link stays); a
// target that is a character device, FIFO or socket (/dev/null, a named pipe) is written through,
// never renamed over. "-" is standard output, and a path that names an open descriptor
// (/dev/stdout, /dev/fd/N, /proc/self/fd/N) is written through a copy of that descriptor.
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
    /// Opens a temporary file next to path (or path itself, when it is a device, FIFO or socket);
    /// removes stale temporaries of the same target left by dead processes. Throws IoError naming
    /// path when the file cannot be opened.
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view bytes);
    /// Flushes and fsyncs the temporary (kept open, and locked, until publish); throws IoError on
    /// any failure.
    void finish();
    /// Renames the finished temporary over the target, then fsyncs its directory; throws IoError
    /// on failure.
    void publish();
    /// finish() then publish().
    void commit();
    /// The path as given, for messages.
    const std::string& path() const noexcept { return m_path; }
    /// Where the bytes land: path with its symbolic links followed.
    const std::string& target() const noexcept { return m_target; }
    /// True when the target is a device, FIFO or socket written through (no temporary).
    bool direct() const noexcept { return m_direct; }
    /// The open descriptor the path names ("-": 1, /dev/fd/3: 3), or -1.
    int descriptor() const noexcept { return m_descriptor; }

private:
    friend class OutputFiles;
    void fail(const char* what);
    void unregister() noexcept;
    void rename_into_place();   // the rename alone; the caller holds the publication guard
    void close_after_rename();  // releases the temporary's descriptor (and lock)
    std::string m_path;
    std::string m_target;
    std::string m_temp;
    std::FILE* m_file = nullptr;
    bool m_direct = false;
    int m_descriptor = -1;
    bool m_finished = false;
    bool m_renamed = false;
    std::atomic<const char*>* m_pending = nullptr;  // this temporary's entry for signal handlers
};

/// A file a run names on its command line: the option or argument that named it ("--doc-topics",
/// "MODEL") and its path. An empty path is a file not asked for.
struct NamedPath {
    std::string name;
    std::string path;
    /// Binary content (.npy, a model): refused when the path is "-" and standard output is a terminal.
    bool binary = false;
};

/// The outputs of one run, which appear together: every file is written and synced before any is
/// renamed into place, the renames run with every signal blocked in the calling thread (and a
/// handler calling remove_pending_temporaries on another thread waits for them), and every
/// directory is synced afterwards. SIGKILL, which nothing can hold back, can still land between two
/// renames: each file is then whole, some old and some new. Opened before the run's work, so that
/// an unwritable path fails at once.
class OutputFiles {
public:
    /// Opens a temporary for each output with a non-empty path. Throws InvalidArgument when two
    /// outputs name the same file, when an output is one of inputs (same device and inode, links
    /// followed: writing it would destroy what the run reads), or when an output lies inside an
    /// input folder (a corpus folder would read it as a document), or when a binary output is "-"
    /// and standard output is a terminal; IoError when a file cannot be created. Nothing is
    /// created when it throws.
    explicit OutputFiles(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs = {});
    /// The same, for outputs known by their path only.
    explicit OutputFiles(const std::vector<std::string>& paths);
    /// The file for outputs[i], or nullptr when its path was empty.
    AtomicFile* operator[](std::size_t i) const noexcept { return m_files[i].get(); }
    /// Finishes every file, then publishes them all as one set.
    void commit();
    /// True when an output is standard output ("-", /dev/stdout, /dev/fd/1).
    bool writes_standard_output() const noexcept;

private:
    std::vector<std::unique_ptr<AtomicFile>> m_files;
};

/// Throws InvalidArgument when an output is one of the inputs or lies inside an input folder (see
/// OutputFiles); empty paths and paths that do not exist are skipped.
void check_outputs_are_not_inputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs);

/// Unlinks the temporary file of every AtomicFile not yet published or destroyed. Only
/// async-signal-safe calls: meant for a signal handler (the CLI's, on SIGINT, SIGTERM, ...), so
/// that an interrupted run leaves no temporary behind either. When another thread is renaming a
/// set of outputs into place, it waits until the whole set is renamed, so a signal never leaves
/// half a set new.
void remove_pending_temporaries() noexcept;

/// Writes a whole file atomically.
void write_file_atomic(const std::string& path, std::string_view bytes);

/// Writes one string per line, each followed by '\n' (vocabulary, labels, ids).
void write_lines(AtomicFile& file, const std::vector<std::string>& lines);

}  // namespace factopic::io
