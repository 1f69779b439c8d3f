#include "core/metrics/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace contexten::core::metrics {
namespace {

bool NameChar(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha || (colon && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGauge:
      break;
  }
  return "gauge";
}

void AppendLabels(std::string& out, const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && !le) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  if (le) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void CheckLabels(const Labels& labels) {
  for (const auto& [name, value] : labels) {
    if (!ValidLabelName(name) || name == "le") {
      throw std::invalid_argument("invalid label name: " + name);
    }
  }
}

}  // namespace

bool ValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, true)) return false;
  }
  return true;
}

bool ValidLabelName(std::string_view name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;  // reserved
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, false)) return false;
  }
  return true;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

Family& Exposition::Add(std::string name, std::string help, MetricType type) {
  for (auto& family : families_) {
    if (family.name == name) {
      if (family.type != type) throw std::invalid_argument("metric " + name + " has two types");
      return family;
    }
  }
  if (!ValidMetricName(name)) throw std::invalid_argument("invalid metric name: " + name);
  families_.push_back(Family{std::move(name), std::move(help), type, {}, {}});
  return families_.back();
}

void Exposition::Counter(const std::string& name, const std::string& help, double value,
                         Labels labels) {
  CheckLabels(labels);
  Add(name, help, MetricType::kCounter).samples.push_back({std::move(labels), value});
}

void Exposition::Gauge(const std::string& name, const std::string& help, double value,
                       Labels labels) {
  CheckLabels(labels);
  Add(name, help, MetricType::kGauge).samples.push_back({std::move(labels), value});
}

void Exposition::Histogram(const std::string& name, const std::string& help,
                           HistogramSample sample) {
  CheckLabels(sample.labels);
  if (sample.buckets.size() != sample.bounds.size() + 1) {
    throw std::invalid_argument("histogram " + name + ": buckets must be bounds + 1 (+Inf)");
  }
  Add(name, help, MetricType::kHistogram).histograms.push_back(std::move(sample));
}

std::string Exposition::Render() const {
  std::string out;
  for (const auto& family : families_) {
    out += "# HELP " + family.name + " " + EscapeHelp(family.help) + "\n";
    out += "# TYPE " + family.name + " " + std::string(TypeName(family.type)) + "\n";
    for (const auto& sample : family.samples) {
      out += family.name;
      AppendLabels(out, sample.labels);
      out += ' ' + FormatValue(sample.value) + '\n';
    }
    for (const auto& h : family.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h.buckets.size(); ++i) {
        cumulative += h.buckets[i];
        const std::string le = i < h.bounds.size() ? FormatValue(h.bounds[i]) : "+Inf";
        out += family.name + "_bucket";
        AppendLabels(out, h.labels, &le);
        out += ' ' + std::to_string(cumulative) + '\n';
      }
      out += family.name + "_sum";
      AppendLabels(out, h.labels);
      out += ' ' + FormatValue(h.sum) + '\n';
      out += family.name + "_count";
      AppendLabels(out, h.labels);
      out += ' ' + std::to_string(cumulative) + '\n';
    }
  }
  return out;
}

}  // namespace contexten::core::metrics
