#include "plugin/capture.h"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include "base/key_print.h"

namespace edgediag::plugin {
namespace {

std::string Rfc3339(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Snapshot Capture(const CaptureOptions& options) {
  Snapshot s;
  s.taken_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  s.taken_at = Rfc3339(s.taken_at_ms);
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) s.hostname = host;
  s.key_salt = NewKeySalt();
  if (options.kernel) CaptureKernel(s, options);
  if (options.wireguard) CaptureWireguard(s, options);
  if (options.xfrm) CaptureXfrm(s, options);
  if (options.frr) CaptureFrr(s, options);
  if (options.vici) CaptureIpsec(s, options);
  if (options.nftables) CaptureNftables(s, options);
  return s;
}

}  // namespace edgediag::plugin
