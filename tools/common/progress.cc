#include "common/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mote::tools {
namespace {

std::atomic<const char*> g_phase{nullptr};
std::atomic<size_t> g_done{0};
std::atomic<size_t> g_total{0};
std::atomic<ProgressDisplay*> g_display{nullptr};

constexpr auto kRedraw = std::chrono::milliseconds(100);

size_t TerminalColumns() {
  winsize w{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 1) return w.ws_col;
  return 100;
}

}  // namespace

void ProgressPhase(const char* what, size_t total) {
  g_total.store(total, std::memory_order_relaxed);
  g_done.store(0, std::memory_order_relaxed);
  g_phase.store(what, std::memory_order_release);
  if (ProgressDisplay* d = g_display.load(std::memory_order_acquire)) d->DrawIfDue();
}

void ProgressStep(size_t n) { g_done.fetch_add(n, std::memory_order_relaxed); }

bool ProgressWanted() {
  const char* force = std::getenv("MOTE_PROGRESS");
  if (force != nullptr && *force != '\0') return std::strcmp(force, "0") != 0;
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) && !(term != nullptr && std::strcmp(term, "dumb") == 0);
}

ProgressDisplay::ProgressDisplay(std::string tool, double delay_seconds)
    : tool_(std::move(tool)), start_(std::chrono::steady_clock::now()), delay_(delay_seconds) {
  if (!ProgressWanted()) return;
  if (const char* after = std::getenv("MOTE_PROGRESS_AFTER"))
    delay_ = std::chrono::duration<double>(std::atof(after));
  g_phase.store(nullptr);
  g_display.store(this, std::memory_order_release);
  thread_ = std::thread([this] { Tick(); });
}

ProgressDisplay::~ProgressDisplay() {
  if (!thread_.joinable()) return;
  g_display.store(nullptr, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (drawn_) {
    std::fputs("\r\033[K", stderr);  // leave the terminal as it was
    std::fflush(stderr);
  }
}

void ProgressDisplay::DrawIfDue() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!stop_) DrawLocked();
}

void ProgressDisplay::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    DrawLocked();
    wake_.wait_for(lock, kRedraw);
  }
}

void ProgressDisplay::DrawLocked() {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  const char* phase = g_phase.load(std::memory_order_acquire);
  if (elapsed < delay_ || phase == nullptr) return;
  const size_t total = g_total.load(std::memory_order_relaxed);
  const size_t done = std::min(g_done.load(std::memory_order_relaxed), total);
  char line[256];
  if (total > 0) {
    std::snprintf(line, sizeof(line), "%s: %s %zu/%zu (%zu%%), %.1f s", tool_.c_str(), phase, done,
                  total, done * 100 / total, elapsed.count());
  } else {
    std::snprintf(line, sizeof(line), "%s: %s, %.1f s", tool_.c_str(), phase, elapsed.count());
  }
  std::string text = line;
  const size_t columns = TerminalColumns();
  if (text.size() >= columns)
    text.resize(columns - 1);  // a wrapped line would not be redrawn in place
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace mote::tools
