#!/usr/bin/env bash
# Seed 001: "Interconnect two VPCs under different accounts" through Express Connect router
# interfaces. VPC1 of account A in China (Qingdao) is the initiator (spec 2 Mb, Mini.2); VPC2 of
# account B in China (Beijing) the acceptor. Routes to the peer VPC's block (172.16.0.0/16 and
# 192.168.0.0/16); security groups by CIDR block, since the VPCs are in different regions.
#
# Run against a server with the operator's key: from a profile (`--profile NAME`, or
# XCONNECT_PROFILE), or from XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and
# XCONNECT_ACCESS_KEY_SECRET (see lib.sh). Creates the two tenant accounts it needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "Prerequisites: account A with VPC1 in China (Qingdao), account B with VPC2 in China (Beijing)"
new_tenant A seed001-account-a
new_tenant B seed001-account-b
a() { as "$A_KEY" "$A_SECRET" "$@"; }
b() { as "$B_KEY" "$B_SECRET" "$@"; }

read -r VPC1 VRT1 VTB1 <<<"$(a vpc create --region 'China (Qingdao)' --cidr 192.168.0.0/16 --name VPC1 \
  --query id,vrouter_id,route_table_id)"
VSW1=$(a vswitch create --vpc "$VPC1" --zone cn-qingdao-b --cidr 192.168.0.0/24 --query id)
SG1=$(a security-group create --vpc "$VPC1" --name SecurityGroupID_A --query id)
read -r ECS1 IP1 <<<"$(a instance create --vswitch "$VSW1" --security-group "$SG1" --name InstanceID_A \
  --query id,private_ip)"

read -r VPC2 VRT2 VTB2 <<<"$(b vpc create --region 'China (Beijing)' --cidr 172.16.0.0/16 --name VPC2 \
  --query id,vrouter_id,route_table_id)"
VSW2=$(b vswitch create --vpc "$VPC2" --zone cn-beijing-a --cidr 172.16.0.0/24 --query id)
SG2=$(b security-group create --vpc "$VPC2" --name SecurityGroupID_B --query id)
read -r ECS2 IP2 <<<"$(b instance create --vswitch "$VSW2" --security-group "$SG2" --name InstanceID_B \
  --query id,private_ip)"
echo "VPC1 $VPC1 (VRouter $VRT1), instance $ECS1 at $IP1"
echo "VPC2 $VPC2 (VRouter $VRT2), instance $ECS2 at $IP2"

step "Step 1: create an initiator (account A, VPC1, peer region China (Beijing), spec 2 Mb)"
RI_A=$(a router-interface create --region 'China (Qingdao)' --vpc "$VPC1" --role initiator \
  --peer-region 'China (Beijing)' --spec Mini.2 --query id)
a router-interface get "$RI_A"

step "Step 2: create an acceptor (account B, VPC2, peer region China (Qingdao), spec Default)"
RI_B=$(b router-interface create --region 'China (Beijing)' --vpc "$VPC2" --role acceptor \
  --peer-region 'China (Qingdao)' --spec Default --query id)
b router-interface get "$RI_B"

step "Step 3: add the initiator to the acceptor (account B)"
b router-interface set-peer "$RI_B" --peer-account "$A" --peer-vrouter "$VRT1" --peer-interface "$RI_A"

step "Step 4: add the acceptor to the initiator and initiate the connection (account A)"
a router-interface set-peer "$RI_A" --peer-account "$B" --peer-vrouter "$VRT2" --peer-interface "$RI_B"
a router-interface connect "$RI_A"
test "$(b router-interface get "$RI_B" --query status)" = Active

step "Step 5: configure routes: VPC1 to 172.16.0.0/16, VPC2 to 192.168.0.0/16"
a route-entry create --route-table "$VTB1" --destination 172.16.0.0/16 --next-hop "$RI_A"
b route-entry create --route-table "$VTB2" --destination 192.168.0.0/16 --next-hop "$RI_B"

step "Step 6: configure security groups (different regions: authorise the peer VPC's CIDR block)"
a security-group rule-add "$SG1" --direction ingress --protocol icmp --cidr 172.16.0.0/16
b security-group rule-add "$SG2" --direction ingress --protocol icmp --cidr 192.168.0.0/16

step "Step 7: test the connection from each side"
expect_reachable "$A_KEY" "$A_SECRET" "$ECS1" "$IP2"
expect_reachable "$B_KEY" "$B_SECRET" "$ECS2" "$IP1"
echo
echo "seed 001: VPC1 and VPC2 reach each other over $RI_A <-> $RI_B"
