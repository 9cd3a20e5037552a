//! Security groups and their rules. A rule naming another group may name one of another account's,
//! taken as named: it never keeps that group from being deleted, and matches nothing once it is.

use xconnect_model::wire::*;
use xconnect_model::*;

use crate::op::{
    Deleted, Get, Save, changeable, description, idempotency, list_filter, opt_name, page, quota, unused, visible,
};
use xconnect_store::Tx;

use crate::{Caller, Control, new_id, now};

/// A validated security-group rule, before it has an id.
#[derive(Debug, Clone)]
struct RuleSpec {
    direction: Direction,
    protocol: Protocol,
    port_range: Option<PortRange>,
    peer: RuleSpecPeer,
    priority: u8,
    policy: Policy,
    description: Description,
}

#[derive(Debug, Clone)]
enum RuleSpecPeer {
    Cidr(Cidr),
    /// A group, and the account named as its owner (the caller's own when none was named).
    Group(SecurityGroupId, Option<AccountId>),
}

fn rule_spec(req: &SecurityGroupRuleCreateRequest) -> Result<RuleSpec> {
    let direction = Direction::parse("direction", &req.direction)?;
    let protocol = Protocol::parse("protocol", &req.protocol)?;
    let port_range = match (protocol.has_ports(), req.port_range.as_deref()) {
        (true, Some(p)) => Some(PortRange::parse("port_range", p)?),
        (true, None) => return Err(Error::invalid("port_range", "tcp and udp rules need a port range such as 22/22")),
        (false, None) | (false, Some("-1/-1")) => None,
        (false, Some(p)) => {
            return Err(Error::invalid("port_range", format_args!("'{p}': icmp and all rules take no port range")));
        }
    };
    let peer = match (&req.cidr_block, &req.peer_security_group_id, &req.peer_account_id) {
        (Some(c), None, None) => {
            RuleSpecPeer::Cidr(Cidr::parse("cidr_block", c)?.require("cidr_block", Family::V4, 0, 32)?)
        }
        (None, Some(g), account) => RuleSpecPeer::Group(
            SecurityGroupId::parse("peer_security_group_id", g)?,
            account.as_deref().map(|a| AccountId::parse("peer_account_id", a)).transpose()?,
        ),
        (Some(_), Some(_), _) => {
            return Err(Error::invalid("cidr_block", "give either cidr_block or peer_security_group_id, not both"));
        }
        (Some(_), None, Some(_)) => {
            return Err(Error::invalid("peer_account_id", "peer_account_id goes with peer_security_group_id"));
        }
        (None, None, _) => {
            return Err(Error::invalid("cidr_block", "a rule needs a peer: cidr_block or peer_security_group_id"));
        }
    };
    let priority = match req.priority {
        None => 1,
        Some(p @ 1..=100) => p as u8,
        Some(p) => {
            return Err(Error::invalid("priority", format_args!("{p} is out of range: use 1 (first) to 100 (last)")));
        }
    };
    let policy = req.policy.as_deref().map(|p| Policy::parse("policy", p)).transpose()?.unwrap_or(Policy::Accept);
    Ok(RuleSpec {
        direction,
        protocol,
        port_range,
        peer,
        priority,
        policy,
        description: description(&req.description)?,
    })
}

impl Control {
    pub async fn security_group_create(
        &self,
        caller: &Caller,
        req: SecurityGroupCreateRequest,
    ) -> Result<SecurityGroup> {
        let limit = self.quotas().security_groups_per_vpc;
        let input = (|| -> Result<_> {
            let idem = idempotency(&req.client_token, &req)?;
            let vpc_id = VpcId::parse("vpc_id", &req.vpc_id)?;
            let name = opt_name("name", &req.name)?;
            let description = description(&req.description)?;
            Ok(((vpc_id, name, description), idem))
        })();
        let get: Get<_, _> = |tx, id| Box::pin(tx.security_group_get(id));
        self.create(
            caller,
            "security_group_create",
            input,
            get,
            tx!(|tx, caller, (vpc_id, name, description)| {
                let vpc = changeable(caller, tx.vpc_get(&vpc_id).await?, |v| &v.account_id, VpcId::KIND, &vpc_id)?;
                quota(tx.security_group_count(&vpc.id).await?, limit, "security groups per VPC")?;
                let group = SecurityGroup {
                    id: new_id(),
                    account_id: caller.account.id.clone(),
                    vpc_id: vpc.id,
                    region: vpc.region,
                    name,
                    description,
                    created_at: now(),
                };
                tx.security_group_insert(&group).await?;
                Ok(group)
            }),
        )
        .await
    }

