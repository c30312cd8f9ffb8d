// No growth: `edgediag check` run CYCLES times in one process, as --watch
// and a long-lived caller would, against one snapshot (a 10,000-peer hub in
// CTest), with its state and Prometheus files kept between cycles as cron
// keeps them. After a warm-up (a tenth of the cycles, at least 2: from the
// second on, each also loads the previous state) the open file descriptors
// must not change at all, and the resident set and its peak may not grow by
// more than SLACK.
//
// usage: check_cycles SNAPSHOT CYCLES [SLACK-PERCENT]
// Prints the figures every tenth of the run and a last line
// "check-cycles: N cycles, after W: fds A -> B, rss X -> Y KiB, peak P -> Q KiB, T s".
// Exit 0 when flat, 1 when it grew, 2 when a cycle failed.
#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "op-mode/cli.h"

namespace {

int OpenFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
    n -= 3;  // ".", ".." and the directory's own descriptor
  }
  return n;
}

// VmRSS and VmHWM from /proc/self/status, in KiB.
void Rss(long& rss, long& peak) {
  std::ifstream in("/proc/self/status");
  std::string line;
  rss = peak = 0;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::atol(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) peak = std::atol(line.c_str() + 6);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: check_cycles SNAPSHOT CYCLES [SLACK-PERCENT]\n";
    return 64;
  }
  const std::string snapshot = argv[1];
  const int cycles = std::atoi(argv[2]);
  const double slack = argc > 3 ? std::atof(argv[3]) : 10.0;
  char dir_template[] = "/tmp/edgediag-cycles.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return 2;
  const std::string state = std::string(dir) + "/state.json";
  const std::string prom = std::string(dir) + "/edgediag.prom";
  // A deadline no load can reach: this is about growth, not speed.
  const std::vector<const char*> args = {"--deadline", "3600", "--from-snapshot", snapshot.c_str(),
                                         "check", "--no-syslog",
                                         "--state", state.c_str(), "--prometheus", prom.c_str()};

  const auto start = std::chrono::steady_clock::now();
  const int warmup = std::max(2, cycles / 10);
  int fds0 = 0, fds = 0;
  long rss0 = 0, rss = 0, peak = 0, peak0 = 0;
  bool flat = true;
  for (int i = 1; i <= cycles; ++i) {
    std::ostringstream out, err;
    const int code = edgediag::opmode::Run(args, out, err);
    if (code > 3 || out.str().rfind("EDGEDIAG ", 0) != 0) {
      std::cerr << "cycle " << i << ": exit " << code << ": " << out.str() << err.str();
      return 2;
    }
    fds = OpenFds();
    Rss(rss, peak);
    // The baseline is taken once the run has warmed up: from the second
    // cycle on, each run also loads the previous state (a whole snapshot),
    // and malloc's arenas settle over the first few.
    if (i == warmup) {
      fds0 = fds;
      rss0 = rss;
      peak0 = peak;
    }
    if (i >= warmup && fds != fds0) flat = false;
    if (cycles >= 10 && i % (cycles / 10) == 0)
      std::printf("cycle %5d: fds %d, rss %ld KiB, peak %ld KiB\n", i, fds, rss, peak);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rss > rss0 + static_cast<long>(rss0 * slack / 100)) flat = false;
  if (peak > peak0 + static_cast<long>(peak0 * slack / 100)) flat = false;
  std::printf(
      "check-cycles: %d cycles, after %d: fds %d -> %d, rss %ld -> %ld KiB, peak %ld -> %ld KiB, "
      "%.0f s\n",
      cycles, warmup, fds0, fds, rss0, rss, peak0, peak, secs);
  std::remove(state.c_str());
  std::remove(prom.c_str());
  std::remove(dir);
  if (!flat) std::printf("check-cycles: GREW (allowed: fds equal, rss within %.0f%%)\n", slack);
  return flat ? 0 : 1;
}
