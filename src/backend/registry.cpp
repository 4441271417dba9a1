// Which backend runs a call: the only file that may test for CUDA or MPI (tools/
// check_architecture.py enforces it). Today the CPU backend is the only one built.
#include <fmt/core.h>

#include "backend.hpp"
#include "cpu/cpu.hpp"
#include "factopic/core/error.hpp"

namespace factopic::backend {

const Backend& backend_for(const runtime::ExecutionContext& context) {
    static const cpu::CpuBackend cpu_backend;
    switch (context.device) {
        case runtime::Device::cpu:
            return cpu_backend;
    }
    throw InvalidArgument(fmt::format("no backend for device {} in this build", runtime::to_string(context.device)));
}

}  // namespace factopic::backend
