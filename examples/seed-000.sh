#!/usr/bin/env bash
# Seed 000: "Network Communications Among VPCs of Different Accounts" with a cloud connection (a
# hub). Account A creates the cloud connection CC_01 (enterprise project default) and loads its
# VPC in CN North-Beijing4; account B authorises CC_01 to load its VPC-w2 in CN East-Shanghai1;
# A loads it, buys the bandwidth package daikuaibao1 (50 Mbit/s, Chinese mainland, one month,
# yearly/monthly billing, bound now) and assigns an inter-region bandwidth between
# CN East-Shanghai1 and CN North-Beijing4. Both VPCs are in the Chinese mainland, so no
# cross-border permit is needed (examples/seed-000-cross-border.sh shows that step).
#
# Run against a server with the operator's key: from a profile (`--profile NAME`, or
# XCONNECT_PROFILE), or from XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and
# XCONNECT_ACCESS_KEY_SECRET (see lib.sh). Creates the two tenant accounts it needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "Network plan: account A's VPC in CN North-Beijing4, account B's VPC-w2 in CN East-Shanghai1"
new_tenant A seed000-account-a
new_tenant B seed000-account-b
a() { as "$A_KEY" "$A_SECRET" "$@"; }
b() { as "$B_KEY" "$B_SECRET" "$@"; }

VPC_A=$(a vpc create --region 'CN North-Beijing4' --cidr 10.1.0.0/16 --name VPC-w1 --query id)
VSW_A=$(a vswitch create --vpc "$VPC_A" --zone cn-beijing-b --cidr 10.1.1.0/24 --query id)
SG_A=$(a security-group create --vpc "$VPC_A" --query id)
read -r ECS_A IP_A <<<"$(a instance create --vswitch "$VSW_A" --security-group "$SG_A" --query id,private_ip)"
VPC_B=$(b vpc create --region 'CN East-Shanghai1' --cidr 10.2.0.0/16 --name VPC-w2 --query id)
VSW_B=$(b vswitch create --vpc "$VPC_B" --zone cn-shanghai-a --cidr 10.2.1.0/24 --query id)
SG_B=$(b security-group create --vpc "$VPC_B" --query id)
read -r ECS_B IP_B <<<"$(b instance create --vswitch "$VSW_B" --security-group "$SG_B" --query id,private_ip)"
echo "A: $VPC_A, instance $ECS_A at $IP_A; B: VPC-w2 $VPC_B, instance $ECS_B at $IP_B"

step "Step 1: cross-border permit: skipped, both VPCs are in the Chinese mainland"

step "Step 2: account A creates the cloud connection CC_01"
HUB=$(a hub create --name CC_01 --enterprise-project default --query id)
a hub get "$HUB"
a attachment create --hub "$HUB" --vpc "$VPC_A" --region 'CN North-Beijing4'

step "Step 3: account B authorises VPC-w2 (CN East-Shanghai1) to account A's cloud connection"
b grant create --region 'CN East-Shanghai1' --vpc "$VPC_B" --grantee "$A" --hub "$HUB"
a grant list --received

step "Step 4: account A loads VPC-w2 of account B, with its subnet's block"
a attachment create --hub "$HUB" --owner "$B" --region 'CN East-Shanghai1' --vpc "$VPC_B" --cidr-blocks 10.2.1.0/24
a attachment list --hub "$HUB"

step "Step 5: account A buys daikuaibao1 (50 Mbit/s, Chinese mainland, 1 month), binds it now, and pays"
PKG=$(a bandwidth-package create --name daikuaibao1 --billing-mode monthly --period 1 --bandwidth 50 \
  --area 'Chinese mainland' --enterprise-project default --hub "$HUB" --query id)
test "$(a bandwidth-package get "$PKG" --query status)" = PendingPayment
a bandwidth-package pay "$PKG"

step "Step 6: assign the inter-region bandwidth CN East-Shanghai1 <-> CN North-Beijing4 (20 Mbit/s)"
a inter-region-bandwidth create --hub "$HUB" --package "$PKG" --region 'CN East-Shanghai1' \
  --region 'CN North-Beijing4' --bandwidth 20

step "Security groups in both directions (the default denies all inbound traffic)"
a security-group rule-add "$SG_A" --direction ingress --protocol icmp --cidr 10.2.1.0/24
b security-group rule-add "$SG_B" --direction ingress --protocol icmp --cidr 10.1.0.0/16

step "Test: each side reaches the other at the assigned 20 Mbit/s"
expect_reachable "$A_KEY" "$A_SECRET" "$ECS_A" "$IP_B"
expect_reachable "$B_KEY" "$B_SECRET" "$ECS_B" "$IP_A"
test "$(b connectivity test --from "$ECS_B" --to "$IP_A" --query bandwidth_kbps)" = 20000
echo
echo "seed 000: VPC-w1 and VPC-w2 reach each other through CC_01 ($HUB) at 20 Mbit/s"
