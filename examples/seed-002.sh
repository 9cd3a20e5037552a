#!/usr/bin/env bash
# Seed 002: "Connect network instances in different regions using different accounts" with a
# CEN instance (a hub). Account A owns the hub DifferentAccountDifferentRegion and a VPC in China
# North 2 (Beijing); account B authorises A's hub to attach its VPC in China North 1 (Qingdao);
# A attaches it, buys the 8 Mbps package MainlandBandwidthPackage (Mainland China to Mainland
# China, one month) and sets a 5 Mbps region connection between China North 1 and China North 2.
# The ping then answers reachable at 5 Mbit/s (before the region connection: at the 10 kbit/s
# test bandwidth only).
#
# Run against a server with the operator's key: from a profile (`--profile NAME`, or
# XCONNECT_PROFILE), or from XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and
# XCONNECT_ACCESS_KEY_SECRET (see lib.sh). Creates the two tenant accounts it needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "Prerequisite: account A with a VPC in China North 2, account B with a VPC in China North 1"
new_tenant A seed002-account-a
new_tenant B seed002-account-b
a() { as "$A_KEY" "$A_SECRET" "$@"; }
b() { as "$B_KEY" "$B_SECRET" "$@"; }

VPC_A=$(a vpc create --region 'China North 2' --cidr 192.168.0.0/16 --name vpc-a --query id)
VSW_A=$(a vswitch create --vpc "$VPC_A" --zone cn-beijing-a --cidr 192.168.1.0/24 --query id)
SG_A=$(a security-group create --vpc "$VPC_A" --query id)
read -r ECS_A IP_A <<<"$(a instance create --vswitch "$VSW_A" --security-group "$SG_A" --query id,private_ip)"
VPC_B=$(b vpc create --region 'China North 1' --cidr 172.16.0.0/16 --name vpc-b --query id)
VSW_B=$(b vswitch create --vpc "$VPC_B" --zone cn-qingdao-b --cidr 172.16.1.0/24 --query id)
SG_B=$(b security-group create --vpc "$VPC_B" --query id)
read -r ECS_B IP_B <<<"$(b instance create --vswitch "$VSW_B" --security-group "$SG_B" --query id,private_ip)"
echo "A: $VPC_A, instance $ECS_A at $IP_A; B: $VPC_B, instance $ECS_B at $IP_B"

step "Step 1: account A creates the CEN instance DifferentAccountDifferentRegion and attaches its VPC"
HUB=$(a hub create --name DifferentAccountDifferentRegion --query id)
a attachment create --hub "$HUB" --vpc "$VPC_A" --region 'China North 2'

step "Step 2: account B authorises account A's CEN instance to attach its VPC"
b grant create --vpc "$VPC_B" --region 'China North 1' --hub "$HUB" --grantee "$A"

step "Step 3: account A attaches account B's VPC"
a attachment create --hub "$HUB" --vpc "$VPC_B" --owner "$B" --region 'China North 1'
a route-table get "$(a vpc get "$VPC_A" --query route_table_id)"

step "Security groups: each side admits the other's block (inbound is denied by default)"
a security-group rule-add "$SG_A" --direction ingress --protocol icmp --cidr 172.16.0.0/16
b security-group rule-add "$SG_B" --direction ingress --protocol icmp --cidr 192.168.0.0/16
echo "Without a region connection, only the 10 kbit/s test bandwidth joins the two regions:"
test "$(a connectivity test --from "$ECS_A" --to "$IP_B" --query reachable,bandwidth_kbps,test_bandwidth_only)" \
  = "$(printf 'true\t10\ttrue')"

step "Step 4: account A buys the 8 Mbps bandwidth package MainlandBandwidthPackage for one month"
PKG=$(a bandwidth-package create --name MainlandBandwidthPackage --bandwidth 8 --area 'Mainland China' \
  --area 'Mainland China' --billing-mode monthly --period 1 --hub "$HUB" --query id)
a bandwidth-package pay "$PKG"

step "Step 5: set the cross-region bandwidth: 5 Mbps between China North 1 and China North 2"
a inter-region-bandwidth create --hub "$HUB" --package "$PKG" --region 'China North 1' --region 'China North 2' \
  --bandwidth 5

step "Step 6: test the connectivity from each side"
expect_reachable "$A_KEY" "$A_SECRET" "$ECS_A" "$IP_B"
expect_reachable "$B_KEY" "$B_SECRET" "$ECS_B" "$IP_A"
test "$(a connectivity test --from "$ECS_A" --to "$IP_B" --query bandwidth_kbps)" = 5000
echo
echo "seed 002: the two VPCs reach each other through $HUB at 5 Mbit/s"
