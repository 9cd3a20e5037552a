# Shared by the seed scripts: runs the xconnect CLI as the operator or as an account, prints
# each step and each command, and stops at the first failure (set -euo pipefail in the caller).
#
# Needs: XCONNECT_ENDPOINT (the server), XCONNECT_ACCESS_KEY_ID and XCONNECT_ACCESS_KEY_SECRET
# (the operator's key, from the server's operator.key). XCONNECT_BIN names the binary when it
# is not `xconnect` on the PATH.

XC=${XCONNECT_BIN:-xconnect}
: "${XCONNECT_ENDPOINT:?set XCONNECT_ENDPOINT to the server, e.g. http://127.0.0.1:7878}"
: "${XCONNECT_ACCESS_KEY_ID:?set XCONNECT_ACCESS_KEY_ID to the operator key id (see operator.key)}"
: "${XCONNECT_ACCESS_KEY_SECRET:?set XCONNECT_ACCESS_KEY_SECRET to the operator key secret}"
OPERATOR_KEY_ID=$XCONNECT_ACCESS_KEY_ID
OPERATOR_KEY_SECRET=$XCONNECT_ACCESS_KEY_SECRET
export XCONNECT_ENDPOINT
# Profiles in a config file would take precedence over nothing here: the keys come from the
# environment, command by command.
export XCONNECT_CONFIG=${XCONNECT_CONFIG:-/dev/null}

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

operator() {
  as "$OPERATOR_KEY_ID" "$OPERATOR_KEY_SECRET" "$@"
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
