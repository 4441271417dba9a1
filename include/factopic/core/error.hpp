// The typed errors of factopic. The library throws these at its boundary and never prints or
// exits; the CLI maps them to exit codes (InvalidArgument → 2 when it came from the command
// line, everything else → 1).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace factopic {

/// Base of every error factopic throws on purpose; what() is one line meant for a user.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An option or argument that breaks a documented rule (names the field, value and rule).
class InvalidArgument : public Error {
public:
    using Error::Error;
};

/// Input data that cannot be understood: names the file and, when known, the line.
class ParseError : public Error {
public:
    ParseError(const std::string& file, std::size_t line, const std::string& message)
        : Error(line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message),
          m_file(file),
          m_line(line) {}
    const std::string& file() const noexcept { return m_file; }
    std::size_t line() const noexcept { return m_line; }

private:
    std::string m_file;
    std::size_t m_line;
};

/// The environment failed: a file could not be opened, read, written or renamed.
class IoError : public Error {
public:
    using Error::Error;
};

/// Well-formed input that does not fit the request: no documents, no terms left, a category
/// the corpus does not have.
class DataError : public Error {
public:
    using Error::Error;
};

}  // namespace factopic
