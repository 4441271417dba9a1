#include "factopic/io/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>

#include "factopic/core/error.hpp"

namespace factopic::io {
namespace {

namespace fs = std::filesystem;

// Temporaries that exist right now, for remove_pending_temporaries. A fixed table of atomic
// pointers, because a signal handler may neither lock nor allocate.
constexpr std::size_t k_max_pending = 64;
std::atomic<const char*> g_pending[k_max_pending];

std::atomic<const char*>* register_pending(const char* path) noexcept {
    for (auto& slot : g_pending) {
        const char* expected = nullptr;
        if (slot.compare_exchange_strong(expected, path)) return &slot;
    }
    return nullptr;  // more than k_max_pending at once: still removed on failure, not on a signal
}

// Who may touch the temporaries right now: renaming a set into place and removing the pending
// ones (from a signal handler) exclude each other, so a signal lands before the first rename (every
// temporary is removed, nothing is renamed) or after the last (nothing is left to remove), never
// in between. A spin on an atomic rather than a mutex: the other side runs in a signal handler.
enum : int { k_idle = 0, k_publishing = 1, k_cleaning = 2 };
std::atomic<int> g_state{k_idle};
static_assert(std::atomic<int>::is_always_lock_free);

void acquire_state(int as) noexcept {
    int expected = k_idle;
    while (!g_state.compare_exchange_weak(expected, as)) {
        expected = k_idle;
        const timespec pause{0, 1'000'000};
        ::nanosleep(&pause, nullptr);
    }
}

// Held while a set is renamed: every signal is blocked in this thread (a handler here would wait
// for this very thread), and handlers on other threads wait in acquire_state.
class PublicationGuard {
public:
    PublicationGuard() noexcept {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &m_old);
        acquire_state(k_publishing);
    }
    ~PublicationGuard() {
        g_state.store(k_idle);
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    PublicationGuard(const PublicationGuard&) = delete;
    PublicationGuard& operator=(const PublicationGuard&) = delete;

private:
    sigset_t m_old;
};

std::string parent_of(const std::string& path) {
    const std::string dir = fs::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// The path a write to `path` should replace: its symbolic links followed to the last one's
// target, which may not exist yet (a dangling link is filled in, not replaced).
std::string resolve_links(const std::string& path) {
    std::string p = path;
    for (int hops = 0; hops < 40; ++hops) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
        std::string link(4096, '\0');
        const ssize_t n = ::readlink(p.c_str(), link.data(), link.size());
        if (n < 0 || static_cast<std::size_t>(n) >= link.size())
            throw IoError("cannot write " + path + ": cannot read the link " + p);
        link.resize(static_cast<std::size_t>(n));
        p = link.front() == '/' ? link : (fs::path(p).parent_path() / link).string();
    }
    throw IoError("cannot write " + path + ": too many levels of symbolic links");
}

// Long names keep the temporary's within NAME_MAX (255): the prefix embeds at most 200 bytes of
// the target's name.
std::string temporary_prefix(const std::string& target) {
    std::string name = fs::path(target).filename().string();
    if (name.size() > 200) name.resize(200);
    return "." + name + ".tmp-";
}

// A temporary ".<name>.tmp-<pid>-<6 characters>" of `prefix` whose process has died and whose
// lock nobody holds: left by a run killed outright (SIGKILL, a crash, a power cut). Both tests,
// because the pid alone may belong to another pid namespace sharing the directory, and the lock
// alone is not yet taken in the instant between a live run's open and flock.
void remove_stale_temporaries(const std::string& dir, const std::string& prefix) noexcept {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        std::string_view rest = name.substr(prefix.size());
        const std::size_t dash = rest.find('-');
        if (dash == 0 || dash == std::string_view::npos || dash > 9 || rest.size() - dash - 1 != 6) continue;
        long pid = 0;
        bool digits = true;
        for (const char c : rest.substr(0, dash)) {
            digits = digits && c >= '0' && c <= '9';
            pid = pid * 10 + (c - '0');
        }
        if (!digits || pid <= 0 || pid == ::getpid()) continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to ask
        const std::string path = dir + "/" + std::string(name);
        const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat held {
        }, named{};
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fstat(fd, &held) == 0 && S_ISREG(held.st_mode) &&
            ::lstat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev && held.st_ino == named.st_ino)
            ::unlink(path.c_str());
        ::close(fd);
    }
    ::closedir(d);
}

