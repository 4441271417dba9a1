#include "factopic/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "factopic/core/error.hpp"

namespace factopic::io {

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path)) {
    const std::filesystem::path target(m_path);
    std::error_code ec;
    if (std::filesystem::is_directory(target, ec)) throw IoError("cannot write " + m_path + ": it is a directory");
    m_temp = (target.parent_path() / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkstemp(m_temp.data());
    if (fd < 0) throw IoError("cannot write " + m_path + ": " + std::strerror(errno));
    ::fchmod(fd, 0644);
    m_file = ::fdopen(fd, "wb");
    if (!m_file) {
        const int err = errno;
        ::close(fd);
        ::unlink(m_temp.c_str());
        throw IoError("cannot write " + m_path + ": " + std::strerror(err));
    }
}

AtomicFile::~AtomicFile() {
    if (m_file) std::fclose(m_file);
    if (!m_committed) ::unlink(m_temp.c_str());
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

void AtomicFile::commit() {
    if (!m_file) throw IoError("cannot write " + m_path + ": file already closed");
    if (std::fflush(m_file) != 0) fail("write");
    if (::fsync(::fileno(m_file)) != 0) fail("sync");
    if (std::fclose(m_file) != 0) {
        m_file = nullptr;
        fail("close");
    }
    m_file = nullptr;
    if (std::rename(m_temp.c_str(), m_path.c_str()) != 0) fail("rename into");
    m_committed = true;
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
    AtomicFile f(path);
    f.write(bytes);
    f.commit();
}

void write_lines_atomic(const std::string& path, const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += l;
        out += '\n';
    }
    write_file_atomic(path, out);
}

}  // namespace factopic::io
