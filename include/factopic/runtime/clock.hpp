// Wall-clock timing for the phase timings that results and reports carry.
#pragma once

#include <chrono>

namespace factopic::runtime {

using Clock = std::chrono::steady_clock;

/// Seconds from t0 to now.
inline double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace factopic::runtime