// A rename is durable only once its directory is: without this a crash soon after can bring the
// old file back (or none, for a new one). A directory that cannot be opened for reading (mode
// -wx) or whose file system cannot sync directories is left as it is.
void sync_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0 && err != EINVAL && err != EROFS)
        throw IoError("cannot sync directory " + dir + ": " + std::strerror(err));
}

struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
};

FileId id_of(const struct stat& st) { return {st.st_dev, st.st_ino}; }

std::string describe(const NamedPath& p) { return p.name.empty() ? p.path : p.name + " " + p.path; }

// A Unix socket cannot be open()ed (ENXIO): a stream connection to it is; -1 with errno on failure.
int connect_socket(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

// The descriptor a path names when it is "-" (standard output) or leads, through its links, to an
// entry of this process's /proc/<pid>/fd (/dev/stdout, /dev/fd/3, /proc/self/fd/1); -1 otherwise.
// Such a path is written through a copy of the descriptor, as a shell writes `> /dev/stdout`:
// opened anew it would lose an append mode (`>> log`) and the shell's offset, and renamed over
// it would replace the file the descriptor stands for.
int descriptor_named(const std::string& path) {
    if (path == "-") return STDOUT_FILENO;
    const std::string own = "/proc/" + std::to_string(::getpid()) + "/fd";
    std::string p = path;
    for (int hops = 0; hops < 40; ++hops) {
        std::error_code ec;
        const fs::path dir = fs::canonical(parent_of(p), ec);
        const std::string name = fs::path(p).filename().string();
        if (!ec && dir == own && !name.empty() && name.size() < 10 &&
            std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::stoi(name);
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return -1;
        std::string link(4096, '\0');
        const ssize_t n = ::readlink(p.c_str(), link.data(), link.size());
        if (n <= 0 || static_cast<std::size_t>(n) >= link.size()) return -1;
        link.resize(static_cast<std::size_t>(n));
        p = link.front() == '/' ? link : (fs::path(p).parent_path() / link).string();
    }
    return -1;
}

/// A stream over fd, an output written through (a descriptor, a device, a FIFO, a socket);
/// IoError naming path when fd is -1 (errno set) or cannot be wrapped.
std::FILE* stream_through(int fd, const std::string& path) {
    if (fd < 0) throw IoError("cannot write " + path + ": " + std::strerror(errno));
    std::FILE* f = ::fdopen(fd, "wb");
    if (!f) {
        const int err = errno;
        ::close(fd);
        throw IoError("cannot write " + path + ": " + std::strerror(err));
    }
    return f;
}

}  // namespace

void remove_pending_temporaries() noexcept {
    acquire_state(k_cleaning);
    for (auto& slot : g_pending)
        if (const char* path = slot.load()) ::unlink(path);
    g_state.store(k_idle);
}

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path)) {
    if (m_path.empty()) throw IoError("cannot write a file with an empty name");
    if (const int named = descriptor_named(m_path); named >= 0) {
        m_direct = true;
        m_descriptor = named;
        m_target = m_path;
        m_file = stream_through(::fcntl(named, F_DUPFD_CLOEXEC, 3), m_path);
        return;
    }
    struct stat st {};
    const bool exists = ::stat(m_path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) throw IoError("cannot write " + m_path + ": it is a directory");
    if (exists && S_ISBLK(st.st_mode)) throw IoError("cannot write " + m_path + ": it is a block device");
    if (exists && !S_ISREG(st.st_mode)) {
        // A device, FIFO or socket: renaming a file over it would replace the node itself
        // (/dev/null as a regular file), so the bytes go straight through.
        m_direct = true;
        m_target = m_path;
        const int fd =
            S_ISSOCK(st.st_mode) ? connect_socket(m_path) : ::open(m_path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
        m_file = stream_through(fd, m_path);
        return;
    }
    m_target = resolve_links(m_path);
    const std::string dir = parent_of(m_target);
    const std::string prefix = temporary_prefix(m_target);
    remove_stale_temporaries(dir, prefix);
    const std::string stem = dir + "/" + prefix + std::to_string(::getpid()) + "-";
    static std::atomic<std::uint64_t> counter{0};
    std::mt19937_64 gen(std::random_device{}() ^ (static_cast<std::uint64_t>(::getpid()) << 32) ^ counter++);
    constexpr char k_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        m_temp = stem;
        for (int i = 0; i < 6; ++i) m_temp += k_chars[gen() % (sizeof k_chars - 1)];
        // The name is registered before the file exists (mkstemp would create it first): a
        // signal that arrives in between, on any thread, then finds it in the table — unlinking
        // a path that does not exist yet is harmless.
        m_pending = register_pending(m_temp.c_str());
        fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            const int err = errno;
            unregister();
            if (err != EEXIST) throw IoError("cannot write " + m_path + ": " + std::strerror(err));
        }
    }
    if (fd < 0) throw IoError("cannot write " + m_path + ": no free temporary name beside it");
    // The lock marks the temporary as a live run's until its descriptor closes (after the rename);
    // a file system without locks leaves the pid as the only mark.
    (void)::flock(fd, LOCK_EX | LOCK_NB);
    ::fchmod(fd, exists ? (st.st_mode & 07777) : 0644);
    m_file = ::fdopen(fd, "wb");
    if (!m_file) {
        const int err = errno;
        ::unlink(m_temp.c_str());
        ::close(fd);
        unregister();
        throw IoError("cannot write " + m_path + ": " + std::strerror(err));
    }
}

