#include "plugin/vif_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace edgediag::plugin {
namespace {

constexpr char kSalt[] = "vif-test-salt";

Result<std::vector<Vif>> Parse(std::string_view text) { return ParseVifs(text, "vifs.json", kSalt); }

std::string ErrorOf(std::string_view text) {
  auto r = Parse(text);
  return r.ok() ? "(no error)" : r.error().what;
}

TEST(VifReader, ReadsTheWholeDescribeResponse) {
  auto r = ReadVifFile(EDGEDIAG_TESTDATA "/vif/describe-virtual-interfaces.json", kSalt);
  ASSERT_TRUE(r.ok()) << r.error().what;
  ASSERT_EQ(r->size(), 2u);
  const Vif& p = (*r)[0];
  EXPECT_EQ(p.virtualInterfaceId, "dxvif-ffhhk74f");
  EXPECT_EQ(p.virtualInterfaceType, "private");
  EXPECT_EQ(p.vlan, 101);
  EXPECT_EQ(p.asn, 65000u);
  EXPECT_EQ(p.amazonSideAsn, 64512u);
  EXPECT_EQ(p.mtu, 9001u);
  EXPECT_EQ(p.jumboFrameCapable, true);
  EXPECT_EQ(p.amazonAddress, "169.254.255.1/30");
  EXPECT_EQ(p.customerAddress, "169.254.255.2/30");
  ASSERT_TRUE(p.authKey.has_value());
  EXPECT_EQ(p.authKey->length_bytes, 24u);
  ASSERT_EQ(p.bgpPeers.size(), 2u);
  EXPECT_EQ(p.bgpPeers[1].addressFamily, "ipv6");
  EXPECT_EQ(p.bgpPeers[1].customerAddress, "2001:db8:1100:2f0:0:1:9cb4:4216/125");
  EXPECT_EQ(p.bgpPeers[1].bgpPeerId, "dxpeer-fh1ikd6v");
}

TEST(VifReader, AsnLongWinsOverAsn) {
  auto r = ReadVifFile(EDGEDIAG_TESTDATA "/vif/describe-virtual-interfaces.json", kSalt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[1].asn, 4200000000u);
  EXPECT_EQ((*r)[1].routeFilterPrefixes, (std::vector<std::string>{"203.0.113.0/30", "203.0.113.4/30"}));
}

TEST(VifReader, AcceptsASingleVirtualInterfaceObject) {
  auto r = Parse(R"({"virtualInterfaceId": "dxvif-one", "vlan": 7, "asn": 65001,
                     "amazonAddress": "169.254.1.1/31", "customerAddress": "169.254.1.0/31"})");
  ASSERT_TRUE(r.ok()) << r.error().what;
  EXPECT_EQ((*r)[0].vlan, 7);
  EXPECT_FALSE((*r)[0].authKey.has_value());
}

TEST(VifReader, AVifDescribedOnlyThroughBgpPeersWorks) {
  auto r = Parse(R"({"virtualInterfaceId": "dxvif-peers", "vlan": 300, "asn": 65001,
                     "bgpPeers": [{"addressFamily": "ipv6", "asn": 65001,
                                   "amazonAddress": "2001:db8::1/125",
                                   "customerAddress": "2001:db8::6/125"}]})");
  ASSERT_TRUE(r.ok()) << r.error().what;
  auto peers = Peerings((*r)[0]);
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].customerAddress, "2001:db8::6/125");
}

TEST(VifReader, PeeringsPutTheTopLevelPeeringFirstOnce) {
  auto r = ReadVifFile(EDGEDIAG_TESTDATA "/vif/describe-virtual-interfaces.json", kSalt);
  ASSERT_TRUE(r.ok());
  auto peers = Peerings((*r)[0]);
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0].customerAddress, "169.254.255.2/30");
  auto pub = Peerings((*r)[1]);
  ASSERT_EQ(pub.size(), 1u);
  EXPECT_EQ(pub[0].asn, 4200000000u);
}

TEST(VifReader, TheKeyItselfIsNotKept) {
  auto r = ReadVifFile(EDGEDIAG_TESTDATA "/vif/describe-virtual-interfaces.json", kSalt);
  ASSERT_TRUE(r.ok());
  const auto& k = *(*r)[0].authKey;
  for (const auto* fp : {&k.fp_raw, &k.fp_trimmed, &k.fp_folded, &k.fp_normalised})
    EXPECT_EQ(fp->find("0xzxgA9YoW9h58u8SEXAMPLE"), std::string::npos);
}

struct BadCase {
  const char* name;
  const char* text;
  const char* error;
};

class VifReaderErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(VifReaderErrors, NameTheFileTheVifAndTheField) { EXPECT_EQ(ErrorOf(GetParam().text), GetParam().error); }

