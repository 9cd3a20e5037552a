#!/usr/bin/env bash
# Seed 000, step 1: the cross-border permit. Account A's cloud connection CC_01 joins its VPC in
# CN North-Beijing4 with its VPC in US (Virginia), outside the Chinese mainland. A package
# joining the Chinese mainland and North America is refused without a permit and while the
# application is pending approval; once the operator approves it, A buys the package, assigns
# the inter-region bandwidth, and the two VPCs reach each other at it.
#
# Run against a server with the operator's key: from a profile (`--profile NAME`, or
# XCONNECT_PROFILE), or from XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and
# XCONNECT_ACCESS_KEY_SECRET (see lib.sh). Creates the tenant account it needs; the operator
# approves.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "Network plan: account A's VPCs in CN North-Beijing4 and in US (Virginia), on cloud connection CC_01"
new_tenant A seed000-cross-border
a() { as "$A_KEY" "$A_SECRET" "$@"; }
VPC_CN=$(a vpc create --region 'CN North-Beijing4' --cidr 10.1.0.0/16 --name vpc-beijing --query id)
VSW_CN=$(a vswitch create --vpc "$VPC_CN" --zone cn-beijing-b --cidr 10.1.1.0/24 --query id)
SG_CN=$(a security-group create --vpc "$VPC_CN" --query id)
read -r ECS_CN IP_CN <<<"$(a instance create --vswitch "$VSW_CN" --security-group "$SG_CN" --query id,private_ip)"
VPC_US=$(a vpc create --region 'US (Virginia)' --cidr 10.3.0.0/16 --name vpc-virginia --query id)
VSW_US=$(a vswitch create --vpc "$VPC_US" --zone us-east-1a --cidr 10.3.1.0/24 --query id)
SG_US=$(a security-group create --vpc "$VPC_US" --query id)
read -r ECS_US IP_US <<<"$(a instance create --vswitch "$VSW_US" --security-group "$SG_US" --query id,private_ip)"
HUB=$(a hub create --name CC_01 --query id)
a attachment create --hub "$HUB" --vpc "$VPC_CN"
a attachment create --hub "$HUB" --vpc "$VPC_US"
a security-group rule-add "$SG_CN" --direction ingress --protocol icmp --cidr 10.3.0.0/16
a security-group rule-add "$SG_US" --direction ingress --protocol icmp --cidr 10.1.0.0/16

buy() {
  a bandwidth-package create --name cross-border --bandwidth 10 --area 'Chinese mainland' --area 'North America' \
    --hub "$HUB" --query id
}
# refused CODE: the last command failed with the API error CODE (its stderr in $ERR).
refused() {
  if ! grep -qE "(error: $1:|\"code\": \"$1\")" "$ERR"; then
    echo "FAILED: expected $1, got: $(cat "$ERR")" >&2
    return 1
  fi
  echo "refused as expected: $1"
}
ERR=$(mktemp)
trap 'rm -f "$ERR" "$DOCS"/*; rmdir "$DOCS" 2>/dev/null || true' EXIT
DOCS=$(mktemp -d)

step "Without a permit, a package joining the Chinese mainland and North America is refused"
if buy 2>"$ERR"; then echo "FAILED: bought without a permit" >&2; exit 1; fi
refused BandwidthPackage.PermitRequired

step "Step 1: apply for a cross-border permit with the signed, sealed materials"
for doc in service-agreement letter-of-authorization letter-of-commitment business-license representative-id; do
  printf '%s of Example Trading Co., Ltd., signed and stamped with the official seal\n' "$doc" >"$DOCS/$doc.pdf"
done
PERMIT=$(a permit apply --enterprise 'Example Trading Co., Ltd.' --representative 'Li Lei' \
  --document "$DOCS/service-agreement.pdf" --document "$DOCS/letter-of-authorization.pdf" \
  --document "$DOCS/letter-of-commitment.pdf" --document "$DOCS/business-license.pdf" \
  --document "$DOCS/representative-id.pdf" --query id)
a permit get "$PERMIT"
test "$(a permit get "$PERMIT" --query status)" = PendingApproval
test "$(a permit get "$PERMIT" --query documents.0.sha256)" = "$(sha256sum "$DOCS/service-agreement.pdf" | cut -d' ' -f1)"

step "While the application is pending approval, the package is still refused"
if buy 2>"$ERR"; then echo "FAILED: bought with a pending permit" >&2; exit 1; fi
refused BandwidthPackage.PermitPending

step "The operator reviews the application and approves it"
operator permit list
operator permit approve "$PERMIT"

step "Step 5: now the package is accepted; pay for it (bound to CC_01 on payment)"
PKG=$(buy)
a bandwidth-package pay "$PKG"

step "Step 6: inter-region bandwidth between CN North-Beijing4 and US (Virginia): 10 Mbit/s"
a inter-region-bandwidth create --hub "$HUB" --package "$PKG" --region 'CN North-Beijing4' --region 'US (Virginia)' \
  --bandwidth 10

step "Test: the two VPCs reach each other across the border at 10 Mbit/s"
expect_reachable "$A_KEY" "$A_SECRET" "$ECS_CN" "$IP_US"
expect_reachable "$A_KEY" "$A_SECRET" "$ECS_US" "$IP_CN"
test "$(a connectivity test --from "$ECS_US" --to "$IP_CN" --query bandwidth_kbps)" = 10000
echo
echo "seed 000, cross-border: Beijing and Virginia reach each other through CC_01 ($HUB) at 10 Mbit/s"