AtomicFile::~AtomicFile() {
    if (!m_direct && !m_renamed) ::unlink(m_temp.c_str());
    if (m_file) std::fclose(m_file);
    unregister();
}

void AtomicFile::unregister() noexcept {
    if (m_pending) m_pending->store(nullptr);
    m_pending = nullptr;
}

void AtomicFile::fail(const char* what) {
    const int err = errno;
    if (!m_direct && !m_renamed) ::unlink(m_temp.c_str());
    if (m_file) std::fclose(m_file);
    m_file = nullptr;
    throw IoError(std::string("cannot ") + what + " " + m_path + ": " + std::strerror(err));
}

void AtomicFile::write(std::string_view bytes) {
    if (!m_file || m_finished) throw IoError("cannot write " + m_path + ": file already closed");
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size()) fail("write");
}

void AtomicFile::finish() {
    if (!m_file || m_finished) throw IoError("cannot write " + m_path + ": file already closed");
    if (std::fflush(m_file) != 0) fail("write");
    if (!m_direct && ::fsync(::fileno(m_file)) != 0) fail("sync");
    m_finished = true;
}

void AtomicFile::rename_into_place() {
    if (!m_finished || !m_file) throw IoError("cannot write " + m_path + ": not finished");
    if (m_direct) return;
    if (::rename(m_temp.c_str(), m_target.c_str()) != 0) fail("rename into");
    m_renamed = true;
    unregister();
}

void AtomicFile::close_after_rename() {
    if (!m_file) return;
    const bool closed = std::fclose(m_file) == 0;
    const int err = errno;
    m_file = nullptr;
    // A temporary's bytes were synced before the rename; what close could still report for a
    // device or pipe is a write that did not happen.
    if (m_direct && !closed) throw IoError("cannot write " + m_path + ": " + std::strerror(err));
}