INSTANTIATE_TEST_SUITE_P(
    Cases, VifReaderErrors,
    ::testing::Values(
        BadCase{"NotJson", "{virtualInterfaces: [",
                "vifs.json: not valid JSON (expected the output of `aws directconnect "
                "describe-virtual-interfaces`)"},
        BadCase{"NeitherShape", R"({"connections": []})",
                "vifs.json: neither a describe-virtual-interfaces response "
                "(\"virtualInterfaces\") nor a virtual interface (\"virtualInterfaceId\")"},
        BadCase{"ListNotList", R"({"virtualInterfaces": {}})",
                "vifs.json: \"virtualInterfaces\" is not a list"},
        BadCase{"EntryNotObject", R"({"virtualInterfaces": [3]})",
                "vifs.json: virtualInterfaces[0]: expected an object, found number"},
        BadCase{"MissingId", R"({"virtualInterfaces": [{"vlan": 5}]})",
                "vifs.json: virtualInterfaces[0]: field \"virtualInterfaceId\": missing"},
        BadCase{"VlanOutOfRange",
                R"({"virtualInterfaceId": "dxvif-a", "vlan": 5000, "asn": 1,
                    "amazonAddress": "169.254.1.1/30", "customerAddress": "169.254.1.2/30"})",
                "vifs.json: dxvif-a: field \"vlan\": 5000 is out of range 1..4094"},
        BadCase{"VlanMissing",
                R"({"virtualInterfaceId": "dxvif-a", "asn": 1,
                    "amazonAddress": "169.254.1.1/30", "customerAddress": "169.254.1.2/30"})",
                "vifs.json: dxvif-a: field \"vlan\": missing"},
        BadCase{"AsnNotANumber",
                R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": "sixty",
                    "amazonAddress": "169.254.1.1/30", "customerAddress": "169.254.1.2/30"})",
                "vifs.json: dxvif-a: field \"asn\": \"sixty\" is not a number"},
        BadCase{"AddressWithoutPrefix",
                R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": 1,
                    "amazonAddress": "169.254.1.1", "customerAddress": "169.254.1.2/30"})",
                "vifs.json: dxvif-a: field \"amazonAddress\": \"169.254.1.1\" is not an address "
                "with a prefix length (e.g. 169.254.10.2/30)"},
        BadCase{"OneAddressOnly",
                R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": 1,
                    "amazonAddress": "169.254.1.1/30"})",
                "vifs.json: dxvif-a: field \"customerAddress\": missing (a peering needs both "
                "addresses)"},
        BadCase{"NoAddressesAnywhere", R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": 1})",
                "vifs.json: dxvif-a: field \"customerAddress\": missing (neither the VIF nor any "
                "bgpPeers entry gives the peer addresses)"},
        BadCase{"AuthKeyNotString",
                R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": 1, "authKey": 12,
                    "amazonAddress": "169.254.1.1/30", "customerAddress": "169.254.1.2/30"})",
                "vifs.json: dxvif-a: field \"authKey\": expected a string, found number"},
        BadCase{"WrongType",
                R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": 1,
                    "virtualInterfaceType": "hosted",
                    "amazonAddress": "169.254.1.1/30", "customerAddress": "169.254.1.2/30"})",
                "vifs.json: dxvif-a: field \"virtualInterfaceType\": \"hosted\" is not private, "
                "public or transit"},
        BadCase{"BadPeer",
                R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": 1,
                    "bgpPeers": [{"bgpPeerId": "dxpeer-x", "amazonAddress": "nope/30",
                                  "customerAddress": "169.254.1.2/30"}]})",
                "vifs.json: dxvif-a bgpPeers[0] (dxpeer-x): field \"amazonAddress\": \"nope/30\" "
                "is not an address with a prefix length (e.g. 169.254.10.2/30)"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(VifReader, MissingFileIsUnavailable) {
  auto r = ReadVifFile("/nonexistent/vifs.json", kSalt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(r.error().what, "/nonexistent/vifs.json: cannot read VIF file: No such file or directory");
}

TEST(VifReader, MissingDirectoryIsNoVifs) {
  auto r = ReadVifDirectory("/nonexistent-dir", kSalt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

// A FIFO (or any unreadable file) in vifs.d is named, and the good files
// beside it are still read (lab: fault-injection, vif-fifo).
TEST(VifReader, OneBadFileInADirectoryDoesNotHideTheOthers) {
  namespace fs = std::filesystem;
  std::string tmpl = fs::temp_directory_path() / "edgediag-vifs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  fs::copy_file(std::string(EDGEDIAG_TESTDATA) + "/vif/describe-virtual-interfaces.json",
                tmpl + "/b-good.json");
  ASSERT_EQ(mkfifo((tmpl + "/a-stuck.json").c_str(), 0600), 0);
  std::vector<Error> errors;
  auto r = ReadVifDirectory(tmpl, kSalt, &errors);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].what.find("a-stuck.json"), std::string::npos) << errors[0].what;
  // Without a place for the errors, the first is the answer.
  EXPECT_FALSE(ReadVifDirectory(tmpl, kSalt).ok());
  fs::remove_all(tmpl);
}

}  // namespace
}  // namespace edgediag::plugin
