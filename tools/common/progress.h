// Progress of a long-running command, shown on a terminal: one line on
// stderr, redrawn while the work runs and cleared when it ends. The work only
// records its phase and count (ProgressPhase, ProgressStep: a few atomic
// stores), so library code calls them freely; nothing shows unless a tool's
// main holds a ProgressDisplay.
#ifndef MOTE_TOOLS_COMMON_PROGRESS_H_
#define MOTE_TOOLS_COMMON_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace mote::tools {

// Starts a phase of the work: `what` (a string literal: it is kept by
// pointer) and, when the phase counts steps (samples), how many.
void ProgressPhase(const char* what, size_t total = 0);
// `n` more steps of the current phase done.
void ProgressStep(size_t n = 1);

// Whether a display would show: MOTE_PROGRESS=1 always, MOTE_PROGRESS=0
// never, else when stderr is a terminal (not TERM=dumb).
bool ProgressWanted();

// While it lives, shows "TOOL: PHASE DONE/TOTAL (P%), S s" on stderr once the
// work has run `delay_seconds` (MOTE_PROGRESS_AFTER=SECONDS overrides), if
// ProgressWanted(). At most one at a time.
class ProgressDisplay {
 public:
  explicit ProgressDisplay(std::string tool, double delay_seconds = 1.0);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // Redraws now if it is time (called on each new phase).
  void DrawIfDue();

 private:
  void Tick();
  void DrawLocked();

  const std::string tool_;
  const std::chrono::steady_clock::time_point start_;
  std::chrono::duration<double> delay_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace mote::tools

#endif  // MOTE_TOOLS_COMMON_PROGRESS_H_
