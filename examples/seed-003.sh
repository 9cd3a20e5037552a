#!/usr/bin/env bash
# Seed 003: "Establish an intranet connection between VPCs under different accounts" through
# Express Connect router interfaces. VPC A (192.168.0.0/16, vswitch 192.168.100.0/24) of account A
# in China (Beijing) is the initiator with spec Large.1; VPC B (172.16.0.0/12, vswitch
# 172.16.100.0/24) of account B in China (Hangzhou) the receiver. Each side edits its peer
# interface, the initiator connects, and each VPC routes the other's vswitch block to its router
# interface. The tutorial stops at the routes; xconnect's security groups deny inbound traffic
# by default, so each side also admits the other's vswitch block (by CIDR: different regions).
#
# Run against a server with the operator's key: from a profile (`--profile NAME`, or
# XCONNECT_PROFILE), or from XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and
# XCONNECT_ACCESS_KEY_SECRET (see lib.sh). Creates the two tenant accounts it needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "Example: account A with VPC A in China (Beijing), account B with VPC B in China (Hangzhou)"
new_tenant A seed003-account-a
new_tenant B seed003-account-b
a() { as "$A_KEY" "$A_SECRET" "$@"; }
b() { as "$B_KEY" "$B_SECRET" "$@"; }

read -r VPC_A VRT_A VTB_A <<<"$(a vpc create --region cn-beijing --cidr 192.168.0.0/16 --name 'VPC-A' \
  --query id,vrouter_id,route_table_id)"
VSW_A=$(a vswitch create --vpc "$VPC_A" --zone cn-beijing-b --cidr 192.168.100.0/24 --query id)
SG_A=$(a security-group create --vpc "$VPC_A" --query id)
read -r ECS_A IP_A <<<"$(a instance create --vswitch "$VSW_A" --security-group "$SG_A" --query id,private_ip)"

read -r VPC_B VRT_B VTB_B <<<"$(b vpc create --region cn-hangzhou --cidr 172.16.0.0/12 --name 'VPC-B' \
  --query id,vrouter_id,route_table_id)"
VSW_B=$(b vswitch create --vpc "$VPC_B" --zone cn-hangzhou-h --cidr 172.16.100.0/24 --query id)
SG_B=$(b security-group create --vpc "$VPC_B" --query id)
read -r ECS_B IP_B <<<"$(b instance create --vswitch "$VSW_B" --security-group "$SG_B" --query id,private_ip)"
echo "VPC A $VPC_A (router $VRT_A), instance $ECS_A at $IP_A"
echo "VPC B $VPC_B (router $VRT_B), instance $ECS_B at $IP_B"

step "Step 1: create the initiator (account A, China (Beijing) to China (Hangzhou), Large.1)"
RI_A=$(a router-interface create --region 'China (Beijing)' --vpc "$VPC_A" --role initiator \
  --peer-region 'China (Hangzhou)' --spec 'Large 1' --query id)
a router-interface get "$RI_A"

step "Step 2: create the receiver (account B, China (Hangzhou) to China (Beijing))"
RI_B=$(b router-interface create --region 'China (Hangzhou)' --vpc "$VPC_B" --role acceptor \
  --peer-region 'China (Beijing)' --query id)
b router-interface get "$RI_B"

step "Step 3: edit the peer interface of each side, then initiate the connection from $RI_A"
b router-interface set-peer "$RI_B" --peer-account "$A" --peer-vrouter "$VRT_A" --peer-interface "$RI_A"
a router-interface set-peer "$RI_A" --peer-account "$B" --peer-vrouter "$VRT_B" --peer-interface "$RI_B"
a router-interface connect "$RI_A"
b router-interface list --status Active

step "Step 4: configure the routes to each other's vswitch block"
a route-entry create --route-table "$VTB_A" --destination 172.16.100.0/24 --next-hop-type router_interface \
  --next-hop "$RI_A"
b route-entry create --route-table "$VTB_B" --destination 192.168.100.0/24 --next-hop-type router_interface \
  --next-hop "$RI_B"

step "Security groups: admit the peer's vswitch block (inbound is denied by default)"
a security-group rule-add "$SG_A" --direction ingress --protocol icmp --cidr 172.16.100.0/24
b security-group rule-add "$SG_B" --direction ingress --protocol icmp --cidr 192.168.100.0/24

step "Test the connection from each side"
expect_reachable "$A_KEY" "$A_SECRET" "$ECS_A" "$IP_B"
expect_reachable "$B_KEY" "$B_SECRET" "$ECS_B" "$IP_A"
echo
echo "seed 003: VPC A and VPC B reach each other over $RI_A <-> $RI_B at 1000 Mbit/s"
