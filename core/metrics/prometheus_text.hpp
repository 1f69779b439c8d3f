#pragma once
// The Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/
// exposition_formats): families of counters, gauges and histograms, rendered by hand in this
// one place. A scrape builds an Exposition from the live stats and renders it; nothing here
// keeps state between scrapes.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contexten::core::metrics {

inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

struct Sample {
  Labels labels;
  double value = 0;
};

struct HistogramSample {
  Labels labels;
  std::vector<double> bounds;          // upper bounds, ascending, without +Inf
  std::vector<std::uint64_t> buckets;  // per bucket (not cumulative), bounds.size() + 1 (+Inf)
  double sum = 0;
};

struct Family {
  std::string name;  // counters end in _total (the format's convention, promtool checks it)
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;
  std::vector<HistogramSample> histograms;
};

class Exposition {
 public:
  // Returns the family `name`, adding it (with help and type) the first time. Throws
  // std::invalid_argument for a name the format does not allow: names are compile-time
  // constants, so that is a programming error.
  Family& Add(std::string name, std::string help, MetricType type);
  void Counter(const std::string& name, const std::string& help, double value, Labels labels = {});
  void Gauge(const std::string& name, const std::string& help, double value, Labels labels = {});
  void Histogram(const std::string& name, const std::string& help, HistogramSample sample);

  // Families in the order added; each family's samples in the order added.
  std::string Render() const;

 private:
  std::vector<Family> families_;
};

bool ValidMetricName(std::string_view name);
bool ValidLabelName(std::string_view name);
// Label values escape backslash, double quote and newline; HELP text backslash and newline.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);
// Integers without a decimal point, +Inf / -Inf / NaN as the format spells them, else
// shortest round-trip.
std::string FormatValue(double value);

}  // namespace contexten::core::metrics
