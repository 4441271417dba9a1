// Reading whole files with errors a user can act on: the path and the system's reason.
#pragma once

#include <string>

namespace factopic {

/// The bytes of the file at path. Throws IoError naming path when it is missing, a directory,
/// unreadable, or fails mid-read.
std::string read_file(const std::string& path);

}  // namespace factopic
