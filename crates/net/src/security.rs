//! Security-group evaluation. The rules of all of an instance's groups are considered together:
//! among the rules that match a packet, the lowest priority number decides, and at equal
//! priority a drop beats an accept. When no rule matches, inbound traffic is denied and outbound
//! allowed. Replies to traffic that was allowed pass whatever the rules say (stateful); the path
//! walker applies that, not this module.

use std::net::IpAddr;

use xconnect_model::{
    AccountId, Direction, Policy, Protocol, RulePeer, SecurityGroupId, SecurityGroupRule, SecurityGroupRuleId,
};

/// What a packet looks like to a rule. `peer` is the far end: the source of an inbound packet,
/// the destination of an outbound one; `peer_groups` are the groups the far end's instance is
/// in (empty when it is not an instance of this region) and `peer_account` its account. A rule
/// whose peer is a group matches a member of that group under the account the rule names, so a
/// rule naming another account's group under the wrong owner matches nothing.
#[derive(Debug, Clone)]
pub struct Packet<'a> {
    pub protocol: Protocol,
    /// Destination port for tcp and udp.
    pub port: Option<u16>,
    pub peer: IpAddr,
    pub peer_groups: &'a [SecurityGroupId],
    pub peer_account: Option<&'a AccountId>,
}

/// The outcome of evaluating one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A rule accepted it.
    Accepted(SecurityGroupRuleId),
    /// A rule dropped it.
    Dropped(SecurityGroupRuleId),
    /// No rule matched; the direction's default applied (inbound deny, outbound allow).
    Default { allowed: bool },
}

impl Decision {
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Accepted(_) | Decision::Default { allowed: true })
    }
}

/// The rules of an instance's groups compiled for evaluation: split by direction and ordered so
/// that the first match decides (priority, then drop before accept).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    ingress: Vec<SecurityGroupRule>,
    egress: Vec<SecurityGroupRule>,
}

impl Rules {
    pub fn new<'a>(rules: impl IntoIterator<Item = &'a SecurityGroupRule>) -> Rules {
        let (mut ingress, mut egress): (Vec<_>, Vec<_>) =
            rules.into_iter().cloned().partition(|r| r.direction == Direction::Ingress);
        for list in [&mut ingress, &mut egress] {
            list.sort_by_key(|r| (r.priority, r.policy == Policy::Accept));
        }
        Rules { ingress, egress }
    }

    /// The inbound rules in deciding order: the first that matches decides.
    pub fn ingress(&self) -> &[SecurityGroupRule] {
        &self.ingress
    }

    /// The outbound rules in deciding order.
    pub fn egress(&self) -> &[SecurityGroupRule] {
        &self.egress
    }

    pub fn evaluate(&self, direction: Direction, packet: &Packet<'_>) -> Decision {
        let list = if direction == Direction::Ingress { &self.ingress } else { &self.egress };
        match list.iter().find(|r| matches(r, packet)) {
            Some(r) if r.policy == Policy::Accept => Decision::Accepted(r.id.clone()),
            Some(r) => Decision::Dropped(r.id.clone()),
            None => Decision::Default { allowed: direction == Direction::Egress },
        }
    }
}

fn matches(rule: &SecurityGroupRule, p: &Packet<'_>) -> bool {
    let protocol = rule.protocol == Protocol::All || rule.protocol == p.protocol;
    let port = match (rule.port_range, p.port) {
        (None, _) => true,
        (Some(range), Some(port)) => range.contains(port),
        (Some(_), None) => false,
    };
    let peer = match &rule.peer {
        RulePeer::Cidr { cidr_block } => cidr_block.contains_addr(p.peer),
        RulePeer::SecurityGroup { security_group_id, account_id } => {
            p.peer_groups.contains(security_group_id) && p.peer_account == Some(account_id)
        }
    };
    protocol && port && peer
}

#[cfg(test)]
mod tests {
    use super::*;
    use xconnect_model::*;

    fn id<T: ResourceId>(n: u8) -> T {
        T::from_entropy(&[n; ID_ENTROPY_BYTES])
    }

