//! ECS 2014-05-26: security groups and their rules, each action the control operations it
//! names. A rule in Alibaba's words (`IpProtocol` TCP, `PortRange` 22/22 or -1/-1, `Policy`
//! Accept, `Priority` 1) becomes control's rule request with the words lower-cased, and control
//! reads them with the model's own parsers; a rule is shown back in Alibaba's spelling. Rules
//! come as `Permissions.N.*` (the current API) or as top-level fields (the old form).

use serde_json::{Value, json};
use xconnect_api::AppState;
use xconnect_control::Caller;
use xconnect_model::wire::{
    SecurityGroupCreateRequest, SecurityGroupListQuery, SecurityGroupRuleCreateRequest, SecurityGroupRuleListQuery,
};
use xconnect_model::{
    AccountId, Cidr, Direction, Error, Policy, PortRange, Protocol, RulePeer, SecurityGroup, SecurityGroupId,
    SecurityGroupRule, SecurityGroupRuleId,
};

use crate::actions::{Action, Fields, every_page, fields, paged};
use crate::params::Params;

pub const VERSION: &str = "2014-05-26";

pub static ACTIONS: &[Action] = &[
    Action {
        product: "ECS",
        version: VERSION,
        name: "CreateSecurityGroup",
        operations: "security_group_create",
        run: |s, c, p| Box::pin(create_security_group(s, c, p)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "DescribeSecurityGroups",
        operations: "security_group_list",
        run: |s, c, p| Box::pin(describe_security_groups(s, c, p)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "DescribeSecurityGroupAttribute",
        operations: "security_group_get_with_rules",
        run: |s, c, p| Box::pin(describe_security_group_attribute(s, c, p)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "AuthorizeSecurityGroup",
        operations: "security_group_rules_create, account_by_number",
        run: |s, c, p| Box::pin(authorize(s, c, p, &INGRESS)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "AuthorizeSecurityGroupEgress",
        operations: "security_group_rules_create, account_by_number",
        run: |s, c, p| Box::pin(authorize(s, c, p, &EGRESS)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "RevokeSecurityGroup",
        operations: "security_group_rule_list, security_group_rules_delete",
        run: |s, c, p| Box::pin(revoke(s, c, p, &INGRESS)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "RevokeSecurityGroupEgress",
        operations: "security_group_rule_list, security_group_rules_delete",
        run: |s, c, p| Box::pin(revoke(s, c, p, &EGRESS)),
    },
    Action {
        product: "ECS",
        version: VERSION,
        name: "DeleteSecurityGroup",
        operations: "security_group_delete",
        run: |s, c, p| Box::pin(delete_security_group(s, c, p)),
    },
];

/// The names a rule's other end goes by on each side: the source of an ingress rule, the
/// destination of an egress one.
struct Side {
    direction: Direction,
    cidr: &'static str,
    group: &'static str,
    owner_account: &'static str,
    owner_id: &'static str,
}

const INGRESS: Side = Side {
    direction: Direction::Ingress,
    cidr: "SourceCidrIp",
    group: "SourceGroupId",
    owner_account: "SourceGroupOwnerAccount",
    owner_id: "SourceGroupOwnerId",
};

const EGRESS: Side = Side {
    direction: Direction::Egress,
    cidr: "DestCidrIp",
    group: "DestGroupId",
    owner_account: "DestGroupOwnerAccount",
    owner_id: "DestGroupOwnerId",
};

/// Fields of Alibaba's rules that xconnect's rules have no counterpart for: refused rather than
/// dropped, since a rule without them would match other traffic than the one asked for.
const UNSUPPORTED: &[&str] = &[
    "SourcePortRange",
    "SourcePrefixListId",
    "DestPrefixListId",
    "PortRangeListId",
    "Ipv6SourceCidrIp",
    "Ipv6DestCidrIp",
];

async fn create_security_group(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    p.required("RegionId")?;
    let req = SecurityGroupCreateRequest {
        vpc_id: p.required("VpcId")?.to_owned(),
        name: p.get("SecurityGroupName").map(str::to_owned),
        description: p.get("Description").map(str::to_owned),
        client_token: p.get("ClientToken").map(str::to_owned),
    };
    let group = state.control.security_group_create(caller, req).await?;
    Ok(fields(json!({"SecurityGroupId": group.id.as_str()})))
}

async fn describe_security_groups(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let region = p.required("RegionId")?;
    // SecurityGroupIds is one JSON array (`["sg-1","sg-2"]`); SecurityGroupId names one.
    let ids = p.json_list("SecurityGroupIds")?;
    let id = p.get("SecurityGroupId");
    let name = p.get("SecurityGroupName");
    let mut groups = all_groups(state, caller, region, p.get("VpcId")).await?;
    groups.retain(|g| {
        ids.as_ref().is_none_or(|ids| ids.iter().any(|i| i == g.id.as_str()))
            && id.is_none_or(|i| i == g.id.as_str())
            && name.is_none_or(|n| g.name.as_ref().is_some_and(|m| m.as_str() == n))
    });
    let page = paged(&groups, p, 10, 50)?;
    let items: Vec<Value> = page.items.iter().map(group_fields).collect();
    let mut answer = page.answer("SecurityGroups", "SecurityGroup", items);
    answer.insert("RegionId".into(), region.into());
    Ok(answer)
}

async fn describe_security_group_attribute(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    let direction = match p.get("Direction") {
        None | Some("all") => None,
        Some(d) => Some(Direction::parse("Direction", d)?),
    };
    let (group, mut rules) =
        state.control.security_group_get_with_rules(caller, p.required("SecurityGroupId")?).await?;
    rules.retain(|r| direction.is_none_or(|d| r.direction == d));
    let permissions: Vec<Value> = rules.iter().map(permission).collect();
    Ok(fields(json!({
        "SecurityGroupId": group.id.as_str(),
        "SecurityGroupName": group.name.as_ref().map_or("", |n| n.as_str()),
        "Description": group.description.as_str(),
        "VpcId": group.vpc_id.as_str(),
        "RegionId": group.region.as_str(),
        "Permissions": {"Permission": permissions},
    })))
}

/// Adds every rule of the request in one change: all, or none when one is refused.
async fn authorize(state: &AppState, caller: &Caller, p: &Params, side: &Side) -> Result<Fields, Error> {
    let group = p.required("SecurityGroupId")?;
    let mut reqs = Vec::new();
    for item in permissions_of(p) {
        reqs.push(rule_request(state, &item, side).await?);
    }
    state.control.security_group_rules_create(caller, group, reqs).await?;
    Ok(Fields::new())
}

/// Removes rules named by id (`SecurityGroupRuleId.N`) or by what they say (every rule of the
/// group that says what a permission says; a Priority or Policy not sent matches any). Every
/// rule named must exist before any is removed.
async fn revoke(state: &AppState, caller: &Caller, p: &Params, side: &Side) -> Result<Fields, Error> {
    let group = p.required("SecurityGroupId")?;
    let rules: Vec<SecurityGroupRule> =
        all_rules(state, caller, group).await?.into_iter().filter(|r| r.direction == side.direction).collect();
    let mut doomed: Vec<&SecurityGroupRule> = Vec::new();
    let ids = p.list("SecurityGroupRuleId");
    if ids.is_empty() {
        for item in permissions_of(p) {
            let wanted = Wanted::read(&rule_request(state, &item, side).await?, caller)?;
            let matched: Vec<&SecurityGroupRule> = rules.iter().filter(|r| wanted.matches(r)).collect();
            if matched.is_empty() {
                return Err(Error::not_found(
                    SecurityGroupRuleId::KIND,
                    format_args!("saying {} in security group {group}", wanted.words()),
                ));
            }
            doomed.extend(matched);
        }
    } else {
        for id in ids {
            match rules.iter().find(|r| r.id.as_str() == id) {
                Some(r) => doomed.push(r),
                None => return Err(Error::not_found(SecurityGroupRuleId::KIND, id)),
            }
        }
    }
    doomed.sort_by_key(|r| r.id.as_str());
    doomed.dedup_by_key(|r| r.id.as_str());
    let ids: Vec<&str> = doomed.iter().map(|r| r.id.as_str()).collect();
    state.control.security_group_rules_delete(caller, group, &ids).await?;
    Ok(Fields::new())
}

async fn delete_security_group(state: &AppState, caller: &Caller, p: &Params) -> Result<Fields, Error> {
    state.control.security_group_delete(caller, p.required("SecurityGroupId")?).await?;
    Ok(Fields::new())
}

/// The rules of a request: `Permissions.N.*`, or the request's own top-level fields.
fn permissions_of(p: &Params) -> Vec<Params> {
    let items = p.items("Permissions");
    if items.is_empty() { vec![p.clone()] } else { items }
}

/// Control's request for one rule in Alibaba's words. An owner named by number is looked up.
async fn rule_request(state: &AppState, item: &Params, side: &Side) -> Result<SecurityGroupRuleCreateRequest, Error> {
    if let Some(name) = UNSUPPORTED.iter().find(|n| item.get(n).is_some()) {
        return Err(Error::invalid(
            name,
            "is not supported here: xconnect's rules match an IPv4 block or a group, and destination ports",
        ));
    }
    let peer_account_id = match (item.get(side.owner_account), item.get(side.owner_id)) {
        (Some(account), _) => Some(account.to_owned()),
        (None, Some(number)) => {
            let n: u64 = number
                .parse()
                .map_err(|_| Error::invalid(side.owner_id, format_args!("'{number}' is not an account number")))?;
            Some(state.control.account_by_number(n).await?.to_string())
        }
        (None, None) => None,
    };
    let priority = item
        .get("Priority")
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                Error::invalid("priority", format_args!("'{v}' is out of range: use 1 (first) to 100 (last)"))
            })
        })
        .transpose()?;
    Ok(SecurityGroupRuleCreateRequest {
        direction: side.direction.as_str().to_owned(),
        protocol: item.required("IpProtocol")?.to_ascii_lowercase(),
        port_range: item.get("PortRange").map(str::to_owned),
        cidr_block: item.get(side.cidr).map(str::to_owned),
        peer_security_group_id: item.get(side.group).map(str::to_owned),
        peer_account_id,
        priority,
        policy: item.get("Policy").map(str::to_ascii_lowercase),
        description: item.get("Description").map(str::to_owned),
    })
}

/// What a revoke names, read with the model's parsers, to find the rules that say it.
struct Wanted {
    protocol: Protocol,
    port_range: Option<PortRange>,
    peer: RulePeer,
    policy: Option<Policy>,
    priority: Option<i64>,
}

impl Wanted {
    fn read(req: &SecurityGroupRuleCreateRequest, caller: &Caller) -> Result<Wanted, Error> {
        let protocol = Protocol::parse("protocol", &req.protocol)?;
        // A rule of a protocol without ports has none, whatever the request says (-1/-1).
        let port_range = match (protocol.has_ports(), req.port_range.as_deref()) {
            (true, Some(p)) => Some(PortRange::parse("port_range", p)?),
            (true, None) => {
                return Err(Error::invalid("port_range", "tcp and udp rules need a port range such as 22/22"));
            }
            (false, _) => None,
        };
        let peer = match (&req.cidr_block, &req.peer_security_group_id) {
            (Some(c), None) => RulePeer::Cidr { cidr_block: Cidr::parse("cidr_block", c)? },
            (None, Some(g)) => RulePeer::SecurityGroup {
                security_group_id: SecurityGroupId::parse("peer_security_group_id", g)?,
                account_id: match &req.peer_account_id {
                    Some(a) => AccountId::parse("peer_account_id", a)?,
                    None => caller.account.id.clone(),
                },
            },
            _ => return Err(Error::invalid("cidr_block", "name the rule's peer: a CIDR block or a group, not both")),
        };
        let policy = req.policy.as_deref().map(|p| Policy::parse("policy", p)).transpose()?;
        Ok(Wanted { protocol, port_range, peer, policy, priority: req.priority })
    }

    fn matches(&self, r: &SecurityGroupRule) -> bool {
        r.protocol == self.protocol
            && r.port_range == self.port_range
            && r.peer == self.peer
            && self.policy.is_none_or(|p| p == r.policy)
            && self.priority.is_none_or(|p| p == i64::from(r.priority))
    }

    fn words(&self) -> String {
        let ports = self.port_range.map_or("-1/-1".to_owned(), |p| p.to_string());
        let peer = match &self.peer {
            RulePeer::Cidr { cidr_block } => cidr_block.to_string(),
            RulePeer::SecurityGroup { security_group_id, account_id } => format!("{security_group_id} of {account_id}"),
        };
        format!("{} {ports} {peer}", self.protocol.as_str())
    }
}

/// Every group of the caller's in `region` (and `vpc`), in control's order, page by page.
async fn all_groups(
    state: &AppState,
    caller: &Caller,
    region: &str,
    vpc: Option<&str>,
) -> Result<Vec<SecurityGroup>, Error> {
    every_page(|next_token| {
        let q = SecurityGroupListQuery {
            region: Some(region.to_owned()),
            vpc_id: vpc.map(str::to_owned),
            max_results: Some(100),
            next_token,
            ..Default::default()
        };
        state.control.security_group_list(caller, q)
    })
    .await
}

/// Every rule of a group, page by page.
async fn all_rules(state: &AppState, caller: &Caller, group: &str) -> Result<Vec<SecurityGroupRule>, Error> {
    every_page(|next_token| {
        let q = SecurityGroupRuleListQuery { max_results: Some(100), next_token };
        state.control.security_group_rule_list(caller, group, q)
    })
    .await
}

fn group_fields(g: &SecurityGroup) -> Value {
    json!({
        "SecurityGroupId": g.id.as_str(),
        "SecurityGroupName": g.name.as_ref().map_or("", |n| n.as_str()),
        "Description": g.description.as_str(),
        "VpcId": g.vpc_id.as_str(),
        "CreationTime": xconnect_sign::format_date(g.created_at.to_offset_date_time()),
        "SecurityGroupType": "normal",
        "ServiceManaged": false,
        "ResourceGroupId": "",
        "Tags": {"Tag": []},
    })
}

/// A rule as DescribeSecurityGroupAttribute shows it: the other end under Source* for ingress
/// and Dest* for egress, words in Alibaba's spelling (TCP, Accept), Priority a string.
fn permission(r: &SecurityGroupRule) -> Value {
    let (cidr, group, owner) = match &r.peer {
        RulePeer::Cidr { cidr_block } => (cidr_block.to_string(), String::new(), String::new()),
        RulePeer::SecurityGroup { security_group_id, account_id } => {
            (String::new(), security_group_id.to_string(), account_id.to_string())
        }
    };
    let ingress = r.direction == Direction::Ingress;
    let side = |v: &String, on: bool| if on { v.clone() } else { String::new() };
    json!({
        "SecurityGroupRuleId": r.id.as_str(),
        "Direction": r.direction.as_str(),
        "IpProtocol": r.protocol.as_str().to_ascii_uppercase(),
        "PortRange": r.port_range.map_or("-1/-1".to_owned(), |p| p.to_string()),
        "SourceCidrIp": side(&cidr, ingress),
        "SourceGroupId": side(&group, ingress),
        "SourceGroupOwnerAccount": side(&owner, ingress),
        "DestCidrIp": side(&cidr, !ingress),
        "DestGroupId": side(&group, !ingress),
        "DestGroupOwnerAccount": side(&owner, !ingress),
        "Policy": capitalised(r.policy.as_str()),
        "Priority": r.priority.to_string(),
        "Description": r.description.as_str(),
        "CreateTime": xconnect_sign::format_date(r.created_at.to_offset_date_time()),
        "NicType": "intranet",
    })
}

/// `accept` -> `Accept`.
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
