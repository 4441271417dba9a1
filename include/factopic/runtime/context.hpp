// Where and how one call of the library runs: the device, the thread count and the
// communicator, given per call (a notebook may fit two models at once with different thread
// counts), never set process-wide.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace factopic::runtime {

/// The device the numerics run on. Only the CPU backend exists today; the CUDA backend of issue
/// 15's seam will add one.
enum class Device { cpu };
std::string to_string(Device d);

/// The processes that share one fit (MPI ranks, later): the reductions the algorithms need of
/// them, over small dense blocks. A fit on one process uses the serial communicator, whose
/// operations leave the data as it is.
class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const noexcept = 0;
    virtual int size() const noexcept = 0;
    /// values[i] ← the sum over ranks of values[i], the same on every rank (summed in rank order,
    /// so the result does not depend on the order the ranks arrive in).
    virtual void allreduce_sum(double* values, std::size_t n) = 0;
    /// all ← the concatenation in rank order of every rank's `count` values of mine (all holds
    /// size()·count values).
    virtual void allgather(const double* mine, std::size_t count, double* all) = 0;
};

/// One process: rank 0 of 1.
class SerialCommunicator final : public Communicator {
public:
    int rank() const noexcept override { return 0; }
    int size() const noexcept override { return 1; }
    void allreduce_sum(double*, std::size_t) override {}
    void allgather(const double* mine, std::size_t count, double* all) override;
};

struct ExecutionContext {
    Device device = Device::cpu;
    /// Threads of the call's parallel regions (and of the BLAS it calls); 0: the default
    /// (OMP_NUM_THREADS, else the core count). Results do not depend on it.
    int threads = 0;
    /// Null: the serial communicator.
    std::shared_ptr<Communicator> communicator;

    /// InvalidArgument naming the field: threads < 0.
    void validate() const;
    Communicator& comm() const;
};

/// For the lifetime of the scope, the calling thread's parallel regions (and its BLAS calls)
/// use the context's thread count; the previous count is restored at the end. OpenMP keeps the
/// count per thread, so two calls on two threads each keep their own. Every entry point of the
/// library opens one. InvalidArgument for a context out of its domain, or a communicator of more
/// than one process (no algorithm is distributed yet: it would be ignored, not used).
class ContextScope {
public:
    explicit ContextScope(const ExecutionContext& context);
    ~ContextScope();
    ContextScope(const ContextScope&) = delete;
    ContextScope& operator=(const ContextScope&) = delete;

private:
    int m_saved;
};

}  // namespace factopic::runtime
