// Address and prefix parsing: the IPv4 fast path must accept and refuse
// exactly what inet_pton(3) does.
#include "plugin/ip.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace edgediag::plugin {
namespace {

// inet_pton's verdict for `text`, as a Prefix.
std::optional<Prefix> Libc(const std::string& text) {
  Prefix p;
  if (inet_pton(AF_INET, text.c_str(), p.bytes.data()) == 1) {
    p.family = 4, p.len = 32;
    return p;
  }
  if (inet_pton(AF_INET6, text.c_str(), p.bytes.data()) == 1) {
    p.family = 6, p.len = 128;
    return p;
  }
  return std::nullopt;
}

TEST(ParseAddress, AgreesWithInetPton) {
  for (std::string t :
       {"0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.0.01", "1.2.3", "1.2.3.4.", ".1.2.3.4",
        "1.2.3.4.5", "256.1.1.1", "1.2.3.999", "1234.1.1.1", "1..2.3", "1.2.3.-4", "1.2.3.4 ",
        " 1.2.3.4", "", "01.2.3.4", "0.0.0.0x", "1.2.3.+4", "::", "::1", "fe80::1",
        "::ffff:192.0.2.1", "2001:db8::", "2001:db8:::1", "1:2:3:4:5:6:7:8", "g::1"}) {
    SCOPED_TRACE(t);
    EXPECT_EQ(ParseAddress(t), Libc(t));
  }
  // Random strings over the characters of addresses.
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789.:";
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    for (int n = static_cast<int>(rng() % 16); n > 0; --n) t += alphabet[rng() % alphabet.size()];
    SCOPED_TRACE(t);
    ASSERT_EQ(ParseAddress(t), Libc(t));
  }
}

TEST(ParsePrefix, LengthsPerFamily) {
  auto p = ParsePrefix("10.1.2.3/8");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->family, 4);
  EXPECT_EQ(p->len, 8);
  EXPECT_EQ(p->Network().ToString(), "10.0.0.0/8");
  EXPECT_FALSE(ParsePrefix("10.0.0.0/33"));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/"));
  EXPECT_FALSE(ParsePrefix("10.0.0.0/-1"));
  EXPECT_EQ(ParsePrefix("2001:db8::/129"), std::nullopt);
  EXPECT_EQ(ParsePrefix("2001:db8::/32")->len, 32);
  EXPECT_EQ(ParsePrefix("192.0.2.1")->len, 32);
}

}  // namespace
}  // namespace edgediag::plugin
