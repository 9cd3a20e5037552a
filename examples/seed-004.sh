#!/usr/bin/env bash
# Seed 004: a data centre in through a partner's shared port. The data centre is in Equinix DC11
# in Virginia, US; Equinix (a partner account) has a physical connection from its access point
# into US (Virginia) and pushes a shared port with a VLAN id to the tenant, who accepts it and
# builds a VBR on it (the VBR inherits the VLAN id, which can never be changed). The VBR and a
# VPC in China (Beijing) attach to the tenant's hub; with a cross-border permit, a package joining
# North America and the Chinese mainland and an inter-region bandwidth, a host in the data
# centre reaches an instance in Beijing, and back.
#
# Run against a server with the operator's key: from a profile (`--profile NAME`, or
# XCONNECT_PROFILE), or from XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and
# XCONNECT_ACCESS_KEY_SECRET (see lib.sh). Creates the partner and tenant accounts it needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "Accounts: the partner (standing for Equinix) and the tenant"
out=$(operator admin account create --kind partner --name Equinix \
  --query account.id,access_key.access_key_id,access_key.access_key_secret)
read -r P P_KEY P_SECRET <<<"$out"
echo "partner Equinix: $P"
new_tenant T seed004-tenant
p() { as "$P_KEY" "$P_SECRET" "$@"; }
t() { as "$T_KEY" "$T_SECRET" "$@"; }

step "Equinix's circuit: a physical connection from its access point into US (Virginia)"
PC=$(p physical-connection create --name ecx-fabric-dc11 --access-point 'Equinix DC11' --region 'US (Virginia)' \
  --port-type 10GBase-LR --bandwidth 10000 --query id)
p physical-connection get "$PC"

step "The tenant gives its account id ($T) to Equinix, which creates a shared port for it (VLAN 1200, 100 Mbit/s)"
SP=$(p shared-port create --connection "$PC" --tenant "$T" --vlan 1200 --bandwidth 100 --query id)
t shared-port list
test "$(t shared-port get "$SP" --query status)" = Pending

step "The tenant accepts the shared port on its physical connection page"
t shared-port accept "$SP"

step "The tenant creates its VBR on the port: the VLAN id 1200 is inherited"
VBR=$(t vbr create --port "$SP" --local-gateway 10.254.0.1 --peer-gateway 10.254.0.2 --peering-subnet 10.254.0.0/30 \
  --route 192.168.10.0/24 --name idc-virginia --query id)
test "$(t vbr get "$VBR" --query vlan_id)" = 1200
if t vbr modify "$VBR" --vlan 1201 2>/dev/null; then echo "FAILED: the VLAN id changed" >&2; exit 1; fi
echo "changing the VLAN id is refused, as the seed says"
HOST=$(t data-centre-host create --vbr "$VBR" --ip 192.168.10.5 --name idc-server --query id)

step "The VPC in China (Beijing) with its ECS instance"
VPC=$(t vpc create --region 'China (Beijing)' --cidr 172.16.0.0/16 --name vpc-beijing --query id)
VSW=$(t vswitch create --vpc "$VPC" --zone cn-beijing-a --cidr 172.16.1.0/24 --query id)
SG=$(t security-group create --vpc "$VPC" --query id)
t security-group rule-add "$SG" --direction ingress --protocol icmp --cidr 192.168.10.0/24
read -r ECS IP <<<"$(t instance create --vswitch "$VSW" --security-group "$SG" --query id,private_ip)"

step "The hub joins the VBR in US (Virginia) with the VPC in China (Beijing)"
HUB=$(t hub create --name idc-to-beijing --query id)
t attachment create --hub "$HUB" --vbr "$VBR"
t attachment create --hub "$HUB" --vpc "$VPC"

step "Across the border: the cross-border permit, approved by the operator"
DOCS=$(mktemp -d)
trap 'rm -rf "$DOCS"' EXIT
printf 'Cross-border circuit service agreement, signed and sealed\n' >"$DOCS/agreement.pdf"
PERMIT=$(t permit apply --enterprise 'Example Corp.' --representative 'Jane Roe' --document "$DOCS/agreement.pdf" \
  --query id)
operator permit approve "$PERMIT"

step "The package (North America to the Chinese mainland, 20 Mbit/s) and the inter-region bandwidth"
PKG=$(t bandwidth-package create --name idc-cross-border --bandwidth 20 --area 'North America' \
  --area 'Chinese mainland' --hub "$HUB" --query id)
t bandwidth-package pay "$PKG"
t inter-region-bandwidth create --hub "$HUB" --package "$PKG" --region 'US (Virginia)' --region 'China (Beijing)' \
  --bandwidth 20

step "Test: the data centre host reaches the instance in Beijing, and back"
expect_reachable "$T_KEY" "$T_SECRET" "$HOST" "$IP"
expect_reachable "$T_KEY" "$T_SECRET" "$ECS" 192.168.10.5
test "$(t connectivity test --from "$HOST" --to "$IP" --query bandwidth_kbps)" = 20000

step "The bill: port usage (no installation or VBR fee) and the prepaid package, on this month's statement"
t billing statement --month "$(operator admin clock get --query now | cut -c1-7)"
echo
echo "seed 004: the data centre behind $VBR (VLAN 1200) reaches $ECS in China (Beijing) at 20 Mbit/s"
