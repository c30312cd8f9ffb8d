interfaces {
    ethernet eth0 {
        address "203.0.113.2/24"
        hw-id "52:54:00:12:34:56"
    }
    loopback lo {
    }
    wireguard wg0 {
        address "10.99.0.1/24"
        description "road warriors and the HQ"
        peer alice-laptop {
            allowed-ips "10.99.0.10/32"
            public-key "AliceLaptopKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        }
        peer hq {
            address "198.51.100.10"
            allowed-ips "10.99.0.2/32"
            allowed-ips "192.168.50.0/24"
            persistent-keepalive "25"
            port "51820"
            preshared-key "SECRETpresharedKEYbootDONOTreadXXXXXXXXXXX="
            public-key "HqDc1PeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="
        }
        port "51820"
        private-key "SECRETprivateKEYbootDONOTreadXXXXXXXXXXXXX="
    }
    wireguard wg1 {
        address "10.98.0.1/24"
        peer bob {
            allowed-ips "10.98.0.2/32"
            host-name "bob.example.net"
            port "51820"
            public-key "BobPeerKeyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC="
        }
        port "51821"
        private-key "SECRETprivateKEYbootWG1DONOTreadXXXXXXXXXX="
    }
}
system {
    host-name "edge-test"
}
// Warning: Do not remove the following line.
// vyos-config-version: "bgp@5:interfaces@32:ipsec@13:system@27:wanloadbalance@3"
// Release version: 1.4.0