void AtomicFile::publish() {
    {
        const PublicationGuard guard;
        rename_into_place();
    }
    close_after_rename();
    if (!m_direct) sync_directory(parent_of(m_target));
}

void AtomicFile::commit() {
    finish();
    publish();
}

void check_outputs_are_not_inputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs) {
    for (const auto& in : inputs) {
        struct stat ist {};
        if (in.path.empty() || ::stat(in.path.c_str(), &ist) != 0) continue;
        for (const auto& out : outputs) {
            if (out.path.empty() || out.path == "-") continue;
            struct stat ost {};
            if (::stat(out.path.c_str(), &ost) == 0 && S_ISREG(ost.st_mode) && id_of(ost) == id_of(ist))
                throw InvalidArgument("output " + describe(out) + " is the input " + describe(in) +
                                      ": writing it would destroy what this run reads; choose another file");
            if (!S_ISDIR(ist.st_mode)) continue;
            std::error_code ec;
            fs::path dir = fs::canonical(parent_of(resolve_links(out.path)), ec);
            if (ec) continue;  // the output cannot be created there either: AtomicFile says why
            while (true) {
                struct stat dst {};
                if (::stat(dir.c_str(), &dst) == 0 && id_of(dst) == id_of(ist))
                    throw InvalidArgument("output " + describe(out) + " is inside the input folder " + describe(in) +
                                          ": it would be read as a document; write it outside the folder");
                if (dir == dir.parent_path()) break;
                dir = dir.parent_path();
            }
        }
    }
}

OutputFiles::OutputFiles(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs) {
    struct Seen {
        std::string canonical;
        bool exists;
        FileId id;
    };
    std::vector<Seen> seen;
    for (const auto& out : outputs) {
        if (out.path.empty()) continue;
        if (out.path == "-" && out.binary && ::isatty(STDOUT_FILENO))
            throw InvalidArgument(
                describe(out) + ": binary output would go to the terminal; redirect standard output to a file or pipe");
        std::error_code ec;
        auto canonical = fs::weakly_canonical(out.path, ec).string();
        if (ec) canonical = fs::absolute(out.path).lexically_normal().string();
        struct stat st {};
        const bool exists = ::stat(out.path.c_str(), &st) == 0;
        for (const auto& s : seen)
            if (s.canonical == canonical || (exists && s.exists && s.id == id_of(st)))
                throw InvalidArgument("output " + out.path + " is named twice: each output needs its own file");
        seen.push_back({canonical, exists, exists ? id_of(st) : FileId{}});
    }
    check_outputs_are_not_inputs(outputs, inputs);
    for (const auto& out : outputs)
        m_files.push_back(out.path.empty() ? nullptr : std::make_unique<AtomicFile>(out.path));
}

bool OutputFiles::writes_standard_output() const noexcept {
    return std::any_of(m_files.begin(), m_files.end(),
                       [](const auto& f) { return f && f->descriptor() == STDOUT_FILENO; });
}

namespace {

std::vector<NamedPath> unnamed(const std::vector<std::string>& paths) {
    std::vector<NamedPath> out;
    for (const auto& p : paths) out.push_back({"", p});
    return out;
}

}  // namespace

OutputFiles::OutputFiles(const std::vector<std::string>& paths) : OutputFiles(unnamed(paths)) {}

void OutputFiles::commit() {
    for (auto& f : m_files)
        if (f) f->finish();
    {
        const PublicationGuard guard;
        for (auto& f : m_files)
            if (f) f->rename_into_place();
    }
    for (auto& f : m_files)
        if (f) f->close_after_rename();
    std::vector<std::string> dirs;
    for (auto& f : m_files) {
        if (!f || f->direct()) continue;
        std::string dir = parent_of(f->target());
        if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
    }
    for (const auto& dir : dirs) sync_directory(dir);
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
    AtomicFile f(path);
    f.write(bytes);
    f.commit();
}

void write_lines(AtomicFile& file, const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += l;
        out += '\n';
    }
    file.write(out);
}

}  // namespace factopic::io
