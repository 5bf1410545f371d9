#include "http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace backline::http {
namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "fatal: metrics: %s\n", why.c_str());
  std::abort();
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Prometheus sample values: Go float syntax, with +Inf/-Inf/NaN spelled out.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

// Label values escape backslash, double quote and newline.
void AppendEscapedLabel(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// HELP text escapes backslash and newline only.
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

// One sample line; `labels` is LabelText()'s output, without the closing brace.
void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  const std::string& labels, const std::string& value) {
  out += name;
  out += suffix;
  out += labels;
  if (!labels.empty()) out += '}';
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 1; i < bounds_.size(); ++i) {
    if (!(bounds_[i - 1] < bounds_[i])) Die("histogram bounds must be strictly increasing");
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot s;
  s.bounds = bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  // The +Inf bucket and _count must agree in one scrape; take both from the
  // buckets rather than from count_, which may have moved meanwhile.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

namespace internal {

FamilyBase::FamilyBase(std::string name, std::string help, std::string type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(std::move(type)),
      label_names_(std::move(label_names)) {
  if (!IsValidName(name_, /*allow_colon=*/true)) Die("bad metric name '" + name_ + "'");
  for (const std::string& l : label_names_) {
    if (!IsValidName(l, /*allow_colon=*/false) || l.starts_with("__") || l == "le") {
      Die("bad label name '" + l + "' for " + name_);
    }
  }
}

FamilyBase::~FamilyBase() = default;

void FamilyBase::CheckArity(size_t n) const {
  if (n != label_names_.size()) {
    Die(fmt::format("{} takes {} label values, got {}", name_, label_names_.size(), n));
  }
}

std::string FamilyBase::LabelText(const std::vector<std::string>& values,
                                  std::string_view extra) const {
  if (values.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    AppendEscapedLabel(out, values[i]);
    out += '"';
  }
  if (!extra.empty()) {
    if (!values.empty()) out += ',';
    out += extra;
  }
  return out;
}

void FamilyBase::RenderHeader(std::string& out) const {
  out += "# HELP " + name_ + " " + EscapeHelp(help_) + "\n";
  out += "# TYPE " + name_ + " " + type_ + "\n";
}

}  // namespace internal

template <typename M>
Family<M>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
    : internal::FamilyBase(std::move(name), std::move(help),
                           std::is_same_v<M, Counter> ? "counter"
                           : std::is_same_v<M, Gauge> ? "gauge"
                                                      : "histogram",
                           std::move(label_names)),
      bounds_(std::move(bounds)) {
  // A family without labels has its one series from the start, at zero.
  if (label_names_.empty()) WithLabels(std::span<const std::string_view>());
}

template <typename M>
Family<M>::~Family() = default;

template <typename M>
M& Family<M>::WithLabels(std::span<const std::string_view> values) {
  CheckArity(values.size());
  {
    std::shared_lock lock(mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto it = children_.find(values);
  if (it != children_.end()) return *it->second;
  std::vector<std::string> key(values.begin(), values.end());
  std::unique_ptr<M> child;
  if constexpr (std::is_same_v<M, Histogram>) {
    child = std::make_unique<Histogram>(bounds_);
  } else {
    child = std::make_unique<M>();
  }
  return *children_.emplace(std::move(key), std::move(child)).first->second;
}

template <typename M>
void Family<M>::Render(std::string& out) const {
  RenderHeader(out);
  std::shared_lock lock(mu_);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<M, Histogram>) {
      Histogram::Snapshot s = child->Snap();
      for (size_t i = 0; i < s.cumulative.size(); ++i) {
        std::string le = "le=\"";
        le += i < s.bounds.size() ? FormatValue(s.bounds[i]) : "+Inf";
        le += '"';
        AppendSample(out, name_, "_bucket", LabelText(values, le), std::to_string(s.cumulative[i]));
      }
      std::string labels = LabelText(values, "");
      AppendSample(out, name_, "_sum", labels, FormatValue(s.sum));
      AppendSample(out, name_, "_count", labels, std::to_string(s.count));
    } else {
      AppendSample(out, name_, "", LabelText(values, ""), FormatValue(child->Value()));
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

template <typename M>
Family<M>& MetricsRegistry::AddFamily(std::string_view name, std::string_view help,
                                      std::string_view type, std::vector<std::string> label_names,
                                      std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second->type() != type || it->second->label_names() != label_names) {
      Die("metric " + std::string(name) + " registered twice with different type or labels");
    }
    return static_cast<Family<M>&>(*it->second);
  }
  auto family = std::make_unique<Family<M>>(std::string(name), std::string(help),
                                            std::move(label_names), std::move(bounds));
  Family<M>& ref = *family;
  families_.emplace(std::string(name), std::move(family));
  return ref;
}

CounterFamily& MetricsRegistry::AddCounter(std::string_view name, std::string_view help,
                                           std::vector<std::string> label_names) {
  return AddFamily<Counter>(name, help, "counter", std::move(label_names), {});
}

GaugeFamily& MetricsRegistry::AddGauge(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names) {
  return AddFamily<Gauge>(name, help, "gauge", std::move(label_names), {});
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string_view name, std::string_view help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> bounds) {
  return AddFamily<Histogram>(name, help, "histogram", std::move(label_names), std::move(bounds));
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) family->Render(out);
  return out;
}

}  // namespace backline::http
