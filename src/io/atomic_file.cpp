#include "factopic/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>

#include "factopic/core/error.hpp"

namespace factopic::io {
namespace {

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

}  // namespace

void remove_pending_temporaries() noexcept {
    for (auto& slot : g_pending)
        if (const char* path = slot.load()) ::unlink(path);
}

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path)) {
    const std::filesystem::path target(m_path);
    std::error_code ec;
    if (std::filesystem::is_directory(target, ec)) throw IoError("cannot write " + m_path + ": it is a directory");
    std::string name = target.filename().string();
    name.insert(name.begin(), '.');
    name.append(".tmp-XXXXXX");
    // The name is registered before the file exists (mkstemp would create it first): a signal
    // that arrives in between, on any thread, then finds it in the table — unlinking a path
    // that does not exist yet is harmless.
    const std::string prefix = (target.parent_path() / name).string();
    static std::atomic<std::uint64_t> counter{0};
    std::mt19937_64 gen(std::random_device{}() ^ (static_cast<std::uint64_t>(::getpid()) << 32) ^ counter++);
    constexpr char k_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        m_temp = prefix;  // ends in XXXXXX, replaced by random characters
        for (std::size_t i = m_temp.size() - 6; i < m_temp.size(); ++i) m_temp[i] = k_chars[gen() % (sizeof k_chars - 1)];
        m_pending = register_pending(m_temp.c_str());
        fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            const int err = errno;
            unregister();
            if (err != EEXIST) throw IoError("cannot write " + m_path + ": " + std::strerror(err));
        }
    }
    if (fd < 0) throw IoError("cannot write " + m_path + ": no free temporary name beside it");
    ::fchmod(fd, 0644);
    m_file = ::fdopen(fd, "wb");
    if (!m_file) {
        const int err = errno;
        ::close(fd);
        unregister();
        ::unlink(m_temp.c_str());
        throw IoError("cannot write " + m_path + ": " + std::strerror(err));
    }
}

AtomicFile::~AtomicFile() {
    if (m_file) std::fclose(m_file);
    if (!m_committed) ::unlink(m_temp.c_str());
    unregister();
}

void AtomicFile::unregister() noexcept {
    if (m_pending) m_pending->store(nullptr);
    m_pending = nullptr;
}

void AtomicFile::fail(const char* what) {
    const int err = errno;
    if (m_file) std::fclose(m_file);
    m_file = nullptr;
    ::unlink(m_temp.c_str());
    throw IoError(std::string("cannot ") + what + " " + m_path + ": " + std::strerror(err));
}

void AtomicFile::write(std::string_view bytes) {
    if (!m_file) throw IoError("cannot write " + m_path + ": file already closed");
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size()) fail("write");
}

void AtomicFile::finish() {
    if (!m_file) throw IoError("cannot write " + m_path + ": file already closed");
    if (std::fflush(m_file) != 0) fail("write");
    if (::fsync(::fileno(m_file)) != 0) fail("sync");
    if (std::fclose(m_file) != 0) {
        m_file = nullptr;
        fail("close");
    }
    m_file = nullptr;
    m_finished = true;
}

void AtomicFile::publish() {
    if (!m_finished) throw IoError("cannot write " + m_path + ": not finished");
    if (std::rename(m_temp.c_str(), m_path.c_str()) != 0) fail("rename into");
    m_committed = true;
    unregister();
}

void AtomicFile::commit() {
    finish();
    publish();
}

OutputFiles::OutputFiles(const std::vector<std::string>& paths) {
    std::vector<std::string> seen;
    for (const auto& p : paths) {
        if (p.empty()) continue;
        std::error_code ec;
        auto canonical = std::filesystem::weakly_canonical(p, ec).string();
        if (ec) canonical = std::filesystem::absolute(p).lexically_normal().string();
        for (const auto& s : seen)
            if (s == canonical) throw InvalidArgument("output " + p + " is named twice: each output needs its own file");
        seen.push_back(canonical);
    }
    for (const auto& p : paths) m_files.push_back(p.empty() ? nullptr : std::make_unique<AtomicFile>(p));
}

void OutputFiles::commit() {
    for (auto& f : m_files)
        if (f) f->finish();
    for (auto& f : m_files)
        if (f) f->publish();
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
