#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace backline::http {
namespace {

TEST(MetricsTest, CounterWithLabels) {
  MetricsRegistry m;
  CounterFamily& sold = m.AddCounter("backline_orders_total", "Orders placed.", {"currency"});
  sold.WithLabels({"EUR"}).Increment();
  sold.WithLabels({"EUR"}).Increment(2);
  sold.WithLabels({"USD"}).Increment();
  EXPECT_EQ(
      "# HELP backline_orders_total Orders placed.\n"
      "# TYPE backline_orders_total counter\n"
      "backline_orders_total{currency=\"EUR\"} 3\n"
      "backline_orders_total{currency=\"USD\"} 1\n",
      m.RenderPrometheus());
}

TEST(MetricsTest, UnlabeledSeriesStartAtZero) {
  MetricsRegistry m;
  m.AddGauge("queue_depth", "Items waiting.");
  EXPECT_EQ("# HELP queue_depth Items waiting.\n# TYPE queue_depth gauge\nqueue_depth 0\n",
            m.RenderPrometheus());
}

TEST(MetricsTest, GaugeGoesBothWays) {
  MetricsRegistry m;
  Gauge& g = m.AddGauge("open", "Open things.", {"server"}).WithLabels({"a"});
  g.Increment();
  g.Increment();
  g.Decrement();
  EXPECT_EQ(1, g.Value());
  g.Set(0.25);
  EXPECT_NE(std::string::npos, m.RenderPrometheus().find("open{server=\"a\"} 0.25\n"));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry m;
  m.AddCounter("c_total", "Line one\\two\nthree", {"path"}).WithLabels({"a\"b\\c\nd"}).Increment();
  EXPECT_EQ(
      "# HELP c_total Line one\\\\two\\nthree\n"
      "# TYPE c_total counter\n"
      "c_total{path=\"a\\\"b\\\\c\\nd\"} 1\n",
      m.RenderPrometheus());
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry m;
  Histogram& h =
      m.AddHistogram("latency_seconds", "Latency.", {"route"}, {0.1, 1, 10}).WithLabels({"/a"});
  h.Observe(0.05);
  h.Observe(0.1);  // upper bounds are inclusive
  h.Observe(0.5);
  h.Observe(100);
  EXPECT_EQ(
      "# HELP latency_seconds Latency.\n"
      "# TYPE latency_seconds histogram\n"
      "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
      "latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
      "latency_seconds_bucket{route=\"/a\",le=\"10\"} 3\n"
      "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
      "latency_seconds_sum{route=\"/a\"} 100.65\n"
      "latency_seconds_count{route=\"/a\"} 4\n",
      m.RenderPrometheus());
}

TEST(MetricsTest, UnlabeledHistogram) {
  MetricsRegistry m;
  m.AddHistogram("h", "H.", {}, {1}).WithLabels({}).Observe(2);
  EXPECT_EQ(
      "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
      "h_sum 2\nh_count 1\n",
      m.RenderPrometheus());
}

TEST(MetricsTest, FamiliesRenderSortedAndAreSharedByName) {
  MetricsRegistry m;
  CounterFamily& b1 = m.AddCounter("b_total", "B.", {"x"});
  m.AddCounter("a_total", "A.");
  CounterFamily& b2 = m.AddCounter("b_total", "B.", {"x"});
  EXPECT_EQ(&b1, &b2);
  std::string text = m.RenderPrometheus();
  EXPECT_LT(text.find("a_total"), text.find("b_total"));
}

TEST(MetricsTest, ConcurrentIncrementsAddUp) {
  MetricsRegistry m;
  CounterFamily& f = m.AddCounter("n_total", "N.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) f.WithLabels({"same"}).Increment();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(40000, f.WithLabels({"same"}).Value());
}

TEST(MetricsDeathTest, ProgrammingErrorsAbort) {
  MetricsRegistry m;
  EXPECT_DEATH(m.AddCounter("bad name", "x"), "bad metric name");
  EXPECT_DEATH(m.AddCounter("ok_total", "x", {"le"}), "bad label name");
  CounterFamily& f = m.AddCounter("two_total", "x", {"a", "b"});
  EXPECT_DEATH(f.WithLabels({"only-one"}), "takes 2 label values");
  EXPECT_DEATH(m.AddGauge("two_total", "x", {"a", "b"}), "registered twice");
}

}  // namespace
}  // namespace backline::http
