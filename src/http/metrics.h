// Metrics: counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format (version 0.0.4) for GET /metrics.
//
//   MetricsRegistry& m = server.metrics();
//   Counter& sold = m.AddCounter("backline_orders_total", "Orders placed.", {"currency"})
//                       .WithLabels({"EUR"});
//   sold.Increment();
//
// The registry owns its families and a family owns its children; the
// references handed out live as long as the registry. Look a child up once
// and keep the reference on hot paths: WithLabels() takes a lock.
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
// [a-zA-Z_][a-zA-Z0-9_]*; counters should end in "_total" and durations be
// in seconds ("_seconds"). Registering a bad name, the same name with another
// type or other labels, or calling WithLabels() with the wrong number of
// values aborts: those are programming errors.
//
// Thread-safety: everything here is safe to use from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace backline::http {

class Counter {
 public:
  // `by` must be >= 0: counters only go up.
  void Increment(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Increment(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  void Decrement(double by = 1) { value_.fetch_sub(by, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: bucket upper bounds, strictly increasing, without +Inf.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Snap() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// 0.5 ms .. 10 s: request latencies from in-process to slow downloads.
std::vector<double> DefaultLatencyBuckets();

namespace internal {

struct LabelsLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase();
  virtual void Render(std::string& out) const = 0;
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  void CheckArity(size_t n) const;
  // "{a=\"x\",b=\"y\"" without the closing brace, or "" when there are no
  // labels and no `extra`; `extra` is appended as one more label (le="...").
  std::string LabelText(const std::vector<std::string>& values, std::string_view extra) const;
  void RenderHeader(std::string& out) const;

  std::string name_;
  std::string help_;
  std::string type_;
  std::vector<std::string> label_names_;
};

}  // namespace internal

// The children of one metric name, one per combination of label values.
template <typename M>
class Family final : public internal::FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds);
  ~Family() override;

  // The child for `values` (in the order of the label names), created on
  // first use.
  M& WithLabels(std::span<const std::string_view> values);
  M& WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  void Render(std::string& out) const override;

 private:
  std::vector<double> bounds_;  // histograms only
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>, internal::LabelsLess> children_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;
using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Each returns the existing family when `name` is already registered with
  // the same type and label names (so several servers can share a registry).
  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names = {},
                                std::vector<double> bounds = DefaultLatencyBuckets());

  // Every family, sorted by name, in the Prometheus text format.
  std::string RenderPrometheus() const;

 private:
  template <typename M>
  Family<M>& AddFamily(std::string_view name, std::string_view help, std::string_view type,
                       std::vector<std::string> label_names, std::vector<double> bounds);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<internal::FamilyBase>, std::less<>> families_;
};

// The content type GET /metrics answers with.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace backline::http
