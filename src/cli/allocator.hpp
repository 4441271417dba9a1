// Process-level allocator tuning for the factopic executable (not the library): see allocator.cpp.
#pragma once

namespace factopic::cli {

/// Re-executes the program once with glibc malloc tunables that back the heap with transparent
/// huge pages and keep freed memory for reuse, unless the user set GLIBC_TUNABLES themselves or
/// FACTOPIC_MALLOC_TUNING=0. Returns only when no re-execution happened.
void tune_allocator(char** argv);

}  // namespace factopic::cli
