// Outputs named "-" (or /dev/stdout) share standard output with the run's own report: once the outputs are open
// (each "-" holding its own copy of the descriptor), the report moves to standard error, so that
// `factopic nmf ... --doc-topics - | head` gets the table and nothing else.
#pragma once

#include <unistd.h>

#include <cstdio>

#include "factopic/io/atomic_file.hpp"

namespace factopic::cli {

inline void keep_report_off_standard_output(const io::OutputFiles& outputs) {
    if (!outputs.writes_standard_output()) return;
    std::fflush(stdout);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
}

}  // namespace factopic::cli
