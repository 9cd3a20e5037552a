# Shared by the seed scripts: runs the xconnect CLI as the operator or as an account, prints
# each step and each command, and stops at the first failure (set -euo pipefail in the caller).
#
# The operator's key comes from one of two places:
# - a profile of the config file: `seed-001.sh --profile ops`, or XCONNECT_PROFILE=ops, after
#   `xconnect configure --profile ops --operator-key xconnect-data/operator.key`; with neither
#   and no key in the environment, the default profile. The accounts a script makes sign with
#   their own keys at that profile's endpoint.
# - the environment, as for any xconnect command: XCONNECT_ENDPOINT (the server),
#   XCONNECT_ACCESS_KEY_ID and XCONNECT_ACCESS_KEY_SECRET (from the server's operator.key). A key
#   here is used unless --profile is given; no config file is read then.
# XCONNECT_BIN names the binary when it is not `xconnect` on the PATH.

XC=${XCONNECT_BIN:-xconnect}
seed_usage() {
  echo "usage: $0 [--profile NAME]" >&2
  exit 2
}
case "${1:-}" in
  --profile) [ $# -eq 2 ] && [ -n "$2" ] || seed_usage; XCONNECT_PROFILE=$2 ;;
  --profile=?*) [ $# -eq 1 ] || seed_usage; XCONNECT_PROFILE=${1#--profile=} ;;
  '') [ $# -eq 0 ] || seed_usage ;;
  *) seed_usage ;;
esac
if [ $# -gt 0 ]; then
  # Asked for by name, the profile's key is the one: a key left in the environment would
  # otherwise take its place, as it does for every xconnect command.
  unset XCONNECT_ACCESS_KEY_ID XCONNECT_ACCESS_KEY_SECRET
fi
if [ -n "${XCONNECT_ACCESS_KEY_ID:-}" ]; then
  : "${XCONNECT_ENDPOINT:?set XCONNECT_ENDPOINT to the server, e.g. http://127.0.0.1:7878}"
  : "${XCONNECT_ACCESS_KEY_SECRET:?set XCONNECT_ACCESS_KEY_SECRET to the operator key secret}"
  OPERATOR_PROFILE=
  OPERATOR_KEY_ID=$XCONNECT_ACCESS_KEY_ID
  OPERATOR_KEY_SECRET=$XCONNECT_ACCESS_KEY_SECRET
  export XCONNECT_ENDPOINT
  # The keys come from the environment, command by command: no profile is needed, and a
  # config file that cannot be read must not stop the script.
  export XCONNECT_CONFIG=${XCONNECT_CONFIG:-/dev/null}
else
  OPERATOR_PROFILE=${XCONNECT_PROFILE:-default}
  # Every command below, the accounts' too, then reaches the server of this profile.
  export XCONNECT_PROFILE=$OPERATOR_PROFILE
  # Said now rather than at the first step that needs the operator.
  if ! kind=$("$XC" whoami --query kind); then
    echo "the seeds sign as the operator: configure the profile with" \
      "\`xconnect configure --profile $OPERATOR_PROFILE --operator-key DATA/operator.key\`," \
      "or set XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and XCONNECT_ACCESS_KEY_SECRET" >&2
    exit 1
  fi
  if [ "$kind" != operator ]; then
    echo "profile '$OPERATOR_PROFILE' signs as a $kind account; the seeds need the" \
      "operator's key: \`xconnect configure --profile NAME --operator-key DATA/operator.key\`" >&2
    exit 1
  fi
fi

step() {
  printf '\n== %s\n' "$*"
}

# as KEY_ID SECRET ARGS...: one CLI command under that key, echoed first.
as() {
  local id=$1 secret=$2
  shift 2
  printf '$ xconnect %s\n' "$*" >&2
  XCONNECT_ACCESS_KEY_ID=$id XCONNECT_ACCESS_KEY_SECRET=$secret "$XC" "$@"
}

# operator ARGS...: one CLI command as the operator, echoed first.
operator() {
  if [ -n "$OPERATOR_PROFILE" ]; then
    printf '$ xconnect %s\n' "$*" >&2
    "$XC" "$@"
  else
    as "$OPERATOR_KEY_ID" "$OPERATOR_KEY_SECRET" "$@"
  fi
}

# new_tenant VAR NAME: creates a tenant account and sets VAR (its id), VAR_KEY and VAR_SECRET.
new_tenant() {
  local var=$1 name=$2 out id key secret
  out=$(operator admin account create --kind tenant --name "$name" \
    --query account.id,access_key.access_key_id,access_key.access_key_secret)
  read -r id key secret <<<"$out"
  printf -v "$var" '%s' "$id"
  printf -v "${var}_KEY" '%s' "$key"
  printf -v "${var}_SECRET" '%s' "$secret"
  echo "account $name: $id"
}

# expect_reachable KEY_ID SECRET FROM TO: the connectivity test, which must answer reachable.
# With XCONNECT_REAL_PING=1 (as root, on the host the data plane runs on), the agent then
# realises the model (its record in XCONNECT_AGENT_STATE) and a real ping is sent from inside
# FROM (an instance or a data centre host) to TO, which must answer too.
expect_reachable() {
  local id=$1 secret=$2 from=$3 to=$4 kind
  if ! as "$id" "$secret" connectivity test --from "$from" --to "$to"; then
    echo "FAILED: $from does not reach $to" >&2
    return 1
  fi
  if [ -n "${XCONNECT_REAL_PING:-}" ]; then
    operator agent run --once --state "${XCONNECT_AGENT_STATE:-/run/xconnect-agent}"
    case $from in
      host-*) kind=data-centre-host ;;
      *) kind=instance ;;
    esac
    if ! as "$id" "$secret" "$kind" exec "$from" -- ping -c 2 -W 2 "$to"; then
      echo "FAILED: the real ping from $from to $to got no answer" >&2
      return 1
    fi
  fi
}
