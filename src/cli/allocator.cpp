// Why re-execute: on the machines factopic is measured on, a third to a half of vectorizing the 20
// Newsgroups is spent in page faults on freshly allocated memory (the counting buffers, the CSR
// arrays, the decoded documents). glibc can back the heap with transparent huge pages
// (glibc.malloc.hugetlb=1: 512 times fewer faults) and stop returning freed memory to the kernel
// only to fault it in again (mmap/trim thresholds), but it reads those settings from
// GLIBC_TUNABLES at start-up only. Measured with `factopic vectorize` on all 20 categories:
// vectorize 0.29 s → 0.14 s, whole run 0.68 s → 0.36 s (DESIGN.md). The cost is one exec.
#include "allocator.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace factopic::cli {

void tune_allocator(char** argv) {
    if (std::getenv("GLIBC_TUNABLES") != nullptr) return;  // the user's choice, or already done
    const char* opt = std::getenv("FACTOPIC_MALLOC_TUNING");
    if (opt != nullptr && std::strcmp(opt, "0") == 0) return;
    ::setenv("GLIBC_TUNABLES",
             "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1073741824:"
             "glibc.malloc.trim_threshold=2147483648:glibc.malloc.top_pad=268435456",
             1);
    ::execv("/proc/self/exe", argv);
    ::unsetenv("GLIBC_TUNABLES");  // exec failed (no /proc): run untuned
}

}  // namespace factopic::cli
