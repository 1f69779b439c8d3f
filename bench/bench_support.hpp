#pragma once
// Shared helpers for the programs in bench/: latency percentiles, peak memory, a plain table.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace contexten::bench {

// Nearest-rank percentile (p in [0, 100]) of `samples`, which this sorts. 0 when empty.
double Percentile(std::vector<double>& samples, double p);

// Peak resident set size of this process in KiB (VmHWM from /proc/self/status); 0 if unknown.
std::uint64_t PeakRssKib();
// Resident set size of this process now, in KiB (VmRSS); 0 if unknown.
std::uint64_t CurrentRssKib();

// User + system CPU time this process has used so far, in seconds (getrusage). Divided by the
// work done it gives a cost that does not depend on how busy the rest of the machine is.
double ProcessCpuSeconds();
// The same for the calling thread only (getrusage RUSAGE_THREAD), to tell a load generator's
// share of the process CPU from the server's.
double ThreadCpuSeconds();

// "12.3 ms", "850 us": microseconds in a readable unit.
std::string FormatMicros(double micros);
// "123.4 MiB"
std::string FormatKib(std::uint64_t kib);

// Columns padded to their widest cell, printed as a Markdown table so it pastes into notes.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace contexten::bench