    pub async fn security_group_get(&self, caller: &Caller, id: &str) -> Result<SecurityGroup> {
        let get: Get<_, _> = |tx, id| Box::pin(tx.security_group_get(id));
        self.fetch(caller, SecurityGroupId::parse("security_group_id", id), get).await
    }

    /// A group and every rule of it, from one snapshot: Alibaba's DescribeSecurityGroupAttribute
    /// answers both, and two reads could each see another state of the group.
    pub async fn security_group_get_with_rules(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(SecurityGroup, Vec<SecurityGroupRule>)> {
        let id = SecurityGroupId::parse("security_group_id", id)?;
        self.read_as(
            caller,
            id,
            tx!(|tx, caller, id| {
                let group =
                    visible(caller, tx.security_group_get(&id).await?, |g| &g.account_id, SecurityGroupId::KIND, &id)?;
                let rules = tx.security_group_rules_of(&id).await?;
                Ok((group, rules))
            }),
        )
        .await
    }

    pub async fn security_group_list(&self, caller: &Caller, q: SecurityGroupListQuery) -> Result<Page<SecurityGroup>> {
        let q = ListQuery::from(q);
        let f = list_filter(self, caller, &q)?;
        Ok(page(self.read(f, tx!(|tx, f| tx.security_group_list(&f).await)).await?))
    }

    pub async fn security_group_modify(&self, caller: &Caller, id: &str, req: ModifyRequest) -> Result<SecurityGroup> {
        let id = SecurityGroupId::parse("security_group_id", id);
        let (get, save): (Get<_, _>, Save<_>) =
            (|tx, id| Box::pin(tx.security_group_get(id)), |tx, g| Box::pin(tx.security_group_update(g)));
        self.rename(caller, "security_group_modify", id, req, get, save).await
    }

    /// Deletes a group and its rules; refused while instances are in it or the owner's other
    /// groups' rules name it (other accounts' rules never keep it).
    pub async fn security_group_delete(&self, caller: &Caller, id: &str) -> Result<Deleted> {
        let input = SecurityGroupId::parse("security_group_id", id);
        self.mutate(
            caller,
            "security_group_delete",
            input,
            tx!(|tx, caller, id| {
                let group = changeable(
                    caller,
                    tx.security_group_get(&id).await?,
                    |v| &v.account_id,
                    SecurityGroupId::KIND,
                    &id,
                )?;
                let (members, referrers) = tx.security_group_users(&id, &group.account_id).await?;
                let used = members > 0 || referrers > 0;
                let users = used.then(|| format!("{members} instances and {referrers} rules of your other groups"));
                unused(format!("security group {id}"), users)?;
                // Other accounts' rules that name this group stay as they were written: they
                // match nothing once it is gone, and neither keeping nor dropping them may tell
                // their owners whether the group they named ever existed.
                tx.security_group_delete(&id).await?;
                Ok(Deleted(id.to_string()))
            }),
        )
        .await
    }

    pub async fn security_group_rule_create(
        &self,
        caller: &Caller,
        group: &str,
        req: SecurityGroupRuleCreateRequest,
    ) -> Result<SecurityGroupRule> {
        let limit = self.quotas().rules_per_security_group;
        let input = (|| -> Result<_> {
            let group = SecurityGroupId::parse("security_group_id", group)?;
            let spec = rule_spec(&req)?;
            Ok((group, spec))
        })();
        self.mutate(
            caller,
            "security_group_rule_create",
            input,
            tx!(|tx, caller, (group_id, spec)| add_rule(tx, caller, &group_id, spec, limit).await),
        )
        .await
    }

    /// Adds several rules to a group in one change: all of them, or, when one is refused, none
    /// (a compatible front's call that names several rules at once).
    pub async fn security_group_rules_create(
        &self,
        caller: &Caller,
        group: &str,
        reqs: Vec<SecurityGroupRuleCreateRequest>,
    ) -> Result<Rules> {
        let limit = self.quotas().rules_per_security_group;
        let input = (|| -> Result<_> {
            let group = SecurityGroupId::parse("security_group_id", group)?;
            let specs = reqs.iter().map(rule_spec).collect::<Result<Vec<_>>>()?;
            Ok((group, specs))
        })();
        self.mutate(
            caller,
            "security_group_rule_create",
            input,
            tx!(|tx, caller, (group_id, specs)| {
                let mut made = Vec::with_capacity(specs.len());
                for spec in specs {
                    made.push(add_rule(tx, caller, &group_id, spec, limit).await?);
                }
                Ok(Rules(made))
            }),
        )
        .await
    }

    pub async fn security_group_rule_list(
        &self,
        caller: &Caller,
        group: &str,
        q: SecurityGroupRuleListQuery,
    ) -> Result<Page<SecurityGroupRule>> {
        let q = ListQuery::from(q);
        let group = SecurityGroupId::parse("security_group_id", group)?;
        let f = list_filter(self, caller, &q)?;
        let rows = self
            .read_as(
                caller,
                (group, f),
                tx!(|tx, caller, (group, f)| {
                    visible(
                        caller,
                        tx.security_group_get(&group).await?,
                        |v| &v.account_id,
                        SecurityGroupId::KIND,
                        &group,
                    )?;
                    tx.security_group_rule_list(&group, &f).await
                }),
            )
            .await?;
        Ok(page(rows))
    }

    pub async fn security_group_rule_delete(&self, caller: &Caller, group: &str, rule: &str) -> Result<Deleted> {
        let input = (|| -> Result<_> {
            let group = SecurityGroupId::parse("security_group_id", group)?;
            let rule = SecurityGroupRuleId::parse("rule_id", rule)?;
            Ok((group, rule))
        })();
        self.mutate(
            caller,
            "security_group_rule_delete",
            input,
            tx!(|tx, caller, (group, rule)| {
                remove_rules(tx, caller, &group, std::slice::from_ref(&rule)).await?;
                Ok(Deleted(rule.to_string()))
            }),
        )
        .await
    }

    /// Removes several rules of a group in one change: all of them, or none when one is not
    /// there.
    pub async fn security_group_rules_delete(
        &self,
        caller: &Caller,
        group: &str,
        rules: &[&str],
    ) -> Result<RulesDeleted> {
        let input = (|| -> Result<_> {
            let group = SecurityGroupId::parse("security_group_id", group)?;
            let rules = rules.iter().map(|r| SecurityGroupRuleId::parse("rule_id", r)).collect::<Result<Vec<_>>>()?;
            Ok((group, rules))
        })();
        self.mutate(
            caller,
            "security_group_rule_delete",
            input,
            tx!(|tx, caller, (group, rules)| {
                remove_rules(tx, caller, &group, &rules).await?;
                Ok(RulesDeleted(rules))
            }),
        )
        .await
    }
}

/// Adds the rule `spec` to the caller's group `group_id`, inside the caller's transaction: the
/// one place a rule's peer, twin and quota are checked, for one rule or several.
async fn add_rule(
    tx: &mut Tx,
    caller: &Caller,
    group_id: &SecurityGroupId,
    spec: RuleSpec,
    limit: i64,
) -> Result<SecurityGroupRule> {
    let group =
        changeable(caller, tx.security_group_get(group_id).await?, |v| &v.account_id, SecurityGroupId::KIND, group_id)?;
    let peer = match spec.peer {
        RuleSpecPeer::Cidr(c) => RulePeer::Cidr { cidr_block: c },
        // Another account's group is taken as named, without looking it up: whether
        // it exists, and in which region, is that account's to know. Such a rule
        // matches only members of that group under that owner and in this group's
        // region (`net`'s walk and plan), so a wrong name opens nothing.
        RuleSpecPeer::Group(peer_id, Some(owner)) if owner != caller.account.id => {
            RulePeer::SecurityGroup { security_group_id: peer_id, account_id: owner }
        }
        RuleSpecPeer::Group(peer_id, _) => {
            let owner = caller.account.id.clone();
            let peer = match tx.security_group_get(&peer_id).await? {
                Some(g) if g.account_id == owner => g,
                _ => {
                    let named = format!("{peer_id} of account {owner}");
                    return Err(Error::not_found(SecurityGroupId::KIND, named));
                }
            };
            if peer.region != group.region {
                return Err(Error::rejected(
                    "SecurityGroupRule.CrossRegionGroup",
                    format_args!(
                        "security group {peer_id} is in {}, not {}: across regions only CIDR peers work; \
                         give the peer VPC's cidr_block instead",
                        peer.region, group.region
                    ),
                ));
            }
            RulePeer::SecurityGroup { security_group_id: peer.id, account_id: owner }
        }
    };
    let rule = SecurityGroupRule {
        id: new_id(),
        security_group_id: group.id,
        direction: spec.direction,
        protocol: spec.protocol,
        port_range: spec.port_range,
        peer,
        priority: spec.priority,
        policy: spec.policy,
        description: spec.description,
        created_at: now(),
    };
    if let Some(twin) = tx.security_group_rule_twin(&rule).await? {
        return Err(Error::conflict(
            "SecurityGroupRule.Duplicate",
            format_args!("rule {} already says the same", twin.id),
        ));
    }
    quota(tx.security_group_rule_count(&rule.security_group_id).await?, limit, "rules per security group")?;
    tx.security_group_rule_insert(&rule).await?;
    Ok(rule)
}

/// Removes `rules` of the caller's group `group`, inside the caller's transaction: each must be
/// a rule of that group.
async fn remove_rules(
    tx: &mut Tx,
    caller: &Caller,
    group: &SecurityGroupId,
    rules: &[SecurityGroupRuleId],
) -> Result<()> {
    changeable(caller, tx.security_group_get(group).await?, |v| &v.account_id, SecurityGroupId::KIND, group)?;
    for rule in rules {
        match tx.security_group_rule_get(rule).await? {
            Some(r) if r.security_group_id == *group => {}
            _ => return Err(Error::not_found(SecurityGroupRuleId::KIND, rule)),
        }
        tx.security_group_rule_delete(rule).await?;
    }
    Ok(())
}

/// Rules added together, for the audit trail.
#[derive(Debug, Clone)]
pub struct Rules(pub Vec<SecurityGroupRule>);

impl crate::Audited for Rules {
    fn audited_id(&self) -> Option<String> {
        Some(self.0.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(","))
    }
}

/// Rules removed together, for the audit trail.
#[derive(Debug, Clone)]
pub struct RulesDeleted(pub Vec<SecurityGroupRuleId>);

impl crate::Audited for RulesDeleted {
    fn audited_id(&self) -> Option<String> {
        Some(self.0.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_specs_are_validated() {
        let ok = SecurityGroupRuleCreateRequest {
            direction: "ingress".into(),
            protocol: "tcp".into(),
            port_range: Some("22/22".into()),
            cidr_block: Some("10.0.0.0/8".into()),
            ..Default::default()
        };
        let spec = rule_spec(&ok).unwrap();
        assert_eq!((spec.priority, spec.policy), (1, Policy::Accept));
        let cases: Vec<(SecurityGroupRuleCreateRequest, &str)> = vec![
            (SecurityGroupRuleCreateRequest { port_range: None, ..ok.clone() }, "port_range"),
            (SecurityGroupRuleCreateRequest { protocol: "icmp".into(), ..ok.clone() }, "port_range"),
            (SecurityGroupRuleCreateRequest { direction: "sideways".into(), ..ok.clone() }, "direction"),
            (SecurityGroupRuleCreateRequest { priority: Some(0), ..ok.clone() }, "priority"),
            (SecurityGroupRuleCreateRequest { priority: Some(101), ..ok.clone() }, "priority"),
            (SecurityGroupRuleCreateRequest { policy: Some("maybe".into()), ..ok.clone() }, "policy"),
            (SecurityGroupRuleCreateRequest { cidr_block: None, ..ok.clone() }, "cidr_block"),
            (
                SecurityGroupRuleCreateRequest {
                    peer_security_group_id: Some("sg-aaaaaaaaaaaaaaaaaaaaaaaa".into()),
                    ..ok.clone()
                },
                "cidr_block",
            ),
        ];
        for (req, field) in cases {
            let e = rule_spec(&req).unwrap_err();
            assert!(e.to_string().starts_with(field), "{e} should name {field}");
        }
    }
}