    fn rule(
        n: u8,
        direction: Direction,
        protocol: Protocol,
        ports: Option<&str>,
        peer: RulePeer,
        priority: u8,
        policy: Policy,
    ) -> SecurityGroupRule {
        SecurityGroupRule {
            id: id(n),
            security_group_id: id(100),
            direction,
            protocol,
            port_range: ports.map(|p| PortRange::parse("p", p).unwrap()),
            peer,
            priority,
            policy,
            description: Description::default(),
            created_at: Timestamp::from_millis(0),
        }
    }

    fn cidr(s: &str) -> RulePeer {
        RulePeer::Cidr { cidr_block: Cidr::parse("c", s).unwrap() }
    }

    fn packet<'a>(protocol: Protocol, port: Option<u16>, peer: &str, groups: &'a [SecurityGroupId]) -> Packet<'a> {
        static OWNER: std::sync::OnceLock<AccountId> = std::sync::OnceLock::new();
        Packet {
            protocol,
            port,
            peer: peer.parse().unwrap(),
            peer_groups: groups,
            peer_account: Some(OWNER.get_or_init(|| id(9))),
        }
    }

    #[test]
    fn defaults_deny_inbound_and_allow_outbound() {
        let r = Rules::new(&[]);
        let p = packet(Protocol::Icmp, None, "10.0.0.1", &[]);
        assert_eq!(r.evaluate(Direction::Ingress, &p), Decision::Default { allowed: false });
        assert_eq!(r.evaluate(Direction::Egress, &p), Decision::Default { allowed: true });
    }

    #[test]
    fn priority_then_drop_decides() {
        let rules = [
            rule(1, Direction::Ingress, Protocol::Tcp, Some("1/65535"), cidr("0.0.0.0/0"), 50, Policy::Accept),
            rule(2, Direction::Ingress, Protocol::Tcp, Some("22/22"), cidr("10.0.0.0/8"), 10, Policy::Drop),
            rule(3, Direction::Ingress, Protocol::All, None, cidr("10.1.0.0/16"), 10, Policy::Accept),
        ];
        let r = Rules::new(&rules);
        // 10.1.x on port 22: rules 2 and 3 both match at priority 10; the drop wins.
        assert_eq!(
            r.evaluate(Direction::Ingress, &packet(Protocol::Tcp, Some(22), "10.1.0.5", &[])),
            Decision::Dropped(id(2))
        );
        // Port 80 from 10.1.x: rule 3 (priority 10) before rule 1 (50).
        assert_eq!(
            r.evaluate(Direction::Ingress, &packet(Protocol::Tcp, Some(80), "10.1.0.5", &[])),
            Decision::Accepted(id(3))
        );
        // From elsewhere: only rule 1.
        assert_eq!(
            r.evaluate(Direction::Ingress, &packet(Protocol::Tcp, Some(80), "8.8.8.8", &[])),
            Decision::Accepted(id(1))
        );
        // Udp matches no tcp rule and not rule 3's block.
        assert_eq!(
            r.evaluate(Direction::Ingress, &packet(Protocol::Udp, Some(53), "8.8.8.8", &[])),
            Decision::Default { allowed: false }
        );
    }

    #[test]
    fn group_peers_match_members() {
        let peer_group: SecurityGroupId = id(7);
        let rules = [rule(
            1,
            Direction::Ingress,
            Protocol::Icmp,
            None,
            RulePeer::SecurityGroup { security_group_id: peer_group.clone(), account_id: id(9) },
            1,
            Policy::Accept,
        )];
        let r = Rules::new(&rules);
        let member = [peer_group];
        assert!(r.evaluate(Direction::Ingress, &packet(Protocol::Icmp, None, "172.16.0.9", &member)).allowed());
        assert!(!r.evaluate(Direction::Ingress, &packet(Protocol::Icmp, None, "172.16.0.9", &[])).allowed());
        // The same group id under another owner than the rule names matches nothing.
        let stranger: AccountId = id(8);
        let elsewhere = Packet { peer_account: Some(&stranger), ..packet(Protocol::Icmp, None, "172.16.0.9", &member) };
        assert!(!r.evaluate(Direction::Ingress, &elsewhere).allowed());
    }
}
