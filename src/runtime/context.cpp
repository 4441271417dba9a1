#include "factopic/runtime/context.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "factopic/core/error.hpp"
#include "factopic/runtime/parallel.hpp"

namespace factopic::runtime {

std::string to_string(Device d) {
    switch (d) {
        case Device::cpu:
            return "cpu";
    }
    return "?";
}

void SerialCommunicator::allgather(const double* mine, std::size_t count, double* all) {
    std::copy(mine, mine + count, all);
}

void ExecutionContext::validate() const {
    if (threads < 0)
        throw InvalidArgument(fmt::format("threads = {} is out of range: give 0 (the default) or more", threads));
}

Communicator& ExecutionContext::comm() const {
    static SerialCommunicator serial;
    return communicator ? *communicator : serial;
}

ContextScope::ContextScope(const ExecutionContext& context) : m_saved(max_threads()) {
    context.validate();
    if (context.comm().size() > 1)
        throw InvalidArgument(
            fmt::format("a communicator of {} processes: the decompositions run on one process "
                        "(the distributed ones are not built yet)",
                        context.comm().size()));
    set_threads(context.threads);
}

ContextScope::~ContextScope() { set_threads(m_saved); }

}  // namespace factopic::runtime
