// The Prometheus text format as the exposition_formats page specifies it: HELP and TYPE once per
// family, escaped label values, cumulative histogram buckets ending in +Inf with _sum and
// _count, and the value spellings. promtool checks the whole /metrics page in
// tests/integration/metrics_promtool_test.cpp.

#include "core/metrics/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace contexten::core::metrics {
namespace {

TEST(PrometheusTextTest, CountersAndGaugesRenderWithHelpTypeAndLabels) {
  Exposition e;
  e.Counter("contexten_requests_total", "Calls made.", 3, {{"integration", "linear"}});
  e.Counter("contexten_requests_total", "Calls made.", 5, {{"integration", "slack"}});
  e.Gauge("contexten_outbox_depth", "Pending effects.", 0);
  EXPECT_EQ(e.Render(),
            "# HELP contexten_requests_total Calls made.\n"
            "# TYPE contexten_requests_total counter\n"
            "contexten_requests_total{integration=\"linear\"} 3\n"
            "contexten_requests_total{integration=\"slack\"} 5\n"
            "# HELP contexten_outbox_depth Pending effects.\n"
            "# TYPE contexten_outbox_depth gauge\n"
            "contexten_outbox_depth 0\n");
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeAndEndInInf) {
  Exposition e;
  HistogramSample h;
  h.labels = {{"lane", "slack"}};
  h.bounds = {0.1, 1};
  h.buckets = {2, 1, 4};
  h.sum = 9.25;
  e.Histogram("contexten_latency_seconds", "Latency.", h);
  EXPECT_EQ(e.Render(),
            "# HELP contexten_latency_seconds Latency.\n"
            "# TYPE contexten_latency_seconds histogram\n"
            "contexten_latency_seconds_bucket{lane=\"slack\",le=\"0.1\"} 2\n"
            "contexten_latency_seconds_bucket{lane=\"slack\",le=\"1\"} 3\n"
            "contexten_latency_seconds_bucket{lane=\"slack\",le=\"+Inf\"} 7\n"
            "contexten_latency_seconds_sum{lane=\"slack\"} 9.25\n"
            "contexten_latency_seconds_count{lane=\"slack\"} 7\n");
}

TEST(PrometheusTextTest, LabelValuesAndHelpAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("line\\one\ntwo \"quoted\""), "line\\\\one\\ntwo \"quoted\"");
  Exposition e;
  e.Gauge("x", "h", 1, {{"detail", "say \"hi\"\n"}});
  EXPECT_NE(e.Render().find("x{detail=\"say \\\"hi\\\"\\n\"} 1\n"), std::string::npos);
}

TEST(PrometheusTextTest, ValuesAreSpelledAsTheFormatWants) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatValue(1e20), "1e+20");
}

TEST(PrometheusTextTest, NamesTheFormatForbidsAreRefused) {
  EXPECT_TRUE(ValidMetricName("contexten:up_total"));
  EXPECT_FALSE(ValidMetricName("1abc"));
  EXPECT_FALSE(ValidMetricName("a-b"));
  EXPECT_FALSE(ValidMetricName(""));
  EXPECT_TRUE(ValidLabelName("integration"));
  EXPECT_FALSE(ValidLabelName("__name"));
  EXPECT_FALSE(ValidLabelName("a:b"));
  Exposition e;
  EXPECT_THROW(e.Gauge("bad-name", "h", 1), std::invalid_argument);
  EXPECT_THROW(e.Gauge("ok", "h", 1, {{"le", "1"}}), std::invalid_argument);
  e.Gauge("twice", "h", 1);
  EXPECT_THROW(e.Counter("twice", "h", 1), std::invalid_argument);  // one type per family
  HistogramSample wrong;
  wrong.bounds = {1};
  wrong.buckets = {1};
  EXPECT_THROW(e.Histogram("h_seconds", "h", wrong), std::invalid_argument);
}

}  // namespace
}  // namespace contexten::core::metrics
