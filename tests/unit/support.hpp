// What the unit tests share: a temporary directory that cleans up after itself, reading a
// whole file, and a guard that gives back the thread count a test changed.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "factopic/runtime/context.hpp"

namespace factopic::test_support {

/// For a test that sets the thread count (runtime::set_threads) to compare results across
/// counts: the count it found is back when the test ends, pass or fail.
struct ThreadCountGuard : runtime::ContextScope {
    ThreadCountGuard() : runtime::ContextScope(runtime::ExecutionContext{}) {}
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A fresh directory under the system's temporary folder, removed (whatever its permissions
/// became) with everything in it when the object goes.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string t = (std::filesystem::temp_directory_path() / "factopic-test-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    /// How many entries the directory holds.
    std::size_t entries() const {
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path), {}));
    }
    /// Writes text to a file in the directory; returns its path.
    std::string write(const std::string& name, const std::string& text) const {
        const std::filesystem::path p = path / name;
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }
};

}  // namespace factopic::test_support
